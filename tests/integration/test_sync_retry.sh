#!/usr/bin/env bash
# test_sync_retry — no answer is lost when the hub refuses a record for a
# cause that later goes away, with the real client, syncd and hub:
#
# The field case: a device got a newer form version (a newer program, or a
# form published on another hub) than its hub knows. The hub refuses the
# set ("форма … хабу неизвестна") and says in its signed answer that the
# set may go again as it is (retry "forms"). `tetrad status` lists the
# records with the reason and what to do; `tetrad retry` queues them again
# (refused again while the hub still does not know the form); once the
# coordinator publishes the form on the hub, the next sync sends them again
# by itself and the hub accepts them. (A hub with no forms at all is the
# other way this happened: it now refuses to start, checked first.)
#
# Then the device is revoked: a sync with nothing to send says so (exit
# 2), status shows it, and a re-enrollment says it was revoked.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }
T="$TETRAD_BIN/tetrad"
sync_workdir
PROXY_PID=""
trap 'sync_proxy_stop; hub_stop; rm -rf "$work"' EXIT
contains() { grep -qF -- "$2" "$1" || sync_fail "$3: «$2» not in: $(cat "$1")"; echo "ok: $3"; }

# --- a hub with no forms does not serve
mkdir -p "$work/empty"
TETRAD_FORMS_DIR="$work/empty" "$TETRAD_BIN/tetrad-hub" --data "$work/hub0" init \
	--tls-self-signed 127.0.0.1 >/dev/null 2>&1 || sync_fail "init of the empty hub"
TETRAD_FORMS_DIR="$work/empty" timeout 20 "$TETRAD_BIN/tetrad-hub" --data "$work/hub0" serve \
	--listen "127.0.0.1:$(hub_free_port)" >"$work/out" 2>&1; rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || sync_fail "a hub without forms served (exit $rc)"
contains "$work/out" "нет ни одной формы" "hub without forms refuses to start"

# --- forms: the hub knows sync_test v1, the device has v1 and v2
HF="$work/hubforms" DF="$work/devforms"
sync_forms "$HF"
sync_forms "$DF/v1"
cp "$DF/v1/sync_test.json" "$DF/sync_test-v1.json"
rm -r "$DF/v1"
cat >"$DF/sync_test.json" <<'JSON'
{"format":1,"id":"sync_test","version":2,"title":"Проверка синхронизации","fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":100000000},
 {"id":"note","label":"Примечание","type":"text","max_length":4000},
 {"id":"extra","label":"Новое поле","type":"text","max_length":100},
 {"id":"child","label":"Имя ребёнка","type":"text","sync":"local"}]}
JSON
mkdir -p "$work/hub"
TETRAD_FORMS_DIR="$HF" hub_start "$work/hub" || sync_fail "hub did not start"
export TETRAD_FORMS_DIR="$DF"
db="$work/school.db"
"$T" --db "$db" init --school 170103 >/dev/null || sync_fail "init"
for i in 1 2; do
	"$T" --db "$db" new sync_test --set n=$i --set extra=x >/dev/null 2>"$work/err" ||
		sync_fail "new: $(cat "$work/err")"
done
tok=$(hub_token --school 170103 --name "Школа 170103")
"$T" --db "$db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >"$work/out" 2>&1 ||
	sync_fail "enroll: $(cat "$work/out")"

# refused: the hub does not know v2
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "first sync exit (quarantined)" "$rc" 11
sync_expect_eq "quarantined" "$(sync_outbox "$db" quarantined)" 2
"$T" --db "$db" status >"$work/st" 2>&1 || sync_fail "status: $(cat "$work/st")"
contains "$work/st" "хабу неизвестна" "status gives the hub's reason"
# in a person's words: no set numbers; the record's own change not named, the
# other record of the refused set told it went back with it
if grep -q "отклонён и помещён в карантин" "$work/st"; then sync_fail "status shows the set's jargon: $(cat "$work/st")"; fi
contains "$work/st" "причина: форма «sync_test» версии 2 хабу неизвестна" "status: the record's own reason"
contains "$work/st" "хаб отклонил всю отправку из-за другой записи (изменение 1)" "status: refused with another record"
contains "$work/st" "уйдёт снова сама, когда хаб её получит" "status says it will go again"
"$T" --db "$db" status --json >"$work/sj" 2>&1
python3 - "$work/sj" <<'PY' || sync_fail "status --json: $(cat "$work/sj")"
import json, sys
d = json.load(open(sys.argv[1]))
q = d["quarantine"]
assert len(q) == 2 and all(x["retry"] == "forms" and x["retryable"] for x in q), q
assert all(x["form_id"] == "sync_test" and x["form_version"] == 2 for x in q), q
PY
echo "ok: status --json lists them as retryable"

# `tetrad retry`: queued again, and refused again while the hub lacks the form
"$T" --db "$db" retry >"$work/out" 2>&1 || sync_fail "retry: $(cat "$work/out")"
contains "$work/out" "Снова в очереди отправки: 2" "tetrad retry requeues"
sync_expect_eq "pending after retry" "$(sync_outbox "$db" pending)" 2
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "sync after retry, form still unknown" "$rc" 11
sync_expect_eq "quarantined again" "$(sync_outbox "$db" quarantined)" 2
# nothing new and the form still unknown: nothing goes
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "idle sync exit" "$rc" 0
grep -q "requeued=0" "$work/log" || sync_fail "idle sync requeued something: $(cat "$work/log")"
sync_expect_eq "hub records before the form" "$(hub_records)" 0

# the coordinator publishes v2: the next sync sends the records by itself
TETRAD_FORMS_DIR="$HF" hub_cli forms publish "$DF/sync_test.json" >"$work/out" 2>&1 ||
	sync_fail "publish: $(cat "$work/out")"
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "sync after the form was published" "$rc" 0
grep -q "requeued=2" "$work/log" || sync_fail "not requeued: $(cat "$work/log")"
sync_expect_eq "quarantined after the form" "$(sync_outbox "$db" quarantined)" 0
sync_expect_eq "hub records after the form" "$(hub_records)" 2
"$T" --db "$db" retry >"$work/out" 2>&1 || sync_fail "retry with nothing: $(cat "$work/out")"
contains "$work/out" "В карантине нет записей" "retry with nothing to do"

# --- a device whose clock ran fast: the hub refuses stamps an hour ahead
# ("future_hlc", retry "clock"); syncd sends them again only once the hub's
# clock (its Date) has passed them — seen here through a proxy that sets the
# hub's Date two hours on (the real hub, whose clock has not, refuses again)
db2="$work/clock.db"
sync_mkdb "$db2"
sync_enroll "$db2" || sync_fail "enroll of the fast device"
python3 - "$db2" <<'PY'
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
ms = int(time.time() * 1000) + 3600 * 1000
b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
b[6] = 0x70 | (b[6] & 0x0f)
b[8] = 0x80 | (b[8] & 0x3f)
db.execute("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
           " VALUES(1, ?, 'put', 'sync_test', 1, '170103', ?, '{\"n\":1}')",
           (bytes(b), "%012x-0000-%s" % (ms, dev)))
db.commit()
PY
"$SYNCD" --once --db "$db2" >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "fast clock: refused" "$rc" 11
sync_expect_eq "fast clock: retry class" "$(sqlite3 "$db2" "SELECT retry FROM batches WHERE state='quarantined'")" clock
"$SYNCD" --once --db "$db2" >"$work/out" 2>"$work/log"
grep -q "requeued=0" "$work/log" || sync_fail "requeued before the hub's clock passed: $(cat "$work/log")"
sync_proxy_start "$work/port" "$work/proxy.log" 0 7200 || sync_fail "proxy"
sync_set_url "$db2" "$PROXY_URL"
"$SYNCD" --once --db "$db2" >"$work/out" 2>"$work/log"
grep -q "requeued=1" "$work/log" || sync_fail "not requeued once the hub's clock passed: $(cat "$work/log")"
sync_expect_eq "fast clock: refused again by the real hub" "$(sync_outbox "$db2" quarantined)" 1
sync_proxy_stop
sync_set_url "$db2" "$HUB_URL"

# --- revoked: told on a sync with nothing to send, and at re-enrollment
dev=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"device_id\"").fetchone()[0])' "$db")
hub_cli device revoke "$dev" >/dev/null 2>&1 || sync_fail "revoke"
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "idle sync of a revoked device" "$rc" 2
contains "$work/log" "отозвано на хабе" "the sync says the device is revoked"
contains "$work/out" "Устройство отозвано на хабе" "the summary says so too"
"$T" --db "$db" status >"$work/st" 2>&1
contains "$work/st" "устройство отозвано на хабе" "status shows the revocation"
tok=$(hub_token --school 170103 --name "Школа 170103")
"$T" --db "$db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" --force >"$work/out" 2>&1; rc=$?
[ "$rc" -ne 0 ] || sync_fail "a revoked device with records re-enrolled"
contains "$work/out" "отозвано на хабе" "re-enrollment says the device was revoked"
echo "PASS"
