#!/usr/bin/env bash
# syncd when things go wrong: the hub is down (exit 12, nothing lost), then
# up again (everything goes); the hub answers 503 with Retry-After and 500
# (retried with backoff, Retry-After honoured, then everything goes).
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

work=$(mktemp -d)
PROXY_PID=""
cleanup() { sync_proxy_stop; hub_stop; rm -rf "$work"; }
trap cleanup EXIT
sync_setup "$work"

# Hub down: bounded attempts, exit 12, entries kept.
sync_add "$db" 40
hub_stop
start=$(date +%s%N)
"$SYNCD" --once --db "$db" --batch 10 --attempts 3 --backoff-ms 100 --connect-timeout-ms 1000 \
	>"$work/out" 2>"$work/log"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
sync_expect_eq "hub down exit code" "$rc" 12
grep -q "недоступен" "$work/log" || sync_fail "no 'недоступен' in log: $(cat "$work/log")"
grep -q "Хаб недоступен" "$work/out" || sync_fail "no user message: $(cat "$work/out")"
sync_expect_eq "acked while hub down" "$(sync_outbox "$db" acked)" 0
sync_expect_eq "outbox kept while hub down" "$(( $(sync_outbox "$db" pending) + $(sync_outbox "$db" sent) ))" 40
[ "$took" -lt 20000 ] || sync_fail "hub down run took $took ms"
echo "ok: hub down run took $took ms"
result=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"last_sync_result\"").fetchone()[0])' "$db")
sync_expect_eq "last_sync_result while down" "$result" unreachable

# A host that takes each connection and drops it: every attempt is one
# connection. syncd opens its connection while it seals the first set; that
# is the set's first attempt, not one more (--attempts 3: three connections).
port=$(hub_free_port)
python3 - "$port" "$work/accepts" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
s.settimeout(20)
n = 0
open(sys.argv[2], "w").write("0")
try:
    while True:
        c, _ = s.accept()
        n += 1
        open(sys.argv[2], "w").write(str(n))
        c.close()
except socket.timeout:
    pass
PY
drop_pid=$!
for _ in $(seq 1 100); do [ -s "$work/accepts" ] && break; sleep 0.05; done
sync_set_url "$db" "https://127.0.0.1:$port"
"$SYNCD" --once --no-pull --db "$db" --batch 10 --attempts 3 --backoff-ms 10 \
	>"$work/out" 2>"$work/log"; rc=$?
kill "$drop_pid" 2>/dev/null; wait "$drop_pid" 2>/dev/null
sync_expect_eq "dropping host exit code" "$rc" 12
sync_expect_eq "connections for three attempts" "$(cat "$work/accepts")" 3
sync_expect_eq "attempts logged" "$(grep -c 'попытка' "$work/log")" 2

# Hub up again (a restarted test hub gets a new port).
hub_start "$work/hub" || sync_fail "hub did not restart"
sync_set_url "$db" "$HUB_URL"
"$SYNCD" --once --db "$db" --batch 10 >"$work/out" 2>"$work/log"
sync_expect_eq "hub up exit code" "$?" 0
sync_expect_eq "acked after hub up" "$(sync_outbox "$db" acked)" 40
sync_expect_eq "hub records after hub up" "$(hub_records)" 40

# 503 with Retry-After (and a 500): retried, Retry-After waited, then all goes.
sync_proxy_start "$work/port" "$work/proxy.log" 3 || sync_fail "proxy"
sync_set_url "$db" "$PROXY_URL"
sync_add "$db" 20
start=$(date +%s%N)
"$SYNCD" --once --db "$db" --batch 10 --attempts 5 --backoff-ms 10 >"$work/out" 2>"$work/log"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
sync_expect_eq "503 exit code" "$rc" 0
grep -q "retries=3 " "$work/log" || sync_fail "retries in log: $(cat "$work/log")"
grep -q "хаб ответил 503" "$work/log" || sync_fail "503 not logged: $(cat "$work/log")"
grep -q "хаб ответил 500" "$work/log" || sync_fail "500 not logged: $(cat "$work/log")"
# Two 503s with Retry-After: 1 → at least two seconds of waiting.
[ "$took" -ge 2000 ] || sync_fail "Retry-After not honoured: run took $took ms"
echo "ok: Retry-After honoured ($took ms)"
sync_expect_eq "acked after 503s" "$(sync_outbox "$db" acked)" 60
sync_expect_eq "hub records after 503s" "$(hub_records)" 60

# A hub that keeps failing: attempts run out, exit 10 (reachable but refusing), kept.
sync_proxy_stop
sync_proxy_start "$work/port" "$work/proxy2.log" 1000 || sync_fail "proxy"
sync_set_url "$db" "$PROXY_URL"
sync_add "$db" 5
"$SYNCD" --once --db "$db" --attempts 2 --backoff-ms 10 >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "persistent 503 exit code" "$rc" 10
sync_expect_eq "kept after persistent 503" "$(( $(sync_outbox "$db" pending) + $(sync_outbox "$db" sent) ))" 5

# A hub whose clock is 10 minutes ahead: the skew is stored and warned about.
sync_proxy_stop
sync_proxy_start "$work/port" "$work/proxy3.log" 0 600 || sync_fail "proxy"
sync_set_url "$db" "$PROXY_URL"
"$SYNCD" --once --db "$db" --attempts 2 --backoff-ms 10 >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "skewed hub exit code" "$rc" 0
grep -q "часы этого компьютера отстают от хаба на 10 мин" "$work/log" || sync_fail "no skew warning: $(cat "$work/log")"
skew=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"clock_skew_ms\"").fetchone()[0])' "$db")
[ "$skew" -le -598000 ] && [ "$skew" -ge -602000 ] || sync_fail "clock_skew_ms $skew"
echo "ok: clock_skew_ms $skew"

# A fork (a device database restored from an old copy re-seals a range the
# hub already has with other content): that set is quarantined with the
# hub's reason, pushing stops (exit 10), the later sets stay pending.
sync_proxy_stop
sync_set_url "$db" "$HUB_URL"
python3 - "$db" <<'PY'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("DELETE FROM batches")
d.execute("UPDATE outbox SET state='pending', batch_id=NULL")
d.execute("DELETE FROM meta WHERE key='last_set_hash'")
d.commit()
PY
"$SYNCD" --once --db "$db" --batch 10 >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "fork exit code" "$rc" 10
sync_expect_eq "quarantined after fork" "$(sync_outbox "$db" quarantined)" 10
grep -q "помещён в карантин" "$work/log" || sync_fail "fork not logged: $(cat "$work/log")"
sync_expect_eq "hub records unchanged by the fork" "$(hub_records)" 65
echo "PASS"
