#!/usr/bin/env bash
# bench_sync — tetrad-syncd end to end against a real tetrad-hub on
# 127.0.0.1 (HTTPS, real SQLite both sides): records/s for change sets of 1,
# 100 and 10,000 records; peak RSS while pushing BENCH_SYNC_BIG (default
# 1,000,000) pending records; bytes on the wire per record against the same
# operations as plain JSON. Run by scripts/bench.sh (TETRAD_BIN set).
#   BENCH_SYNC_BIG=200000 bash tests/bench/bench_sync.sh   a shorter run
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

sync_workdir
export TETRAD_FORMS_DIR="$work/forms"
sync_forms "$TETRAD_FORMS_DIR"
mkdir -p "$work/hub"
hub_start "$work/hub" --threads 2 || sync_fail "hub did not start"

# plain_json DB — bytes of the pending operations as plain JSON (one object
# per op with the change-set member names), to compare with the wire.
plain_json() {
	python3 - "$1" <<'PY'
import json, sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
n = 0
for seq, rid, form, fv, school, hlc, fields in db.execute(
        "SELECT seq, record_id, form_id, form_version, school, hlc, fields FROM outbox "
        "WHERE state IN ('pending','sent')"):
    op = {"seq": seq, "id": str(uuid.UUID(bytes=rid)), "form": form, "fv": fv, "school": school,
          "op": "put", "hlc": hlc, "fields": json.loads(fields)}
    n += len(json.dumps(op, ensure_ascii=False, separators=(",", ":")).encode())
print(n)
PY
}

# run NAME RECORDS BATCH
run() {
	local name=$1 n=$2 batch=$3 db="$work/$1.db" start took bytes plain rss
	sync_mkdb "$db"
	sync_enroll "$db" || sync_fail "enroll"
	sync_add "$db" "$n"
	plain=$(plain_json "$db")
	start=$(date +%s%N)
	command time -f "%M" -o "$work/rss" "$SYNCD" --once --no-pull --db "$db" --batch "$batch" \
		>/dev/null 2>"$work/log" || { cat "$work/log" >&2; sync_fail "$name: sync failed"; }
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	bytes=$(grep -o ' bytes=[0-9]*' "$work/log" | tail -1 | cut -d= -f2)
	rss=$(tail -1 "$work/rss")
	[ "$(sync_outbox "$db" acked)" = "$n" ] || sync_fail "$name: not all acknowledged"
	awk -v name="$name" -v n="$n" -v ms="$took" -v b="$bytes" -v p="$plain" -v rss="$rss" 'BEGIN {
		printf "%-26s %9d records %8.1f s %9.0f records/s  wire %6.1f B/record  plain JSON %6.1f B/record (%.2fx)  peak RSS %.1f MiB\n",
		    name, n, ms / 1000, n / (ms > 0 ? ms / 1000 : 0.001), b / n, p / n, b / p, rss / 1024 }'
	rm -f "$db" "$db"-*
}

run "sets of 1 record" 2000 1
run "sets of 100 records" 20000 100
run "sets of 10,000 records" 100000 10000
run "1M pending, sets of 1,000" "${BENCH_SYNC_BIG:-1000000}" 1000
