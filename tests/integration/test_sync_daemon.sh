#!/usr/bin/env bash
# tetrad-syncd --daemon: syncs at start (interval mode), SIGUSR1 syncs now,
# SIGHUP re-reads the config file, SIGTERM stops cleanly (exit 0); a bad
# window is refused with exit 2.
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

work=$(mktemp -d)
DPID=""
cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	hub_stop
	rm -rf "$work"
}
trap cleanup EXIT
sync_setup "$work"

"$SYNCD" --daemon --db "$db" --window 25:00-03:00 2>"$work/err"; rc=$?
sync_expect_eq "bad window exit code" "$rc" 2
grep -q "ЧЧ:ММ-ЧЧ:ММ" "$work/err" || sync_fail "bad window message: $(cat "$work/err")"

# wait_for COND-COMMAND SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(( $2 * 10 ))); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}

sync_add "$db" 30
printf 'interval=3600\n' >"$work/syncd.conf"
"$SYNCD" --daemon --db "$db" --config "$work/syncd.conf" 2>"$work/daemon.log" &
DPID=$!
wait_for '[ "$(sync_outbox "$db" acked)" = 30 ]' 30 || sync_fail "first daemon sync: $(cat "$work/daemon.log")"
echo "ok: daemon synced at start"

sync_add "$db" 7
sleep 0.5
sync_expect_eq "not synced before the signal" "$(sync_outbox "$db" acked)" 30
kill -USR1 "$DPID"
wait_for '[ "$(sync_outbox "$db" acked)" = 37 ]' 30 || sync_fail "SIGUSR1 sync: $(cat "$work/daemon.log")"
echo "ok: SIGUSR1 synced now"

printf 'window=02:00-04:00\n' >"$work/syncd.conf"
kill -HUP "$DPID"
wait_for 'grep -q "настройки перечитаны" "$work/daemon.log"' 10 || sync_fail "SIGHUP: $(cat "$work/daemon.log")"
echo "ok: SIGHUP re-read the configuration"

kill -TERM "$DPID"
wait_for '! kill -0 "$DPID" 2>/dev/null' 15 || sync_fail "daemon did not stop on SIGTERM"
wait "$DPID"; rc=$?
DPID=""
sync_expect_eq "daemon exit code after SIGTERM" "$rc" 0
grep -q "остановка по сигналу" "$work/daemon.log" || sync_fail "no stop line: $(cat "$work/daemon.log")"
grep -q "sync exit=0" "$work/daemon.log" || sync_fail "no sync line in daemon log"
sync_expect_eq "hub records" "$(hub_records)" 37

# SIGTERM in the middle of a long push: the current request finishes, the
# daemon exits 0 at once, and a later run completes exactly once.
sync_add "$db" 30000
"$SYNCD" --daemon --db "$db" --interval 3600 --batch 100 2>"$work/daemon2.log" &
DPID=$!
wait_for '[ "$(sync_outbox "$db" acked)" -gt 37 ]' 30 || sync_fail "long push did not start"
kill -TERM "$DPID"
start=$(date +%s%N)
wait_for '! kill -0 "$DPID" 2>/dev/null' 15 || sync_fail "daemon did not stop on SIGTERM mid-push"
took=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$DPID"; rc=$?
DPID=""
sync_expect_eq "exit code after SIGTERM mid-push" "$rc" 0
acked=$(sync_outbox "$db" acked)
[ "$acked" -lt 30037 ] || sync_fail "the push was not interrupted"
echo "ok: stopped after $took ms with $acked of 30037 acknowledged"
"$SYNCD" --once --db "$db" >/dev/null 2>"$work/log" || sync_fail "run after SIGTERM: $(cat "$work/log")"
sync_expect_eq "acked after resuming" "$(sync_outbox "$db" acked)" 30037
sync_expect_eq "hub records after resuming" "$(hub_records)" 30037
echo "PASS"
