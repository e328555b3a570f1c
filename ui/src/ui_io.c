/*
 * ui_io — «Выгрузить»: a form's records downloaded as an Excel workbook
 * (xlsxio: made in a private file beside the database, read, removed) or
 * as CSV (csvio, in memory), with a Russian file name; and /import: a CSV
 * uploaded (the class-level social passports a school keeps in a
 * spreadsheet), imported all or nothing (csvio_import_buf_at, exactly as
 * `tetrad import`), the row-by-row report of problems shown.
 *
 * Only form ids and school codes travel in URLs; the files themselves go
 * in the body of a download or an upload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/csvio.h"
#include "client/rec.h"
#include "client/rec_school.h"
#include "client/xlsxio.h"
#include "tetrad/fileio.h"
#include "tetrad/form.h"

#include "ui_private.h"

#define UI_IO_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define UI_IO_XLSX_MAX (512u << 20)   /* a workbook read back to be sent */

/* The newest version of each form, in the catalogue's order. */
static void
ui_io_form_options(struct html *h, const struct catalog *c, const char *selected)
{
	for (size_t i = 0; i < catalog_count(c); i++) {
		const struct form *f = catalog_at(c, i);

		if (catalog_latest(c, form_id(f)) != f)
			continue;
		html_elem(h, "option", form_title(f), "value", form_id(f), "selected",
		    selected && strcmp(selected, form_id(f)) == 0 ? "" : NULL, NULL);
	}
}

/* «Название формы ДД.ММ.ГГГГ.ext» without the characters file systems
 * refuse. */
static void
ui_io_filename(const struct form *f, const char *ext, char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	char day[16] = "";
	size_t n;

	if (localtime_r(&now, &tm) != NULL)
		strftime(day, sizeof(day), "%d.%m.%Y", &tm);
	n = (size_t)snprintf(out, cap, "%.150s %s.%s", form_title(f), day, ext);
	(void)n;
	for (char *p = out; *p; p++)
		if (strchr("/\\\"*:?<>|", *p) != NULL || (unsigned char)*p < 0x20)
			*p = ' ';
}

static int
ui_io_xlsx(struct ui_req *rq, const struct form *f)
{
	struct ui *u = ui_req_ui(rq);
	struct terr e = { 0 };
	char path[4200], name[256];
	uint8_t *data = NULL;
	size_t len = 0;
	int fd, r;

	/* a private name beside the database: the workbook is children's data */
	if ((size_t)snprintf(path, sizeof(path), "%s.export.XXXXXX", ui_db_path(u)) >=
	    sizeof(path) || (fd = mkstemp(path)) < 0)
		return ui_reply_error(rq, 500, "Не удалось создать файл выгрузки рядом с базой.");
	close(fd);
	r = xlsxio_export(ui_store(u), ui_catalog(u), form_id(f), path, &e);
	if (r == 0)
		r = fileio_read_all(path, UI_IO_XLSX_MAX, &data, &len, &e);
	unlink(path);
	if (r != 0)
		return ui_reply_error(rq, 500, e.msg);
	ui_io_filename(f, "xlsx", name, sizeof(name));
	return ui_reply_download(rq, UI_IO_XLSX_TYPE, name, (char *)data, len);
}

static int
ui_io_csv(struct ui_req *rq, const struct form *f)
{
	struct ui *u = ui_req_ui(rq);
	struct terr e = { 0 };
	char *buf = NULL, name[256];
	size_t len = 0;
	FILE *mem;
	int r;

	if ((mem = open_memstream(&buf, &len)) == NULL)
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	r = csvio_export(ui_store(u), ui_catalog(u), form_id(f), CSVIO_CSV, false, ';', mem, &e);
	if (fclose(mem) != 0 && r == 0)
		r = terr_set(&e, TERR_NOMEM, "Недостаточно памяти.");
	if (r != 0) {
		free(buf);
		return ui_reply_error(rq, 500, e.msg);
	}
	ui_io_filename(f, "csv", name, sizeof(name));
	return ui_reply_download(rq, "text/csv; charset=utf-8", name, buf, len);
}

int
ui_page_export(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	const char *form = ui_req_query(rq, "form"), *fmt = ui_req_query(rq, "fmt");
	const struct form *f;
	struct html *h;

	if (strcmp(ui_req_path(rq), "/export/file") == 0) {
		if (form == NULL || (f = catalog_latest(ui_catalog(u), form)) == NULL)
			return ui_reply_error(rq, 404, "Нет такой формы: выберите форму на странице "
			    "«Выгрузить».");
		if (fmt == NULL || strcmp(fmt, "xlsx") == 0)
			return ui_io_xlsx(rq, f);
		if (strcmp(fmt, "csv") == 0)
			return ui_io_csv(rq, f);
		return ui_reply_error(rq, 400, "Выгрузка бывает в Excel (xlsx) или CSV.");
	}
	if ((h = ui_page_begin(rq, "Выгрузить")) == NULL)
		return ui_page_end(rq, h, 500);
	html_elem(h, "h1", "Выгрузить записи", NULL);
	html_elem(h, "p", "Все записи выбранной формы (кроме удалённых) одним файлом: книга "
	    "Excel — с листом на каждую повторяющуюся группу (стороны конфликта, факторы "
	    "риска), даты как даты; или CSV для других программ. Файл сохранится в папку "
	    "загрузок браузера.", NULL);
	if (store_locked(ui_store(u))) {
		html_open(h, "p", "class", "flash warn", NULL);
		html_text(h, "Пароль не введён: ФИО, телефоны и другие личные сведения попадут в "
		    "файл как «скрыто». ");
		html_elem(h, "a", "Ввести пароль", "href", "/unlock?next=/export", NULL);
		html_close(h, "p");
	}
	html_open(h, "form", "method", "get", "action", "/export/file", "class", "filters",
	    "id", "export", NULL);
	html_open(h, "label", NULL);
	html_text(h, "Форма ");
	html_open(h, "select", "name", "form", "id", "export-form", NULL);
	ui_io_form_options(h, ui_catalog(u), form);
	html_close(h, "select");
	html_close(h, "label");
	html_elem(h, "button", "Скачать Excel (.xlsx)", "type", "submit", "name", "fmt",
	    "value", "xlsx", "class", "btn primary", NULL);
	html_elem(h, "button", "Скачать CSV", "type", "submit", "name", "fmt", "value", "csv",
	    "class", "btn", NULL);
	html_close(h, "form");
	html_open(h, "p", "class", "more", NULL);
	html_elem(h, "a", "Загрузить CSV (социальные паспорта классов)", "href", "/import",
	    NULL);
	html_close(h, "p");
	return ui_page_end(rq, h, 200);
}

/* ---- import -------------------------------------------------------------- */

/* The school select of a curator's laptop (its schools from the token). */
static void
ui_io_school_select(struct ui_req *rq, struct html *h, const char *selected)
{
	struct terr e = { 0 };
	char *list = NULL, code[64];
	bool curator = false;
	const char *p;

	if (rec_school_choices(ui_store(ui_req_ui(rq)), &list, &curator, &e) != 0 || !curator ||
	    list == NULL || list[0] == '\0') {
		free(list);
		return;
	}
	html_open(h, "label", NULL);
	html_text(h, "Школа ");
	html_open(h, "select", "name", "school", "id", "import-school", NULL);
	for (p = list; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(code, sizeof(code), "%.*s", (int)(n < sizeof(code) - 1 ? n :
		    sizeof(code) - 1), p);
		if (code[0])
			html_elem(h, "option", code, "value", code, "selected",
			    selected && strcmp(selected, code) == 0 ? "" : NULL, NULL);
		p += n;
		if (*p == ',')
			p++;
	}
	html_close(h, "select");
	html_close(h, "label");
	free(list);
}

/* The report's lines («Строка 7: …») as a list. */
static void
ui_io_report(struct html *h, const char *report)
{
	const char *p = report;

	html_open(h, "div", "class", "problems", "role", "alert", "id", "import-report", NULL);
	html_elem(h, "p", "Ничего не загружено: в файле есть ошибки. Исправьте их в таблице "
	    "и загрузите файл снова.", NULL);
	html_open(h, "ul", NULL);
	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (n > 0) {
			html_open(h, "li", NULL);
			html_textn(h, p, n);
			html_close(h, "li");
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	html_close(h, "ul");
	html_close(h, "div");
}

static int
ui_io_import_page(struct ui_req *rq, const char *form, const char *school,
    const char *error, const char *report, const struct csvio_counts *done, int status)
{
	struct ui *u = ui_req_ui(rq);
	const struct form *f = catalog_latest(ui_catalog(u), form ? form : "social_passport");
	struct html *h;

	if ((h = ui_page_begin(rq, "Загрузить CSV")) == NULL)
		return ui_page_end(rq, h, 500);
	html_elem(h, "h1", "Загрузить записи из CSV", NULL);
	if (done != NULL) {
		html_open(h, "p", "class", "flash", "role", "status", "id", "import-done", NULL);
		html_textf(h, "Загружено. Добавлено записей: %zu; изменено: %zu; без изменений: "
		    "%zu.", done->added, done->updated, done->unchanged);
		html_close(h, "p");
	}
	if (error != NULL)
		html_elem(h, "p", error, "class", "flash error", "role", "alert", NULL);
	if (report != NULL)
		ui_io_report(h, report);
	html_elem(h, "p", "Таблица, сохранённая как CSV (например, социальные паспорта "
	    "классов): первая строка — заголовки, как в выгрузке; каждая строка — запись. "
	    "Если хоть одна строка с ошибкой, не загружается ничего, а здесь будет список "
	    "ошибок по строкам.", NULL);
	if (f != NULL && store_locked(ui_store(u)) && form_has_local(f)) {
		html_open(h, "p", "class", "flash warn", NULL);
		html_text(h, "В этой форме есть личные сведения: чтобы загрузить их, сначала ");
		html_elem(h, "a", "введите пароль", "href", "/unlock?next=/import", NULL);
		html_text(h, ".");
		html_close(h, "p");
	}
	html_open(h, "form", "method", "post", "action", "/import", "enctype",
	    "multipart/form-data", "class", "upload", "id", "import", NULL);
	ui_csrf_input(rq, h);
	html_open(h, "p", NULL);
	html_open(h, "label", NULL);
	html_text(h, "Форма ");
	html_open(h, "select", "name", "form", "id", "import-form", NULL);
	ui_io_form_options(h, ui_catalog(u), f ? form_id(f) : NULL);
	html_close(h, "select");
	html_close(h, "label");
	html_text(h, " ");
	ui_io_school_select(rq, h, school);
	html_close(h, "p");
	html_open(h, "p", NULL);
	html_elem(h, "label", "Файл CSV", "for", "import-file", NULL);
	html_void(h, "br", NULL);
	html_void(h, "input", "type", "file", "name", "file", "id", "import-file",
	    "required", "", "accept", ".csv,text/csv", NULL);
	html_close(h, "p");
	html_elem(h, "button", "Загрузить", "type", "submit", "class", "btn primary", NULL);
	html_close(h, "form");
	return ui_page_end(rq, h, status);
}

int
ui_page_import(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	const struct webform *post = ui_req_form(rq);
	const char *form, *school;
	const struct webfield *file;
	const struct form *f;
	struct csvio_counts n = { 0 };
	struct terr e = { 0 };
	char *report = NULL;
	int r, rc;

	if (!ui_req_post(rq))
		return ui_io_import_page(rq, ui_req_query(rq, "form"), NULL, NULL, NULL, NULL, 200);
	form = webform_get(post, "form");
	school = webform_get(post, "school");
	if (school != NULL && school[0] == '\0')
		school = NULL;
	file = webform_field(post, "file");
	if (form == NULL || (f = catalog_latest(ui_catalog(u), form)) == NULL)
		return ui_io_import_page(rq, NULL, school, "Выберите форму из списка.", NULL,
		    NULL, 400);
	if (file == NULL || file->len == 0)
		return ui_io_import_page(rq, form, school, "Файл не выбран или пуст.", NULL,
		    NULL, 400);
	if (store_locked(ui_store(u)) && form_has_local(f))
		return ui_io_import_page(rq, form, school, "Сначала введите пароль: в этой "
		    "форме есть личные сведения, без пароля их не записать. Файл не загружен.",
		    NULL, NULL, 403);
	if (school != NULL && rec_school_check(ui_store(u), school, &e) != 0)
		return ui_io_import_page(rq, form, school, e.msg, NULL, NULL, 400);
	r = csvio_import_buf_at(ui_store(u), ui_catalog(u), form_id(f), school,
	    file->filename && file->filename[0] ? file->filename : "файл", file->value,
	    file->len, 0, &n, &report, &e);
	if (r == 0)
		rc = ui_io_import_page(rq, form, school, NULL, NULL, &n, 200);
	else if (report != NULL && report[0] != '\0')
		rc = ui_io_import_page(rq, form, school, NULL, report, NULL, 422);
	else
		rc = ui_io_import_page(rq, form, school, e.msg, NULL, NULL, 400);
	free(report);
	return rc;
}
