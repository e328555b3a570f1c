#!/usr/bin/env bash
# test_hub_report_xlsx — `tetrad-hub report NAME --format xlsx --out F` for
# every report, on a hub folder with schools (one named like a formula),
# programmes, an issued risk profile, results with participant counts and a
# changed setting, read back with openpyxl beside the JSON of the same
# report: a first sheet «Параметры» (title, school, period, the meta's
# numbers as numbers, the date, each sheet's section), then one sheet per
# section in the JSON's order, named within Excel's 31 characters, uniquely;
# each a table from A1 whose rows are the JSON's rows (the columns shown:
# numbers as number cells with a decimals format and never Excel's percent
# format, texts as text cells — a school named «=HYPERLINK(…)» too, no
# formula anywhere in the file — empty cells empty, the same row count),
# the header frozen (A2) and the filter over the whole table; the file
# 0600. The workbook to a pipe works; to a terminal it is refused. A bad
# --out folder, an existing file, and a temporary folder that cannot be
# written (TMPDIR) fail with a Russian message and leave no file.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
# Runs on both stores
set -u
. "${TETRAD_SOURCE_DIR:?}/tests/integration/lib_hub.sh"
HUB="${TETRAD_BIN:?}/tetrad-hub"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
python3 -c 'import openpyxl' 2>/dev/null || { echo "SKIP: python3-openpyxl is not installed"; exit 77; }
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
printf 'Код ОО;Наименование\n170201;МБОУ СОШ № 1\n170202;"Школа 2; филиал"\n170203;Школа № 3\n' >"$T/schools.csv"
H schools import "$T/schools.csv" >/dev/null 2>"$T/err" && ok || bad "schools import: $(cat "$T/err")"
H schools add 170199 --name "$NAME" >/dev/null 2>"$T/err" && ok || bad "schools add: $(cat "$T/err")"
printf 'Код ОО;Год;Программа\n170201;2025;ШНОР\n170202;2025;500+\n170199;2025;ШАНС\n' >"$T/prog.csv"
H programmes import "$T/prog.csv" >/dev/null 2>"$T/err" && ok || bad "programmes import: $(cat "$T/err")"
printf 'Код ОО;Год;Фактор;Уровень\n170201;2025;R01;высокий\n170201;2025;R02;низкий\n' >"$T/prof.csv"
H profile import "$T/prof.csv" >/dev/null 2>"$T/err" && ok || bad "profile import: $(cat "$T/err")"
# counts (a pooled share with decimals), percentages alone, an ИСБШ
cat >"$T/results.csv" <<'EOF'
Код ОО;Название;Год;Показатель;Участников;Ниже минимального уровня;Значение
170201;Школа 1;2025;vpr4_rus;30;7;
170201;Школа 1;2025;oge9_math;80;9;
170201;Школа 1;2025;isbsh_100;;;25,5
170202;Школа 2;2025;vpr4_rus;;;50
170202;Школа 2;2025;oge9_math;;;12,5
170203;Школа 3;2025;isbsh;;;1,37
EOF
H results import "$T/results.csv" >/dev/null 2>"$T/err" && ok || bad "results import: $(cat "$T/err")"
H settings set identification.low_threshold 25 >/dev/null 2>"$T/err" && ok || bad "settings set: $(cat "$T/err")"

cat >"$T/check.py" <<'PY'
import json, os, re, stat, sys, zipfile
import openpyxl
from openpyxl.utils import get_column_letter

xlsx, jpath, name, period = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
j = json.load(open(jpath, encoding="utf-8"))
assert stat.S_IMODE(os.stat(xlsx).st_mode) == 0o600, oct(os.stat(xlsx).st_mode)
assert open(xlsx, "rb").read(4) == b"PK\x03\x04"
# texts are never formulas: no <f> in any sheet
with zipfile.ZipFile(xlsx) as z:
    for n in z.namelist():
        if n.startswith("xl/worksheets/"):
            assert b"<f>" not in z.read(n) and b"<f " not in z.read(n), (n, "formula")
wb = openpyxl.load_workbook(xlsx)
sections = [k for k, v in j.items() if isinstance(v, list)]
names = wb.sheetnames
assert names[0] == "Параметры", names
assert len(names) == 1 + len(sections), (names, sections)
assert len({n.lower() for n in names}) == len(names), names
for n in names:
    assert 0 < len(n) <= 31 and not set(n) & set("[]:*?/\\"), n

# «Параметры»: the title, the filters, the meta's numbers as numbers, the
# sheets with their sections' full titles
p = wb["Параметры"]
rows = [[c.value for c in r] for r in p.iter_rows()]
assert rows[0][:2] == ["Параметр", "Значение"], rows[0]
assert rows[1][:2] == ["Отчёт", j["title"]], rows[1]
assert ["Школа", j["filters"]["school"] or "все школы"] in [r[:2] for r in rows], rows
assert ["Период", period] in [r[:2] for r in rows], rows
made = [r for r in rows if r[0] == "Составлен"]
assert len(made) == 1 and p.cell(rows.index(made[0]) + 1, 2).is_date, made
values = [r[1] for r in rows]
for k, v in (j.get("meta") or {}).items():
    if isinstance(v, (int, float)):
        assert any(isinstance(x, (int, float)) and abs(x - v) < 1e-9 for x in values), (k, v)
listed = rows[[r[0] for r in rows].index("Лист") + 1:]
assert [r[0] for r in listed] == names[1:], (listed, names)
for sheet, title in (r[:2] for r in listed):
    # the title without what a sheet's name cannot hold; cut: its beginning
    clean = re.sub(r"[\[\]:*?/\\\x00-\x20]+", " ", title).strip(" '")
    base = re.sub(r" \(\d+\)$", "", sheet)
    if base.endswith("…"):
        assert clean.startswith(base[:-1]) and len(clean) >= len(base), (sheet, title)
    else:
        assert base == clean, (sheet, title)

def same(cell, v):
    """cell (openpyxl) holds JSON value v with its kind."""
    x = cell.value
    if v is None or v == "":
        return x is None
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and \
            cell.data_type == "n" and abs(x - v) <= 1e-9 * max(1.0, abs(v))
    return isinstance(x, str) and cell.data_type == "s" and x == v

def column_map(head, body, jrows):
    """The JSON key of each shown column: the leftmost key after the last
    one whose every row agrees with the column (JSON keeps columns the
    tables leave out, a code beside its label)."""
    keys = list(jrows[0].keys()) if jrows else []
    out, k = [], 0
    for c in range(len(head)):
        while k < len(keys) and not all(same(body[i][c], jrows[i][keys[k]])
                                        for i in range(len(jrows))):
            k += 1
        assert k < len(keys), ("column %d «%s» matches no JSON member" % (c + 1, head[c]))
        out.append(keys[k])
        k += 1
    return out

numbers = 0
for sect, sheet in zip(sections, names[1:]):
    ws = wb[sheet]
    jrows = j[sect]
    grid = list(ws.iter_rows(min_row=1, max_row=1 + len(jrows)))
    head = [c.value for c in grid[0]]
    assert all(isinstance(h, str) and h for h in head), (sheet, head)
    assert all(c.font.b for c in grid[0]), (sheet, "header not bold")
    body = grid[1:]
    assert ws.max_row == 1 + len(jrows), (sheet, ws.max_row, len(jrows))
    assert ws.freeze_panes == "A2", (sheet, ws.freeze_panes)
    want = "A1:%s%d" % (get_column_letter(len(head)), 1 + len(jrows))
    assert ws.auto_filter.ref == want, (sheet, ws.auto_filter.ref, want)
    if jrows:
        assert len(head) <= len(jrows[0]), (sheet, head, list(jrows[0]))
        column_map(head, body, jrows)
    for c, h in enumerate(head):
        fmts = {r[c].number_format for r in body if isinstance(r[c].value, (int, float))}
        for f in fmts:
            assert f == "General" or re.fullmatch(r"0(\.0+)?", f), (sheet, h, f)
        numbers += sum(isinstance(r[c].value, (int, float)) for r in body)
    for r in body:
        for c in r:
            assert not isinstance(c.value, str) or c.data_type == "s", (sheet, c.value)
print("%s: %d sheets, %d number cells" % (name, len(names), numbers))
PY

n=0
for r in verification mediation passport surveys identification completeness settings; do
	n=$((n + 1))
	args=() period="без ограничений"
	if [ "$r" = completeness ] || [ "$r" = mediation ]; then
		args=(--from 01.01.2025 --to 2025-12-31)
		period="с 01.01.2025 по 31.12.2025"
	fi
	# --out and its longer name --output, in turn
	opt=--out
	[ $((n % 2)) = 0 ] && opt=--output
	H report "$r" "${args[@]}" --format xlsx "$opt" "$T/$r.xlsx" 2>"$T/err" && ok ||
		{ bad "report $r xlsx: $(cat "$T/err")"; continue; }
	grep -q "Отчёт записан в $T/$r.xlsx" "$T/err" && ok || bad "report $r: $(cat "$T/err")"
	H report "$r" "${args[@]}" --format json >"$T/$r.json" 2>"$T/err" && ok ||
		{ bad "report $r json: $(cat "$T/err")"; continue; }
	python3 "$T/check.py" "$T/$r.xlsx" "$T/$r.json" "$r" "$period" >"$T/py.out" 2>&1 && ok ||
		bad "report $r: $(tail -5 "$T/py.out")"
	cat "$T/py.out"
done

# the data above made numbers with decimals, percentages and the formula-like name
python3 - "$T/identification.xlsx" "$T/verification.xlsx" "$NAME" <<'PY' && ok || bad "cells: see above"
import sys
import openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Школы"]
head = [c.value for c in ws[1]]
share = head.index("Доля низких результатов, %") + 1
rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
# 170201: (7 + 9) / (30 + 80) = 14.5454… %, shown with one decimal, not Excel's %
c = ws.cell(rows["170201"], share)
assert c.data_type == "n" and abs(c.value - 14.5) < 1e-9 and c.number_format == "0.0", \
    (c.value, c.number_format)
assert "%" not in c.number_format
v = openpyxl.load_workbook(sys.argv[2])
names = [c.value for ws in v.worksheets[1:] for r in ws.iter_rows() for c in r
         if c.value == sys.argv[3]]
assert names and all(isinstance(x, str) for x in names), names
PY

# a sheet's name: 31 characters at most, cut after a word with «…»
python3 - "$T/verification.xlsx" <<'PY' && ok || bad "sheet names: see above"
import sys
import openpyxl
names = openpyxl.load_workbook(sys.argv[1]).sheetnames
assert "Решения куратора по факторам…" in names, names
assert "Визиты по школам" in names, names
PY

# to a pipe: the same workbook on stdout
H report settings --format xlsx 2>"$T/err" | head -c 4 >"$T/pipe" && ok || bad "pipe: $(cat "$T/err")"
[ "$(od -An -c "$T/pipe" | tr -d ' ')" = 'PK003004' ] && ok || bad "pipe: $(od -c "$T/pipe")"
# to a terminal: refused, nothing written
python3 - "$HUB" "$D" "$T/pass" >"$T/tty.out" 2>&1 <<'PY' && ok || bad "terminal: $(cat "$T/tty.out")"
import os, pty, subprocess, sys
# runs: tetrad-hub (by path, from TETRAD_BIN)
m, s = pty.openpty()
p = subprocess.run([sys.argv[1], "--data", sys.argv[2], "--passphrase-file", sys.argv[3],
                    "report", "settings", "--format", "xlsx"], stdout=s, stderr=subprocess.PIPE)
os.close(s)
os.set_blocking(m, False)
try:
    got = os.read(m, 4096)
except (BlockingIOError, OSError):   # EIO: nothing was written, the slave is closed
    got = b""
err = p.stderr.decode()
assert p.returncode == 1, (p.returncode, err)
assert "двоичный файл" in err and "--out" in err, err
assert b"PK" not in got, got
PY

# a bad --out folder, an existing file, an unwritable temporary folder: a
# Russian message, a non-zero exit, no file (nor a temporary one) left
: >"$T/afile"
mkdir "$T/out"
H report passport --format xlsx --out "$T/afile/p.xlsx" >"$T/o" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && ok || bad "bad --out folder: exit 0"
grep -qF "не удалось создать файл рядом с $T/afile/p.xlsx" "$T/err" && ok ||
	bad "bad --out folder: message $(cat "$T/err")"
H report passport --format xlsx --out "$T/missing/p.xlsx" >"$T/o" 2>"$T/err"
[ $? != 0 ] && [ ! -e "$T/missing" ] && ok || bad "missing --out folder: $(cat "$T/err")"
grep -qF "не удалось создать файл рядом с $T/missing/p.xlsx" "$T/err" && ok ||
	bad "missing --out folder: message $(cat "$T/err")"
TMPDIR="$T/no-such-tmp" H report passport --format xlsx --out "$T/out/p.xlsx" >"$T/o" 2>"$T/err"
rc=$?
[ "$rc" = 4 ] && ok || bad "unwritable TMPDIR: exit $rc: $(cat "$T/err")"
grep -q "не удалось создать временный файл книги Excel" "$T/err" && ok ||
	bad "unwritable TMPDIR: message $(cat "$T/err")"
[ -z "$(ls -A "$T/out")" ] && ok || bad "a failed report left: $(ls -A "$T/out")"
cp "$T/settings.xlsx" "$T/out/s.xlsx"
H report settings --format xlsx --out "$T/out/s.xlsx" >"$T/o" 2>"$T/err"
[ $? != 0 ] && cmp -s "$T/settings.xlsx" "$T/out/s.xlsx" && ok || bad "existing file replaced"
grep -q "уже существует" "$T/err" && ok || bad "existing file: $(cat "$T/err")"
[ "$(ls -A "$T/out")" = s.xlsx ] && ok || bad "files left: $(ls -A "$T/out")"
# the temporary workbook is removed, and the TMPDIR taken
mkdir "$T/tmp"
TMPDIR="$T/tmp" H report surveys --format xlsx >"$T/s.xlsx" 2>"$T/err" && ok || bad "TMPDIR: $(cat "$T/err")"
[ -z "$(ls -A "$T/tmp")" ] && ok || bad "temporary files left: $(ls -A "$T/tmp")"
# an unknown format names xlsx among the known ones
H report settings --format xls >"$T/o" 2>"$T/err"
[ $? = 1 ] && grep -q "table, csv, json или xlsx" "$T/err" && ok || bad "unknown format: $(cat "$T/err")"

echo "test_hub_report_xlsx: $passes passed, $fails failed"
[ "$fails" = 0 ]
