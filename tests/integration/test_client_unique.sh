#!/usr/bin/env bash
# test_client_unique — the form-level "unique" rule through the real `tetrad`
# on a real SQLite file: mediation_case declares its case number unique per
# school and calendar year of «Дата поступления», so a second final case
# with the same number that year is refused with a Russian message naming
# the first record and its date, by `new`, `edit` and `finalize` alike,
# and nothing is written; another year, a draft, a deleted first case are
# not repeats.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
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
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }
new_case() { # NUMBER DATE [more tetrad new args]
	local n=$1 d=$2; shift 2
	"$T" --db "$DB" new mediation_case --set "case_number=$n" --set "received_date=$d" \
		--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
		--set status=received --set "parties[0].role=student" "$@"
}

expect_rc 0 "init" -- "$T" --db "$DB" init --school 170103
expect_rc 0 "first case" -- new_case 2026-07 01.11.2026
ID1=$(cat "$W/out")
eq "$(q 'SELECT COUNT(*) FROM outbox')" 1 "first case queued"

# the same number, same school, same year: refused, naming the first
expect_rc 2 "repeat refused" -- new_case 2026-07 05.12.2026
contains "$W/err" "Номер случая"
contains "$W/err" "2026-07"
contains "$W/err" "$ID1"
contains "$W/err" "01.11.2026"
contains "$W/err" "2026 год"
eq "$(q "SELECT COUNT(*) FROM records")" 1 "nothing written"
eq "$(q 'SELECT COUNT(*) FROM outbox')" 1 "nothing queued"

# another year, another number: fine
expect_rc 0 "same number next year" -- new_case 2026-07 10.01.2027
ID2=$(cat "$W/out")
expect_rc 0 "another number" -- new_case 2026-08 02.11.2026
ID3=$(cat "$W/out")

# an edit that makes a repeat is refused, the record stays as it was
expect_rc 2 "edit into a repeat" -- "$T" --db "$DB" edit "$ID3" --set case_number=2026-07
contains "$W/err" "$ID1"
eq "$(q "SELECT json_extract(data,'\$.case_number') FROM records WHERE lower(hex(id))='$(echo "$ID3" | tr -d -)'")" 2026-08 "edit not applied"
expect_rc 2 "edit the year into a repeat" -- "$T" --db "$DB" edit "$ID2" --set received_date=20.12.2026
contains "$W/err" "$ID1"

# a draft may repeat (it is not finished); finalizing it may not
expect_rc 0 "draft repeat" -- new_case 2026-07 03.11.2026 --draft
ID4=$(cat "$W/out")
expect_rc 2 "finalize a repeat" -- "$T" --db "$DB" finalize "$ID4"
contains "$W/err" "$ID1"
eq "$(q "SELECT status FROM records WHERE lower(hex(id))='$(echo "$ID4" | tr -d -)'")" draft "still a draft"

# once the first case is deleted the number is free again
expect_rc 0 "delete first" -- "$T" --db "$DB" delete "$ID1"
expect_rc 0 "finalize after delete" -- "$T" --db "$DB" finalize "$ID4"

# a form without the rule is not affected: two identical passports are fine
for i in 1 2; do
	expect_rc 0 "passport $i" -- "$T" --db "$DB" new social_passport --draft --set students_total=10
done

echo "test_client_unique: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
