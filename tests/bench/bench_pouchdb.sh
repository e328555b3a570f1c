#!/usr/bin/env bash
# bench_pouchdb — the same 10,000 records pushed two ways on 127.0.0.1,
# timing only the transfer:
#   Tetrad: tetrad-syncd --once → tetrad-hub over HTTPS (every change set
#           signed, encrypted, verified, decrypted, validated against the
#           form and applied durably, synchronous=FULL);
#   PouchDB: local.replicate.to() → express-pouchdb (LevelDB), plain HTTP.
# Two kinds of record, each its own side by side: a flat student
# questionnaire (10 fields, about 230 bytes) and the risk-profile visit
# (form risk_visit: 11 fields and a repeat group with one item per risk
# factor, 11 items of 4–5 fields, about 2.3 KB). The kinds and the two
# systems run interleaved, BENCH_RUNS rounds, each on a fresh hub and a
# fresh PouchDB, so a slow minute of this shared machine falls on both.
# PouchDB is timed inside node, around replicate.to(): node's start, loading
# its modules and opening the local database are not in its figure. Tetrad
# is timed both ways: the sync run as tetrad-syncd times it (taking its lock,
# opening the database and keys, connecting, pushing, counting what is left,
# recording the result: the same span as replicate.to()), and the whole
# process from exec to exit, which adds loading some 35 shared libraries,
# most of them libcurl's (about 10 ms). Prints each round, then per kind
# min/median/max of the times, records/s and both ratios, each ratio taken
# round by round (target: Tetrad ≥ 20× faster counting its process).
# Needs node and npm (scripts/install-deps.sh; node modules go to
# tests/bench/pouchdb/node_modules, not committed); without them, or without
# the npm registry, it says so and exits 77 (skipped).
#   BENCH_RECORDS=N      records of each kind (default 10,000)
#   BENCH_RUNS=N         interleaved rounds (default 5)
#   BENCH_KINDS=KINDS    "survey visit" (default), or one of them
#   BENCH_POUCH_BATCH=N  PouchDB batch_size (default: PouchDB's own, 100)
#   BENCH_SAME_MS=1      every record's id in the same millisecond (random
#                        insert positions on the hub, its worst case)
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
pdir="$TETRAD_SOURCE_DIR/tests/bench/pouchdb"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "SKIP: node/npm not installed (bash scripts/install-deps.sh)"
	exit 77
fi
if [ ! -d "$pdir/node_modules/express-pouchdb" ]; then
	echo "installing pouchdb, express-pouchdb (npm) …"
	if ! (cd "$pdir" && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
		echo "SKIP: npm install failed (no access to the npm registry?)"
		exit 77
	fi
fi

N=${BENCH_RECORDS:-10000}
RUNS=${BENCH_RUNS:-5}
KINDS=${BENCH_KINDS:-survey visit}
work=$(mktemp -d)
server_pid=""
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=""
	fi
}
cleanup() {
	hub_stop
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT

# The records, as a school enters them: over the last month, one every few
# minutes, so each id (UUIDv7, as the client makes them) carries its own
# creation time. BENCH_SAME_MS=1 gives every record the same millisecond
# instead: random insert positions on the hub, its worst case.
#   survey: a student questionnaire (form bench_survey below)
#   visit:  a curator's risk-profile visit (forms/risk_visit.json), one
#           decision per factor R01–R11 of the dictionary, a comment where
#           the decision is not "confirmed", as the form requires
python3 - "$N" "$work" "${BENCH_SAME_MS:-0}" <<'PY'
import json, os, random, sys, time, uuid
n, out, same = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
now = int(time.time() * 1000)
start = now - 30 * 86400 * 1000
step = 0 if same else (now - 60000 - start) // max(n, 1)
wishes = ["Больше кружков после уроков", "Новые компьютеры в кабинете информатики",
          "Чтобы в столовой было вкуснее", "Больше экскурсий", ""]
curators = ["Петрова Мария Ивановна", "Сидорова Анна Андреевна", "Кузнецов Олег Петрович"]
comments = ["Не подтверждено документами школы", "Требуется анализ результатов ВПР за два года",
            "Данные администрации расходятся с данными педагогов"]
evidence = ["talk_admin", "talk_teachers", "talk_students", "talk_parents", "lesson_visit",
            "documents", "results", "infrastructure"]

def survey(rnd, ms):
    return {"grade": rnd.randint(4, 11), "enough_equipment": rnd.randint(1, 5),
            "feel_safe": rnd.randint(1, 5), "like_learning": rnd.randint(1, 5),
            "teacher_helps": rnd.randint(1, 5), "homework_hours": rnd.choice([0.5, 1, 1.5, 2, 3]),
            "bullying": rnd.choice(["never", "once", "sometimes", "often"]),
            "plans": rnd.choice(["college", "university", "work", "unknown"]),
            "russian_at_home": rnd.random() < 0.9, "wish": rnd.choice(wishes)}

def visit(rnd, ms):
    date = time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
    factors = []
    for i in range(1, 12):
        dec = rnd.choice(["confirmed", "confirmed", "not_confirmed", "needs_clarification"])
        f = {"factor": "R%02d" % i, "profile_level": rnd.choice(["high", "medium", "low"]),
             "decision": dec,
             "evidence": sorted(rnd.sample(evidence, rnd.randint(1, 3)), key=evidence.index)}
        if dec != "confirmed":
            f["comment"] = rnd.choice(comments)
        factors.append(f)
    return {"school_code": "170103", "project_year": 2026, "curator": rnd.choice(curators),
            "visit_type": rnd.choice(["verification", "monitoring"]), "visit_format": "onsite",
            "visit_date": date, "participants": ["director", "deputy", "teachers"],
            "factors": factors, "conclusions": "Итоги посещения обсуждены с директором.",
            "next_steps": "Концепция развития до конца четверти.", "medk_entered": True,
            "medk_date": date}

for kind, make, seed in (("survey", survey, 20261123), ("visit", visit, 20261202)):
    rnd = random.Random(seed)
    recs = []
    for i in range(n):
        ms = (now - 60000) if same else start + i * step + rnd.randrange(max(step, 1))
        b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
        b[6] = 0x70 | (b[6] & 0x0f)
        b[8] = 0x80 | (b[8] & 0x3f)
        recs.append({"id": str(uuid.UUID(bytes=bytes(b))), "fields": make(rnd, ms)})
    json.dump(recs, open("%s/%s.json" % (out, kind), "w"), ensure_ascii=False)
PY

export TETRAD_FORMS_DIR="$work/forms"
mkdir -p "$TETRAD_FORMS_DIR/dict"
# the records below are of version 1 (risk_visit-v1.json; v2 names its school field)
cp "$TETRAD_SOURCE_DIR/forms/risk_visit.json" "$TETRAD_SOURCE_DIR/forms/risk_visit-v1.json" \
	"$TETRAD_FORMS_DIR/"
cp "$TETRAD_SOURCE_DIR/forms/dict/risk_factors.json" "$TETRAD_FORMS_DIR/dict/"
cat >"$TETRAD_FORMS_DIR/bench_survey.json" <<'JSON'
{"format":1,"id":"bench_survey","version":1,"title":"Анкета обучающегося (тест)","fields":[
 {"id":"grade","label":"Класс","type":"integer","required":true,"min":1,"max":11},
 {"id":"enough_equipment","label":"Хватает оборудования","type":"integer","min":1,"max":5},
 {"id":"feel_safe","label":"Чувствую себя в безопасности","type":"integer","min":1,"max":5},
 {"id":"like_learning","label":"Интересно учиться","type":"integer","min":1,"max":5},
 {"id":"teacher_helps","label":"Учитель помогает","type":"integer","min":1,"max":5},
 {"id":"homework_hours","label":"Часов на домашние задания","type":"decimal","min":0,"max":12},
 {"id":"bullying","label":"Травля","type":"choice","choices":[{"code":"never","label":"нет"},
  {"code":"once","label":"один раз"},{"code":"sometimes","label":"иногда"},{"code":"often","label":"часто"}]},
 {"id":"plans","label":"Планы","type":"choice","choices":[{"code":"college","label":"колледж"},
  {"code":"university","label":"вуз"},{"code":"work","label":"работа"},{"code":"unknown","label":"не знаю"}]},
 {"id":"russian_at_home","label":"Дома говорят по-русски","type":"boolean"},
 {"id":"wish","label":"Пожелание","type":"text","max_length":500}]}
JSON

# tetrad_run KIND ROUND — a fresh hub and device, the outbox filled as the
# client writes it, one tetrad-syncd --once; appends "KIND run_s process_s"
tetrad_run() {
	local kind=$1 round=$2 form db t0 tetrad_ms run_ms
	form=$([ "$kind" = survey ] && echo bench_survey || echo risk_visit)
	mkdir -p "$work/hub-$kind-$round"
	hub_start "$work/hub-$kind-$round" --threads 2 || sync_fail "hub did not start"
	db="$work/school-$kind-$round.db"
	sync_mkdb "$db"
	sync_enroll "$db" || sync_fail "enroll"
	python3 - "$db" "$work/$kind.json" "$form" <<'PY'
import json, sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
rows = []
for i, r in enumerate(json.load(open(sys.argv[2]))):
    rid = uuid.UUID(r["id"]).bytes
    ms = int.from_bytes(rid[:6], "big")
    # the fields as the client writes them: canonical, members sorted, compact
    rows.append((i + 1, rid, sys.argv[3], "%012x-%04x-%s" % (ms, i % 0x10000, dev),
                 json.dumps(r["fields"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
db.executemany("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
               " VALUES(?, ?, 'put', ?, 1, '170103', ?, ?)", rows)
db.commit()
PY
	t0=$(date +%s%N)
	"$SYNCD" --once --no-pull --db "$db" --batch 1000 >/dev/null 2>"$work/log" \
		|| { cat "$work/log" >&2; sync_fail "tetrad push failed ($kind)"; }
	tetrad_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	run_ms=$(grep -o "duration_ms=[0-9]*" "$work/log" | tail -1 | cut -d= -f2)
	[ -n "$run_ms" ] || { cat "$work/log" >&2; sync_fail "tetrad-syncd did not report its duration"; }
	[ "$(hub_records)" = "$N" ] || sync_fail "$kind: hub holds $(hub_records) records, not $N"
	hub_stop
	rm -rf "$work/hub-$kind-$round" "$db" "$db"-*
	echo "$kind tetrad $run_ms $tetrad_ms" >>"$work/times"
}

# pouch_run KIND ROUND — a fresh express-pouchdb and local PouchDB
pouch_run() {
	local kind=$1 round=$2 port dir out
	port=$(hub_free_port)
	dir="$work/pouch-$kind-$round"
	mkdir -p "$dir"
	node "$pdir/server.js" "$port" "$dir" >"$work/server.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 1 100); do
		grep -q ready "$work/server.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q ready "$work/server.log" || { cat "$work/server.log" >&2; sync_fail "express-pouchdb did not start"; }
	out=$(node "$pdir/push.js" "$port" "$dir" "$work/$kind.json" ${BENCH_POUCH_BATCH:-}) \
		|| sync_fail "PouchDB replication failed ($kind)"
	stop_server
	rm -rf "$dir"
	echo "$kind pouch $(echo "$out" | awk '{printf "%d", $2 * 1000}')" >>"$work/times"
}

printf "%d records, 127.0.0.1, %d interleaved rounds\n" "$N" "$RUNS"
printf "  Tetrad  (HTTPS, signed + encrypted, sets of 1,000): the sync run as tetrad-syncd times it, and the process from exec to exit\n"
printf "  PouchDB (HTTP, replicate.to, batch_size %s): replicate.to() timed inside node\n" "${BENCH_POUCH_BATCH:-100 (default)}"
: >"$work/times"
for round in $(seq 1 "$RUNS"); do
	for kind in $KINDS; do
		tetrad_run "$kind" "$round"
		pouch_run "$kind" "$round"
		tail -2 "$work/times" | awk -v r="$round" -v k="$kind" '
			$2 == "tetrad" { u = $3; t = $4 } $2 == "pouch" { p = $3 }
			END { printf "  round %d %-6s  Tetrad run %6.3f s, process %6.3f s   PouchDB %6.3f s   ratio %5.1fx run, %5.1fx process\n",
			    r, k, u / 1000, t / 1000, p / 1000, p / u, p / t }'
	done
done

# min / median / max per kind; the ratios are taken round by round (a
# Tetrad run against the PouchDB run right after it), not from the medians
awk -v n="$N" '
	function stats(a, m, name, unit, fmt,   i, j, x, med) {
		for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		med = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		printf "    %-34s min " fmt "  median " fmt "  max " fmt "%s\n", name, a[1], med, a[m], unit
	}
	$2 == "tetrad" { k = $1; c = ++nt[k]; run[k, c] = $3; proc[k, c] = $4; if (!(k in seen)) { seen[k] = 1; order[++nk] = k } }
	$2 == "pouch" { k = $1; c = ++np[k]; pouch[k, c] = $3 }
	END {
		for (o = 1; o <= nk; o++) {
			k = order[o]; m = nt[k]
			printf "  %s (%s), %d rounds:\n", k, k == "survey" ? "flat, 10 fields" : "risk_visit, 11-factor group", m
			for (i = 1; i <= m; i++) { a[i] = run[k, i] / 1000 } stats(a, m, "Tetrad, the sync run", " s", "%7.3f")
			for (i = 1; i <= m; i++) { a[i] = proc[k, i] / 1000 } stats(a, m, "Tetrad, the whole process", " s", "%7.3f")
			for (i = 1; i <= m; i++) { a[i] = pouch[k, i] / 1000 } stats(a, m, "PouchDB replicate.to()", " s", "%7.3f")
			for (i = 1; i <= m; i++) { a[i] = n * 1000 / proc[k, i] } stats(a, m, "Tetrad records/s (process)", "", "%7.0f")
			for (i = 1; i <= m; i++) { a[i] = n * 1000 / pouch[k, i] } stats(a, m, "PouchDB records/s", "", "%7.0f")
			for (i = 1; i <= m; i++) { a[i] = pouch[k, i] / run[k, i] } stats(a, m, "ratio, run against run", "x", "%7.1f")
			for (i = 1; i <= m; i++) { a[i] = pouch[k, i] / proc[k, i] } stats(a, m, "ratio, counting the process", "x (target >= 20x)", "%7.1f")
		}
	}' "$work/times"
