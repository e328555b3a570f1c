/*
 * prompt — interactive entry of a record, one field at a time, in Russian.
 */
#include <stdlib.h>
#include <string.h>

#include "client/prompt.h"
#include "client/textin.h"

struct prompt {
	const struct form *f;
	FILE *in, *out;
	struct terr *e;
	char line[PROMPT_LINE_MAX];
	const cJSON *scopes[FORM_MAX_DEPTH + 2];
};

/* Reads one line without its end; TERR_ARG on end of input. */
static int
prompt_read(struct prompt *p)
{
	size_t n;

	fflush(p->out);
	if (fgets(p->line, sizeof(p->line), p->in) == NULL)
		return terr_set(p->e, TERR_ARG, "Ввод закончился.");
	n = strlen(p->line);
	if (n > 0 && p->line[n - 1] != '\n' && !feof(p->in)) {
		int ch;

		while ((ch = fgetc(p->in)) != EOF && ch != '\n')
			;
		fprintf(p->out, "Слишком длинный ответ (больше %d байт), он обрезан.\n",
		    PROMPT_LINE_MAX - 1);
	}
	while (n > 0 && (p->line[n - 1] == '\n' || p->line[n - 1] == '\r' ||
	    p->line[n - 1] == ' ' || p->line[n - 1] == '\t'))
		p->line[--n] = '\0';
	return 0;
}

int
prompt_yesno(FILE *in, FILE *out, const char *question, bool *answer,
    struct terr *e)
{
	struct prompt *p = calloc(1, sizeof(*p));
	int r;

	if (p == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	p->in = in;
	p->out = out;
	p->e = e;
	for (;;) {
		const char *s;

		fprintf(out, "%s (да/нет): ", question);
		if ((r = prompt_read(p)) != 0)
			break;
		s = p->line + strspn(p->line, " \t");
		if (strcmp(s, "да") == 0 || strcmp(s, "Да") == 0 || strcmp(s, "ДА") == 0 ||
		    strcmp(s, "д") == 0 || strcmp(s, "y") == 0 || strcmp(s, "yes") == 0) {
			*answer = true;
			r = 0;
			break;
		}
		if (strcmp(s, "нет") == 0 || strcmp(s, "Нет") == 0 || strcmp(s, "НЕТ") == 0 ||
		    strcmp(s, "н") == 0 || strcmp(s, "n") == 0 || strcmp(s, "no") == 0) {
			*answer = false;
			r = 0;
			break;
		}
		fprintf(out, "Ответьте «да» или «нет».\n");
	}
	free(p);
	return r;
}

static const char *
prompt_type_hint(const struct form_field *fd)
{
	switch (fd->type) {
	case FORM_TEXT: return "текст";
	case FORM_INTEGER: return "целое число";
	case FORM_DECIMAL: return "число";
	case FORM_DATE: return "дата ДД.ММ.ГГГГ";
	case FORM_BOOLEAN: return "да/нет";
	case FORM_CHOICE: return "номер варианта";
	case FORM_MULTI: return "номера вариантов через запятую";
	case FORM_SCALE: return "оценка";
	default: return "";
	}
}

/* "2,3" -> "code2,code3" for choices entered by number; else a copy. */
static char *
prompt_numbers_to_codes(const struct form_field *fd, const char *text)
{
	char *out, *w;
	size_t cap = 1;
	const char *p = text;

	if (fd->type != FORM_CHOICE && fd->type != FORM_MULTI)
		return strdup(text);
	for (const char *q = text; *q; q++)
		if (!((*q >= '0' && *q <= '9') || *q == ',' || *q == ' '))
			return strdup(text);
	for (size_t i = 0; i < fd->n_choices; i++)
		cap += strlen(fd->choices[i].code) + 1;
	cap += strlen(text);
	if ((out = w = calloc(1, cap + 1)) == NULL)
		return NULL;
	while (*p) {
		char *end;
		unsigned long k;

		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		k = strtoul(p, &end, 10);
		if (end == p || k == 0 || k > fd->n_choices) {
			free(out);
			return strdup(text);  /* let the converter explain */
		}
		if (w != out)
			*w++ = ',';
		strcpy(w, fd->choices[k - 1].code);
		w += strlen(w);
		p = end;
	}
	return out;
}

static void
prompt_show_current(struct prompt *p, const struct form_field *fd, const cJSON *v)
{
	char *t;

	if (v == NULL || cJSON_IsNull(v))
		return;
	if (cJSON_IsString(v) && fd->type == FORM_CHOICE) {
		const struct form_choice *ch = form_choice_find(fd, v->valuestring);

		fprintf(p->out, "  сейчас: %s (Enter — оставить)\n",
		    ch ? ch->label : v->valuestring);
		return;
	}
	if (cJSON_IsBool(v)) {
		fprintf(p->out, "  сейчас: %s (Enter — оставить)\n",
		    cJSON_IsTrue(v) ? "да" : "нет");
		return;
	}
	t = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
	fprintf(p->out, "  сейчас: %s (Enter — оставить)\n", t ? t : "?");
	free(t);
}

static int prompt_fields(struct prompt *p, const struct form_field *fields,
    size_t n, cJSON *obj, size_t depth, const char *skip);

static int
prompt_scalar(struct prompt *p, const struct form_field *fd, cJSON *obj,
    size_t depth)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
	bool required = fd->required ||
	    form_required_if_in(fd, p->scopes, depth + 1);
	int r;

	fprintf(p->out, "\n%s%s", fd->label, required ? " *" : "");
	if (fd->sync == FORM_SYNC_LOCAL)
		fprintf(p->out, " (остаётся только на этом устройстве)");
	fprintf(p->out, "\n");
	if (fd->hint)
		fprintf(p->out, "  %s\n", fd->hint);
	if (fd->type == FORM_CHOICE || fd->type == FORM_MULTI)
		for (size_t i = 0; i < fd->n_choices; i++)
			fprintf(p->out, "  %zu) %s\n", i + 1, fd->choices[i].label);
	if (fd->type == FORM_SCALE && fd->has_min && fd->has_max)
		fprintf(p->out, "  от %.0f до %.0f%s%s\n", fd->min, fd->max,
		    fd->no_answer ? "; Enter — " : "",
		    fd->no_answer ? (fd->no_answer_label ? fd->no_answer_label :
		    "затрудняюсь ответить") : "");
	prompt_show_current(p, fd, cur);
	for (;;) {
		cJSON *v = NULL;
		struct terr fe = { 0 };
		char *text;

		fprintf(p->out, "> [%s%s]: ", prompt_type_hint(fd),
		    required ? "" : ", Enter — пропустить");
		if ((r = prompt_read(p)) != 0)
			return r;
		if (p->line[0] == '\0') {
			if (cur != NULL && !cJSON_IsNull(cur))
				return 0;
			if (fd->type == FORM_SCALE && fd->no_answer) {
				/* null is the answer «затрудняюсь ответить» */
				cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
				if (!cJSON_AddNullToObject(obj, fd->id))
					return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
				return 0;
			}
			if (required && !(fd->type == FORM_SCALE && fd->no_answer)) {
				fprintf(p->out, "Это поле обязательное: введите значение "
				    "(или «-», чтобы пока пропустить: тогда запись можно "
				    "сохранить как черновик).\n");
				continue;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			return 0;
		}
		if (strcmp(p->line, "-") == 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			return 0;
		}
		if ((text = prompt_numbers_to_codes(fd, p->line)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
		r = textin_value(fd, text, &v, &fe);
		free(text);
		if (r != 0) {
			fprintf(p->out, "Неверно: %s\n  Попробуйте ещё раз.\n", fe.msg);
			continue;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
		if (!cJSON_AddItemToObject(obj, fd->id, v)) {
			cJSON_Delete(v);
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
		}
		return 0;
	}
}

/* The item of arr whose member key equals code, or NULL. */
static cJSON *
prompt_item_by_key(cJSON *arr, const char *key, const char *code)
{
	cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, key);

		if (cJSON_IsString(k) && strcmp(k->valuestring, code) == 0)
			return it;
	}
	return NULL;
}

static int
prompt_group(struct prompt *p, const struct form_field *fd, cJSON *obj,
    size_t depth)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
	size_t max = fd->max_items ? fd->max_items : FORM_MAX_REPEAT;
	int r;

	if (depth + 1 >= sizeof(p->scopes) / sizeof(p->scopes[0]))
		return terr_set(p->e, TERR_DEPTH, "Слишком глубокая вложенность групп.");
	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
		if ((arr = cJSON_AddArrayToObject(obj, fd->id)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	fprintf(p->out, "\n== %s ==\n", fd->label);
	if (fd->hint)
		fprintf(p->out, "  %s\n", fd->hint);
	if (fd->per_dictionary && fd->item_key) {
		const struct form_dictionary *d =
		    form_dictionary_find(p->f, fd->per_dictionary);

		if (d == NULL)
			return terr_set(p->e, TERR_FORM, "Справочник «%s» не найден.",
			    fd->per_dictionary);
		for (size_t i = 0; i < d->n_entries; i++) {
			cJSON *item = prompt_item_by_key(arr, fd->item_key,
			    d->entries[i].code);

			if (item == NULL) {
				if ((item = cJSON_CreateObject()) == NULL ||
				    !cJSON_AddItemToArray(arr, item) ||
				    !cJSON_AddStringToObject(item, fd->item_key,
				    d->entries[i].code))
					return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
			}
			fprintf(p->out, "\n-- %s %zu из %zu: %s (%s) --\n", fd->label,
			    i + 1, d->n_entries, d->entries[i].label, d->entries[i].code);
			p->scopes[depth + 1] = item;
			if ((r = prompt_fields(p, fd->children, fd->n_children, item,
			    depth + 1, fd->item_key)) != 0)
				return r;
		}
		return 0;
	}
	for (size_t k = 0; k < (size_t)cJSON_GetArraySize(arr); k++) {
		cJSON *item = cJSON_GetArrayItem(arr, (int)k);

		fprintf(p->out, "\n-- %s, элемент %zu --\n", fd->label, k + 1);
		p->scopes[depth + 1] = item;
		if ((r = prompt_fields(p, fd->children, fd->n_children, item, depth + 1,
		    NULL)) != 0)
			return r;
	}
	for (size_t k = (size_t)cJSON_GetArraySize(arr); k < max; k++) {
		cJSON *item;

		if (k >= fd->min_items) {
			char q[FORM_LABEL_MAX + 64];
			bool yes = false;

			snprintf(q, sizeof(q), "Добавить элемент %zu в «%s»?", k + 1,
			    fd->label);
			if ((r = prompt_yesno(p->in, p->out, q, &yes, p->e)) != 0)
				return r;
			if (!yes)
				break;
		}
		if ((item = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
		}
		fprintf(p->out, "\n-- %s, элемент %zu --\n", fd->label, k + 1);
		p->scopes[depth + 1] = item;
		if ((r = prompt_fields(p, fd->children, fd->n_children, item, depth + 1,
		    NULL)) != 0)
			return r;
	}
	if (cJSON_GetArraySize(arr) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
	return 0;
}

/* skip: the member naming the dictionary entry of a per-dictionary item,
 * set by the program, not asked. */
static int
prompt_fields(struct prompt *p, const struct form_field *fields, size_t n,
    cJSON *obj, size_t depth, const char *skip)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];

		if (skip && strcmp(fd->id, skip) == 0)
			continue;

		p->scopes[depth] = obj;
		if (!form_relevant_in(fd, p->scopes, depth + 1)) {
			/* an answer to a question that no longer applies is dropped */
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			continue;
		}
		if (fd->readonly) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);

			if (v && !cJSON_IsNull(v)) {
				char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
				const struct form_choice *ch = cJSON_IsString(v) ?
				    form_choice_find(fd, v->valuestring) : NULL;

				fprintf(p->out, "%s: %s (из профиля)\n", fd->label,
				    ch ? ch->label : cJSON_IsString(v) ? v->valuestring :
				    t ? t : "?");
				free(t);
			}
			continue;
		}
		r = fd->type == FORM_GROUP ? prompt_group(p, fd, obj, depth) :
		    prompt_scalar(p, fd, obj, depth);
		if (r != 0)
			return r;
	}
	return 0;
}

int
prompt_fill(const struct form *f, cJSON *values, FILE *in, FILE *out,
    struct terr *e)
{
	struct prompt *p = calloc(1, sizeof(*p));
	int r;

	if (p == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	p->f = f;
	p->in = in;
	p->out = out;
	p->e = e;
	fprintf(out, "Отвечайте на вопросы по одному; * — обязательное поле.\n"
	    "Для вариантов вводите номер. Ctrl+D — прервать без сохранения.\n");
	for (size_t i = 0; i < form_n_fields(f); i++) {
		const struct form_field *fd = form_field_at(f, i);

		p->scopes[0] = values;
		r = prompt_fields(p, fd, 1, values, 0, NULL);
		if (r != 0)
			goto out;
	}
	r = 0;
 out:
	free(p);
	return r;
}
