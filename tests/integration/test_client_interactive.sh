#!/usr/bin/env bash
# test_client_interactive — `tetrad new` and `tetrad edit` driven on a real
# terminal (a pseudo-terminal, tests/integration/pty_drive.py) as a person
# types: a mediation case whose programme date is before «Дата поступления»
# is refused at that question and saved once corrected; «<» goes back a
# question; the summary shows every answer with its label and «изменить N»
# corrects one; Ctrl+C and a closed terminal keep the answers as a draft
# with the command to continue; `tetrad edit ID FIELD` and `--set` change
# one field (a rule between fields checked both ways); a curator's laptop
# asks the school first (for a visit and for a form without a school field;
# not enrolled yet: refused before any question), a school's never does, and
# shows the issued risk profile's level beside each factor while a visit is
# typed.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
HERE=$(cd "$(dirname "$0")" && pwd)
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
unset TETRAD_PROMPT
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DB="$W/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; tail -c 2000 "$1" >&2; fi; }
lacks() { if grep -qF -- "$2" "$1"; then bad "$1 has «$2»"; else ok; fi; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$1" "$2"; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }
# drive NAME DB ARGS... : runs tetrad on a terminal with the steps in $W/NAME.steps
drive() {
	local name=$1 db=$2; shift 2
	if python3 "$HERE/pty_drive.py" "$W/$name.steps" "$W/$name.out" -- "$T" --db "$db" "$@"
	then ok; else bad "$name: the terminal session did not go as scripted"; fi
}
# the id printed on the terminal after the given text
id_in() { grep -aoE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$1" | tail -n 1; }
rec() { q "$1" "SELECT $2 FROM records WHERE lower(hex(id))=replace('$3','-','')"; }

python3 -c 'import pty' 2>/dev/null || { echo "SKIP: python3 has no pty module"; exit 77; }
"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || { echo "init failed"; exit 1; }

# --- 1. a mediation case: back, an out-of-order date refused at its
# question, the summary, «изменить N», saved final
cat >"$W/med.steps" <<'EOF'
expect «<» или «назад» — к предыдущему вопросу
expect Номер случая *
send 2026-0I
expect Дата поступления *
expect [дата ДД.ММ.ГГГГ]
send 10.03.2026
expect Источник обращения *
send 1
expect Вид ситуации *
send 1
expect Тип конфликта *
send 1
expect Роль *
send 1
expect Класс
send 5А
expect Возраст
# back one question: «Класс» again, its answer offered
send <
expect Класс
expect сейчас: 5А
send 6Б
expect Возраст
send 12
expect ФИО
send
expect Телефон
send
expect Добавить элемент 2
send нет
expect Суть конфликта
send
expect Статус случая *
send 3
expect Восстановительная программа *
send 1
expect Дата проведения программы *
send 01.03.2026
expect Неверно: Дата проведения программы: не может быть раньше, чем «Дата поступления»
send 12.03.2026
expect Число медиаторов *
send 2
expect медиатор-ровесник
send нет
expect Участников программы: дети *
send 2
expect Участников программы: взрослые *
send 0
expect Заключён примирительный договор *
send да
expect Дата примирительного договора *
send 13.03.2026
expect Выполнение договора
send
# the optional questions after it (a newer form version may add some)
skip-until ==== Проверьте ответы ====
expect 1) Номер случая: 2026-0I
expect 2) Дата поступления: 10.03.2026
expect 7) Класс: 6Б
expect 14) Дата проведения программы: 12.03.2026
expect Сохранить? «да» — сохранить
send изменить 1
expect Номер случая *
expect сейчас: 2026-0I
send 2026-01
expect ==== Проверьте ответы ====
expect 1) Номер случая: 2026-01
expect Сохранить?
send да
exit 0
EOF
drive med "$DB" new mediation_case
IDM=$(id_in "$W/med.out")
eq "$(rec "$DB" "status || '|' || json_extract(data,'$.case_number') || '|' || json_extract(data,'$.programme_date') || '|' || json_extract(data,'$.parties[0].class_name')" "$IDM")" \
	"final|2026-01|2026-03-12|6Б" "mediation case saved final with the corrected answers"
eq "$(q "$DB" "SELECT COUNT(*) FROM outbox")" 1 "one outbox row"
# the refused date was never stored anywhere
eq "$(q "$DB" "SELECT COUNT(*) FROM records WHERE data LIKE '%2026-03-01%'")" 0 "refused date not kept"

# --- 1b. a rule outside the form's (a repeated case number, when the form
# has one): refused at saving, back to the summary, nothing typed lost
if grep -q '"unique"' "$TETRAD_FORMS_DIR/mediation_case.json"; then
	cat >"$W/dup.steps" <<'EOF'
expect Номер случая *
send 2026-01
expect Дата поступления *
send 20.03.2026
expect Источник обращения *
send 2
expect Вид ситуации *
send 1
expect Тип конфликта *
send 1
expect Роль *
send 2
skip-until Добавить элемент 2
send нет
expect Суть конфликта
send
expect Статус случая *
send 1
skip-until ==== Проверьте ответы ====
expect Сохранить?
send да
expect Запись пока не сохранена
expect Сохранить?
send изменить 1
expect Номер случая *
send 2026-09
expect Сохранить?
send да
exit 0
EOF
	drive dup "$DB" new mediation_case
	eq "$(q "$DB" "SELECT status || json_extract(data,'$.received_date') FROM records WHERE json_extract(data,'$.case_number')='2026-09'")" \
		"final2026-03-20" "a repeated number corrected at the summary, nothing retyped"
else
	echo "(no unique rule in mediation_case: the repeated-number case is not run)"
fi

# --- 2. Ctrl+C in the middle: the answers so far are a draft
cat >"$W/int.steps" <<'EOF'
expect Номер случая *
send 2026-02
expect Дата поступления *
send 11.03.2026
expect Источник обращения *
send 3
expect Вид ситуации *
ctrl-c
expect Ответы сохранены как черновик
expect Продолжить: tetrad edit
exit 0
EOF
drive int "$DB" new mediation_case
IDI=$(id_in "$W/int.out")
eq "$(rec "$DB" "status || '|' || data" "$IDI")" \
	'draft|{"case_number":"2026-02","received_date":"2026-03-11","source":"teacher"}' "Ctrl+C keeps the answers as a draft"
contains "$W/int.out" "Ввод прерван (Ctrl+C)."

# --- 3. a closed terminal (SIGHUP) keeps them too
cat >"$W/hup.steps" <<'EOF'
expect Номер случая *
send 2026-03
expect Дата поступления *
hangup
exit 0
EOF
drive hup "$DB" new mediation_case
eq "$(q "$DB" "SELECT status FROM records WHERE json_extract(data,'$.case_number')='2026-03'")" draft "hang-up keeps a draft"
NQ=$(q "$DB" "SELECT COUNT(*) FROM outbox")
eq "$(q "$DB" "SELECT COUNT(*) FROM outbox WHERE record_id IN (SELECT id FROM records WHERE status='draft')")" 0 "drafts never queued"

# --- 4. one field: interactively, a rule checked both ways, then --set
cat >"$W/one.steps" <<'EOF'
expect Дата проведения программы *
expect сейчас: 12.03.2026
send 01.03.2026
expect не может быть раньше, чем «Дата поступления»
send 15.03.2026
expect Неверно: Дата примирительного договора: не может быть раньше, чем «Дата проведения программы»
send 13.03.2026
expect Запись изменена.
exit 0
EOF
drive one "$DB" edit "$IDM" programme_date
eq "$(rec "$DB" "json_extract(data,'$.programme_date')" "$IDM")" "2026-03-13" "one field edited"
lacks "$W/one.out" "Номер случая"
eq "$(q "$DB" "SELECT COUNT(*) FROM outbox")" "$((NQ + 1))" "the edit of a final record queued once"
# a final record refused at saving (a required answer removed): the reason,
# the summary again, corrected there; nothing retyped
cat >"$W/req.steps" <<'EOF'
expect Номер случая *
send -
expect Номер случая: обязательное поле
expect Изменения пока не сохранены
expect 1) Номер случая: —
send изменить 1
expect Номер случая *
send 2026-11
expect Сохранить?
send да
expect Запись изменена.
exit 0
EOF
drive req "$DB" edit "$IDM" case_number
eq "$(rec "$DB" "status || json_extract(data,'$.case_number') || json_extract(data,'$.programme_date')" "$IDM")" "final2026-112026-03-13" "corrected after a refused save"
"$T" --db "$DB" edit "$IDI" --set source=parents >/dev/null 2>"$W/err"
eq "$?" 0 "edit --set one field"
eq "$(rec "$DB" "json_extract(data,'$.source') || json_extract(data,'$.case_number')" "$IDI")" "parents2026-02" "--set changed only that field"

# a field that does not apply to this record is not asked, and said so
cat >"$W/irr.steps" <<'EOF'
expect сейчас не относится
exit 2
EOF
drive irr "$DB" edit "$IDI" not_completed_reason
cat >"$W/nof.steps" <<'EOF'
expect нет поля «no_such»
exit 3
EOF
drive nof "$DB" edit "$IDI" no_such

# --- 5. continuing the draft: Enter keeps each answer, then «черновик»
cat >"$W/cont.steps" <<'EOF'
expect Номер случая *
expect сейчас: 2026-02
send
expect Дата поступления *
send
expect Источник обращения *
send
expect Вид ситуации *
send 2
expect Тип конфликта *
ctrl-c
expect Изменения сохранены в черновике
exit 0
EOF
drive cont "$DB" edit "$IDI"
eq "$(rec "$DB" "status || json_extract(data,'$.situation_kind')" "$IDI")" "draftoffence" "interrupted edit of a draft kept"

# --- 6. the school: a curator is asked first, a school device never
mkdir -p "$DB.forms"
cat >"$DB.forms/visit_t-v1.json" <<'EOF'
{ "format": 1, "id": "visit_t", "version": 1, "title": "Тестовый визит",
  "school_field": "school_code",
  "fields": [
    { "id": "school_code", "label": "Код ОО", "type": "text", "required": true },
    { "id": "visit_date", "label": "Дата визита", "type": "date", "required": true } ] }
EOF
cat >"$W/own.steps" <<'EOF'
expect Код ОО: 170103
expect Дата визита *
send 02.03.2026
expect Сохранить?
send да
exit 0
EOF
drive own "$DB" new visit_t
lacks "$W/own.out" "Какую школу"
IDO=$(id_in "$W/own.out")
eq "$(rec "$DB" "json_extract(data,'$.school_code') || '|' || school" "$IDO")" "170103|170103" "a school device fills its school"

DB2="$W/c.db"
"$T" --db "$DB2" init --school 170103 >/dev/null 2>&1
mkdir -p "$DB2.forms" && cp "$DB.forms/visit_t-v1.json" "$DB2.forms/"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE meta SET value=? WHERE key=?", ("curator","device_kind")); c.execute("INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)", ("device_schools","170103,170104,170105")); c.commit()' "$DB2"
cat >"$W/cur.steps" <<'EOF'
expect Какую школу вы посетили?
expect 2) 170104
send 9
expect Введите номер от 1 до 3
send 2
expect Код ОО: 170104
expect Дата визита *
send 03.03.2026
expect Сохранить?
send да
exit 0
EOF
drive cur "$DB2" new visit_t
IDC=$(id_in "$W/cur.out")
eq "$(rec "$DB2" "json_extract(data,'$.school_code') || '|' || school" "$IDC")" "170104|170104" "a curator's visit is the chosen school's"
# the school question comes before every other question
python3 - "$W/cur.out" <<'EOF' && ok || bad "school not asked first"
import sys
t = open(sys.argv[1], encoding="utf-8", errors="replace").read()
sys.exit(0 if 0 <= t.find("Какую школу") < t.find("Дата визита") else 1)
EOF

# a form without a school field on a curator's laptop: its school is asked
# first too, not after every answer (then refused, every answer lost)
cat >"$DB2.forms/note_t-v1.json" <<'EOF'
{ "format": 1, "id": "note_t", "version": 1, "title": "Тестовая справка",
  "fields": [
    { "id": "note_date", "label": "Дата справки", "type": "date", "required": true } ] }
EOF
cat >"$W/curnote.steps" <<'EOF'
expect Для какой школы эта запись?
expect 3) 170105
send 3
expect Школа: 170105
expect Дата справки *
send 04.03.2026
expect Сохранить?
send да
expect Запись сохранена
exit 0
EOF
drive curnote "$DB2" new note_t
IDN=$(id_in "$W/curnote.out")
eq "$(rec "$DB2" "school || '|' || status" "$IDN")" "170105|final" "a curator's other form is the chosen school's"
# a curator's laptop not enrolled yet is told so before any question
DB3="$W/n.db"
"$T" --db "$DB3" init --curator --name "Петрова" >/dev/null 2>&1
mkdir -p "$DB3.forms" && cp "$DB2.forms/note_t-v1.json" "$DB3.forms/"
cat >"$W/notyet.steps" <<'EOF'
expect зарегистрируйте его на хабе
exit 2
EOF
drive notyet "$DB3" new note_t
lacks "$W/notyet.out" "Дата справки"
# --- 7. the issued profile on the laptop: a visit shows each factor's level
# while it is typed (R01 высокий for 170104 in 2026), and Ctrl+C keeps the
# levels in the draft
printf 'Код ОО;Год;Фактор;Уровень\n170104;2026;R01;высокий\n170104;2026;R02;не выявлен\n' >"$W/prof.csv"
"$T" --db "$DB2" profile import "$W/prof.csv" >/dev/null 2>&1 && ok || bad "profile import"
cat >"$W/prof.steps" <<'EOF'
expect Какую школу вы посетили?
send 2
expect Год проекта *
send 2026
expect Куратор *
send Петрова М. И.
expect Вид посещения *
send 1
expect Формат *
send 1
expect Дата посещения *
send 02.03.2026
expect Участники встречи *
send 1
expect Решение куратора
ctrl-c
expect tetrad edit
exit 0
EOF
drive prof "$DB2" new risk_visit
contains "$W/prof.out" "Уровень в рисковом профиле: высокий (из профиля)"
IDP=$(id_in "$W/prof.out")
eq "$(rec "$DB2" "status || '|' || (SELECT group_concat(json_extract(f.value,'$.factor') || '=' || json_extract(f.value,'$.profile_level'), ',') FROM json_each(json_extract(data,'$.factors')) f WHERE json_extract(f.value,'$.profile_level') IS NOT NULL)" "$IDP")" \
	"draft|R01=high,R02=not_found" "the draft keeps the issued levels"

echo "test_client_interactive: $passes passed, $fails failed"
[ "$fails" = 0 ]
