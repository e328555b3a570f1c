/*
 * prompt_review — the summary after an entry: every answer numbered with its
 * label, what the final checks still miss, and the choice to save, keep a
 * draft, correct answer N or leave.
 */
#include <stdlib.h>
#include <string.h>

#include "prompt_private.h"

/* The numbered summary and the final checks' problems; *final_ok, *draft_ok. */
static int
prompt_summary(struct prompt *p, cJSON *values, bool *final_ok, bool *draft_ok)
{
	struct form_problems *probs = NULL;
	int r;

	fprintf(p->out, "\n==== Проверьте ответы ====\n");
	p->summary = true;
	r = prompt_run(p, values);
	p->summary = false;
	if (r != 0)
		return r;
	r = form_validate(p->f, values, FORM_FINAL, &probs, p->e);
	if (r != 0 && r != TERR_INVALID)
		return r;
	*final_ok = r == 0;
	if (probs != NULL) {
		fprintf(p->out, "\nЗапись ещё не готова:\n");
		for (size_t i = 0; i < probs->n; i++)
			fprintf(p->out, "  - %s\n", probs->items[i].message);
	}
	form_problems_free(probs);
	probs = NULL;
	*draft_ok = false;
	if (!p->o.no_draft) {
		/* never offer a draft that could not be saved */
		r = form_validate(p->f, values, FORM_DRAFT, &probs, p->e);
		form_problems_free(probs);
		if (r != 0 && r != TERR_INVALID)
			return r;
		*draft_ok = r == 0;
	}
	return 0;
}

int
prompt_review(const struct form *f, cJSON *values, FILE *in, FILE *out,
    const struct prompt_opts *o, enum prompt_end *end, struct terr *e)
{
	struct prompt *p = prompt_new(f, in, out, o, e);
	static const char *const save[] = { "да", "Да", "ДА", "д", "сохранить",
	    NULL };
	static const char *const draft[] = { "черновик", "Черновик", "ч", NULL };
	int r;

	if (p == NULL)
		return TERR_NOMEM;
	p->o.only = NULL;
	for (;;) {
		bool final_ok = false, draft_ok = false, yes = false;
		const char *s;
		unsigned long n;
		char *end_num;

		if ((r = prompt_summary(p, values, &final_ok, &draft_ok)) != 0)
			goto out;
		fprintf(out, "\n%s%s«изменить N» — исправить ответ N; «нет» — выйти "
		    "без сохранения.\n> ", final_ok ? "Сохранить? «да» — сохранить; " :
		    "", draft_ok ? "«черновик» — сохранить черновиком, чтобы "
		    "дополнить позже; " : "");
		if ((r = prompt_read(p)) != 0)
			goto out;
		s = p->line + strspn(p->line, " \t");
		if (prompt_word(s, save) && final_ok) {
			*end = PROMPT_END_FINAL;
			goto out;
		}
		if (prompt_word(s, save) || prompt_word(s, draft)) {
			if (draft_ok) {
				*end = PROMPT_END_DRAFT;
				goto out;
			}
			fprintf(out, "%s\n", final_ok ? "Эту запись нельзя сохранить "
			    "черновиком: ответьте «да»." : "Запись ещё не готова: "
			    "исправьте ответы («изменить N»).");
			continue;
		}
		if (prompt_word(s, prompt_no)) {
			if ((r = prompt_yesno(in, out, "Выйти без сохранения? Все ответы "
			    "будут потеряны", &yes, e)) != 0)
				goto out;
			if (yes) {
				*end = PROMPT_END_DISCARD;
				goto out;
			}
			continue;
		}
		if (strncmp(s, "изменить", strlen("изменить")) == 0)
			s += strlen("изменить");
		s += strspn(s, " \t");
		n = strtoul(s, &end_num, 10);
		if (end_num == s || *end_num != '\0' || n < 1 || n > p->n_shown) {
			fprintf(out, "Не понятно: ответьте %s«изменить N» (N от 1 до %zu) "
			    "или «нет».\n", final_ok ? "«да», " : draft_ok ?
			    "«черновик», " : "", p->n_shown);
			continue;
		}
		/* ask answer n again, and what it makes required */
		p->fix = p->shown[n - 1];
		p->replay = 0;
		r = prompt_run(p, values);
		p->fix = PROMPT_NONE;
		p->replay = 0;
		if (r != 0)
			goto out;
	}
 out:
	prompt_free(p);
	return r;
}
