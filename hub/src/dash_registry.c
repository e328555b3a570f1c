/*
 * dash_registry — the administrator's changes to what the hub knows, as the
 * commands make them and through the same functions: a school added or
 * renamed (`schools add`, schools.h), a school's programme of a year set
 * or unset (`programmes set|unset`, programmes.h), a form published
 * (`forms publish FILE`, hubforms.h). The form's definition comes as a
 * file upload (multipart/form-data, at most DASH_UPLOAD_MAX: dash.h); it is
 * written to a private temporary file beside the published forms and
 * published from there exactly as the command publishes a file, so
 * devices get the same signed bundle.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash_private.h"
#include "hub/hubdb_calendar.h"
#include "hub/hubforms.h"
#include "hub/programmes.h"
#include "hub/schools.h"
#include "tetrad/form.h"
#include "tetrad/school.h"

static void
dash_reg_input(struct html *h, const char *name, const char *label, const char *size,
    const char *pattern)
{
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", label, "for", name, NULL);
	html_void(h, "input", "type", "text", "name", name, "id", name, "size", size, "pattern",
	    pattern, "required", "", NULL);
	html_close(h, "div");
}

void
dash_school_form(struct dash_req *rq, struct html *h)
{
	html_elem(h, "h2", "Добавить школу или исправить название", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/schools", "class", "tform", NULL);
	dash_csrf_input(rq, h);
	dash_reg_input(h, "code", "Код ОО (латинские буквы, цифры, - и _)", "12",
	    "[A-Za-z0-9_\\-]{1,32}");
	dash_reg_input(h, "name", "Наименование", "60", NULL);
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Записать школу", "type", "submit", "class", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
}

void
dash_programme_form(struct dash_req *rq, struct html *h)
{
	html_elem(h, "h2", "Включить школу в программу или снять с неё", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/programmes", "class", "tform",
	    NULL);
	dash_csrf_input(rq, h);
	dash_reg_input(h, "school", "Код ОО", "12", "[A-Za-z0-9_\\-]{1,32}");
	dash_reg_input(h, "year", "Год", "6", "[0-9]{4}");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Программа", "for", "programme", NULL);
	html_open(h, "select", "name", "programme", "id", "programme", NULL);
	for (size_t i = 0; i < PROGRAMMES_N; i++)
		html_elem(h, "option", programmes_label(programmes_code_at(i)), "value",
		    programmes_code_at(i), NULL);
	html_close(h, "select");
	html_close(h, "div");
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Включить в программу", "type", "submit", "name", "op", "value",
	    "set", "class", "primary", NULL);
	html_text(h, " ");
	html_elem(h, "button", "Снять с программы", "type", "submit", "name", "op", "value",
	    "unset", "class", "quiet", NULL);
	html_close(h, "p");
	html_close(h, "form");
}

void
dash_publish_form(struct dash_req *rq, struct html *h)
{
	html_elem(h, "h2", "Опубликовать форму", NULL);
	html_open(h, "form", "method", "post", "action", DASH_UPLOAD_PATH, "enctype",
	    "multipart/form-data", "class", "tform", NULL);
	dash_csrf_input(rq, h);
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Файл определения формы (.json, до 1 МиБ; номер версии — новый)",
	    "for", "file", NULL);
	html_void(h, "input", "type", "file", "name", "file", "id", "file", "accept",
	    ".json,application/json", "required", "", NULL);
	html_close(h, "div");
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Подписать и опубликовать", "type", "submit", "class", "primary",
	    NULL);
	html_close(h, "p");
	html_close(h, "form");
}

/* The store's or the rule's answer as a page, with its audit row. */
static int
dash_reg_result(struct dash_req *rq, int r, const struct terr *e, const char *action,
    const char *object, const char *title)
{
	bool theirs = r == TERR_ARG || r == TERR_FORM || r == TERR_PARSE || r == TERR_SCHEMA ||
	    r == TERR_DEPTH || r == TERR_INVALID || r == TERR_TOO_LARGE || r == TERR_NOTFOUND;

	dash_audit(rq, NULL, action, object, theirs ? "refused" : "failed");
	if (theirs)
		return dash_error(rq, 400, title, "%s.", e->msg);
	dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s %s: %s", rq->addr, action, object, e->msg);
	rq->retry_after = 30;
	return dash_error(rq, 503, title, "Хаб сейчас не может записать изменение. Повторите "
	    "через минуту.");
}

int
dash_school_post(struct dash_req *rq, const char *rest)
{
	static const char title[] = "Школа не записана";
	const char *code = dash_field(rq, "code"), *name = dash_field(rq, "name");
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (code == NULL || name == NULL || !school_code_ok(code))
		return dash_error(rq, 400, title, "Код ОО: латинские буквы, цифры, - и _, до 32 "
		    "знаков.");
	if ((r = schools_add(rq->db, code, name, &e)) != 0)
		return dash_reg_result(rq, r, &e, "school_add", code, title);
	dash_audit(rq, NULL, "school_add", code, "ok");
	return dash_admin_done(rq, "/admin/schools", "school_added", code);
}

struct dash_reg_find {
	const char *school, *programme;
	int year;                        /* 0: the register, not the programmes */
	bool found;
};

static int
dash_reg_school_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	struct dash_reg_find *f = ctx;
	const struct hubdb_col *c = hubdb_col_find(ncols, cols, "code");

	if (c != NULL && c->s != NULL && strcmp(c->s, f->school) == 0)
		f->found = true;
	return 0;
}

static int
dash_reg_programme_row(void *ctx, const struct hubdb_programme *p)
{
	struct dash_reg_find *f = ctx;

	if (p->year == f->year && strcmp(p->school, f->school) == 0 &&
	    strcmp(p->programme, f->programme) == 0)
		f->found = true;
	return 0;
}

/*
 * Whether the school is in the register (year 0), or in the programme that
 * year. The page asks first, unlike the command (which registers a school
 * it is given): a mistyped code in a browser would otherwise become a
 * school the completeness report waits for, and an unset that changed
 * nothing would be reported done.
 */
static int
dash_reg_find(struct dash_req *rq, struct dash_reg_find *f, struct terr *e)
{
	f->found = false;
	if (f->year == 0)
		return hubdb_list(rq->db, HUBDB_LIST_SCHOOLS, dash_reg_school_row, f, e);
	return hubdb_programmes_each(rq->db, dash_reg_programme_row, f, e);
}

int
dash_school_known(struct dash_req *rq, const char *code, bool *known, struct terr *e)
{
	struct dash_reg_find f = { code, NULL, 0, false };
	int r = dash_reg_find(rq, &f, e);

	*known = f.found;
	return r;
}

int
dash_programme_post(struct dash_req *rq, const char *rest)
{
	struct dash_reg_find find;
	const char *school = dash_field(rq, "school"), *year = dash_field(rq, "year");
	const char *prog = dash_field(rq, "programme"), *op = dash_field(rq, "op");
	bool on = op != NULL && strcmp(op, "set") == 0;
	const char *title = on ? "Школа не включена в программу" : "Школа не снята с программы";
	const char *code = prog ? programmes_code_of(prog) : NULL;
	char obj[HUBDB_AUDIT_TEXT_MAX];
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (op == NULL || (!on && strcmp(op, "unset") != 0) || school == NULL ||
	    !school_code_ok(school) || year == NULL || strlen(year) != 4 ||
	    strspn(year, "0123456789") != 4 || code == NULL)
		return dash_error(rq, 400, title, "Укажите код ОО, год (четыре цифры) и программу "
		    "из списка.");
	snprintf(obj, sizeof(obj), "%s %s %s", school, year, code);
	memset(&find, 0, sizeof(find));
	find.school = school;
	find.programme = code;
	find.year = on ? 0 : atoi(year);
	if ((r = dash_reg_find(rq, &find, &e)) != 0)
		return dash_reg_result(rq, r, &e, on ? "programme_set" : "programme_unset", obj,
		    title);
	if (!find.found) {
		dash_audit(rq, NULL, on ? "programme_set" : "programme_unset", obj, "refused");
		if (on)
			return dash_error(rq, 409, title, "Школы с кодом %s нет в реестре. Проверьте "
			    "код или сначала добавьте школу на вкладке «Школы».", school);
		return dash_error(rq, 409, title, "Школа %s не была в программе «%s» в %s году: "
		    "снимать нечего.", school, prog, year);
	}
	if ((r = programmes_set(rq->db, school, year, code, on, &e)) != 0)
		return dash_reg_result(rq, r, &e, on ? "programme_set" : "programme_unset", obj,
		    title);
	dash_audit(rq, NULL, on ? "programme_set" : "programme_unset", obj, "ok");
	return dash_admin_done(rq, "/admin/programmes", on ? "programme_set" : "programme_unset",
	    school);
}

/* The upload into a private file in dir (its name in path); 0 or TERR_IO. */
static int
dash_reg_spool(const char *dir, const struct webfield *f, char *path, size_t cap,
    struct terr *e)
{
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(path, cap, "%s/.upload-XXXXXX", dir) >= cap)
		return terr_set(e, TERR_IO, "слишком длинный путь папки форм");
	/* a dot file: the catalogue's scan of the folder never reads it */
	if ((fd = mkstemp(path)) < 0)
		return terr_set(e, TERR_IO, "%s: %s", dir, terr_strerror(errno));
	while (off < f->len) {
		ssize_t n = write(fd, f->value + off, f->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(path);
			return terr_set(e, TERR_IO, "%s: %s", path, terr_strerror(errno));
		}
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		unlink(path);
		return terr_set(e, TERR_IO, "%s: %s", path, terr_strerror(errno));
	}
	return 0;
}

int
dash_form_publish_post(struct dash_req *rq, const char *rest)
{
	static const char title[] = "Форма не опубликована";
	const struct dash_cfg *cfg = dash_config(rq->d);
	const struct webfield *f = rq->form ? webform_field(rq->form, "file") : NULL;
	char path[4096], id[CHANGESET_ID_MAX + 1], obj[HUBDB_AUDIT_TEXT_MAX], what[96];
	uint32_t version = 0;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (cfg->forms_published == NULL || cfg->sign == NULL)
		return dash_error(rq, 503, title, "Этот хаб не публикует формы с панели: "
		    "опубликуйте на сервере командой tetrad-hub forms publish ФАЙЛ.");
	if (f == NULL || f->filename == NULL || f->len == 0)
		return dash_error(rq, 400, title, "Выберите файл определения формы (.json).");
	if (f->len > FORM_MAX_BYTES)
		return dash_error(rq, 413, title, "Файл больше 1 МиБ: это не определение формы.");
	if ((r = dash_reg_spool(cfg->forms_published, f, path, sizeof(path), &e)) != 0)
		return dash_reg_result(rq, r, &e, "form_publish", f->filename, title);
	r = hubforms_publish(rq->db, cfg->sign, path, cfg->forms_dir, cfg->forms_published, id,
	    &version, &e);
	unlink(path);
	if (r != 0) {
		char *at, msg[sizeof(e.msg)];

		/* the message names the file the person chose, not the spool's,
		 * wherever it names it */
		while ((at = strstr(e.msg, path)) != NULL) {
			snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(at - e.msg), e.msg, f->filename,
			    at + strlen(path));
			snprintf(e.msg, sizeof(e.msg), "%s", msg);
		}
		return dash_reg_result(rq, r, &e, "form_publish", f->filename, title);
	}
	snprintf(obj, sizeof(obj), "%s v%" PRIu32, id, version);
	dash_audit(rq, NULL, "form_publish", obj, "ok");
	snprintf(what, sizeof(what), "%s-v%" PRIu32, id, version);
	return dash_admin_done(rq, "/admin/forms", "form_published", what);
}
