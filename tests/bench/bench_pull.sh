#!/usr/bin/env bash
# bench_pull — issue 18, "a device that was offline for a term pulls
# 100,000 shared records": a real tetrad-hub on 127.0.0.1 (HTTPS, real
# SQLite) holds N shared records of school 170103, pushed by the school's
# first PC through tetrad-syncd; the school's second PC, enrolled before and
# never synced since, pulls them all (`tetrad-syncd pull`). Prints records/s,
# the CPU of syncd and of the hub, and peak RSS of that pull (target:
# 32 MiB), and, from a third PC pulling the same through a byte-counting TCP
# relay (TLS passes through untouched), the bytes on the wire per record both
# ways, against the stored JSON (data + clock document) per record. Two
# runs, each on a fresh hub: social passports (≈ 0.6 KB), then risk visits
# (≈ 2.5 KB, the heaviest shared record). Run by scripts/bench.sh
# (TETRAD_BIN set); exits 77 when the hub does not answer pulls.
#   BENCH_PULL_N=20000 bash tests/bench/bench_pull.sh        a shorter run
#   BENCH_PULL_FORMS=social_passport ...                       one form only
#   KEEP=1                                                     keep the folders
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
T="$TETRAD_BIN/tetrad"
N=${BENCH_PULL_N:-100000}
FORMS=${BENCH_PULL_FORMS:-social_passport risk_visit}

top=$(mktemp -d)
RELAY_PID=""
relay_stop() {
	if [ -n "$RELAY_PID" ]; then
		kill "$RELAY_PID" 2>/dev/null
		wait "$RELAY_PID" 2>/dev/null
		RELAY_PID=""
	fi
}
cleanup() {
	relay_stop
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $top" >&2; else rm -rf "$top"; fi
}
trap cleanup EXIT
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:-$TETRAD_SOURCE_DIR/forms}"
tick=$(python3 -c 'import os; print(os.sysconf("SC_CLK_TCK"))')
hub_ticks() { awk '{print $14 + $15}' "/proc/$HUB_PID/stat"; }

# device NAME — an initialised, enrolled school PC of 170103
device() {
	local tok
	"$T" --db "$work/$1.db" init --school 170103 --name "Школа 170103" >/dev/null 2>&1 || sync_fail "init $1"
	tok=$(hub_token --school 170103 --name "Школа 170103") || sync_fail "token"
	"$T" --db "$work/$1.db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >/dev/null 2>&1 \
		|| sync_fail "enroll $1"
}

# count DB FORM — the device's records of FORM
count() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM records WHERE form_id=?", (sys.argv[2],)).fetchone()[0])' "$1" "$2"
}

# run FORM — one bench on a fresh hub
run() {
	local form=$1 h0 load start took hubcpu got rss usr sys up down stored port held
	work="$top/$form"
	mkdir -p "$work/hub"
	hub_start "$work/hub" --threads 2 || sync_fail "hub did not start"
	local code
	code=$(hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" 2>/dev/null)
	if [ "$code" = 404 ] || [ "$code" = 000 ]; then
		echo "SKIP: this hub has no POST /v1/pull (answer $code)"
		exit 77
	fi
	device src
	device pc2
	device relay
	# The second PCs' first sync (nothing yet): from now on they are "offline".
	for d in pc2 relay; do
		"$SYNCD" --once --quiet --db "$work/$d.db" >/dev/null 2>&1 || sync_fail "first sync of $d"
	done

	# N records queued on the first PC as the client queues them (the outbox
	# view; HLC node = the device; canonical compact fields), then pushed.
	python3 - "$work/src.db" "$N" "$form" "$TETRAD_SOURCE_DIR/tests/data/forms/$form.good.json" <<'PY' || sync_fail "queue"
import json, os, random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
n, form = int(sys.argv[2]), sys.argv[3]
base = json.load(open(sys.argv[4], encoding="utf-8"))
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
seq = db.execute("SELECT COALESCE(MAX(seq),0) FROM outbox").fetchone()[0]
fv = 2
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
    f = json.loads(json.dumps(base))
    if form == "social_passport":
        f["level"] = "class"
        f["class_name"] = "%d%s" % (rng.randint(1, 11), rng.choice("АБВГ"))
        for k in ("large_families", "low_income_families", "single_parent_families", "sop_families"):
            f[k] = rng.randint(0, 60)
    else:
        f["school_code"] = "170103"
        f["visit_date"] = "2021-%02d-%02d" % (rng.randint(3, 12), rng.randint(1, 28))
        f["medk_entered"] = False
        f.pop("medk_date", None)
        for it in f["factors"]:
            it.pop("profile_level", None)
            it["decision"] = rng.choice(["confirmed", "not_confirmed"])
            if it["decision"] == "confirmed":
                it.pop("comment", None)
            else:
                it["comment"] = "Не подтверждён на визите: документы и беседа с администрацией"
        f["conclusions"] = "Визит %d: выводы куратора по итогам посещения школы" % i
    rows.append((seq, bytes(b), form, fv, "170103", hlc,
                 json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
db.executemany("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
               " VALUES(?, ?, 'put', ?, ?, ?, ?, ?)", rows)
db.commit()
PY
	"$SYNCD" --once --quiet --no-pull --db "$work/src.db" --batch 1000 >/dev/null 2>"$work/push.log" \
		|| { tail -5 "$work/push.log" >&2; sync_fail "push of $N records"; }
	held=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM hub_records WHERE form_id=?", (sys.argv[2],)).fetchone()[0])' "$HUB_DIR/hub.db" "$form")
	[ "$held" = "$N" ] || sync_fail "hub holds $held of $form, want $N"
	stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT AVG(LENGTH(CAST(data AS BLOB)) + LENGTH(CAST(clocks AS BLOB))) FROM hub_records").fetchone()[0])' "$HUB_DIR/hub.db")

	# The timed pull: straight to the hub. The hub's CPU (clock ticks of its
	# process) is counted too: on a shared machine the wall clock says little.
	h0=$(hub_ticks)
	load=$(cut -d' ' -f1 /proc/loadavg)
	start=$(date +%s%N)
	command time -f "%M %e %U %S" -o "$work/time" "$SYNCD" pull --db "$work/pc2.db" >"$work/pull.out" 2>"$work/pull.log" \
		|| { cat "$work/pull.log" >&2; sync_fail "pull failed"; }
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	hubcpu=$(awk -v a="$h0" -v b="$(hub_ticks)" -v t="$tick" 'BEGIN { printf "%.2f", (b - a) / t }')
	got=$(count "$work/pc2.db" "$form")
	[ "$got" = "$N" ] || sync_fail "the second PC holds $got of $form after the pull, want $N: $(tail -3 "$work/pull.log")"
	read -r rss _ usr sys <"$work/time"
	answers=$(grep -c "pull addr=.*device=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"device_id\"").fetchone()[0])' "$work/pc2.db") 200 .*records=[1-9]" "$HUB_LOG")

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
	"$SYNCD" pull --db "$work/relay.db" >/dev/null 2>"$work/relay.log" \
		|| { cat "$work/relay.log" >&2; sync_fail "pull through the relay failed"; }
	got=$(count "$work/relay.db" "$form")
	[ "$got" = "$N" ] || sync_fail "the relay device holds $got of $form, want $N"
	read -r up down <"$work/relay.bytes"
	relay_stop
	hub_stop

	awk -v form="$form" -v n="$N" -v a="$answers" -v hub="$hubcpu" -v load="$load" -v ms="$took" -v rss="$rss" \
		-v usr="$usr" -v sys="$sys" -v up="$up" -v down="$down" -v st="$stored" 'BEGIN {
		printf "%s: pull of %d shared records after a term offline (%d answers):\n", form, n, a
		printf "  %.1f s, %.0f records/s (load average %s at the start)\n", ms / 1000, n / (ms > 0 ? ms / 1000 : 0.001), load
		printf "  CPU: syncd %.1f s user + %.1f s sys, hub %.1f s: %.0f records per CPU second of both\n", usr, sys, hub, n / (usr + sys + hub)
		printf "  peak RSS of tetrad-syncd %.1f MiB (target 32 MiB)%s\n", rss / 1024, ((rss / 1024) > 32) ? "  OVER TARGET" : ""
		printf "  wire: %.1f B/record from the hub, %.2f B/record to it (TLS included); stored JSON (data + clocks) %.0f B/record (%.2fx)\n", down / n, up / n, st, down / n / st
	}'
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}

for f in $FORMS; do
	run "$f"
done
exit 0
