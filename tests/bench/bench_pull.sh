#!/usr/bin/env bash
# bench_pull — issue 18, "a device that was offline for a term pulls
# 100,000 shared records": a real tetrad-hub on 127.0.0.1 (HTTPS, real
# SQLite) holds BENCH_PULL_N (default 100,000) social passports of school
# 170103, pushed by the school's first PC through tetrad-syncd; the school's
# second PC, enrolled before and never synced since, pulls them all
# (`tetrad-syncd pull`, or `--once` when there is no pull command). Prints
# records/s and peak RSS of that pull (target: 32 MiB), and, from a second
# device pulling the same through a byte-counting TCP relay (TLS passes
# through untouched), the bytes on the wire per record both ways, against the
# stored JSON (data + clock document) per record. Run by scripts/bench.sh
# (TETRAD_BIN set); exits 77 when the hub does not answer pulls yet.
#   BENCH_PULL_N=20000 bash tests/bench/bench_pull.sh   a shorter run
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
T="$TETRAD_BIN/tetrad"
N=${BENCH_PULL_N:-100000}

work=$(mktemp -d)
RELAY_PID=""
cleanup() {
	[ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:-$TETRAD_SOURCE_DIR/forms}"
mkdir -p "$work/hub"
hub_start "$work/hub" --threads 2 || sync_fail "hub did not start"
code=$(hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" 2>/dev/null)
if [ "$code" = 404 ] || [ "$code" = 000 ]; then
	echo "SKIP: this hub has no POST /v1/pull (answer $code)"
	exit 77
fi
pull=(--once --quiet)
"$SYNCD" --help 2>&1 | grep -q 'tetrad-syncd pull' && pull=(pull)

# device NAME — an initialised, enrolled school PC of 170103
device() {
	local tok
	"$T" --db "$work/$1.db" init --school 170103 --name "Школа 170103" >/dev/null 2>&1 || sync_fail "init $1"
	tok=$(hub_token --school 170103 --name "Школа 170103") || sync_fail "token"
	"$T" --db "$work/$1.db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >/dev/null 2>&1 \
		|| sync_fail "enroll $1"
}
device src
device pc2
device relay
# The second PCs' first sync (nothing yet): from now on they are "offline".
for d in pc2 relay; do
	"$SYNCD" --once --quiet --db "$work/$d.db" >/dev/null 2>&1 || sync_fail "first sync of $d"
done

# N passports queued on the first PC as the client queues them (the outbox
# view; HLC node = the device; canonical compact fields), then pushed.
python3 - "$work/src.db" "$N" "$TETRAD_SOURCE_DIR/tests/data/forms/social_passport.good.json" <<'PY'
import json, os, random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
n = int(sys.argv[2])
base = json.load(open(sys.argv[3], encoding="utf-8"))
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
seq = db.execute("SELECT COALESCE(MAX(seq),0) FROM outbox").fetchone()[0]
ms = int(time.time() * 1000) - n // 16 - 1000
rng = random.Random(1)
rows = []
for i in range(n):
    seq += 1
    b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    b[6] = 0x70 | (b[6] & 0x0f)
    b[8] = 0x80 | (b[8] & 0x3f)
    hlc = "%012x-%04x-%s" % (ms, i % 16, dev)
    if i % 16 == 15:
        ms += 1
    f = dict(base)
    f["level"] = "class"
    f["class_name"] = "%d%s" % (rng.randint(1, 11), rng.choice("АБВГ"))
    for k in ("large_families", "low_income_families", "single_parent_families", "sop_families"):
        f[k] = rng.randint(0, 60)
    rows.append((seq, bytes(b), "social_passport", 2, "170103", hlc,
                 json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
db.executemany("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
               " VALUES(?, ?, 'put', ?, ?, ?, ?, ?)", rows)
db.commit()
PY
"$SYNCD" --once --quiet --no-pull --db "$work/src.db" --batch 2000 >/dev/null 2>"$work/push.log" \
	|| { cat "$work/push.log" >&2; sync_fail "push of $N records"; }
held=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM hub_records WHERE form_id=\"social_passport\"").fetchone()[0])' "$HUB_DIR/hub.db")
[ "$held" = "$N" ] || sync_fail "hub holds $held passports, want $N"
stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT AVG(LENGTH(CAST(data AS BLOB)) + LENGTH(CAST(clocks AS BLOB))) FROM hub_records").fetchone()[0])' "$HUB_DIR/hub.db")

# records DB — the device's passports
records() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM records WHERE form_id=\"social_passport\"").fetchone()[0])' "$1"
}

# The timed pull: straight to the hub. The hub's CPU (clock ticks of its
# process) is counted too: on a shared machine the wall clock says little.
hub_ticks() { awk '{print $14 + $15}' "/proc/$HUB_PID/stat"; }
tick=$(python3 -c 'import os; print(os.sysconf("SC_CLK_TCK"))')
h0=$(hub_ticks)
load=$(cut -d' ' -f1 /proc/loadavg)
start=$(date +%s%N)
command time -f "%M %e %U %S" -o "$work/time" "$SYNCD" "${pull[@]}" --db "$work/pc2.db" >"$work/pull.out" 2>"$work/pull.log" \
	|| { cat "$work/pull.log" >&2; sync_fail "pull failed"; }
took=$(( ($(date +%s%N) - start) / 1000000 ))
hubcpu=$(awk -v a="$h0" -v b="$(hub_ticks)" -v t="$tick" 'BEGIN { printf "%.2f", (b - a) / t }')
got=$(records "$work/pc2.db")
[ "$got" = "$N" ] || sync_fail "the second PC holds $got passports after the pull, want $N: $(tail -3 "$work/pull.log")"
read -r rss _ usr sys <"$work/time"

# The counted pull: the same through a TCP relay that counts bytes.
port=$(hub_free_port)
python3 - "$port" "${HUB_URL##*:}" "$work/relay.bytes" <<'PY' &
import socket, sys, threading
port, up, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
tot = {"up": 0, "down": 0}
lock = threading.Lock()
def pump(a, b, k):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
            with lock:
                tot[k] += len(d)
                open(out, "w").write("%d %d\n" % (tot["up"], tot["down"]))
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
while True:
    c, _ = s.accept()
    u = socket.create_connection(("127.0.0.1", up))
    threading.Thread(target=pump, args=(c, u, "up"), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, "down"), daemon=True).start()
PY
RELAY_PID=$!
sleep 0.5
sync_set_url "$work/relay.db" "https://127.0.0.1:$port"
"$SYNCD" "${pull[@]}" --db "$work/relay.db" >/dev/null 2>"$work/relay.log" \
	|| { cat "$work/relay.log" >&2; sync_fail "pull through the relay failed"; }
got=$(records "$work/relay.db")
[ "$got" = "$N" ] || sync_fail "the relay device holds $got passports, want $N"
read -r up down <"$work/relay.bytes"

awk -v n="$N" -v hub="$hubcpu" -v load="$load" -v ms="$took" -v rss="$rss" -v usr="$usr" -v sys="$sys" -v up="$up" -v down="$down" -v st="$stored" 'BEGIN {
	printf "pull of %d shared records (social passports) after a term offline:\n", n
	printf "  %.1f s, %.0f records/s (load average %s at the start)\n", ms / 1000, n / (ms > 0 ? ms / 1000 : 0.001), load
	printf "  CPU: syncd %.1f s user + %.1f s sys, hub %.1f s: %.0f records per CPU second of both\n", usr, sys, hub, n / (usr + sys + hub)
	printf "  peak RSS of tetrad-syncd %.1f MiB (target 32 MiB)\n", rss / 1024
	printf "  wire: %.1f B/record from the hub, %.2f B/record to it (TLS included); stored JSON (data + clocks) %.0f B/record (%.2fx)\n", down / n, up / n, st, down / n / st
}'
awk -v rss="$rss" 'BEGIN { exit !(rss / 1024 > 32) }' && echo "over target: peak RSS $((rss / 1024)) MiB > 32 MiB"
exit 0
