#!/usr/bin/env bash
# kill -9 of tetrad-syncd at random moments during a large push, many times
# (10; 100 with TETRAD_LONG=1), then a final run: the hub holds every record
# exactly once, the device has every entry acknowledged, nothing quarantined.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

work=$(mktemp -d)
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	hub_stop
	rm -rf "$work"
}
trap cleanup EXIT
sync_setup "$work"

kills=10
if [ "${TETRAD_LONG:-0}" = 1 ]; then
	kills=100
fi
total=20000
sync_add "$db" "$total"
killed=0
for i in $(seq 1 "$kills"); do
	# Keep the queue long so every kill lands in the middle of a push.
	sync_add "$db" 8000
	total=$((total + 8000))
	"$SYNCD" --once --quiet --db "$db" --batch 200 --no-pull >/dev/null 2>>"$work/log" &
	SPID=$!
	# A random moment in the first 0.01–0.15 s of a run (tens of thousands of
	# records a second go through): opening, building, sealing ahead,
	# sending, or committing an acknowledgement.
	sleep "$(python3 -c 'import random; print(round(random.uniform(0.01, 0.15), 3))')"
	if kill -9 "$SPID" 2>/dev/null; then
		killed=$((killed + 1))
	fi
	wait "$SPID" 2>/dev/null
	SPID=""
done
echo "ok: killed $killed of $kills runs mid-push"
[ "$killed" -ge $((kills / 2)) ] || sync_fail "only $killed of $kills runs were killed mid-push"
"$SYNCD" --once --db "$db" --batch 200 --no-pull >"$work/out" 2>"$work/last.log"; rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$work/last.log" >&2
	sync_fail "final run exit $rc"
fi
sync_expect_eq "acked entries" "$(sync_outbox "$db" acked)" "$total"
sync_expect_eq "quarantined entries" "$(sync_outbox "$db" quarantined)" 0
sync_expect_eq "hub records" "$(hub_records)" "$total"
# Exactly once: every outbox entry's value n appears once on the hub.
hub_sql "SELECT data FROM hub_records" >"$work/hub_data" || sync_fail "hub records"
python3 - "$work/hub_data" "$total" <<'PY' || sync_fail "hub records not exactly once"
import json, sys
ns = [json.loads(line)["n"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
want = int(sys.argv[2])
assert len(ns) == want and len(set(ns)) == want and set(ns) == set(range(1, want + 1)), (len(ns), len(set(ns)))
print("ok: %d distinct records, 1..%d each once" % (len(set(ns)), want))
PY
# The hub recorded no fork and no quarantine for this device.
sync_expect_eq "hub quarantine rows" "$(hub_sql "SELECT COUNT(*) FROM quarantine")" 0
echo "PASS"
