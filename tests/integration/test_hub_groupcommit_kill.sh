#!/bin/bash
# test_hub_groupcommit_kill — many small change sets arriving together, the
# hub killed with SIGKILL at random moments: nothing lost, nothing twice, and
# every answer the hub gave is true after the restart (issue 19).
#
# Eight devices (TETRAD_DEVICES; tetrad clients enrolled with tokens, two
# schools) each hold a few hundred records of real forms (social passports imported from CSV, risk
# profile visits with their eleven factors) and keep writing more (imports,
# edits, deletes) while `tetrad-syncd --once --batch 1` pushes them in a loop:
# one record per set, so eight small sets are on their way at once and a hub
# with group commit puts them in one transaction. The hub is killed with
# SIGKILL 10 times (30 with TETRAD_LONG=1, or TETRAD_KILLS), each time after it
# has answered a random number of sets and at a random moment after that, and
# restarted on the same port and database. TETRAD_TEST_SHORT=1 (the sanitizer
# suite of scripts/test.sh): 4 kills, and more (at most 10) while none has
# cut a request yet, so that the check below holds as often as with 10; 100
# records a device to start instead of 200 (every set is pushed one record
# at a time, so the backlog sets the time: 100 still outlast 4 kills'
# quotas, keeping eight sets on their way at once until the last kill).
#
# At each kill, with the hub down, on a copy of its database:
#  - every set that hub process answered as applied (its log line is written
#    before the answer goes out) is there, as applied;
#  - every set a device holds as acknowledged is there with the same range and
#    hash. A hub that answers before its commit is durable fails here: the
#    device would otherwise "heal" it by the gap rewind and hide the loss.
# At the end, the hub stopped:
#  - every device says everything is sent (bounded; fails naming the device);
#  - each device's records on the hub with the device's values, deleted ones
#    as tombstones, the hub's record count equal to the devices' union;
#  - each device's chain: the hub's sets cover 1..watermark with no gap or
#    overlap, watermark (`tetrad-hub device list`) = the device's last
#    sequence, the device's batches and the hub's sets have the same ranges
#    and hashes; quarantine and conflict lists empty (`tetrad-hub quarantine
#    list`, `conflicts list`: each record has a single writer);
#  - no set applied twice: across all the hub processes' logs each range was
#    applied (not replayed) at most once, and no answer was gap, fork or 500;
#  - every hub process answered sets before its kill and the next one after
#    it; the requests each kill cut (syncd logs a reset or an empty reply)
#    and the replays that followed are counted, and at least one kill cut
#    requests (how many is chance: a hub that answers fast is rarely caught).
# SIGKILL loses what the hub process had not handed to the kernel: an answer
# before its commit is written. A commit written but not fsynced survives it
# (the page cache outlives the process); that needs a power cut, not tested here.
# Random choices come from TETRAD_SEED (printed); timing still varies.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

SEED=${TETRAD_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
if [ "${TETRAD_LONG:-0}" = 1 ]; then
	KILLS=${TETRAD_KILLS:-30}
	RECORDS=${TETRAD_RECORDS:-300}
elif [ "${TETRAD_TEST_SHORT:-0}" = 1 ]; then
	KILLS=${TETRAD_KILLS:-4}
	RECORDS=${TETRAD_RECORDS:-100}
else
	KILLS=${TETRAD_KILLS:-10}
	RECORDS=${TETRAD_RECORDS:-200}
fi
# Kills beyond KILLS, only while none has cut a request (short mode).
MAX_KILLS=$KILLS
[ "${TETRAD_TEST_SHORT:-0}" = 1 ] && [ "$KILLS" -lt 10 ] && MAX_KILLS=10
NDEV=${TETRAD_DEVICES:-8}
# Bounds, not timings: a hub that does not get there is reported, not waited for.
GATE_S=90       # for a hub process to answer its quota of sets
SETTLE_S=240    # for every device to have everything acknowledged at the end
echo "# seed $SEED (TETRAD_SEED=$SEED), $NDEV devices, $RECORDS records each to start, $KILLS hub kills"

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-gckill.XXXXXX")
STOP_WRITE=$T/stop-write
WRITTEN=$T/written
STOP_PUSH=$T/stop-push
LOOPS=()
WRITERS=()

cleanup() {
	touch "$STOP_WRITE" "$STOP_PUSH"
	local p
	for p in "${LOOPS[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$HUB_PID" ]; then
		kill -9 "$HUB_PID" 2>/dev/null
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
# Runs the checker; its ok/not ok lines continue the numbering.
check() {
	local out rc
	out=$(python3 "$T/check.py" "$@")
	rc=$?
	[ -n "$out" ] && echo "$out"
	N=$((N + $(printf '%s\n' "$out" | grep -c '^\(not \)\?ok ')))
	[ $rc -eq 0 ] || FAILS=$((FAILS + 1))
	return $rc
}

# The checks, on copies of hub.db (taken here, the hub being dead or stopped)
# and on the client databases read-only. Modes:
#   kill N SNAPDIR HUBDIR LOG DEVDB...   after kill N: what that hub process
#                                        answered and what the devices hold as
#                                        acknowledged are in the database
#   final N SNAPDIR HUBDIR T LOGS DEVDB... everything else (see the header)
cat >"$T/check.py" <<'PY'
import glob, json, os, re, shutil, sqlite3, sys

# "changeset addr=A device=D F-L HTTP STATUS[ replay] ..." and "... F-L 500: why"
LINE = re.compile(r"changeset addr=\S+ device=(\S+) (\d+)-(\d+) (\d+):? (\S+)( replay)?")
mode, n = sys.argv[1], int(sys.argv[2])
fails = 0


def report(ok, msg):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, msg), flush=True)


def snapshot(snapdir, hubdir):
    # a copy, so that nothing here writes to the hub's files (a reader of a
    # WAL database rebuilds its index in the -shm file)
    os.makedirs(snapdir, exist_ok=True)
    for suffix in ("", "-wal"):
        dst = os.path.join(snapdir, "hub.db" + suffix)
        if os.path.exists(dst):
            os.unlink(dst)
        src = os.path.join(hubdir, "hub.db" + suffix)
        if os.path.exists(src):
            shutil.copyfile(src, dst)
    return sqlite3.connect(os.path.join(snapdir, "hub.db"))


def answers(log):
    """(device, first, last, http, status, replay) per changeset answer line."""
    out = []
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                out.append((m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                            m.group(5), m.group(6) is not None))
    return out


def device(path):
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
    dev = c.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
    acked = [(f, l, h.lower()) for f, l, h in c.execute(
        "SELECT first_seq, last_seq, hex(set_hash) FROM batches WHERE state = 'acked'")]
    return c, dev, acked


def hub_sets(hub, dev):
    return {(f, l): (h.lower(), s) for f, l, h, s in hub.execute(
        "SELECT first_seq, last_seq, hex(set_hash), status FROM changesets WHERE device_id = ?",
        (dev,))}


def kill_check(k, snapdir, hubdir, log, dbs):
    hub = snapshot(snapdir, hubdir)
    ans = [a for a in answers(log) if a[3] == 200 and a[4] == "applied"]
    sets = {}
    lost = []
    for d, f, l, _, _, _ in ans:
        if d not in sets:
            sets[d] = hub_sets(hub, d)
        if sets[d].get((f, l), ("", ""))[1] != "applied":
            lost.append("%s %d-%d" % (d[:8], f, l))
    replays = sum(1 for a in ans if a[5])
    # none read would pass for all found: a changed log line must fail here
    report(ans and not lost, "kill %d: all %d sets this hub process answered as applied (%d "
           "replays) are in its database after the kill%s" % (
               k, len(ans), replays, "" if not lost else "; missing: %s" % lost[:5]))
    total, wrong = 0, []
    for p in dbs:
        c, dev, acked = device(p)
        c.close()
        hs = hub_sets(hub, dev)
        for f, l, h in acked:
            total += 1
            got = hs.get((f, l))
            if got is None or got[0] != h or got[1] != "applied":
                wrong.append("%s %d-%d hub %s" % (os.path.basename(p), f, l,
                                                  "missing" if got is None else got[1]))
    report(not wrong, "kill %d: all %d sets the devices hold as acknowledged are on the hub "
           "with the same range and hash%s" % (k, total, "" if not wrong else "; not: %s" % wrong[:5]))


def uuid_of(hexid):
    h = hexid.lower()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def final_check(snapdir, hubdir, T, logs, dbs):
    hub = snapshot(snapdir, hubdir)
    ic = hub.execute("PRAGMA integrity_check").fetchone()[0]
    report(ic == "ok", "hub.db integrity_check: %s" % ic)
    rows = {uuid_of(r[0]): (r[1], json.loads(r[2]), r[3]) for r in hub.execute(
        "SELECT hex(id), deleted, data, device_id FROM hub_records")}
    devlist = {d["id"]: d for d in json.load(open(os.path.join(T, "devices.json")))}
    union = set()
    for p in dbs:
        name = os.path.basename(p)[:-3]
        c, dev, acked = device(p)
        ic = c.execute("PRAGMA integrity_check").fetchone()[0]
        maxseq = c.execute("SELECT COALESCE(max(seq), 0) FROM outbox").fetchone()[0]
        states = dict(c.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        open_batches = c.execute("SELECT count(*) FROM batches WHERE state != 'acked'").fetchone()[0]
        c.close()
        report(ic == "ok", "%s: client database integrity_check: %s" % (name, ic))
        finals, deleted = {}, set()
        for form in ("social_passport", "risk_visit"):
            for r in json.load(open(os.path.join(T, "%s.%s.json" % (name, form)))):
                if r.get("status", "final") == "final":
                    finals[r["id"]] = r["data"]
        for r in json.load(open(os.path.join(T, "%s.deleted.json" % name))):
            deleted.add(r["id"])
        missing = [i for i in finals if i not in rows]
        wrong = [i for i in finals if i in rows and (rows[i][0] != 0 or rows[i][1] != finals[i]
                                                      or rows[i][2] != dev)]
        report(not missing and not wrong,
               "%s: its %d records are on the hub with its values (missing %d, different %d%s)" % (
                   name, len(finals), len(missing), len(wrong),
                   "" if not wrong else ": %s hub %s device %s" % (
                       wrong[0], rows[wrong[0]][:2], finals[wrong[0]])))
        tomb = [i for i in deleted if i not in rows or rows[i][0] != 1]
        report(not tomb, "%s: its %d deleted records are tombstones on the hub (wrong %d)" % (
            name, len(deleted), len(tomb)))
        union |= set(finals) | deleted
        report(states.get("acked", 0) == maxseq and open_batches == 0,
               "%s: all %d outbox entries acknowledged (%s), no batch open (%d)" % (
                   name, maxseq, states, open_batches))
        sets = sorted((f, l, h, s) for (f, l), (h, s) in hub_sets(hub, dev).items())
        expect, holes = 1, []
        for f, l, _, _ in sets:
            if f != expect:
                holes.append((expect, f))
            expect = l + 1
        wm = devlist.get(dev, {}).get("watermark")   # a number in the listing's JSON
        report(not holes and expect == maxseq + 1 and wm == maxseq and
               {s for _, _, _, s in sets} <= {"applied"},
               "%s: the hub's %d sets of it cover 1..%d exactly once, all applied; watermark %s "
               "(tetrad-hub device list) = its last sequence %d%s" % (
                   name, len(sets), expect - 1, wm, maxseq,
                   "" if not holes else "; gaps/overlaps at %s" % holes[:5]))
        report([(f, l, h) for f, l, h, _ in sets] == sorted(acked),
               "%s: its %d acknowledged batches and the hub's %d sets have the same ranges "
               "and hashes" % (name, len(acked), len(sets)))
    extra = [i for i in rows if i not in union]
    report(not extra and len(rows) == len(union),
           "the hub holds %d records, the devices %d, unknown to any device %d" % (
               len(rows), len(union), len(extra)))
    quar = json.load(open(os.path.join(T, "quarantine.json")))
    conf = json.load(open(os.path.join(T, "conflicts.json")))
    report(not quar, "tetrad-hub quarantine list: empty (%d)" % len(quar))
    report(not conf, "tetrad-hub conflicts list: empty (%d): no change applied twice or out "
           "of order" % len(conf))
    # the logs of all the hub processes: nothing applied twice, no bad answer
    applied, bad, replays, per = {}, [], 0, []
    for log in logs:
        a = answers(log)
        per.append(sum(1 for x in a if x[3] == 200))
        for d, f, l, http, st, rep in a:
            if http == 200 and st == "applied" and not rep:
                applied[(d, f, l)] = applied.get((d, f, l), 0) + 1
            elif http == 200 and rep:
                replays += 1
            elif http != 503:
                bad.append("%s %d-%d %d %s" % (d[:8], f, l, http, st))
    twice = [k for k, v in applied.items() if v > 1]
    report(not twice, "no set applied twice: %d ranges applied once across %d hub processes, "
           "%d replays answered from the store%s" % (
               len(applied), len(logs), replays,
               "" if not twice else "; twice: %s" % twice[:5]))
    report(not bad, "no answer other than applied or busy (gap, fork, refused, 500): %d%s" % (
        len(bad), "" if not bad else ": %s" % bad[:5]))
    idle = [i for i, c in enumerate(per) if c == 0]
    report(not idle, "every hub process answered sets (before its kill, and the last one after "
           "the last kill): %s" % per)


if mode == "kill":
    kill_check(int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
else:
    T = sys.argv[5]
    logs = sys.argv[6].split(",")
    final_check(sys.argv[3], sys.argv[4], T, logs, sys.argv[7:])
sys.exit(1 if fails else 0)
PY

hub_start "$T/hub" --threads 4 || exit 1
HUB_PORT=${HUB_URL##*:}
LOGS=("$HUB_LOG")

# Restart on the same port and database (the devices know the hub by its
# URL), each process with its own log.
hub_restart() {
	local i log=$HUB_DIR/serve.$1.log
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" serve --listen "127.0.0.1:$HUB_PORT" \
			--threads 4 >>"$log" 2>&1 &
		HUB_PID=$!
		for i in $(seq 1 100); do
			if curl -s --max-time 2 --cacert "$HUB_CA" "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"'; then
				LOGS+=("$log")
				return 0
			fi
			kill -0 "$HUB_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$HUB_PID" 2>/dev/null
		wait "$HUB_PID" 2>/dev/null
		sleep 0.2
	done
	echo "hub did not restart on port $HUB_PORT:" >&2
	tail -5 "$log" >&2
	return 1
}

# --- devices: enrolled, each with RECORDS social passports and a few visits
csv_rows() { # N START: a CSV of N class passports
	echo "academic_year;snapshot_date;level;class_name;students_total;families_total;large_families;low_income_families;single_parent_families;foster_children;orphans;disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families"
	local i
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		echo "2025/2026;2025-09-15;class;$((i % 11 + 1))$((i % 3));$((25 + i % 10));25;$((i % 5));1;2;0;0;0;1;0;0;0;0;0;1;10;0;0"
	done
}

python3 - "$TETRAD_FORMS_DIR/dict/risk_factors.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for school in ("170103", "170104"):
    items = []
    for i, e in enumerate(d["entries"]):
        it = {"factor": e["code"], "decision": "confirmed", "evidence": ["documents"]}
        if i == 1:
            it = {"factor": e["code"], "decision": "not_confirmed",
                  "comment": "Документы не подтверждают"}
        items.append(it)
    with open("%s/rv.%s.json" % (sys.argv[2], school), "w") as f:
        json.dump({"school_code": school, "project_year": 2025, "curator": "Сидорова А. А.",
                   "visit_type": "verification", "visit_format": "onsite",
                   "visit_date": "2025-10-01", "participants": ["director", "teachers"],
                   "factors": items, "medk_entered": False}, f, ensure_ascii=False)
PY

DEVS=()
declare -A SCHOOL
for i in $(seq 1 "$NDEV"); do
	d=d$i
	DEVS+=("$d")
	if [ $((i % 2)) = 1 ]; then SCHOOL[$d]=170103; else SCHOOL[$d]=170104; fi
	db=$T/$d.db
	"$TETRAD" --db "$db" init --school "${SCHOOL[$d]}" >/dev/null 2>>"$T/$d.err" || { fail "init $d: $(tail -2 "$T/$d.err")"; exit 1; }
	tok=$(hub_token --school "${SCHOOL[$d]}" --name "Школа ${SCHOOL[$d]}")
	"$SYNCD" enroll --db "$db" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" --label "$d" >/dev/null 2>>"$T/$d.err" ||
		{ fail "enroll $d: $(tail -2 "$T/$d.err")"; exit 1; }
	csv_rows "$RECORDS" $((i * 100000)) >"$T/$d.csv"
	"$TETRAD" --db "$db" import social_passport --csv "$T/$d.csv" >/dev/null 2>>"$T/$d.err" ||
		{ fail "import $d: $(tail -2 "$T/$d.err")"; exit 1; }
	for _ in 1 2 3; do
		"$TETRAD" --db "$db" new risk_visit --json "$T/rv.${SCHOOL[$d]}.json" >/dev/null 2>>"$T/$d.err" ||
			{ fail "risk visit on $d: $(tail -2 "$T/$d.err")"; exit 1; }
	done
	"$TETRAD" --db "$db" list social_passport --json >"$T/$d.list.json" 2>>"$T/$d.err" &&
		python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(open(sys.argv[1]))))' \
			"$T/$d.list.json" >"$T/$d.ids" || { fail "list $d"; exit 1; }
done
pass "$NDEV devices enrolled, each with $RECORDS social passports and 3 risk visits queued"

# writer DEV N SEED: more records until STOP_WRITE (imports, edits, visits, deletes)
writer() {
	local d=$1 db=$T/$1.db i=$(($2 * 100000 + 50000)) id
	RANDOM=$3
	while [ ! -e "$STOP_WRITE" ]; do
		case $((RANDOM % 10)) in
		0 | 1 | 2 | 3)
			csv_rows $((RANDOM % 10 + 3)) $i >"$T/$d.more.csv"
			i=$((i + 20))
			"$TETRAD" --db "$db" import social_passport --csv "$T/$d.more.csv" >/dev/null 2>>"$T/$d.err"
			;;
		4 | 5 | 6 | 7)
			id=$(shuf -n 1 "$T/$d.ids")
			"$TETRAD" --db "$db" edit "$id" --set "students_total=$((30 + RANDOM % 20))" >/dev/null 2>>"$T/$d.err"
			;;
		8)
			"$TETRAD" --db "$db" new risk_visit --json "$T/rv.${SCHOOL[$d]}.json" >/dev/null 2>>"$T/$d.err"
			;;
		*)
			# a deleted record is not edited again (an edit would be refused)
			id=$(shuf -n 1 "$T/$d.ids")
			if "$TETRAD" --db "$db" delete "$id" >/dev/null 2>>"$T/$d.err"; then
				grep -vxF "$id" "$T/$d.ids" >"$T/$d.ids.new"
				cat "$T/$d.ids.new" >"$T/$d.ids"
			fi
			;;
		esac
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
	done
}

# pusher DEV SEED: one-record sets, syncd --once in a loop; done after a run
# that began with every writer gone and acknowledged everything (exit 0)
pusher() {
	local d=$1 db=$T/$1.db over rc
	RANDOM=$2
	while [ ! -e "$STOP_PUSH" ]; do
		over=0
		[ -e "$WRITTEN" ] && over=1
		"$SYNCD" --once --db "$db" --batch 1 --attempts 3 --backoff-ms 50 --backoff-max-ms 300 \
			--connect-timeout-ms 1000 --timeout-ms 15000 --no-pull >/dev/null 2>>"$T/$d.syncd.log"
		rc=$?
		echo "$rc" >>"$T/$d.rcs"
		if [ $over = 1 ] && [ $rc = 0 ]; then
			touch "$T/$d.done"
			return 0
		fi
		sleep "0.0$((RANDOM % 10))"
	done
}

# hub answers as applied so far in LOG; requests cut mid-flight so far
answered() { grep -c ' 200 applied' "$1"; }
# A request the kill cut: sent on an open connection, then reset or left
# unanswered (curl: "Connection reset by peer", "Empty reply from server");
# a reset in the TLS handshake (syncd: «сертификат хаба ... не прошёл
# проверку») was no request yet, a refused connect none at all.
cut_requests() {
	cat "$T"/*.syncd.log 2>/dev/null | grep -E 'Connection reset by peer|Empty reply from server' |
		grep -vc 'сертификат хаба'
}

for i in $(seq 1 "$NDEV"); do
	writer "d$i" "$i" $((SEED + i * 7 + RANDOM)) &
	WRITERS+=($!)
	LOOPS+=($!)
	pusher "d$i" $((SEED + i * 13 + RANDOM)) &
	LOOPS+=($!)
done

t0=$(date +%s)
CUT=()
CUT_KILLS=0
k=0
while [ $k -lt "$KILLS" ] || { [ $CUT_KILLS = 0 ] && [ $k -lt "$MAX_KILLS" ]; }; do
	k=$((k + 1))
	log=${LOGS[$((k - 1))]}
	# a random quota of answers for this process, then a random moment
	quota=$((20 + RANDOM % 300))
	for _ in $(seq 1 $((GATE_S * 10))); do
		[ "$(answered "$log")" -ge $quota ] && break
		sleep 0.1
	done
	got=$(answered "$log")
	if [ "$got" -lt $quota ]; then
		fail "hub process $k answered $got sets in $GATE_S s, not the $quota awaited: $(tail -2 "$log" | tr '\n' ' ')"
		exit 1
	fi
	sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
	c0=$(cut_requests)
	kill -9 "$HUB_PID" 2>/dev/null
	wait "$HUB_PID" 2>/dev/null
	HUB_PID=""
	check kill "$N" "$k" "$T/snap" "$HUB_DIR" "$log" "$T"/d*.db
	c1=$(cut_requests)
	CUT+=($((c1 - c0)))
	[ $((c1 - c0)) -gt 0 ] && CUT_KILLS=$((CUT_KILLS + 1))
	if ! hub_restart "$k"; then
		fail "hub restart after kill $k"
		exit 1
	fi
done
touch "$STOP_WRITE"
for p in "${WRITERS[@]}"; do wait "$p" 2>/dev/null; done
touch "$WRITTEN"
t1=$(date +%s)
KILLS=$k
pass "$KILLS hub kills in $((t1 - t0)) s of writing and pushing; requests cut by each kill: ${CUT[*]}"
# Whether a kill finds a request at the hub is chance (most of a device's
# time goes to its own work between sets, and the hub answers a one-record
# set in a few milliseconds): some kill must, or nothing here was tested.
if [ "$CUT_KILLS" -ge 1 ]; then
	pass "$CUT_KILLS of $KILLS kills cut requests in flight (syncd: connection reset or empty reply)"
else
	fail "only $CUT_KILLS of $KILLS kills cut a request in flight: the kills did not land where they should"
fi

# Settle: the hub stays up until every device has everything acknowledged.
for _ in $(seq 1 $((SETTLE_S * 10))); do
	left=0
	for d in "${DEVS[@]}"; do [ -e "$T/$d.done" ] || left=$((left + 1)); done
	[ $left = 0 ] && break
	sleep 0.1
done
touch "$STOP_PUSH"
for p in "${LOOPS[@]}"; do wait "$p" 2>/dev/null; done
LOOPS=()
t2=$(date +%s)
left=()
for d in "${DEVS[@]}"; do [ -e "$T/$d.done" ] || left+=("$d"); done
if [ ${#left[@]} = 0 ]; then
	pass "every device says everything is sent (syncd exit 0) $((t2 - t1)) s after the last kill"
else
	fail "not everything sent $SETTLE_S s after the last kill: ${left[*]}; ${left[0]}'s last syncd exits $(tail -3 "$T/${left[0]}.rcs" | tr '\n' ' ')and log: $(tail -3 "$T/${left[0]}.syncd.log" | tr '\n' ' ')"
fi

hub_stop
for d in "${DEVS[@]}"; do
	for form in social_passport risk_visit; do
		"$TETRAD" --db "$T/$d.db" export "$form" --format json >"$T/$d.$form.json" 2>>"$T/$d.err" ||
			fail "$d: tetrad export $form: $(tail -1 "$T/$d.err")"
	done
	"$TETRAD" --db "$T/$d.db" list --status deleted --json >"$T/$d.deleted.json" 2>>"$T/$d.err" ||
		fail "$d: tetrad list --status deleted: $(tail -1 "$T/$d.err")"
done
hub_cli device list --json >"$T/devices.json" 2>>"$T/hubcli.err" || fail "tetrad-hub device list: $(tail -1 "$T/hubcli.err")"
hub_cli quarantine list --json >"$T/quarantine.json" 2>>"$T/hubcli.err" || fail "tetrad-hub quarantine list: $(tail -1 "$T/hubcli.err")"
hub_cli conflicts list --json >"$T/conflicts.json" 2>>"$T/hubcli.err" || fail "tetrad-hub conflicts list: $(tail -1 "$T/hubcli.err")"
# A sanitizer build reports into these logs (a report ends the program, but
# a hub that dies is only restarted, and a leak shows at a clean exit).
san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "${LOGS[@]}" "$T"/*.syncd.log "$T"/*.err 2>/dev/null)
if [ -z "$san" ]; then
	pass "no sanitizer report in the hub's, syncd's or tetrad's logs"
else
	fail "sanitizer reports in: $(echo "$san" | tr '\n' ' ')"
	grep -hE -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' $san | head -30
fi
all_logs=$(IFS=,; echo "${LOGS[*]}")
check final "$N" "$T/snap" "$HUB_DIR" "$T" "$all_logs" "$T"/d*.db

echo "# seed $SEED; $((t2 - t0)) s from the first push to the last acknowledgement"
if [ $FAILS -ne 0 ]; then
	echo "# $FAILS failed (KEEP=1 keeps $T; TETRAD_SEED=$SEED repeats the random choices)"
fi
[ $FAILS -eq 0 ]
