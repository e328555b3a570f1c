#!/bin/bash
# test_hub_ingest — a real tetrad-hub over HTTPS on 127.0.0.1, driven by curl
# and tt-forge (a "modified client"): enrollment (good, used, expired,
# unknown token, bad requests), ingest, replay, gap, fork, refusals that
# consume the range (foreign school, future HLC, smuggled local field, values
# out of range, unknown field or form, forged HLC node), refusals that store
# nothing (another signing key, another hub key, every tampered part,
# malformed bodies, malformed JSON inside an authentic envelope, unknown and
# revoked devices), a huge declared length refused before the body is read,
# curator authorisation, and a USB export imported through the same path.
# Runs on both stores
set -u
. "$(dirname "$0")/lib_hub.sh"

T=$(mktemp -d)
trap 'hub_stop; rm -rf "$T"' EXIT
FORGE="$TETRAD_BIN/tt-forge"
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

# A test form with a local field, as on a device.
mkdir -p "$T/forms"
cat >"$T/forms/test.json" <<'EOF'
{"format":1,"id":"test","version":1,"title":"Тест","fields":[
 {"id":"n","label":"Число","type":"integer","min":0,"max":100},
 {"id":"note","label":"Заметка","type":"text","sync":"local"},
 {"id":"t","label":"Текст","type":"text"}]}
EOF
export TETRAD_FORMS_DIR="$T/forms"

hub_start "$T/hub" || exit 1

post() { # FILE OUT → HTTP code
	hub_curl -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$1" \
		-o "$2" -w '%{http_code}' "$HUB_URL/v1/changesets"
}
enroll() { # JSON OUT → HTTP code
	hub_curl -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		-o "$2" -w '%{http_code}' "$HUB_URL/v1/enroll"
}
ack_field() { # STATE ACKFILE FIELD
	"$FORGE" ack "$1" "$2" | python3 -c "import json,sys; print(json.load(sys.stdin)['$3'])"
}
records() { hub_sql "SELECT count(*) FROM hub_records"; }
quarantined() { hub_sql "SELECT count(*) FROM quarantine"; }

# --- health and routing
expect_in health "$(hub_curl "$HUB_URL/v1/health")" '"status":"ok"'
expect_eq not_found "$(hub_curl -o /dev/null -w '%{http_code}' "$HUB_URL/v1/nothing")" 404
expect_eq wrong_method "$(hub_curl -o /dev/null -w '%{http_code}' "$HUB_URL/v1/changesets")" 405

# --- enrollment
PK=$("$FORGE" init "$T/dev")
TOK=$(hub_token --school 170103 --name "Школа № 3")
expect_eq token_printed "$(echo "$TOK" | grep -cE '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$')" 1
expect_eq token_stored_hashed "$(hub_sql "SELECT count(*) FROM tokens WHERE $(hub_hex hash) LIKE '%$(echo "$TOK" | tr -d - | tr A-Z a-z)%'")" 0
expect_eq enroll_unknown "$(enroll "{\"token\":\"AAAA-BBBB-CCCC-DDDD-EEEE\",\"device_pk\":\"$PK\",\"schools\":[]}" "$T/r")" 403
expect_in enroll_unknown_code "$(cat "$T/r")" token_unknown
expect_eq enroll_not_json "$(enroll 'token=1' "$T/r")" 400
expect_in enroll_not_json_code "$(cat "$T/r")" bad_request
expect_eq enroll_no_pk "$(enroll "{\"token\":\"$TOK\"}" "$T/r")" 400
expect_eq enroll_bad_pk "$(enroll "{\"token\":\"$TOK\",\"device_pk\":\"zz\"}" "$T/r")" 400
expect_eq enroll_extra_member "$(enroll "{\"token\":\"$TOK\",\"device_pk\":\"$PK\",\"schools\":[],\"admin\":\"1\"}" "$T/r")" 400
expect_eq enroll_ok "$(enroll "{\"token\":\"$TOK\",\"device_pk\":\"$PK\",\"schools\":[],\"label\":\"ПК соцпедагога\"}" "$T/enroll.json")" 200
expect_in enroll_answer "$(cat "$T/enroll.json")" '"schools":["170103"]'
expect_in enroll_answer_kind "$(cat "$T/enroll.json")" '"kind":"school"'
"$FORGE" enrolled "$T/dev" "$T/enroll.json"
expect_eq enroll_retry_same_key "$(enroll "{\"token\":\"$TOK\",\"device_pk\":\"$PK\",\"schools\":[]}" "$T/r")" 200
expect_eq enroll_retry_same_answer "$(cmp -s "$T/r" "$T/enroll.json" && echo same)" same
PK2=$("$FORGE" init "$T/dev2")
expect_eq enroll_used "$(enroll "{\"token\":\"$TOK\",\"device_pk\":\"$PK2\",\"schools\":[]}" "$T/r")" 410
expect_in enroll_used_code "$(cat "$T/r")" token_used
TOKX=$(hub_token --school 170104 --expires 0s)
sleep 1.2
expect_eq enroll_expired "$(enroll "{\"token\":\"$TOKX\",\"device_pk\":\"$PK2\",\"schools\":[]}" "$T/r")" 410
expect_in enroll_expired_code "$(cat "$T/r")" token_expired
expect_eq enroll_too_large "$(head -c 100000 /dev/zero | tr '\0' 'a' | hub_curl -X POST --data-binary @- -o /dev/null -w '%{http_code}' "$HUB_URL/v1/enroll")" 413

# --- ingest, ack, replay
"$FORGE" seal "$T/dev" "$T/e1" --ops 3 --fields '{"n":7,"t":"ok"}'
expect_eq push_applied "$(post "$T/e1" "$T/a1")" 200
expect_eq ack_status "$(ack_field "$T/dev" "$T/a1" status)" applied
expect_eq ack_applied "$(ack_field "$T/dev" "$T/a1" applied)" 3
expect_eq ack_expected "$(ack_field "$T/dev" "$T/a1" expected_seq)" 4
expect_eq records_after_push "$(records)" 3
expect_eq replay_status "$(post "$T/e1" "$T/a1b")" 200
expect_eq replay_identical_ack "$(cmp -s "$T/a1" "$T/a1b" && echo same)" same
expect_eq records_after_replay "$(records)" 3

# --- gap and fork
"$FORGE" seal "$T/dev" "$T/gap" --seq 9
expect_eq gap "$(post "$T/gap" "$T/r")" 409
expect_eq gap_status "$(ack_field "$T/dev" "$T/r" status)" gap
expect_eq gap_expected "$(ack_field "$T/dev" "$T/r" expected_seq)" 4
"$FORGE" seal "$T/dev" "$T/fork" --seq 1 --ops 3 --prev zeros --fields '{"n":8}'
expect_eq fork "$(post "$T/fork" "$T/r")" 409
expect_eq fork_status "$(ack_field "$T/dev" "$T/r" status)" fork
expect_in fork_quarantined "$(hub_cli quarantine list --json)" '"kind": "fork"'
"$FORGE" seal "$T/dev" "$T/fork2" --seq 4 --prev zeros --fields '{"n":8}'
expect_eq fork_bad_chain "$(post "$T/fork2" "$T/r")" 409
expect_eq records_after_fork "$(records)" 3

# --- authentic, in sequence, content refused: 422 and the range is consumed
refused() { # NAME STATUS SEAL-ARGS...
	local name=$1 want=$2
	shift 2
	"$FORGE" seal "$T/dev" "$T/x" "$@"
	expect_eq "$name" "$(post "$T/x" "$T/r")" 422
	expect_eq "${name}_status" "$(ack_field "$T/dev" "$T/r" status)" "$want"
}
Q0=$(quarantined)
refused foreign_school refused --school 999999
refused foreign_set_school refused --set-school 170104 --school 170104
refused future_hlc future_hlc --hlc-ahead-ms 3600000
refused smuggled_local refused --fields '{"n":1,"note":"Иванов Петя"}'
refused out_of_range refused --fields '{"n":101}'
refused unknown_field refused --fields '{"n":1,"zzz":2}'
refused wrong_type refused --fields '{"n":"семь"}'
refused unknown_form refused --form nosuchform
refused forged_node refused --node 0123456789abcdef
expect_eq refused_quarantined "$(($(quarantined) - Q0))" 9
expect_eq refused_nothing_stored "$(records)" 3
expect_in refusal_reason "$(hub_cli quarantine list)" "школа 999999"
"$FORGE" seal "$T/dev" "$T/e2" --fields '{"n":9}'
expect_eq chain_continues_after_refusal "$(post "$T/e2" "$T/r")" 200
expect_eq records_after_refusals "$(records)" 4
expect_eq local_value_never_stored "$(hub_sql "SELECT count(*) FROM hub_records WHERE data LIKE '%Иванов%'")" 0

# --- refused before anything is stored (400, unsigned JSON)
nothing() { # NAME WANT-CODE WANT-ERROR FILE
	local before after code
	before=$(hub_sql "SELECT (SELECT count(*) FROM hub_records)||'/'||(SELECT watermark FROM devices WHERE id=(SELECT id FROM devices ORDER BY enrolled_at LIMIT 1))")
	code=$(post "$4" "$T/r")
	expect_eq "$1" "$code" "$2"
	expect_in "${1}_error" "$(tr -d '\000' <"$T/r")" "$3"
	after=$(hub_sql "SELECT (SELECT count(*) FROM hub_records)||'/'||(SELECT watermark FROM devices WHERE id=(SELECT id FROM devices ORDER BY enrolled_at LIMIT 1))")
	expect_eq "${1}_nothing_stored" "$after" "$before"
}
"$FORGE" init "$T/other" >/dev/null
"$FORGE" seal "$T/dev" "$T/x" --no-advance --key "$T/other/device.key"
nothing other_signing_key 400 signature "$T/x"
"$FORGE" seal "$T/dev" "$T/x" --no-advance --hub-pk "$(python3 -c 'print("11"*32)')"
nothing other_hub_key 400 hub_key "$T/x"
"$FORGE" seal "$T/dev" "$T/x" --no-advance --tamper 9
nothing tamper_header_device_id 403 '' "$T/x"
for off in 0 4 5 17 25 41 45 50 90 120 137; do
	"$FORGE" seal "$T/dev" "$T/x" --no-advance --tamper $off
	nothing "tamper_header_$off" 400 '"error"' "$T/x"
done
for off in 140 150 160; do
	"$FORGE" seal "$T/dev" "$T/x" --no-advance --tamper $off
	nothing "tamper_ciphertext_$off" 400 signature "$T/x"
done
for off in -1 -32 -64; do
	"$FORGE" seal "$T/dev" "$T/x" --no-advance --tamper $off
	nothing "tamper_signature_$off" 400 signature "$T/x"
done
head -c 3000 /dev/urandom >"$T/x"
nothing random_bytes 400 malformed "$T/x"
"$FORGE" seal "$T/dev" "$T/x" --no-advance
head -c 200 "$T/x" >"$T/x2"
nothing truncated 400 malformed "$T/x2"
{ cat "$T/x"; printf 'X'; } >"$T/x2"
nothing trailing_byte 400 malformed "$T/x2"
printf '{"v":1,"device":' >"$T/plain"
"$FORGE" seal "$T/dev" "$T/x" --raw-plain "$T/plain"
nothing malformed_json_inside 400 malformed "$T/x"
printf '\xff\xfe{}' >"$T/plain"
"$FORGE" seal "$T/dev" "$T/x" --raw-plain "$T/plain"
nothing invalid_utf8_inside 400 malformed "$T/x"
python3 -c 'print("{\"a\":"*200 + "1" + "}"*200, end="")' >"$T/plain"
"$FORGE" seal "$T/dev" "$T/x" --raw-plain "$T/plain"
nothing deep_nesting_inside 400 malformed "$T/x"
expect_eq empty_body "$(hub_curl -X POST -H 'Content-Type: application/octet-stream' --data-binary '' -o /dev/null -w '%{http_code}' "$HUB_URL/v1/changesets")" 400

# --- raw requests over TLS, answers read back by status:
# a huge declared length with a tiny body: 413 at once, body never read;
# a body a little over its cap, sent whole without waiting for an answer
# (20 times): read and dropped, then 413 — never a reset before the answer
python3 - "$HUB_URL" "$HUB_CA" >"$T/raw" <<'EOF'
import socket, ssl, sys, time
port = int(sys.argv[1].rsplit(':', 1)[1])
ctx = ssl.create_default_context(cafile=sys.argv[2])

def status(request):
    try:
        s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=10),
                            server_hostname='127.0.0.1')
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        return data.split(b" ")[1].decode() if data else "none"
    except (OSError, IndexError) as e:
        return type(e).__name__

t = time.time()
code = status(b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\n"
              b"Content-Length: 99999999999\r\n\r\nTTRD")
print(code, "fast" if time.time() - t < 2 else "slow")
body = b"a" * 200000
got = [status(b"POST /v1/enroll HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body) for _ in range(20)]
print(" ".join(sorted(set(got))), len(got))
EOF
expect_eq huge_declared_length "$(sed -n 1p "$T/raw")" "413 fast"
expect_eq over_cap_drained "$(sed -n 2p "$T/raw")" "413 20"
dd if=/dev/zero bs=1M count=17 2>/dev/null >"$T/big"
expect_eq oversized_body "$(post "$T/big" /dev/null)" 413

# --- unknown and revoked devices
mkdir -p "$T/ghost"
"$FORGE" init "$T/ghost" >/dev/null
cp "$T/dev/state.json" "$T/ghost/state.json"
"$FORGE" seal "$T/ghost" "$T/x" --no-advance
expect_eq unknown_device "$(post "$T/x" "$T/r")" 403
expect_eq unknown_device_status "$(ack_field "$T/dev" "$T/r" status)" unknown_device
DEV_ID=$(python3 -c "import json; print(json.load(open('$T/enroll.json'))['device_id'])")
hub_cli device revoke "$DEV_ID" >/dev/null
expect_in device_list_revoked "$(hub_cli device list)" отозвано
expect_in device_list_json "$(hub_cli device list --json)" "\"status\": \"revoked\""
"$FORGE" seal "$T/dev" "$T/x" --no-advance
expect_eq revoked_device "$(post "$T/x" "$T/r")" 403
expect_eq revoked_status "$(ack_field "$T/dev" "$T/r" status)" revoked
expect_in revoked_reason "$(ack_field "$T/dev" "$T/r" reason)" "отозвано"
expect_eq revoked_earlier_data_kept "$(records)" 4
expect_eq revoked_replay_refused "$(post "$T/e1" "$T/r")" 403

# --- curator: only the schools of the token
CT=$(hub_token --curator "Куратор Ч." --schools 170103,170105)
CPK=$("$FORGE" init "$T/cur")
expect_eq curator_enroll "$(enroll "{\"token\":\"$CT\",\"device_pk\":\"$CPK\",\"schools\":[]}" "$T/cur.json")" 200
expect_in curator_schools "$(cat "$T/cur.json")" '"schools":["170103","170105"]'
"$FORGE" enrolled "$T/cur" "$T/cur.json"
"$FORGE" seal "$T/cur" "$T/x" --school 170105 --fields '{"n":3}'
expect_eq curator_own_school "$(post "$T/x" "$T/r")" 200
"$FORGE" seal "$T/cur" "$T/x" --school 170104 --fields '{"n":3}'
expect_eq curator_foreign_school "$(post "$T/x" "$T/r")" 422
"$FORGE" seal "$T/cur" "$T/x" --school 170105 --set-school 170105
expect_eq curator_claims_school_set "$(post "$T/x" "$T/r")" 422

# --- two devices edit the same record offline: per-field last writer wins,
#     the loser is in `conflicts list`
ST=$(hub_token --school 170105)
SPK=$("$FORGE" init "$T/s5")
enroll "{\"token\":\"$ST\",\"device_pk\":\"$SPK\",\"schools\":[]}" "$T/s5.json" >/dev/null
"$FORGE" enrolled "$T/s5" "$T/s5.json"
REC=019a3e6e-3000-7000-8000-00000000abcd
NOWMS=$(python3 -c 'import time; print(int(time.time()*1000))')
"$FORGE" seal "$T/s5" "$T/x" --record $REC --hlc-ms $((NOWMS - 60000)) --fields '{"n":10,"t":"школа"}'
expect_eq conflict_first_writer "$(post "$T/x" "$T/r")" 200
"$FORGE" seal "$T/cur" "$T/x" --school 170105 --record $REC --hlc-ms $((NOWMS - 120000)) --fields '{"n":20,"t":"куратор"}'
expect_eq conflict_older_writer "$(post "$T/x" "$T/r")" 200
expect_eq conflict_count_in_ack "$(ack_field "$T/cur" "$T/r" conflicts)" 2
expect_eq conflict_winner_kept "$(hub_sql "SELECT data FROM hub_records WHERE $(hub_hex id)='$(echo $REC | tr -d -)'")" '{"n":10,"t":"школа"}'
expect_in conflicts_list "$(hub_cli conflicts list)" '"куратор"'
expect_in conflicts_list_json "$(hub_cli conflicts list --json)" '"loser_value": "20"'

# --- USB export applied by `tetrad-hub import`, then the same sets pushed
UT=$(hub_token --school 170106)
UPK=$("$FORGE" init "$T/usb")
enroll "{\"token\":\"$UT\",\"device_pk\":\"$UPK\",\"schools\":[]}" "$T/usb.json" >/dev/null
"$FORGE" enrolled "$T/usb" "$T/usb.json"
"$FORGE" seal "$T/usb" "$T/u1" --ops 2 --fields '{"n":1}'
"$FORGE" seal "$T/usb" "$T/u2" --ops 5 --fields '{"n":2}'
"$FORGE" ttex "$T/usb" "$T/export.ttex" "$T/u1" "$T/u2"
R0=$(records)
hub_cli import "$T/export.ttex" >"$T/import.out" 2>&1
expect_eq import_exit $? 0
expect_eq import_records "$(($(records) - R0))" 7
expect_eq import_again_changes_nothing "$(hub_cli import "$T/export.ttex" >/dev/null 2>&1; echo $?)/$(($(records) - R0))" "0/7"
# the lines per set to a file, stderr a terminal: a progress line counts the sets there
python3 - "$HUB_BIN" "$HUB_DIR" "$T/export.ttex" "$T/import.tty" >"$T/progress" <<'EOF'
# runs: tetrad-hub (by path, from TETRAD_BIN)
import os, pty, subprocess, sys
m, s = pty.openpty()
with open(sys.argv[4], "wb") as log:
    p = subprocess.run([sys.argv[1], "--data", sys.argv[2], "import", sys.argv[3]],
                       stdout=log, stderr=s, stdin=subprocess.DEVNULL)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
print(p.returncode, out.decode("utf-8", "replace").replace("\r", "|"))
EOF
expect_in import_progress_on_terminal "$(cat "$T/progress")" "Загрузка: 2 из 2 наборов (100%)"
expect_eq import_progress_exit "$(cut -d' ' -f1 "$T/progress")" 0
expect_eq import_progress_lines_in_file "$(grep -c '^набор ' "$T/import.tty")" 2
expect_eq import_no_progress_in_pipe "$(hub_cli import "$T/export.ttex" 2>&1 >/dev/null | grep -c 'Загрузка')" 0
expect_eq push_after_import "$(post "$T/u2" "$T/r")" 200
expect_eq push_after_import_status "$(ack_field "$T/usb" "$T/r" applied)" 5
printf 'TTEX\001\000\000\000' >"$T/bad.ttex"
# exit codes (docs/hub.md): a damaged file is invalid data (2), a missing one a file error (4)
expect_eq import_truncated_refused "$(hub_cli import "$T/bad.ttex" >/dev/null 2>&1; echo $?)" 2
expect_eq import_missing_file "$(hub_cli import "$T/../nope/../../x.ttex" >/dev/null 2>&1; echo $?)" 4

# --- forms: publish a new version, list, pull the signed bundle, use it at once
sed -e 's/"version":1/"version":2/' -e 's/"fields":\[/"fields":[{"id":"m","label":"Новое","type":"integer"},/' \
	"$T/forms/test.json" >"$T/test-v2.json"
expect_eq forms_publish "$(hub_cli forms publish "$T/test-v2.json" >/dev/null 2>&1; echo $?)" 0
expect_eq forms_publish_again_refused "$(hub_cli forms publish "$T/test-v2.json" >/dev/null 2>&1; echo $?)" 2
expect_eq forms_publish_builtin_version_refused "$(hub_cli forms publish "$T/forms/test.json" >/dev/null 2>&1; echo $?)" 2
expect_in forms_list "$(hub_curl "$HUB_URL/v1/forms")" '{"id":"test","version":2,"sha256":"'
expect_eq forms_get "$(hub_curl -o "$T/bundle" -w '%{http_code}' "$HUB_URL/v1/forms/test/2")" 200
expect_in forms_bundle_signed "$("$FORGE" bundle "$T/usb" "$T/bundle")" '"form":{'
expect_eq forms_get_missing "$(hub_curl -o /dev/null -w '%{http_code}' "$HUB_URL/v1/forms/test/9")" 404
expect_eq forms_get_traversal "$(hub_curl --path-as-is -o /dev/null -w '%{http_code}' "$HUB_URL/v1/forms/../../hub.db")" 404
"$FORGE" seal "$T/usb" "$T/x" --fv 2 --fields '{"n":1,"m":5}'
expect_eq push_with_published_version "$(post "$T/x" "$T/r")" 200

# --- the hub kept serving throughout, and the log holds no field values
expect_in still_serving "$(hub_curl "$HUB_URL/v1/health")" ok
expect_eq log_has_no_values "$(grep -c 'Иванов' "$HUB_LOG")" 0

hub_stop
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
