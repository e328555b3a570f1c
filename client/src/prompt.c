/*
 * prompt — interactive entry of a record, one field at a time, in Russian.
 *
 * The walk is deterministic given the answers: going back a question
 * («<», «назад») starts the walk again and keeps, without asking, every
 * question before the one asked again; the summary's «изменить N» walks
 * again asking only question N (and any required one still empty after it,
 * which a changed answer may have made relevant). Questions are numbered
 * by their order in the walk (qno), the «add an item?» questions included,
 * so that the numbers mean the same in every walk of the same answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/prompt.h"
#include "tetrad/textin.h"

#include "prompt_private.h"

struct prompt *
prompt_new(const struct form *f, FILE *in, FILE *out,
    const struct prompt_opts *o, struct terr *e)
{
	struct prompt *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		return NULL;
	}
	p->f = f;
	p->in = in;
	p->out = out;
	p->e = e;
	if (o != NULL)
		p->o = *o;
	p->fix = PROMPT_NONE;
	p->floor = PROMPT_NONE;
	return p;
}

void
prompt_free(struct prompt *p)
{
	if (p == NULL)
		return;
	free(p->shown);
	free(p);
}

static bool
prompt_stopped(const struct prompt *p)
{
	return p->o.stop != NULL && *p->o.stop != 0;
}

/* Reads one line without its end; TERR_ARG on end of input or a stop. */
int
prompt_read(struct prompt *p)
{
	size_t n;

	fflush(p->out);
	if (prompt_stopped(p))
		return terr_set(p->e, TERR_ARG, "Ввод прерван.");
	/* a signal without SA_RESTART makes fgets return NULL (EINTR). One
	 * arriving between the check above and the read is seen at the next
	 * line or the next signal: a window of microseconds, and closing it
	 * (pselect with the signal blocked) would mean reading below stdio */
	if (fgets(p->line, sizeof(p->line), p->in) == NULL)
		return terr_set(p->e, TERR_ARG, prompt_stopped(p) ? "Ввод прерван." :
		    "Ввод закончился.");
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

bool
prompt_word(const char *s, const char *const *words)
{
	s += strspn(s, " \t");
	for (size_t i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

const char *const prompt_yes[] = { "да", "Да", "ДА", "д", "Д", "y",
    "yes", NULL };
const char *const prompt_no[] = { "нет", "Нет", "НЕТ", "н", "Н", "n",
    "no", NULL };
const char *const prompt_back[] = { "<", "назад", "Назад", "НАЗАД",
    NULL };

/*
 * Whether question q is asked in this walk (else its answer is kept as it
 * is). required_empty: a required question without an answer, asked after a
 * corrected one («изменить N») since the correction may have made it apply.
 */
static bool
prompt_asks(struct prompt *p, size_t q, bool required_empty)
{
	if (p->summary)
		return false;
	if (p->o.only != NULL && p->top != p->o.only)
		return false;
	if (p->floor == PROMPT_NONE)
		p->floor = q;
	if (q < p->replay)
		return false;
	if (p->fix != PROMPT_NONE)
		return q == p->fix || (q > p->fix && required_empty);
	return true;
}

/* «назад» at question q: PROMPT_BACK to ask q - 1 again, or 0 at the first. */
static int
prompt_go_back(struct prompt *p, size_t q)
{
	if (q == 0 || q <= p->floor) {
		fprintf(p->out, "Это первый вопрос: назад некуда.\n");
		return 0;
	}
	p->replay = q - 1;
	p->fix = PROMPT_NONE;
	return PROMPT_BACK;
}

/* A yes/no question of the walk (q): «назад» too; Enter takes def (< 0: none). */
static int
prompt_ask_yesno(struct prompt *p, size_t q, const char *question, int def,
    bool *answer)
{
	int r;

	for (;;) {
		fprintf(p->out, "%s (да/нет%s): ", question, def < 0 ? "" : def ?
		    ", Enter — да" : ", Enter — нет");
		if ((r = prompt_read(p)) != 0)
			return r;
		if (p->line[0] == '\0' && def >= 0) {
			*answer = def != 0;
			return 0;
		}
		if (prompt_word(p->line, prompt_yes) || prompt_word(p->line, prompt_no)) {
			*answer = prompt_word(p->line, prompt_yes);
			return 0;
		}
		if (prompt_word(p->line, prompt_back)) {
			if ((r = prompt_go_back(p, q)) != 0)
				return r;
			continue;
		}
		fprintf(p->out, "Ответьте «да» или «нет» (или «<» — назад).\n");
	}
}

int
prompt_yesno(FILE *in, FILE *out, const char *question, bool *answer,
    struct terr *e)
{
	struct prompt *p = prompt_new(NULL, in, out, NULL, e);
	int r;

	if (p == NULL)
		return TERR_NOMEM;
	for (;;) {
		fprintf(out, "%s (да/нет): ", question);
		if ((r = prompt_read(p)) != 0)
			break;
		if (prompt_word(p->line, prompt_yes) || prompt_word(p->line, prompt_no)) {
			*answer = prompt_word(p->line, prompt_yes);
			break;
		}
		fprintf(out, "Ответьте «да» или «нет».\n");
	}
	prompt_free(p);
	return r;
}

int
prompt_choose(FILE *in, FILE *out, const char *question,
    const char *const *items, size_t n, size_t *pick,
    const volatile sig_atomic_t *stop, struct terr *e)
{
	struct prompt_opts o = { .stop = stop };
	struct prompt *p;
	int r;

	if (items == NULL || n == 0 || pick == NULL)
		return terr_set(e, TERR_ARG, "prompt_choose: нет вариантов");
	if ((p = prompt_new(NULL, in, out, &o, e)) == NULL)
		return TERR_NOMEM;
	fprintf(out, "\n%s *\n", question);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %zu) %s\n", i + 1, items[i]);
	for (;;) {
		char *end;
		unsigned long k;

		fprintf(out, "> [номер варианта]: ");
		if ((r = prompt_read(p)) != 0)
			break;
		k = strtoul(p->line, &end, 10);
		if (end != p->line && *end == '\0' && k >= 1 && k <= n) {
			*pick = k - 1;
			break;
		}
		for (k = 0; k < n && strcmp(items[k], p->line) != 0; k++)
			;
		if (k < n) {
			*pick = k;
			break;
		}
		fprintf(out, "Введите номер от 1 до %zu.\n", n);
	}
	prompt_free(p);
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

/*
 * v as a person reads it, into buf (sz bytes): choice labels, да/нет,
 * dates ДД.ММ.ГГГГ (the format the questions ask for), «затрудняюсь
 * ответить», long texts cut (form_value_echo).
 */
static void
prompt_value_text(const struct form_field *fd, const cJSON *v, char *buf,
    size_t sz)
{
	char *t = NULL;
	size_t at = 0;

	buf[0] = '\0';
	if (v == NULL) {
		snprintf(buf, sz, "—");
		return;
	}
	if (cJSON_IsNull(v)) {
		snprintf(buf, sz, "%s", fd->type == FORM_SCALE && fd->no_answer ?
		    (fd->no_answer_label ? fd->no_answer_label :
		    "затрудняюсь ответить") : "—");
		return;
	}
	if (cJSON_IsBool(v)) {
		snprintf(buf, sz, "%s", cJSON_IsTrue(v) ? "да" : "нет");
		return;
	}
	if (cJSON_IsString(v) && fd->type == FORM_CHOICE) {
		const struct form_choice *ch = form_choice_find(fd, v->valuestring);

		form_value_echo(ch ? ch->label : v->valuestring, buf, sz);
		return;
	}
	if (cJSON_IsString(v) && fd->type == FORM_DATE && sz >= 11 &&
	    form_date_ru(v->valuestring, buf))
		return;
	if (cJSON_IsArray(v) && fd->type == FORM_MULTI) {
		const cJSON *m;

		cJSON_ArrayForEach(m, v) {
			const struct form_choice *ch = cJSON_IsString(m) ?
			    form_choice_find(fd, m->valuestring) : NULL;
			const char *l = ch ? ch->label : cJSON_IsString(m) ?
			    m->valuestring : "?";
			int k = snprintf(buf + at, sz - at, "%s%s", at ? ", " : "", l);

			if (k < 0 || (size_t)k >= sz - at)
				break;
			at += (size_t)k;
		}
		return;
	}
	if (cJSON_IsString(v)) {
		form_value_echo(v->valuestring, buf, sz);
		return;
	}
	t = cJSON_PrintUnformatted(v);
	form_value_echo(t ? t : "?", buf, sz);
	cJSON_free(t);
}

static int prompt_fields(struct prompt *p, const struct form_field *fields,
    size_t n, cJSON *obj, size_t depth, const char *skip);

/* Summary line of question q (numbered) or of a field not asked (q = NONE). */
static int
prompt_sum_line(struct prompt *p, size_t q, const struct form_field *fd,
    const cJSON *v, size_t depth, const char *note)
{
	char val[FORM_ECHO_MAX + FORM_LABEL_MAX + 16];

	prompt_value_text(fd, v, val, sizeof(val));
	if (q == PROMPT_NONE) {
		fprintf(p->out, "%*s    %s: %s%s\n", (int)(2 * depth), "", fd->label,
		    val, note ? note : "");
		return 0;
	}
	if (p->n_shown == p->cap_shown) {
		size_t nc = p->cap_shown ? 2 * p->cap_shown : 64;
		size_t *ns = realloc(p->shown, nc * sizeof(*ns));

		if (ns == NULL)
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
		p->shown = ns;
		p->cap_shown = nc;
	}
	p->shown[p->n_shown++] = q;
	fprintf(p->out, "%*s%3zu) %s: %s\n", (int)(2 * depth), "", p->n_shown,
	    fd->label, val);
	return 0;
}

/*
 * Puts v (owned) as obj's member id, where the old one stood (answers keep
 * the form's order); the old one, if any, is copied into *old first.
 */
static int
prompt_swap(struct prompt *p, cJSON *obj, const char *id, cJSON *v, cJSON **old)
{
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, id);

	*old = NULL;
	if (cur != NULL && (*old = cJSON_Duplicate(cur, 1)) == NULL) {
		cJSON_Delete(v);
		return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	if (cur != NULL ? !cJSON_ReplaceItemInObjectCaseSensitive(obj, id, v) :
	    !cJSON_AddItemToObject(obj, id, v)) {
		cJSON_Delete(v);
		return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	return 0;
}

/*
 * The answer now in obj judged with the answers so far (the form's rules,
 * form_answer_check): 0 if it stands, 1 if not (the reason printed).
 */
static int
prompt_rules(struct prompt *p, const struct form_field *fd, size_t depth)
{
	char msg[2 * FORM_LABEL_MAX + 256];
	int r = form_answer_check(p->f, fd, p->scopes, depth + 1, msg, sizeof(msg));

	if (r == 1)
		fprintf(p->out, "Неверно: %s.\n  Введите другой ответ (или «<» — "
		    "назад, «-» — оставить пустым).\n", msg);
	return r == 1;
}

static int
prompt_scalar(struct prompt *p, const struct form_field *fd, cJSON *obj,
    size_t depth)
{
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
	bool required = fd->required ||
	    form_required_if_in(fd, p->scopes, depth + 1);
	bool has = cur != NULL && !cJSON_IsNull(cur);
	size_t q = p->qno++;
	char val[FORM_ECHO_MAX + FORM_LABEL_MAX + 16];
	int r;

	if (p->summary)
		return prompt_sum_line(p, q, fd, cur, depth, NULL);
	/* a scale's null is an answer («затрудняюсь ответить») */
	if (!prompt_asks(p, q, required && !has && !(cur != NULL &&
	    fd->type == FORM_SCALE && fd->no_answer)))
		return 0;
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
	if (has) {
		prompt_value_text(fd, cur, val, sizeof(val));
		fprintf(p->out, "  сейчас: %s (Enter — оставить)\n", val);
	}
	for (;;) {
		cJSON *v = NULL, *old = NULL;
		struct terr fe = { 0 };
		char *text;

		fprintf(p->out, "> [%s%s]: ", prompt_type_hint(fd),
		    required ? "" : ", Enter — пропустить");
		if ((r = prompt_read(p)) != 0)
			return r;
		if (prompt_word(p->line, prompt_back)) {
			if ((r = prompt_go_back(p, q)) != 0)
				return r;
			continue;
		}
		if (p->line[0] == '\0') {
			if (has) {
				/* kept, but still judged: another answer may have moved */
				if (prompt_rules(p, fd, depth))
					continue;
				return 0;
			}
			if (fd->type == FORM_SCALE && fd->no_answer) {
				/* null is the answer «затрудняюсь ответить» */
				if ((v = cJSON_CreateNull()) == NULL ||
				    prompt_swap(p, obj, fd->id, v, &old) != 0)
					return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
				cJSON_Delete(old);
				return 0;
			}
			if (required) {
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
		if ((r = prompt_swap(p, obj, fd->id, v, &old)) != 0) {
			cJSON_Delete(old);
			return r;
		}
		if (prompt_rules(p, fd, depth)) {
			cJSON *refused = NULL;

			/* the answer before it stays until a good one is given */
			if (old == NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			else if ((r = prompt_swap(p, obj, fd->id, old, &refused)) != 0)
				return r;
			cJSON_Delete(refused);
			cur = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
			continue;
		}
		cJSON_Delete(old);
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

/* Whether group headers are printed now (not while answers are kept). */
static bool
prompt_loud(const struct prompt *p)
{
	if (p->summary)
		return true;
	return (p->o.only == NULL || p->top == p->o.only) && p->qno >= p->replay &&
	    p->fix == PROMPT_NONE;
}

/* The items of a per-dictionary group: one per entry, none asked for. */
static int
prompt_dict_items(struct prompt *p, const struct form_field *fd, cJSON *arr,
    size_t depth)
{
	const struct form_dictionary *d = form_dictionary_find(p->f,
	    fd->per_dictionary);
	int r;

	if (d == NULL)
		return terr_set(p->e, TERR_FORM, "Справочник «%s» не найден.",
		    fd->per_dictionary);
	for (size_t i = 0; i < d->n_entries; i++) {
		cJSON *item = prompt_item_by_key(arr, fd->item_key, d->entries[i].code);

		if (item == NULL &&
		    ((item = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, item) ||
		    !cJSON_AddStringToObject(item, fd->item_key, d->entries[i].code)))
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	/* every item exists now: read-only values from outside (the issued
	 * profile's levels) can be put in, to be shown beside each item */
	if (p->o.fill_readonly != NULL && (r = p->o.fill_readonly(p->o.fill_ctx, p->f,
	    p->root, p->e)) != 0)
		return r;
	for (size_t i = 0; i < d->n_entries; i++) {
		cJSON *item = prompt_item_by_key(arr, fd->item_key, d->entries[i].code);

		if (item == NULL)
			return terr_set(p->e, TERR_INTERNAL, "Элемент «%s» пропал.",
			    d->entries[i].code);
		if (prompt_loud(p))
			fprintf(p->out, "\n%*s-- %s %zu из %zu: %s (%s) --\n",
			    (int)(2 * depth), "", fd->label, i + 1, d->n_entries,
			    d->entries[i].label, d->entries[i].code);
		p->scopes[depth + 1] = item;
		if ((r = prompt_fields(p, fd->children, fd->n_children, item,
		    depth + 1, fd->item_key)) != 0)
			return r;
	}
	return 0;
}

/* Item k of a repeat group: its children (item already in arr). */
static int
prompt_item(struct prompt *p, const struct form_field *fd, cJSON *item,
    size_t k, size_t depth)
{
	if (prompt_loud(p))
		fprintf(p->out, "\n%*s-- %s, элемент %zu --\n", (int)(2 * depth), "",
		    fd->label, k + 1);
	p->scopes[depth + 1] = item;
	return prompt_fields(p, fd->children, fd->n_children, item, depth + 1, NULL);
}

static int
prompt_group(struct prompt *p, const struct form_field *fd, cJSON *obj,
    size_t depth)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
	size_t max = fd->max_items ? fd->max_items : FORM_MAX_REPEAT;
	char q[FORM_LABEL_MAX + 64];
	size_t k;
	int r = 0;

	if (depth + 1 >= sizeof(p->scopes) / sizeof(p->scopes[0]))
		return terr_set(p->e, TERR_DEPTH, "Слишком глубокая вложенность групп.");
	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
		if ((arr = cJSON_AddArrayToObject(obj, fd->id)) == NULL)
			return terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	if (prompt_loud(p)) {
		fprintf(p->out, "\n%*s== %s ==\n", (int)(2 * depth), "", fd->label);
		if (fd->hint && !p->summary)
			fprintf(p->out, "  %s\n", fd->hint);
	}
	if (fd->per_dictionary && fd->item_key) {
		r = prompt_dict_items(p, fd, arr, depth);
		goto out;
	}
	/* the items there are: each past the minimum was an «add?» question */
	for (k = 0; k < (size_t)cJSON_GetArraySize(arr); k++) {
		if (k >= fd->min_items) {
			size_t qn = p->qno++;
			bool keep = true;

			if (prompt_asks(p, qn, false)) {
				snprintf(q, sizeof(q), "Добавить элемент %zu в «%s»?", k + 1,
				    fd->label);
				if ((r = prompt_ask_yesno(p, qn, q, 1, &keep)) != 0)
					goto out;
			}
			if (!keep) {
				/* «нет» to an item there is: it and those after it go */
				while ((size_t)cJSON_GetArraySize(arr) > k)
					cJSON_DeleteItemFromArray(arr, (int)k);
				goto out;
			}
		}
		if ((r = prompt_item(p, fd, cJSON_GetArrayItem(arr, (int)k), k,
		    depth)) != 0)
			goto out;
	}
	for (; k < max; k++) {
		cJSON *item;
		bool made = false;

		if (k >= fd->min_items) {
			size_t qn = p->qno++;
			bool yes = false;

			if (prompt_asks(p, qn, false)) {
				snprintf(q, sizeof(q), "Добавить элемент %zu в «%s»?", k + 1,
				    fd->label);
				if ((r = prompt_ask_yesno(p, qn, q, -1, &yes)) != 0)
					goto out;
			}
			if (!yes)
				break;
		} else
			made = p->summary;   /* shown, not kept: see below */
		if ((item = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, item)) {
			cJSON_Delete(item);
			r = terr_set(p->e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		if ((r = prompt_item(p, fd, item, k, depth)) != 0)
			goto out;
		/* the summary numbers the questions of the items every walk
		 * makes, but changes nothing */
		if (made && item->child == NULL)
			cJSON_DeleteItemFromArray(arr, (int)k);
	}
 out:
	if (cJSON_GetArraySize(arr) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
	return r;
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
		const cJSON *v;

		if (skip && strcmp(fd->id, skip) == 0)
			continue;
		p->scopes[depth] = obj;
		v = cJSON_GetObjectItemCaseSensitive(obj, fd->id);
		if (!form_relevant_in(fd, p->scopes, depth + 1)) {
			/* an answer to a question that no longer applies is dropped,
			 * and the person is told */
			if (v != NULL && !p->summary)
				fprintf(p->out, "(Ответ «%s» убран: вопрос больше не "
				    "задаётся.)\n", fd->label);
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			continue;
		}
		if (fd->readonly || fd == p->o.preset) {
			if (v && !cJSON_IsNull(v) && prompt_loud(p))
				prompt_sum_line(p, PROMPT_NONE, fd, v, depth,
				    fd->readonly ? " (из профиля)" : NULL);
			continue;
		}
		r = fd->type == FORM_GROUP ? prompt_group(p, fd, obj, depth) :
		    prompt_scalar(p, fd, obj, depth);
		if (r != 0)
			return r;
	}
	return 0;
}

/* One walk over the whole form, started again after every «назад». */
int
prompt_run(struct prompt *p, cJSON *values)
{
	int r;

	for (;;) {
		p->qno = 0;
		p->n_shown = 0;
		r = 0;
		for (size_t i = 0; i < form_n_fields(p->f) && r == 0; i++) {
			p->top = form_field_at(p->f, i);
			p->scopes[0] = values;
			p->root = values;
			r = prompt_fields(p, p->top, 1, values, 0, NULL);
		}
		if (r != PROMPT_BACK)
			return r;
	}
}

int
prompt_walk(const struct form *f, cJSON *values, FILE *in, FILE *out,
    const struct prompt_opts *o, struct terr *e)
{
	struct prompt *p = prompt_new(f, in, out, o, e);
	int r;

	if (p == NULL)
		return TERR_NOMEM;
	fprintf(out, "Отвечайте на вопросы по одному; * — обязательное поле. "
	    "Для вариантов вводите номер.\n"
	    "«<» или «назад» — к предыдущему вопросу; Ctrl+C — прервать "
	    "(ответы сохранятся черновиком).\n");
	r = prompt_run(p, values);
	prompt_free(p);
	return r;
}

int
prompt_fill(const struct form *f, cJSON *values, FILE *in, FILE *out,
    struct terr *e)
{
	return prompt_walk(f, values, in, out, NULL, e);
}

