#!/usr/bin/env bash
# test_hub_medsurv — issue 17's mediation and survey counts through the real
# programs: two `tetrad` devices of one school each file case «2026-07» of
# 2026 (neither can see the other's), sync to a real hub, and the hub's
# mediation report lists the repeat and counts the case once; a device
# refuses its own second «2026-07». Two questionnaires, filled on 10.02 and
# 20.02, reach the hub the same day: the surveys report counts the second
# as after the deadline (15 February), the period follows the dates filled
# in, not the day received, and the students' coverage is over the
# passport's grades 4–11.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }

sync_workdir
: "${TETRAD_FORMS_DIR:=$TETRAD_SOURCE_DIR/forms}"
export TETRAD_FORMS_DIR
mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"
T="$TETRAD_BIN/tetrad"

new_case() { # DB NUMBER DATE STATUS
	"$T" --db "$1" new mediation_case --set "case_number=$2" --set "received_date=$3" \
		--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
		--set "parties[0].role=student" --set "status=$4" "${@:5}"
}
device() { # DB
	"$T" --db "$1" init --school 170103 --name "Школа 170103" >/dev/null || sync_fail "init $1"
	tok=$(hub_token --school 170103 --name "Школа 170103")
	"$T" --db "$1" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >"$work/out" 2>&1 \
		|| sync_fail "enroll $1: $(cat "$work/out")"
}
a="$work/a.db" b="$work/b.db"
device "$a"
device "$b"

# device A: «2026-07» completed with an agreement; its own repeat is refused
new_case "$a" 2026-07 01.03.2026 completed --set programme=mediation \
	--set programme_date=02.03.2026 --set mediators_count=1 --set student_comediator=false \
	--set children_count=2 --set adults_count=1 --set agreement=true \
	--set agreement_date=02.03.2026 --set agreement_follow_up=fulfilled \
	--set reaction_ways=conversation >"$work/out" 2>"$work/err" || sync_fail "case A: $(cat "$work/err")"
ida=$(cat "$work/out")
new_case "$a" 2026-07 04.03.2026 received >"$work/out" 2>"$work/err" && sync_fail "device A took a repeat"
grep -qF "$ida" "$work/err" || sync_fail "the refusal does not name the first case: $(cat "$work/err")"
# device B, later: the same number, still open; and another case
new_case "$b" 2026-07 05.03.2026 received >/dev/null 2>"$work/err" || sync_fail "case B: $(cat "$work/err")"
new_case "$b" 2026-08 06.03.2026 not_completed --set "not_completed_reason=стороны отказались" \
	>/dev/null 2>"$work/err" || sync_fail "case B2: $(cat "$work/err")"

# two questionnaires filled on 10.02 and 20.02, entered and sent today
for d in 10.02.2026 20.02.2026; do
	"$T" --db "$a" new survey_student --set "response_date=$d" --set grade=9 --set enough_equipment=4 \
		--set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=3 \
		--set plans=college >/dev/null 2>"$work/err" || sync_fail "survey $d: $(cat "$work/err")"
done
# «после 9 класса» is not asked in grade 10
"$T" --db "$a" new survey_student --set response_date=10.02.2026 --set grade=10 --set enough_equipment=4 \
	--set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=3 \
	--set plans=college >/dev/null 2>"$work/err" && sync_fail "plans taken in grade 10"
grep -q "после 9 класса" "$work/err" || sync_fail "grade 10 refusal: $(cat "$work/err")"

# the school's passport: 412 students, 290 of them in grades 4–11 (the good example)
"$T" --db "$a" new social_passport --json "$TETRAD_SOURCE_DIR/tests/data/forms/social_passport.good.json" \
	>/dev/null 2>"$work/err" || sync_fail "passport: $(cat "$work/err")"

for db in "$a" "$b"; do
	"$T" --db "$db" sync >"$work/out" 2>"$work/log" || sync_fail "sync $db: $(cat "$work/out" "$work/log")"
done
sync_expect_eq "hub records" "$(hub_records)" 6

hub_cli report mediation --format json >"$work/med.json" 2>"$work/err" || sync_fail "report: $(cat "$work/err")"
python3 - "$work/med.json" <<'PY' || sync_fail "mediation report: $(cat "$work/med.json")"
import json, sys
j = json.load(open(sys.argv[1]))
s = [r for r in j["summary"] if r["school"] == "170103"][0]
# «2026-07» once (B's record, the later one: open), «2026-08» not completed:
# 2 cases, 1 closed, 1 open, 0 completed of 1 closed; A's agreement is not counted
want = {"cases": 2, "closed": 1, "open": 1, "completed": 0, "completed_share": 0.0,
        "agreement": 0, "repeats": 1, "children": 0}
bad = {k: (s.get(k), v) for k, v in want.items() if s.get(k) != v}
assert not bad, bad
rep = j["repeats"]
assert len(rep) == 1 and rep[0]["case_number"] == "2026-07" and rep[0]["records"] == 2, rep
assert rep[0]["dates"] == "01.03.2026, 05.03.2026" and rep[0]["counted_date"] == "05.03.2026", rep
assert j["by_follow_up"] == [] and j["by_reaction"] == [], (j["by_follow_up"], j["by_reaction"])
PY

hub_cli report surveys --format json >"$work/s.json" 2>"$work/err" || sync_fail "report: $(cat "$work/err")"
hub_cli report surveys --format json --to 2026-02-15 >"$work/s15.json" 2>"$work/err" || sync_fail "report: $(cat "$work/err")"
python3 - "$work/s.json" "$work/s15.json" <<'PY' || sync_fail "surveys report: $(cat "$work/s.json" "$work/s15.json")"
import json, sys
j = json.load(open(sys.argv[1]))
r = [x for x in j["responses"] if x["group"] == "survey_student"][0]
assert (r["responses"], r["dated"], r["late"]) == (2, 2, 1), r
# coverage over the 290 students of grades 4–11, not all 412: 2 / 290 = 0.7 %
assert (r["base"], r["base_source"], r["coverage"]) == (290, "students_4_11", 0.7), r
assert j["meta"]["surveys.deadline"] == "02-15", j["meta"]
# up to 15.02 by the date filled in: one response, though both came today
j = json.load(open(sys.argv[2]))
r = [x for x in j["responses"] if x["group"] == "survey_student"][0]
assert (r["responses"], r["late"]) == (1, 0), r
PY
# the deadline is a setting
hub_cli settings set surveys.deadline 02-20 >/dev/null 2>"$work/err" || sync_fail "settings: $(cat "$work/err")"
hub_cli report surveys --format json >"$work/s.json" 2>/dev/null
python3 -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1]))["responses"] if x["group"]=="survey_student"][0]; assert r["late"]==0, r' "$work/s.json" \
	|| sync_fail "late after the deadline moved: $(cat "$work/s.json")"
echo "PASS"
