#!/usr/bin/env bash
# test_client_crash — SIGKILL the CLI at random moments during many writes
# (new, edit, delete, bulk import), then check the database: integrity_check
# ok, the outbox sequence contiguous, and every record has exactly one outbox
# row per committed change (1 for new, +1 per edit, +1 for delete), the last
# one matching the record; an import is all or nothing. ~50 kills by default,
# 500 with TETRAD_LONG=1.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
T="${TETRAD_BIN:?}/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$W"' EXIT
DB="$W/crash.db"
KILLS=50
[ "${TETRAD_LONG:-0}" = 1 ] && KILLS=500
IMPORT_ROWS=200

"$T" --db "$DB" init --school 170103 >/dev/null || { echo "init failed"; exit 1; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r is not None and r[0] is not None else "")' "$DB" "$1"; }

# An import file of IMPORT_ROWS class-level social passports, tagged per run.
make_csv() { # make_csv TAG FILE
	python3 - "$1" "$2" "$IMPORT_ROWS" <<'EOF'
import sys
tag, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cols = ("academic_year;snapshot_date;level;class_name;students_total;families_total;"
        "large_families;low_income_families;single_parent_families;foster_children;orphans;"
        "disabled_children;special_needs;sop_families;tjs_families;kdn_registered;"
        "pdn_registered;school_registered;unemployed_parents;parents_higher_education;"
        "non_native_russian;migrant_families")
rows = [cols] + ["2021/2022;01.10.2021;class;%s;25;20;3;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0" % tag
                 for _ in range(n)]
open(path, "w").write("\n".join(rows) + "\n")
EOF
}

new_case() { # new_case N
	"$T" --db "$DB" new mediation_case --set "case_number=c$1" --set received_date=2026-11-01 \
		--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
		--set status=received --set "parties[0].role=student" --set "parties[0].full_name=Имя $1" \
		--set "summary=секрет $1"
}

imports=0 killed=0
for i in $(seq 1 "$KILLS"); do
	r=$((RANDOM % 10))
	if [ "$r" -lt 5 ]; then
		new_case "$i" >/dev/null 2>&1 &
	elif [ "$r" -lt 7 ]; then
		# edit a random case: its edit counter lives in "difficulties"
		row=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute("SELECT lower(hex(id)), COALESCE(json_extract(data,\"$.difficulties\"),\"0\") FROM records WHERE status=\"final\" AND form_id=\"mediation_case\" ORDER BY random() LIMIT 1").fetchone(); print("%s %s" % r if r else "")' "$DB")
		if [ -z "$row" ]; then new_case "$i" >/dev/null 2>&1 &
		else
			set -- $row
			"$T" --db "$DB" edit "$1" --set "difficulties=$(( $2 + 1 ))" >/dev/null 2>&1 &
		fi
	elif [ "$r" -lt 8 ]; then
		id=$(q "SELECT lower(hex(id)) FROM records WHERE status='final' AND form_id='mediation_case' ORDER BY random() LIMIT 1")
		if [ -n "$id" ]; then "$T" --db "$DB" delete "$id" >/dev/null 2>&1 &
		else new_case "$i" >/dev/null 2>&1 &
		fi
	else
		imports=$((imports + 1))
		make_csv "imp$imports" "$W/imp.csv"
		"$T" --db "$DB" import social_passport --csv "$W/imp.csv" >/dev/null 2>&1 &
	fi
	PID=$!
	# random moment: before, during or after the transaction
	sleep "0.$(printf '%03d' $((RANDOM % 20)))"
	kill -9 "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	[ $? = 137 ] && killed=$((killed + 1))
	PID=
done

fails=0
check() { if [ "$2" = "$3" ]; then :; else echo "FAIL: $1: «$2» != «$3»" >&2; fails=$((fails + 1)); fi; }
check integrity "$(q 'PRAGMA integrity_check')" ok
python3 - "$DB" "$IMPORT_ROWS" <<'EOF' || fails=$((fails + 1))
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n_imp = int(sys.argv[2])
bad = 0
def fail(msg):
    global bad; bad += 1; print("FAIL:", msg, file=sys.stderr)
seqs = [r[0] for r in db.execute("SELECT seq FROM outbox ORDER BY seq")]
if seqs != list(range(1, len(seqs) + 1)):
    fail("outbox seq not contiguous from 1")
rows = {}
for rid, op, fields in db.execute("SELECT record_id, op, fields FROM outbox ORDER BY seq"):
    rows.setdefault(rid, []).append((op, fields))
recs = list(db.execute("SELECT id, form_id, status, data FROM records"))
ids = {r[0] for r in recs}
for rid in rows:
    if rid not in ids:
        fail("outbox row for a missing record")
finals = 0
for rid, form, status, data in recs:
    d = json.loads(data); got = rows.get(rid, [])
    if status == "draft":
        if got: fail("draft in outbox")
        continue
    finals += 1
    want = 1
    if form == "mediation_case":
        want += int(d.get("difficulties", "0"))
    if status == "deleted":
        want += 1
        if not got or got[-1][0] != "delete": fail("deleted record without a tombstone")
    if len(got) != want:
        fail("record %s (%s): %d outbox rows, want %d" % (rid.hex(), status, len(got), want))
    # the state the hub builds: the put, then each edit's fields (only
    # what changed; null = answer removed) over it
    if got and got[0][0] != "put":
        fail("record %s: first outbox row is %s, not put" % (rid.hex(), got[0][0]))
    last = {}
    for op, f in got:
        if op == "delete":
            continue
        sent = json.loads(f)
        if op == "edit" and not sent:
            fail("empty edit")
        if "summary" in sent or any("full_name" in p for p in sent.get("parties", []) or []):
            fail("local field in outbox")
        if op == "put":
            last = sent
        else:
            last.update(sent)
    if form == "mediation_case" and status != "deleted":
        if last.get("difficulties") != d.get("difficulties"):
            fail("put and edits do not add up to the record")
tags = {}
for (t,) in db.execute("SELECT json_extract(data,'$.class_name') FROM records WHERE form_id='social_passport'"):
    tags[t] = tags.get(t, 0) + 1
for t, c in tags.items():
    if c != n_imp:
        fail("import %s half-written: %d of %d rows" % (t, c, n_imp))
print("records: %d final/deleted, outbox rows: %d, imports committed: %d" % (finals, len(seqs), len(tags)))
sys.exit(1 if bad else 0)
EOF
# the database still takes writes after all that
new_case final >/dev/null 2>&1 || { echo "FAIL: write after crashes" >&2; fails=$((fails + 1)); }
check "after-write integrity" "$(q 'PRAGMA integrity_check')" ok
echo "attempts: $KILLS, killed while running: $killed, failures: $fails"
[ "$killed" -gt 0 ] || { echo "FAIL: no process was killed while running" >&2; fails=$((fails + 1)); }
[ "$fails" = 0 ]
