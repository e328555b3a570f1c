#!/usr/bin/env bash
# Form pull: a version published on the hub reaches the device after a
# sync, verified with the hub's signature and installed as
# <db>.forms/<id>-v<version>.json; built-in versions are not fetched again;
# a bundle altered on the way is refused and nothing is installed.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"

work=$(mktemp -d)
PROXY_PID=""
cleanup() { sync_proxy_stop; hub_stop; rm -rf "$work"; }
trap cleanup EXIT
sync_setup "$work"

cat >"$work/sync_test_v2.json" <<'JSON'
{"format":1,"id":"sync_test","version":2,"title":"Проверка синхронизации, версия 2","fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":100000000},
 {"id":"note","label":"Примечание","type":"text","max_length":4000},
 {"id":"extra","label":"Новое поле","type":"boolean"},
 {"id":"child","label":"Имя ребёнка","type":"text","sync":"local"}]}
JSON
if ! hub_cli forms publish "$work/sync_test_v2.json" >"$work/pub" 2>&1; then
	echo "SKIP: this hub cannot publish forms yet: $(head -3 "$work/pub")"
	exit 77
fi

# A bundle altered on the way: refused, nothing installed, the sync itself is fine.
sync_proxy_start "$work/port" "$work/proxy.log" 0 "" 1 || sync_fail "proxy"
sync_set_url "$db" "$PROXY_URL"
"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "sync with a tampered bundle exit code" "$rc" 0
grep -q "формы с хаба не получены" "$work/log" || sync_fail "no pull warning: $(cat "$work/log")"
[ ! -e "$db.forms/sync_test-v2.json" ] || sync_fail "tampered bundle installed"
sync_proxy_stop
sync_set_url "$db" "$HUB_URL"

"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"; rc=$?
sync_expect_eq "sync with pull exit code" "$rc" 0
grep -q " forms=1 " "$work/log" || sync_fail "forms not counted: $(cat "$work/log")"
[ -s "$db.forms/sync_test-v2.json" ] || sync_fail "form v2 not installed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["id"]=="sync_test" and d["version"]==2' \
	"$db.forms/sync_test-v2.json" || sync_fail "installed form is not sync_test v2"
[ ! -e "$db.forms/sync_test-v1.json" ] || sync_fail "built-in v1 fetched"
ls "$db.forms" | grep -q tmp && sync_fail "temporary file left"
echo "ok: sync_test v2 installed"

"$SYNCD" --once --db "$db" >"$work/out" 2>"$work/log"
grep -q " forms=0 " "$work/log" || sync_fail "form fetched again: $(cat "$work/log")"
echo "PASS"
