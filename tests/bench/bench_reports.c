/*
 * bench_reports — every hub report at municipality scale (150 schools × a
 * school year, ~210,000 records) and region scale (2,000 schools, ~2.8 M
 * records): wall time and peak RSS of each, the region/municipality time
 * ratio against the data ratio, and whether each stays under 2 s at region
 * scale.
 *
 *   bench_reports [municipality|region|SCHOOLS]...   (default: both)
 *
 * The stores are written the way the hub writes them: merge_apply (the
 * ingest path, with whatever it maintains besides the records) inside big
 * transactions, every op's school registered as ingest does, and imported
 * results through hubdb_result_put. Field names and choice codes come from
 * the real forms (TETRAD_FORMS_DIR). Each store is cached beside this
 * program (or in TETRAD_BENCH_STORES), named by its size and GEN_VERSION:
 * a second run reuses it; change GEN_VERSION when the generator changes.
 *
 * One school's year: 12 risk visits of 11 factors each, 35 social passports
 * (half of the schools send one whole-school passport and re-send it, the
 * others one per class, a few classes sent twice), 40 mediation cases,
 * survey responses of the four groups (700 students, 550 parents, 60
 * teachers, 3 directors); four results per school. Records arrive day by
 * day across the year, all schools interleaved, so HLC order is not school
 * order.
 *
 * TETRAD_BENCH_PG='host=... dbname=postgres': the reports run on PostgreSQL
 * (issue 20): the cached SQLite store is copied once (hubdb_copy_all, as
 * `tetrad-hub migrate` does) into a database bench_reports_SCHOOLS_vN of
 * that server, kept for later runs; the reports then read it.
 *
 * TETRAD_BENCH_ONLY=NAME,NAME runs only those reports (an old build's
 * slow ones, say). TETRAD_BENCH_REPORTS_OUT=DIR keeps each report's first output there
 * (DIR/SCALE-NAME.txt), to compare two builds' outputs on the same store;
 * TETRAD_BENCH_FORMAT=json writes them as JSON (the stores' own numbers,
 * where the table rounds them).
 *
 * Each report runs in a forked child, as `tetrad-hub report NAME` would
 * (the process tuned as its main tunes it, open the store, report_run,
 * table format, to /dev/null): its wall time
 * from fork to exit, its CPU time (user + system, less moved by whatever
 * else the machine runs) and peak RSS from wait4. Runs are interleaved,
 * report after report, round after round; min/median/max are printed.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "hub/hubdb.h"
#include "hub/merge.h"
#include "hub/proctune.h"
#include "hubbench.h"
#include "hub/report.h"
#include "tetrad/changeset.h"
#include "tetrad/uuid7.h"

#define GEN_VERSION 1
#define MUNI_SCHOOLS 150
#define REGION_SCHOOLS 2000
#define DAYS 300                      /* 2025-09-01 .. 2026-06-27 */
#define YEAR_START_MS 1756684800000ull   /* 2025-09-01T00:00:00Z */
#define BATCH 100000                  /* ops per transaction */
#define ROUNDS_MUNI 5
#define ROUNDS_REGION 3
#define SLOW_S 20.0                   /* a report slower than this runs once */
#define LIMIT_S 60.0                  /* a report still running is stopped */
#define TARGET_S 2.0

static const char *const reports[] = {
	"verification", "mediation", "passport", "surveys", "identification", "settings",
};
#define NREPORTS (sizeof(reports) / sizeof(reports[0]))

enum { F_VISIT, F_PASSPORT, F_MEDIATION, F_STUDENT, F_PARENT, F_TEACHER, F_DIRECTOR, NFORMS };
static const char *const form_ids[NFORMS] = {
	"risk_visit", "social_passport", "mediation_case", "survey_student",
	"survey_parent", "survey_teacher", "survey_director",
};
/* records of each form per school and year */
static const unsigned per_school[NFORMS] = { 12, 35, 40, 700, 550, 60, 3 };

struct bench_ctx {
	char forms_dir[1024];
	char store_dir[1024];
	cJSON *form[NFORMS];
	cJSON *factors;                   /* risk_factors dictionary entries */
	uint64_t rng;
};

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_reports: %s: %s\n", what, msg ? msg : "");
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
rnd(struct bench_ctx *b)
{
	/* xorshift64*: the same values every run, for the same store */
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ull;
}

static long
rnd_in(struct bench_ctx *b, long lo, long hi)
{
	return hi <= lo ? lo : lo + (long)(rnd(b) % (uint64_t)(hi - lo + 1));
}

static cJSON *
read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	cJSON *j;

	if (f == NULL)
		die(path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL)
		die(path, "no memory");
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path, "short read");
	buf[n] = '\0';
	fclose(f);
	if ((j = cJSON_Parse(buf)) == NULL)
		die(path, "not JSON");
	free(buf);
	return j;
}

static void
load_forms(struct bench_ctx *b)
{
	char path[1200];

	for (int f = 0; f < NFORMS; f++) {
		snprintf(path, sizeof(path), "%s/%s.json", b->forms_dir, form_ids[f]);
		b->form[f] = read_json(path);
	}
	snprintf(path, sizeof(path), "%s/dict/risk_factors.json", b->forms_dir);
	b->factors = read_json(path);
}

/* A random code of a choice field, or NULL when it has none. */
static const char *
pick_code(struct bench_ctx *b, const cJSON *field)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(field, "choices");
	int n = cJSON_GetArraySize(ch);
	const cJSON *c;

	if (n <= 0)
		return NULL;
	c = cJSON_GetArrayItem(ch, (int)rnd_in(b, 0, n - 1));
	c = cJSON_GetObjectItemCaseSensitive(c, "code");
	return cJSON_IsString(c) ? c->valuestring : NULL;
}

static double
num_of(const cJSON *field, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(field, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static void gen_fields(struct bench_ctx *b, const cJSON *fields, cJSON *out, const char *date);

/* One value of field f (its type decides), added to out; date for dates. */
static void
gen_value(struct bench_ctx *b, const cJSON *f, cJSON *out, const char *date)
{
	const char *id = cJSON_GetObjectItemCaseSensitive(f, "id")->valuestring;
	const char *type = cJSON_GetObjectItemCaseSensitive(f, "type")->valuestring;
	const char *code;

	if (strcmp(type, "choice") == 0) {
		if ((code = pick_code(b, f)) != NULL)
			cJSON_AddStringToObject(out, id, code);
	} else if (strcmp(type, "multi") == 0) {
		cJSON *a = cJSON_AddArrayToObject(out, id);
		long n = rnd_in(b, 1, 3);

		for (long i = 0; i < n; i++)
			if ((code = pick_code(b, f)) != NULL)
				cJSON_AddItemToArray(a, cJSON_CreateString(code));
	} else if (strcmp(type, "scale") == 0 || strcmp(type, "integer") == 0) {
		double lo = num_of(f, "min", 0), hi = num_of(f, "max", lo + 50);

		cJSON_AddNumberToObject(out, id, (double)rnd_in(b, (long)lo, (long)hi));
	} else if (strcmp(type, "decimal") == 0) {
		double lo = num_of(f, "min", 0), hi = num_of(f, "max", lo + 10);

		cJSON_AddNumberToObject(out, id, (double)rnd_in(b, (long)(lo * 10),
		    (long)(hi * 10)) / 10);
	} else if (strcmp(type, "boolean") == 0) {
		cJSON_AddBoolToObject(out, id, rnd(b) & 1);
	} else if (strcmp(type, "date") == 0) {
		cJSON_AddStringToObject(out, id, date);
	} else if (strcmp(type, "text") == 0) {
		/* free text: half of them answered, a sentence of some length */
		if (rnd(b) & 1)
			cJSON_AddStringToObject(out, id, "Текст ответа для нагрузочного теста");
	} else if (strcmp(type, "group") == 0) {
		const cJSON *sub = cJSON_GetObjectItemCaseSensitive(f, "fields");
		cJSON *a = cJSON_AddArrayToObject(out, id);

		if (cJSON_GetObjectItemCaseSensitive(f, "per_dictionary") != NULL) {
			/* one item per dictionary entry: the 11 risk factors */
			const cJSON *en;

			cJSON_ArrayForEach(en, cJSON_GetObjectItemCaseSensitive(b->factors,
			    "entries")) {
				cJSON *it = cJSON_CreateObject();

				gen_fields(b, sub, it, date);
				cJSON_ReplaceItemInObjectCaseSensitive(it, "factor", cJSON_CreateString(
				    cJSON_GetObjectItemCaseSensitive(en, "code")->valuestring));
				if (cJSON_GetObjectItemCaseSensitive(it, "factor") == NULL)
					cJSON_AddStringToObject(it, "factor",
					    cJSON_GetObjectItemCaseSensitive(en, "code")->valuestring);
				cJSON_AddItemToArray(a, it);
			}
		} else {
			long n = rnd_in(b, 1, 2);

			for (long i = 0; i < n; i++) {
				cJSON *it = cJSON_CreateObject();

				gen_fields(b, sub, it, date);
				cJSON_AddItemToArray(a, it);
			}
		}
	}
}

static void
gen_fields(struct bench_ctx *b, const cJSON *fields, cJSON *out, const char *date)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, fields)
		gen_value(b, f, out, date);
}

static void
set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddStringToObject(o, k, v);
}

static void
set_num(cJSON *o, const char *k, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddNumberToObject(o, k, v);
}

/*
 * The record of form f, number k of the school's year, on date: the form's
 * fields at random, the ones the reports read set to something sensible.
 */
static cJSON *
gen_record(struct bench_ctx *b, int f, unsigned school, unsigned k, const char *date)
{
	cJSON *o = cJSON_CreateObject();

	gen_fields(b, cJSON_GetObjectItemCaseSensitive(b->form[f], "fields"), o, date);
	if (f == F_VISIT) {
		char code[16];

		snprintf(code, sizeof(code), "%06u", 170000 + school);
		set_str(o, "school_code", code);
		set_str(o, "visit_type", k == 0 ? "verification" : "monitoring");
		set_num(o, "project_year", 2025);
	} else if (f == F_PASSPORT) {
		/* even schools: whole-school, sent again later; odd: per class */
		long students = rnd_in(b, 300, 1200);
		char cls[16];

		set_str(o, "academic_year", "2025/2026");
		if (school % 2 == 0) {
			set_str(o, "level", "school");
			cJSON_DeleteItemFromObjectCaseSensitive(o, "class_name");
		} else {
			set_str(o, "level", "class");
			/* 33 classes, the first two sent twice */
			snprintf(cls, sizeof(cls), "%u%s", 1 + (k % 33) / 3,
			    (const char *[]){ "А", "Б", "В" }[(k % 33) % 3]);
			set_str(o, "class_name", cls);
			students /= 30;
		}
		set_num(o, "students_total", (double)students);
		set_num(o, "families_total", (double)(students * 9 / 10));
		static const char *const cats[] = {
			"large_families", "low_income_families", "single_parent_families",
			"foster_children", "orphans", "disabled_children", "special_needs",
			"sop_families", "tjs_families", "kdn_registered", "pdn_registered",
			"school_registered", "unemployed_parents", "parents_higher_education",
			"non_native_russian", "migrant_families",
		};
		for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
			set_num(o, cats[i], (double)rnd_in(b, 0, students / 4));
	}
	return o;
}

static void
day_date(unsigned day, char out[11])
{
	time_t t = (time_t)(YEAR_START_MS / 1000) + (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void
store_path(const struct bench_ctx *b, unsigned schools, char *out, size_t cap)
{
	snprintf(out, cap, "%s/bench_reports-%u-v%d.db", b->store_dir, schools, GEN_VERSION);
}

/* Writes the store of this many schools; returns the records written. */
static unsigned long long
generate(struct bench_ctx *b, unsigned schools, const char *path)
{
	struct hubdb *db = NULL;
	struct terr e;
	unsigned long long written = 0, in_tx = 0;
	unsigned conflicts = 0;
	char suffix[1200];
	double t0 = now_s();

	for (const char *const *s = (const char *const[]){ "", "-wal", "-shm", NULL }; *s; s++) {
		snprintf(suffix, sizeof(suffix), "%s%s", path, *s);
		unlink(suffix);
	}
	if (hubdb_open(path, &db, &e) != 0)
		die(path, e.msg);
	if (hubdb_begin(db, &e) != 0)
		die("begin", e.msg);
	for (unsigned s = 0; s < schools; s++) {
		char code[16], name[64];

		snprintf(code, sizeof(code), "%06u", 170000 + s);
		snprintf(name, sizeof(name), "Школа №%u", s + 1);
		if (hubdb_school_put(db, code, name, &e) != 0)
			die("school", e.msg);
		/* results of the last year: the four subjects' shares of low results */
		static const char *const ind[] = { "vpr4_rus", "vpr4_math", "oge9_rus", "oge9_math" };
		for (int i = 0; i < 4; i++) {
			struct hubdb_result res = { code, 2025, ind[i], (double)rnd_in(b, 0, 400) / 10 };

			if (hubdb_result_put(db, &res, &e) != 0)
				die("result", e.msg);
		}
	}
	for (unsigned day = 0; day < DAYS; day++) {
		char date[11];

		day_date(day, date);
		for (unsigned s = 0; s < schools; s++) {
			char device[KEYS_ID_HEXLEN + 1];

			snprintf(device, sizeof(device), "%016x", 0x5c000000u + s);
			for (int f = 0; f < NFORMS; f++) {
				unsigned k0 = (unsigned)((unsigned long long)day * per_school[f] / DAYS);
				unsigned k1 = (unsigned)((unsigned long long)(day + 1) * per_school[f] / DAYS);

				for (unsigned k = k0; k < k1; k++) {
					struct op op;
					char *text;
					uint64_t ms = YEAR_START_MS + (uint64_t)day * 86400000u +
					    (uint64_t)s * 20000u + (uint64_t)f * 1000u + k % 1000;

					memset(&op, 0, sizeof(op));
					op.seq = written + 1;
					if (uuid7_new(op.record_id, ms) != 0)
						die("uuid7", "");
					snprintf(op.form_id, sizeof(op.form_id), "%s", form_ids[f]);
					op.form_version = 1;
					snprintf(op.school, sizeof(op.school), "%06u", 170000 + s);
					op.kind = OP_PUT;
					op.hlc.wall_ms = ms;
					op.hlc.node = 0x5c000000u + s;
					op.fields = gen_record(b, f, s, k, date);
					if ((text = cJSON_PrintUnformatted(op.fields)) == NULL)
						die("json", "no memory");
					op.fields_text = text;
					op.fields_len = strlen(text);
					if (merge_apply(db, device, &op, &conflicts, &e) != 0)
						die("merge_apply", e.msg);
					cJSON_Delete(op.fields);
					free(text);
					written++;
					if (++in_tx == BATCH) {
						if (hubdb_commit(db, &e) != 0 || hubdb_begin(db, &e) != 0)
							die("commit", e.msg);
						in_tx = 0;
					}
				}
			}
		}
	}
	if (hubdb_commit(db, &e) != 0)
		die("commit", e.msg);
	if (hubdb_checkpoint(db, &e) != 0)
		die("checkpoint", e.msg);
	hubdb_close(db);
	fprintf(stderr, "  generated %u schools, %llu records in %.0f s (%.0f records/s)\n",
	    schools, written, now_s() - t0, (double)written / (now_s() - t0));
	return written;
}

/*
 * The cached store for this many schools, generated (in a child, so this
 * process stays small for the reports' children) when it is missing or
 * was not finished. *records: how many it holds.
 */
static void
ensure_store(struct bench_ctx *b, unsigned schools, char *path, size_t cap,
    unsigned long long *records)
{
	char okpath[1300];
	FILE *f;
	pid_t pid;
	int st;

	store_path(b, schools, path, cap);
	snprintf(okpath, sizeof(okpath), "%s.ok", path);
	if ((f = fopen(okpath, "r")) != NULL) {
		int ok = fscanf(f, "%llu", records) == 1;

		fclose(f);
		if (ok) {
			fprintf(stderr, "  store %s: cached, %llu records\n", path, *records);
			return;
		}
	}
	fprintf(stderr, "  store %s: generating (once; cached for later runs)\n", path);
	if ((pid = fork()) < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		unsigned long long n;

		b->rng = 0x9e3779b97f4a7c15ull ^ schools;
		n = generate(b, schools, path);
		if ((f = fopen(okpath, "w")) == NULL || fprintf(f, "%llu\n", n) < 0 ||
		    fclose(f) != 0)
			die(okpath, strerror(errno));
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("generator", "failed");
	ensure_store(b, schools, path, cap, records);
}

/*
 * The PostgreSQL copy of the SQLite store at path (TETRAD_BENCH_PG): made
 * once, in a database that exists only when the copy was whole (made under
 * another name, renamed after); path becomes its connection string.
 */
static void
ensure_pg_store(const char *pg, unsigned schools, char *path, size_t cap)
{
	char name[64], tmp[80], sql[256], to[1200];
	struct hubdb *from = NULL, *dst = NULL;
	struct terr e;
	PGconn *c = PQconnectdb(pg);
	PGresult *res;
	bool have;

	if (PQstatus(c) != CONNECTION_OK)
		die("PostgreSQL", PQerrorMessage(c));
	snprintf(name, sizeof(name), "bench_reports_%u_v%d", schools, GEN_VERSION);
	snprintf(tmp, sizeof(tmp), "%s_making", name);
	snprintf(sql, sizeof(sql), "SELECT 1 FROM pg_database WHERE datname = '%s'", name);
	res = PQexec(c, sql);
	have = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	PQclear(res);
	if (!have) {
		double t0 = now_s();

		fprintf(stderr, "  copying %s into PostgreSQL database %s (once)\n", path, name);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", tmp);
		PQclear(PQexec(c, sql));
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
		    "LC_COLLATE 'C' LC_CTYPE 'C'", tmp);
		res = PQexec(c, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			die(sql, PQerrorMessage(c));
		PQclear(res);
		snprintf(to, sizeof(to), "%s dbname=%s", pg, tmp);
		if (hubdb_open(path, &from, &e) != 0 || hubdb_open(to, &dst, &e) != 0 ||
		    hubdb_copy_all(from, dst, NULL, NULL, &e) != 0)
			die("copy", e.msg);
		hubdb_close(from);
		hubdb_close(dst);
		snprintf(sql, sizeof(sql), "ALTER DATABASE %s RENAME TO %s", tmp, name);
		res = PQexec(c, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			die(sql, PQerrorMessage(c));
		PQclear(res);
		fprintf(stderr, "  copied in %.0f s\n", now_s() - t0);
	}
	PQfinish(c);
	snprintf(path, cap, "%s dbname=%s", pg, name);
}

struct sample {
	double wall;
	double cpu;                       /* user + system: less moved by other load */
	long rss_kib;
	bool stopped;                     /* killed at LIMIT_S */
};

/* Runs one report in a child as `tetrad-hub report NAME` does. */
static struct sample
run_report(const struct bench_ctx *b, const char *path, const char *name,
    const char *out_path)
{
	struct sample smp = { 0, 0, 0, false };
	struct rusage ru;
	double t0 = now_s();
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		struct report_opts o;
		struct hubdb *db = NULL;
		struct terr e;
		FILE *out = fopen(out_path ? out_path : "/dev/null", "w");

		/* the process as tetrad-hub's main sets it up (its malloc kept) */
		proctune_apply();
		memset(&o, 0, sizeof(o));
		o.name = name;
		o.format = getenv("TETRAD_BENCH_FORMAT") != NULL &&
		    strcmp(getenv("TETRAD_BENCH_FORMAT"), "json") == 0 ? REPORT_JSON : REPORT_TABLE;
		o.forms_dir = b->forms_dir;
		if (out == NULL || hubdb_open(path, &db, &e) != 0 ||
		    report_run(db, &o, out, &e) != 0) {
			fprintf(stderr, "report %s: %s\n", name, e.msg);
			_exit(1);
		}
		hubdb_close(db);
		fclose(out);
		_exit(0);
	}
	/* a report past the limit is stopped: its time is then a lower bound */
	for (;;) {
		pid_t w = wait4(pid, &st, WNOHANG, &ru);

		if (w == pid)
			break;
		if (w < 0)
			die(name, strerror(errno));
		if (!smp.stopped && now_s() - t0 > LIMIT_S) {
			kill(pid, SIGKILL);
			smp.stopped = true;
		}
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	if (!smp.stopped && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
		die(name, "the report failed");
	smp.wall = now_s() - t0;
	smp.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	smp.rss_kib = ru.ru_maxrss;
	return smp;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* TETRAD_BENCH_ONLY=passport,settings runs only those (e.g. an old build's). */
static bool
wanted(const char *name)
{
	return hubbench_listed(getenv("TETRAD_BENCH_ONLY"), name);
}

struct scale_result {
	const char *label;
	unsigned schools;
	unsigned long long records;
	double med[NREPORTS];
	long rss[NREPORTS];
	bool stopped[NREPORTS];
};

static void
run_scale(struct bench_ctx *b, const char *label, unsigned schools, int rounds,
    struct scale_result *res)
{
	char path[1200], out[1300];
	const char *keep = getenv("TETRAD_BENCH_REPORTS_OUT");
	double w[NREPORTS][16] = { { 0 } }, cpu[NREPORTS][16] = { { 0 } };
	int n[NREPORTS] = { 0 };

	res->label = label;
	res->schools = schools;
	ensure_store(b, schools, path, sizeof(path), &res->records);
	if (getenv("TETRAD_BENCH_PG") != NULL && *getenv("TETRAD_BENCH_PG"))
		ensure_pg_store(getenv("TETRAD_BENCH_PG"), schools, path, sizeof(path));
	memset(res->rss, 0, sizeof(res->rss));
	memset(res->stopped, 0, sizeof(res->stopped));
	/* interleaved: every report once per round */
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < NREPORTS; i++) {
			struct sample s;

			if ((r > 0 && w[i][0] > SLOW_S) || !wanted(reports[i]))
				continue;
			/* the first round's output kept on request, to compare builds */
			if (keep != NULL && *keep && r == 0)
				snprintf(out, sizeof(out), "%s/%s-%s.txt", keep, label, reports[i]);
			s = run_report(b, path, reports[i], keep && *keep && r == 0 ? out : NULL);
			cpu[i][n[i]] = s.cpu;
			w[i][n[i]++] = s.wall;
			res->stopped[i] |= s.stopped;
			if (s.rss_kib > res->rss[i])
				res->rss[i] = s.rss_kib;
		}
	printf("%s: %u schools, %llu records (%d rounds, interleaved)\n", label, schools,
	    res->records, rounds);
	printf("  %-15s %9s %9s %9s %9s %10s\n", "report", "min s", "median s", "max s",
	    "cpu med s", "peak RSS");
	for (size_t i = 0; i < NREPORTS; i++) {
		char note[64] = "";

		res->med[i] = 0;
		if (n[i] == 0)
			continue;
		qsort(w[i], (size_t)n[i], sizeof(double), dbl_cmp);
		qsort(cpu[i], (size_t)n[i], sizeof(double), dbl_cmp);
		res->med[i] = w[i][n[i] / 2];
		if (res->stopped[i])
			snprintf(note, sizeof(note), "  (stopped: over %.0f s)", LIMIT_S);
		printf("  %-15s %9.3f %9.3f %9.3f %9.3f %6.1f MiB%s\n", reports[i], w[i][0],
		    res->med[i], w[i][n[i] - 1], cpu[i][n[i] / 2], (double)res->rss[i] / 1024,
		    note);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static struct bench_ctx b;
	struct scale_result res[4];
	int nres = 0;
	const char *env;

	/* scripts/bench.sh sets it to the repository's forms/ */
	if ((env = getenv("TETRAD_FORMS_DIR")) == NULL || *env == '\0')
		die("TETRAD_FORMS_DIR", "not set: run through scripts/bench.sh");
	snprintf(b.forms_dir, sizeof(b.forms_dir), "%s", env);
	if ((env = getenv("TETRAD_BENCH_STORES")) != NULL && *env) {
		snprintf(b.store_dir, sizeof(b.store_dir), "%s", env);
	} else {
		/* beside this program, in the build folder */
		ssize_t n = readlink("/proc/self/exe", b.store_dir, sizeof(b.store_dir) - 1);
		char *slash;

		if (n <= 0)
			die("/proc/self/exe", strerror(errno));
		b.store_dir[n] = '\0';
		if ((slash = strrchr(b.store_dir, '/')) != NULL)
			*slash = '\0';
	}
	load_forms(&b);
	if (argc < 2) {
		run_scale(&b, "municipality", MUNI_SCHOOLS, ROUNDS_MUNI, &res[nres++]);
		run_scale(&b, "region", REGION_SCHOOLS, ROUNDS_REGION, &res[nres++]);
	}
	for (int i = 1; i < argc && nres < 4; i++) {
		if (strcmp(argv[i], "municipality") == 0)
			run_scale(&b, "municipality", MUNI_SCHOOLS, ROUNDS_MUNI, &res[nres++]);
		else if (strcmp(argv[i], "region") == 0)
			run_scale(&b, "region", REGION_SCHOOLS, ROUNDS_REGION, &res[nres++]);
		else if (atoi(argv[i]) > 0)
			run_scale(&b, argv[i], (unsigned)atoi(argv[i]), ROUNDS_MUNI, &res[nres++]);
		else
			die(argv[i], "expected municipality, region or a number of schools");
	}
	if (nres == 2 && res[0].schools < res[1].schools) {
		double data = (double)res[1].records / (double)res[0].records;

		printf("%s/%s: data ratio %.1f×; time ratio of medians per report, and "
		    "whether it is under %.0f s at %s scale:\n", res[1].label, res[0].label,
		    data, TARGET_S, res[1].label);
		for (size_t i = 0; i < NREPORTS; i++)
			if (res[0].med[i] > 0)
				printf("  %-15s %6.1f× (%s data ratio)  %s%s\n", reports[i],
				    res[1].med[i] / res[0].med[i],
				    res[1].med[i] / res[0].med[i] <= data ? "within" : "OVER",
				    res[1].med[i] < TARGET_S ? "under 2 s" : "OVER 2 s",
				    res[1].stopped[i] ? " (stopped: a lower bound)" : "");
	}
	for (int f = 0; f < NFORMS; f++)
		cJSON_Delete(b.form[f]);
	cJSON_Delete(b.factors);
	return 0;
}
