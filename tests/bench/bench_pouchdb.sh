#!/usr/bin/env bash
# bench_pouchdb — the same 10,000 questionnaire records pushed two ways on
# 127.0.0.1, timing only the transfer:
#   Tetrad: tetrad-syncd --once → tetrad-hub over HTTPS (every change set
#           signed, encrypted, verified, decrypted, validated against the
#           form and applied durably, synchronous=FULL);
#   PouchDB: local.replicate.to() → express-pouchdb (LevelDB), plain HTTP.
# PouchDB is timed inside node, around replicate.to(): node's start, loading
# its modules and opening the local database are not in its figure. Tetrad
# is timed both ways: the sync run as tetrad-syncd times it (taking its lock,
# opening the database and keys, connecting, pushing, counting what is left,
# recording the result: the same span as replicate.to()), and the whole
# process from exec to exit, which adds loading some 35 shared libraries,
# most of them libcurl's (about 10 ms). Prints the times, records/s and both
# ratios (target: Tetrad ≥ 20× faster).
# Needs node and npm (scripts/install-deps.sh; node modules go to
# tests/bench/pouchdb/node_modules, not committed); without them, or without
# the npm registry, it says so and exits 77 (skipped).
#   BENCH_RECORDS=N    records (default 10,000)
#   BENCH_POUCH_BATCH=N  PouchDB batch_size (default: PouchDB's own, 100)
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
N=${BENCH_RECORDS:-10000}
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

work=$(mktemp -d)
server_pid=""
cleanup() {
	hub_stop
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The records: a student questionnaire, as a school enters them — over the
# last month, one every few minutes, so each id (UUIDv7, as the client makes
# them) carries its own creation time. BENCH_SAME_MS=1 gives every record
# the same millisecond instead: random insert positions on the hub, its
# worst case.
python3 - "$N" "$work/records.json" "${BENCH_SAME_MS:-0}" <<'PY'
import json, os, random, sys, time, uuid
n, out, same = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
rnd = random.Random(20261123)
wishes = ["Больше кружков после уроков", "Новые компьютеры в кабинете информатики",
          "Чтобы в столовой было вкуснее", "Больше экскурсий", ""]
now = int(time.time() * 1000)
start = now - 30 * 86400 * 1000
step = 0 if same else (now - 60000 - start) // max(n, 1)
recs = []
for i in range(n):
    ms = (now - 60000) if same else start + i * step + rnd.randrange(max(step, 1))
    b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    b[6] = 0x70 | (b[6] & 0x0f)
    b[8] = 0x80 | (b[8] & 0x3f)
    f = {"grade": rnd.randint(4, 11), "enough_equipment": rnd.randint(1, 5),
         "feel_safe": rnd.randint(1, 5), "like_learning": rnd.randint(1, 5),
         "teacher_helps": rnd.randint(1, 5), "homework_hours": rnd.choice([0.5, 1, 1.5, 2, 3]),
         "bullying": rnd.choice(["never", "once", "sometimes", "often"]),
         "plans": rnd.choice(["college", "university", "work", "unknown"]),
         "russian_at_home": rnd.random() < 0.9, "wish": rnd.choice(wishes)}
    recs.append({"id": str(uuid.UUID(bytes=bytes(b))), "fields": f})
json.dump(recs, open(out, "w"), ensure_ascii=False)
PY

# --- Tetrad ---------------------------------------------------------------
export TETRAD_FORMS_DIR="$work/forms"
mkdir -p "$TETRAD_FORMS_DIR"
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
mkdir -p "$work/hub"
hub_start "$work/hub" --threads 2 || sync_fail "hub did not start"
db="$work/school.db"
sync_mkdb "$db"
sync_enroll "$db" || sync_fail "enroll"
python3 - "$db" "$work/records.json" <<'PY'
import json, sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
rows = []
for i, r in enumerate(json.load(open(sys.argv[2]))):
    rid = uuid.UUID(r["id"]).bytes
    ms = int.from_bytes(rid[:6], "big")
    # the fields as the client writes them: canonical, members sorted, compact
    rows.append((i + 1, rid, "%012x-%04x-%s" % (ms, i % 0x10000, dev),
                 json.dumps(r["fields"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
db.executemany("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
               " VALUES(?, ?, 'put', 'bench_survey', 1, '170103', ?, ?)", rows)
db.commit()
PY
t0=$(date +%s%N)
"$SYNCD" --once --no-pull --db "$db" --batch 1000 >/dev/null 2>"$work/log" \
	|| { cat "$work/log" >&2; sync_fail "tetrad push failed"; }
tetrad_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
run_ms=$(grep -o "duration_ms=[0-9]*" "$work/log" | tail -1 | cut -d= -f2)
[ -n "$run_ms" ] || { cat "$work/log" >&2; sync_fail "tetrad-syncd did not report its duration"; }
[ "$(hub_records)" = "$N" ] || sync_fail "hub holds $(hub_records) records, not $N"
hub_stop

# --- PouchDB --------------------------------------------------------------
port=$(hub_free_port)
mkdir -p "$work/pouch"
node "$pdir/server.js" "$port" "$work/pouch" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	grep -q ready "$work/server.log" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$work/server.log" || { cat "$work/server.log" >&2; sync_fail "express-pouchdb did not start"; }
out=$(node "$pdir/push.js" "$port" "$work/pouch" "$work/records.json" ${BENCH_POUCH_BATCH:-}) \
	|| sync_fail "PouchDB replication failed"
pouch_s=$(echo "$out" | awk '{print $2}')

awk -v n="$N" -v t="$tetrad_ms" -v u="$run_ms" -v p="$pouch_s" -v b="${BENCH_POUCH_BATCH:-100 (default)}" 'BEGIN {
	ts = t / 1000
	us = u / 1000
	printf "%d records, 127.0.0.1\n", n
	printf "  Tetrad  (HTTPS, signed + encrypted, sets of 1,000)\n"
	printf "    the sync run, timed by tetrad-syncd:             %7.3f s  %8.0f records/s\n", us, n / us
	printf "    the whole process, exec to exit:                 %7.3f s  %8.0f records/s\n", ts, n / ts
	printf "  PouchDB (HTTP, replicate.to, batch_size %s)\n", b
	printf "    replicate.to(), timed inside node:               %7.3f s  %8.0f records/s\n", p, n / p
	printf "  ratio, run against run: Tetrad is %.1fx faster (target >= 20x)\n", p / us
	printf "  ratio, counting the start of the tetrad-syncd process: %.1fx\n", p / ts
}'
