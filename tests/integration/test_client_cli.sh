#!/usr/bin/env bash
# test_client_cli — the `tetrad` command line end to end on a real SQLite
# file: init, forms, new (--set, --json, stdin, interactive prompts), drafts,
# finalize, edit, delete, list/show, export/import, status, exit codes, and
# that `local` fields never reach the outbox (planted values).
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DB="$W/sub/dir/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_rc() { # expect_rc WANT DESC -- cmd...
	local want=$1 desc=$2; shift 3
	"$@" >"$W/out" 2>"$W/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; cat "$W/err" >&2; fi
}
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; cat "$1" >&2; fi; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }

# --- usage and a missing database
expect_rc 1 "no command" -- "$T"
expect_rc 1 "unknown command" -- "$T" --db "$DB" frobnicate
contains "$W/err" "неизвестная команда"
expect_rc 0 "help" -- "$T" --help
expect_rc 3 "list before init" -- "$T" --db "$DB" list
contains "$W/err" "tetrad init"
expect_rc 1 "init without school" -- "$T" --db "$DB" init
expect_rc 2 "bad school code" -- "$T" --db "$DB" init --school "17 01"

# --- init
expect_rc 0 "init" -- "$T" --db "$DB" init --school 170103 --name "МБОУ СОШ № 1"
[ -f "$DB" ] && ok || bad "db not created"
eq "$(stat -c %a "$DB.device.key")" 600 "key mode"
eq "$(stat -c %a "$DB")" 600 "db mode"
DEV=$(q "SELECT value FROM meta WHERE key='device_id'")
[[ "$DEV" =~ ^[0-9a-f]{16}$ ]] && ok || bad "device_id «$DEV»"
eq "$(q 'PRAGMA journal_mode')" wal "wal"
expect_rc 2 "second init" -- "$T" --db "$DB" init --school 170104
contains "$W/err" "уже подготовлена"
# TETRAD_DB is the default when --db is absent
TETRAD_DB="$DB" "$T" status >"$W/out" 2>&1 && ok || bad "status via TETRAD_DB"
contains "$W/out" "170103"

# --- forms
expect_rc 0 "forms" -- "$T" --db "$DB" forms
contains "$W/out" "social_passport"
contains "$W/out" "Верификация рискового профиля школы"
expect_rc 0 "forms --json" -- "$T" --db "$DB" forms --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(f["id"]=="mediation_case" and f["latest"] for f in d)' "$W/out" && ok || bad "forms json"
# a program run from the build tree finds the built-in forms by itself
expect_rc 0 "forms without TETRAD_FORMS_DIR" -- env -u TETRAD_FORMS_DIR "$T" --db "$DB" forms
contains "$W/out" "social_passport"
contains "$W/out" "mediation_case"

# --- new mediation case with planted local values
PN="ПЛАНТ-ФИО-5e1d" PS="ПЛАНТ-СУТЬ-77aa" PP="+7-900-ПЛАНТ"
expect_rc 0 "new mediation_case" -- "$T" --db "$DB" new mediation_case \
	--set case_number=2026-1 --set received_date=01.11.2026 --set source=teacher \
	--set situation_kind=conflict --set conflict_type=student_student --set status=received \
	--set "parties[0].role=student" --set "parties[0].class_name=5А" --set "parties[0].full_name=$PN" \
	--set "parties[0].phone=$PP" --set "parties[1].role=adult" --set "summary=$PS"
ID1=$(cat "$W/out")
[[ "$ID1" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] && ok || bad "id «$ID1»"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 1 "one outbox row"
eq "$(q "SELECT COUNT(*) FROM outbox WHERE instr(fields,'ПЛАНТ') OR instr(fields,'full_name') OR instr(fields,'summary') OR instr(fields,'phone')")" 0 "no local fields in outbox"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'$PN') AND instr(data,'$PS')")" 1 "local kept in record"

# invalid input writes nothing, names the field in Russian
expect_rc 2 "invalid value" -- "$T" --db "$DB" new social_passport --set students_total=много
contains "$W/err" "Всего обучающихся"
expect_rc 2 "unknown field" -- "$T" --db "$DB" new social_passport --set nosuch=1
# social_passport v2: a count of families is bounded by the families, not the students
expect_rc 2 "rules" -- "$T" --db "$DB" new social_passport --set academic_year=2021/2022 \
	--set snapshot_date=2021-10-01 --set level=school --set students_total=10 --set families_total=8 \
	--set large_families=9 --set students_4_11=11
contains "$W/err" "Многодетные семьи: не может быть больше, чем «Всего семей»"
contains "$W/err" "Обучающихся 4–11 классов: не может быть больше, чем «Всего обучающихся»"
contains "$W/err" "--draft"
expect_rc 3 "unknown form" -- "$T" --db "$DB" new no_such_form --set a=1
eq "$(q 'SELECT COUNT(*) FROM records')" 1 "nothing written by invalid input"
expect_rc 1 "no values, not a terminal" -- "$T" --db "$DB" new social_passport </dev/null

# --- social passport: draft, finalize, edit, JSON from stdin
expect_rc 0 "draft" -- "$T" --db "$DB" new social_passport --draft --set academic_year=2021/2022 --set level=class --set class_name=5А
ID2=$(cat "$W/out")
eq "$(q 'SELECT COUNT(*) FROM outbox')" 1 "draft stays off the outbox"
expect_rc 2 "finalize incomplete" -- "$T" --db "$DB" finalize "$ID2"
contains "$W/err" "обязательное поле"
cat >"$W/sp.json" <<'EOF'
{"snapshot_date":"2021-10-01","students_total":25,"families_total":22,"large_families":3,
 "low_income_families":2,"single_parent_families":4,"foster_children":1,"orphans":0,
 "disabled_children":1,"special_needs":2,"sop_families":0,"tjs_families":1,"kdn_registered":0,
 "pdn_registered":0,"school_registered":1,"unemployed_parents":2,"parents_higher_education":5,
 "non_native_russian":1,"migrant_families":0}
EOF
expect_rc 0 "edit draft with json" -- "$T" --db "$DB" edit "$ID2" --json "$W/sp.json"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 1 "edit of a draft stays off the outbox"
expect_rc 0 "finalize" -- "$T" --db "$DB" finalize "${ID2:0:13}"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 2 "finalize queues one row"
expect_rc 0 "finalize again" -- "$T" --db "$DB" finalize "$ID2"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 2 "finalize twice queues once"
expect_rc 2 "edit final invalid" -- "$T" --db "$DB" edit "$ID2" --set large_families=26
contains "$W/err" "Многодетные семьи"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 2 "invalid edit writes nothing"
expect_rc 0 "edit final" -- "$T" --db "$DB" edit "$ID2" --set large_families=4
eq "$(q 'SELECT COUNT(*) FROM outbox')" 3 "edit of final queues one row"
eq "$(q "SELECT json_extract(fields,'$.large_families') FROM outbox WHERE seq=3")" 4 "edited value queued"
expect_rc 3 "edit unknown id" -- "$T" --db "$DB" edit 0000000000000000 --set large_families=4
sed 's/"students_total":25/"students_total":30/' "$W/sp.json" | python3 -c '
import json,sys; d=json.load(sys.stdin); d.update({"academic_year":"2021/2022","level":"school"}); print(json.dumps(d))' >"$W/sp2.json"
"$T" --db "$DB" new social_passport --json - <"$W/sp2.json" >"$W/out" 2>"$W/err" && ok || { bad "new --json -"; cat "$W/err"; }
ID3=$(cat "$W/out")
eq "$(q 'SELECT COUNT(*) FROM outbox')" 4 "new from stdin queued"

# --- risk visit: one item per factor, comment required by decision
python3 - "$TETRAD_FORMS_DIR/dict/risk_factors.json" >"$W/rv.json" <<'EOF'
import json,sys
d=json.load(open(sys.argv[1]))
items=[]
for i,e in enumerate(d["entries"]):
    it={"factor":e["code"],"decision":"confirmed","evidence":["documents"]}
    if i==1: it={"factor":e["code"],"decision":"not_confirmed"}
    items.append(it)
print(json.dumps({"school_code":"170103","project_year":2021,"curator":"Сидорова А. А.",
 "visit_type":"verification","visit_format":"onsite","visit_date":"2021-03-01",
 "participants":["director","teachers"],"factors":items,"medk_entered":False}))
EOF
expect_rc 2 "risk visit without comment" -- "$T" --db "$DB" new risk_visit --json "$W/rv.json"
contains "$W/err" "Комментарий"
expect_rc 0 "risk visit" -- "$T" --db "$DB" new risk_visit --json "$W/rv.json" --set "factors[1].comment=Документы не подтверждают"
RV=$(cat "$W/out")

# --- list / show
expect_rc 0 "list" -- "$T" --db "$DB" list
eq "$(wc -l <"$W/out")" 4 "list lines"  # before the interactive ones
expect_rc 0 "list form status" -- "$T" --db "$DB" list social_passport --status final --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and all(r["status"]=="final" for r in d)' "$W/out" && ok || bad "list json"
expect_rc 1 "bad status" -- "$T" --db "$DB" list --status maybe
expect_rc 0 "show" -- "$T" --db "$DB" show "$ID1"
contains "$W/out" "Источник обращения: педагог"
contains "$W/out" "(только на этом устройстве)"
expect_rc 0 "show visit" -- "$T" --db "$DB" show "$RV"
contains "$W/out" "Дата посещения: 01.03.2021"     # dates as the questions write them
contains "$W/out" "  [1]"                          # items counted from 1
expect_rc 0 "show json" -- "$T" --db "$DB" show "$RV" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["form_id"]=="risk_visit" and d["form_version"]>=1 and len(d["data"]["factors"])>=11' "$W/out" && ok || bad "show json"
expect_rc 3 "show missing" -- "$T" --db "$DB" show 01234567-89ab-7def-8123-456789abcdef

# --- export / import
expect_rc 0 "export csv" -- "$T" --db "$DB" export social_passport --format csv --out "$W/sp.csv"
head -c 3 "$W/sp.csv" | od -An -tx1 | grep -q "ef bb bf" && ok || bad "BOM"
contains "$W/sp.csv" "Запись;Статус записи;Версия формы;Учебный год"
[ ! -e "$W/sp.csv.tmp" ] && ok || bad "tmp left"
expect_rc 0 "export json stdout" -- "$T" --db "$DB" export mediation_case --format json
contains "$W/out" "$PN"   # local fields are exported locally
expect_rc 0 "export comma" -- "$T" --db "$DB" export social_passport --format csv --delimiter ,
contains "$W/out" "Запись,Статус записи,Версия формы"
expect_rc 1 "export bad format" -- "$T" --db "$DB" export social_passport --format xls
python3 - "$W/sp.csv" "$W/bad.csv" <<'EOF'
import sys
lines=open(sys.argv[1],encoding="utf-8-sig").read().splitlines()
rows=[lines[0]]+lines[1:]*2
bad=list(rows); cells=bad[2].split(";"); cells[7]="-5"; bad[2]=";".join(cells)
open(sys.argv[2],"w",encoding="utf-8").write("\n".join(bad)+"\n")
EOF
N0=$(q 'SELECT COUNT(*) FROM outbox')
expect_rc 2 "import with a bad row" -- "$T" --db "$DB" import social_passport --csv "$W/bad.csv"
contains "$W/err" "Строка 3"
contains "$W/err" "ничего не записано"
eq "$(q 'SELECT COUNT(*) FROM outbox')" "$N0" "bad import writes nothing"
# its own export back: the «Запись» ids are this database's records, so
# nothing differs and nothing is queued (it used to add copies)
expect_rc 0 "import own export" -- "$T" --db "$DB" import social_passport --csv "$W/sp.csv"
contains "$W/out" "Добавлено записей: 0; изменено: 0; без изменений: 2"
eq "$(q 'SELECT COUNT(*) FROM outbox')" "$N0" "own export changes nothing"
# without the «Запись» column (a table typed by hand): new records
python3 - "$W/sp.csv" "$W/sp_new.csv" <<'EOF'
import sys
lines=open(sys.argv[1],encoding="utf-8-sig").read().splitlines()
open(sys.argv[2],"w",encoding="utf-8").write("\n".join(l.split(";",1)[1] for l in lines)+"\n")
EOF
expect_rc 0 "import" -- "$T" --db "$DB" import social_passport --csv "$W/sp_new.csv"
contains "$W/out" "Добавлено записей: 2; изменено: 0; без изменений: 0"
eq "$(q 'SELECT COUNT(*) FROM outbox')" "$((N0 + 2))" "import queued"
expect_rc 2 "import missing file" -- "$T" --db "$DB" import social_passport --csv "$W/nope.csv"

# --- delete
N0=$(q 'SELECT COUNT(*) FROM outbox')
expect_rc 0 "delete" -- "$T" --db "$DB" delete "$ID3"
eq "$(q "SELECT op FROM outbox ORDER BY seq DESC LIMIT 1")" delete "tombstone"
eq "$(q 'SELECT COUNT(*) FROM outbox')" "$((N0 + 1))" "delete queues one"
expect_rc 2 "delete twice" -- "$T" --db "$DB" delete "$ID3"

# --- interactive entry (TETRAD_PROMPT=1 stands in for a terminal)
printf '%s\n' 2021/2022 01.10.2021 7 2 "5Б" 30 20 25 1 2 3 0 0 0 1 0 0 0 0 0 1 4 0 0 да | \
	TETRAD_PROMPT=1 "$T" --db "$DB" new social_passport >"$W/out" 2>"$W/err"
rc=$?
eq "$rc" 0 "interactive social passport"
contains "$W/err" "Неверно"            # 7 is not a choice number: asked again
contains "$W/err" "1) школа целиком"
eq "$(wc -l <"$W/out")" 1 "only the id on stdout"
IDP=$(tail -n 1 "$W/out" | grep -oE '[0-9a-f]{8}-[0-9a-f-]{27}')
eq "$(q "SELECT json_extract(data,'$.class_name') || status FROM records WHERE lower(hex(id))=replace('$IDP','-','')")" "5Бfinal" "prompt value stored, «да» at the summary"
# interactive per-factor items: answer each factor, a comment where required
NF=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$TETRAD_FORMS_DIR/dict/risk_factors.json")
{
	printf '%s\n' 170103 2021 "Сидорова А. А." 1 1 01.03.2021 "1,3"
	for i in $(seq 1 "$NF"); do
		if [ "$i" = 2 ]; then printf '%s\n' 2 "" "" "Нет подтверждения"; else printf '%s\n' 1 "6" ""; fi
	done
	printf '%s\n' "" "" нет да
} | TETRAD_PROMPT=1 "$T" --db "$DB" new risk_visit >"$W/out" 2>"$W/err"
rc=$?
eq "$rc" 0 "interactive risk visit"
[ "$rc" = 0 ] || tail -n 30 "$W/out" "$W/err"
contains "$W/err" "Комментарий *"
IDR=$(tail -n 1 "$W/out" | grep -oE '[0-9a-f]{8}-[0-9a-f-]{27}')
eq "$(q "SELECT json_array_length(data,'$.factors') FROM records WHERE lower(hex(id))=replace('$IDR','-','')")" "$NF" "one item per factor"
eq "$(q "SELECT json_extract(data,'$.factors[1].comment') FROM records WHERE lower(hex(id))=replace('$IDR','-','')")" "Нет подтверждения" "comment entered"
# interactive edit of a draft: Enter keeps answers, "-" skips, a new date is stored
IDE=$("$T" --db "$DB" new social_passport --draft --set academic_year=2022/2023 --set level=school)
{ printf '\n01.09.2022\n\n'; yes - | head -40; } | TETRAD_PROMPT=1 "$T" --db "$DB" edit "$IDE" >"$W/out" 2>"$W/err"
eq "$?" 0 "interactive edit"
contains "$W/err" "сейчас: 2022/2023"
eq "$(q "SELECT json_extract(data,'$.snapshot_date') || json_extract(data,'$.academic_year') || status FROM records WHERE lower(hex(id))=replace('$IDE','-','')")" "2022-09-012022/2023draft" "interactive edit stored"
# a questionnaire: Enter on a scale is «затрудняюсь ответить» (stored as null)
if [ -f "$TETRAD_FORMS_DIR/survey_student.json" ]; then
	# version 2 asks the date first; grade 7 is not asked «после 9 класса»
	{ echo 10.02.2026; echo 7; yes "" | head -200; } | TETRAD_PROMPT=1 "$T" --db "$DB" new survey_student >"$W/out" 2>"$W/err"
	eq "$?" 0 "interactive questionnaire"
	IDS=$(tail -n 1 "$W/out")
	eq "$(q "SELECT json_type(data,'$.enough_equipment') || json_extract(data,'$.grade') || json_extract(data,'$.response_date') || ifnull(json_type(data,'$.plans'),'-') FROM records WHERE lower(hex(id))=replace('$IDS','-','')")" "null72026-02-10-" "scale no answer"
fi
# input ending early keeps the answers as a draft (test_client_interactive:
# Ctrl+C and a closed terminal on a real terminal)
N0=$(q 'SELECT COUNT(*) FROM records')
printf '2021/2022\n' | TETRAD_PROMPT=1 "$T" --db "$DB" new social_passport >"$W/out" 2>"$W/err"
eq "$?" 0 "interrupted prompt"
eq "$(q 'SELECT COUNT(*) FROM records')" "$((N0 + 1))" "interrupted prompt keeps a draft"
IDX=$(tail -n 1 "$W/out")
eq "$(q "SELECT status || json_extract(data,'$.academic_year') FROM records WHERE lower(hex(id))=replace('$IDX','-','')")" "draft2021/2022" "the answer typed is in the draft"
contains "$W/err" "tetrad edit $IDX"
# nothing typed: nothing to keep
printf '' | TETRAD_PROMPT=1 "$T" --db "$DB" new social_passport >/dev/null 2>"$W/err"
eq "$?" 2 "no answers at all"
contains "$W/err" "сохранять нечего"

# --- a newer form version pulled from the hub (<db>.forms/): new records get
# it, old records keep theirs and are judged by it. BV: the built-in latest.
BV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$TETRAD_FORMS_DIR/social_passport.json")
NV=$((BV + 1))
mkdir -p "$DB.forms"
python3 - "$TETRAD_FORMS_DIR/social_passport.json" "$DB.forms/social_passport-v$NV.json" "$NV" <<'EOF2'
import json,sys
d=json.load(open(sys.argv[1])); d["version"]=int(sys.argv[3])
d["fields"].append({"id":"note_v2","label":"Примечание (v2)","type":"text","required":True})
json.dump(d,open(sys.argv[2],"w"),ensure_ascii=False)
EOF2
expect_rc 0 "forms with a pulled version" -- "$T" --db "$DB" forms --json
python3 -c 'import json,sys; d=[f for f in json.load(open(sys.argv[1])) if f["id"]=="social_passport"]; n=int(sys.argv[2]); assert sorted((f["version"],f["latest"]) for f in d)==[(v,v==n) for v in range(1,n+1)]' "$W/out" "$NV" && ok || bad "pulled version listed"
expect_rc 2 "new needs the v2 field" -- "$T" --db "$DB" new social_passport --json "$W/sp2.json"
contains "$W/err" "Примечание (v2)"
expect_rc 0 "new with v2" -- "$T" --db "$DB" new social_passport --json "$W/sp2.json" --set "note_v2=есть"
eq "$(q "SELECT form_version FROM records WHERE lower(hex(id))=replace('$(cat "$W/out")','-','')")" "$NV" "new record is the pulled version"
expect_rc 0 "edit a v1 record after v2 arrived" -- "$T" --db "$DB" edit "$ID2" --set large_families=5
eq "$(q "SELECT form_version FROM records WHERE lower(hex(id))=replace('$ID2','-','')")" "$BV" "old record keeps its version"
eq "$(q "SELECT form_version FROM outbox ORDER BY seq DESC LIMIT 1")" "$BV" "outbox row carries its version"
rm -rf "$DB.forms"

# --- status
sqlite3_set() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$DB" "$1"; }
sqlite3_set "UPDATE outbox SET state='quarantined', reason='поле не в форме' WHERE seq=1"
sqlite3_set "INSERT INTO meta VALUES('clock_skew_ms','-7200000')"
expect_rc 0 "status" -- "$T" --db "$DB" status
contains "$W/out" "Школа: 170103 — МБОУ СОШ № 1"
contains "$W/out" "карантин: поле не в форме — 1"
contains "$W/out" "отстают на 120 мин"
expect_rc 0 "status json" -- "$T" --db "$DB" status --json
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["school"]=="170103" and d["quarantined"]==1 and d["pending"]>=8 and d["clock_skew_warning"]
assert d["quarantine_reasons"][0]["reason"]=="поле не в форме"' "$W/out" && ok || bad "status json"

# --- the outbox as a whole: contiguous, one row per change, HLC ordered, no local data
eq "$(q 'SELECT MAX(seq)-COUNT(*) FROM outbox')" 0 "contiguous seq"
eq "$(q 'SELECT COUNT(*) FROM outbox a JOIN outbox b ON b.seq=a.seq+1 WHERE b.hlc<=a.hlc')" 0 "hlc ordered"
eq "$(q "SELECT COUNT(*) FROM outbox WHERE instr(fields,'ПЛАНТ')")" 0 "no planted value anywhere"
eq "$(q "SELECT value FROM meta WHERE key='hlc_last'")" "$(q 'SELECT MAX(updated_hlc) FROM records')" "hlc_last persisted"
eq "$(q "SELECT COUNT(*) FROM outbox WHERE hlc > (SELECT value FROM meta WHERE key='hlc_last')")" 0 "hlc_last covers the outbox"
eq "$(q 'PRAGMA integrity_check')" ok "integrity"

# --- sync/enroll hand over to tetrad-syncd (exec), which must exist beside us
if [ -x "${TETRAD_BIN}/tetrad-syncd" ]; then
	"$T" --db "$DB" sync >"$W/out" 2>"$W/err"; rc=$?
	[ "$rc" != 0 ] && ok || bad "sync without enrollment should fail"
	grep -q "не удалось запустить" "$W/err" && bad "syncd not executed" || ok
fi

# --- the command examples of the Russian user guide run as written
GUIDE="${TETRAD_SOURCE_DIR:-$(dirname "$0")/../..}/docs/ru/guide.md"
if [ -f "$GUIDE" ]; then
	mkdir -p "$W/guide"
	{
		echo 'set -e'
		awk '/^```sh$/{on=1; next} /^```/{on=0} on' "$GUIDE"
	} >"$W/guide.sh"
	(cd "$W/guide" && HOME="$W/guide" TETRAD_DB="$W/guide/tetrad.db" PATH="$BIN:$PATH" \
		bash "$W/guide.sh") >"$W/out" 2>"$W/err"
	rc=$?
	eq "$rc" 0 "guide examples"
	[ "$rc" = 0 ] || { cat "$W/err" >&2; tail -5 "$W/out" >&2; }
	[ "$(grep -c '^tetrad' "$W/guide.sh")" -ge 8 ] && ok || bad "guide has few examples"
	# the guide imports its own export back: an edit with nothing changed
	contains "$W/out" "Добавлено записей: 0; изменено: 0; без изменений: 1"
else
	bad "guide $GUIDE missing"
fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
