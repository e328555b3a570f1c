#!/bin/bash
# test_hub_results — `tetrad-hub results import` of a regional export with
# participant counts (Russian headers, as a spreadsheet saves them), through
# the real program on a real data folder: the identification report pools
# the counts (18 %, where the mean of the percentages is 30 %) and marks a
# percent-only school; an ИСБШ on the 0–100 scale lands in the band that
# `settings set` gives that scale; a file with impossible counts is refused
# whole, naming the line.
# Runs on both stores
set -u
. "${TETRAD_SOURCE_DIR:?}/tests/integration/lib_hub.sh"
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
expect_in() { case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in '$2'" ;; esac; }

HUB="$TETRAD_BIN/tetrad-hub"
D="$T/hub"
printf 'верная фраза\n' >"$T/pass"
chmod 600 "$T/pass"
"$HUB" --data "$D" init --passphrase-file "$T/pass" >/dev/null 2>"$T/err" ||
	{ cat "$T/err" >&2; echo "FAIL: init"; exit 1; }
echo "passphrase_file = $T/pass" >"$D/hub.conf"
# the PostgreSQL lane: the hub's store is a database of the tests' cluster
HUB_DIR=$D
[ -z "${TETRAD_TEST_PG_ENV:-}" ] || hub_use_pg || { echo "FAIL: a database for the hub"; exit 1; }

# Школа 170201: ВПР русский 10 из 20 (50 %), ОГЭ математика 8 из 80 (10 %):
# по всем участникам 18 / 100 = 18 %, среднее процентов (50 + 10) / 2 = 30 %.
# 170202: the same percentages without counts -> 30 %, marked.
printf '\xef\xbb\xbf' >"$T/r.csv"
cat >>"$T/r.csv" <<'EOF'
Код ОО;Название;Год;Показатель;Участников;Ниже минимального уровня;Значение
170201;Школа 1;2025;vpr4_rus;20;10;
170201;Школа 1;2025;oge9_math;80;8;10
170202;"Школа 2; филиал";2025;vpr4_rus;;;50
170202;"Школа 2; филиал";2025;oge9_math;;;"10%"
170201;Школа 1;2025;isbsh_100;;;25
EOF
"$HUB" --data "$D" results import "$T/r.csv" >"$T/out" 2>"$T/err"
expect_eq import_exit $? 0
expect_in import_count "$(cat "$T/out")" "Импортировано строк: 5"

"$HUB" --data "$D" report identification --format json >"$T/id.json" 2>"$T/err"
expect_eq identification_exit $? 0
python3 - "$T/id.json" >"$T/py.out" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
rows = {r["school"]: r for r in j["schools"]}
a, b = rows["170201"], rows["170202"]
assert abs(a["low_share"] - 18.0) < 1e-9, a
assert (a["participants"], a["below"]) == (100, 18), a
assert a["low_share_basis"] == "counts" and a["level"] == "medium" and a["nor"] == "нет", a
assert abs(b["low_share"] - 30.0) < 1e-9, b
assert b["participants"] is None and b["low_share_basis"] == "percent", b
assert b["low_share_basis_label"] == "по процентам, без числа участников", b
assert b["level"] == "low" and b["nor"] == "да", b
# 25 on 0–100 is at or below the default 31.25: неблагоприятный, so НСУ
assert a["status"] == "unfavourable" and a["nsu"] == "да", a
EOF
expect_eq identification_numbers $? 0 || cat "$T/py.out" >&2
"$HUB" --data "$D" report identification >"$T/id.txt" 2>"$T/err"
expect_in identification_table_marked "$(cat "$T/id.txt")" "по процентам, без числа участников"
expect_in identification_table_counts "$(cat "$T/id.txt")" "по числу участников"

# the municipality's bands for the 0–100 scale: 25 is neutral between 20 and 60
"$HUB" --data "$D" settings set isbsh_100.unfavourable_max 20 >/dev/null 2>"$T/err"
expect_eq set_band_exit $? 0
"$HUB" --data "$D" settings set isbsh_100.favourable_min 60 >/dev/null 2>"$T/err"
"$HUB" --data "$D" report passport --format json >"$T/p.json" 2>"$T/err"
expect_eq passport_exit $? 0
expect_eq passport_scale_band "$(python3 -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["schools"] if r["school"] == "170201"][0]
print(r["isbsh"], r["isbsh_scale"], r["status"])' "$T/p.json")" "25 0..100 neutral"
# a value starting with "-" comes after "--" (else it is an option); out of scale: invalid, 2
expect_eq band_out_of_scale "$("$HUB" --data "$D" settings set isbsh.unfavourable_max -- -9 >/dev/null 2>&1; echo $?)" 2

# impossible counts: nothing imported, the line named
cat >"$T/bad.csv" <<'EOF'
school;year;indicator;participants;below
170203;2025;vpr4_rus;20;25
170203;2025;vpr4_math;20;2
EOF
"$HUB" --data "$D" results import "$T/bad.csv" >"$T/out" 2>"$T/err"
expect_eq bad_import_exit $? 2
expect_in bad_import_line "$(cat "$T/out" "$T/err")" "строка 2: ниже минимального 25 — больше, чем участников (20)"
expect_eq bad_import_nothing "$(hub_sql "SELECT COUNT(*) FROM results WHERE school='170203'")" 0

echo "test_hub_results: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
