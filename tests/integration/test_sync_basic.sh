#!/usr/bin/env bash
# syncd against a real tetrad-hub over HTTPS on 127.0.0.1: enrollment and
# token reuse, first and incremental sync, replay harmless, quarantine does
# not block later sets, export → tetrad-hub import → push changes nothing,
# form pull, exit codes.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

sync_workdir
export TETRAD_FORMS_DIR="$work/forms"
sync_forms "$TETRAD_FORMS_DIR"
mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"

db="$work/school.db"
sync_mkdb "$db"

# --once before enrollment: configuration error, exit 2, Russian hint.
"$SYNCD" --once --db "$db" 2>"$work/err"; rc=$?
sync_expect_eq "exit code when not enrolled" "$rc" 2
grep -q "tetrad enroll" "$work/err" || sync_fail "no enroll hint: $(cat "$work/err")"

# Enrollment; the same token a second time is refused with a clear message.
tok=$(hub_token --school 170103 --name "Школа 170103")
[ -n "$tok" ] || sync_fail "no token"
"$SYNCD" enroll --db "$db" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >"$work/out" 2>&1
sync_expect_eq "enroll exit code" "$?" 0
db2="$work/other.db"
sync_mkdb "$db2"
"$SYNCD" enroll --db "$db2" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" 2>"$work/err"; rc=$?
sync_expect_eq "token reuse exit code" "$rc" 2
grep -q "уже использован" "$work/err" || sync_fail "token reuse message: $(cat "$work/err")"
"$SYNCD" enroll --db "$db2" --hub "$HUB_URL" --token "nonexistent-token" --ca "$HUB_CA" 2>"$work/err"; rc=$?
sync_expect_eq "unknown token exit code" "$rc" 2
grep -q "не знает такого кода" "$work/err" || sync_fail "unknown token message: $(cat "$work/err")"
tok0=$(hub_token --school 170103 --expires 0s)
sleep 1.2
"$SYNCD" enroll --db "$db2" --hub "$HUB_URL" --token "$tok0" --ca "$HUB_CA" 2>"$work/err"; rc=$?
sync_expect_eq "expired token exit code" "$rc" 2
grep -q "срок действия кода регистрации истёк" "$work/err" || sync_fail "expired token message: $(cat "$work/err")"
# A token of another school for a database prepared for 170103: refused.
"$SYNCD" enroll --db "$db2" --hub "$HUB_URL" --token "$(hub_token --school 170999)" --ca "$HUB_CA" 2>"$work/err"; rc=$?
sync_expect_eq "other school's token exit code" "$rc" 2
grep -q "выдан для школы 170999" "$work/err" || sync_fail "other school message: $(cat "$work/err")"
# A wrong CA: TLS verification refuses the hub (exit 12), nothing stored.
openssl req -x509 -newkey ed25519 -nodes -keyout "$work/other.key" -out "$work/other.pem" \
	-subj /CN=other -days 1 2>/dev/null
tok2=$(hub_token --school 170103)
"$SYNCD" enroll --db "$db2" --hub "$HUB_URL" --token "$tok2" --ca "$work/other.pem" 2>"$work/err"; rc=$?
sync_expect_eq "wrong CA exit code" "$rc" 12
grep -q "сертификат" "$work/err" || sync_fail "wrong CA message: $(cat "$work/err")"

# First sync.
sync_add "$db" 25
"$SYNCD" --once --db "$db" --batch 10 >"$work/out" 2>"$work/log"
sync_expect_eq "first sync exit code" "$?" 0
sync_expect_eq "acked after first sync" "$(sync_outbox "$db" acked)" 25
sync_expect_eq "hub records after first sync" "$(hub_records)" 25
grep -q "sync exit=0 sets_sent=3 sets_acked=3" "$work/log" || sync_fail "log line: $(cat "$work/log")"
# The log line carries counts only, never field values.
grep -q "запись" "$work/log" && sync_fail "field values in the log"

# Incremental sync: only the new entries travel.
sync_add "$db" 5
"$SYNCD" --once --db "$db" --batch 10 >"$work/out" 2>"$work/log"
sync_expect_eq "incremental exit code" "$?" 0
grep -q "sets_sent=1 sets_acked=1 sets_quarantined=0 entries_acked=5 " "$work/log" \
	|| sync_fail "incremental log: $(cat "$work/log")"
sync_expect_eq "hub records after incremental" "$(hub_records)" 30

# Replay: mark the last batch unacknowledged again; resending the same bytes
# gets the stored acknowledgement and changes nothing on the hub.
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("UPDATE batches SET state=\"sent\" WHERE id=(SELECT MAX(id) FROM batches)"); d.execute("UPDATE outbox SET state=\"sent\" WHERE batch_id=(SELECT MAX(id) FROM batches)"); d.commit()' "$db"
"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"
sync_expect_eq "replay exit code" "$?" 0
sync_expect_eq "acked after replay" "$(sync_outbox "$db" acked)" 30
sync_expect_eq "hub records after replay" "$(hub_records)" 30

# Quarantine does not block later sets: a refused set (a field the form
# lacks) between two good ones.
sync_add "$db" 3 bad
"$SYNCD" --once --db "$db" --batch 3 >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "quarantine exit code" "$rc" 11
sync_add "$db" 4
"$SYNCD" --once --db "$db" --batch 3 >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "after quarantine exit code" "$rc" 0
sync_expect_eq "quarantined entries" "$(sync_outbox "$db" quarantined)" 3
sync_expect_eq "acked after quarantine" "$(sync_outbox "$db" acked)" 34
sync_expect_eq "hub records after quarantine" "$(hub_records)" 34
python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute("SELECT reason FROM outbox WHERE state=\"quarantined\" LIMIT 1").fetchone()[0]; sys.exit(0 if "bogus" in r or "форм" in r else 1)' "$db" \
	|| sync_fail "quarantine reason not stored"

# USB: export → tetrad-hub import → push again changes nothing.
sync_add "$db" 12
"$SYNCD" export --db "$db" --out "$work/usb.ttex" --batch 5 >"$work/out" 2>&1
sync_expect_eq "export exit code" "$?" 0
[ -s "$work/usb.ttex" ] || sync_fail "no export file"
head -c 4 "$work/usb.ttex" | grep -q TTEX || sync_fail "export magic"
# Export refuses to overwrite and checks the directory.
"$SYNCD" export --db "$db" --out "$work/usb.ttex" >/dev/null 2>"$work/err"; rc=$?
sync_expect_eq "export over an existing file" "$rc" 2
"$SYNCD" export --db "$db" --out "$work/nodir/x.ttex" >/dev/null 2>"$work/err"; rc=$?
sync_expect_eq "export into a missing directory" "$rc" 2
hub_cli import "$work/usb.ttex" >"$work/out" 2>&1 || sync_fail "import: $(cat "$work/out")"
sync_expect_eq "hub records after import" "$(hub_records)" 46
sync_expect_eq "still pending after export" "$(( $(sync_outbox "$db" pending) + $(sync_outbox "$db" sent) ))" 12
"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"
sync_expect_eq "push after import exit code" "$?" 0
sync_expect_eq "acked after push of imported sets" "$(sync_outbox "$db" acked)" 46
sync_expect_eq "hub records after push of imported sets" "$(hub_records)" 46

# Nothing to do: exit 0, nothing sent.
"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"
sync_expect_eq "idle sync exit code" "$?" 0
grep -q "sets_sent=0" "$work/log" || sync_fail "idle log: $(cat "$work/log")"

# Clock skew is measured from the hub's Date header and stored.
skew=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=\"clock_skew_ms\"").fetchone()[0])' "$db")
[ "${skew#-}" -le 5000 ] || sync_fail "clock skew $skew"
echo "ok: clock skew $skew ms"

# A pinned key instead of a CA: the right pin enrolls, a wrong one is refused.
pin="sha256//$(openssl x509 -in "$HUB_DIR/tls/server.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
db3="$work/pinned.db"
sync_mkdb "$db3"
"$SYNCD" enroll --db "$db3" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --pin "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=" 2>"$work/err"; rc=$?
sync_expect_eq "wrong pin exit code" "$rc" 12
grep -q "не совпадает с закреплённым" "$work/err" || sync_fail "wrong pin message: $(cat "$work/err")"
"$SYNCD" enroll --db "$db3" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --pin "$pin" >/dev/null 2>"$work/err"
sync_expect_eq "pinned enroll exit code" "$?" 0
sync_add "$db3" 2
"$SYNCD" --once --db "$db3" >/dev/null 2>"$work/err"
sync_expect_eq "pinned sync exit code" "$?" 0
sync_expect_eq "hub records with the pinned device" "$(hub_records)" 48
echo "PASS"
