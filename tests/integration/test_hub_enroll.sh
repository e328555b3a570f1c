#!/usr/bin/env bash
# test_hub_enroll — enrollment against a real tetrad-hub over HTTPS on
# 127.0.0.1, driven by the real tetrad-syncd, curl and tt-forge:
#  - a PC set up for 170104 with 170103's token: refused before anything is
#    spent (409, both schools named); the token then enrolls a 170103 PC;
#    the 170104 PC enrolls with its own token and its push is applied; a
#    set signed with a key refused that way is refused (nothing registered);
#  - a key an older program left registered for another school: unsigned,
#    409 key_registered; syncd's signed request re-binds it (with or
#    without recorded changes) and the device pushes; a revoked old key is
#    replaced by a new pair; revoked with recorded changes: refused, told
#    why, the token unspent;
#  - keys that cannot sign (all-zero, identity, small order, non-canonical)
#    and the hub's own keys: 400 key_unusable, the token still usable;
#  - \u0000 in a string, text after the object, no "schools": 400, the
#    token still usable;
#  - a burst of wrong tokens from one address: 429 + Retry-After past the
#    limit, the log names the address and never the token, a correct token
#    from another address enrolls, and the first address enrolls again once
#    it has waited;
#  - the hub still serves.
# Client addresses other than 127.0.0.1 are other loopback addresses
# (curl --interface 127.0.0.N), so each part has its own throttle share.
# Runs on both stores
set -u
. "$(dirname "$0")/lib_hub.sh"
. "$(dirname "$0")/sync_lib.sh"

T=$(mktemp -d)
trap 'hub_stop; rm -rf "$T"' EXIT
FORGE="$TETRAD_BIN/tt-forge"
HOSTILE="$TETRAD_BIN/tt-hostile"
FAILS=0
PASSES=0

ok() { PASSES=$((PASSES + 1)); }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
expect_in() { # NAME TEXT PART
	case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in '$2'" ;; esac
}

export TETRAD_FORMS_DIR="$T/forms"
sync_forms "$TETRAD_FORMS_DIR"
hub_start "$T/hub" || exit 1

enroll() { # FROM JSON OUT → HTTP code (FROM: the client's loopback address)
	hub_curl --interface "$1" -X POST -H 'Content-Type: application/json' \
		--data-binary "$2" -o "$3" -w '%{http_code}' "$HUB_URL/v1/enroll"
}
post() { # FILE OUT → HTTP code
	hub_curl -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$1" \
		-o "$2" -w '%{http_code}' "$HUB_URL/v1/changesets"
}
devices() { hub_sql "SELECT count(*) FROM devices"; }
mkdb() { # DB SCHOOL: an empty client database set up for SCHOOL
	sync_mkdb "$1"
	sqlite3 "$1" "UPDATE meta SET value='$2' WHERE key='school'"
}
add() { # DB N SCHOOL: N changes of SCHOOL
	sync_add "$1" "$2"
	sqlite3 "$1" "UPDATE outbox SET school='$3'"
}
meta() { sqlite3 "$1" "SELECT value FROM meta WHERE key='$2'"; }

if ! curl -s --max-time 5 --interface 127.0.0.2 --cacert "$HUB_CA" "$HUB_URL/v1/health" \
	>/dev/null 2>&1; then
	echo "SKIP: no other loopback address (127.0.0.2) to send from" >&2
	exit 77
fi

# --- a token for the wrong school --------------------------------------------
T3=$(hub_token --school 170103 --name "Школа 170103")
T4=$(hub_token --school 170104 --name "Школа 170104")
mkdb "$T/pc4.db" 170104
D0=$(devices)
"$SYNCD" enroll --db "$T/pc4.db" --hub "$HUB_URL" --token "$T3" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq wrong_school_exit "$?" 2
expect_in wrong_school_names_token_school "$(cat "$T/err")" "выдан для школы 170103"
expect_in wrong_school_names_device_school "$(cat "$T/err")" "подготовлено для школы 170104"
expect_in wrong_school_says_unspent "$(cat "$T/err")" "не израсходован"
expect_eq wrong_school_nothing_registered "$(devices)" "$D0"
expect_eq wrong_school_not_bound "$(meta "$T/pc4.db" hub_sign_pk)" ""
expect_in wrong_school_log "$(cat "$HUB_LOG")" "enroll 409 school_mismatch from 127.0.0.1"
# the same token still enrolls the right school's PC
mkdb "$T/pc3.db" 170103
"$SYNCD" enroll --db "$T/pc3.db" --hub "$HUB_URL" --token "$T3" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq right_school_enrolls "$?" 0
# the wrong PC enrolls with its own token and its push is applied
"$SYNCD" enroll --db "$T/pc4.db" --hub "$HUB_URL" --token "$T4" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq wrong_pc_enrolls_with_its_token "$?" 0
expect_eq wrong_pc_school "$(hub_sql "SELECT schools FROM devices WHERE id='$(meta "$T/pc4.db" device_id)'")" 170104
add "$T/pc4.db" 3 170104
"$SYNCD" --once --db "$T/pc4.db" >"$T/out" 2>"$T/log"
expect_eq wrong_pc_push_exit "$?" 0
expect_eq wrong_pc_push_applied "$(sync_outbox "$T/pc4.db" acked)" 3
expect_eq wrong_pc_records "$(hub_sql "SELECT count(*) FROM hub_records WHERE school='170104'")" 3

# a key refused for the wrong school is not registered: its sets are refused
PKW=$("$FORGE" init "$T/w")
T3B=$(hub_token --school 170103)
expect_eq forge_wrong_school "$(enroll 127.0.0.2 "{\"token\":\"$T3B\",\"device_pk\":\"$PKW\",\"schools\":[\"170104\"]}" "$T/r")" 409
expect_in forge_wrong_school_code "$(cat "$T/r")" school_mismatch
PKG=$("$FORGE" init "$T/g")
expect_eq forge_right_school "$(enroll 127.0.0.2 "{\"token\":\"$T3B\",\"device_pk\":\"$PKG\",\"schools\":[\"170103\"]}" "$T/good.json")" 200
"$FORGE" enrolled "$T/w" "$T/good.json"    # the hub's keys, as if enrolled for 170103
"$FORGE" seal "$T/w" "$T/wset" --school 170103 --form sync_test --fields '{"n":1}'
expect_eq refused_key_set_refused "$(post "$T/wset" "$T/r")" 403
expect_in refused_key_unknown "$(cat "$T/r")" unknown_device
expect_eq refused_key_stored_nothing "$(hub_sql "SELECT count(*) FROM hub_records WHERE school='170103'")" 0

# curators: the device's school must be one of the token's
CT=$(hub_token --curator "Куратор" --schools 170103,170104)
mkdb "$T/cur5.db" 170105
"$SYNCD" enroll --db "$T/cur5.db" --hub "$HUB_URL" --token "$CT" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq curator_other_school_exit "$?" 2
expect_in curator_other_school_msg "$(cat "$T/err")" "170105"
mkdb "$T/cur4.db" 170104
"$SYNCD" enroll --db "$T/cur4.db" --hub "$HUB_URL" --token "$CT" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq curator_own_school_enrolls "$?" 0
expect_eq curator_kind "$(meta "$T/cur4.db" device_kind)" curator

# --- a key an older program registered for another school --------------------
legacy_key() { # DB SCHOOL_TOKEN: makes DB's key (a refused attempt), registers it
	# with the token as an older program did; prints "PK ID"
	"$SYNCD" enroll --db "$1" --hub "$HUB_URL" --token "nonexistent-token" --ca "$HUB_CA" \
		>/dev/null 2>&1
	local pk id
	read -r pk id < <("$HOSTILE" pk "$1.device.key")
	[ "$(enroll 127.0.0.2 "{\"token\":\"$2\",\"device_pk\":\"$pk\",\"schools\":[]}" "$T/r")" = 200 ] ||
		bad "legacy registration of $1: $(cat "$T/r")"
	echo "$pk $id"
}
# never used by the hub: syncd's signed request re-binds the key to 170104
mkdb "$T/leg.db" 170104
read -r LPK LID < <(legacy_key "$T/leg.db" "$(hub_token --school 170103)")
T4L=$(hub_token --school 170104)
expect_eq legacy_unsigned_refused "$(enroll 127.0.0.2 "{\"token\":\"$T4L\",\"device_pk\":\"$LPK\",\"schools\":[\"170104\"]}" "$T/r")" 409
expect_in legacy_unsigned_code "$(cat "$T/r")" key_registered
"$SYNCD" enroll --db "$T/leg.db" --hub "$HUB_URL" --token "$T4L" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq legacy_rebound "$?" 0
expect_eq legacy_same_key "$(meta "$T/leg.db" device_id)" "$LID"
expect_eq legacy_hub_school "$(hub_sql "SELECT schools FROM devices WHERE id='$LID'")" 170104
add "$T/leg.db" 2 170104
"$SYNCD" --once --db "$T/leg.db" >"$T/out" 2>"$T/log"
expect_eq legacy_push_exit "$?" 0
expect_eq legacy_push_applied "$(sync_outbox "$T/leg.db" acked)" 2
# with changes already recorded (stamped with this key): the same recovery
mkdb "$T/leg2.db" 170104
read -r L2PK L2ID < <(legacy_key "$T/leg2.db" "$(hub_token --school 170103)")
sqlite3 "$T/leg2.db" "INSERT OR REPLACE INTO meta VALUES('device_id','$L2ID')"
add "$T/leg2.db" 3 170104
"$SYNCD" enroll --db "$T/leg2.db" --hub "$HUB_URL" --token "$(hub_token --school 170104)" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq legacy_recorded_rebound "$?" 0
"$SYNCD" --once --db "$T/leg2.db" >"$T/out" 2>"$T/log"
expect_eq legacy_recorded_push_applied "$(sync_outbox "$T/leg2.db" acked)" 3
# the old registration revoked, nothing recorded: syncd makes a new key pair
mkdb "$T/leg3.db" 170104
read -r L3PK L3ID < <(legacy_key "$T/leg3.db" "$(hub_token --school 170103)")
hub_cli device revoke "$L3ID" >/dev/null 2>&1 || bad "revoke $L3ID"
"$SYNCD" enroll --db "$T/leg3.db" --hub "$HUB_URL" --token "$(hub_token --school 170104)" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq legacy_revoked_new_key "$?" 0
expect_in legacy_names_old_key "$(cat "$T/out")" "$L3ID"
expect_in legacy_says_revoked "$(cat "$T/out")" "был отозван на хабе"
NEWID=$(meta "$T/leg3.db" device_id)
[ -n "$NEWID" ] && [ "$NEWID" != "$L3ID" ] && ok || bad "legacy: the key was not replaced ($NEWID)"
expect_eq legacy_new_key_school "$(hub_sql "SELECT schools FROM devices WHERE id='$NEWID'")" 170104
add "$T/leg3.db" 2 170104
"$SYNCD" --once --db "$T/leg3.db" >"$T/out" 2>"$T/log"
expect_eq legacy_new_key_push_applied "$(sync_outbox "$T/leg3.db" acked)" 2
# revoked and with recorded changes: the key stays, the message says why,
# the token is not spent
mkdb "$T/leg4.db" 170104
read -r L4PK L4ID < <(legacy_key "$T/leg4.db" "$(hub_token --school 170103)")
hub_cli device revoke "$L4ID" >/dev/null 2>&1 || bad "revoke $L4ID"
sqlite3 "$T/leg4.db" "INSERT OR REPLACE INTO meta VALUES('device_id','$L4ID')"
add "$T/leg4.db" 1 170104
T4L4=$(hub_token --school 170104)
"$SYNCD" enroll --db "$T/leg4.db" --hub "$HUB_URL" --token "$T4L4" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq legacy_stuck_exit "$?" 2
expect_in legacy_stuck_message "$(cat "$T/err")" "это устройство ($L4ID) отозвано на хабе"
expect_in legacy_stuck_unspent "$(cat "$T/err")" "не израсходован"
expect_eq legacy_stuck_key_kept "$("$HOSTILE" pk "$T/leg4.db.device.key" | cut -d' ' -f2)" "$L4ID"
mkdb "$T/pc4b.db" 170104
"$SYNCD" enroll --db "$T/pc4b.db" --hub "$HUB_URL" --token "$T4L4" --ca "$HUB_CA" >"$T/out" 2>"$T/err"
expect_eq legacy_stuck_token_still_usable "$?" 0

# --- unusable keys ------------------------------------------------------------
TK=$(hub_token --school 170106)
HUB_SIGN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub_sign_pk"])' "$T/good.json")
HUB_ENC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub_enc_pk"])' "$T/good.json")
for k in zero:0000000000000000000000000000000000000000000000000000000000000000 \
	identity:0100000000000000000000000000000000000000000000000000000000000000 \
	order8:c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a \
	noncanonical:eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f \
	hub_sign:$HUB_SIGN hub_enc:$HUB_ENC; do
	expect_eq "key_${k%%:*}" "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"${k#*:}\",\"schools\":[]}" "$T/r")" 400
	expect_in "key_${k%%:*}_code" "$(cat "$T/r")" key_unusable
	expect_eq "key_${k%%:*}_not_registered" "$(hub_sql "SELECT count(*) FROM devices WHERE $(hub_hex pk)=lower('${k#*:}')")" 0
done

# --- the parser: \u0000, trailing text, no schools ------------------------------
PKK=$("$FORGE" init "$T/k")
expect_eq nul_in_label "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\",\"schools\":[],\"label\":\"ok\\u0000\\u0007\"}" "$T/r")" 400
expect_in nul_in_label_msg "$(cat "$T/r")" NUL
expect_eq nul_in_token "$(enroll 127.0.0.3 "{\"token\":\"$TK\\u0000\",\"device_pk\":\"$PKK\",\"schools\":[]}" "$T/r")" 400
expect_eq trailing_text "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\",\"schools\":[]} x" "$T/r")" 400
expect_eq trailing_object "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\",\"schools\":[]}{}" "$T/r")" 400
expect_eq no_schools "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\"}" "$T/r")" 400
expect_in no_schools_msg "$(cat "$T/r")" "устарела"
expect_eq bad_school_code "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\",\"schools\":[\"17 01\"]}" "$T/r")" 400
expect_eq parser_nothing_registered "$(hub_sql "SELECT count(*) FROM devices WHERE $(hub_hex pk)=lower('$PKK')")" 0
# after all that, the token is still there
expect_eq token_still_usable "$(enroll 127.0.0.3 "{\"token\":\"$TK\",\"device_pk\":\"$PKK\",\"schools\":[\"170106\"]}" "$T/r")" 200

# --- a burst of wrong tokens -------------------------------------------------
TB=$(hub_token --school 170107)
codes=""
for i in $(seq 1 25); do
	codes="$codes $(enroll 127.0.0.5 "{\"token\":\"WRNG-TKN$(printf %02d "$i")-AAAA-BBBB-CCCC\",\"device_pk\":\"$PKK\",\"schools\":[]}" "$T/r")"
done
n403=$(echo "$codes" | tr ' ' '\n' | grep -c '^403$')
n429=$(echo "$codes" | tr ' ' '\n' | grep -c '^429$')
echo "burst of 25 wrong tokens: $n403 × 403, $n429 × 429"
[ "$n403" -ge 20 ] && [ "$n403" -le 22 ] && ok || bad "burst: $n403 answers 403 (want the 20 of the burst, ± refills)"
[ "$n429" -ge 3 ] && ok || bad "burst: only $n429 answers 429"
hub_curl --interface 127.0.0.5 -D "$T/hdr" -X POST --data-binary "{\"token\":\"$TB\",\"device_pk\":\"$PKK\",\"schools\":[]}" \
	-o "$T/r" "$HUB_URL/v1/enroll"
expect_in burst_429 "$(head -1 "$T/hdr")" 429
RA=$(grep -i '^retry-after:' "$T/hdr" | tr -dc 0-9)
[ -n "$RA" ] && [ "$RA" -ge 1 ] && [ "$RA" -le 3 ] && ok || bad "Retry-After '$RA' (want 1..3 s)"
expect_in burst_429_code "$(cat "$T/r")" too_many
expect_in burst_log_address "$(grep 'enroll 429' "$HUB_LOG")" "from 127.0.0.5"
expect_in burst_log_403_address "$(grep 'enroll 403' "$HUB_LOG")" "from 127.0.0.5"
grep -q "WRNG-TKN" "$HUB_LOG" && bad "a token reached the log" || ok
grep -q "$TB" "$HUB_LOG" && bad "a token reached the log" || ok
# another address with a correct token: enrolled at once
PKB=$("$FORGE" init "$T/b")
expect_eq other_address_enrolls "$(enroll 127.0.0.6 "{\"token\":\"$TB\",\"device_pk\":\"$PKB\",\"schools\":[\"170107\"]}" "$T/r")" 200
# the throttled address, once it has waited Retry-After, enrolls too
TB2=$(hub_token --school 170107)
PKB2=$("$FORGE" init "$T/b2")
sleep "$RA"
expect_eq throttled_address_after_wait "$(enroll 127.0.0.5 "{\"token\":\"$TB2\",\"device_pk\":\"$PKB2\",\"schools\":[]}" "$T/r")" 200

# --- still serving --------------------------------------------------------------
expect_in health_after "$(hub_curl "$HUB_URL/v1/health")" '"status":"ok"'
add "$T/pc4.db" 5 170104
"$SYNCD" --once --db "$T/pc4.db" >"$T/out" 2>"$T/log"
expect_eq push_after_exit "$?" 0
expect_eq push_after_applied "$(sync_outbox "$T/pc4.db" acked)" 8
kill -0 "$HUB_PID" 2>/dev/null && ok || bad "the hub is gone"

echo "test_hub_enroll: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
