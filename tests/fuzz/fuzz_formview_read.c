/*
 * fuzz_formview_read — hostile bytes as a posted form (`tetrad ui`'s /fill):
 * the first byte picks a built-in form, the rest is the urlencoded body.
 * Whatever the parser accepts is read into values (with the realistic
 * record as the stored one, for its read-only levels), the posted "_act"
 * applied, and the result drawn again and shown for reading, as the
 * server would: nothing may crash, leak or break the contracts (values on
 * success, problems with paths and messages, typed text as strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/formfile.h"
#include "web/formview.h"
#include "web/html.h"
#include "web/webreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FORMS_DIR TETRAD_SOURCE_DIR "/forms"
#define DATA_DIR TETRAD_SOURCE_DIR "/tests/data/forms"

static const char *const ids[] = { "risk_visit", "mediation_case",
    "social_passport", "survey_director", "survey_teacher", "survey_student",
    "survey_parent" };
#define N_IDS (sizeof(ids) / sizeof(ids[0]))

/* Loaded once: the definitions do not change between inputs. */
static struct form *forms[N_IDS];
static cJSON *goods[N_IDS];

static void
fuzz_load(void)
{
	for (size_t i = 0; i < N_IDS; i++) {
		char path[1024];
		uint8_t *buf = NULL;
		size_t n = 0;
		struct terr e;

		snprintf(path, sizeof(path), FORMS_DIR "/%s.json", ids[i]);
		if (formfile_load(path, FORMS_DIR "/dict", &forms[i], &e) != 0) {
			fprintf(stderr, "%s: %s\n", path, e.msg);
			abort();
		}
		snprintf(path, sizeof(path), DATA_DIR "/%s.good.json", ids[i]);
		if (fileio_read_all(path, FORM_MAX_BYTES, &buf, &n, NULL) == 0)
			goods[i] = cJSON_ParseWithLength((const char *)buf, n);
		free(buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webform *w = NULL;
	cJSON *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	struct html *h = NULL;
	struct terr e;
	const struct form *f;
	char *page;
	int r;

	if (forms[0] == NULL)
		fuzz_load();
	if (size < 1)
		return 0;
	f = forms[data[0] % N_IDS];
	if (webreq_urlencoded((const char *)data + 1, size - 1, &w, &e) != 0)
		return 0;
	r = formview_read(f, w, (data[0] / N_IDS) & 1 ? goods[data[0] % N_IDS] : NULL,
	    &v, &t, &pr, &e);
	if ((r == 0) != (v != NULL) || (r != 0 && (t != NULL || pr != NULL)))
		abort();
	if (r != 0)
		goto out;
	for (size_t i = 0; pr && i < pr->n; i++)
		if (pr->items[i].path == NULL || pr->items[i].message == NULL ||
		    pr->items[i].message[0] == '\0')
			abort();
	for (const cJSON *x = t ? t->child : NULL; x; x = x->next)
		if (!cJSON_IsString(x))
			abort();
	r = formview_act_typed(f, v, t, webform_get(w, "_act"), &e);
	if (r < 0 && e.msg[0] == '\0')
		abort();
	if ((h = html_new(1u << 22)) == NULL)
		goto out;
	if (formview_render(h, f, v, t, pr, NULL, &e) == 0 &&
	    (page = html_take(h, NULL, &e)) != NULL)
		free(page);
	html_free(h);
	if ((h = html_new(1u << 22)) == NULL)
		goto out;
	if (formview_show(h, f, v, NULL, &e) == 0 &&
	    (page = html_take(h, NULL, &e)) != NULL)
		free(page);
 out:
	html_free(h);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	webform_free(w);
	return 0;
}
