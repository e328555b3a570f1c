/*
 * bench_envelope — seal, verify and open per second for change sets of 1,
 * 100 and 10,000 social-passport ops (the vector keys, random nonces).
 * Not a test: prints figures. Each figure runs for about half a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vectors.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct changeset *
make_set(const struct keys_sign *dev, int n)
{
	static const char *classes[] = { "1А", "2Б", "5А", "7В", "9Г", "11А" };
	struct changeset *cs = changeset_new();
	uint8_t id[KEYS_ID_BYTES];
	struct op op;

	keys_id(dev->pk, id);
	memcpy(cs->device_id, id, sizeof(id));
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = 1;
	cs->last_seq = (uint64_t)n;
	cs->created = (struct hlc_ts){ VEC_WALL_MS, 0, keys_id_u64(id) };
	memset(&op, 0, sizeof(op));
	snprintf(op.form_id, sizeof(op.form_id), "social_passport");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_PUT;
	for (int i = 0; i < n; i++) {
		op.seq = (uint64_t)i + 1;
		uuid7_new(op.record_id, VEC_WALL_MS + (uint64_t)i);
		op.hlc = (struct hlc_ts){ VEC_WALL_MS + (uint64_t)i, 0, keys_id_u64(id) };
		op.fields = cJSON_CreateObject();
		cJSON_AddStringToObject(op.fields, "academic_year", "2025/2026");
		cJSON_AddStringToObject(op.fields, "class", classes[i % 6]);
		cJSON_AddNumberToObject(op.fields, "students", 20 + i % 11);
		cJSON_AddNumberToObject(op.fields, "families", 18 + i % 9);
		cJSON_AddNumberToObject(op.fields, "large_families", i % 5);
		cJSON_AddNumberToObject(op.fields, "low_income", i % 4);
		cJSON_AddNumberToObject(op.fields, "single_parent", i % 6);
		cJSON_AddNumberToObject(op.fields, "ovz", i % 3);
		cJSON_AddStringToObject(op.fields, "snapshot_date", "2025-10-01");
		if (changeset_add(cs, &op, NULL) != 0)
			abort();
		cJSON_Delete(op.fields);
	}
	return cs;
}

int
main(void)
{
	static const int sizes[] = { 1, 100, 10000 };
	struct vec_keys k;
	struct terr e;

	if (keys_init(&e) != 0 || vec_keys(&k) != 0) {
		fprintf(stderr, "bench_envelope: keys: %s\n", e.msg);
		return 1;
	}
	printf("%8s %10s %10s %12s %12s %12s %12s\n", "ops", "plain B", "sealed B",
	    "seal/s", "verify/s", "open/s", "open ops/s");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct changeset *cs = make_set(&k.device, sizes[s]), *got;
		struct tbuf *env = tbuf_new(ENVELOPE_MAX_BYTES), *plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES);
		double t0, seal_rate, verify_rate, open_rate;
		long n;

		if (changeset_encode(cs, plain, &e) != 0) {
			fprintf(stderr, "bench_envelope: %s\n", e.msg);
			return 1;
		}
		for (n = 0, t0 = now_s(); n < 3 || now_s() - t0 < 0.5; n++) {
			tbuf_reset(env);
			if (envelope_seal(cs, &k.device, k.hub_enc.pk, NULL, env, NULL, &e) != 0) {
				fprintf(stderr, "bench_envelope: seal: %s\n", e.msg);
				return 1;
			}
		}
		seal_rate = (double)n / (now_s() - t0);
		for (n = 0, t0 = now_s(); n < 3 || now_s() - t0 < 0.5; n++)
			if (envelope_verify(tbuf_ptr(env), tbuf_len(env), k.device.pk, &e) != 0)
				return 1;
		verify_rate = (double)n / (now_s() - t0);
		for (n = 0, t0 = now_s(); n < 3 || now_s() - t0 < 0.5; n++) {
			if (envelope_open(tbuf_ptr(env), tbuf_len(env), k.device.pk, &k.hub_enc, &got,
			    NULL, &e) != 0) {
				fprintf(stderr, "bench_envelope: open: %s\n", e.msg);
				return 1;
			}
			changeset_free(got);
		}
		open_rate = (double)n / (now_s() - t0);
		printf("%8d %10zu %10zu %12.1f %12.1f %12.1f %12.0f\n", sizes[s], tbuf_len(plain),
		    tbuf_len(env), seal_rate, verify_rate, open_rate, open_rate * sizes[s]);
		tbuf_free(env);
		tbuf_free(plain);
		changeset_free(cs);
	}
	keys_sign_wipe(&k.device);
	keys_sign_wipe(&k.hub_sign);
	keys_enc_wipe(&k.hub_enc);
	return 0;
}
