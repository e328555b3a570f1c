/* school — the school-code rule and comma lists of codes (school.h). */
#include <string.h>

#include "tetrad/school.h"

bool
school_code_ok(const char *code)
{
	size_t n = 0;

	if (code == NULL)
		return false;
	for (; code[n] != '\0'; n++) {
		char c = code[n];

		if (n >= SCHOOL_CODE_MAX || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return false;
	}
	return n > 0;
}

/* Length of the item at p (up to the comma or the end), spaces trimmed:
 * *start gets where it begins. */
static size_t
school_item(const char *p, const char **start)
{
	const char *end = strchr(p, ',');

	if (end == NULL)
		end = p + strlen(p);
	while (p < end && *p == ' ')
		p++;
	*start = p;
	while (end > p && end[-1] == ' ')
		end--;
	return (size_t)(end - p);
}

bool
school_list_next(const char **cursor, char code[SCHOOL_CODE_MAX + 1])
{
	const char *p = *cursor, *start, *comma;
	size_t n;

	if (p == NULL || *p == '\0')
		return false;
	n = school_item(p, &start);
	comma = strchr(p, ',');
	*cursor = comma ? comma + 1 : p + strlen(p);
	if (n > SCHOOL_CODE_MAX)
		n = SCHOOL_CODE_MAX;
	memcpy(code, start, n);
	code[n] = '\0';
	return true;
}

bool
school_list_has(const char *list, const char *code)
{
	const char *p = list, *start;
	size_t want = strlen(code);

	while (p != NULL && *p != '\0') {
		size_t n = school_item(p, &start);
		const char *comma = strchr(p, ',');

		if (n == want && memcmp(start, code, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

int
school_list_normalize(const char *list, char *out, size_t cap, struct terr *e)
{
	const char *p = list, *start;
	size_t used = 0;

	if (cap == 0)
		return terr_set(e, TERR_ARG, "нет места для списка школ");
	out[0] = '\0';
	if (list == NULL || (school_item(list, &start) == 0 && strchr(list, ',') == NULL))
		return terr_set(e, TERR_ARG, "список школ пуст");
	while (p != NULL) {
		size_t n = school_item(p, &start);
		const char *comma = strchr(p, ',');
		char code[SCHOOL_CODE_MAX + 1];

		if (n == 0)
			return terr_set(e, TERR_ARG, "в списке школ «%.64s» пустой код: "
			    "коды разделяются одной запятой", list);
		if (n > SCHOOL_CODE_MAX)
			return terr_set(e, TERR_ARG, "код школы «%.40s…» длиннее %d символов",
			    start, SCHOOL_CODE_MAX);
		memcpy(code, start, n);
		code[n] = '\0';
		if (!school_code_ok(code))
			return terr_set(e, TERR_ARG, "код школы «%s» недопустим: латинские буквы, "
			    "цифры, «-» и «_», не длиннее %d", code, SCHOOL_CODE_MAX);
		if (school_list_has(out, code))
			return terr_set(e, TERR_ARG, "код школы «%s» указан в списке дважды", code);
		if (used + (used > 0) + n + 1 > cap)
			return terr_set(e, TERR_TOO_LARGE, "список школ длиннее %zu байт", cap - 1);
		if (used > 0)
			out[used++] = ',';
		memcpy(out + used, code, n);
		used += n;
		out[used] = '\0';
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}
