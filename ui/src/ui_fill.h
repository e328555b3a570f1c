/*
 * ui_fill — what the pages that fill a record share (ui_fill.c: /new and
 * /fill; ui_fill_review.c: /review; ui_fill_view.c: these helpers): a
 * stored record opened for a page, the fill page itself, the school a new
 * record is of, the way to the passphrase page.
 *
 * Names of this page's own controls start with '_' like formview's:
 * "_do" the button pressed (draft / review / save), "_hlc" the record's
 * version the page was made from (a change meanwhile — a sync, another
 * tab — is said instead of being overwritten unseen).
 */
#ifndef TETRAD_UI_FILL_H
#define TETRAD_UI_FILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/localdb.h"
#include "tetrad/school.h"
#include "tetrad/uuid7.h"

#include "ui_private.h"

#define UI_FILL_DO "_do"
#define UI_FILL_HLC "_hlc"
/* a path with its query (ids and codes only): /fill?form=…&school=… */
#define UI_FILL_URL_MAX 512

/* A stored record opened for a page. */
struct ui_fill_rec {
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1];
	struct localdb_record *rec;  /* vault open when its form needs it */
	const struct form *f;        /* the version it was made with */
	cJSON *values;               /* its values (all of them) */
};

/*
 * Opens the record ?id= names for a page. false: the reply is made already
 * (*reply: not found, unknown form version, damaged hidden values, or a
 * redirect to /unlock when its form has `local` fields and the vault is
 * closed); true: fr is set (ui_fill_rec_close it).
 */
bool ui_fill_rec_open(struct ui_req *rq, struct ui_fill_rec *fr, int *reply);
void ui_fill_rec_close(struct ui_fill_rec *fr);

/* A redirect to the passphrase page, back to next (a path of this server
 * with ids and codes only) after. */
int ui_fill_unlock(struct ui_req *rq, const char *next);
/* Whether the vault must be opened before f's records are shown or
 * written: f has `local` fields and a passphrase is set and not given. */
bool ui_fill_needs_unlock(struct ui_req *rq, const struct form *f);

/*
 * The school of a new record of f on this device, as rec_school_fill and
 * the CLI's pick decide it: asked (the query's school, one of the device's)
 * on a curator's device with several; its only school; a school device's
 * own. 1: a curator's device with several schools and none asked yet (the
 * page asks); 2: a curator's device not enrolled yet (it has no schools:
 * ui_fill_not_enrolled says so); 0: code set ("" when a school device has
 * none: the form's checks say so); negative: e set (not one of the
 * device's schools).
 */
int ui_fill_school(struct ui_req *rq, const char *asked,
    char code[SCHOOL_CODE_MAX + 1], struct terr *e);
/* The page for a curator's device not enrolled yet (409). */
int ui_fill_not_enrolled(struct ui_req *rq);

/* The fill page. */
struct ui_fill_page {
	const struct form *f;
	const char *action;             /* where the form posts */
	const uint8_t *id;              /* a stored record, or NULL (new) */
	const char *status;             /* "draft", "final"; NULL: new */
	const char *school;             /* the record's school code ("" unknown) */
	const cJSON *values;            /* may be NULL */
	const cJSON *typed;             /* may be NULL */
	const struct form_problems *problems;   /* may be NULL */
	const char *notice;             /* a line above the form, or NULL */
	int http_status;                /* 0: 200 */
};
int ui_fill_page(struct ui_req *rq, const struct ui_fill_page *p);

/* Appends copies of b's problems to *a (created when NULL); also a single
 * one (path may be NULL: not of a field). 0 or TERR_NOMEM. */
int ui_fill_problems_merge(struct form_problems **a, const struct form_problems *b);
int ui_fill_problem_add(struct form_problems **a, const char *path,
    const char *message);

/* "/path?name=value" with value query-escaped (ids, form ids, codes). */
bool ui_fill_url(char *out, size_t cap, const char *path, const char *name,
    const char *value);

/* A flash notice then 303 to /record?id=. */
int ui_fill_to_record(struct ui_req *rq, const char *idtext);

#endif
