/*
 * report_labels — the Russian labels reports print beside codes. Labels of
 * what the forms define (risk factors, curators' decisions, mediation
 * sources, situation kinds, conflict types, programmes, passport
 * categories, survey questions and answers) come from the built-in forms
 * and their dictionaries in report_opts.forms_dir; without a forms dir (or
 * a form that does not load) a report prints codes. Labels of what only the
 * reports define (social status, results level, cluster, survey group) are
 * the tables below.
 */
#ifndef TETRAD_HUB_REPORT_LABELS_H
#define TETRAD_HUB_REPORT_LABELS_H

#include <stdbool.h>

#include "tetrad/form.h"

#define REPORT_LABELS_CODE_MAX 48   /* a choice code, field or form id we print */
#define REPORT_LABELS_MAX_FORMS 16  /* form definitions read by one report */

struct report_label {
	const char *code, *label;
};

/* Tables of the reports' own codes, ended by { NULL, NULL }. */
extern const struct report_label report_labels_status[];   /* passport, identification */
extern const struct report_label report_labels_level[];    /* identification */
extern const struct report_label report_labels_cluster[];  /* identification */
extern const struct report_label report_labels_group[];    /* surveys */

/* Label of code in table t, or the code itself when t does not know it. */
const char *report_labels_of(const struct report_label *t, const char *code);

/*
 * Whether s is a code fit to print or to name a form file: 1 …
 * REPORT_LABELS_CODE_MAX of [A-Za-z0-9_]. The one check of form ids, field
 * ids and choice codes in the reports; a school code is school_code_ok's
 * (tetrad/school.h).
 */
bool report_labels_code_ok(const char *s);

struct report_labels;

/* Labels read from forms_dir (NULL: codes only); NULL on no memory. */
struct report_labels *report_labels_new(const char *forms_dir);
void report_labels_free(struct report_labels *l);

/*
 * The built-in definition of form_id, read once, or NULL (no forms dir, not
 * there, does not parse): a report never fails for want of labels.
 */
const struct form *report_labels_form(struct report_labels *l, const char *form_id);
/* The label of field path ("factors.decision") of form_id, or path itself. */
const char *report_labels_field(struct report_labels *l, const char *form_id,
    const char *path);
/*
 * The label of choice code of that field, from its choices or its
 * dictionary ("risk_factors"), or code itself.
 */
const char *report_labels_choice(struct report_labels *l, const char *form_id,
    const char *path, const char *code);

#endif
