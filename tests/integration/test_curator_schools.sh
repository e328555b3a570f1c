#!/usr/bin/env bash
# test_curator_schools — a curator's laptop visits many schools (issue 17),
# through the real programs: a real hub over HTTPS, `tetrad` and
# `tetrad-syncd` on real SQLite files.
#
# A laptop set up with `tetrad init --curator` learns its schools from its
# enrollment token (170103, 170104) and shows them in `tetrad status`. A
# visit (risk_visit v2, "school_field": "school_code") is the record of the
# school its «Код ОО» names: two visits to two schools sync and the hub's
# verification report counts each under its own school. A school outside
# the list is refused by the client (naming the allowed schools), a
# disagreeing --school too, and so is moving a final visit to another
# school. A modified client — outbox rows edited by hand before the sync —
# is refused by the hub with the reason: a visit sent as another school's
# record, and a school outside the device's. A school device's visit gets
# its own school without being asked, and another school is refused.
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=$SRC/forms
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-curator.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
C=$T/curator.db
S=$T/school.db
N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
# expect NAME WANT_RC COMMAND... : the exit code; stderr in $T/err, stdout in $T/out
expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else
		fail "$name: exit $rc, want $want: $(tr '\n' ' ' <"$T/err" | cut -c1-400)"
	fi
}
# has NAME FILE TEXT
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else
		fail "$1: «$3» not in $(basename "$2"): $(tr '\n' ' ' <"$2" | cut -c1-400)"
	fi
}
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
q() { python3 -c 'import sqlite3,sys; print("\n".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$@"; }
# w DB SQL: a hand edit, committed (what a modified client would write)
w() { python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute(sys.argv[2]); d.commit()' "$@"; }

# A visit to school $1 on date $2 ($1 empty: no «Код ОО»), as --json.
visit() {
	python3 - "$SRC/tests/data/forms/risk_visit.good.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[2]:
    d["school_code"] = sys.argv[2]
else:
    del d["school_code"]
d["visit_date"] = sys.argv[3]
d.pop("medk_date", None)
d["medk_entered"] = False
for f in d["factors"]:
    f.pop("profile_level", None)   # read-only: from the issued profile
print(json.dumps(d, ensure_ascii=False))
PY
}

hub_start "$T/hub" || exit 1
visit 170103 2021-03-01 >"$T/v103.json"
visit 170104 2021-03-02 >"$T/v104.json"
visit 170105 2021-03-03 >"$T/v105.json"
visit "" 2021-03-04 >"$T/vnone.json"

# --- a curator's laptop: no school of its own, its schools from the token
expect "init --curator" 0 "$TETRAD" --db "$C" init --curator --name "Петрова М. И."
has "init says the schools come with enrollment" "$T/out" "школы станут известны после регистрации"
expect "init --curator and --school together is a usage error" 1 \
	"$TETRAD" --db "$T/x.db" init --curator --school 170103
expect "status before enrollment" 0 "$TETRAD" --db "$C" status
has "status: no schools yet" "$T/out" "Школы куратора: ещё не известны"
expect "a visit before enrollment is refused" 2 "$TETRAD" --db "$C" new risk_visit --json "$T/v103.json"
has "refusal says to enroll" "$T/err" "tetrad enroll"

tok=$(hub_token --curator "Петрова М. И." --schools 170103,170104)
expect "enroll with a curator token" 0 "$TETRAD" --db "$C" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA"
eq "device_kind" "$(q "$C" "SELECT value FROM meta WHERE key='device_kind'")" curator
eq "device_schools" "$(q "$C" "SELECT value FROM meta WHERE key='device_schools'")" "170103,170104"
expect "status" 0 "$TETRAD" --db "$C" status
has "status lists the curator's schools" "$T/out" "Школы куратора: 170103, 170104"
expect "status --json" 0 "$TETRAD" --db "$C" status --json
eq "status --json device_schools" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["device_kind"], ",".join(d["device_schools"]), type(d["clock_skew_ms"]).__name__ in ("int", "NoneType"))' "$T/out")" \
	"curator 170103,170104 True"

# --- visits to two of its schools
expect "visit to 170103" 0 "$TETRAD" --db "$C" new risk_visit --json "$T/v103.json"
ID103=$(tail -n 1 "$T/out")
expect "visit to 170104 (--school fills «Код ОО»)" 0 \
	"$TETRAD" --db "$C" new risk_visit --school 170104 --json "$T/vnone.json"
ID104=$(tail -n 1 "$T/out")
eq "records filed under the visited school" \
	"$(q "$C" "SELECT school || '=' || json_extract(data,'$.school_code') FROM records ORDER BY school")" \
	"$(printf '170103=170103\n170104=170104')"
eq "outbox rows carry the visited school" \
	"$(q "$C" "SELECT school FROM outbox ORDER BY seq" | tr '\n' ' ')" "170103 170104 "

# --- refused at the client, nothing written
expect "a school outside the list is refused" 2 "$TETRAD" --db "$C" new risk_visit --json "$T/v105.json"
has "the refusal names the allowed schools" "$T/err" "не ведёт записи школы «170105»: школы куратора — 170103, 170104"
expect "--school that disagrees with «Код ОО» is refused" 2 \
	"$TETRAD" --db "$C" new risk_visit --school 170104 --json "$T/v103.json"
has "the refusal says which field decides" "$T/err" "--school 170104 не совпадает с полем «Код ОО» (170103)"
expect "--set of a school outside the list is refused" 2 \
	"$TETRAD" --db "$C" new risk_visit --json "$T/v103.json" --set school_code=170105
expect "a final visit cannot move to another school" 2 \
	"$TETRAD" --db "$C" edit "$ID103" --set school_code=170104
has "moving says what to do instead" "$T/err" "удалите запись"
eq "nothing was written by the refusals" "$(q "$C" "SELECT COUNT(*) FROM records")|$(q "$C" "SELECT COUNT(*) FROM outbox")" "2|2"
expect "a form without a school field needs --school on this laptop" 2 \
	"$TETRAD" --db "$C" new mediation_case --draft --set case_number=1
has "it names the laptop's schools" "$T/err" "--school КОД (школы этого устройства: 170103, 170104)"
# a table of such a form: `import --school` (a draft row: the outbox stays as it is)
printf 'Статус записи;Учебный год;Уровень сведений\nчерновик;2026/2027;школа целиком\n' >"$T/sp.csv"
expect "import of a form without a school field needs --school here too" 2 \
	"$TETRAD" --db "$C" import social_passport --csv "$T/sp.csv"
has "the import names the laptop's schools" "$T/err" "--school КОД (школы этого устройства: 170103, 170104)"
expect "import --school of a school outside the list is refused" 2 \
	"$TETRAD" --db "$C" import social_passport --csv "$T/sp.csv" --school 170105
expect "import --school 170104" 0 \
	"$TETRAD" --db "$C" import social_passport --csv "$T/sp.csv" --school 170104
eq "the imported record is the given school's" \
	"$(q "$C" "SELECT school || '|' || status FROM records WHERE form_id='social_passport'")" "170104|draft"

expect "sync" 0 "$TETRAD" --db "$C" sync
eq "both visits acknowledged" "$(q "$C" "SELECT COUNT(*) FROM outbox WHERE state='acked'")" 2
eq "hub records in the visited schools" \
	"$(hub_sql "SELECT school || '=' || $(hub_json data school_code) FROM hub_records WHERE form_id='risk_visit' ORDER BY school")" \
	"$(printf '170103=170103\n170104=170104')"

# --- a modified client: outbox rows edited before the sync
expect "visit to be tampered with" 0 "$TETRAD" --db "$C" new risk_visit --json "$T/v103.json"
seq=$(q "$C" "SELECT MAX(seq) FROM outbox")
w "$C" "UPDATE outbox SET fields = replace(fields, '\"school_code\":\"170103\"', '\"school_code\":\"170104\"') WHERE seq = $seq" >/dev/null
eq "outbox row edited" "$(q "$C" "SELECT school || ' ' || json_extract(fields,'$.school_code') FROM outbox WHERE seq = $seq")" "170103 170104"
"$TETRAD" --db "$C" sync >"$T/out" 2>"$T/err"
eq "the hub refuses a visit sent as another school's record" \
	"$(q "$C" "SELECT state FROM outbox WHERE seq = $seq")" quarantined
q "$C" "SELECT reason FROM outbox WHERE seq = $seq" >"$T/reason"
has "with the reason" "$T/reason" "«Код ОО» называет школу 170104, а запись подана как запись школы 170103"
expect "visit to be sent for a foreign school" 0 "$TETRAD" --db "$C" new risk_visit --json "$T/v104.json"
seq=$(q "$C" "SELECT MAX(seq) FROM outbox")
w "$C" "UPDATE outbox SET school = '170105', fields = replace(fields, '\"school_code\":\"170104\"', '\"school_code\":\"170105\"') WHERE seq = $seq" >/dev/null
"$TETRAD" --db "$C" sync >"$T/out" 2>"$T/err"
eq "the hub refuses a school outside the device's" "$(q "$C" "SELECT state FROM outbox WHERE seq = $seq")" quarantined
q "$C" "SELECT reason FROM outbox WHERE seq = $seq" >"$T/reason"
has "with the reason" "$T/reason" "школа 170105 не входит в школы этого устройства"
eq "no record of 170105 on the hub" "$(hub_sql "SELECT COUNT(*) FROM hub_records WHERE school='170105' OR data LIKE '%170105%'")" 0

# --- a school device: its visit is its own school's, without asking
expect "init a school device" 0 "$TETRAD" --db "$S" init --school 170104 --name "Школа 170104"
stok=$(hub_token --school 170104 --name "Школа 170104")
expect "enroll the school device" 0 "$TETRAD" --db "$S" enroll --hub "$HUB_URL" --token "$stok" --ca "$HUB_CA"
expect "a school device's visit with no «Код ОО»" 0 "$TETRAD" --db "$S" new risk_visit --json "$T/vnone.json"
eq "it gets the device's school" "$(q "$S" "SELECT school || '=' || json_extract(data,'$.school_code') FROM records")" "170104=170104"
expect "another school is refused on a school device" 2 "$TETRAD" --db "$S" new risk_visit --json "$T/v103.json"
has "naming the device's school" "$T/err" "школа устройства — 170104"
expect "school device sync" 0 "$TETRAD" --db "$S" sync

# --- the hub's verification report counts each visit under its own school
expect "verification report" 0 hub_cli report verification --format json --out "$T/report.json"
# section "visits": one row per school with its number of visits (docs/reports.md);
# section "factors": the decisions per school of its latest visit
python3 - "$T/report.json" >"$T/visits.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for row in r["visits"]:
    print("%s=%s" % (row["school"], row["visits"]))
print("factors:" + ",".join(sorted({row["school"] for row in r["factors"]})))
PY
eq "visits per school in the report" "$(sort "$T/visits.txt" | tr '\n' ' ')" "170103=1 170104=2 factors:170103,170104 "

echo "1..$N"
[ "$FAILS" -eq 0 ]
