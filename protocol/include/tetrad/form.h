/*
 * form — form definitions (JSON, docs/forms.md) and validation of records.
 *
 * Forms are data: the client, syncd and hub share this code so a record is
 * judged by the same rules on a curator's laptop and at the hub. Record values
 * are a cJSON object keyed by field id:
 *   text, date ("YYYY-MM-DD"), single choice (code)  -> string
 *   integer, scale                                   -> number (integral)
 *   decimal                                          -> number
 *   boolean                                          -> true / false
 *   multiple choice                                  -> array of codes
 *   group (repeat group)                             -> array of objects
 * An absent member or null is "no answer" (a scale's «затрудняюсь ответить").
 *
 * A definition is outside input (the hub publishes new ones): parsing is
 * bounded by FORM_MAX_* and refuses anything it does not understand.
 */
#ifndef TETRAD_FORM_H
#define TETRAD_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "terr.h"

#define FORM_MAX_BYTES (1u << 20)   /* one definition file */
#define FORM_MAX_FIELDS 512         /* in a form, counting group members */
#define FORM_MAX_CHOICES 256
#define FORM_MAX_DEPTH 3            /* groups inside groups */
#define FORM_MAX_REPEAT 1000        /* items in one repeat group */
#define FORM_ID_MAX 64
#define FORM_LABEL_MAX 512

enum form_type {
	FORM_TEXT = 1,
	FORM_INTEGER,
	FORM_DECIMAL,
	FORM_DATE,
	FORM_BOOLEAN,
	FORM_CHOICE,
	FORM_MULTI,
	FORM_SCALE,
	FORM_GROUP,
};

enum form_sync { FORM_SYNC_HUB = 0, FORM_SYNC_LOCAL = 1 };

struct form_choice {
	char *code;
	char *label;
};

/* Read-only description of one field; owned by its struct form. */
struct form_field {
	char *id;
	char *label;                 /* Russian, shown to users */
	char *hint;                  /* may be NULL */
	enum form_type type;
	bool required;
	bool readonly;               /* imported, not entered (profile levels) */
	enum form_sync sync;
	bool has_min, has_max;
	double min, max;             /* value bounds; for text: length bounds */
	size_t max_length;           /* text: characters (0 = FORM default) */
	size_t n_choices;
	struct form_choice *choices; /* choice, multi */
	size_t min_items, max_items; /* group */
	char *per_dictionary;        /* group: one item per dictionary entry */
	char *item_key;              /* group with per_dictionary: member holding the code */
	size_t n_children;
	struct form_field *children; /* group members */
};

struct form;

/*
 * Parses a definition. dicts_dir is where dictionaries named by the form
 * ("dictionary": "risk_factors") are read from as NAME.json; NULL means the
 * definition must embed them. *out is NULL on failure.
 */
int form_parse(const char *json, size_t len, const char *dicts_dir,
    struct form **out, struct terr *e);
int form_load_file(const char *path, const char *dicts_dir, struct form **out,
    struct terr *e);
void form_free(struct form *f);

const char *form_id(const struct form *f);
uint32_t form_version(const struct form *f);
const char *form_title(const struct form *f);
size_t form_n_fields(const struct form *f);
const struct form_field *form_field_at(const struct form *f, size_t i);
/* Top-level field by id, or NULL. */
const struct form_field *form_find(const struct form *f, const char *id);

/* One problem found by validation; path names the field ("parties[2].age"). */
struct form_problem {
	char *path;
	char *message;   /* Russian, starts with the field's label */
};

struct form_problems {
	size_t n;
	struct form_problem *items;
};
void form_problems_free(struct form_problems *p);

enum form_mode { FORM_DRAFT = 0, FORM_FINAL = 1 };

/*
 * Validates values against f and collects every problem at once (types,
 * required, bounds, choices, cross-field rules, relevance, repeat counts,
 * unknown fields). A draft skips "required" checks only. Returns 0 if valid,
 * TERR_INVALID with *out set if not, another code on error.
 */
int form_validate(const struct form *f, const cJSON *values,
    enum form_mode mode, struct form_problems **out, struct terr *e);

/* Whether field is relevant (its "relevant" condition holds) given values
 * of the enclosing object. */
bool form_relevant(const struct form *f, const struct form_field *field,
    const cJSON *scope);

/*
 * Converts text a person typed (CLI --set, a prompt, a CSV cell) into the
 * field's value: "да"/"нет", dates as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, a choice by
 * code or by label, multiple choices separated by ','. TERR_INVALID with a
 * Russian message naming the field if it cannot.
 */
int form_value_from_text(const struct form_field *field, const char *text,
    cJSON **out, struct terr *e);

/* A new object with only the fields whose sync is "hub" (recursing into
 * groups): what may leave the device. NULL on no memory. */
cJSON *form_strip_local(const struct form *f, const cJSON *values);

#endif
