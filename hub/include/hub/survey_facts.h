/*
 * survey_facts — what a questionnaire response (a record of a survey_*
 * form) contributes to the surveys report, and the tally of those
 * contributions (hubdb.h, «Tallies») that the hub keeps as records arrive,
 * so the report sums counters instead of reading every response.
 *
 * A contribution is a key and a number; the tally counts them (n) and adds
 * the numbers (total) per school, form, day and key. The day is the
 * response's own date (SURVEY_FACTS_DATE_FIELD, «Дата заполнения анкеты»,
 * version 2 of the questionnaires) and, for a response without one
 * (version 1), the day the hub received it:
 *
 *   "resp"                  one per response
 *   "dated"                 one per response with its own date, the day
 *   "ans:<q>:<a>"           answer a to question q (a choice code, a member
 *                           of a list of codes, "true"/"false")
 *   "ansq:<q>"              q answered with codes (the share's base)
 *   "scale:<q>"             q answered with a number, the number
 *   "staff:<hlc> <id>"      the director's teachers on staff, the number;
 *                           the report takes the latest by HLC, then id
 *
 * Which questions the report shows also depends on the form definitions
 * the report is given (a text, date or local field is never shown): that
 * is decided when the report reads, per question, so the tally does not
 * depend on which forms the hub had when a record came.
 */
#ifndef TETRAD_HUB_SURVEY_FACTS_H
#define TETRAD_HUB_SURVEY_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

#define SURVEY_FACTS_PREFIX "survey_"   /* the forms whose records are responses */
/* "ans:<q>:<a>" of two codes (report_labels.h), "staff:<hlc> <id hex>" */
#define SURVEY_FACTS_KEY_MAX 160

enum survey_fact_kind {
	SURVEY_FACT_RESP = 0,
	SURVEY_FACT_ANSWER,
	SURVEY_FACT_ANSWERED,
	SURVEY_FACT_SCALE,
	SURVEY_FACT_STAFF,
	SURVEY_FACT_DATED,
};

/* The field of a response that holds the day it was filled in. */
#define SURVEY_FACTS_DATE_FIELD "response_date"

typedef int (*survey_fact_fn)(void *arg, const char *key, double num, struct terr *e);

/*
 * Calls fn once per contribution of the response d (a JSON object) of form
 * form_id: nothing when the form id is not a code. hlc and id (16 bytes, or
 * NULL) order the director's answers. A non-zero return of fn stops and is
 * returned. The one place that reads a response for the report.
 */
int survey_facts_each(const char *form_id, const cJSON *d, const char *hlc,
    const uint8_t *id, survey_fact_fn fn, void *arg, struct terr *e);

/*
 * Splits a key made by survey_facts_each into buf: its kind, question and
 * answer (NULL when the kind has none; for STAFF q is the ordering text).
 * -1 for a key it did not make.
 */
int survey_facts_key_parse(const char *key, char buf[SURVEY_FACTS_KEY_MAX + 1],
    enum survey_fact_kind *kind, const char **q, const char **a);

/* The day of a received_at text (hubdb.h), or HUBDB_TALLY_NODAY. */
int64_t survey_facts_day(const char *received_at);
/* The day of d's SURVEY_FACTS_DATE_FIELD, or HUBDB_TALLY_NODAY. */
int64_t survey_facts_response_day(const cJSON *d);
/* The tally's day of response d received on received_day: its own date
 * when it has one, else received_day. */
int64_t survey_facts_record_day(const cJSON *d, int64_t received_day);

/*
 * Moves the tally from what old contributed to what rec contributes, in
 * the caller's transaction, after rec is written (same id; old NULL for a
 * new record; a deleted record contributes nothing). rec_data: rec->data
 * already parsed, or NULL. Records of other forms cost nothing. If the
 * tally is still to be built (a migrated store), it is built now instead,
 * from the records as they are.
 */
int survey_facts_update(struct hubdb *db, const struct hubdb_record *old,
    const struct hubdb_record *rec, const cJSON *rec_data, struct terr *e);

/* Builds the tally from every live response, in the caller's transaction. */
int survey_facts_rebuild(struct hubdb *db, struct terr *e);

#endif
