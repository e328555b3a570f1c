#!/usr/bin/env bash
# test_hub_migrate — `tetrad-hub migrate` end to end: a real hub on SQLite
# takes a device's sets over HTTPS (tetrad-syncd), is stopped and moved to a
# fresh database of the tests' cluster; started again on it (hub.conf's
# store = ...) at the same address, it lists the same devices and records,
# gives a replayed set its stored acknowledgement and applies the device's
# next sets: the device notices nothing. The refusals: a password in --to
# (exit 1, told to use a password file), no SQLite file (exit 3), no such
# database (exit 4; a hub still running is warned of), a second migration
# into the same database (exit 2, nothing changed).
# Uses the tests' PostgreSQL cluster
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

PG_ENV=${TETRAD_TEST_PG_ENV:-}
if [ -z "$PG_ENV" ] || [ ! -f "$PG_ENV" ]; then
	echo "SKIP: нет кластера PostgreSQL тестов (${PG_ENV:-TETRAD_TEST_PG_ENV не задан}): PostgreSQL 15 не установлен или не запустился"
	exit 77
fi
BASE=$(sed -n "s/^TETRAD_TEST_PG='\(.*\)'$/\1/p" "$PG_ENV")
DB="mg$$_${RANDOM}"
PG="$BASE dbname=$DB"
sync_workdir
trap 'hub_stop; psql "$BASE" -XAtq -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; [ -n "${TETRAD_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

# The source: a SQLite hub (the cluster's env hidden from hub_start).
unset TETRAD_TEST_PG_ENV
sync_setup "$work"
sync_add "$db" 25
"$SYNCD" --once --db "$db" --batch 10 >"$work/out" 2>"$work/log"
sync_expect_eq "first sync exit code" "$?" 0
sync_expect_eq "records on the SQLite hub" "$(hub_records)" 25
hub_cli device list --json >"$work/devices.before" || sync_fail "device list"
hub_cli schools list --json >"$work/schools.before" || sync_fail "schools list"
port=${HUB_URL##*:}
# While the hub runs: warned (its SQLite file is in use); a database that
# is not there: exit 4, and nothing made.
hub_cli migrate --to "$BASE dbname=${DB}_none" >"$work/out" 2>"$work/err"
sync_expect_eq "no such database: exit code" "$?" 4
grep -q "хаб, похоже, работает" "$work/err" || sync_fail "no warning of a running hub: $(cat "$work/err")"
hub_stop

# Refusals before anything is written.
hub_cli migrate --to "$BASE dbname=$DB password=secret" >"$work/out" 2>"$work/err"
sync_expect_eq "a password in --to: exit code" "$?" 1
grep -q "PGPASSFILE" "$work/err" || sync_fail "password message: $(cat "$work/err")"
hub_cli migrate --to "postgresql://tetrad:secret@localhost/$DB" >"$work/out" 2>"$work/err"
sync_expect_eq "user:password@ in --to: exit code" "$?" 1
hub_cli migrate --from "$work/none.db" --to "$PG" >"$work/out" 2>"$work/err"
sync_expect_eq "no SQLite file: exit code" "$?" 3
[ ! -e "$work/none.db" ] || sync_fail "migrate made $work/none.db"

# The migration.
psql "$BASE" -XAtq -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null ||
	sync_fail "CREATE DATABASE $DB"
hub_cli migrate --to "$PG" >"$work/out" 2>"$work/err"
rc=$?
sync_expect_eq "migrate exit code" "$rc" 0
[ $rc = 0 ] || cat "$work/err" >&2
grep -Eq "^  hub_records +25$" "$work/out" || sync_fail "summary: $(cat "$work/out")"
grep -Fq "store = $PG" "$work/out" || sync_fail "next step: $(cat "$work/out")"
grep -q "hub_records" "$work/err" || sync_fail "progress: $(cat "$work/err")"
grep -q "похоже, работает" "$work/err" && sync_fail "a stopped hub taken for a running one"
hub_cli migrate --to "$PG" >"$work/out" 2>"$work/err"
sync_expect_eq "second migrate exit code" "$?" 2
grep -q "пустую базу" "$work/err" || sync_fail "second migrate message: $(cat "$work/err")"
sync_expect_eq "records in PostgreSQL" "$(psql "$PG" -XAtq -c "SELECT count(*) FROM hub_records")" 25

# The hub on PostgreSQL, at the same address; the SQLite file put aside.
printf 'store = %s\n' "$PG" >>"$HUB_DIR/hub.conf"
mv "$HUB_DIR/hub.db" "$work/hub.db.bak"
rm -f "$HUB_DIR/hub.db-wal" "$HUB_DIR/hub.db-shm"
HUB_PG=$PG
"$HUB_BIN" --data "$HUB_DIR" serve --listen "127.0.0.1:$port" >>"$HUB_LOG" 2>&1 &
HUB_PID=$!
for i in $(seq 1 100); do
	hub_curl "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"' && break
	kill -0 "$HUB_PID" 2>/dev/null || sync_fail "the hub on PostgreSQL did not start: $(tail -5 "$HUB_LOG")"
	sleep 0.1
done
[ ! -e "$HUB_DIR/hub.db" ] || sync_fail "the hub on PostgreSQL made hub.db"
hub_cli device list --json >"$work/devices.after" || sync_fail "device list on PostgreSQL"
hub_cli schools list --json >"$work/schools.after" || sync_fail "schools list on PostgreSQL"
for l in devices schools; do
	cmp -s "$work/$l.before" "$work/$l.after" ||
		sync_fail "$l differ: before $(cat "$work/$l.before"), after $(cat "$work/$l.after")"
done
grep -q '"watermark"' "$work/devices.after" || sync_fail "no device listed: $(cat "$work/devices.after")"
echo "ok: listings the same on PostgreSQL"

# Replay: the last set sent again gets its stored acknowledgement.
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("UPDATE batches SET state=\"sent\" WHERE id=(SELECT MAX(id) FROM batches)"); d.execute("UPDATE outbox SET state=\"sent\" WHERE batch_id=(SELECT MAX(id) FROM batches)"); d.commit()' "$db"
"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"
sync_expect_eq "replay exit code" "$?" 0
sync_expect_eq "acked after replay" "$(sync_outbox "$db" acked)" 25
sync_expect_eq "records after replay" "$(hub_records)" 25

# The device's next sets go on from its watermark.
sync_add "$db" 7
"$SYNCD" --once --db "$db" --batch 5 >"$work/out" 2>"$work/log"
sync_expect_eq "sync after migration exit code" "$?" 0
sync_expect_eq "acked after migration" "$(sync_outbox "$db" acked)" 32
sync_expect_eq "records on the PostgreSQL hub" "$(hub_records)" 32
grep -q "sets_quarantined=0" "$work/log" || sync_fail "sync log: $(cat "$work/log")"
echo "PASS"
