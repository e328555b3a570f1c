/*
 * form_value — message helpers shared by form validation (private to the
 * protocol library; form_value_check and form_value_echo are in form.h).
 */
#ifndef TETRAD_FORM_VALUE_H
#define TETRAD_FORM_VALUE_H

#include <stddef.h>

#include "tetrad/form.h"

/* Russian plural: 1 ошибка, 2 ошибки, 5 ошибок, 21 ошибка, 11 ошибок. */
const char *form_value_plural(size_t n, const char *one, const char *few, const char *many);
/* x as a message writes it: an integer without a point, '.' whatever LC_NUMERIC. */
void form_value_num(double x, char *buf, size_t sz);

/* Whether condition c holds for its field's value val (NULL: absent):
 * equal to one of its values, or for a multiple choice containing one. */
int form_cond_holds(const struct form_cond *c, const cJSON *val);

#endif
