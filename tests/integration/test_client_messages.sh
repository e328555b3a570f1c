#!/usr/bin/env bash
# test_client_messages — what `tetrad` tells a person, through the real
# program on a real database: a date the calendar has not got is called
# that (not a format error), every date message names ДД.ММ.ГГГГ, an
# explicit null on a scale with «затрудняюсь ответить» is accepted and shown
# as that, times are shown in the local time zone, and storage failures
# are explained in Russian (no bare SQLite or C-library English).
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT
DB="$W/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_rc() { # expect_rc WANT DESC -- cmd...
	local want=$1 desc=$2; shift 3
	"$@" >"$W/out" 2>"$W/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; cat "$W/err" >&2; fi
}
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; cat "$1" >&2; fi; }
lacks() { if grep -qF -- "$2" "$1"; then bad "$1 has «$2»"; cat "$1" >&2; else ok; fi; }

expect_rc 0 "init" -- "$T" --db "$DB" init --school 170103

# --- dates: 31 February does not exist; a wrong shape names the format
expect_rc 2 "31.02.2026 refused" -- "$T" --db "$DB" new mediation_case --draft --set case_number=1 \
	--set received_date=31.02.2026
contains "$W/err" "Дата поступления: такой даты нет в календаре"
contains "$W/err" "«31.02.2026»"
lacks "$W/err" "ГГГГ-ММ-ДД"
expect_rc 2 "a date in no known shape" -- "$T" --db "$DB" new mediation_case --draft --set case_number=1 \
	--set received_date=вчера
contains "$W/err" "нужна дата в виде ДД.ММ.ГГГГ"
expect_rc 0 "29.02.2028 exists" -- "$T" --db "$DB" new mediation_case --draft --set case_number=2 \
	--set received_date=29.02.2028

# --- «затрудняюсь ответить» as JSON null: accepted, shown as that
cat >"$W/s.json" <<'JSON'
{"response_date": "2026-02-10", "grade": 7, "enough_equipment": null, "feel_safe": 4, "like_learning": 3, "teacher_helps": 5, "tasks_fit_level": 4}
JSON
expect_rc 0 "null on a no-answer scale accepted" -- "$T" --db "$DB" new survey_student --json "$W/s.json"
ID=$(tr -d '\n' <"$W/out")
expect_rc 0 "show" -- "$T" --db "$DB" show "$ID"
python3 - "$W/out" "$TETRAD_FORMS_DIR/survey_student.json" <<'PY' && ok || bad "show: the null answer is not «затрудняюсь ответить»: $(cat "$W/out")"
import json, sys
label = [f for f in json.load(open(sys.argv[2]))["fields"] if f["id"] == "enough_equipment"][0]["label"]
line = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith(label + ":")]
sys.exit(0 if line and line[0].strip() == label + ": затрудняюсь ответить" else 1)
PY

# --- times in the local zone: the same record at UTC and at UTC+5
TZ=UTC "$T" --db "$DB" show "$ID" >"$W/utc" 2>&1
TZ=YEKT-5 "$T" --db "$DB" show "$ID" >"$W/ekb" 2>&1
python3 - "$W/utc" "$W/ekb" <<'PY' && ok || bad "show: times not local: $(grep Изменена "$W/utc" "$W/ekb")"
import datetime, sys
def when(p):
    l = [x for x in open(p, encoding="utf-8") if x.startswith("Изменена:")][0]
    assert "UTC" not in l
    return datetime.datetime.strptime(l.split(":", 1)[1].strip(), "%d.%m.%Y %H:%M")
d = when(sys.argv[2]) - when(sys.argv[1])
# a POSIX TZ rule (no zone files needed): Yekaterinburg, UTC+5
sys.exit(0 if d == datetime.timedelta(hours=5) else 1)
PY
expect_rc 0 "list" -- "$T" --db "$DB" list
if grep -Eq '[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}' "$W/out"; then ok; else bad "list: no ДД.ММ.ГГГГ ЧЧ:ММ time: $(cat "$W/out")"; fi

# --- storage errors in Russian
expect_rc 4 "a folder given as the database" -- "$T" --db "$W" status
contains "$W/err" "это папка, а не файл базы данных"
lacks "$W/err" "unable to open"
: >"$W/plain"
expect_rc 4 "a database under a file" -- "$T" --db "$W/plain/x.db" init --school 170103
lacks "$W/err" "Not a directory"
lacks "$W/err" "No such file"
if [ "$(id -u)" != 0 ]; then
	mkdir "$W/ro"
	chmod 555 "$W/ro"
	expect_rc 4 "a read-only folder" -- "$T" --db "$W/ro/x.db" init --school 170103
	contains "$W/err" "нет прав доступа"
	lacks "$W/err" "Permission denied"
fi

echo "passed $passes, failed $fails"
[ "$fails" -eq 0 ]
