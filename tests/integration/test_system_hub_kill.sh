#!/bin/bash
# test_system_hub_kill — kill -9 everything at random moments; nothing lost,
# nothing twice.
#
# Three devices (two school devices, 170103 and 170104, and a curator's
# device for both schools) keep writing records (`tetrad new`, CSV imports,
# edits, deletes; some `tetrad new` runs are killed with SIGKILL mid-write)
# while their syncds push in a loop (some syncd runs are killed with SIGKILL
# mid-push), and the hub itself is killed with SIGKILL at random moments and
# restarted on the same port: 10 hub kills by default, 100 with TETRAD_LONG=1.
# Then everything is left to settle and:
#  - the hub holds exactly the union of what the devices finalized: the same
#    record ids, the same values (client `tetrad export --format json` against
#    hub_records), deleted records as tombstones, nothing the devices do not
#    have;
#  - nothing was applied twice: per device the hub's accepted change sets
#    cover 1..watermark without gap or overlap, the watermark is the device's
#    last outbox number, every outbox entry is acknowledged, the device's
#    batches and the hub's change sets have the same ranges and hashes, and
#    the conflict log is empty (each record has a single writer);
#  - every client database and hub.db pass PRAGMA integrity_check (the
#    hub.db check on SQLite only).
# The random choices come from TETRAD_SEED (printed); timing still varies.
#
# With TETRAD_HUB_PROCS=N (test_system_hub_procs.sh: 3) the hub is N
# `serve` processes on one PostgreSQL database (the tests' cluster, see
# lib_hub.sh) behind haproxy on 127.0.0.1 (TLS passed through: the devices
# pin the hub's own key), eight devices push through haproxy, and a random
# one of the processes is killed with SIGKILL and restarted on its port: 20
# kills by default (100 with TETRAD_LONG=1, 6 with TETRAD_TEST_SHORT=1: the
# sanitizer suite's setting in scripts/test.sh; one process keeps its 10
# there). The same checks hold: exactly the union of what the devices
# finalized, each set applied once.
#
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

SEED=${TETRAD_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
PROCS=${TETRAD_HUB_PROCS:-1}
if [ "$PROCS" -gt 1 ]; then
	[ -n "${TETRAD_TEST_PG_ENV:-}" ] || { echo "SKIP: several hub processes need the PostgreSQL store (TETRAD_TEST_PG_ENV)" >&2; exit 77; }
	command -v haproxy >/dev/null || { echo "SKIP: haproxy не установлен (scripts/install-deps.sh)" >&2; exit 77; }
	DEFAULT_KILLS=20
	[ "${TETRAD_TEST_SHORT:-0}" = 1 ] && DEFAULT_KILLS=6
else
	DEFAULT_KILLS=10
fi
if [ "${TETRAD_LONG:-0}" = 1 ]; then KILLS=${TETRAD_KILLS:-100}; else KILLS=${TETRAD_KILLS:-$DEFAULT_KILLS}; fi
echo "# seed $SEED (TETRAD_SEED=$SEED), $KILLS hub kills, $PROCS hub process(es)"

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-kill.XXXXXX")
STOP=$T/stop
LOOPS=()

cleanup() {
	touch "$STOP"
	local p
	for p in "${LOOPS[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		pkill -9 -P "$p" 2>/dev/null
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${PROC_PIDS[@]}" "$HAPROXY_PID"; do
		[ -n "$p" ] || continue
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	HUB_PID=
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }

PROC_PIDS=()
PROC_PORTS=()
HAPROXY_PID=""
hub_start "$T/hub" --threads 4 || exit 1
PROC_PIDS[0]=$HUB_PID
PROC_PORTS[0]=${HUB_URL##*:}

# (Re)starts process I on its port: the devices know the hub by its URL.
hub_restart() { # I
	local i p=${PROC_PORTS[$1]}
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" serve --listen "127.0.0.1:$p" \
			--threads 4 >>"$HUB_LOG.$1" 2>&1 &
		PROC_PIDS[$1]=$!
		for i in $(seq 1 100); do
			if curl -s --max-time 2 --cacert "$HUB_CA" "https://127.0.0.1:$p/v1/health" 2>/dev/null | grep -q '"ok"'; then
				return 0
			fi
			kill -0 "${PROC_PIDS[$1]}" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "${PROC_PIDS[$1]}" 2>/dev/null
		wait "${PROC_PIDS[$1]}" 2>/dev/null
		sleep 0.2
	done
	echo "hub process $1 did not restart on port $p:" >&2
	tail -5 "$HUB_LOG.$1" >&2
	return 1
}

DEV_URL=$HUB_URL
if [ "$PROCS" -gt 1 ]; then
	for i in $(seq 1 $((PROCS - 1))); do
		PROC_PORTS[$i]=$(hub_free_port)
		hub_restart "$i" || exit 1
	done
	# haproxy in front, TCP: TLS goes through to the hub processes, which
	# all hold the same key; a process that stops answering its health
	# check is out within a fifth of a second, and a connection haproxy
	# could not make is tried on another (redispatch)
	LB_PORT=$(hub_free_port)
	{
		printf 'global\n  maxconn 2048\ndefaults\n  mode tcp\n  timeout connect 1s\n'
		printf '  timeout client 30s\n  timeout server 30s\n  retries 2\n  option redispatch\n'
		printf 'frontend hub\n  bind 127.0.0.1:%s\n  default_backend hubs\n' "$LB_PORT"
		printf 'backend hubs\n  balance roundrobin\n  option httpchk\n'
		printf '  http-check send meth GET uri /v1/health\n  http-check expect status 200\n'
		printf '  default-server check check-ssl verify none inter 200ms fall 1 rise 2\n'
		for i in $(seq 0 $((PROCS - 1))); do
			printf '  server h%d 127.0.0.1:%s\n' "$i" "${PROC_PORTS[$i]}"
		done
	} >"$T/haproxy.cfg"
	haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
	HAPROXY_PID=$!
	DEV_URL="https://127.0.0.1:$LB_PORT"
	for _ in $(seq 1 100); do
		curl -s --max-time 2 --cacert "$HUB_CA" "$DEV_URL/v1/health" 2>/dev/null | grep -q '"ok"' && break
		sleep 0.1
	done
	curl -s --max-time 2 --cacert "$HUB_CA" "$DEV_URL/v1/health" 2>/dev/null | grep -q '"ok"' ||
		{ fail "haproxy on $DEV_URL: $(tail -3 "$T/haproxy.log")"; exit 1; }
	DEVS="s1 s2 s3 s4 s5 s6 s7 cur"
	declare -A SCHOOLS=([s1]=170101 [s2]=170102 [s3]=170103 [s4]=170104 [s5]=170105)
	SCHOOLS[s6]=170106
	SCHOOLS[s7]=170107
	SCHOOLS[cur]=170103
else
	DEVS="s1 s2 cur"
	declare -A SCHOOLS=([s1]=170103 [s2]=170104 [cur]=170103)
fi
for d in $DEVS; do
	db=$T/$d.db
	"$TETRAD" --db "$db" init --school "${SCHOOLS[$d]}" >/dev/null 2>>"$T/$d.err" || { fail "init $d"; exit 1; }
	if [ "$d" = cur ]; then
		tok=$(hub_token --curator "Куратор" --schools 170103,170104)
	else
		tok=$(hub_token --school "${SCHOOLS[$d]}")
	fi
	"$SYNCD" enroll --db "$db" --hub "$DEV_URL" --token "$tok" --ca "$HUB_CA" >/dev/null 2>>"$T/$d.err" ||
		{ fail "enroll $d: $(tail -2 "$T/$d.err")"; exit 1; }
done

passport() { # N: a valid social passport of class N
	printf '{"academic_year":"2025/2026","snapshot_date":"2025-10-01","level":"class",
 "class_name":"%dА","students_total":%d,"families_total":20,"large_families":%d,
 "low_income_families":2,"single_parent_families":3,"foster_children":0,"orphans":0,
 "disabled_children":1,"special_needs":1,"sop_families":0,"tjs_families":1,"kdn_registered":0,
 "pdn_registered":0,"school_registered":1,"unemployed_parents":2,"parents_higher_education":9,
 "non_native_russian":1,"migrant_families":0}' $(($1 % 11 + 1)) $((25 + $1 % 10)) $(($1 % 7))
}

csv_rows() { # N START: a CSV of N class passports
	echo "academic_year;snapshot_date;level;class_name;students_total;families_total;large_families;low_income_families;single_parent_families;foster_children;orphans;disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families"
	local i
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		echo "2025/2026;2025-09-15;class;$((i % 11 + 1))Б;30;25;$((i % 5));1;2;0;0;0;1;0;0;0;0;0;1;10;0;0"
	done
}

# writer DEV SEED: records until $STOP; some runs are SIGKILLed mid-write
writer() {
	local d=$1 db=$T/$1.db i=0 id school extra pid
	RANDOM=$2
	while [ ! -e "$STOP" ] && [ $i -lt 3000 ]; do
		i=$((i + 1))
		extra=()
		if [ "$d" = cur ]; then
			if [ $((RANDOM % 2)) = 0 ]; then school=170103; else school=170104; fi
			extra=(--school "$school")
		fi
		case $((RANDOM % 10)) in
		0 | 1 | 2 | 3)
			id=$(passport $i | "$TETRAD" --db "$db" new social_passport --json - "${extra[@]}" 2>>"$T/$d.err")
			[ -n "$id" ] && echo "$id" >>"$T/$d.ids"
			;;
		4)
			csv_rows $((RANDOM % 30 + 1)) $i >"$T/$d.csv"
			"$TETRAD" --db "$db" import social_passport --csv "$T/$d.csv" >/dev/null 2>>"$T/$d.err"
			;;
		5 | 6)
			id=$(shuf -n 1 "$T/$d.ids" 2>/dev/null)
			[ -n "$id" ] && "$TETRAD" --db "$db" edit "$id" --set "students_total=$((30 + RANDOM % 20))" \
				>/dev/null 2>>"$T/$d.err"
			;;
		7)
			id=$(shuf -n 1 "$T/$d.ids" 2>/dev/null)
			[ -n "$id" ] && "$TETRAD" --db "$db" delete "$id" >/dev/null 2>>"$T/$d.err"
			;;
		*)
			# a write killed at a random instant: all or nothing
			passport $i >"$T/$d.json"
			"$TETRAD" --db "$db" new social_passport --json "$T/$d.json" "${extra[@]}" \
				>>"$T/$d.killed-ids" 2>/dev/null &
			pid=$!
			sleep "0.0$((RANDOM % 30))"
			kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			echo "tetrad killed" >>"$T/$d.cli.kills"
			;;
		esac
		sleep "0.0$((RANDOM % 5))"
	done
}

# syncer DEV SEED: syncd --once in a loop until $STOP; some runs SIGKILLed
syncer() {
	local d=$1 db=$T/$1.db pid
	RANDOM=$2
	while [ ! -e "$STOP" ]; do
		"$SYNCD" --once --db "$db" --batch $((RANDOM % 20 + 1)) --attempts 2 --backoff-ms 50 \
			--backoff-max-ms 200 --connect-timeout-ms 1000 --timeout-ms 5000 --no-pull \
			>/dev/null 2>>"$T/$d.syncd.log" &
		pid=$!
		if [ $((RANDOM % 4)) = 0 ]; then
			sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
			kill -9 "$pid" 2>/dev/null
			echo "syncd killed" >>"$T/$d.syncd.kills"
		fi
		wait "$pid" 2>/dev/null
		sleep "0.0$((RANDOM % 10))"
	done
}

for d in $DEVS; do
	writer "$d" $((SEED + ${#d} * 7 + RANDOM)) &
	LOOPS+=($!)
	syncer "$d" $((SEED + ${#d} * 13 + RANDOM)) &
	LOOPS+=($!)
done

t0=$(date +%s)
for k in $(seq 1 "$KILLS"); do
	# with several processes the others carry on: kills come twice as often
	if [ "$PROCS" -gt 1 ]; then sleep "0.$((RANDOM % 10))$((RANDOM % 10))"; else
		sleep "$((RANDOM % 2)).$((RANDOM % 10))"; fi
	victim=$((RANDOM % PROCS))
	kill -9 "${PROC_PIDS[$victim]}" 2>/dev/null
	wait "${PROC_PIDS[$victim]}" 2>/dev/null
	sleep "0.$((RANDOM % 4))"
	if ! hub_restart "$victim"; then
		fail "hub process $victim restart after kill $k"
		exit 1
	fi
done
HUB_PID=${PROC_PIDS[0]}
touch "$STOP"
for p in "${LOOPS[@]}"; do wait "$p" 2>/dev/null; done
LOOPS=()
t1=$(date +%s)
syncd_kills=$(cat "$T"/*.syncd.kills 2>/dev/null | wc -l)
cli_kills=$(cat "$T"/*.cli.kills 2>/dev/null | wc -l)
pass "$KILLS hub kills, $syncd_kills syncd kills and $cli_kills client kills during $((t1 - t0)) s of writing and pushing"

# Settle: the hub stays up; each device pushes until everything is acknowledged.
for d in $DEVS; do
	rc=1
	for _ in $(seq 1 30); do
		"$SYNCD" --once --db "$T/$d.db" --attempts 3 --backoff-ms 100 --no-pull >/dev/null 2>>"$T/$d.syncd.log"
		rc=$?
		[ $rc -eq 0 ] && break
		sleep 0.3
	done
	if [ $rc -eq 0 ]; then
		pass "$d: final sync acknowledged everything"
	else
		fail "$d: final sync still exits $rc: $(tail -3 "$T/$d.syncd.log" | tr '\n' ' ')"
	fi
done

for d in $DEVS; do
	ic=$(sqlite3 "$T/$d.db" "PRAGMA integrity_check" 2>&1)
	if [ "$ic" = ok ]; then pass "$d: client database integrity_check ok"; else fail "$d: integrity_check: $ic"; fi
	"$TETRAD" --db "$T/$d.db" export social_passport --format json >"$T/$d.export.json" 2>>"$T/$d.err" ||
		fail "$d: tetrad export failed: $(tail -1 "$T/$d.err")"
	"$TETRAD" --db "$T/$d.db" list social_passport --status deleted --json >"$T/$d.deleted.json" 2>>"$T/$d.err" ||
		fail "$d: tetrad list --status deleted failed: $(tail -1 "$T/$d.err")"
done
for i in $(seq 0 $((PROCS - 1))); do
	HUB_PID=${PROC_PIDS[$i]}
	hub_stop
	PROC_PIDS[$i]=""
done
# SQLite's own check of its file; PostgreSQL has no such file check (its
# WAL recovery is what the kills exercise; the checks below read the result)
if [ -z "$HUB_PG" ]; then
	ic=$(sqlite3 "$HUB_DIR/hub.db" "PRAGMA integrity_check" 2>&1)
	if [ "$ic" = ok ]; then pass "hub.db integrity_check ok"; else fail "hub.db integrity_check: $ic"; fi
fi

PYTHONPATH="$SRC/tests/integration" python3 - "$N" "$T" "$HUB_DIR" $DEVS <<'PY'
import json, sqlite3, sys
import hub_store
n, T, hubdir, devs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
fails = 0


def report(ok, msg):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, msg), flush=True)


def uuid_of(hexid):
    h = hexid.lower()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


hub = hub_store.open_hub(hubdir)
hub_rows = {uuid_of(r[0]): (r[1], json.loads(r[2]), r[3], r[4]) for r in hub.execute(
    "SELECT %s AS id, deleted, data, device_id, form_id FROM hub_records" % hub_store.hex_sql("id"))}
union = {}
for d in devs:
    exp = json.load(open("%s/%s.export.json" % (T, d)))
    finals = {r["id"]: r for r in exp if r.get("status", "final") == "final"}
    deleted = {r["id"] for r in json.load(open("%s/%s.deleted.json" % (T, d)))}
    cdb = sqlite3.connect("%s/%s.db" % (T, d))
    dev = cdb.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
    maxseq = cdb.execute("SELECT COALESCE(max(seq),0) FROM outbox").fetchone()[0]
    states = dict(cdb.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    batches = sorted((f, l, h.lower()) for f, l, h in cdb.execute(
        "SELECT first_seq, last_seq, hex(set_hash) FROM batches WHERE state = 'acked'"))
    unacked_batches = cdb.execute("SELECT count(*) FROM batches WHERE state != 'acked'").fetchone()[0]
    cdb.close()
    # values: every final record on the hub, alive, with the same data
    missing = [i for i in finals if i not in hub_rows]
    wrong = [i for i in finals if i in hub_rows and (hub_rows[i][0] != 0 or hub_rows[i][1] != finals[i]["data"])]
    report(not missing and not wrong,
           "%s: %d finalized records on the hub with the same values (missing %d, different %d%s)" % (
               d, len(finals), len(missing), len(wrong),
               "" if not wrong else ": %s hub %s client %s" % (
                   wrong[0], hub_rows[wrong[0]][:2], finals[wrong[0]]["data"])))
    not_tomb = [i for i in deleted if i not in hub_rows or hub_rows[i][0] != 1]
    report(not not_tomb, "%s: %d deleted records are tombstones on the hub (wrong %d)" % (
        d, len(deleted), len(not_tomb)))
    for i in finals:
        union[i] = d
    for i in deleted:
        union[i] = d
    # sequence accounting: nothing twice, nothing skipped
    sets = sorted((f, l, h.lower(), s) for f, l, h, s in hub.execute(
        "SELECT first_seq, last_seq, %s AS h, status FROM changesets WHERE device_id = ?"
        % hub_store.hex_sql("set_hash"), (dev,)))
    wm = hub.execute("SELECT watermark FROM devices WHERE id = ?", (dev,)).fetchone()[0]
    expect, holes = 1, []
    for f, l, h, s in sets:
        if f != expect:
            holes.append((expect, f))
        expect = l + 1
    report(not holes and wm == maxseq and expect == wm + 1,
           "%s: hub change sets cover 1..%d exactly once (watermark %d, device's last number %d%s)" % (
               d, expect - 1, wm, maxseq, "" if not holes else ", gaps/overlaps at %s" % holes[:5]))
    applied_statuses = {s for _, _, _, s in sets}
    report(states.get("acked", 0) == maxseq and unacked_batches == 0 and applied_statuses <= {"applied"},
           "%s: all %d outbox entries acknowledged (%s), all batches acked, hub statuses %s" % (
               d, maxseq, states, sorted(applied_statuses)))
    report([(f, l, h) for f, l, h, _ in sets] == batches,
           "%s: the device's %d batches and the hub's %d change sets have the same ranges and hashes" % (
               d, len(batches), len(sets)))

extra = [i for i in hub_rows if i not in union]
report(not extra and len(hub_rows) == len(union),
       "the hub holds exactly the union: %d records on the hub, %d on the devices, %d unknown to any device" % (
           len(hub_rows), len(union), len(extra)))
conf = hub.execute("SELECT count(*) AS n FROM conflicts").fetchone()[0]
report(conf == 0, "conflict log empty (%d): no change applied twice or out of order" % conf)
quar = hub.execute("SELECT count(*) AS n FROM quarantine").fetchone()[0]
report(quar == 0, "quarantine empty (%d)" % quar)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

echo "# seed $SEED"
if [ $FAILS -ne 0 ]; then
	echo "# $FAILS failed (KEEP=1 keeps $T; TETRAD_SEED=$SEED repeats the random choices)"
	tail -20 "$HUB_LOG"* >&2
fi
[ $FAILS -eq 0 ]
