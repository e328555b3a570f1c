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

#include "tetrad/terr.h"

/*
 * How people write a date, named the same in every prompt and message
 * (records store "YYYY-MM-DD"; the client reads both).
 */
#define FORM_DATE_FORMAT_RU "ДД.ММ.ГГГГ"

#define FORM_MAX_BYTES (1u << 20)   /* one definition file */
#define FORM_MAX_FIELDS 512         /* in a form, counting group members */
#define FORM_MAX_CHOICES 256
#define FORM_MAX_DEPTH 3            /* groups inside groups */
#define FORM_MAX_REPEAT 1000        /* items in one repeat group */
#define FORM_ID_MAX 64
#define FORM_LABEL_MAX 512         /* labels, titles, choice labels (bytes) */
#define FORM_HINT_MAX 2048          /* hints and descriptions (bytes) */
#define FORM_TEXT_MAX 100000        /* largest max_length a text field may declare */
#define FORM_TEXT_DEFAULT_MAX 2000  /* text max_length when none is given (characters) */
#define FORM_MAX_DICTS 16           /* dictionaries one form may use */
#define FORM_MAX_DICT_ENTRIES 1000  /* entries in one dictionary */
#define FORM_MAX_COND_VALUES 64     /* values in one "in" condition */
#define FORM_MAX_PROBLEMS 200       /* problems reported by one validation */
#define FORM_FORMAT 1               /* the definition format ("format" key) */

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

struct form_field;

/*
 * A condition on another field ("relevant", "required_if"): holds when that
 * field's value equals one of values (a multiple choice: contains one).
 * field == NULL means no condition. target/depth are resolved when the form
 * is parsed: the field tested and the nesting level of the object holding it
 * (0 = the record, 1 = an item of a top-level group, ...); a reference is
 * looked up among the siblings first, then outwards.
 */
struct form_cond {
	char *field;
	cJSON *values;                     /* array of scalars (string/number/bool) */
	const struct form_field *target;
	unsigned depth;
};

/* A reference to another field ("max_field", "min_field"). */
struct form_ref {
	char *field;                       /* NULL = none */
	const struct form_field *target;
	unsigned depth;
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
	double min, max;             /* integer, decimal, scale bounds; date: days
	                              * since 1970-01-01 (form_date_days) */
	size_t max_length;           /* text: characters (FORM_TEXT_DEFAULT_MAX if not given) */
	size_t n_choices;
	struct form_choice *choices; /* choice, multi */
	size_t min_items, max_items; /* group */
	char *per_dictionary;        /* group: one item per dictionary entry */
	char *item_key;              /* group with per_dictionary: member holding the code */
	size_t n_children;
	struct form_field *children; /* group members */
	/* Added with the rules engine (docs/forms.md). */
	size_t min_length;           /* text: characters (0 = none) */
	bool no_answer;              /* scale: null («затрудняюсь ответить») answers it */
	char *no_answer_label;       /* scale with no_answer; never NULL then */
	char *dictionary;            /* choice/multi: choices taken from this dictionary */
	struct form_cond relevant;   /* shown/filled only when this holds */
	struct form_cond required_if;/* required when this holds */
	struct form_ref max_field;   /* value may not exceed that field's */
	struct form_ref min_field;   /* value may not be below that field's */
	unsigned depth;              /* 0 = top level, 1 = member of a top-level group, ... */
	const struct form_field *parent; /* enclosing group or NULL */
	char *mask;                  /* text: fixed shape, '9' = a digit ("9999/9999") */
	/* Built by the reader for lookups (form_index_build): a hash table of
	 * the choices' codes and the children's positions sorted by id
	 * (strcmp order), or NULL (a field not made by the reader: lookups
	 * then scan). */
	uint16_t *choice_hash;
	uint16_t *child_order;
};

/* A dictionary (risk factors, ...): a versioned list of code + label. */
struct form_dictionary {
	char *name;
	char *title;
	uint32_t version;
	size_t n_entries;
	struct form_choice *entries;
	uint16_t *entry_hash;        /* codes' hash table, or NULL (as above) */
};

struct form;

/*
 * Where the dictionaries a form names ("dictionary": "risk_factors") but does
 * not embed come from (fileio's formfile reads them from a folder): load
 * gives dictionary name's JSON text in *json (malloc'd; the parser frees it)
 * and *len, and may write a label for messages (its path) into what
 * (what_cap bytes); it returns 0 or a TERR_* code with e set.
 */
struct form_dict_source {
	int (*load)(void *ctx, const char *name, char **json, size_t *len,
	    char *what, size_t what_cap, struct terr *e);
	void *ctx;
};

/*
 * Parses a definition. dicts gives the dictionaries it names but does not
 * embed; NULL means the definition must embed them. *out is NULL on failure.
 */
int form_parse(const char *json, size_t len, const struct form_dict_source *dicts,
    struct form **out, struct terr *e);
void form_free(struct form *f);

/*
 * Parses a form bundle as the hub publishes it (SIGBLOB_FORM_BUNDLE payload):
 * {"form": <definition>, "dictionaries": {"<name>": <dictionary>, ...}}.
 * The form's dictionaries come from the bundle (or are embedded in the
 * definition); every dictionary in the bundle must be valid and used.
 * Lets a device check a bundle completely before installing it.
 */
int form_bundle_parse(const char *json, size_t len, struct form **out,
    struct terr *e);

/*
 * Whether s is a valid form or field id: 1 … FORM_ID_MAX bytes of
 * [a-z0-9_], starting with a letter. The one rule: the form reader checks
 * definitions by it, the change-set reader every form id and field name a
 * device sends.
 */
bool form_ident_ok(const char *s);
const char *form_id(const struct form *f);
uint32_t form_version(const struct form *f);
const char *form_title(const struct form *f);
size_t form_n_fields(const struct form *f);
const struct form_field *form_field_at(const struct form *f, size_t i);
/* Top-level field by id, or NULL. */
const struct form_field *form_find(const struct form *f, const char *id);
const char *form_description(const struct form *f);   /* may be NULL */
/*
 * The field the definition names in "school_field": its value is the
 * record's school (a curator's laptop records in many schools). NULL when
 * the form has none: the record belongs to the device's own school.
 */
const struct form_field *form_school_field(const struct form *f);

/*
 * The form's "share" rule (docs/forms.md): which devices the hub sends its
 * records back to. FORM_SHARE_SCHOOL: the devices of the record's school;
 * FORM_SHARE_CURATORS: the devices of curators whose schools include it.
 * 0 (the default): none. The hub applies the rule of the newest version of
 * a form it knows to all the form's records, so narrowing it in a new
 * version stops older records too.
 */
#define FORM_SHARE_SCHOOL   0x1u
#define FORM_SHARE_CURATORS 0x2u
unsigned form_share(const struct form *f);

/*
 * The form-level "unique" rule (docs/forms.md): no two live final records
 * of the form at one school have equal values of fields (compared as JSON
 * values; a record missing one of them is never a repeat) and, when
 * year_of is set, dates in the same calendar year. NULL when the form has
 * no such rule.
 */
#define FORM_UNIQUE_MAX_FIELDS 4
struct form_unique {
	size_t n_fields;
	const struct form_field *fields[FORM_UNIQUE_MAX_FIELDS];
	const struct form_field *year_of;   /* a date field, or NULL */
};
const struct form_unique *form_unique(const struct form *f);

/*
 * Field by path: "parties.age" or "parties[2].age" (indices are ignored: all
 * items share one description). NULL if there is no such field.
 */
const struct form_field *form_field_find_path(const struct form *f,
    const char *path);
/* Member of a group by id, or NULL. */
const struct form_field *form_field_child(const struct form_field *group,
    const char *id);
/* The choice with this code, or NULL. */
const struct form_choice *form_choice_find(const struct form_field *field,
    const char *code);

/* Dictionaries the form uses (embedded or read from dicts_dir). */
size_t form_n_dictionaries(const struct form *f);
const struct form_dictionary *form_dictionary_at(const struct form *f,
    size_t i);
const struct form_dictionary *form_dictionary_find(const struct form *f,
    const char *name);

/*
 * Parses a dictionary file's JSON ({"name","version","title","entries":
 * [{"code","label"}]}) on its own, e.g. to check one before installing it.
 */
int form_dictionary_parse(const char *json, size_t len,
    struct form_dictionary **out, struct terr *e);
void form_dictionary_free(struct form_dictionary *d);

/*
 * Russian description of a condition for prompts and messages, e.g.
 * "«Решение куратора» — «не подтверждён» или «требует уточнения»".
 * Returns a malloc'd string (caller frees) or NULL on no memory / no condition.
 */
char *form_cond_describe(const struct form_cond *c);

/* Days since 1970-01-01 of a "YYYY-MM-DD" calendar date (years 1900-2999);
 * -1 if s is not one. */
int form_date_days(const char *s, long *days);
/* "YYYY-MM-DD" of a day number; out has room for 11 bytes. */
void form_date_format(long days, char out[11]);
/*
 * A stored date as people write it (FORM_DATE_FORMAT_RU): "2026-02-15" ->
 * "15.02.2026" into out. false, and out "", when s is not YYYY-MM-DD in
 * shape (digits and dashes; the calendar is not checked).
 */
bool form_date_ru(const char *s, char out[11]);


/* Characters in UTF-8 text of len bytes, or (size_t)-1 if not valid UTF-8. */
size_t form_utf8_chars(const char *s, size_t len);

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

/*
 * FORM_DRAFT: what storing needs (types, bounds, lengths, choices, unknown
 * fields, repeat counts over the maximum); not "required" (nor per-dictionary
 * completeness), nor the rules between fields (min_field / max_field, an
 * answer to a question that does not apply): a draft must always be
 * savable, so that answers are never lost; finalizing judges the rest.
 * FORM_FINAL: every check.
 * FORM_HUB: how the hub checks a put: a field with sync "local" present is a
 * problem (smuggled), required checks skip local fields, the rest as FINAL.
 */
enum form_mode { FORM_DRAFT = 0, FORM_FINAL = 1, FORM_HUB = 2 };

/*
 * Validates values against f and collects every problem at once (types,
 * required, bounds, choices, cross-field rules, relevance, repeat counts,
 * unknown fields). A draft skips what FORM_DRAFT says. Returns 0 if valid
 * (*out NULL), TERR_INVALID with *out set if not (at most FORM_MAX_PROBLEMS),
 * another code on error. Unknown fields are always problems.
 */
int form_validate(const struct form *f, const cJSON *values,
    enum form_mode mode, struct form_problems **out, struct terr *e);

/* Whether field is relevant (its "relevant" condition holds) given values
 * of the enclosing object. A condition on a field of an outer level cannot be
 * judged from scope alone: true then (use form_relevant_in). */
bool form_relevant(const struct form *f, const struct form_field *field,
    const cJSON *scope);
/*
 * The same with the whole chain of enclosing objects: scopes[0] is the
 * record, scopes[k] the item at depth k; n = field->depth + 1. Needed when
 * the condition tests a field of an outer level.
 */
bool form_relevant_in(const struct form_field *field,
    const cJSON *const *scopes, size_t n);
/* Whether field->required_if holds (false when it has none). */
bool form_required_if_in(const struct form_field *field,
    const cJSON *const *scopes, size_t n);

/*
 * One answer against the answers given so far, for entry one question at a
 * time: field's own value (form_value_check), its min_field / max_field, and
 * those of the fields that compare themselves with it (in its object or in
 * the items below it), each as form_validate judges them. scopes[0] is the
 * record, scopes[k] the item at depth k; n = field->depth + 1. 0 if no rule
 * is broken, 1 with msg (sz bytes: "<label>: <rule>", the label of the field
 * whose rule it is) if one is, TERR_ARG on bad arguments.
 */
int form_answer_check(const struct form *f, const struct form_field *field,
    const cJSON *const *scopes, size_t n, char *msg, size_t sz);

/* Bytes of a typed value echoed back in a message. */
#define FORM_ECHO_MAX 60

/*
 * Checks one non-null value of a non-group field by itself: type, bounds,
 * length, mask, choices. 0 if fine, 1 with msg (sz bytes) filled, without
 * the field's label, if not. (textin.h turns typed text into
 * such values; rules involving other fields are form_validate's.) Like
 * every message of form_validate, it names the rule and never the value:
 * the hub sends these to devices and keeps them (docs/hub-api.md).
 */
int form_value_check(const struct form_field *field, const cJSON *val, char *msg,
    size_t sz);
/* Copies a value typed by someone into a message: at most FORM_ECHO_MAX
 * bytes and "…", valid UTF-8; buf has sz bytes (FORM_ECHO_MAX + 8 is enough). */
void form_value_echo(const char *s, char *buf, size_t sz);

/* A new object with only the fields whose sync is "hub" (recursing into
 * groups): what may leave the device. NULL on no memory. */
cJSON *form_strip_local(const struct form *f, const cJSON *values);

/* Whether f has a field with sync "local" (at any depth). */
bool form_has_local(const struct form *f);
/* Whether fl is a `local` field or a group with one anywhere inside. */
bool form_field_has_local(const struct form_field *fl);

/*
 * Splits a record's values (client/vault.h seals the local part at rest):
 * *hub = values without the local fields, keeping every member f does not
 * know (unlike form_strip_local: what is stored, not what is sent); *local
 * = only the local fields, groups mirrored by position: every item of a
 * group with a local field inside yields an object in local, possibly
 * empty, so positions line up (a group without one is not in local);
 * {} when the record has no local value (null is none: it is dropped).
 * Returns 1 when local holds a value, 0 when it is {} (nothing to seal),
 * TERR_NOMEM / TERR_ARG (both NULL then).
 */
int form_split_local(const struct form *f, const cJSON *values, cJSON **hub,
    cJSON **local);
/*
 * Group items and their hidden values. Every item of a mirror array (the
 * local part of a group, form_split_local) carries FORM_FP_KEY: a short
 * fingerprint of the item's hub part (its members without the local fields,
 * at every depth) when it was split, so the graft can find its item again
 * after another device removed, replaced or reordered the group's items.
 * It never reaches data: the graft drops it.
 */
#define FORM_FP_KEY "#h"
#define FORM_FP_LEN 16          /* hex digits */
/* The fingerprint of item as it is (members sorted by key, so their order
 * does not matter; FORM_FP_KEY members skipped). 0 or TERR_NOMEM. */
int form_item_fp(const cJSON *item, char out[FORM_FP_LEN + 1]);
/* The fingerprint of item's hub part: item without the local fields of fs
 * (a group's children), at every depth. 0 or TERR_NOMEM. */
int form_item_hub_fp(const struct form_field *fs, size_t n, const cJSON *item,
    char out[FORM_FP_LEN + 1]);
/*
 * Pairs the items of a group now (fingerprints a[0..na)) with those it had
 * (b[0..nb)): pair[i] = the index in b of a[i]'s partner, or -1. First an
 * item equal to the one at its own index; then equal fingerprints (each b
 * used once, in order); then, only when the group
 * kept its length, an unpaired a[i] with an unpaired b[i] at the same index
 * (a hub field of that item edited). NULL fingerprints pair only so.
 */
void form_pair_items(const char *const *a, size_t na, const char *const *b,
    size_t nb, long *pair);
/*
 * Whether every item of b (a stored record's values; fs, n its fields) in
 * the groups holding local fields finds its item in a (at every depth) as
 * the graft pairs them (form_pair_items over the hub parts): a record whose
 * hidden values its writer could not see (read while locked) may not drop
 * or replace such items — their values would be lost, or shown on another
 * child's item. 1 yes, 0 no, TERR_NOMEM.
 */
int form_items_kept(const struct form_field *fs, size_t n, const cJSON *a,
    const cJSON *b);
/*
 * Merges local (form_split_local's) back into data, independent of any form:
 * objects by key (local's member replaces data's unless both are objects or
 * both arrays), plain arrays item by item by index (local's items beyond
 * data's are ignored), mirror arrays (items with FORM_FP_KEY) by
 * form_pair_items over the data items' form_item_fp; a mirror array is
 * never added where data lacks the group or has no array there (a pull
 * removed it). *unpaired (may be NULL) gets the number of mirror items
 * holding values that found no item (left out). 0, TERR_NOMEM (data then
 * partly merged), or TERR_ARG when either is not an object.
 */
int form_graft_local(cJSON *data, const cJSON *local, size_t *unpaired);

#endif
