#!/usr/bin/env bash
# test_export_xlsx — `tetrad export FORM --format xlsx --out F` for every
# built-in form (the realistic records of tests/data/forms and a draft),
# read back with openpyxl: a sheet «Записи» with the record's own columns
# and one sheet per repeat group (items one a row, «Запись» linking them),
# the same Russian headers and texts as the CSV export of the same
# database, dates as Excel dates shown ДД.ММ.ГГГГ, numbers as numbers, the
# header frozen and filtered, the file 0600; with the passphrase set and
# not given, local values «скрыто» (names never in the file); refused: no
# --out, --codes, an unknown form (no file left behind).
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
SRC=${TETRAD_SOURCE_DIR:?}
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
python3 -c 'import openpyxl' 2>/dev/null || { echo "SKIP: python3-openpyxl is not installed"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
run() { # run DESC cmd...: must exit 0
	local desc=$1; shift
	if "$@" >"$W/out" 2>"$W/err"; then ok; else bad "$desc: exit $?: $(head -c 2000 "$W/err")"; fi
}
refused() { # refused DESC WORDS cmd...: must exit non-zero saying WORDS
	local desc=$1 words=$2; shift 2
	if "$@" >"$W/out" 2>"$W/err"; then bad "$desc: succeeded"
	elif grep -q -- "$words" "$W/err"; then ok
	else bad "$desc: no «$words» in: $(head -c 600 "$W/err")"; fi
}

FORMS="mediation_case risk_visit social_passport survey_director survey_parent survey_student survey_teacher"
DB="$W/src.db"
run "init" "$T" --db "$DB" init --school 170103

cat >"$W/check.py" <<'PY'
import csv, datetime, io, json, os, stat, sys
import openpyxl
xlsx, csvpath, form = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
assert stat.S_IMODE(os.stat(xlsx).st_mode) == 0o600, oct(os.stat(xlsx).st_mode)
raw = open(csvpath, encoding="utf-8").read()
rows = list(csv.reader(io.StringIO(raw[1:], newline=""), delimiter=";"))
head, body = rows[0], rows[1:]
# the CSV guards text that would start a formula with a "'"; a workbook's
# text cell needs no guard and holds the value itself
def unguard(v):
    return v[1:] if v[:1] == "'" and v[1:2] in ("=", "+", "-", "@", "\t", "\r") else v
body = [[unguard(v) for v in r] for r in body]
groups = [fd for fd in form["fields"] if fd["type"] == "group"]
gheads = {g["id"]: [h for h in head if h.startswith(g["label"] + ": ")] for g in groups}
in_group = {h for hs in gheads.values() for h in hs}
own = [h for h in head if h not in in_group]

wb = openpyxl.load_workbook(xlsx)
want_sheets = ["Записи"] + [g["label"][:31] for g in groups]
assert [s[:27] for s in wb.sheetnames] == [s[:27] for s in want_sheets], (wb.sheetnames, want_sheets)

def text(c):
    v = c.value
    if v is None:
        return ""
    if isinstance(v, datetime.datetime):
        assert c.number_format == "DD.MM.YYYY", c.number_format
        return v.strftime("%d.%m.%Y")
    if isinstance(v, bool):
        raise AssertionError("a boolean cell: %r" % v)
    if isinstance(v, (int, float)):
        s = "%.15g" % v
        return s.replace(".", ",")
    return v

def check_sheet(ws, want_head, want_rows, what):
    got = [[text(c) for c in r] for r in ws.iter_rows()]
    assert got[0] == want_head, (what, got[0], want_head)
    assert ws.freeze_panes == "A2", (what, ws.freeze_panes)
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), (what, ws.auto_filter.ref)
    body = [r + [""] * (len(want_head) - len(r)) for r in got[1:]]
    assert sorted(body) == sorted(want_rows), (what, body, want_rows)
    return got

# the records sheet: one row per record, the CSV's own cells of its first row
idx = [head.index(h) for h in own]
seen, recs = set(), []
for r in body:
    if r[0] not in seen:
        seen.add(r[0])
        recs.append([r[i] for i in idx])
ws = wb["Записи"]
check_sheet(ws, own, recs, "Записи")
dates = [fd["label"] for fd in form["fields"] if fd["type"] == "date"]
nums = [fd["label"] for fd in form["fields"] if fd["type"] in ("integer", "decimal")]
hrow = [c.value for c in ws[1]]
for r in ws.iter_rows(min_row=2):
    for h, c in zip(hrow, r):
        if h in dates and c.value is not None:
            assert isinstance(c.value, datetime.datetime), (h, c.value)
        if h in nums and c.value is not None:
            assert isinstance(c.value, (int, float)), (h, c.value)
# each group: «Запись», then its columns, a row per item
for g, sname in zip(groups, wb.sheetnames[1:]):
    hs = ["Запись"] + gheads[g["id"]]
    gi = [head.index(h) for h in hs]
    num = head.index(gheads[g["id"]][0])
    items = [[r[i] for i in gi] for r in body if r[num] != ""]
    check_sheet(wb[sname], hs, items, sname)
print(len(recs), sum(1 for _ in groups))
PY

for f in $FORMS; do
	good="$SRC/tests/data/forms/$f.good.json"
	run "$f: new" "$T" --db "$DB" new "$f" --json "$good"
	python3 - "$TETRAD_FORMS_DIR/$f.json" "$good" "$W/$f.draft.json" <<'PY' || bad "$f: draft"
import json, sys
form, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for fd in form["fields"]:
    if fd.get("required"):
        d.pop(fd["id"], None)
        break
for k in form.get("unique", {}).get("fields", []):
    if isinstance(d.get(k), str):
        d[k] += "-2"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
PY
	run "$f: new draft" "$T" --db "$DB" new "$f" --json "$W/$f.draft.json" --draft
	run "$f: export csv" "$T" --db "$DB" export "$f" --format csv --out "$W/$f.csv"
	run "$f: export xlsx" "$T" --db "$DB" export "$f" --format xlsx --out "$W/$f.xlsx"
	grep -q "Выгрузка сохранена" "$W/err" && ok || bad "$f: no word on the file"
	if python3 "$W/check.py" "$W/$f.xlsx" "$W/$f.csv" "$TETRAD_FORMS_DIR/$f.json" >"$W/check" 2>&1; then ok
	else bad "$f: workbook: $(tail -c 3000 "$W/check")"; fi
done

# the passphrase set and not given: the local values are «скрыто», as in
# the CSV, in the record's sheet and in its parties' sheet
export TETRAD_PWHASH=test
L="$W/locked.db"
run "locked: init" "$T" --db "$L" init --school 170103
run "locked: new" "$T" --db "$L" new mediation_case --json "$SRC/tests/data/forms/mediation_case.good.json"
printf 'верный пароль 2026\n' >"$W/pass"
chmod 600 "$W/pass"
run "locked: passphrase" "$T" --db "$L" --new-passphrase-file "$W/pass" passphrase set
run "locked: export" "$T" --db "$L" export mediation_case --format xlsx --out "$W/locked.xlsx" </dev/null
grep -q "скрыто" "$W/err" && ok || bad "locked export: no word on hidden values: $(cat "$W/err")"
python3 - "$W/locked.xlsx" "$SRC/tests/data/forms/mediation_case.good.json" <<'PY' && ok || bad "locked workbook"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
good = json.load(open(sys.argv[2]))
cells = [c for ws in wb for r in ws.iter_rows(values_only=True) for c in r]
assert "скрыто" in cells, cells
names = [p["full_name"] for p in good["parties"] if p.get("full_name")]
assert names and not any(n in cells for n in names), names
assert sum(1 for c in cells if c == "скрыто") >= 3, cells
PY

# a form without records: the header alone
"$T" --db "$W/empty.db" init --school 170103 >/dev/null 2>&1
run "empty export" "$T" --db "$W/empty.db" export risk_visit --format xlsx --out "$W/empty.xlsx"
python3 - "$W/empty.xlsx" <<'PY' && ok || bad "empty workbook"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Записи"]
assert ws.max_row == 1 and ws["A1"].value == "Запись", (ws.max_row, ws["A1"].value)
PY

refused "xlsx without --out" "--out" "$T" --db "$DB" export risk_visit --format xlsx
refused "xlsx with --codes" "--codes" "$T" --db "$DB" export risk_visit --format xlsx --codes --out "$W/x.xlsx"
refused "unknown form" "не найдена" "$T" --db "$DB" export no_such_form --format xlsx --out "$W/y.xlsx"
ls "$W" | grep -q '^y\.xlsx' && bad "a file left behind for an unknown form" || ok
ls "$W" | grep -q '\.xlsx\.' && bad "a temporary file left behind: $(ls "$W")" || ok

echo "passed: $passes, failed: $fails"
[ "$fails" -eq 0 ] || exit 1
echo "PASS"
