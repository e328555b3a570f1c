#!/usr/bin/env bash
# The hub's register of schools: add, list, import from a spreadsheet (all
# or nothing, every bad row named), names shown by the reports.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
H="$TETRAD_BIN/tetrad-hub"
D="$work/hub"
hub_init "$D" >/dev/null 2>&1 || sync_fail "init"

"$H" --data "$D" schools add 170103 --name "МБОУ СОШ № 3" >/dev/null || sync_fail "schools add"
"$H" --data "$D" schools add "17/01" --name "x" >"$work/out" 2>&1 && sync_fail "bad code accepted"
grep -q "недопустим" "$work/out" || sync_fail "bad code message: $(cat "$work/out")"
"$H" --data "$D" schools list | grep -q "^170103	МБОУ СОШ № 3	0	0$" || sync_fail "list: $("$H" --data "$D" schools list)"

# a spreadsheet export: BOM, ';', a quoted name holding ';', an extra column, CRLF
printf '\xef\xbb\xbfКод ОО;Наименование;Район\r\n170103;"МБОУ ""СОШ № 3""; корпус 2";Центр\r\n170104;МБОУ СОШ № 4;Центр\r\n\r\n170105;МАОУ Гимназия № 5;Север\r\n' >"$work/good.csv"
"$H" --data "$D" schools import "$work/good.csv" >"$work/out" 2>&1 || sync_fail "import: $(cat "$work/out")"
grep -q "Загружено школ: 3" "$work/out" || sync_fail "import output: $(cat "$work/out")"
"$H" --data "$D" schools list --json >"$work/list.json" || sync_fail "list --json"
python3 - "$work/list.json" <<'PY' || sync_fail "list after import"
import json, sys
l = {s["code"]: s["name"] for s in json.load(open(sys.argv[1]))}
assert l == {"170103": 'МБОУ "СОШ № 3"; корпус 2', "170104": "МБОУ СОШ № 4",
             "170105": "МАОУ Гимназия № 5"}, l
PY
echo "ok: import with quotes, BOM, CRLF, blank line, extra column"

# all or nothing: one good row, three bad ones, every bad one named
printf 'code,name\n170106,Школа 6\n17 07,Школа 7\n170108,\n170106,Снова 6\n' >"$work/bad.csv"
"$H" --data "$D" schools import "$work/bad.csv" >"$work/out" 2>&1 && sync_fail "bad file accepted"
for want in "строка 3: код «17 07» недопустим" "строка 4: пустое наименование" \
	"строка 5: код 170106 уже встречался в строке 2" "ничего не загружено"; do
	grep -q "$want" "$work/out" || sync_fail "missing «$want»: $(cat "$work/out")"
done
"$H" --data "$D" schools list | grep -q 170106 && sync_fail "a row of a refused file was written"
printf 'Код;Район\n1;2\n' >"$work/nohdr.csv"
"$H" --data "$D" schools import "$work/nohdr.csv" >"$work/out" 2>&1 && sync_fail "file without a name column accepted"
grep -q "Наименование" "$work/out" || sync_fail "header message: $(cat "$work/out")"
echo "ok: refused files write nothing and name every bad row"

# the reports print the names
"$H" --data "$D" report verification >"$work/rep" 2>&1 || sync_fail "report: $(cat "$work/rep")"
grep -q "МАОУ Гимназия № 5" "$work/rep" || sync_fail "report without the school's name: $(cat "$work/rep")"
echo "PASS"
