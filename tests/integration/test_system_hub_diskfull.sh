#!/bin/bash
# test_system_hub_diskfull — the hub's disk fills up while a device pushes.
#
# The hub's data folder is a small tmpfs (needs root: otherwise the test is
# skipped with exit code 77). After a first good sync, the tmpfs is filled
# to the last byte and the device pushes 2,000 more records:
#  - the hub refuses with 503 and Retry-After (seen in its log), keeps
#    answering /v1/health, and stores nothing: hub_records, the accepted
#    change sets and the device's watermark do not move (nothing
#    half-applied); the device keeps every entry pending;
#  - the hub is killed with kill -9 on the still full disk and started
#    again: it starts (no write at start-up for a database at the current
#    schema), health answers 200, a push gets 503 and the device logs
#    a 503 to retry (exit 10), not "недоступен" (unreachable, exit 12);
#  - a syncd run started while the disk is still full waits as Retry-After
#    asks; the space is freed meanwhile, and the same run then gets
#    everything acknowledged by that same hub process;
#  - afterwards every record is on the hub exactly once with the device's
#    values, the change sets cover 1..N once, and hub.db passes
#    integrity_check.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (mounts a small tmpfs as the hub's disk)"
	exit 77
fi

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-diskfull.XXXXXX")
HUBDATA=$T/hubdata
MOUNTED=0
SYNC_PID=""
cleanup() {
	if [ -n "$SYNC_PID" ]; then
		kill -9 "$SYNC_PID" 2>/dev/null
		wait "$SYNC_PID" 2>/dev/null
	fi
	hub_stop
	if [ $MOUNTED = 1 ]; then
		umount "$HUBDATA" 2>/dev/null || umount -l "$HUBDATA" 2>/dev/null
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$HUBDATA"
if ! mount -t tmpfs -o size=48m,mode=0700 tmpfs "$HUBDATA" 2>"$T/mount.err"; then
	echo "SKIP: cannot mount a tmpfs here ($(cat "$T/mount.err")); needs root with CAP_SYS_ADMIN"
	exit 77
fi
MOUNTED=1

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }

# the hub's log lives on the real disk: it must survive the full tmpfs
ln -s "$T/serve.log" "$HUBDATA/serve.log"
hub_start "$HUBDATA" || exit 1

DB=$T/device.db
"$TETRAD" --db "$DB" init --school 170103 >/dev/null 2>>"$T/client.err" || { fail "tetrad init"; exit 1; }
"$SYNCD" enroll --db "$DB" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" \
	>/dev/null 2>>"$T/syncd.log" || { fail "enroll: $(tail -2 "$T/syncd.log")"; exit 1; }

csv() { # N START
	echo "academic_year;snapshot_date;level;class_name;students_total;families_total;large_families;low_income_families;single_parent_families;foster_children;orphans;disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families"
	local i
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		echo "2025/2026;2025-09-15;class;$((i % 11 + 1))В;$((30 + i % 40));25;$((i % 5));1;2;0;0;0;1;0;0;0;0;0;1;10;$((i % 9));0"
	done
}
hub_q() { sqlite3 "$HUB_DIR/hub.db" "$1" 2>&1; }

csv 50 1 >"$T/a.csv"
"$TETRAD" --db "$DB" import social_passport --csv "$T/a.csv" >/dev/null 2>>"$T/client.err"
if "$SYNCD" --once --db "$DB" --no-pull >/dev/null 2>>"$T/syncd.log" && [ "$(hub_q 'SELECT count(*) FROM hub_records')" = 50 ]; then
	pass "first sync with space on the disk: 50 records on the hub"
else
	fail "first sync: $(tail -2 "$T/syncd.log" | tr '\n' ' ')"
	exit 1
fi

csv 2000 51 >"$T/b.csv"
"$TETRAD" --db "$DB" import social_passport --csv "$T/b.csv" >/dev/null 2>>"$T/client.err" ||
	{ fail "import of 2,000 records: $(tail -1 "$T/client.err")"; exit 1; }

# Fill the hub's disk to the last byte.
dd if=/dev/zero of="$HUBDATA/filler" bs=64k 2>/dev/null
dd if=/dev/zero of="$HUBDATA/filler2" bs=512 2>/dev/null
sync
avail=$(df -B1 --output=avail "$HUBDATA" | tail -1 | tr -d ' ')
before_records=$(hub_q 'SELECT count(*) FROM hub_records')
before_sets=$(hub_q 'SELECT count(*) FROM changesets')
before_wm=$(hub_q 'SELECT watermark FROM devices')
before_503=$(grep -c ' 503 ' "$T/serve.log")

"$SYNCD" --once --db "$DB" --batch 200 --attempts 1 --no-pull >/dev/null 2>>"$T/syncd.log"
rc=$?
n503=$(( $(grep -c ' 503 ' "$T/serve.log") - before_503 ))
after_records=$(hub_q 'SELECT count(*) FROM hub_records')
after_sets=$(hub_q 'SELECT count(*) FROM changesets')
after_wm=$(hub_q 'SELECT watermark FROM devices')
if [ $rc -ne 0 ] && [ "$n503" -ge 1 ]; then
	pass "disk full ($avail bytes free): push refused with 503 ($n503 times), syncd exit $rc: $(grep ' 503 ' "$T/serve.log" | tail -1 | cut -c1-160)"
else
	fail "disk full ($avail bytes free): syncd exit $rc, $n503 answers 503 in the hub log"
fi
if [ "$after_records" = "$before_records" ] && [ "$after_sets" = "$before_sets" ] && [ "$after_wm" = "$before_wm" ]; then
	pass "nothing half-applied: hub_records $after_records, change sets $after_sets, watermark $after_wm unchanged"
else
	fail "the hub changed on a full disk: records $before_records→$after_records, sets $before_sets→$after_sets, watermark $before_wm→$after_wm"
fi
if curl -s --max-time 5 --cacert "$HUB_CA" "$HUB_URL/v1/health" | grep -q '"ok"'; then
	pass "health answers while the disk is full"
else
	fail "health does not answer while the disk is full"
fi
acked=$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'acked'")
if [ "$acked" = "$before_records" ]; then
	pass "the device kept the refused entries unacknowledged ($acked acked of 2,050)"
else
	fail "the device has $acked acknowledged entries, the hub $before_records records"
fi

# kill -9 on the full disk: the WAL and its -shm stay behind. The hub must
# start again there (a database at the current schema needs no write), answer
# health, and answer a device's push with 503 + Retry-After — "busy" on the
# device, never "unreachable" — without a byte of the set stored.
port=${HUB_URL##*:}
kill -9 "$HUB_PID" 2>/dev/null
wait "$HUB_PID" 2>/dev/null
HUB_PID=""
left="WAL $(stat -c %s "$HUBDATA/hub.db-wal" 2>/dev/null || echo none) bytes, -shm $(stat -c %s "$HUBDATA/hub.db-shm" 2>/dev/null || echo none) bytes left"
# whatever the dead process let go is taken too: the disk is full to the byte
dd if=/dev/zero of="$HUBDATA/filler3" bs=512 2>/dev/null
sync
avail=$(df -B1 --output=avail "$HUBDATA" | tail -1 | tr -d ' ')
before_503=$(grep -c ' 503 ' "$T/serve.log")
"$HUB_BIN" --data "$HUBDATA" serve --listen "127.0.0.1:$port" >>"$T/serve.log" 2>&1 &
HUB_PID=$!
up=0
for _ in $(seq 1 150); do
	if curl -s --max-time 2 --cacert "$HUB_CA" "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"'; then
		up=1
		break
	fi
	kill -0 "$HUB_PID" 2>/dev/null || break
	sleep 0.2
done
if [ $up = 1 ]; then
	pass "after kill -9 on the full disk ($avail bytes free, $left) the hub starts and health answers"
else
	fail "after kill -9 on the full disk ($avail bytes free, $left) the hub does not start: $(tail -3 "$T/serve.log" | tr '\n' ' ')"
	exit 1
fi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$HUB_CA" "$HUB_URL/v1/health")
[ "$code" = 200 ] && pass "health: HTTP 200 on the full disk" || fail "health: HTTP $code on the full disk"
: >"$T/syncd.busy.log"
"$SYNCD" --once --db "$DB" --batch 200 --attempts 1 --no-pull >/dev/null 2>"$T/syncd.busy.log"
rc=$?
cat "$T/syncd.busy.log" >>"$T/syncd.log"
n503=$(( $(grep -c ' 503 ' "$T/serve.log") - before_503 ))
# syncd's exit 12 and "недоступен" mean unreachable; a 503 is "busy, retry"
if [ $rc -ne 0 ] && [ $rc -ne 12 ] && [ "$n503" -ge 1 ] && grep -q '503' "$T/syncd.busy.log" &&
	! grep -q 'недоступен' "$T/syncd.busy.log"; then
	pass "push to the restarted hub on the full disk: 503 ($n503 times), syncd exit $rc (not 12, unreachable): $(grep '503' "$T/syncd.busy.log" | head -1 | cut -c1-160)"
else
	fail "push to the restarted hub on the full disk: syncd exit $rc, $n503 answers 503, syncd said: $(tr '\n' ' ' <"$T/syncd.busy.log" | cut -c1-300)"
fi
if [ "$(hub_q 'SELECT count(*) FROM hub_records')" = "$before_records" ] &&
	[ "$(hub_q 'SELECT watermark FROM devices')" = "$before_wm" ]; then
	pass "the restarted hub stored nothing on the full disk"
else
	fail "the restarted hub changed on the full disk"
fi

# A run that starts on the full disk, waits as Retry-After asks, and finishes
# once space is freed — on the hub restarted above, without another restart.
t0=$(date +%s)
"$SYNCD" --once --db "$DB" --batch 200 --attempts 3 --no-pull >/dev/null 2>>"$T/syncd.log" &
SYNC_PID=$!
sleep 3
rm -f "$HUBDATA/filler" "$HUBDATA/filler2" "$HUBDATA/filler3"
wait "$SYNC_PID"
rc=$?
SYNC_PID=""
secs=$(( $(date +%s) - t0 ))
if [ $rc -eq 0 ] && [ $secs -ge 20 ]; then
	pass "space freed: the same syncd run retried after Retry-After and finished in $secs s"
elif [ $rc -eq 0 ]; then
	fail "syncd finished in $secs s: it did not wait as the hub's Retry-After asked"
else
	fail "syncd after freeing space: exit $rc after $secs s: $(tail -2 "$T/syncd.log" | tr '\n' ' ')"
	"$SYNCD" --once --db "$DB" --no-pull >/dev/null 2>>"$T/syncd.log"
fi

"$TETRAD" --db "$DB" export social_passport --format json >"$T/export.json" 2>>"$T/client.err"
hub_stop
ic=$(hub_q "PRAGMA integrity_check")
if [ "$ic" = ok ]; then pass "hub.db integrity_check ok"; else fail "hub.db integrity_check: $ic"; fi

python3 - "$N" "$DB" "$HUB_DIR/hub.db" "$T/export.json" <<'PY'
import json, sqlite3, sys
n = int(sys.argv[1])
db, hub = sqlite3.connect(sys.argv[2]), sqlite3.connect(sys.argv[3])
exp = {r["id"]: r["data"] for r in json.load(open(sys.argv[4])) if r.get("status", "final") == "final"}
def uuid_of(h):
    h = h.lower()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
rows = {uuid_of(h): json.loads(d) for h, d in hub.execute("SELECT hex(id), data FROM hub_records")}
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
sets = sorted(hub.execute("SELECT first_seq, last_seq FROM changesets WHERE device_id = ?", (dev,)))
cover, holes = 1, 0
for f, l in sets:
    holes += f != cover
    cover = l + 1
acked = db.execute("SELECT count(*) FROM outbox WHERE state = 'acked'").fetchone()[0]
ok = len(exp) == 2050 and rows == exp and holes == 0 and cover == 2051 and acked == 2050
print("%s %d - every one of %d records on the hub once with the device's values (hub %d, "
      "sets cover 1..%d with %d gaps/overlaps, %d acknowledged)" % (
          "ok" if ok else "not ok", n + 1, len(exp), len(rows), cover - 1, holes, acked))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
[ $FAILS -eq 0 ] || echo "# $FAILS failed (KEEP=1 keeps $T)"
[ $FAILS -eq 0 ]
