#!/usr/bin/env bash
# syncd seals the next change set while the current one travels. What must
# hold whatever the hub answers in the middle of a run:
#  - a refused set between good ones (one run): quarantined, the sets after
#    it (already sealed ahead) still applied;
#  - a hub restored from an older backup (a gap in the middle of a run, with
#    sets sealed ahead chained past it): the device rewinds, resends what the
#    hub lost from its stored bytes, then the rest; every record exactly once.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

sync_workdir
sync_setup "$work"

# good, bad, good, good in sets of 3, one run
sync_add "$db" 3
sync_add "$db" 3 bad
sync_add "$db" 6
"$SYNCD" --once --db "$db" --batch 3 --no-pull >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "refused set mid-run exit code" "$rc" 11
sync_expect_eq "quarantined mid-run" "$(sync_outbox "$db" quarantined)" 3
sync_expect_eq "acked around the refused set" "$(sync_outbox "$db" acked)" 9
sync_expect_eq "hub records around the refused set" "$(hub_records)" 9
grep -q "sets_sent=4 sets_acked=3 sets_quarantined=1" "$work/log" \
	|| sync_fail "run summary: $(grep 'sync exit' "$work/log")"

# The hub's backup now (12 entries seen: 9 records, 3 quarantined), then 30 more.
hub_stop
hub_backup "$work/backup" || sync_fail "backup"
hub_start "$work/hub" || sync_fail "hub did not restart"
sync_set_url "$db" "$HUB_URL"
sync_add "$db" 30
"$SYNCD" --once --db "$db" --batch 10 --no-pull >"$work/out" 2>"$work/log"
sync_expect_eq "before the restore exit code" "$?" 0
sync_expect_eq "hub records before the restore" "$(hub_records)" 39

# The hub is restored from the backup: it lost 30 records and expects №13.
hub_stop
hub_restore "$work/backup" || sync_fail "restore"
hub_start "$work/hub" || sync_fail "hub did not start after the restore"
sync_set_url "$db" "$HUB_URL"
sync_expect_eq "hub records after the restore" "$(hub_records)" 9
sync_add "$db" 25
"$SYNCD" --once --db "$db" --batch 10 --no-pull >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "after the restore exit code" "$rc" 0
grep -q "хаб ожидает изменения с №13" "$work/log" || sync_fail "no rewind in log: $(cat "$work/log")"
sync_expect_eq "acked after the rewind" "$(sync_outbox "$db" acked)" 64
sync_expect_eq "pending after the rewind" "$(sync_outbox "$db" pending)" 0
sync_expect_eq "hub records after the rewind" "$(hub_records)" 64
hub_sql "SELECT data FROM hub_records" >"$work/hub_data" || sync_fail "hub records"
python3 - "$work/hub_data" <<'PY' || sync_fail "hub records not exactly once"
import json, sys
ns = [json.loads(line)["n"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
assert len(ns) == len(set(ns)) == 64, (len(ns), len(set(ns)))
print("ok: 64 distinct records")
PY
echo "PASS"
