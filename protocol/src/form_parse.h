/*
 * form_parse — what the form definition reader's files share (private to
 * the protocol library): the form itself, the parsing state, and the
 * reader's small helpers. form_parse.c reads documents and bundles,
 * form_field.c fields, form_dict.c dictionaries, form_link.c the rules
 * that point from one field to another; form.c owns and frees the result.
 */
#ifndef TETRAD_FORM_PARSE_H
#define TETRAD_FORM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/form.h"

struct form {
	char *id;
	uint32_t version;
	char *title;
	char *description;
	size_t n_fields;
	struct form_field *fields;
	size_t n_dicts;
	struct form_dictionary *dicts;
	size_t total_fields;
	uint16_t *field_order;      /* fields sorted by id (form_index_build) */
	const struct form_field *school_field; /* "school_field", or NULL */
	struct form_unique unique;  /* n_fields 0: none (form_unique.c) */
	unsigned share;             /* FORM_SHARE_* of "share" */
};

/* Parsing state: where we are, for messages, and what we have counted. */
struct fp {
	struct form *f;
	struct terr *e;
	const cJSON *embedded;      /* "dictionaries" of the definition, or NULL */
	const cJSON *bundled;       /* "dictionaries" of a bundle, or NULL */
	const struct form_dict_source *source; /* dictionaries not embedded, or NULL */
	char where[256];            /* "поле «parties.age»" */
};

#define FORM_NUM_LIMIT 1e15       /* bounds and condition numbers */
#define FORM_VERSION_MAX 2147483647.0

/* form.c: freeing parts of a form */
void form_choices_free(struct form_choice *c, size_t n);
void form_field_clear(struct form_field *fl);
void form_dictionary_clear(struct form_dictionary *d);

/*
 * form.c: the sorted positions every lookup by id or code uses (validation
 * matches each member of each record, each choice and dictionary code):
 * built once when a form or dictionary is read; 0 or TERR_NOMEM.
 */
int form_index_build(struct form *f);
int form_index_dictionary(struct form_dictionary *d);
/*
 * strcmp's order, inline: ids and codes are a few bytes, and a call to the
 * library's strcmp (built for long strings) cost more than the comparing.
 */
static inline int
form_strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

/* Position of the field with this id in fs (n of them, ord as built), or n. */
size_t form_index_field(const struct form_field *fs, const uint16_t *ord,
    size_t n, const char *id);
/* Position of the choice with this code in c (n of them, hash as built), or n. */
size_t form_index_choice(const struct form_choice *c, const uint16_t *hash,
    size_t n, const char *code);

/* form_parse.c: the reader's helpers */
int form_parse_code_ok(const char *s);
/* A TERR_FORM message naming the form and p->where; fmt has up to two %s. */
int form_parse_fail(struct fp *p, const char *fmt, const char *a, const char *b);
/* Every key of obj must be one of allowed (NULL-terminated) and appear once. */
int form_parse_keys(struct fp *p, const cJSON *obj, const char *const *allowed,
    const char *what);
/* A string member: NULL when absent, error when of another type or too long. */
int form_parse_str(struct fp *p, const cJSON *obj, const char *key, size_t max,
    int required, char **out);
int form_parse_bool(struct fp *p, const cJSON *obj, const char *key, bool *out);
/* A number member; integral when integral is set. *has tells if present. */
int form_parse_num(struct fp *p, const cJSON *obj, const char *key, int integral,
    double lo, double hi, bool *has, double *out);
/* Bounded parse of a whole JSON document (size, UTF-8, nothing after it). */
int form_parse_json(const char *json, size_t len, const char *what, cJSON **out,
    struct terr *e);

/* form_dict.c */
int form_dict_choices(struct fp *p, const cJSON *arr, size_t max,
    const char *what, struct form_choice **outp, size_t *np);
/* The dictionary name used by the form, loaded once (embedded, bundled or from the source). */
int form_dict_need(struct fp *p, const char *name, struct form_dictionary **outp);

/* form_field.c: the list of fields arr at depth (members of parent, or NULL) */
int form_field_list(struct fp *p, const cJSON *arr, unsigned depth,
    const struct form_field *parent, struct form_field **outp, size_t *np);

/* form_unique.c: the definition's "unique" rule, after its fields are read */
int form_unique_parse(struct fp *p, const cJSON *doc);

/* form_link.c: every rule of fs (depth, the lists of the levels above) resolved */
int form_link_fields(struct fp *p, struct form_field *fs, size_t n, unsigned depth,
    struct form_field **lists, size_t *ns);

#endif
