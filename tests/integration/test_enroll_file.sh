#!/usr/bin/env bash
# test_enroll_file — enrollment from one file instead of three pieces
# (issue 22): `tetrad-hub token create … --enroll-file F` writes the hub's
# address, a one-time token and the pin of its certificate (0600); `tetrad
# enroll --file F` enrolls with it over TLS trusted by the pin alone (no CA
# file), and the device then syncs. Refused: a file without an address to
# put in it (no token spent), a used file, a damaged one, a wrong pin, a
# file together with --hub.
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }

sync_workdir
: "${TETRAD_FORMS_DIR:=$TETRAD_SOURCE_DIR/forms}"
export TETRAD_FORMS_DIR
mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"
T="$TETRAD_BIN/tetrad"
F="$work/school.tetrad-enroll"

tokens() { hub_cli token list 2>/dev/null | tail -n +2 | wc -l; }

# --- no address known: refused before a token is made
before=$(tokens)
hub_cli token create --school 170103 --enroll-file "$F" >"$work/out" 2>"$work/err"; rc=$?
[ "$rc" -ne 0 ] || sync_fail "token create without an address succeeded"
grep -q -- "--hub-url" "$work/err" || sync_fail "no hint about --hub-url: $(cat "$work/err")"
[ ! -e "$F" ] || sync_fail "a file was written without an address"
sync_expect_eq "tokens after the refusal" "$(tokens)" "$before"

# --- the file: 0600, the token printed too, the pin of the served certificate
hub_cli token create --school 170103 --name "Школа 170103" --enroll-file "$F" \
	--hub-url "$HUB_URL" >"$work/tok" 2>"$work/err" || sync_fail "token create: $(cat "$work/err")"
sync_expect_eq "file mode" "$(stat -c %a "$F")" 600
grep -q "Файл подключения" "$work/err" || sync_fail "no word about the file: $(cat "$work/err")"
pin="sha256//$(openssl x509 -in "$HUB_DIR/tls/server.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
python3 - "$F" "$HUB_URL" "$(cat "$work/tok")" "$pin" <<'PY' || sync_fail "file content: $(cat "$F")"
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
assert f["format"] == 1, f
assert f["hub"] == sys.argv[2], f
assert f["token"] == sys.argv[3], f
assert f["pin"] == sys.argv[4], (f["pin"], sys.argv[4])
assert f["school"] == "170103", f
assert f["expires"].endswith("Z"), f
PY

# --- a wrong pin: TLS refused (exit 12), nothing enrolled, the token kept
db="$work/school.db"
"$T" --db "$db" init --school 170103 --name "Школа 170103" >/dev/null || sync_fail "init"
python3 - "$F" "$work/badpin.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
f["pin"] = "sha256//" + "A" * 43 + "="
json.dump(f, open(sys.argv[2], "w"))
PY
"$T" --db "$db" enroll --file "$work/badpin.json" >"$work/out" 2>&1; rc=$?
sync_expect_eq "enroll with a wrong pin: exit" "$rc" 12
grep -q "не совпадает" "$work/out" || sync_fail "wrong pin message: $(cat "$work/out")"

# --- the file with --hub: a usage error
"$T" --db "$db" enroll --file "$F" --hub "$HUB_URL" >"$work/out" 2>&1; rc=$?
sync_expect_eq "--file with --hub: exit" "$rc" 2
grep -q "либо --file" "$work/out" || sync_fail "--file with --hub message: $(cat "$work/out")"

# --- a damaged file, and something that is not one: exit 2, said in Russian
printf '{"hub": "https://x", "token": ' >"$work/broken"
"$T" --db "$db" enroll --file "$work/broken" >"$work/out" 2>&1; rc=$?
sync_expect_eq "damaged file: exit" "$rc" 2
grep -q "файл подключения" "$work/out" || sync_fail "damaged file message: $(cat "$work/out")"
head -c 20000 /dev/zero | tr '\0' 'x' >"$work/big"
"$T" --db "$db" enroll --file "$work/big" >"$work/out" 2>&1; rc=$?
sync_expect_eq "big file: exit" "$rc" 2
"$T" --db "$db" enroll --file "$work/missing" >"$work/out" 2>&1; rc=$?
[ "$rc" -ne 0 ] || sync_fail "a missing file enrolled"

# --- enrolled with the file alone (no --ca): records go
"$T" --db "$db" enroll --file "$F" >"$work/out" 2>&1 || sync_fail "enroll --file: $(cat "$work/out")"
grep -q "зарегистрировано на хабе $HUB_URL" "$work/out" || sync_fail "enroll output: $(cat "$work/out")"
"$T" --db "$db" new survey_student --set grade=5 --set enough_equipment=4 --set feel_safe=5 \
	--set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 \
	--set response_date=10.02.2026 >/dev/null 2>"$work/err" || sync_fail "new: $(cat "$work/err")"
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "sync after enroll --file: exit" "$rc" 0
sync_expect_eq "hub records" "$(hub_records)" 1

# --- the same file again: the token was spent
db2="$work/second.db"
"$T" --db "$db2" init --school 170103 >/dev/null || sync_fail "init second"
"$T" --db "$db2" enroll --file "$F" >"$work/out" 2>&1; rc=$?
sync_expect_eq "used file: exit" "$rc" 2
grep -q "уже использован" "$work/out" || sync_fail "used file message: $(cat "$work/out")"

# --- a curator's file, the address from hub.conf's public_url
echo "public_url = $HUB_URL" >>"$HUB_DIR/hub.conf"
C="$work/curator.tetrad-enroll"
hub_cli token create --curator "Петрова М. И." --schools 170103,170104 --enroll-file "$C" \
	>/dev/null 2>"$work/err" || sync_fail "curator token: $(cat "$work/err")"
python3 - "$C" "$HUB_URL" <<'PY' || sync_fail "curator file: $(cat "$C")"
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
assert f["hub"] == sys.argv[2] and f["curator"] == "Петрова М. И.", f
assert f["schools"] == ["170103", "170104"], f
assert "school" not in f, f
PY
cdb="$work/curator.db"
"$T" --db "$cdb" init --curator --name "Петрова М. И." >/dev/null || sync_fail "init --curator"
"$T" --db "$cdb" enroll --file "$C" >"$work/out" 2>&1 || sync_fail "curator enroll --file: $(cat "$work/out")"
grep -q "устройство куратора, школ: 2" "$work/out" || sync_fail "curator enroll output: $(cat "$work/out")"
echo "PASS"
