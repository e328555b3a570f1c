/*
 * cli_record — the commands that change records: `tetrad new`, `edit`,
 * `finalize` and `delete` (values from --json and --set, or asked field by
 * field on a terminal: client/src/prompt.c, then a summary to confirm; an
 * entry cut short by Ctrl+C, a closed terminal or the end of input is kept
 * as a draft, never lost).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tetrad/localdb.h"
#include "tetrad/school.h"
#include "tetrad/termsafe.h"
#include "tetrad/uuid7.h"

#include "client/prompt.h"
#include "client/rec.h"
#include "client/rec_school.h"
#include "client/riskprof.h"

#include "cli_private.h"

/* a school's name from the hub's register, as offered in the pick */
#define CLI_RECORD_NAME_MAX 160

/*
 * Set by the handler of SIGINT, SIGHUP and SIGTERM while a person answers
 * questions; the prompt reads it before and after every read. The client's
 * one piece of global mutable state, and unavoidable: a signal handler can
 * reach nothing else, and a sig_atomic_t flag is all it may safely write
 * (no stdio, no allocation in a handler: the draft is saved by the normal
 * code path once the read returns).
 */
static volatile sig_atomic_t cli_record_stop;

static void
cli_record_on_signal(int sig)
{
	cli_record_stop = sig;
}

/* From now on Ctrl+C, a hang-up or a TERM end the questions, not the
 * process: without SA_RESTART the read waiting for an answer returns. */
static void
cli_record_catch(void)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGTERM };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cli_record_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

/* How an entry was cut short, for the message. */
static const char *
cli_record_why_stopped(void)
{
	switch (cli_record_stop) {
	case SIGINT: return "Ввод прерван (Ctrl+C).";
	case SIGHUP: return "Терминал закрыт.";
	case 0: return "Ввод закончился.";
	default: return "Ввод прерван.";
	}
}

static bool
cli_record_interactive(const struct cli *c)
{
	const char *force = getenv("TETRAD_PROMPT");

	if (force && strcmp(force, "1") == 0)
		return true;
	/* questions go to stderr so the id on stdout can be captured */
	return isatty(fileno(c->in)) && isatty(fileno(c->err));
}

/* --json then --set, onto values. */
static int
cli_record_values(struct cli *c, const struct form *f, cJSON *values)
{
	int r;

	if (c->json_file) {
		cJSON *j = NULL;

		if ((r = rec_read_json(c->json_file, &j, &c->e)) != 0)
			return r;
		r = rec_merge(values, j, &c->e);
		cJSON_Delete(j);
		if (r != 0)
			return r;
	}
	for (size_t i = 0; i < c->n_sets; i++)
		if ((r = rec_apply_set(f, values, c->sets[i], &c->e)) != 0)
			return r;
	return 0;
}

/*
 * The school a new record is of: its school field's value when the form has
 * one and it is filled (a curator's visit), else fallback (--school, or NULL:
 * the device's own school).
 */
static const char *
cli_record_school_of(const struct form *f, const cJSON *values, const char *fallback)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *v = sf ? cJSON_GetObjectItemCaseSensitive(values, sf->id) : NULL;

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ? v->valuestring : fallback;
}

/* What the prompt's fill_readonly hook needs to find the issued profile. */
struct cli_record_fill {
	struct store *store;
	const char *school;          /* --school, or NULL: the device's */
};

/* prompt_opts.fill_readonly: the issued profile's levels, shown while typing. */
static int
cli_record_fill_profile(void *ctx, const struct form *f, cJSON *values, struct terr *e)
{
	const struct cli_record_fill *x = ctx;

	return riskprof_fill(x->store, cli_record_school_of(f, values, x->school), f,
	    values, NULL, e);
}

/*
 * The school of a new record entered on a terminal, asked before anything
 * else so that nothing typed is lost for want of it. A form with a school
 * field (form_school_field): the field's value if already given, --school,
 * a school device's own school (never asked), or on a curator device one of
 * its schools (meta device_schools); the field is then answered (o->preset:
 * shown, not asked). A form without one on a curator device with no
 * --school (a social passport, a questionnaire): one of its schools, the
 * record's school. school (SCHOOL_CODE_MAX + 1 bytes) holds the code; with
 * nothing to offer it stays "" (a school field is then a question of the
 * walk). A curator device not enrolled yet is refused before any question
 * (TERR_INVALID: it makes no records). 0, TERR_ARG when input ends, or
 * another code.
 */
static int
cli_record_school_pick(struct cli *c, struct store *s, const struct form *f,
    cJSON *values, struct prompt_opts *o, char *school)
{
	const struct form_field *sf = form_school_field(f);
	char *kind = NULL, *list = NULL, *own = NULL;
	/* a stored list is at most SCHOOL_LIST_MAX bytes: a code and a comma
	 * each, at most half as many codes */
	enum { MAX_CODES = SCHOOL_LIST_MAX / 2 + 1 };
	const char **items = NULL;
	char (*codes)[SCHOOL_CODE_MAX + 1] = NULL;
	char (*names)[SCHOOL_CODE_MAX + 4 + CLI_RECORD_NAME_MAX * 4] = NULL;
	const char *cur;
	const cJSON *given;
	size_t n = 0, pick = 0;
	bool curator;
	int r;

	school[0] = '\0';
	if (sf == NULL && c->school != NULL)
		return 0;
	if ((r = store_meta_get(s, "device_kind", &kind, &c->e)) != 0 ||
	    (r = store_meta_get(s, "device_schools", &list, &c->e)) != 0 ||
	    (r = store_meta_get(s, "school", &own, &c->e)) != 0)
		goto out;
	if ((items = calloc(MAX_CODES, sizeof(*items))) == NULL ||
	    (codes = calloc(MAX_CODES, sizeof(*codes))) == NULL) {
		r = terr_set(&c->e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	cur = list ? list : "";
	while (n < MAX_CODES && school_list_next(&cur, codes[n])) {
		items[n] = codes[n];
		n++;
	}
	/* «170103 — Школа № 3» where the hub sent the register's name */
	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL) {
		r = terr_set(&c->e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char name[CLI_RECORD_NAME_MAX], *safe;
		struct terr ignored = { 0 };

		if (localdb_school_name(store_localdb(s), codes[i], name, sizeof(name),
		    &ignored) != 1 || (safe = termsafe_dup(name)) == NULL)
			continue;
		snprintf(names[i], sizeof(names[i]), "%s — %s", codes[i], safe);
		free(safe);
		items[i] = names[i];
	}
	curator = kind != NULL && strcmp(kind, "curator") == 0;
	if (curator && n == 0) {
		/* the message that names enrollment; nothing asked in vain */
		r = rec_school_check(s, "", &c->e);
		goto out;
	}
	if (sf == NULL) {
		/* the device's own school, or a curator's pick */
		r = 0;
		if (!curator)
			goto out;
		if (n > 1) {
			if ((r = prompt_choose(c->in, c->err, "Для какой школы эта "
			    "запись?", items, n, &pick, &cli_record_stop, &c->e)) != 0)
				goto out;
		}
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", codes[pick]);
		fprintf(c->err, "Школа: %s\n", items[pick]);
		goto out;
	}
	given = cJSON_GetObjectItemCaseSensitive(values, sf->id);
	if (cJSON_IsString(given) && given->valuestring[0] != '\0')
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", given->valuestring);
	else if (c->school != NULL)
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", c->school);
	else if (curator && n > 1) {
		if ((r = prompt_choose(c->in, c->err, "Какую школу вы посетили? "
		    "(запись будет учтена за этой школой)", items, n, &pick,
		    &cli_record_stop, &c->e)) != 0)
			goto out;
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", codes[pick]);
	} else if (curator && n == 1)
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", codes[0]);
	else if (!curator && own != NULL)
		snprintf(school, SCHOOL_CODE_MAX + 1, "%s", own);
	if (school[0] == '\0') {
		/* no list to offer: the field is asked like any other */
		r = 0;
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(values, sf->id);
	if (cJSON_AddStringToObject(values, sf->id, school) == NULL) {
		r = terr_set(&c->e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	o->preset = sf;        /* the walk shows it: «Код ОО: 170103» */
	r = 0;
 out:
	free(items);
	free(codes);
	free(names);
	free(kind);
	free(list);
	free(own);
	return r;
}

/* Whether values hold an answer besides the preset one. */
static bool
cli_record_any_answer(const cJSON *values, const struct prompt_opts *o)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, values)
		if (m->string && !(o->preset && strcmp(m->string, o->preset->id) == 0))
			return true;
	return false;
}

/*
 * Asks the questions and the summary. *stopped: input ended first (the
 * answers so far are in values). 0, or a TERR_* code (printed by caller).
 */
static int
cli_record_ask(struct cli *c, const struct form *f, cJSON *values,
    const struct prompt_opts *o, enum prompt_end *end, bool *stopped)
{
	int r;

	*stopped = false;
	r = prompt_walk(f, values, c->in, c->err, o, &c->e);
	if (r == 0 && o->only == NULL)
		r = prompt_review(f, values, c->in, c->err, o, end, &c->e);
	else if (r == 0)
		*end = PROMPT_END_FINAL;
	if (r == TERR_ARG) {
		*stopped = true;
		fprintf(c->err, "\n%s\n", cli_record_why_stopped());
		r = 0;
	}
	return r;
}

int
cli_record_new(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *values = NULL;
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1], school[SCHOOL_CODE_MAX + 1] = "";
	struct prompt_opts o = { .stop = &cli_record_stop };
	struct cli_record_fill fill = { 0 };
	enum prompt_end end = PROMPT_END_FINAL;
	bool draft = c->draft, stopped = false;
	bool asked = c->n_sets == 0 && c->json_file == NULL;
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите одну форму: tetrad new ФОРМА … "
		    "(список: tetrad forms).");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (c->school && (r = rec_school_check(s, c->school, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((f = catalog_latest(cat, c->pos[0])) == NULL) {
		fprintf(c->err, "Ошибка: форма «%s» не найдена. Список форм: "
		    "tetrad forms.\n", c->pos[0]);
		rc = CLI_NOTFOUND;
		goto out;
	}
	/* local fields and a passphrase set: on a terminal the vault opened
	 * before anything is asked, so nothing typed is lost for want of it;
	 * --set/--json: only if the record turns out to need it (below) */
	if ((asked || !store_locked(s)) &&
	    (rc = cli_unlock_form(c, s, f, true)) != CLI_OK)
		goto out;
	if ((values = cJSON_CreateObject()) == NULL) {
		rc = CLI_OTHER;
		goto out;
	}
	/* the record's school (form_school_field) before anything is asked */
	if ((r = cli_record_values(c, f, values)) != 0 ||
	    (r = rec_school_fill(s, f, c->school, values, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (asked) {
		if (!cli_record_interactive(c)) {
			rc = cli_usage(c, "нет значений: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
			    "--json ФАЙЛ, или запустите команду в терминале.");
			goto out;
		}
		cli_record_catch();
		fill.store = s;
		fill.school = school[0] ? school : c->school;
		o.fill_readonly = cli_record_fill_profile;
		o.fill_ctx = &fill;
		fprintf(c->err, "Новая запись: %s (версия %u)\n", form_title(f),
		    form_version(f));
		r = cli_record_school_pick(c, s, f, values, &o, school);
		if (r == 0)
			r = cli_record_ask(c, f, values, &o, &end, &stopped);
		else if (r == TERR_ARG) {
			fprintf(c->err, "\n%s Запись не начата: сохранять нечего.\n",
			    cli_record_why_stopped());
			rc = CLI_INVALID;
			goto out;
		}
		if (r != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (stopped && !cli_record_any_answer(values, &o)) {
			fprintf(c->err, "Ответов нет: сохранять нечего.\n");
			rc = CLI_INVALID;
			goto out;
		}
		if (!stopped && end == PROMPT_END_DISCARD) {
			fprintf(c->err, "Запись не сохранена.\n");
			rc = CLI_INVALID;
			goto out;
		}
		/* cut short: what was typed is kept as a draft (always savable) */
		draft = c->draft || stopped || end == PROMPT_END_DRAFT;
	}
	/* the issued profile's levels into the visit's read-only fields
	 * (riskprof.h), for the school the record is of */
	if ((r = riskprof_fill(s, cli_record_school_of(f, values, school[0] ? school :
	    c->school), f, values, NULL, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	r = rec_new(s, cat, form_id(f), school[0] ? school : c->school, values,
	    draft, id, &probs, &c->e);
	/* local values given, the vault locked: nothing was written (one
	 * transaction); opened, the same record again */
	if (!asked && cli_unlock_needed(s, r, f, probs, false)) {
		if ((rc = cli_unlock_form(c, s, f, false)) != CLI_OK)
			goto out;
		form_problems_free(probs);
		probs = NULL;
		r = rec_new(s, cat, form_id(f), school[0] ? school : c->school,
		    values, draft, id, &probs, &c->e);
	}
	/* refused for a rule outside the form's (a repeated case number, the
	 * school): on a terminal nothing typed is lost, back to the summary */
	while (asked && !draft && r == TERR_INVALID) {
		if (probs != NULL)
			cli_problems(c, probs);
		else
			fprintf(c->err, "Ошибка: %s\n", c->e.msg);
		form_problems_free(probs);
		probs = NULL;
		fprintf(c->err, "Запись пока не сохранена: исправьте ответ "
		    "(«изменить N») или сохраните черновиком.\n");
		if ((r = prompt_review(f, values, c->in, c->err, &o, &end,
		    &c->e)) == TERR_ARG) {
			fprintf(c->err, "\n%s\n", cli_record_why_stopped());
			stopped = true;
			r = 0;
		}
		if (r != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (!stopped && end == PROMPT_END_DISCARD) {
			fprintf(c->err, "Запись не сохранена.\n");
			rc = CLI_INVALID;
			goto out;
		}
		draft = c->draft || stopped || end == PROMPT_END_DRAFT;
		r = rec_new(s, cat, form_id(f), school[0] ? school : c->school,
		    values, draft, id, &probs, &c->e);
	}
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись не сохранена.%s\n", draft ? "" :
		    " Чтобы сохранить неполную запись, добавьте --draft.");
		rc = CLI_INVALID;
		goto out;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	uuid7_format(id, idtext);
	fprintf(c->out, "%s\n", idtext);
	if (stopped)
		fprintf(c->err, "Ответы сохранены как черновик %s.\nПродолжить: "
		    "tetrad edit %s\n", idtext, idtext);
	else if (draft && asked)
		fprintf(c->err, "Сохранено как черновик. Дополнить: tetrad edit %s\n",
		    idtext);
	else if (asked)
		fprintf(c->err, "Запись сохранена: %s. Она уйдёт в муниципалитет при "
		    "синхронизации (tetrad sync).\n", idtext);
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(values);
	catalog_free(cat);
	store_close(s);
	return rc;
}

/*
 * The questions of `tetrad edit ID [FIELD]` on a terminal. *save: whether
 * to store values; *finalize: a draft the person chose to save as complete.
 */
static int
cli_record_edit_ask(struct cli *c, const struct form *f,
    const struct localdb_record *rec, cJSON *values, bool *save, bool *finalize)
{
	struct prompt_opts o = { .stop = &cli_record_stop };
	enum prompt_end end = PROMPT_END_FINAL;
	bool is_final = strcmp(rec->status, "final") == 0, stopped = false;
	int r;

	*save = false;
	*finalize = false;
	o.no_draft = is_final;
	if (c->n_pos == 2) {
		const struct form_field *fd = form_find(f, c->pos[1]);

		if (fd == NULL) {
			fprintf(c->err, "Ошибка: в форме «%s» нет поля «%s» (поля "
			    "записи: tetrad show %s --json).\n", form_title(f),
			    c->pos[1], c->pos[0]);
			return CLI_NOTFOUND;
		}
		if (fd->readonly) {
			fprintf(c->err, "Ошибка: поле «%s» заполняется из профиля, а не "
			    "вручную.\n", fd->label);
			return CLI_INVALID;
		}
		if (!form_relevant(f, fd, values)) {
			fprintf(c->err, "Ошибка: поле «%s» к этой записи сейчас не "
			    "относится: оно зависит от других ответов (tetrad edit %s — "
			    "все вопросы).\n", fd->label, c->pos[0]);
			return CLI_INVALID;
		}
		o.only = fd;
	}
	cli_record_catch();
	fprintf(c->err, "Изменение записи: %s (версия %u)\n", form_title(f),
	    form_version(f));
	if ((r = cli_record_ask(c, f, values, &o, &end, &stopped)) != 0)
		return cli_fail(c, r);
	if (stopped && is_final) {
		/* a final record is sent whole: half an edit is not sent */
		fprintf(c->err, "Изменения не сохранены (запись окончательная).\n");
		return CLI_INVALID;
	}
	if (!stopped && end == PROMPT_END_DISCARD) {
		fprintf(c->err, "Изменения не сохранены.\n");
		return CLI_INVALID;
	}
	if (stopped)
		fprintf(c->err, "Изменения сохранены в черновике. Продолжить: "
		    "tetrad edit %s\n", c->pos[0]);
	*save = true;
	*finalize = !stopped && !is_final && o.only == NULL &&
	    end == PROMPT_END_FINAL;
	return CLI_OK;
}

/* rec_edit of values over the record's old ones (then rec_finalize). */
static int
cli_record_edit_save(struct store *s, const struct catalog *cat,
    const uint8_t id[UUID7_BYTES], const cJSON *old, const cJSON *values,
    bool finalize, struct form_problems **probs, struct terr *e)
{
	cJSON *changes = cJSON_CreateObject();
	const cJSON *m, *o;
	int r;

	if (changes == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	/* only the answers the person changed: the record may have moved since
	 * it was read (a pull syncd applied meanwhile), and the rest written
	 * back as read would undo that, on the hub too (test_sync_converge) */
	cJSON_ArrayForEach(m, values)
		if (m->string && ((o = cJSON_GetObjectItemCaseSensitive(old, m->string)) == NULL ||
		    !cJSON_Compare(o, m, true)))
			cJSON_AddItemToObject(changes, m->string, cJSON_Duplicate(m, 1));
	/* answers removed (--set ПОЛЕ=, «-») must be removed by the merge too */
	cJSON_ArrayForEach(m, old)
		if (m->string && !cJSON_HasObjectItem(values, m->string))
			cJSON_AddNullToObject(changes, m->string);
	r = rec_edit(s, cat, id, changes, probs, e);
	cJSON_Delete(changes);
	if (r == 0 && finalize)
		r = rec_finalize(s, cat, id, probs, e);
	return r;
}

/*
 * An interactive edit refused at saving: the reason, then the summary again.
 * *save false: leave (CLI_INVALID printed). *probs is consumed.
 */
static int
cli_record_edit_again(struct cli *c, const struct form *f,
    const struct localdb_record *rec, cJSON *values,
    struct form_problems **probs, bool *save, bool *finalize)
{
	struct prompt_opts o = { .stop = &cli_record_stop };
	enum prompt_end end = PROMPT_END_FINAL;
	bool is_final = strcmp(rec->status, "final") == 0;
	int r;

	if (*probs != NULL)
		cli_problems(c, *probs);
	else
		fprintf(c->err, "Ошибка: %s\n", c->e.msg);
	form_problems_free(*probs);
	*probs = NULL;
	*save = false;
	o.no_draft = is_final;
	fprintf(c->err, "Изменения пока не сохранены: исправьте ответ "
	    "(«изменить N»)%s.\n", is_final ? "" : " или сохраните черновиком");
	r = prompt_review(f, values, c->in, c->err, &o, &end, &c->e);
	if (r == TERR_ARG && !is_final) {
		fprintf(c->err, "\n%s Изменения сохранены в черновике.\n",
		    cli_record_why_stopped());
		*save = true;
		*finalize = false;
		return CLI_OK;
	}
	if (r == TERR_ARG || (r == 0 && end == PROMPT_END_DISCARD)) {
		fprintf(c->err, "\nИзменения не сохранены.\n");
		return CLI_INVALID;
	}
	if (r != 0)
		return cli_fail(c, r);
	*save = true;
	*finalize = !is_final && end == PROMPT_END_FINAL;
	return CLI_OK;
}

/*
 * The record id for an edit, read again (*rec, *old, *values replaced; the
 * vault may have opened since): its form *f, its values *old and, with
 * c's --set/--json applied, *values. CLI_OK or the printed exit code.
 */
static int
cli_record_edit_load(struct cli *c, struct store *s, const struct catalog *cat,
    const uint8_t id[UUID7_BYTES], struct localdb_record **rec,
    const struct form **f, cJSON **old, cJSON **values)
{
	char idt[UUID7_STRLEN + 1];
	int r;

	store_record_free(*rec);
	cJSON_Delete(*old);
	cJSON_Delete(*values);
	*rec = NULL;
	*old = *values = NULL;
	if ((r = store_record_get(s, id, rec, &c->e)) != 0)
		return cli_fail(c, r);
	if ((*f = catalog_get(cat, (*rec)->form_id, (*rec)->form_version)) == NULL) {
		fprintf(c->err, "Ошибка: нет версии %u формы «%s», которой сделана "
		    "запись.\n", (*rec)->form_version, (*rec)->form_id);
		return CLI_NOTFOUND;
	}
	/* its hidden values did not open: what an edit saves would replace them */
	if (store_record_damaged(s, *rec)) {
		uuid7_format(id, idt);
		return cli_fail(c, terr_set(&c->e, TERR_DECRYPT, "Скрытые поля записи "
		    "%s повреждены (не расшифровываются): изменять её нельзя, чтобы "
		    "не стереть то, что ещё можно вернуть из резервной копии базы. "
		    "Посмотреть остальные поля: tetrad show %s.", idt, idt));
	}
	if ((*old = cJSON_Parse((*rec)->data)) == NULL ||
	    (*values = cJSON_Duplicate(*old, 1)) == NULL) {
		fprintf(c->err, "Ошибка: данные записи повреждены.\n");
		return CLI_OTHER;
	}
	if ((r = cli_record_values(c, *f, *values)) != 0)
		return cli_fail(c, r);
	return CLI_OK;
}

int
cli_record_edit(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct localdb_record *rec = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *old = NULL, *values = NULL;
	uint8_t id[UUID7_BYTES];
	bool asked = c->n_sets == 0 && c->json_file == NULL, save = true;
	bool finalize = false, locked_try;
	int r, rc;

	if (c->n_pos != 1 && !(c->n_pos == 2 && asked))
		return cli_usage(c, "укажите номер записи: tetrad edit НОМЕР "
		    "[--set ПОЛЕ=ЗНАЧЕНИЕ …] или tetrad edit НОМЕР ПОЛЕ (в терминале).");
	if (asked && !cli_record_interactive(c))
		return cli_usage(c, "нечего изменять: укажите --set ПОЛЕ=ЗНАЧЕНИЕ или "
		    "--json ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if ((rc = cli_record_edit_load(c, s, cat, id, &rec, &f, &old,
	    &values)) != CLI_OK)
		goto out;
	/* the local values in, to edit them by position (groups): on a
	 * terminal, or when --set/--json touch them; else tried locked first */
	locked_try = !asked && !cli_sets_local(c, f);
	if (store_locked(s) && form_has_local(f) && !locked_try) {
		if ((rc = cli_unlock_form(c, s, f, false)) != CLI_OK ||
		    (rc = cli_record_edit_load(c, s, cat, id, &rec, &f, &old,
		    &values)) != CLI_OK)
			goto out;
	}
	if (asked && strcmp(rec->status, "deleted") == 0) {
		fprintf(c->err, "Ошибка: запись удалена: её нельзя изменить.\n");
		rc = CLI_INVALID;
		goto out;
	}
	/* on a terminal: the form with the current answers offered, or one field */
	if (asked && ((rc = cli_record_edit_ask(c, f, rec, values, &save,
	    &finalize)) != CLI_OK || !save))
		goto out;
 again:
	while ((r = cli_record_edit_save(s, cat, id, old, values, finalize, &probs,
	    &c->e)) == TERR_INVALID && asked) {
		/* refused at saving (a rule outside the form's): back to the
		 * summary, nothing typed is lost */
		if ((rc = cli_record_edit_again(c, f, rec, values, &probs, &save,
		    &finalize)) != CLI_OK || !save)
			goto out;
	}
	/* tried locked and the key is needed after all: nothing was written
	 * (rec_edit is one transaction); read again with the values, redone */
	if (locked_try && cli_unlock_needed(s, r, f, probs, rec->sealed != NULL)) {
		form_problems_free(probs);
		probs = NULL;
		locked_try = false;
		if ((rc = cli_unlock_form(c, s, f, false)) != CLI_OK ||
		    (rc = cli_record_edit_load(c, s, cat, id, &rec, &f, &old,
		    &values)) != CLI_OK)
			goto out;
		goto again;
	}
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Изменения не сохранены.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r < 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	fprintf(c->out, finalize ? "Запись изменена, она окончательная и "
	    "поставлена в очередь отправки.\n" : "Запись изменена.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	cJSON_Delete(old);
	cJSON_Delete(values);
	store_record_free(rec);
	catalog_free(cat);
	store_close(s);
	return rc;
}

static int
cli_record_finalize_delete(struct cli *c, bool del)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct form_problems *probs = NULL;
	uint8_t id[UUID7_BYTES];
	int r, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "укажите номер записи.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if (!del && (rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if ((r = store_record_resolve(s, c->pos[0], id, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	r = del ? rec_delete(s, id, &c->e) : rec_finalize(s, cat, id, &probs, &c->e);
	if (!del && (rc = cli_unlock_refinalize(c, s, cat, id, &r, &probs)) != CLI_OK)
		goto out;
	if (r == TERR_INVALID && probs) {
		cli_problems(c, probs);
		fprintf(c->err, "Запись осталась черновиком.\n");
		rc = CLI_INVALID;
		goto out;
	}
	if (r < 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (r == 1)
		fprintf(c->out, "Запись уже окончательная.\n");
	else
		fprintf(c->out, del ? "Запись удалена.\n" :
		    "Запись окончательная и поставлена в очередь отправки.\n");
	rc = CLI_OK;
 out:
	form_problems_free(probs);
	catalog_free(cat);
	store_close(s);
	return rc;
}

int
cli_record_finalize(struct cli *c)
{
	return cli_record_finalize_delete(c, false);
}

int
cli_record_delete(struct cli *c)
{
	return cli_record_finalize_delete(c, true);
}
