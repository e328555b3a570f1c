/*
 * report_labels — labels from the built-in forms, and the reports' own
 * label tables (see report_labels.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/formfile.h"

#include "report_labels.h"

const struct report_label report_labels_status[] = {
	{ "unfavourable", "неблагоприятный" },
	{ "neutral", "нейтральный" },
	{ "favourable", "благоприятный" },
	{ NULL, NULL },
};

const struct report_label report_labels_level[] = {
	{ "high", "высокий" }, { "medium", "средний" }, { "low", "низкий" },
	{ NULL, NULL },
};

const struct report_label report_labels_cluster[] = {
	{ "resilient", "резильентные" },
	{ "risk_zone", "зона риска" },
	{ "crisis", "кризисная ситуация" },
	{ "none", "вне кластеров" },
	{ NULL, NULL },
};

/*
 * A survey's respondents, named for a column «Группа»: the forms' titles
 * («Анкета директора») name the questionnaire, not who answered it.
 */
const struct report_label report_labels_group[] = {
	{ "survey_director", "директор" },
	{ "survey_teacher", "учитель" },
	{ "survey_student", "обучающийся" },
	{ "survey_parent", "родитель" },
	{ NULL, NULL },
};

/* A form definition read for labels; f NULL when it could not be read. */
struct report_labels_form {
	char id[REPORT_LABELS_CODE_MAX + 1];
	struct form *f;
};

struct report_labels {
	char *forms_dir;                  /* NULL: codes only */
	struct report_labels_form forms[REPORT_LABELS_MAX_FORMS];
	size_t nforms;
};

const char *
report_labels_of(const struct report_label *t, const char *code)
{
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return code;
}

bool
report_labels_code_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; *s; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || *s == '_') || n >= REPORT_LABELS_CODE_MAX)
			return false;
	return n > 0;
}

struct report_labels *
report_labels_new(const char *forms_dir)
{
	struct report_labels *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if (forms_dir != NULL && (l->forms_dir = strdup(forms_dir)) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
report_labels_free(struct report_labels *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nforms; i++)
		form_free(l->forms[i].f);
	free(l->forms_dir);
	free(l);
}

const struct form *
report_labels_form(struct report_labels *l, const char *id)
{
	char path[4096], dicts[4096];
	struct form *f = NULL;
	size_t i;

	/* the id names a file: only a code, never a path */
	if (l == NULL || l->forms_dir == NULL || !report_labels_code_ok(id))
		return NULL;
	for (i = 0; i < l->nforms; i++)
		if (strcmp(l->forms[i].id, id) == 0)
			return l->forms[i].f;
	if (l->nforms >= REPORT_LABELS_MAX_FORMS)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.json", l->forms_dir, id);
	snprintf(dicts, sizeof(dicts), "%s/dict", l->forms_dir);
	if (formfile_load(path, dicts, &f, NULL) != 0)
		f = NULL;
	snprintf(l->forms[l->nforms].id, sizeof(l->forms[0].id), "%s", id);
	l->forms[l->nforms++].f = f;
	return f;
}

const char *
report_labels_field(struct report_labels *l, const char *form_id, const char *path)
{
	const struct form *f = report_labels_form(l, form_id);
	const struct form_field *ff = f ? form_field_find_path(f, path) : NULL;

	return ff && ff->label ? ff->label : path;
}

const char *
report_labels_choice(struct report_labels *l, const char *form_id, const char *path,
    const char *code)
{
	const struct form *f = report_labels_form(l, form_id);
	const struct form_field *ff = f ? form_field_find_path(f, path) : NULL;
	const struct form_choice *ch = ff ? form_choice_find(ff, code) : NULL;
	const struct form_dictionary *d;

	if (ch && ch->label)
		return ch->label;
	if (ff && ff->dictionary && (d = form_dictionary_find(f, ff->dictionary)) != NULL)
		for (size_t i = 0; i < d->n_entries; i++)
			if (strcmp(d->entries[i].code, code) == 0 && d->entries[i].label)
				return d->entries[i].label;
	return code;
}
