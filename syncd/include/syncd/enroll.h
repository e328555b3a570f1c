/*
 * enroll — `tetrad-syncd enroll`: binds this device to a hub with a one-time
 * token. Uses the device key (<db>.device.key, made by `tetrad init`; made
 * here if missing), sends its public key and the token to POST /v1/enroll (wire.h)
 * over verified TLS with the school this database is set up for (the hub
 * refuses another school's token before spending it), and stores the hub's
 * encryption and signing keys and the binding (school or curator, schools)
 * in meta.
 */
#ifndef TETRAD_SYNCD_ENROLL_H
#define TETRAD_SYNCD_ENROLL_H

#include "tetrad/keys.h"
#include "tetrad/terr.h"
#include "tetrad/wire.h"

#define ENROLL_TOKEN_MAX WIRE_ENROLL_TOKEN_MAX   /* what the hub accepts */
#define ENROLL_RESP_MAX WIRE_ENROLL_ANS_MAX
#define ENROLL_MAX_SCHOOLS WIRE_ENROLL_NSCHOOLS_MAX

struct enroll_opts {
	const char *db_path;
	const char *hub_url;
	const char *token;
	const char *ca_file;          /* NULL: system store (or pin) */
	const char *pin;              /* NULL: no pin */
	const char *passphrase_file;  /* NULL: unprotected key */
	const char *label;            /* NULL: host name */
	int force;                    /* re-enroll a device already bound */
	long connect_timeout_ms, timeout_ms;
};

struct enroll_result {
	char device_id[KEYS_ID_HEXLEN + 1];
	char kind[16];
	int nschools;
	int unreachable;              /* the hub could not be reached */
	int refused;                  /* the hub refused the token */
	/* not "": the device's earlier key, which the hub held for something
	 * else (409 key_registered), was replaced by a new pair before this
	 * enrollment (only a key never confirmed and never used to record) */
	char replaced_id[KEYS_ID_HEXLEN + 1];
	int replaced_revoked;         /* that key had been revoked (403 device_revoked) */
};

/* 0 on success; negative with a Russian message (token refused: TERR_ARG). */
int enroll_run(const struct enroll_opts *o, struct enroll_result *res, struct terr *e);

/* Russian explanation of a token error code of the hub ("token_used", ...). */
const char *enroll_token_message(const char *code);

#endif
