#!/usr/bin/env bash
# The demonstration (run by scripts/demo.sh after the build):
#   scripts/demo-run.sh BIN_DIR
# A municipal hub on 127.0.0.1 with a fresh test CA; a school computer and a
# curator's laptop enrolled with one-time tokens; the hub is stopped while
# both record (they work offline); the hub comes back, both sync, the hub
# prints its reports. The school computer's store gets a passphrase: a
# case shows «скрыто» without it and the names with it.
#
# On a terminal (stdin and stdout both), the demo then leaves the hub and a
# `tetrad ui` for each of the two devices running on the demo's data, prints
# their addresses and waits for Enter: the web interface is what a curator
# uses, so the first command shows it. Without a terminal (a test, a pipe)
# it exits as soon as the reports are printed. TETRAD_DEMO_UI=1 or 0 forces
# the choice (=1 with stdin a pipe is how tests/integration/test_demo_ui.sh
# drives it). Everything lives in a temporary directory that is removed at
# the end (TETRAD_DEMO_KEEP=1 keeps it); nothing keeps running.
set -euo pipefail
bin=$(cd "${1:?usage: demo-run.sh BIN_DIR}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
export TETRAD_FORMS_DIR="$here/forms"
HUB="$bin/tetrad-hub"
T="$bin/tetrad"
for p in "$HUB" "$T" "$bin/tetrad-syncd"; do
	[ -x "$p" ] || { echo "demo: $p is not built" >&2; exit 1; }
done

ui_mode=${TETRAD_DEMO_UI:-auto}
if [ "$ui_mode" = auto ]; then
	if [ -t 0 ] && [ -t 1 ]; then ui_mode=1; else ui_mode=0; fi
fi

# TETRAD_DEMO_DIR: a folder of the caller's (absent or empty) instead of a
# temporary one; with TETRAD_DEMO_KEEP=1 a test keeps the demo's hub there
if [ -n "${TETRAD_DEMO_DIR:-}" ]; then
	mkdir -p "$TETRAD_DEMO_DIR"
	[ -z "$(ls -A "$TETRAD_DEMO_DIR")" ] || { echo "demo: $TETRAD_DEMO_DIR is not empty" >&2; exit 1; }
	work=$(cd "$TETRAD_DEMO_DIR" && pwd)
else
	work=$(mktemp -d /tmp/tetrad-demo.XXXXXX)
fi
hub_pid=""
ui_pids=()
stop() { # pid: SIGTERM, then wait for it (both stop cleanly on it)
	if kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	fi
}
cleanup() {
	for p in "${ui_pids[@]}"; do stop "$p"; done
	if [ -n "$hub_pid" ]; then stop "$hub_pid"; fi
	if [ "${TETRAD_DEMO_KEEP:-0}" = 1 ]; then
		echo "Каталог демонстрации сохранён: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# Ctrl+C while the interface waits: the same cleanup, nothing left running
trap 'exit 130' INT TERM
started=$(date +%s)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s#$bin/##g; s#$work/#\$DEMO/#g"; "$@"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="https://127.0.0.1:$port"
hubdir="$work/hub"
ca="$hubdir/tls/ca.pem"

hub_up() {
	"$HUB" --data "$hubdir" serve --listen "127.0.0.1:$port" >>"$work/hub.log" 2>&1 &
	hub_pid=$!
	for _ in $(seq 1 100); do
		if curl -s --max-time 2 --cacert "$ca" "$url/v1/health" 2>/dev/null | grep -q '"ok"'; then
			echo "Хаб работает: $url (журнал: \$DEMO/hub.log)"
			return 0
		fi
		kill -0 "$hub_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "demo: the hub did not start; its log:" >&2
	tail -20 "$work/hub.log" >&2
	exit 1
}
hub_down() { # message
	kill -TERM "$hub_pid"
	wait "$hub_pid" || true
	hub_pid=""
	echo "$1"
}

echo "Демонстрация Tetrad. Рабочий каталог: $work (далее \$DEMO)"

step "1. Муниципальный хаб: ключи, база, тестовый удостоверяющий центр"
mkdir -p "$hubdir"
run "$HUB" --data "$hubdir" init --tls-self-signed 127.0.0.1
hub_up

step "2. Реестр школ муниципалитета и одноразовые токены"
cat >"$work/schools.csv" <<'CSV'
Код ОО;Наименование
170103;МБОУ СОШ № 3
170104;МБОУ СОШ № 4
170105;МАОУ Гимназия № 5
170106;МКОУ ООШ с. Берёзовка
CSV
run "$HUB" --data "$hubdir" schools import "$work/schools.csv"
# The yearly lists of programme schools and the risk profiles issued by
# project «500+»: reports count "not visited" and completeness over them.
cat >"$work/programmes.csv" <<'CSV'
Код ОО;Год;Программа
170103;2021;ШНОР
170103;2021;500+
170104;2021;500+
170106;2021;ШНСУ
CSV
run "$HUB" --data "$hubdir" programmes import "$work/programmes.csv"
python3 - "$work/profile.csv" <<'PY'
import sys
levels = {"170103": "hhmhlmhlhhn", "170104": "mmlnlmlmhmn"}
names = {"h": "высокий", "m": "средний", "l": "низкий", "n": "не выявлен"}
with open(sys.argv[1], "w") as f:
    f.write("Код ОО;Год;Фактор;Уровень\n")
    for school, row in levels.items():
        for i, c in enumerate(row):
            f.write("%s;2021;R%02d;%s\n" % (school, i + 1, names[c]))
PY
run "$HUB" --data "$hubdir" profile import "$work/profile.csv"
echo '$ tetrad-hub --data $DEMO/hub token create --school 170103 --name "МБОУ СОШ № 3"'
# The token is the last line of the output: shown, then kept. (Not with
# `tee /dev/stderr`: when stderr is a file, tee truncates it.)
out=$("$HUB" --data "$hubdir" token create --school 170103 --name "МБОУ СОШ № 3")
printf '%s\n' "$out"
school_tok=${out##*$'\n'}
echo '$ tetrad-hub --data $DEMO/hub token create --curator "Петрова М. И." --schools 170103,170104,170105,170106'
out=$("$HUB" --data "$hubdir" token create --curator "Петрова М. И." \
	--schools 170103,170104,170105,170106)
printf '%s\n' "$out"
curator_tok=${out##*$'\n'}

step "3. Компьютер школы 170103 и ноутбук куратора: база, ключ устройства, регистрация"
school="$work/school.db"
laptop="$work/curator.db"
run "$T" --db "$school" init --school 170103 --name "МБОУ СОШ № 3"
run "$T" --db "$school" enroll --hub "$url" --token "$school_tok" --ca "$ca"
run "$T" --db "$laptop" init --curator --name "Петрова М. И."
run "$T" --db "$laptop" enroll --hub "$url" --token "$curator_tok" --ca "$ca"
echo "Первая синхронизация приносит на ноутбук выданный хабу рисковый профиль и названия его школ — визит покажет уровни без сети:"
run "$T" --db "$laptop" sync 2>/dev/null
echo "Повторное использование токена отклоняется:"
if "$T" --db "$work/again.db" init --school 170103 >/dev/null &&
	"$T" --db "$work/again.db" enroll --hub "$url" --token "$school_tok" --ca "$ca"; then
	echo "demo: a used token was accepted" >&2
	exit 1
fi

step "4. Хаб выключен; записи вносятся без связи"
hub_down "Хаб остановлен: устройства дальше работают без сети."

data="$work/data"
mkdir -p "$data"
# A risk-profile verification visit: one decision per factor of the
# dictionary (R01–R11), as the curator fills it in at the school.
python3 - "$data" <<'PY'
import json, sys
d = sys.argv[1]
decisions = {"R01": "confirmed", "R02": "confirmed", "R03": "needs_clarification",
             "R07": "confirmed", "R09": "confirmed", "R10": "confirmed"}
def visit(school, date, confirmed):
    factors = []
    for i in range(1, 12):
        code = "R%02d" % i
        dec = decisions.get(code, "not_confirmed") if confirmed else "not_confirmed"
        f = {"factor": code, "decision": dec, "evidence": ["talk_admin", "documents"]}
        if dec != "confirmed":
            f["comment"] = "Не подтверждено документами школы"
        factors.append(f)
    return {"school_code": school, "project_year": 2021, "curator": "Петрова Мария Ивановна",
            "visit_type": "verification", "visit_format": "onsite", "visit_date": date,
            "participants": ["director", "deputy", "teachers"], "factors": factors,
            "conclusions": "Итоги посещения обсуждены с директором.",
            "next_steps": "Концепция развития до 30 апреля.", "medk_entered": True,
            "medk_date": date}
json.dump(visit("170103", "2021-03-04", True), open(d + "/visit-170103.json", "w"), ensure_ascii=False)
json.dump(visit("170104", "2021-03-05", False), open(d + "/visit-170104.json", "w"), ensure_ascii=False)
json.dump(visit("170199", "2021-03-06", False), open(d + "/visit-170199.json", "w"), ensure_ascii=False)
case = {"case_number": "2021-07", "received_date": "2021-02-10", "source": "teacher",
        "situation_kind": "conflict", "conflict_type": "student_student",
        "parties": [{"role": "student", "class_name": "7Б", "age": 13, "full_name": "Сидоров Павел",
                     "phone": "+7 900 111-22-33"},
                    {"role": "student", "class_name": "7Б", "age": 13, "full_name": "Кузнецов Артём"}],
        "summary": "Драка на перемене из-за испорченного телефона", "status": "completed",
        "programme": "mediation", "programme_date": "2021-02-15", "mediators_count": 2,
        "student_comediator": True, "children_count": 2, "adults_count": 1, "agreement": True,
        "agreement_date": "2021-02-15", "agreement_follow_up": "fulfilled",
        "reaction_ways": ["restorative_programme", "class_work"]}
json.dump(case, open(d + "/case-1.json", "w"), ensure_ascii=False)
case2 = dict(case, case_number="2021-08", received_date="2021-03-01", source="parents",
             conflict_type="student_teacher",
             parties=[{"role": "student", "class_name": "9А", "age": 15, "full_name": "Орлова Дарья"},
                      {"role": "adult", "full_name": "Смирнова Ольга Петровна"}],
             summary="Спор об оценке за четверть", programme="family_conference",
             programme_date="2021-03-05", children_count=1, adults_count=3,
             agreement=False, student_comediator=False)
for k in ("agreement_date", "agreement_follow_up"):
    case2.pop(k)
json.dump(case2, open(d + "/case-2.json", "w"), ensure_ascii=False)
json.dump(dict(case2, received_date="2021-03-03"), open(d + "/case-again.json", "w"), ensure_ascii=False)
PY

# Class-level social passport of school 170103 as a spreadsheet would give it.
cat >"$data/passport-classes.csv" <<'CSV'
academic_year;snapshot_date;level;class_name;students_total;students_4_11;families_total;large_families;low_income_families;single_parent_families;foster_children;orphans;disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families
2021/2022;2021-09-20;class;5А;27;27;25;6;7;8;1;0;1;2;1;2;0;1;2;4;3;2;1
2021/2022;2021-09-20;class;5Б;26;26;24;5;8;7;0;1;0;3;0;1;1;0;1;5;2;3;2
2021/2022;2021-09-20;class;6А;28;28;27;7;6;9;1;1;1;2;1;2;0;1;2;3;4;1;1
CSV

step "4а. Школа 170103 (без сети): два случая службы примирения"
echo '$ tetrad --db $DEMO/school.db new mediation_case --json $DEMO/data/case-1.json'
case_id=$("$T" --db "$school" new mediation_case --json "$data/case-1.json")
printf '%s\n' "$case_id"
run "$T" --db "$school" new mediation_case --json "$data/case-2.json"
echo "Номер случая уникален в школе за год — повтор не сохраняется:"
if run "$T" --db "$school" new mediation_case --json "$data/case-again.json"; then
	echo "demo: a repeated case number was accepted" >&2
	exit 1
fi

step "4а′. Пароль: имена и телефоны на компьютере школы — только в зашифрованном виде"
# A school PC is set up with the passphrase typed on its terminal; the demo
# has no terminal, so it comes from a file only its owner reads.
(umask 077 && printf '%s\n' 'сирень окно трамвай компот' >"$work/school.pass")
run "$T" --db "$school" --new-passphrase-file "$work/school.pass" passphrase set
echo "Без пароля (не на терминале) имена, телефоны и суть конфликта — «скрыто»:"
run "$T" --db "$school" show "$case_id" </dev/null | grep -E 'ФИО|Телефон|Суть конфликта'
echo "С паролем (из файла):"
run "$T" --db "$school" --passphrase-file "$work/school.pass" show "$case_id" |
	grep -E 'ФИО|Телефон|Суть конфликта'
python3 - "$school" <<'PY'
import os, sys
names = ["Сидоров", "Кузнецов", "Орлова", "111-22-33", "испорченного телефона"]
n = 0
for suffix in ("", "-wal", "-journal"):
    path = sys.argv[1] + suffix
    if os.path.exists(path):
        data = open(path, "rb").read()
        n += sum(data.count(w.encode()) for w in names)
print("имён, телефонов и описаний в файле базы школы и её журнале: %d" % n)
sys.exit(1 if n else 0)
PY

step "4б. Школа 170103: социальный паспорт по классам — импорт из таблицы"
run "$T" --db "$school" import social_passport --csv "$data/passport-classes.csv"

step "4в. Школа 170103: анкеты директора, учителя, ученика, родителя"
run "$T" --db "$school" new survey_director --set response_date=05.02.2021 --set position=director --set experience_years=6 \
	--set equipment_adequate=2 --set internet=slow --set teachers_total=34 --set vacancies=3 \
	--set methodical_support=3 --set training_plan=да --set safe_climate=4 --set parents_involved=2 \
	--set students_motivated=3 --set adaptive_process=3
run "$T" --db "$school" new survey_teacher --set response_date=05.02.2021 --set experience=y10_20 --set subjects=russian \
	--set equipment_lessons=3 --set team_climate=5 --set students_safe=4 --set parents_respond=2 \
	--set training_last_year=да --set training_useful=4 --set ovz_ready=3 \
	--set covers_vacancies=нет --set students_motivated=3 --set adapts_teaching=4
# the last questionnaire is filled after the programme's deadline (15 February)
for gd in 5:08.02.2021 7:09.02.2021 8:20.02.2021; do
	run "$T" --db "$school" new survey_student --set response_date="${gd#*:}" --set grade="${gd%%:*}" \
		--set enough_equipment=3 --set feel_safe=4 --set like_learning=4 --set teacher_helps=4 \
		--set tasks_fit_level=3 --set bullying=never
done
run "$T" --db "$school" new survey_parent --set response_date=10.02.2021 --set individual_approach=4 --set child_grade=5 --set informed=4 --set child_safe=5 \
	--set child_likes_learning=4 --set satisfaction=4 --set conditions=3 \
	--set meetings=sometimes --set needs_help=нет

step "4г. Ноутбук куратора (без сети): посещения для верификации рисковых профилей"
# The school of a visit is its «Код ОО»: one laptop, many schools.
echo '$ tetrad --db $DEMO/curator.db new risk_visit --json $DEMO/data/visit-170103.json'
visit_id=$("$T" --db "$laptop" new risk_visit --json "$data/visit-170103.json")
printf '%s\n' "$visit_id"
echo "Уровень каждого фактора — из профиля, пришедшего с хаба (первый фактор):"
"$T" --db "$laptop" show "$visit_id" | sed -n '/^Факторы риска/,/Решение куратора/p'
run "$T" --db "$laptop" new risk_visit --json "$data/visit-170104.json"
echo "Школа не из списка куратора — визит не сохраняется:"
if run "$T" --db "$laptop" new risk_visit --json "$data/visit-170199.json"; then
	echo "demo: a visit to a school outside the curator's list was accepted" >&2
	exit 1
fi
echo "Социальные паспорта школ 170104–170106 (уровень школы):"
for s in 170104:540:9:60:22:4:8:30:3 170105:310:4:25:12:1:5:55:1 170106:620:12:75:30:6:11:25:5; do
	IFS=: read -r code total sop tjs kdn orph disab higher pdn <<<"$s"
	run "$T" --db "$laptop" new social_passport --school "$code" --set academic_year=2021/2022 \
		--set snapshot_date=2021-09-25 --set level=school --set students_total="$total" \
		--set students_4_11=$((total * 3 / 4)) \
		--set families_total=$((total * 9 / 10)) --set large_families=$((total / 7)) \
		--set low_income_families=$((total / 6)) --set single_parent_families=$((total / 4)) \
		--set foster_children=3 --set orphans="$orph" --set disabled_children="$disab" \
		--set special_needs=$((total / 20)) --set sop_families="$sop" --set tjs_families="$tjs" \
		--set kdn_registered="$kdn" --set pdn_registered="$pdn" --set school_registered=$((kdn + 4)) \
		--set unemployed_parents=$((total / 12)) --set parents_higher_education="$higher" \
		--set non_native_russian=$((total / 30)) --set migrant_families=$((total / 40)) >/dev/null
done
echo "внесено 3 паспорта"

echo "Визиты в таблицу для Excel (подписи по-русски, строка на каждый фактор):"
run "$T" --db "$laptop" export risk_visit --format csv --out "$work/visits.csv"
sed -n '1,3p' "$work/visits.csv" | cut -c1-160

step "4д. Что ждёт отправки"
run "$T" --db "$school" status
run "$T" --db "$laptop" status

step "5. Хаб снова доступен; устройства синхронизируются"
echo "Пароль для синхронизации не нужен: имена на хаб не уходят."
hub_up
run "$T" --db "$school" sync
run "$T" --db "$laptop" sync
run "$T" --db "$school" status

step "5а. Двусторонняя синхронизация: хаб возвращает записи тем, с кем ими делятся"
echo "Паспорт и визиты видят школа и её куратор, журнал службы примирения — только сама школа."
echo "Ноутбук куратора получил социальный паспорт школы 170103 (три класса; ещё три паспорта — его собственные):"
run "$T" --db "$laptop" list social_passport
printf 'случаев службы примирения на ноутбуке: %s\n' \
	"$("$T" --db "$laptop" list mediation_case 2>/dev/null | grep -c mediation_case || true)"
echo "Вторая синхронизация школы: приходит визит куратора; отправленное не дублируется:"
run "$T" --db "$school" sync
run "$T" --db "$school" list risk_visit

step "6. На хабе: устройства; имена детей и телефоны до хаба не доходят"
run "$HUB" --data "$hubdir" device list
python3 - "$hubdir/hub.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("SELECT COUNT(*) FROM hub_records").fetchone()[0]
leaks = db.execute("SELECT COUNT(*) FROM hub_records WHERE data LIKE '%Сидоров%' OR data LIKE '%Орлова%'"
                   " OR data LIKE '%900 111%'").fetchone()[0]
print("записей на хабе: %d; записей с именами или телефонами: %d" % (n, leaks))
sys.exit(1 if leaks else 0)
PY

step "7. Результаты ВПР/ОГЭ из региональной системы"
cat >"$data/results.csv" <<'CSV'
Код ОО;Год;Показатель;Участников;Ниже минимального уровня;Значение
170103;2021;vpr4_rus;62;22;
170103;2021;vpr4_math;62;19;
170104;2021;vpr4_rus;50;6;
170104;2021;vpr4_math;50;9;
170105;2021;vpr4_rus;;;6
170105;2021;vpr4_math;;;8
170106;2021;low_share;;;41
CSV
run "$HUB" --data "$hubdir" results import "$data/results.csv"

step "8. Отчёты хаба"
for r in verification mediation passport surveys identification completeness; do
	echo
	run "$HUB" --data "$hubdir" report "$r"
done
echo
run "$HUB" --data "$hubdir" report mediation --format csv --out "$work/mediation.csv"
echo "CSV для Excel (UTF-8 с BOM, разделитель «;»): $(head -c 3 "$work/mediation.csv" | od -An -tx1 | tr -d ' ') …"

took=$(( $(date +%s) - started ))

# `tetrad ui` for one device's database on a free port; its address (with
# this launch's secret) comes back through a 0600 file, never argv.
ui_url=""
ui_up() { # db name
	local uf="$work/ui-$2.url" pid
	"$T" --db "$1" ui --no-browser --port 0 --url-file "$uf" >>"$work/ui-$2.log" 2>&1 &
	pid=$!
	ui_pids+=("$pid")
	for _ in $(seq 1 100); do
		if [ -s "$uf" ]; then
			ui_url=$(head -n 1 "$uf")
			case "$ui_url" in http://127.0.0.1:* | http://localhost:*) return 0 ;; esac
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "demo: tetrad ui did not start for $2; its log:" >&2
	tail -20 "$work/ui-$2.log" >&2
	exit 1
}

if [ "$ui_mode" = 1 ]; then
	step "9. Веб-интерфейс: хаб и «tetrad ui» работают, пока вы не нажмёте Enter"
	# The data are the demo's: the laptop with its visits and the passports
	# it received, the school computer with its cases under the passphrase.
	ui_up "$laptop" curator
	curator_url=$ui_url
	ui_up "$school" school
	school_url=$ui_url
	# the coordinator's dashboard on the same hub: an account of this run
	demo_pass=$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
	(umask 077 && printf '%s\n' "$demo_pass" >"$work/coordinator.pass")
	"$HUB" --data "$hubdir" user add coordinator --role coordinator \
		--password-file "$work/coordinator.pass" >/dev/null
	echo "Демонстрация заняла $took с. Теперь то же — в браузере этого компьютера."
	echo
	echo "Ноутбук куратора (Петрова М. И., школы 170103–170106):"
	echo "  $curator_url"
	echo "Компьютер школы 170103 (пароль для имён: «сирень окно трамвай компот»):"
	echo "  $school_url"
	echo "Панель координатора на хабе (показатели, разбор, выгрузки в Excel):"
	echo "  $url/   логин: coordinator   пароль: $demo_pass"
	echo "  Сертификат хаба выдан тестовым центром демонстрации (\$DEMO/hub/tls/ca.pem): браузер"
	echo "  предупредит о нём — для демонстрации на этом компьютере продолжите («Дополнительно»)."
	echo "Хаб муниципалитета (его API; кнопка «Синхронизировать» отправляет сюда):"
	echo "  $url   (сертификат: \$DEMO/hub/tls/ca.pem)"
	echo
	echo "В адресе — ключ этого запуска: браузер меняет его на cookie; после остановки он не действует."
	echo "Журналы: \$DEMO/hub.log, \$DEMO/ui-curator.log, \$DEMO/ui-school.log (\$DEMO = $work)"
	printf '\nНажмите Enter, чтобы остановить хаб и интерфейс и удалить временные файлы… '
	read -r _ || true
	echo
	for p in "${ui_pids[@]}"; do stop "$p"; done
	ui_pids=()
	echo "Интерфейс остановлен."
fi

hub_down "Хаб остановлен (SIGTERM: текущие запросы завершены)."
echo
if [ "$ui_mode" = 1 ]; then
	echo "Готово. Хаб и интерфейс остановлены, временные файлы удаляются."
else
	echo "Готово за $took с. Хаб остановлен, временные файлы удаляются."
fi
