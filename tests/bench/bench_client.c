/*
 * bench_client — figures for the client store (not a test):
 *   - median and p99 time to finalize a record with a durable commit
 *     (WAL, synchronous=FULL: the record and its outbox row on disk);
 *   - records/s of a CSV export of 100,000 records.
 * Usage: bench_client [FINALIZES [EXPORT_RECORDS]] (defaults 300, 100000).
 * The database lives in $TMPDIR (or /tmp): the figure is that disk's fsync.
 * Forms from $TETRAD_FORMS_DIR (else the installed ones, else the source tree's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/catalog.h"
#include "client/csvio.h"
#include "client/rec.h"
#include "client/store.h"
#include "tetrad/formsdir.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char sp_values[] =
	"{\"academic_year\":\"2021/2022\",\"snapshot_date\":\"2021-10-01\",\"level\":\"class\","
	"\"class_name\":\"5А\",\"students_total\":25,\"families_total\":22,\"large_families\":3,"
	"\"low_income_families\":2,\"single_parent_families\":4,\"foster_children\":1,"
	"\"orphans\":0,\"disabled_children\":1,\"special_needs\":2,\"sop_families\":0,"
	"\"tjs_families\":1,\"kdn_registered\":0,\"pdn_registered\":0,\"school_registered\":1,"
	"\"unemployed_parents\":2,\"parents_higher_education\":5,\"non_native_russian\":1,"
	"\"migrant_families\":0}";

int
main(int argc, char **argv)
{
	int n_fin = argc > 1 ? atoi(argv[1]) : 300;
	int n_exp = argc > 2 ? atoi(argv[2]) : 100000;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512], db[600], cmd[700];
	const char *forms = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct form_problems *pr = NULL;
	const struct form *f;
	struct terr e = { 0 };
	cJSON *v = cJSON_Parse(sp_values);
	double *t = calloc((size_t)(n_fin > 0 ? n_fin : 1), sizeof(*t));
	double t0, t1;
	FILE *null;
	int rc = 1;

	snprintf(dir, sizeof(dir), "%s/bench_client.XXXXXX", tmp);
	if (v == NULL || t == NULL || mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/b.db", dir);
	if (store_open(db, true, &s, &e) != 0 ||
	    store_meta_set(s, "school", "170103", &e) != 0 ||
	    store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e) != 0 ||
	    formsdir_builtin(&forms, &e) != 0 ||
	    catalog_load(forms, NULL, &c, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		goto out;
	}
	if ((f = catalog_latest(c, "social_passport")) == NULL)
		goto out;

	for (int i = 0; i < n_fin; i++) {
		uint8_t id[UUID7_BYTES];

		if (rec_new(s, c, "social_passport", NULL, v, true, id, &pr, &e) != 0)
			goto out;
		t0 = now_ms();
		if (rec_finalize(s, c, id, &pr, &e) != 0) {
			fprintf(stderr, "finalize: %s\n", e.msg);
			goto out;
		}
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)n_fin, sizeof(*t), cmp_double);
	if (n_fin > 0)
		printf("finalize (durable commit, %d records): median %.3f ms, p99 %.3f ms, "
		    "max %.3f ms\n", n_fin, t[n_fin / 2], t[(size_t)((n_fin - 1) * 0.99)],
		    t[n_fin - 1]);

	/* bulk: one transaction, as an import does */
	t0 = now_ms();
	if (store_begin(s, &e) != 0)
		goto out;
	for (int i = n_fin; i < n_exp; i++) {
		uint8_t id[UUID7_BYTES];

		if (rec_create(s, f, NULL, v, false, true, id, &e) != 0) {
			fprintf(stderr, "insert: %s\n", e.msg);
			store_rollback(s);
			goto out;
		}
	}
	if (store_commit(s, &e) != 0)
		goto out;
	t1 = now_ms();
	printf("bulk insert (one transaction, with outbox rows): %d records in %.0f ms "
	    "(%.0f records/s)\n", n_exp - n_fin, t1 - t0,
	    (n_exp - n_fin) / ((t1 - t0) / 1e3));

	if ((null = fopen("/dev/null", "w")) == NULL)
		goto out;
	t0 = now_ms();
	if (csvio_export(s, c, "social_passport", CSVIO_CSV, false, ';', null, &e) != 0) {
		fprintf(stderr, "export: %s\n", e.msg);
		fclose(null);
		goto out;
	}
	t1 = now_ms();
	fclose(null);
	printf("export CSV: %d records in %.0f ms (%.0f records/s)\n", n_exp, t1 - t0,
	    n_exp / ((t1 - t0) / 1e3));
	rc = 0;
 out:
	form_problems_free(pr);
	catalog_free(c);
	store_close(s);
	cJSON_Delete(v);
	free(t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
