#!/usr/bin/env bash
# test_hub_report_csv — no cell of the hub's CSV reports can become a
# formula: schools named like formulas (=HYPERLINK, @SUM, -1+1, +…) appear
# in every report that lists schools as text guarded with a leading single
# quote, numbers stay numbers, and the JSON report keeps the names as they
# are. Through the real tetrad-hub on a real data folder.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
# Runs on both stores
set -u
. "${TETRAD_SOURCE_DIR:?}/tests/integration/lib_hub.sh"
HUB="${TETRAD_BIN:?}/tetrad-hub"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

printf 'фраза для теста\n' >"$T/pass"
chmod 600 "$T/pass"
D="$T/hub"
H() { "$HUB" --data "$D" --passphrase-file "$T/pass" "$@"; }
H init >/dev/null 2>"$T/err" || { echo "init: $(cat "$T/err")"; exit 1; }
# the PostgreSQL lane: the hub's store is a database of the tests' cluster
HUB_DIR=$D
[ -z "${TETRAD_TEST_PG_ENV:-}" ] || hub_use_pg || { echo "FAIL: a database for the hub"; exit 1; }
NAME='=HYPERLINK("http://evil.example/";"нажми")'
H schools add 170199 --name "$NAME" >/dev/null 2>"$T/err" && ok || bad "schools add: $(cat "$T/err")"
H schools add 170198 --name '@SUM(1+1)' >/dev/null 2>&1 && ok || bad "schools add @"
H schools add 170197 --name '-1+1' >/dev/null 2>&1 && ok || bad "schools add -"
H schools add 170196 --name '+Школа' >/dev/null 2>&1 && ok || bad "schools add +"

for r in verification mediation passport surveys identification settings; do
	for d in ';' ','; do
		out="$T/$r.$([ "$d" = ';' ] && echo semi || echo comma).csv"
		H report "$r" --format csv --delimiter "$d" --out "$out" 2>"$T/err" && ok ||
			{ bad "report $r: $(cat "$T/err")"; continue; }
		python3 - "$out" "$d" <<'PY' && ok || bad "report $r ($d): formula-like cell"
import csv, io, re, sys
raw = open(sys.argv[1], encoding="utf-8-sig", newline="").read()
number = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")
for row in csv.reader(io.StringIO(raw, newline=""), delimiter=sys.argv[2]):
    for c in row:
        if c and c[0] in "=+-@\t\r" and not number.match(c):
            print("cell %r" % c)
            sys.exit(1)
PY
	done
done
# the list of schools without a visit names every school, guarded
V="$T/verification.semi.csv"
grep -qF "170199;\"'=HYPERLINK(\"\"http://evil.example/\"\";\"\"нажми\"\")\"" "$V" && ok ||
	bad "=HYPERLINK school name: $(grep 170199 "$V")"
grep -qF "170198;\"'@SUM(1+1)\"" "$V" && ok || bad "@ school name: $(grep 170198 "$V")"
grep -qF "170197;\"'-1+1\"" "$V" && ok || bad "- school name: $(grep 170197 "$V")"
grep -qF "170196;\"'+Школа\"" "$V" && ok || bad "+ school name: $(grep 170196 "$V")"
# JSON is for programs: the name as it is
H report verification --format json >"$T/v.json" 2>"$T/err" && ok || bad "json: $(cat "$T/err")"
python3 - "$T/v.json" "$NAME" <<'PY' && ok || bad "JSON report changed the school name"
import json, sys
text = open(sys.argv[1]).read()
assert json.dumps(sys.argv[2], ensure_ascii=False) in text
PY

echo "test_hub_report_csv: $passes passed, $fails failed"
[ "$fails" = 0 ]
