/*
 * formview_int — what formview.c (the form as HTML), formview_read.c (the
 * post back into values, the add / remove buttons) and formview_show.c (a
 * record for reading) share: paths of fields as the forms engine names
 * them, and values written the way people read them.
 */
#ifndef TETRAD_WEB_FORMVIEW_INT_H
#define TETRAD_WEB_FORMVIEW_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "web/formview.h"

/*
 * A field's path: ids joined by '.', an item's index in brackets
 * ("parties[1].age"). Ids are at most FORM_ID_MAX bytes, groups nest at
 * most FORM_MAX_DEPTH deep: 4 levels of id, '[', 4 digits, "]." fit.
 */
#define FV_PATH_MAX 512
/* The placeholder of an item's index in a group's <template>: form.js puts
 * the new item's number there. */
#define FV_TPL_INDEX "*"
/* The value of a scale's «затрудняюсь ответить» choice. */
#define FV_NO_ANSWER "_na"
/* The count of a repeat group's items: "_n.<group path>". */
#define FV_COUNT_PREFIX "_n."

/* parent "" or "a[1]" + id -> "id" or "a[1].id"; false when it does not fit. */
bool fv_path_child(char *out, const char *parent, const char *id);
/* parent "a" + k -> "a[k]"; tpl writes FV_TPL_INDEX instead of k. */
bool fv_path_item(char *out, const char *parent, size_t k, bool tpl);

/* The per-dictionary group's dictionary, or NULL (not such a group). */
const struct form_dictionary *fv_dict_of(const struct form *f,
    const struct form_field *g);
/* The item of arr whose member key is code, and its index; NULL if none. */
const cJSON *fv_item_by_key(const cJSON *arr, const char *key,
    const char *code, size_t *idx);

/* A number the Russian way, locale-independent: "12", "3,5". */
void fv_number(double x, bool integral, char *out, size_t cap);
/* A choice's label by code (the code itself when the form has no such). */
const char *fv_choice_label(const struct form_field *fd, const char *code);

/* ---------- rendering (formview.c, formview_control.c) ---------- */

#define FV_RADIO_MAX 7        /* more choices than this: a <select> */
#define FV_SCALE_RADIO_MAX 11 /* a longer scale: a <select> */
#define FV_TEXTAREA_FROM 300  /* a longer text gets a <textarea> */
#define FV_SCOPES (FORM_MAX_DEPTH + 2)

struct fv {
	struct html *h;
	const struct form *f;
	const cJSON *typed;
	const struct form_problems *pr;
	const struct formview_opts *o;
	/* scopes[0] the record, scopes[d] the item at depth d (as
	 * form_relevant_in wants them); name[d] its path in input names,
	 * ppath[d] its path in the problems (they differ only for a
	 * per-dictionary group whose items are not in dictionary order) */
	const cJSON *scopes[FV_SCOPES];
	char name[FV_SCOPES][FV_PATH_MAX];
	char ppath[FV_SCOPES][FV_PATH_MAX];
	bool tpl;                      /* inside a <template>: no values */
	cJSON *empty;                  /* {}: the scope of a template's item */
	struct terr *e;
	int err;
};


/* The text typed at path (formview_read's typed), or NULL. */
const cJSON *fv_typed(const struct fv *v, const char *path);
/* How many problems name ppath. */
size_t fv_problem_count(const struct fv *v, const char *ppath);
/*
 * The control(s) of field fd (not a group) named name; ppath its path in
 * the problems, obj the object holding its value; cell: inside the
 * per-dictionary table (compact, labelled by aria instead of a label).
 */
void fv_control(struct fv *v, const struct form_field *fd, const char *name,
    const char *ppath, const cJSON *obj, bool cell, const char *aria);
/* Whether the field's controls are a set (radios, boxes): a fieldset. */
bool fv_is_set(const struct fv *v, const struct form_field *fd);

#endif
