#!/bin/bash
# test_hub_cli — the hub's command line on a real data folder: init (keys
# 0600, a passphrase, idempotent), the self-signed test certificate (checked
# by openssl for 127.0.0.1), hub.conf, serve refusing to start without the
# passphrase, token/device/report/settings/results commands and their errors,
# and concurrency: the same change set pushed by 8 clients at once is applied
# exactly once and every client gets the same acknowledgement.
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
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
expect_in() { case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in '$2'" ;; esac; }

HUB="$TETRAD_BIN/tetrad-hub"
mkdir -p "$T/forms"
echo '{"format":1,"id":"test","version":1,"title":"Тест","fields":[{"id":"n","label":"Число","type":"integer"}]}' >"$T/forms/test.json"
export TETRAD_FORMS_DIR="$T/forms"
D="$T/hub"
printf 'верная фраза\n' >"$T/pass"
chmod 600 "$T/pass"   # a passphrase file others may read is refused

# init with a passphrase and a test certificate
hub_init "$D" --tls-self-signed 127.0.0.1 --passphrase-file "$T/pass" >"$T/out" 2>"$T/err"
expect_eq init_exit $? 0
expect_in init_warns_test_ca "$(cat "$T/err")" "не для работы"
expect_eq key_modes "$(stat -c %a "$D/hub.enc.key" "$D/hub.sign.key" "$D/tls/ca.key" "$D/tls/server.key" | sort -u)" 600
expect_eq cert_verifies "$(openssl verify -CAfile "$D/tls/ca.pem" "$D/tls/server.pem" 2>&1 | tail -1)" "$D/tls/server.pem: OK"
expect_eq cert_for_ip "$(openssl x509 -in "$D/tls/server.pem" -noout -checkip 127.0.0.1 2>&1 | grep -c 'does match')" 1
KEY1=$(sha256sum "$D/hub.enc.key")
"$HUB" --data "$D" init --passphrase-file "$T/pass" >/dev/null 2>&1
expect_eq init_again_keeps_keys "$(sha256sum "$D/hub.enc.key")" "$KEY1"

# the keys need the passphrase (exit 6: the hub's keys, docs/hub.md "Exit codes")
expect_eq no_passphrase_refused "$("$HUB" --data "$D" device list >/dev/null 2>"$T/err"; echo $?)" 6
expect_in no_passphrase_message "$(cat "$T/err")" "Ошибка: "
printf 'неверная\n' >"$T/wrong"
chmod 600 "$T/wrong"
expect_eq wrong_passphrase_refused "$("$HUB" --data "$D" --passphrase-file "$T/wrong" device list >/dev/null 2>&1; echo $?)" 6
# hub.conf is written anew below: the PostgreSQL lane's store line with it
store_conf() { [ -z "$HUB_PG" ] || echo "store = $HUB_PG"; }
{ echo "passphrase_file = $T/pass"; store_conf; } >"$D/hub.conf"
expect_eq passphrase_from_conf "$("$HUB" --data "$D" device list >/dev/null 2>&1; echo $?)" 0
expect_eq no_hub_here "$("$HUB" --data "$T/nothing" device list 2>&1 >/dev/null | grep -c 'init')" 1

# usage errors are exit 1 with a Russian message (no command, too); a file
# that is not there is 4 (docs/hub.md "Exit codes")
expect_eq no_command "$("$HUB" --data "$D" >/dev/null 2>&1; echo $?)" 1
expect_eq token_needs_school "$("$HUB" --data "$D" token create >/dev/null 2>&1; echo $?)" 1
expect_eq token_bad_code "$("$HUB" --data "$D" token create --school 'x;rm -rf' 2>&1 >/dev/null | grep -c 'недопустим')" 1
expect_eq token_bad_expiry "$("$HUB" --data "$D" token create --school 1 --expires 7 >/dev/null 2>&1; echo $?)" 1
expect_eq curator_needs_schools "$("$HUB" --data "$D" token create --curator Ч >/dev/null 2>&1; echo $?)" 1
expect_eq revoke_unknown "$("$HUB" --data "$D" device revoke 0123456789abcdef 2>&1 >/dev/null | grep -c 'не найдено')" 1
expect_eq revoke_bad_id "$("$HUB" --data "$D" device revoke ../x >/dev/null 2>&1; echo $?)" 1
expect_eq report_unknown_option "$("$HUB" --data "$D" report passport --bogus 1 >/dev/null 2>&1; echo $?)" 1
expect_eq report_bad_format "$("$HUB" --data "$D" report passport --format xml >/dev/null 2>&1; echo $?)" 1
expect_eq results_missing_file "$("$HUB" --data "$D" results import "$T/none.csv" >/dev/null 2>&1; echo $?)" 4
expect_eq import_not_ttex "$("$HUB" --data "$D" import "$T/pass" 2>&1 >/dev/null | grep -c 'TTEX')" 1

# tokens: printed once, listed by hash prefix only
TOK=$("$HUB" --data "$D" token create --school 170103 --name "Школа № 3" 2>/dev/null | head -1)
expect_eq token_format "$(echo "$TOK" | grep -cE '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$')" 1
expect_eq token_not_listed "$("$HUB" --data "$D" token list | grep -c "${TOK:0:9}")" 0
expect_in token_listed "$("$HUB" --data "$D" token list)" "Школа № 3"
expect_eq school_known "$(hub_sql "SELECT name FROM schools WHERE code='170103'")" "Школа № 3"

# the QR code is drawn in the process, on stderr only when it is a terminal
# (here script's pty): a qrencode on PATH is never started (the token on its
# command line would be in every user's ps); 17 lines of half blocks, white
# on black, for a token (version 2 and the quiet zone: 33 modules), which
# zbarimg reads back as the token (the drawing as a picture, light modules
# white); test_qrtext compares the drawing with libqrencode's matrix
mkdir -p "$T/fakebin"
printf '#!/bin/sh\necho "$@" >>"%s/qrencode.ran"\n' "$T" >"$T/fakebin/qrencode"
chmod +x "$T/fakebin/qrencode"
PATH="$T/fakebin:$PATH" script -qec "'$HUB' --data '$D' token create --school 170103" "$T/qr.tty" >/dev/null
expect_eq token_qr_lines "$(grep -c '█' "$T/qr.tty")" 17
expect_eq token_qr_colours "$(grep -c "$(printf '\033')\[40;37;1m" "$T/qr.tty")" 17
expect_eq token_qr_token "$(grep -cE '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/qr.tty")" 1
python3 - "$T/qr.tty" "$T/qr.pgm" <<'PY'
import sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    if "\033[40;37;1m" in line:
        cells = line.split("\033[40;37;1m")[1].split("\033[0m")[0]
        rows += [[c in "▀█" for c in cells], [c in "▄█" for c in cells]]
with open(sys.argv[2], "w") as f:
    f.write("P2\n%d %d\n1\n" % (len(rows[0]) * 6, len(rows) * 6))
    for r in rows:
        f.write((" ".join("1" if light else "0" for light in r for _ in range(6)) + "\n") * 6)
PY
expect_eq token_qr_decodes "$(zbarimg -q --raw "$T/qr.pgm" 2>/dev/null)" "$(grep -oE '^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}' "$T/qr.tty")"
expect_eq token_no_qr "$(PATH="$T/fakebin:$PATH" "$HUB" --data "$D" token create --school 170103 2>&1 >/dev/null | wc -l)" 1
expect_eq token_qrencode_not_run "$(cat "$T/qrencode.ran" 2>/dev/null | wc -l)" 0

# report commands reach the reports module; --out writes a whole file
expect_eq report_runs "$("$HUB" --data "$D" report passport >/dev/null 2>&1; echo $?)" 0
"$HUB" --data "$D" report passport --format csv --out "$T/p.csv" 2>/dev/null
expect_eq report_out_bom "$(head -c 3 "$T/p.csv" | od -An -tx1 | tr -d ' ')" efbbbf
expect_eq report_out_no_tmp "$(ls "$T" | grep -c 'p.csv.tmp')" 0
expect_eq report_out_exists_refused "$("$HUB" --data "$D" report passport --out "$T/pass" >/dev/null 2>&1; echo $?)/$(ls "$T" | grep -c 'pass.tmp')/$(cat "$T/pass")" "4/0/верная фраза"

# hub.conf listen + threads; serve with the passphrase from hub.conf
PORT=$(hub_free_port)
# silent_days (the dashboard's silent devices) outside 1–365 stops serve before it listens
{ echo "passphrase_file = $T/pass"; echo "listen = 127.0.0.1:$PORT"; echo "silent_days = 400"; store_conf; } >"$D/hub.conf"
expect_eq conf_silent_days_refused "$("$HUB" --data "$D" serve >/dev/null 2>"$T/sd.err"; echo $?)/$(grep -c 'silent_days = «400»: нужно целое число дней от 1 до 365' "$T/sd.err")" "2/1"
{ echo "passphrase_file = $T/pass"; echo "listen = 127.0.0.1:$PORT"; echo "threads = 3"; echo "silent_days = 30"; store_conf; } >"$D/hub.conf"
"$HUB" --data "$D" serve >"$T/serve.log" 2>&1 &
HUB_PID=$!
HUB_CA="$D/tls/ca.pem"
HUB_URL="https://127.0.0.1:$PORT"
HUB_DIR="$D"
for i in $(seq 1 50); do hub_curl "$HUB_URL/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
expect_in conf_listen "$(hub_curl "$HUB_URL/v1/health")" '"ok"'
expect_in conf_threads "$(cat "$T/serve.log")" "потоков 3"

# eight clients push the same set at the same moment: applied once, one ack.
# The hub admits one body per device at a time (docs/security.md), so a
# client that meets another's body in flight gets 503 and tries again, as
# syncd does (here after 0.2 s instead of Retry-After).
PK=$("$FORGE" init "$T/dev")
hub_curl -X POST --data-binary "{\"token\":\"$TOK\",\"device_pk\":\"$PK\",\"schools\":[]}" "$HUB_URL/v1/enroll" >"$T/enroll.json"
"$FORGE" enrolled "$T/dev" "$T/enroll.json"
"$FORGE" seal "$T/dev" "$T/set" --ops 50 --fields '{"n":1}'
push_until_answered() { # N
	local n
	for n in $(seq 1 100); do
		hub_curl -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$T/set" \
			-o "$T/ack$1" -w '%{http_code}\n' "$HUB_URL/v1/changesets" >"$T/code$1"
		[ "$(cat "$T/code$1")" = 503 ] || return 0
		sleep 0.2
	done
}
for i in 1 2 3 4 5 6 7 8; do
	push_until_answered $i &
done
wait $(jobs -p | grep -v "^$HUB_PID$") 2>/dev/null
sleep 0.2
expect_eq same_code_for_all "$(cat "$T"/code? | sort -u)" 200
expect_eq same_ack_for_all "$(md5sum "$T"/ack? | awk '{print $1}' | sort -u | wc -l)" 1
expect_eq stored_once "$(hub_sql "SELECT count(*) FROM changesets")" 1
expect_eq watermark_once "$(hub_sql "SELECT watermark FROM devices")" 50
expect_eq records_once "$(hub_sql "SELECT count(*) FROM hub_records")" 50
expect_eq applied_logged_once "$(grep -c ' 200 applied applied=50' "$T/serve.log")" 1

kill -TERM "$HUB_PID"
wait "$HUB_PID"
expect_eq serve_sigterm_exit $? 0
HUB_PID=""

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
