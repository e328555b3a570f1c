#!/bin/bash
# test_hub_pull — the hub's pull service over HTTPS on 127.0.0.1, driven by
# curl, tt-forge (devices that push) and tt-pull (a device's pull requests
# and acks, and the opening of the hub's answers):
#  - who gets what: a second PC of the school gets the school's shared and
#    school-only records, a curator of the school only the shared ones, a
#    PC of another school none of them; a form that shares with nobody
#    reaches no one; the register entry of the school travels;
#  - answers in batches (--max) joined without a gap or a repeat, the ack
#    moving the cursor forward only (device list shows it); pulls of
#    several devices at once while pushes go on;
#  - hostile bodies: garbage, a request where an ack is due, a flipped bit
#    in the cursor or the signature, another device's key id, an unknown
#    device, another box key, a clock hours ahead, a cursor past the feed,
#    a body over the cap, the wrong method, a revoked device: each refused
#    with its own code, the store's records untouched;
#  - USB: export-changes refused for a device whose box key the hub does
#    not have, the device's ack file imported (registering it), then the
#    file of changes opened by the device with every shared record.
# Runs on both stores
set -u
. "$(dirname "$0")/lib_hub.sh"

T=$(mktemp -d)
trap 'hub_stop; rm -rf "$T"' EXIT
FORGE="$TETRAD_BIN/tt-forge"
PULL="$TETRAD_BIN/tt-pull"
FAILS=0
PASSES=0

ok() { PASSES=$((PASSES + 1)); }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { # name got want
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
expect_in() { # name haystack needle
	case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in '$2'" ;; esac
}

# Three test forms: shared with the school and curators, with the school
# only, with nobody.
mkdir -p "$T/forms"
for f in shared:'["school","curators"]' schoolonly:'["school"]' private:'[]'; do
	id=${f%%:*}
	share=${f#*:}
	cat >"$T/forms/$id.json" <<EOF
{"format":1,"id":"$id","version":1,"title":"Тест $id","share":$share,"fields":[
 {"id":"n","label":"Число","type":"integer","min":0,"max":100},
 {"id":"note","label":"Заметка","type":"text","sync":"local"}]}
EOF
done
export TETRAD_FORMS_DIR="$T/forms"
hub_start "$T/hub" || exit 1

enroll() { # STATE TOKEN: a tt-forge device enrolled with TOKEN
	local pk
	pk=$("$FORGE" init "$1")
	python3 -c "import hashlib,sys; print(hashlib.blake2b(bytes.fromhex(sys.argv[1]), digest_size=32).hexdigest()[:16])" "$pk" >"$1.id"
	hub_curl -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"token\":\"$2\",\"device_pk\":\"$pk\",\"schools\":[]}" \
		-o "$1.enroll" "$HUB_URL/v1/enroll"
	"$FORGE" enrolled "$1" "$1.enroll"
}
post() { # PATH FILE OUT → HTTP code
	hub_curl -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
		-o "$3" -w '%{http_code}' "$HUB_URL$1"
}
push() { # STATE FORM OPS
	"$FORGE" seal "$1" "$T/env" --ops "$3" --form "$2" --fields '{"n":7}'
	expect_eq "push_$2" "$(post /v1/changesets "$T/env" "$T/ack")" 200
}
pull() { # STATE [tt-pull options] → the opened answer's JSON (or the error body)
	local st=$1 code
	shift
	"$PULL" req "$st" "$T/req" "$@"
	code=$(post /v1/pull "$T/req" "$T/ans")
	if [ "$code" = 200 ]; then
		"$PULL" open "$st" "$T/ans"
	else
		echo "$code $(cat "$T/ans")"
	fi
}
count() { # JSON KIND [FORM] → number of items
	python3 -c "import json,sys; b=json.loads(sys.argv[1]); print(len([x for x in b['$2'] if len(sys.argv) < 3 or x.get('form') == sys.argv[2]]))" "$1" ${3:+"$3"}
}
field() { # JSON FIELD
	python3 -c "import json,sys; print(json.loads(sys.argv[1])['$2'])" "$1"
}
records() { hub_sql "SELECT count(*)||'/'||coalesce(sum(length(data)),0) FROM hub_records"; }

hub_cli schools add 170103 --name "Школа № 3" >/dev/null
enroll "$T/s1" "$(hub_token --school 170103)"
enroll "$T/s2" "$(hub_token --school 170103)"
enroll "$T/s3" "$(hub_token --school 170103)"
enroll "$T/cur" "$(hub_token --curator "Куратор" --schools 170103,170104)"
enroll "$T/x" "$(hub_token --school 170105)"
push "$T/s1" shared 3
push "$T/s1" schoolonly 2
push "$T/s1" private 1
push "$T/x" shared 1

# --- who gets what
A=$(pull "$T/s2")
expect_eq school_pc_shared "$(count "$A" records shared)" 3
expect_eq school_pc_school_only "$(count "$A" records schoolonly)" 2
expect_eq school_pc_private "$(count "$A" records private)" 0
expect_eq school_pc_records "$(count "$A" records)" 5
expect_in school_pc_register "$A" '"code":"170103","name":"Школа № 3"'
expect_eq school_pc_no_more "$(field "$A" more)" False
HEAD=$(hub_sql "SELECT pos FROM feed_head")
expect_eq school_pc_upto_head "$(field "$A" upto)" "$HEAD"
C=$(pull "$T/cur")
expect_eq curator_shared "$(count "$C" records shared)" 3
expect_eq curator_no_school_only "$(count "$C" records schoolonly)" 0
expect_eq curator_records "$(count "$C" records)" 3
X=$(pull "$T/x")
expect_eq other_school_records "$(count "$X" records)" 1
expect_eq other_school_not_170103 "$(echo "$X" | grep -c 170103)" 0
expect_in pull_logged "$(cat "$HUB_LOG")" "pull addr=127.0.0.1 device="

# --- batches and the cursor
AFTER=0
N=0
for i in 1 2 3 4 5 6; do
	B=$(pull "$T/s2" --after "$AFTER" --max 2)
	N=$((N + $(count "$B" records) + $(count "$B" schools) + $(count "$B" profiles)))
	expect_eq "batch_${i}_after" "$(field "$B" after)" "$AFTER"
	AFTER=$(field "$B" upto)
	[ "$(field "$B" more)" = True ] || break
done
expect_eq batches_items "$N" 6
expect_eq batches_end_at_head "$AFTER" "$HEAD"
"$PULL" req "$T/s2" "$T/req" --ack --after "$HEAD"
expect_eq ack_ok "$(post /v1/pull/ack "$T/req" "$T/r")" 200
expect_in ack_body "$(cat "$T/r")" "\"acked\":$HEAD"
"$PULL" req "$T/s2" "$T/req" --ack --after 1
expect_eq ack_back_ok "$(post /v1/pull/ack "$T/req" "$T/r")" 200
expect_eq ack_never_back "$(hub_sql "SELECT pull_acked FROM devices WHERE box_pk IS NOT NULL AND pull_acked > 0")" "$HEAD"
expect_in device_list_cursor "$(hub_cli device list --json)" "\"pull_acked\": $HEAD,"

# --- answers are built on the ingest workers with the connection suspended:
# pulls of several devices at once all get their answers, and pushes go on
PIDS=""
for d in s1 s2 cur; do
	(
		for i in 1 2 3 4 5; do
			"$PULL" req "$T/$d" "$T/$d.preq$i"
			post /v1/pull "$T/$d.preq$i" "$T/$d.pans$i"
			echo
		done >"$T/$d.codes"
	) &
	PIDS="$PIDS $!"
done
# (s3 pushes: tt-forge rewrites its state file, which tt-pull reads)
for i in 1 2 3; do push "$T/s3" shared 1; done
# shellcheck disable=SC2086 # the hub is a child too: wait for these only
wait $PIDS
expect_eq parallel_pulls "$(cat "$T/s1.codes" "$T/s2.codes" "$T/cur.codes" | grep -c '^200$')" 15
expect_in parallel_answer_opens "$("$PULL" open "$T/cur" "$T/cur.pans5")" '"records":['
HEAD=$(hub_sql "SELECT pos FROM feed_head")

# --- hostile bodies, each refused with its own code; nothing stored moves
BEFORE=$(records)
refused() { # NAME PATH BODY CODE ERROR
	local code
	code=$(post "$2" "$3" "$T/r")
	expect_eq "$1" "$code" "$4"
	expect_in "$1_error" "$(cat "$T/r")" "\"error\":\"$5\""
}
head -c 190 /dev/urandom >"$T/junk"
refused garbage /v1/pull "$T/junk" 400 malformed
"$PULL" req "$T/s2" "$T/req"
refused request_as_ack /v1/pull/ack "$T/req" 400 malformed
"$PULL" req "$T/s2" "$T/req" --tamper 23
refused cursor_bit_flipped /v1/pull "$T/req" 400 signature
"$PULL" req "$T/s2" "$T/req" --tamper 150
refused signature_flipped /v1/pull "$T/req" 400 signature
"$PULL" req "$T/s2" "$T/req" --tamper 8
refused other_key_id /v1/pull "$T/req" 403 unknown_device
"$FORGE" init "$T/ghost" >/dev/null
cp "$T/s2/state.json" "$T/ghost/state.json"
"$PULL" req "$T/ghost" "$T/req"
refused unknown_device /v1/pull "$T/req" 403 unknown_device
"$PULL" req "$T/s2" "$T/req" --box other
refused other_box_key /v1/pull "$T/req" 409 box_key
"$PULL" req "$T/s2" "$T/req" --hlc-ahead-ms 7200000
refused clock_ahead /v1/pull "$T/req" 400 clock
"$PULL" req "$T/s2" "$T/req" --after $((HEAD + 5))
refused cursor_ahead /v1/pull "$T/req" 409 cursor_ahead
head -c 1000 /dev/zero >"$T/big"
expect_eq too_large "$(post /v1/pull "$T/big" "$T/r")" 413
expect_eq empty "$(hub_curl -X POST -o "$T/r" -w '%{http_code}' "$HUB_URL/v1/pull")" 400
expect_eq wrong_method "$(hub_curl -o /dev/null -w '%{http_code}' "$HUB_URL/v1/pull")" 405
XID=$(cat "$T/x.id")
hub_cli device revoke "$XID" >/dev/null
"$PULL" req "$T/x" "$T/req"
refused revoked /v1/pull "$T/req" 403 revoked
expect_eq nothing_stored_moved "$(records)" "$BEFORE"

# --- USB: the ack file first (it brings the box key), then the file of changes
S3=$(cat "$T/s3.id")
hub_cli export-changes --device "$S3" --out "$T/changes.ttpf" >"$T/out" 2>&1
expect_eq export_without_box_key "$?" 2
expect_in export_without_box_key_says "$(cat "$T/out")" "файл подтверждения"
"$PULL" req "$T/s3" "$T/s3.ack" --ack --after 0
hub_cli import "$T/s3.ack" >"$T/out" 2>&1
expect_eq import_ack "$?" 0
expect_in import_ack_says "$(cat "$T/out")" "Ключ шифрования устройства сохранён"
hub_cli export-changes --device "$S3" --out "$T/changes.ttpf" >"$T/out" 2>&1
expect_eq export_changes "$?" 0
expect_in export_changes_says "$(cat "$T/out")" "записей 8"
U=$("$PULL" file "$T/s3" "$T/changes.ttpf")
expect_eq usb_answers "$(echo "$U" | wc -l)" 1
expect_eq usb_records "$(count "$U" records)" 8
expect_eq usb_upto "$(field "$U" upto)" "$HEAD"
hub_cli export-changes --device "$S3" --out "$T/changes.ttpf" >"$T/out" 2>&1
expect_eq export_no_overwrite "$?" 4

expect_in still_serving "$(hub_curl "$HUB_URL/v1/health")" ok
hub_stop
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
