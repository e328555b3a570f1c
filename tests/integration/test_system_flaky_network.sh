#!/bin/bash
# test_system_flaky_network — syncd → flakyproxy → hub: a network that drops,
# delays, stalls and truncates connections at random (tests/tools/flakyproxy.py,
# seeded). 10,000 records go from a device to the hub; afterwards both sides
# are identical: the same records with the same values, and the same change
# sets (ranges and chain hashes) on the device and on the hub, each accepted
# once, every outbox entry acknowledged.
#
# Default: 10,000 change sets of one record each (several minutes; the hub
# commits every set durably). TETRAD_FLAKY_BATCH=10: 1,000 sets of 10 records,
# about a minute. TETRAD_SEED fixes the proxy's choices.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

SEED=${TETRAD_SEED:-$(( $(date +%s) % 100000 ))}
RECORDS=${TETRAD_RECORDS:-10000}
# The normal suite sends 10,000 change sets of one record (about 7 minutes on
# 2 cores: the hub commits every set durably); the sanitizer suite, which
# only needs the code paths, sets TETRAD_FLAKY_BATCH=10 (1,000 sets).
BATCH=${TETRAD_FLAKY_BATCH:-1}
if [ "$BATCH" = 1 ]; then DEADLINE=840; else DEADLINE=420; fi
SETS=$(( (RECORDS + BATCH - 1) / BATCH ))
echo "# seed $SEED (TETRAD_SEED=$SEED): $RECORDS records in $SETS change sets of $BATCH"

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-flaky.XXXXXX")
PROXY_PID=""
cleanup() {
	if [ -n "$PROXY_PID" ]; then
		kill -TERM "$PROXY_PID" 2>/dev/null
		for _ in $(seq 1 30); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PROXY_PID" 2>/dev/null
		wait "$PROXY_PID" 2>/dev/null
	fi
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }

hub_start "$T/hub" || exit 1
HUB_PORT=${HUB_URL##*:}

python3 "$SRC/tests/tools/flakyproxy.py" --target "127.0.0.1:$HUB_PORT" --seed "$SEED" \
	--p-drop 0.08 --p-truncate 0.15 --p-stall 0.05 --p-delay 0.2 --max-delay-ms 100 \
	--p-cut-chunk 0.01 --p-stall-chunk 0.005 --max-stall-ms 4000 --max-truncate-bytes 65536 --max-seconds $((DEADLINE + 120)) \
	--parent $$ --port-file "$T/proxy.port" --log "$T/proxy.log" >/dev/null 2>>"$T/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 50); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
if [ ! -s "$T/proxy.port" ]; then
	fail "flakyproxy did not start: $(tail -3 "$T/proxy.log" 2>/dev/null)"
	exit 1
fi
PROXY_URL="https://127.0.0.1:$(cat "$T/proxy.port")"

DB=$T/device.db
"$TETRAD" --db "$DB" init --school 170103 >/dev/null 2>>"$T/client.err" || { fail "tetrad init"; exit 1; }
"$SYNCD" enroll --db "$DB" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" \
	>/dev/null 2>>"$T/syncd.log" || { fail "enroll: $(tail -2 "$T/syncd.log")"; exit 1; }
# From now on the device reaches the hub only through the proxy (same
# certificate: it is issued for 127.0.0.1, whatever the port).
sqlite3 "$DB" "UPDATE meta SET value='$PROXY_URL' WHERE key='hub_url'"

python3 - "$RECORDS" >"$T/passports.csv" <<'PY'
import sys
print("academic_year;snapshot_date;level;class_name;students_total;families_total;large_families;"
      "low_income_families;single_parent_families;foster_children;orphans;disabled_children;"
      "special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;"
      "unemployed_parents;parents_higher_education;non_native_russian;migrant_families")
for i in range(int(sys.argv[1])):
    print("2025/2026;2025-09-15;class;%d%s;%d;25;%d;1;2;0;0;0;1;0;0;0;0;0;1;10;%d;0" % (
        i % 11 + 1, "АБВГД"[i % 5], 30 + i % 50, i % 5, i % 7))
PY
if "$TETRAD" --db "$DB" import social_passport --csv "$T/passports.csv" >/dev/null 2>>"$T/client.err"; then
	pass "$RECORDS records entered on the device (CSV import)"
else
	fail "CSV import: $(tail -2 "$T/client.err")"
	exit 1
fi

t0=$(date +%s)
runs=0
rc=1
while :; do
	runs=$((runs + 1))
	"$SYNCD" --once --db "$DB" --batch "$BATCH" --attempts 3 --backoff-ms 20 --backoff-max-ms 300 \
		--connect-timeout-ms 2000 --timeout-ms 3000 --no-pull >/dev/null 2>>"$T/syncd.log"
	rc=$?
	[ $rc -eq 0 ] && break
	if [ $(( $(date +%s) - t0 )) -gt "$DEADLINE" ]; then
		break
	fi
	sleep 0.1
done
secs=$(( $(date +%s) - t0 ))
retries=$(grep -o 'retries=[0-9]*' "$T/syncd.log" | awk -F= '{s += $2} END {print s + 0}')
if [ $rc -eq 0 ]; then
	pass "everything acknowledged through the flaky proxy: $runs syncd runs, $retries retries, $secs s"
else
	fail "not all acknowledged after $secs s ($runs runs, last exit $rc): $(tail -2 "$T/syncd.log" | tr '\n' ' ')"
fi

kill -TERM "$PROXY_PID" 2>/dev/null
wait "$PROXY_PID" 2>/dev/null
PROXY_PID=""
stats=$(grep 'connections' "$T/proxy.log" | tail -1 | sed 's/^flakyproxy [0-9.]* //')
faults=$(echo "$stats" | sed -n 's/.*faults \([0-9]*\).*/\1/p')
if [ "${faults:-0}" -ge 5 ]; then
	pass "the proxy really was faulty: $stats"
else
	fail "the proxy injected too few faults to prove anything: $stats"
fi
replays=$(grep -c ' replay ' "$HUB_LOG")
echo "# the hub answered $replays replays (sets applied but their acknowledgement lost on the way)"

"$TETRAD" --db "$DB" export social_passport --format json >"$T/export.json" 2>>"$T/client.err" ||
	fail "tetrad export: $(tail -1 "$T/client.err")"
hub_stop
for db in "$DB" "$HUB_DIR/hub.db"; do
	ic=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
	if [ "$ic" = ok ]; then pass "integrity_check ok: $(basename "$db")"; else fail "integrity_check $(basename "$db"): $ic"; fi
done

python3 - "$N" "$DB" "$HUB_DIR/hub.db" "$T/export.json" "$RECORDS" "$SETS" <<'PY'
import json, sqlite3, sys
n, dbp, hubp, expp = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
records, sets_expected = int(sys.argv[5]), int(sys.argv[6])
fails = 0


def report(ok, msg):
    global n, fails
    n += 1
    fails += 0 if ok else 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, msg), flush=True)


def uuid_of(h):
    h = h.lower()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


db = sqlite3.connect(dbp)
hub = sqlite3.connect(hubp)
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
states = dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
report(states == {"acked": records}, "device: outbox %s (want %d acked)" % (states, records))
client_sets = sorted((f, l, h.lower()) for f, l, h, s in db.execute(
    "SELECT first_seq, last_seq, hex(set_hash), state FROM batches") if s == "acked")
unacked = db.execute("SELECT count(*) FROM batches WHERE state != 'acked'").fetchone()[0]
hub_sets = sorted((f, l, h.lower()) for f, l, h in hub.execute(
    "SELECT first_seq, last_seq, hex(set_hash) FROM changesets WHERE device_id = ? AND status = 'applied'",
    (dev,)))
other = hub.execute("SELECT count(*) FROM changesets WHERE device_id = ? AND status != 'applied'",
                    (dev,)).fetchone()[0]
report(len(client_sets) == sets_expected and unacked == 0,
       "device: %d change sets, all acknowledged (want %d; %d not acked)" % (
           len(client_sets), sets_expected, unacked))
report(client_sets == hub_sets and other == 0,
       "the same %d change sets (ranges and chain hashes) on the device and on the hub "
       "(hub has %d, %d not applied)" % (len(client_sets), len(hub_sets), other))
wm = hub.execute("SELECT watermark FROM devices WHERE id = ?", (dev,)).fetchone()[0]
cover, holes = 1, 0
for f, l, _ in hub_sets:
    holes += f != cover
    cover = l + 1
report(wm == records and holes == 0 and cover == records + 1,
       "hub watermark %d, sets cover 1..%d with %d gaps or overlaps" % (wm, cover - 1, holes))
exp = {r["id"]: r["data"] for r in json.load(open(expp)) if r.get("status", "final") == "final"}
rows = {uuid_of(h): (d, json.loads(v)) for h, d, v in hub.execute(
    "SELECT hex(id), deleted, data FROM hub_records")}
diff = [i for i in exp if i not in rows or rows[i][0] != 0 or rows[i][1] != exp[i]]
extra = [i for i in rows if i not in exp]
report(len(exp) == records and not diff and not extra,
       "identical records: %d on the device, %d on the hub, %d differ or missing, %d extra" % (
           len(exp), len(rows), len(diff), len(extra)))
q = hub.execute("SELECT count(*) FROM quarantine").fetchone()[0]
report(q == 0, "hub quarantine empty (%d)" % q)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

echo "# seed $SEED"
if [ $FAILS -ne 0 ]; then
	echo "# $FAILS failed; TETRAD_SEED=$SEED repeats the proxy's choices; KEEP=1 keeps $T"
	tail -5 "$T/proxy.log"
fi
[ $FAILS -eq 0 ]
