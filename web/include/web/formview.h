/*
 * formview — a form definition as an HTML form and back (the curators'
 * interface; the hub's dashboard shows records with formview_show). Fields
 * are rendered from the definition: every type, hints, required marks,
 * choices, scales with their «затрудняюсь ответить», relevance, repeat
 * groups with add / remove, the per-dictionary group as a table (the
 * eleven risk factors), `local` fields marked as staying on the device.
 *
 * Input names are the paths form_validate's problems use
 * ("parties[1].full_name"), so a problem is shown next to its field.
 * Names of the form's own controls start with '_' (no field id does):
 * "_n.<group path>" item counts, "_act" the add / remove buttons.
 *
 * With scripting on, web/assets/form.js shows and hides fields as answers
 * change (data-* attributes written here) and adds / removes items in
 * place; with it off every page still works: the buttons post, the server
 * re-renders (formview_act), relevance is judged again on every post.
 */
#ifndef TETRAD_WEB_FORMVIEW_H
#define TETRAD_WEB_FORMVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"
#include "web/html.h"
#include "web/webreq.h"

struct formview_opts {
	/* The form's school field (form_school_field), when it has one: the
	 * device's schools as choices (code, and name when known, may be
	 * NULL); fixed: a school device, shown and never asked. */
	const char *const *school_codes;
	const char *const *school_names;
	size_t n_schools;
	bool school_fixed;
	/* Values the vault keeps hidden (locked store): shown as «скрыто»,
	 * not editable. The interface asks for the passphrase first, so this
	 * is for the hub's dashboard and the read-only views. */
	bool local_hidden;
};

/*
 * The form's fields with values (may be NULL: a new record) into h, inside
 * a <div class="tform"> the caller wraps in its own <form> (which carries
 * the CSRF token and the buttons). typed (may be NULL): text a person typed
 * that did not become a value, path -> string, shown back as typed so
 * nothing is lost. problems (may be NULL) shown next to the fields they
 * name; a problem naming no rendered field is listed at the top.
 */
int formview_render(struct html *h, const struct form *f, const cJSON *values,
    const cJSON *typed, const struct form_problems *problems,
    const struct formview_opts *o, struct terr *e);

/*
 * A posted form back into values of f. stored (may be NULL) gives what the
 * page may not change: readonly fields (the issued risk levels), the
 * per-dictionary group's keys. Text that does not convert (textin_value)
 * stays in *typed under its path with a problem in *problems; values of
 * fields that are not relevant given the posted answers are dropped (the
 * person saw them hidden). Unknown names are ignored; names and counts are
 * bounded by the form (FORM_MAX_REPEAT items). *values always set on 0;
 * *typed and *problems NULL when there is nothing in them.
 */
int formview_read(const struct form *f, const struct webform *post,
    const cJSON *stored, cJSON **values, cJSON **typed,
    struct form_problems **problems, struct terr *e);

/*
 * The add / remove button of a repeat group that was posted (the "_act"
 * value: "add:<group path>" or "del:<item path>", e.g. "add:parties",
 * "del:parties[1]") applied to values. 1 done, 0 no such action (act NULL
 * or ""), TERR_ARG for a bad one (Russian message), TERR_INVALID past the
 * group's max_items / below min_items.
 */
int formview_act(const struct form *f, cJSON *values, const char *act,
    struct terr *e);
/*
 * The same, with the typed text formview_read gave (may be NULL): a removed
 * item's typed text goes with it and the items after it keep theirs, so a
 * page re-rendered after «Удалить запись» shows each text where it was.
 */
int formview_act_typed(const struct form *f, cJSON *values, cJSON *typed,
    const char *act, struct terr *e);

/*
 * A record's values for reading (the review page before finalizing, the
 * record page): labels not codes, dates ДД.ММ.ГГГГ, decimal commas, a
 * group as a table, unanswered fields as «—», fields that do not apply
 * left out.
 */
int formview_show(struct html *h, const struct form *f, const cJSON *values,
    const struct formview_opts *o, struct terr *e);

#endif
