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

#endif
