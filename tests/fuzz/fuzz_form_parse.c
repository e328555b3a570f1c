/*
 * fuzz_form_parse — hostile bytes as a form definition and as a form
 * bundle (the hub publishes them, a device loads them). Whatever is refused must leave *out NULL with
 * a message; whatever is accepted must survive being used: every accessor,
 * validation of a few records in every mode, stripping local fields and
 * converting text for every field.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "tetrad/textin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_walk(const struct form_field *fs, size_t n)
{
	static const char *const texts[] = { "", "1", "3,5", "да", "10.03.2021",
	    "2021-03-10", "a, b", "затрудняюсь ответить", "\xd0" };
	struct terr e;

	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		char *d;

		for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
			cJSON *v = NULL;
			int r = textin_value(fl, texts[k], &v, &e);

			if ((r == 0) != (v != NULL))
				abort();
			cJSON_Delete(v);
		}
		if ((d = form_cond_describe(&fl->relevant)) != NULL)
			free(d);
		if ((d = form_cond_describe(&fl->required_if)) != NULL)
			free(d);
		fuzz_walk(fl->children, fl->n_children);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const records[] = {
		"{}",
		"{\"a\":1,\"b\":\"x\",\"c\":[{\"d\":true}],\"e\":null}",
		"{\"school\":\"170103\",\"g\":[{},{\"x\":[\"y\"]},3]}",
	};
	struct form *f = NULL;
	struct terr e;
	int r;

	/* the same bytes as a bundle: refused cleanly or a usable form */
	terr_clear(&e);
	r = form_bundle_parse((const char *)data, size, &f, &e);
	if ((r != 0) != (f == NULL) || (r != 0 && e.msg[0] == '\0'))
		abort();
	if (f != NULL)
		fuzz_walk(form_field_at(f, 0), form_n_fields(f));
	form_free(f);
	f = NULL;

	terr_clear(&e);
	r = form_parse((const char *)data, size, NULL, &f, &e);
	if (r != 0) {
		if (f != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (f == NULL || form_id(f) == NULL || form_version(f) < 1)
		abort();
	/* records built from the form's own field ids reach deeper code */
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]) + 1; i++) {
		cJSON *v;

		if (i < sizeof(records) / sizeof(records[0]))
			v = cJSON_Parse(records[i]);
		else {
			v = cJSON_CreateObject();
			for (size_t k = 0; v != NULL && k < form_n_fields(f); k++)
				cJSON_AddNumberToObject(v, form_field_at(f, k)->id,
				    (double)k);
		}
		for (int m = FORM_DRAFT; m <= FORM_HUB; m++) {
			struct form_problems *p = NULL;

			r = form_validate(f, v, (enum form_mode)m, &p, &e);
			if ((r == 0 && p != NULL) || (r == TERR_INVALID && p == NULL))
				abort();
			form_problems_free(p);
		}
		cJSON_Delete(form_strip_local(f, v));
		cJSON_Delete(v);
	}
	fuzz_walk(form_field_at(f, 0), form_n_fields(f));
	/* an accepted "unique" rule names the form's own top-level fields */
	if (form_unique(f) != NULL) {
		const struct form_unique *u = form_unique(f);

		if (u->n_fields < 1 || u->n_fields > FORM_UNIQUE_MAX_FIELDS ||
		    (u->year_of != NULL && u->year_of->type != FORM_DATE))
			abort();
		for (size_t i = 0; i < u->n_fields; i++)
			if (form_find(f, u->fields[i]->id) != u->fields[i])
				abort();
	}
	for (size_t i = 0; i < form_n_dictionaries(f); i++)
		if (form_dictionary_at(f, i)->n_entries == 0)
			abort();
	form_free(f);
	return 0;
}
