#!/usr/bin/env bash
# The whole chain with the real client: `tetrad init`, records entered with
# `tetrad new`, `tetrad enroll` and `tetrad sync` (which exec tetrad-syncd
# from the same directory), a real hub with the built-in forms. Local
# fields (mediation: names) never reach the hub.
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
db="$work/school.db"

"$T" --db "$db" init --school 170103 --name "Школа 170103" >/dev/null || sync_fail "init"
for g in 4 5 6; do
	"$T" --db "$db" new survey_student --set grade=$g --set enough_equipment=4 --set feel_safe=5 \
		--set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 \
		--set response_date=10.02.2026 >/dev/null 2>"$work/err" || sync_fail "new: $(cat "$work/err")"
done
tok=$(hub_token --school 170103 --name "Школа 170103")
"$T" --db "$db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >"$work/out" 2>&1 \
	|| sync_fail "tetrad enroll: $(cat "$work/out")"
grep -q "зарегистрировано" "$work/out" || sync_fail "enroll output: $(cat "$work/out")"
"$T" --db "$db" sync >"$work/out" 2>"$work/log"; rc=$?
[ "$rc" -eq 0 ] || sync_fail "tetrad sync exit $rc: $(cat "$work/out" "$work/log")"
sync_expect_eq "acked" "$(sync_outbox "$db" acked)" 3
sync_expect_eq "hub records" "$(hub_records)" 3

# A second sync after an edit sends one entry.
"$T" --db "$db" new survey_student --set grade=7 --set enough_equipment=2 --set feel_safe=2 \
	--set like_learning=2 --set teacher_helps=2 --set tasks_fit_level=2 \
	--set response_date=11.02.2026 >/dev/null 2>&1 || sync_fail "new"
"$T" --db "$db" sync >"$work/out" 2>"$work/log" || sync_fail "second sync: $(cat "$work/log")"
grep -q "entries_acked=1 " "$work/log" || sync_fail "second sync log: $(cat "$work/log")"
sync_expect_eq "hub records after second sync" "$(hub_records)" 4
echo "PASS"
