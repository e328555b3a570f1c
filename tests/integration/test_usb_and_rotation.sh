#!/usr/bin/env bash
# A school without network, and a hub encryption key rotation, end to end
# with the real programs:
#  - export → hub import --acks → import-acks at the school: the entries are
#    acknowledged, a second import of either file changes nothing, the next
#    export holds only what is new;
#  - wrong kinds of files, a file for another device, a tampered
#    acknowledgement, an existing --acks target: clear refusals, nothing
#    changed;
#  - keys rotate: a set sealed before the rotation still opens, the device
#    learns the new key from the signed acknowledgement and seals to it,
#    after keys retire a set sealed to the old key is refused by name.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
[ -x "$TETRAD_BIN/tetrad" ] || { echo "skip: no tetrad client built"; exit 77; }

sync_workdir
: "${TETRAD_FORMS_DIR:=$TETRAD_SOURCE_DIR/forms}"
export TETRAD_FORMS_DIR
T="$TETRAD_BIN/tetrad"
H="$TETRAD_BIN/tetrad-hub"
db="$work/school.db"
other="$work/other.db"

student() { # grade
	"$T" --db "$1" new survey_student --set grade="$2" --set enough_equipment=3 --set feel_safe=4 \
		--set like_learning=4 --set teacher_helps=4 --set tasks_fit_level=4 \
		--set response_date=10.02.2026 >/dev/null 2>"$work/err" || sync_fail "new: $(cat "$work/err")"
}
meta() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key=?", (sys.argv[2],)).fetchone()[0])' "$1" "$2"; }

mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"
"$T" --db "$db" init --school 170103 >/dev/null || sync_fail "init"
"$T" --db "$db" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" >/dev/null 2>&1 \
	|| sync_fail "enroll"
"$T" --db "$other" init --school 170104 >/dev/null || sync_fail "init other"
"$T" --db "$other" enroll --hub "$HUB_URL" --token "$(hub_token --school 170104)" --ca "$HUB_CA" >/dev/null 2>&1 \
	|| sync_fail "enroll other"
hub_stop   # from here on the school has no network

for g in 5 6 7 8 9; do student "$db" $g; done
"$SYNCD" export --db "$db" --out "$work/one.ttex" >/dev/null || sync_fail "export"
"$H" --data "$HUB_DIR" import "$work/one.ttex" --acks "$work/one.ttak" >"$work/out" 2>&1 || sync_fail "import: $(cat "$work/out")"
grep -q "принято 1" "$work/out" || sync_fail "import output: $(cat "$work/out")"
sync_expect_eq "hub records after USB import" "$(hub_records)" 5
sync_expect_eq "acked before import-acks" "$(sync_outbox "$db" acked)" 0

# the wrong files, a file for another device, an existing --acks target
"$SYNCD" import-acks --db "$db" "$work/one.ttex" >"$work/out" 2>&1 && sync_fail "a TTEX accepted as acknowledgements"
grep -q "выгрузка изменений" "$work/out" || sync_fail "wrong-kind message: $(cat "$work/out")"
"$H" --data "$HUB_DIR" import "$work/one.ttak" >"$work/out" 2>&1 && sync_fail "a TTAK accepted as an export"
grep -q "подтверждений хаба" "$work/out" || sync_fail "hub wrong-kind message: $(cat "$work/out")"
"$SYNCD" import-acks --db "$other" "$work/one.ttak" >"$work/out" 2>&1 && sync_fail "acks of another device accepted"
grep -q "другого устройства" "$work/out" || sync_fail "other-device message: $(cat "$work/out")"
"$H" --data "$HUB_DIR" import "$work/one.ttex" --acks "$work/one.ttak" >"$work/out" 2>&1 && sync_fail "--acks overwrote a file"
grep -q "уже существует" "$work/out" || sync_fail "existing --acks message: $(cat "$work/out")"

# a tampered acknowledgement (last byte of the signed blob) changes nothing
python3 - "$work/one.ttak" "$work/bad.ttak" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 1
open(sys.argv[2], "wb").write(b)
PY
"$SYNCD" import-acks --db "$db" "$work/bad.ttak" >"$work/out" 2>&1 || sync_fail "bad acks: $(cat "$work/out")"
grep -q "не учтено: 1" "$work/out" || sync_fail "tampered ack not ignored: $(cat "$work/out")"
sync_expect_eq "acked after a tampered file" "$(sync_outbox "$db" acked)" 0

"$SYNCD" import-acks --db "$db" "$work/one.ttak" >"$work/out" 2>&1 || sync_fail "import-acks: $(cat "$work/out")"
grep -q "подтверждено наборов: 1" "$work/out" || sync_fail "import-acks output: $(cat "$work/out")"
sync_expect_eq "acked after import-acks" "$(sync_outbox "$db" acked)" 5
"$SYNCD" import-acks --db "$db" "$work/one.ttak" >"$work/out" 2>&1 || sync_fail "import-acks again"
grep -q "уже были подтверждены: 1" "$work/out" || sync_fail "second import-acks: $(cat "$work/out")"
sync_expect_eq "acked after importing acks twice" "$(sync_outbox "$db" acked)" 5
"$SYNCD" export --db "$db" --out "$work/none.ttex" | grep -q "Нет неотправленных" || sync_fail "export after acks not empty"
[ ! -e "$work/none.ttex" ] || sync_fail "an empty export wrote a file"

# --- rotation -------------------------------------------------------------
old_pk=$(meta "$db" hub_enc_pk)
student "$db" 10
"$SYNCD" export --db "$db" --out "$work/before.ttex" >/dev/null || sync_fail "export before rotation"
student "$other" 5
"$SYNCD" export --db "$other" --out "$work/other-old.ttex" >/dev/null || sync_fail "export other"
old_id=$("$H" --data "$HUB_DIR" keys list | awk -F'\t' '$2=="текущий"{print $1}')
"$H" --data "$HUB_DIR" keys rotate >"$work/out" 2>&1 || sync_fail "keys rotate: $(cat "$work/out")"
"$H" --data "$HUB_DIR" keys list >"$work/keys"
grep -q "^$old_id	прежний" "$work/keys" || sync_fail "old key not kept: $(cat "$work/keys")"
new_id=$(awk -F'\t' '$2=="текущий"{print $1}' "$work/keys")
[ -n "$new_id" ] && [ "$new_id" != "$old_id" ] || sync_fail "no new key: $(cat "$work/keys")"

# sealed to the old key, imported after the rotation: opens
"$H" --data "$HUB_DIR" import "$work/before.ttex" --acks "$work/before.ttak" >"$work/out" 2>&1 \
	|| sync_fail "import of an old-key set: $(cat "$work/out")"
sync_expect_eq "hub records after the old-key set" "$(hub_records)" 6
"$SYNCD" import-acks --db "$db" "$work/before.ttak" >"$work/out" 2>&1 || sync_fail "import-acks after rotation"
grep -q "сменил ключ" "$work/out" || sync_fail "device did not learn the new key: $(cat "$work/out")"
[ "$(meta "$db" hub_enc_pk)" != "$old_pk" ] || sync_fail "hub_enc_pk unchanged"

# the device now seals to the new key; the hub, restarted, takes it by push
hub_start "$work/hub" || sync_fail "hub restart"
sync_set_url "$db" "$HUB_URL"
student "$db" 11
"$T" --db "$db" sync >"$work/out" 2>"$work/log" || sync_fail "push after rotation: $(cat "$work/log")"
sync_expect_eq "hub records after a push with the new key" "$(hub_records)" 7
hub_stop

# retired: the other device's set, still sealed to the old key, is refused
"$H" --data "$HUB_DIR" keys retire "$old_id" >/dev/null || sync_fail "keys retire"
"$H" --data "$HUB_DIR" keys retire "$old_id" >"$work/out" 2>&1 && sync_fail "retired twice"
"$H" --data "$HUB_DIR" import "$work/other-old.ttex" >"$work/out" 2>&1 && sync_fail "old-key set accepted after retire"
grep -q "hub_key" "$work/out" || sync_fail "old-key refusal: $(cat "$work/out")"
sync_expect_eq "hub records after the refused set" "$(hub_records)" 7
echo "PASS"
