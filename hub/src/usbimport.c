/*
 * usbimport — USB export in, signed acknowledgements out (see usbimport.h).
 */
#include "hub/usbimport.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tetrad/envelope.h"
#include "tetrad/fileio.h"
#include "tetrad/hlc.h"
#include "tetrad/usbfile.h"

static int
usbimport_check_out(const char *path, struct terr *e)
{
	char dir[PATH_MAX];
	struct stat sb;
	size_t n = strlen(path);

	if (n == 0 || n >= PATH_MAX - 32)
		return terr_set(e, TERR_ARG, "недопустимый путь к файлу подтверждений");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < ' ' || path[i] == 0x7f)
			return terr_set(e, TERR_ARG, "путь к файлу подтверждений содержит управляющие "
			    "символы");
	if (lstat(path, &sb) == 0)
		return terr_set(e, TERR_ARG, "файл %s уже существует: укажите новое имя", path);
	memcpy(dir, path, n + 1);
	if (stat(dirname(dir), &sb) != 0 || !S_ISDIR(sb.st_mode))
		return terr_set(e, TERR_ARG, "каталог для файла %s не существует", path);
	return 0;
}

/* Writes the acknowledgements file's header, with the count, over its placeholder. */
static int
usbimport_acks_header(FILE *f, const char *path, const uint8_t device_id[KEYS_ID_BYTES],
    uint32_t count, struct terr *e)
{
	uint8_t hdr[USBFILE_HEADER_BYTES];

	usbfile_header_encode(USBFILE_MAGIC_ACKS, device_id, count, hdr);
	if (fseek(f, 0, SEEK_SET) != 0 || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return terr_set(e, TERR_IO, "не удалось записать %s: %s", path, terr_strerror(errno));
	return 0;
}

int
usbimport_run(struct hubdb *db, const struct ingest_cfg *cfg, const char *in_path,
    const char *acks_path, FILE *report, progress_fn progress, void *progress_ud,
    struct usbimport_counts *n, struct terr *e)
{
	struct usbfile_header h;
	struct usbfile_src src = { fileio_fread, NULL };
	struct usbfile_sink sink = { fileio_fwrite, NULL };
	struct ingest_result res;
	struct terr fe;
	struct fileio_private *out = NULL;
	FILE *in = NULL, *acks = NULL;
	uint8_t *buf = NULL, zero[USBFILE_HEADER_BYTES] = { 0 };
	size_t len;
	int r;

	memset(n, 0, sizeof(*n));
	memset(&res, 0, sizeof(res));
	terr_clear(&fe);
	if (acks_path != NULL && (r = usbimport_check_out(acks_path, e)) != 0)
		return r;
	if ((in = fopen(in_path, "rb")) == NULL)
		return terr_set(e, TERR_IO, "не удалось открыть %s: %s", in_path, terr_strerror(errno));
	src.ctx = in;
	if ((r = usbfile_read_header(&src, USBFILE_MAGIC_EXPORT, &h, e)) != 0)
		goto out;
	if ((res.body = tbuf_new(INGEST_BODY_MAX)) == NULL ||
	    (buf = malloc(ENVELOPE_MAX_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if (acks_path != NULL) {
		/* 0600 beside its target, put in place whole (fileio.h) */
		if ((r = fileio_private_open(acks_path, &out, e)) != 0)
			goto out;
		if ((acks = fileio_private_stream(out, e)) == NULL) {
			r = TERR_IO;
			goto out;
		}
		sink.ctx = acks;
		if (fwrite(zero, 1, sizeof(zero), acks) != sizeof(zero)) {
			r = terr_set(e, TERR_IO, "не удалось записать %s: %s", acks_path,
			    terr_strerror(errno));
			goto out;
		}
	}
	r = 0;
	for (uint32_t i = 0; i < h.count; i++) {
		/* A framing error ends the import, but what came before stands. */
		if (usbfile_read_item(&src, buf, ENVELOPE_MAX_BYTES, &len, &fe) != 0)
			break;
		n->sets++;
		if ((r = ingest_envelope(db, cfg, buf, len, hlc_wall_now(), &res, e)) != 0)
			goto out;
		if (report != NULL)
			fprintf(report, "набор %u: устройство %s, номера %" PRIu64 "–%" PRIu64 ": %s%s\n",
			    i + 1, res.device[0] ? res.device : "?", res.first, res.last, res.status,
			    res.replay ? ", уже был принят" : "");
		if (res.outcome == INGEST_APPLIED && res.replay)
			n->replayed++;
		else if (res.outcome == INGEST_APPLIED)
			n->applied++;
		else
			n->refused++;
		/* Only signed answers travel back: a device acts on nothing else. */
		if (acks != NULL && ingest_outcome_signed(res.outcome)) {
			if ((r = usbfile_write_item(&sink, tbuf_ptr(res.body), tbuf_len(res.body),
			    e)) != 0)
				goto out;
			n->acks++;
		}
		if (progress != NULL)
			progress(progress_ud, i + 1, h.count);
	}
	if (fe.code == 0)
		usbfile_read_end(&src, &fe);
	if (out != NULL) {
		if ((r = usbimport_acks_header(acks, acks_path, h.device_id, n->acks, e)) != 0)
			goto out;
		r = fileio_private_commit(out, false, e);
		out = NULL;
		if (r != 0)
			goto out;
	}
	if (fe.code != 0)
		r = terr_set(e, fe.code, "%s: %s (принято до этого места: %u)", in_path, fe.msg,
		    n->sets);
 out:
	fileio_private_abort(out);
	if (in != NULL)
		fclose(in);
	free(buf);
	tbuf_free(res.body);
	return r;
}
