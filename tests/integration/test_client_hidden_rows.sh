#!/usr/bin/env bash
# test_client_hidden_rows — «скрыто» sent back finds the item it stood for,
# never another child's: a CSV exported while locked with the row of party
# №1 deleted, imported with the passphrase, leaves party №2 its own name
# (not №1's); a row whose «№» names another item than its hub fields is
# refused; `show --json` made while locked and sent back by `edit --json`
# keeps the names; `new --json` of it stores no «скрыто». And the weak
# test limits of TETRAD_PWHASH=test are reported by set and status.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE TETRAD_PROMPT TETRAD_DB
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DB="$W/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_rc() { # expect_rc WANT DESC -- cmd...
	local want=$1 desc=$2; shift 3
	"$@" </dev/null >"$W/out" 2>"$W/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; cat "$W/err" >&2; fi
}
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; tail -c 2000 "$1" >&2; fi; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

printf '%s\n' "корова-батарейка-скрепка 1" >"$W/P1"; chmod 600 "$W/P1"
"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || { echo "init failed"; exit 1; }
N1="ПЛАНТ-Первый-Сидоров" N2="ПЛАНТ-Второй-Петров"
"$T" --db "$DB" new mediation_case --set case_number=2026-1 --set received_date=01.11.2026 \
	--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
	--set status=received --set "parties[0].role=student" --set "parties[0].class_name=5А" \
	--set "parties[0].full_name=$N1" --set "parties[1].role=student" \
	--set "parties[1].class_name=6Б" --set "parties[1].full_name=$N2" --set "summary=суть" \
	</dev/null >"$W/out" 2>"$W/err" && ok || bad "new case"
ID=$(cat "$W/out")
expect_rc 0 "set" -- "$T" --db "$DB" --new-passphrase-file "$W/P1" passphrase set
# the test limits (TETRAD_PWHASH=test) are never silent
contains "$W/err" "TETRAD_PWHASH=test"
expect_rc 0 "status" -- "$T" --db "$DB" passphrase status
contains "$W/out" "ослабленные параметры (только для тестов)"
expect_rc 0 "status json" -- "$T" --db "$DB" passphrase status --json
eq "$(jget "$W/out" 'd["weak"]')" True "status json: weak"
expect_rc 0 "export locked" -- "$T" --db "$DB" export mediation_case --format csv --out "$W/locked.csv"
contains "$W/locked.csv" "скрыто"

# --- the row of party №1 deleted in the spreadsheet
python3 - "$W/locked.csv" "$W/del1.csv" "$W/renum.csv" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
head = lines[0].split(";")
rows = [l.split(";") for l in lines[1:]]
num = head.index("Стороны конфликта: №")
assert [r[num] for r in rows] == ["1", "2"], rows
out = [";".join(head), ";".join(rows[1])]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
rows[1][num] = "1"          # and renumbered: «№» names party 1, the cells are party 2's
out = [";".join(head), ";".join(rows[1])]
open(sys.argv[3], "w", encoding="utf-8").write("\n".join(out) + "\n")
EOF
"$T" --db "$DB" --passphrase-file "$W/P1" import mediation_case --csv "$W/renum.csv" </dev/null \
	>"$W/out" 2>"$W/err" && bad "a renumbered row with «скрыто» imported" || ok
contains "$W/err" "скрыто"
expect_rc 0 "show after refused import" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID" --json
eq "$(jget "$W/out" '[p.get("full_name") for p in d["data"]["parties"]]')" "['$N1', '$N2']" \
	"nothing changed by the refused import"
expect_rc 0 "import without row 1" -- "$T" --db "$DB" --passphrase-file "$W/P1" import mediation_case \
	--csv "$W/del1.csv"
expect_rc 0 "show after import" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID" --json
eq "$(jget "$W/out" '[(p.get("class_name"), p.get("full_name")) for p in d["data"]["parties"]]')" \
	"[('6Б', '$N2')]" "party 2 keeps its own name"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'скрыто')")" 0 "the word is never stored"

# --- show --json while locked, sent back by edit --json and new --json
expect_rc 0 "show locked" -- "$T" --db "$DB" show "$ID" --json
python3 - "$W/out" "$W/edit.json" "$W/new.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
assert d["parties"][0]["full_name"] == "скрыто", d
d["status"] = "preparation"
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
d["case_number"] = "2026-2"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
EOF
expect_rc 0 "edit --json" -- "$T" --db "$DB" --passphrase-file "$W/P1" edit "$ID" --json "$W/edit.json"
expect_rc 0 "show after edit" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID" --json
eq "$(jget "$W/out" 'd["data"]["parties"][0]["full_name"], d["data"]["summary"], d["data"]["status"]')" \
	"('$N2', 'суть', 'preparation')" "edit --json keeps the hidden values"
expect_rc 0 "new --json" -- "$T" --db "$DB" --passphrase-file "$W/P1" new mediation_case --json "$W/new.json"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'скрыто')")" 0 "new --json stores no «скрыто»"
expect_rc 0 "list json" -- "$T" --db "$DB" --passphrase-file "$W/P1" list mediation_case --json
python3 - "$W/out" <<'EOF' && ok || bad "«скрыто» stored as a value by new --json"
import json, sys
s = json.dumps(json.load(open(sys.argv[1])), ensure_ascii=False)
sys.exit(1 if "скрыто" in s else 0)
EOF

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
