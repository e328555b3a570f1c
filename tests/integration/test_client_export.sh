#!/usr/bin/env bash
# test_client_export — `tetrad export` → `tetrad import` round trip for every
# built-in form through the real program: the realistic records of
# tests/data/forms (repeat groups, multiple choices, dates), the same with
# answers left empty («затрудняюсь ответить»), text a spreadsheet would run
# as a formula (=HYPERLINK, +1, -1+1, @SUM) in fields and group items, and a
# draft; exported with Russian headers and labels and with --codes, each
# imported into a new database, gives the same records. Every header is
# unique, no cell starts like a formula unless it is a number, dates are
# ДД.ММ.ГГГГ, a repeat group is one row per item linked by «Запись».
# An export edited (python3 csv, as Excel would) and imported back into the
# same database updates the records it names: no copies, one edit queued,
# nothing on a second import, a mediation case not refused as its own repeat.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
SRC=${TETRAD_SOURCE_DIR:?}
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
run() { # run DESC cmd...: must exit 0
	local desc=$1; shift
	if "$@" >"$W/out" 2>"$W/err"; then ok; else bad "$desc: exit $?: $(head -c 2000 "$W/err")"; fi
}

FORMS="mediation_case risk_visit social_passport survey_director survey_parent survey_student survey_teacher"
DB="$W/src.db"
run "init" "$T" --db "$DB" init --school 170103

for f in $FORMS; do
	good="$SRC/tests/data/forms/$f.good.json"
	# the variants, from the form's own definition (its newest version)
	python3 - "$TETRAD_FORMS_DIR/$f.json" "$good" "$W/$f" <<'PY' || bad "$f: variants"
import json, sys
form = json.load(open(sys.argv[1])); good = json.load(open(sys.argv[2])); out = sys.argv[3]
fields = form["fields"]
def plain_text(fd):
    return (fd["type"] == "text" and "mask" not in fd and "relevant" not in fd
            and not fd.get("required") and "required_if" not in fd)
v = json.loads(json.dumps(good))
formulas = ['=HYPERLINK("http://evil.example/";"нажми")', "+1", "-1+1", "@SUM(A1:A9)"]
for fd in fields:
    if fd["type"] == "scale" and fd.get("no_answer"):
        v[fd["id"]] = None          # «затрудняюсь ответить»
        break
for fd in fields:
    if plain_text(fd) and formulas:
        v[fd["id"]] = formulas.pop(0)
    if fd["type"] == "group" and isinstance(v.get(fd["id"]), list) and v[fd["id"]]:
        for m in fd["fields"]:
            if plain_text(m):
                v[fd["id"]][0][m["id"]] = "@Иванов"
                break
for fd in fields:
    if fd["type"] == "multi" and not fd.get("required") and "min_items" not in fd \
            and "relevant" not in fd:
        v.pop(fd["id"], None)       # a multiple choice left empty
        break
# the variants are other records: the form's "unique" fields (mediation's
# case number) differ
def other(rec, n):
    for k in form.get("unique", {}).get("fields", []):
        if isinstance(rec.get(k), str):
            rec[k] = "%s-%d" % (rec[k], n)
other(v, 2)
json.dump(v, open(out + ".formula.json", "w"), ensure_ascii=False)
d = json.loads(json.dumps(good))
for fd in fields:
    if fd.get("required"):
        d.pop(fd["id"], None)
        break
other(d, 3)
json.dump(d, open(out + ".draft.json", "w"), ensure_ascii=False)
# `tetrad new --json` takes a null for "no value": a scale's «затрудняюсь
# ответить» goes in by --set, as a person types it
for name, rec in (("good", good), ("formula", v), ("draft", d)):
    with open(out + "." + name + ".sets", "w") as fp:
        for fd in fields:
            if fd["type"] == "scale" and fd.get("no_answer") and fd["id"] in rec \
                    and rec[fd["id"]] is None:
                fp.write("--set\n%s=затрудняюсь ответить\n" % fd["id"])
PY
	mapfile -t sets <"$W/$f.good.sets"
	run "$f: new good" "$T" --db "$DB" new "$f" --json "$good" "${sets[@]}"
	mapfile -t sets <"$W/$f.formula.sets"
	run "$f: new with formulas" "$T" --db "$DB" new "$f" --json "$W/$f.formula.json" "${sets[@]}"
	mapfile -t sets <"$W/$f.draft.sets"
	run "$f: new draft" "$T" --db "$DB" new "$f" --json "$W/$f.draft.json" --draft "${sets[@]}"
done

# compare.py A.json B.json FORM.json: the same records (status + data) in any
# order; a null that is not a scale's «затрудняюсь ответить» and an empty
# list mean "no answer", as absent
cat >"$W/compare.py" <<'PY'
import json, sys
a, b, form = (json.load(open(p)) for p in sys.argv[1:4])
def norm(fields, obj):
    out = {}
    for fd in fields:
        if fd["id"] not in obj:
            continue
        v = obj[fd["id"]]
        if v is None and not (fd["type"] == "scale" and fd.get("no_answer")):
            continue
        if isinstance(v, list) and not v:
            continue
        if fd["type"] == "group":
            v = [norm(fd["fields"], it) for it in v]
        out[fd["id"]] = v
    extra = set(obj) - {fd["id"] for fd in fields}
    for k in extra:
        out[k] = obj[k]
    return out
def recs(x):
    return sorted(json.dumps([r["status"], norm(form["fields"], r["data"])],
                             sort_keys=True, ensure_ascii=False) for r in x)
ra, rb = recs(a), recs(b)
if ra != rb:
    for r in sorted(set(ra) - set(rb)):
        print("lost:", r[:600])
    for r in sorted(set(rb) - set(ra)):
        print("new: ", r[:600])
    sys.exit(1)
print(len(ra))
PY

# check.py FILE FORM.json MODE: unique header, no formula-like text cell,
# dates ДД.ММ.ГГГГ with labels, rows of one record linked by its id
cat >"$W/check.py" <<'PY'
import csv, io, json, re, sys
path, form, mode = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
raw = open(path, encoding="utf-8").read()
assert raw.startswith("\ufeff"), "no BOM"
rows = list(csv.reader(io.StringIO(raw[1:], newline=""), delimiter=";"))
head = rows[0]
dup = {h for h in head if head.count(h) > 1}
assert not dup, "columns twice: %s" % dup
meta = ["Запись", "Статус записи", "Версия формы"] if mode == "labels" else \
    ["_record", "_status", "_form_version"]
assert head[:3] == meta, head[:3]
for fd in form["fields"]:
    name = fd["label"] if mode == "labels" else fd["id"]
    if fd["type"] == "group":
        name += ": №" if mode == "labels" else "._item"
    assert any(h == name or h.startswith(name + " (") for h in head), "no column for " + fd["id"]
number = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")
for r in rows[1:]:
    for c in r:
        if c and c[0] in "=+-@\t\r":
            assert number.match(c), "formula-like cell %r" % c
dates = [i for i, h in enumerate(head) for fd in form["fields"]
         if fd["type"] == "date" and h == (fd["label"] if mode == "labels" else fd["id"])]
seen = 0
for r in rows[1:]:
    for i in dates:
        if r[i]:
            seen += 1
            want = r"^\d\d\.\d\d\.\d{4}$" if mode == "labels" else r"^\d{4}-\d\d-\d\d$"
            assert re.match(want, r[i]), "date %r" % r[i]
assert not dates or seen, "no date written"
# a record with n items of its longest group is n rows, its id on each
groups = [fd for fd in form["fields"] if fd["type"] == "group"]
if groups:
    ids = [r[0] for r in rows[1:]]
    assert max(ids.count(i) for i in ids) > 1, "one row per item expected"
print(len(rows) - 1)
PY

for f in $FORMS; do
	FJ="$TETRAD_FORMS_DIR/$f.json"
	run "$f: export json" "$T" --db "$DB" export "$f" --format json --out "$W/$f.src.json"
	for mode in labels codes; do
		flag=; [ "$mode" = codes ] && flag=--codes
		CSV="$W/$f.$mode.csv"
		run "$f: export $mode" "$T" --db "$DB" export "$f" --format csv $flag --out "$CSV"
		if python3 "$W/check.py" "$CSV" "$FJ" "$mode" >"$W/out" 2>&1; then ok; else
			bad "$f ($mode): $(tail -3 "$W/out")"; fi
		DB2="$W/$f.$mode.db"
		run "$f: init $mode" "$T" --db "$DB2" init --school 170103
		run "$f: import $mode" "$T" --db "$DB2" import "$f" --csv "$CSV"
		grep -q "Добавлено записей: 3; изменено: 0; без изменений: 0" "$W/out" && ok || bad "$f ($mode): $(cat "$W/out")"
		run "$f: export back" "$T" --db "$DB2" export "$f" --format json --out "$W/$f.$mode.json"
		if python3 "$W/compare.py" "$W/$f.src.json" "$W/$f.$mode.json" "$FJ" >"$W/out" 2>&1; then
			ok; else bad "$f ($mode) round trip: $(cat "$W/out")"; fi
	done
done

# the formula text is quoted as text with its guard, and read back whole
grep -qF "\"'=HYPERLINK(\"\"http://evil.example/\"\";\"\"нажми\"\")\"" "$W/mediation_case.labels.csv" &&
	ok || bad "=HYPERLINK not guarded in the export"
grep -qF '"=HYPERLINK(\"http://evil.example/\";\"нажми\")"' "$W/mediation_case.labels.json" &&
	ok || bad "=HYPERLINK not read back"
# mediation_case: the record's status and the case's status are two columns
python3 - "$W/mediation_case.labels.csv" "$W/mediation_case.codes.csv" <<'PY' && ok || bad "mediation status columns"
import sys
for p, want in zip(sys.argv[1:], (["Статус записи", "Статус случая"], ["_status", "status"])):
    head = open(p, encoding="utf-8-sig").readline().rstrip("\r\n").split(";")
    assert all(head.count(w) == 1 for w in want), head
PY

# a file a person edited: an unknown label is named, nothing is written
python3 - "$W/social_passport.labels.csv" "$W/edited.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig", newline="").read().split("\r\n")
cells = lines[1].split(";"); cells[5] = "неизвестный уровень"; lines[1] = ";".join(cells)
open(sys.argv[2], "w", encoding="utf-8").write("\r\n".join(lines))
PY
DB3="$W/edited.db"
run "init edited" "$T" --db "$DB3" init --school 170103
"$T" --db "$DB3" import social_passport --csv "$W/edited.csv" >"$W/out" 2>"$W/err"
rc=$?
[ "$rc" = 2 ] && grep -q "Строка 2: Уровень сведений: нет такого варианта" "$W/err" &&
	grep -q "ничего не записано" "$W/err" && ok || bad "edited file: exit $rc: $(cat "$W/err")"

# an export corrected in Excel and imported back into the SAME database:
# the rows edit the records their «Запись» names — no copies, one edit
# queued; the same file again changes nothing and queues nothing
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
# edit.py IN OUT COLUMN [VALUE]: COLUMN of the first final record's rows
# (all of them: a record's own cells repeat on each) gets VALUE, or its
# number + 1; prints the record's id
cat >"$W/edit.py" <<'PY'
import csv, sys
src, dst, col = sys.argv[1:4]
rows = list(csv.reader(open(src, encoding="utf-8-sig", newline=""), delimiter=";"))
head = rows[0]; c = head.index(col)
st = head.index("Статус записи") if "Статус записи" in head else head.index("_status")
rid = next(r[0] for r in rows[1:] if r[st] in ("окончательная", "final"))
for r in rows[1:]:
    if r[0] == rid:
        r[c] = sys.argv[4] if len(sys.argv) > 4 else str(int(r[c]) + 1)
w = csv.writer(open(dst, "w", encoding="utf-8-sig", newline=""), delimiter=";",
               lineterminator="\r\n")
w.writerows(rows)
print(rid)
PY
REC0=$(q 'SELECT COUNT(*) FROM records'); OUT0=$(q 'SELECT COUNT(*) FROM outbox')
RID=$(python3 "$W/edit.py" "$W/social_passport.labels.csv" "$W/sp.edit.csv" "Всего обучающихся") ||
	bad "edit.py social_passport"
OLD=$(q "SELECT json_extract(data,'\$.students_total') FROM records WHERE hex(id)=upper(replace('$RID','-',''))")
run "import the edited export" "$T" --db "$DB" import social_passport --csv "$W/sp.edit.csv"
grep -q "Добавлено записей: 0; изменено: 1; без изменений: 2" "$W/out" && ok ||
	bad "edited export: $(cat "$W/out")"
[ "$(q 'SELECT COUNT(*) FROM records')" = "$REC0" ] && ok || bad "edited export made new records"
[ "$(q "SELECT json_extract(data,'\$.students_total') FROM records WHERE hex(id)=upper(replace('$RID','-',''))")" = "$((OLD + 1))" ] &&
	ok || bad "the edited cell is not in record $RID"
[ "$(q 'SELECT COUNT(*) FROM outbox')" = "$((OUT0 + 1))" ] && ok || bad "edit not queued once"
[ "$(q "SELECT op || ' ' || lower(hex(record_id)) FROM outbox ORDER BY seq DESC LIMIT 1")" = \
	"edit $(echo "$RID" | tr -d - | tr A-F a-f)" ] && ok || bad "the queued edit is not of $RID"
# only the changed cell travels
[ "$(q "SELECT fields FROM outbox ORDER BY seq DESC LIMIT 1")" = "{\"students_total\":$((OLD + 1))}" ] &&
	ok || bad "the queued edit is not only the changed cell: $(q 'SELECT fields FROM outbox ORDER BY seq DESC LIMIT 1')"
run "import it again" "$T" --db "$DB" import social_passport --csv "$W/sp.edit.csv"
grep -q "Добавлено записей: 0; изменено: 0; без изменений: 3" "$W/out" && ok ||
	bad "same file again: $(cat "$W/out")"
[ "$(q 'SELECT COUNT(*) FROM outbox')" = "$((OUT0 + 1))" ] && ok || bad "same file again queued"

# a mediation case edited and imported back: not refused as a repeat of
# its own case number (--codes file this time)
RID=$(python3 "$W/edit.py" "$W/mediation_case.codes.csv" "$W/mc.edit.csv" summary \
	"Исправлено в Excel") || bad "edit.py mediation_case"
run "import the edited mediation export" "$T" --db "$DB" import mediation_case --csv "$W/mc.edit.csv"
grep -q "Добавлено записей: 0; изменено: 1; без изменений: 2" "$W/out" && ok ||
	bad "edited mediation export: $(cat "$W/out" "$W/err")"
[ "$(q "SELECT json_extract(data,'\$.summary') FROM records WHERE hex(id)=upper(replace('$RID','-',''))")" = \
	"Исправлено в Excel" ] && ok || bad "mediation edit not stored"
# «Суть конфликта» never leaves the device: a change of it alone sends nothing
[ "$(q 'SELECT COUNT(*) FROM outbox')" = "$((OUT0 + 1))" ] && ok || bad "a local-only edit was queued"

# a final visit's «Код ОО» cannot change by an import either (as by edit):
# refused with the row named, nothing written
python3 "$W/edit.py" "$W/risk_visit.labels.csv" "$W/rv.edit.csv" "Код ОО" 170104 >/dev/null ||
	bad "edit.py risk_visit"
"$T" --db "$DB" import risk_visit --csv "$W/rv.edit.csv" >"$W/out" 2>"$W/err"
rc=$?
[ "$rc" = 2 ] && grep -q "Строка 2: Поле «Код ОО» окончательной записи изменить нельзя" "$W/err" &&
	grep -q "ничего не записано" "$W/err" && ok || bad "visit school changed by import: exit $rc: $(cat "$W/err")"
[ "$(q 'SELECT COUNT(*) FROM outbox')" = "$((OUT0 + 1))" ] && ok || bad "refused visit edit queued"

echo "test_client_export: $passes passed, $fails failed"
[ "$fails" = 0 ]
