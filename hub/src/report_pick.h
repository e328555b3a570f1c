/*
 * report_pick — a record's members a report reads, parsed alone. Parsing a
 * record's JSON in full was a third of the verification, mediation and
 * passport reports: every text answer, comment and evidence list became
 * cJSON nodes (a malloc and a free each) that no report looks at. The
 * picker skips over the other members' text and hands the report a tree
 * holding only the members it names, so the report's code reads it as
 * before.
 */
#ifndef TETRAD_HUB_REPORT_PICK_H
#define TETRAD_HUB_REPORT_PICK_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * A member a report reads. sub, when not NULL, narrows each object of an
 * array value (a repeat group) to its own members; any other value is
 * parsed whole. A list ends with a NULL key.
 */
struct report_pick {
	const char *key;
	const struct report_pick *sub;
};

/*
 * The object of JSON text s (n bytes) with only the members picked (the
 * first of a repeated name, as cJSON_GetObjectItemCaseSensitive finds it),
 * or, for text the picker does not follow (not an object, an escaped member
 * name), the whole document parsed by cJSON; NULL when it does not parse or
 * on no memory. Free with cJSON_Delete. pick NULL: the whole document.
 */
cJSON *report_pick_parse(const char *s, size_t n, const struct report_pick *pick);

#endif
