/*
 * usb — export of change sets to a TTEX file (see usb.h).
 */
#include "syncd/usb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syncd/devfiles.h"
#include "syncd/fetch.h"
#include "syncd/inbox.h"
#include "syncd/push.h"
#include "syncd/sync.h"
#include "syncd/syncdb.h"
#include "tetrad/fileio.h"
#include "tetrad/pullmsg.h"
#include "tetrad/sigblob.h"
#include "tetrad/usbfile.h"

int
usb_check_out_path(const char *path, struct terr *e)
{
	char dir[PATH_MAX];
	struct stat sb;
	size_t n = path ? strlen(path) : 0;

	if (n == 0)
		return terr_set(e, TERR_ARG, "не указан файл для выгрузки (--out)");
	if (n >= PATH_MAX - 32)
		return terr_set(e, TERR_ARG, "слишком длинный путь к файлу выгрузки");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < ' ' || path[i] == 0x7f)
			return terr_set(e, TERR_ARG, "путь к файлу выгрузки содержит управляющие символы");
	if (lstat(path, &sb) == 0)
		return terr_set(e, TERR_ARG, "файл %s уже существует: укажите новое имя файла", path);
	strcpy(dir, path);
	if (stat(dirname(dir), &sb) != 0 || !S_ISDIR(sb.st_mode))
		return terr_set(e, TERR_ARG, "каталог для файла %s не существует (флешка подключена?)", path);
	return 0;
}

/* usbfile's sink over a file descriptor (ctx points at it). */
static int
usb_write_all(void *ctx, const uint8_t *b, size_t len, struct terr *e)
{
	int fd = *(const int *)ctx;

	while (len > 0) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
			    "не удалось записать файл выгрузки: %s", terr_strerror(errno));
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

int
usb_ack_path(const char *out_path, char *buf, size_t cap, struct terr *e)
{
	if (snprintf(buf, cap, "%s.ack", out_path) >= (int)cap)
		return terr_set(e, TERR_ARG, "слишком длинный путь к файлу выгрузки");
	return 0;
}

/*
 * The signed ack of the device's pull cursor beside the export — also at 0,
 * before anything was pulled: it carries the box key, which the hub needs
 * before it can write this device's first file of changes. An ack left by an
 * earlier export under the same name is replaced: acks are idempotent and
 * carry nothing personal.
 */
static int
usb_write_ack(struct sync_ctx *c, const char *out_path, struct usb_result *res, struct terr *e)
{
	uint8_t ack[PULLMSG_REQ_BYTES];
	char path[PATH_MAX];
	uint64_t after;
	int r;

	if ((r = localdb_pull_after(c->db, &after, e)) != 0)
		return r;
	if ((r = usb_ack_path(out_path, path, sizeof(path), e)) != 0 ||
	    (r = fetch_ack_sign(c, after, ack, e)) != 0 ||
	    (r = fileio_write_private(path, ack, sizeof(ack), e)) != 0)
		return r;
	res->ack_written = 1;
	res->ack_after = after;
	for (size_t i = 0; i < KEYS_ID_BYTES; i++)
		snprintf(res->device_id + 2 * i, 3, "%02x", c->push.device_id[i]);
	return 0;
}

int
usb_export(const char *db_path, const char *passphrase_file, const char *out_path,
    size_t max_ops, size_t max_bytes, progress_fn progress, void *progress_ud,
    struct usb_result *res, struct terr *e)
{
	struct sync_ctx *c = NULL;
	struct push_counts waiting;
	uint64_t total = 0;
	struct push_batch b;
	uint8_t hdr[USBFILE_HEADER_BYTES];
	struct usbfile_sink sink = { usb_write_all, NULL };
	struct fileio_private *w = NULL;
	uint64_t after = 0;
	uint32_t count = 0;
	char ackp[PATH_MAX];
	int fd = -1, lockfd = -1, r;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	if ((r = usb_check_out_path(out_path, e)) != 0 ||
	    (r = usb_ack_path(out_path, ackp, sizeof(ackp), e)) != 0)
		return r;
	if ((r = devfiles_lock(db_path, &lockfd, e)) != 0)
		return r;
	if ((r = sync_ctx_open(db_path, passphrase_file, &c, e)) != 0)
		goto out;
	if ((r = usb_write_ack(c, out_path, res, e)) != 0)
		goto out;
	c->push.max_ops = max_ops;
	c->push.max_bytes = max_bytes ? max_bytes : PUSH_DEFAULT_MAX_BYTES;
	/* fileio's one private path: 0600, nothing planted is followed */
	if ((r = fileio_private_open(out_path, &w, e)) != 0)
		goto out;
	fd = fileio_private_fd(w);
	sink.ctx = &fd;
	/* the count is not known yet: written again once every set is in */
	usbfile_header_encode(USBFILE_MAGIC_EXPORT, c->push.device_id, 0, hdr);
	if ((r = usb_write_all(&fd, hdr, sizeof(hdr), e)) != 0)
		goto out;
	/* every entry not acknowledged goes into the file: that is the whole */
	if (progress != NULL && push_counts(c->db, &waiting, NULL) == 0)
		total = (uint64_t)(waiting.pending + waiting.sent);
	if (total > 0)
		progress(progress_ud, 0, total);
	for (;;) {
		if ((r = push_next(&c->push, after, &b, e)) < 0)
			goto out;
		if (r == 0 && (r = push_build(&c->push, &b, e)) < 0)
			goto out;
		if (r == 0)
			break;
		if ((r = usbfile_write_item(&sink, b.envelope, b.len, e)) != 0)
			goto out;
		count++;
		res->sets++;
		res->entries += (int64_t)(b.last_seq - b.first_seq + 1);
		res->bytes += (int64_t)b.len + 4;
		after = b.last_seq;
		push_batch_clear(&b);
		if (total > 0)
			progress(progress_ud, (uint64_t)res->entries < total ?
			    (uint64_t)res->entries : total, total);
	}
	if (count == 0) {
		r = 0;
		goto out;   /* nothing to carry: no file at all */
	}
	usbfile_header_encode(USBFILE_MAGIC_EXPORT, c->push.device_id, count, hdr);
	if (pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		r = terr_set(e, errno == ENOSPC ? TERR_FULL : TERR_IO,
		    "не удалось записать файл выгрузки %s: %s", out_path, terr_strerror(errno));
		goto out;
	}
	/* rename, not link: a FAT stick has no hard links; the name was checked
	 * free above and a FAT stick has no symlinks to plant */
	r = fileio_private_commit(w, false, e);
	w = NULL;
	if (r != 0)
		goto out;
	res->bytes += USBFILE_HEADER_BYTES;
 out:
	push_batch_clear(&b);
	fileio_private_abort(w);
	sync_ctx_free(c);
	devfiles_unlock(lockfd);
	return r;
}

/* One verified answer applied to the batch it names, as sync_send would. */
static int
usb_apply_ack(struct sync_ctx *c, const struct push_ack *a, const uint8_t *blob, size_t len,
    struct usb_acks_result *res, struct terr *e)
{
	struct push_batch b;
	int r, changed;

	memset(&b, 0, sizeof(b));
	if (a->first == 0) {
		res->ignored++;
		return 0;
	}
	if ((r = push_next(&c->push, a->first - 1, &b, e)) < 0)
		return r;
	if (r == 0 || b.first_seq != a->first || b.last_seq != a->last) {
		/* no unacknowledged batch with this range: answered before */
		push_batch_clear(&b);
		res->already++;
		return 0;
	}
	/* the same numbers with other content (a restored device): not ours */
	if (!push_ack_answers(a, &b)) {
		push_batch_clear(&b);
		res->ignored++;
		return 0;
	}
	switch (a->status) {
	case PUSH_ST_APPLIED:
		if ((r = push_mark_acked(&c->push, &b, blob, len, e)) != 0)
			break;
		res->acked++;
		if ((r = push_adopt_hub_key(&c->push, a, &changed, e)) == 0 && changed)
			res->key_changed = 1;
		break;
	case PUSH_ST_GAP:
	case PUSH_ST_BUSY:
		/* nothing final: the sets go again with the next export or push */
		res->ignored++;
		r = 0;
		break;
	default:
		if ((r = push_quarantine(&c->push, &b, a->reason[0] ? a->reason :
		    "отклонено хабом без объяснения", a->retry, blob, len, e)) == 0)
			res->quarantined++;
		break;
	}
	push_batch_clear(&b);
	return r;
}

int
usb_import_acks(const char *db_path, const char *passphrase_file, const char *in_path,
    struct usb_acks_result *res, struct terr *e)
{
	struct sync_ctx *c = NULL;
	struct usbfile_header h;
	struct usbfile_src src = { fileio_fread, NULL };
	struct push_ack a;
	struct terr ae;
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t len, cap = SIGBLOB_MAX_PAYLOAD + 1024;
	int lockfd = -1, r;

	memset(res, 0, sizeof(*res));
	if ((r = devfiles_lock(db_path, &lockfd, e)) != 0)
		return r;
	if ((r = sync_ctx_open(db_path, passphrase_file, &c, e)) != 0)
		goto out;
	if ((f = fopen(in_path, "rb")) == NULL) {
		r = terr_set(e, TERR_IO, "не удалось открыть %s: %s", in_path, terr_strerror(errno));
		goto out;
	}
	src.ctx = f;
	if ((r = usbfile_read_header(&src, USBFILE_MAGIC_ACKS, &h, e)) != 0)
		goto out;
	if (memcmp(h.device_id, c->push.device_id, KEYS_ID_BYTES) != 0) {
		r = terr_set(e, TERR_ARG, "%s содержит подтверждения для другого устройства, не %s",
		    in_path, c->push.device_hex);
		goto out;
	}
	if ((buf = malloc(cap)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	for (uint32_t i = 0; i < h.count; i++) {
		if ((r = usbfile_read_item(&src, buf, cap, &len, e)) != 0)
			goto out;
		res->read++;
		/* A damaged or foreign answer changes nothing; the rest still count. */
		if (push_parse_ack(&c->push, buf, len, &a, &ae) != 0) {
			res->ignored++;
			continue;
		}
		if ((r = usb_apply_ack(c, &a, buf, len, res, e)) != 0)
			goto out;
	}
	r = usbfile_read_end(&src, e);
 out:
	if (f != NULL)
		fclose(f);
	free(buf);
	sync_ctx_free(c);
	devfiles_unlock(lockfd);
	return r;
}

int
usb_import_changes(const char *db_path, const char *passphrase_file, const char *in_path,
    const char *builtin_dir, struct usb_changes_result *res, struct terr *e)
{
	struct sync_ctx *c = NULL;
	struct inbox *ib = NULL;
	struct pullmsg_batch *b = NULL;
	struct usbfile_header h;
	struct usbfile_src src = { fileio_fread, NULL };
	struct terr oe;
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int lockfd = -1, r;

	memset(res, 0, sizeof(*res));
	if ((r = devfiles_lock(db_path, &lockfd, e)) != 0)
		return r;
	if ((r = sync_ctx_open(db_path, passphrase_file, &c, e)) != 0 ||
	    (r = inbox_new(c->db, db_path, builtin_dir, &ib, e)) != 0 ||
	    (r = inbox_cursor(ib, &res->cursor, e)) != 0)
		goto out;
	if ((f = fopen(in_path, "rb")) == NULL) {
		r = terr_set(e, TERR_IO, "не удалось открыть %s: %s", in_path, terr_strerror(errno));
		goto out;
	}
	src.ctx = f;
	if ((r = pullmsg_file_read_header(&src, &h, e)) != 0)
		goto out;
	if (memcmp(h.device_id, c->push.device_id, KEYS_ID_BYTES) != 0) {
		r = terr_set(e, TERR_DEVICE_KEY, "%s содержит изменения для другого устройства, не %s",
		    in_path, c->push.device_hex);
		goto out;
	}
	if ((buf = malloc(PULLMSG_MAX_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	for (uint32_t i = 0; i < h.count; i++) {
		if ((r = pullmsg_file_read_answer(&src, buf, &len, e)) != 0)
			goto out;
		res->answers++;
		terr_clear(&oe);
		/* a file has no request: its answers carry a zero nonce */
		if ((r = pullmsg_open(buf, len, c->push.hub_sign_pk, &c->box, c->push.device_id,
		    NULL, &b, &oe)) != 0) {
			terr_set(e, r, "ответ №%u в %s не принят: %s", i + 1, in_path, oe.msg);
			goto out;
		}
		if (b->upto <= res->cursor) {
			res->already++;            /* уже загружено */
		} else if (b->after > res->cursor) {
			r = terr_set(e, TERR_ORDER, "в %s нет изменений между позициями %llu и %llu (ответ "
			    "№%u начинается после %llu): выгрузите на хабе новый файл для этого устройства",
			    in_path, (unsigned long long)res->cursor, (unsigned long long)b->after, i + 1,
			    (unsigned long long)b->after);
			goto out;
		} else {
			/* after ≤ cursor < upto: states join idempotently, the overlap is harmless */
			if ((r = inbox_apply(ib, b, &res->in, e)) != 0)
				goto out;
			res->applied++;
			res->cursor = b->upto;
		}
		pullmsg_batch_free(b);
		b = NULL;
	}
	r = pullmsg_file_read_end(&src, e);
 out:
	if (f != NULL)
		fclose(f);
	pullmsg_batch_free(b);
	free(buf);
	inbox_free(ib);
	sync_ctx_free(c);
	devfiles_unlock(lockfd);
	return r;
}
