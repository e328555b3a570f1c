#!/usr/bin/env bash
# The programmes' calendar through the real programs: the register's
# programmes by year (import all or nothing with Russian row errors,
# set/unset/list), the issued risk profile at the hub and on the device
# (the visit shows each factor's level), a visit sent by a real client
# and tetrad-syncd to a real hub over HTTPS, then the
# verification report (issued against verified, "not visited" over
# programme schools only) and the completeness report with a per-year
# deadline changed by `settings set`.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_workdir
H() { hub_cli "$@"; }
T="$TETRAD_BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:-$TETRAD_SOURCE_DIR/forms}"
mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"

printf 'Код ОО;Наименование\n170101;Школа № 1\n170102;Школа № 2\n170103;Школа № 3\n170104;Школа № 4\n' >"$work/schools.csv"
H schools import "$work/schools.csv" >/dev/null 2>&1 || sync_fail "schools import"

# nothing imported yet: every school is listed, and the report says so
H report verification --format json >"$work/v0.json" 2>"$work/err" || sync_fail "report: $(cat "$work/err")"
python3 - "$work/v0.json" <<'PY' || sync_fail "not visited without programmes"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["meta"]["programme_schools"] == "программы не загружены — все школы хаба", j["meta"]
assert sorted(r["school"] for r in j["not_visited"]) == ["170101", "170102", "170103", "170104"], j
PY
echo "ok: without programmes every school is listed, with a note"

# a bad list: every bad row named in Russian, nothing written
printf 'Код ОО;Год;Программа\n170101;2026;ШНОР\n17 02;2026;500+\n170103;20x6;ШАНС\n170101;2026;шнор\n170104;2026;ХХХ\n' >"$work/bad.csv"
H programmes import "$work/bad.csv" >"$work/out" 2>&1 && sync_fail "bad programmes accepted"
for want in "строка 3: код ОО «17 02» недопустим" "строка 4: год «20x6» — нужно число от 2000 до 2100" \
	"строка 5: повторяет строку 2 (код ОО 170101, год 2026, ШНОР)" \
	"строка 6: программа «ХХХ» неизвестна" "строк с ошибками: 4; ничего не загружено"; do
	grep -qF "$want" "$work/out" || sync_fail "missing «$want»: $(cat "$work/out")"
done
H programmes list | grep -q "^170101" && sync_fail "a row of a refused file was written"
echo "ok: a bad programmes file writes nothing and names every bad row"

# the department's spreadsheet: BOM, CRLF, labels as people write them
printf '\xef\xbb\xbfКод ОО;Год;Программа;Примечание\r\n170101;2026;ШНОР;\r\n170101;2026;«500+»;\r\n170102;2026;500+;\r\n170103;2026;ШАНС;\r\n' >"$work/p.csv"
H programmes import "$work/p.csv" >"$work/out" 2>&1 || sync_fail "programmes import: $(cat "$work/out")"
grep -q "Загружено строк программ: 4" "$work/out" || sync_fail "import output: $(cat "$work/out")"
H programmes set 170102 2026 шнсу >/dev/null || sync_fail "programmes set"
H programmes set 170103 2026 partner >/dev/null || sync_fail "programmes set partner"
H programmes unset 170103 2026 ШАНС >/dev/null || sync_fail "programmes unset"
H programmes set 170103 2026 ХХХ >"$work/out" 2>&1 && sync_fail "unknown programme accepted"
grep -q "программа «ХХХ» неизвестна" "$work/out" || sync_fail "set message: $(cat "$work/out")"
H programmes list --year 2026abc >"$work/out" 2>&1 && sync_fail "a year with letters accepted"
grep -qF "нужен год от 2000 до 2100" "$work/out" || sync_fail "--year message: $(cat "$work/out")"
H programmes list >"$work/list"
grep -qx "170101	2026	ШНОР, 500+" "$work/list" || sync_fail "list: $(cat "$work/list")"
grep -qx "170102	2026	ШНСУ, 500+" "$work/list" || sync_fail "list: $(cat "$work/list")"
grep -qx "170103	2026	школа-партнёр" "$work/list" || sync_fail "list: $(cat "$work/list")"
echo "ok: programmes imported, set, unset and listed"

printf 'Код ОО;Год;Фактор;Уровень\n170101;2026;R01;высокий\n170101;2026;R02;низкий\n170101;2026;R03;Средний\n' >"$work/prof.csv"
H profile import "$work/prof.csv" >"$work/out" 2>&1 || sync_fail "profile import: $(cat "$work/out")"
grep -q "Загружено уровней рискового профиля: 3" "$work/out" || sync_fail "profile output: $(cat "$work/out")"
printf 'Код ОО;Год;Фактор;Уровень\n170101;2026;R01;очень высокий\n' >"$work/prof_bad.csv"
H profile import "$work/prof_bad.csv" >"$work/out" 2>&1 && sync_fail "bad level accepted"
grep -qF "строка 2: уровень «очень высокий» неизвестен" "$work/out" || sync_fail "profile message: $(cat "$work/out")"
echo "ok: the issued profile imported; a bad level refused"

# a school device of 170101 makes a verification visit on 12 March and pushes it
db="$work/school.db"
"$T" --db "$db" init --school 170101 >/dev/null 2>"$work/err" || sync_fail "client init: $(cat "$work/err")"
tok=$(hub_token --school 170101) || sync_fail "token"
"$SYNCD" enroll --db "$db" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >/dev/null 2>"$work/err" ||
	sync_fail "enroll: $(cat "$work/err")"
python3 - "$TETRAD_FORMS_DIR/dict/risk_factors.json" >"$work/rv.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
dec = {"R01": "confirmed", "R02": "confirmed", "R03": "needs_clarification"}
items = []
for e in d["entries"]:
    it = {"factor": e["code"], "decision": dec.get(e["code"], "not_confirmed")}
    if it["decision"] != "confirmed":
        it["comment"] = "уточнить"
    items.append(it)
print(json.dumps({"school_code": "170101", "project_year": 2026, "curator": "Сидорова А. А.",
 "visit_type": "verification", "visit_format": "onsite", "visit_date": "2026-03-12",
 "participants": ["director"], "factors": items, "medk_entered": True,
 "medk_date": "2026-03-12"}, ensure_ascii=False))
PY
# the device's own copy of the profile: R04 the hub has not imported, R01 as the hub's
printf 'Код ОО;Год;Фактор;Уровень\n170101;2026;R01;высокий\n170101;2026;R04;высокий\n' >"$work/dev_prof.csv"
"$T" --db "$db" profile import "$work/dev_prof.csv" >"$work/out" 2>&1 || sync_fail "client profile import: $(cat "$work/out")"
grep -q "Загружено уровней рискового профиля: 2" "$work/out" || sync_fail "client import output: $(cat "$work/out")"
"$T" --db "$db" profile import "$work/prof_bad.csv" >"$work/out" 2>&1 && sync_fail "client took a bad level"
grep -qF "строка 2: уровень «очень высокий» неизвестен" "$work/out" || sync_fail "client message: $(cat "$work/out")"
id=$("$T" --db "$db" new risk_visit --json "$work/rv.json" 2>"$work/err") || sync_fail "new visit: $(cat "$work/err")"
"$T" --db "$db" show "$id" >"$work/show" 2>&1 || sync_fail "show: $(cat "$work/show")"
python3 - "$work/show" <<'PY' || sync_fail "the visit does not show the levels: $(cat "$work/show")"
import sys
t = open(sys.argv[1]).read()
# the level stands next to its factor: R01 (first) and R04 (fourth) высокий, R02 none
items = t.split("Фактор риска: ")[1:]
assert "Уровень в рисковом профиле: высокий" in items[0], items[0]
assert "Уровень в рисковом профиле" not in items[1], items[1]
assert "Уровень в рисковом профиле: высокий" in items[3], items[3]
PY
echo "ok: the device's profile fills the visit's levels, shown next to each factor"
"$SYNCD" --once --db "$db" >/dev/null 2>"$work/err" || sync_fail "push: $(cat "$work/err")"
sync_expect_eq "records on the hub" "$(hub_records)" 1

H report verification --format json >"$work/v.json" 2>"$work/err" || sync_fail "report: $(cat "$work/err")"
python3 - "$work/v.json" <<'PY' || sync_fail "verification report: $(cat "$work/v.json")"
import json, sys
j = json.load(open(sys.argv[1]))
f = {r["factor"]: r for r in j["factors"] if r["school"] == "170101"}
# issued high and confirmed: agrees; issued low and confirmed: does not; medium, to clarify: no answer
assert f["R01"]["profile_level"] == "high" and f["R01"]["agrees"] == "да", f["R01"]
assert f["R02"]["profile_level_label"] == "низкий" and f["R02"]["agrees"] == "нет", f["R02"]
assert f["R03"]["profile_level"] == "medium" and f["R03"]["agrees"] is None, f["R03"]
# R04: no hub import, the level the visit carried from the device; R05: none at all
assert f["R04"]["profile_level"] == "high" and f["R04"]["agrees"] == "нет", f["R04"]
assert f["R05"]["profile_level"] is None, f["R05"]
iss = {(r["factor"], r["profile_level"]): r for r in j["issued"]}
assert iss[("R01", "high")]["confirmed"] == 1 and iss[("R01", "high")]["decisions"] == 1, iss
assert iss[("R04", "high")]["not_confirmed"] == 1, iss
assert iss[("R05", None)]["not_confirmed"] == 1 and iss[("R05", None)]["profile_level_label"] == "нет в РПШ"
# programme schools only: 170104 is in no programme, 170101 was visited
assert sorted(r["school"] for r in j["not_visited"]) == ["170102", "170103"], j["not_visited"]
assert j["meta"]["programme_schools"] == "школы программ за годы периода"
PY
echo "ok: issued against verified per school and factor and across visits; not visited = programme schools"

H report completeness --from 2026-01-01 --to 2026-12-31 --format json >"$work/c.json" 2>"$work/err" ||
	sync_fail "completeness: $(cat "$work/err")"
python3 - "$work/c.json" <<'PY' || sync_fail "completeness: $(cat "$work/c.json")"
import json, sys
j = json.load(open(sys.argv[1]))
s = {r["school"]: r for r in j["schools"]}
assert sorted(s) == ["170101", "170102", "170103"], s
a = s["170101"]
assert a["programmes"] == "ШНОР, 500+" and a["verification_visit"] == "2026-03-12", a
assert a["visit_deadline"] == "2026-03-10" and a["visit_in_time"] == "нет", a
assert a["medk_date"] == "2026-03-12" and a["medk_in_time"] == "нет", a
m = {(r["school"], r["item"]) for r in j["missing"]}
assert ("170101", "visit_late") in m and ("170101", "medk_late") in m, m
assert ("170102", "visit_missing") in m and ("170103", "passport_missing") in m, m
assert ("170103", "visit_missing") not in m, m      # a partner school owes no visit
PY
H settings set verification.deadline.2026 2026-03-15 >/dev/null || sync_fail "settings set"
H settings set medk.deadline.2026 2026-03-15 >/dev/null || sync_fail "settings set medk"
H settings set verification.deadline.2026 15.03.2026 >"$work/out" 2>&1 && sync_fail "bad date accepted"
grep -q "нужна дата ГГГГ-ММ-ДД" "$work/out" || sync_fail "settings message: $(cat "$work/out")"
H report completeness --from 2026-01-01 --to 2026-12-31 --format json >"$work/c2.json" 2>"$work/err" ||
	sync_fail "completeness: $(cat "$work/err")"
python3 - "$work/c2.json" <<'PY' || sync_fail "completeness after the setting: $(cat "$work/c2.json")"
import json, sys
j = json.load(open(sys.argv[1]))
a = {r["school"]: r for r in j["schools"]}["170101"]
assert a["visit_deadline"] == "2026-03-15" and a["visit_in_time"] == "да", a
assert a["medk_in_time"] == "да", a
m = {(r["school"], r["item"]) for r in j["missing"]}
assert ("170101", "visit_late") not in m and ("170101", "medk_late") not in m, m
PY
# the period as people type dates (ДД.ММ.ГГГГ) is the same period
H report completeness --from 01.01.2026 --to 31.12.2026 --format json >"$work/c3.json" 2>"$work/err" ||
	sync_fail "period ДД.ММ.ГГГГ: $(cat "$work/err")"
cmp -s "$work/c2.json" "$work/c3.json" || sync_fail "period ДД.ММ.ГГГГ differs: $(cat "$work/c3.json")"
H report completeness --from 31.02.2026 >"$work/out" 2>&1 && sync_fail "31.02.2026 accepted"
grep -q "нужна ДД.ММ.ГГГГ или ГГГГ-ММ-ДД" "$work/out" || sync_fail "period message: $(cat "$work/out")"
H report completeness --from 2026-01-01 --to 2026-12-31 >"$work/c.txt" 2>&1 || sync_fail "table"
grep -q "Полнота сбора по срокам программ" "$work/c.txt" || sync_fail "table title: $(cat "$work/c.txt")"
grep -q "нет анкет до срока 2026-02-15: родители" "$work/c.txt" || sync_fail "table missing list: $(cat "$work/c.txt")"
echo "ok: completeness against a per-year deadline setting"
echo "PASS"
