#!/usr/bin/env bash
# test_sync_locked — two-way sync of a school PC whose passphrase is set and
# never given to tetrad-syncd (issue 21): a real hub over HTTPS on 127.0.0.1,
# two PCs of school 170103 (S1 with the passphrase, S2 without), `tetrad`
# and `tetrad-syncd` on real files.
#
# S1 has a mediation case from before the passphrase and one made with it
# (--passphrase-file), both with distinctive local values, and a social
# passport made while locked. syncd pushes all three while locked. S2 pulls
# them without local values, edits hub fields of both cases (one inside the
# parties group, so S1's sealed values must stay with their party by
# position) and pushes. S1 pulls while locked: the edits land in data, the
# sealed blobs are carried through byte for byte, and with the passphrase
# every local value reads back exactly next to S2's edits; locked, they show
# «скрыто». The same hub field edited on both (S1 first): S2's later value
# wins on S1, S1's lost value is in its conflict list, its sealed values are
# kept. Finally: the hub (its folder, a dump of hub.db, every change set
# decrypted with tt-open), S2's folder, and every log (syncd's included)
# hold none of the local values.
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"
SCAN="python3 $SRC/tests/integration/at_rest_scan.py"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-synclocked.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
mkdir -p "$T/s1" "$T/s2" "$T/logs" "$T/priv"
S1=$T/s1/s1.db
S2=$T/s2/s2.db
LOGS=$T/logs
PRIV=$T/priv
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE
printf 'Незабудка у калитки 7\n' >"$T/pass"
chmod 600 "$T/pass"
N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
step=0
# run NAME COMMAND...: must exit 0; stdout in $OUT (a log, scanned), stderr appended to $LOGS/NAME-ish
run() {
	local name=$1 rc
	shift
	step=$((step + 1))
	OUT=$LOGS/$step.out
	"$@" >"$OUT" 2>"$LOGS/$step.err" </dev/null
	rc=$?
	if [ "$rc" = 0 ]; then pass "$name"; else
		fail "$name: exit $rc: $(tail -3 "$LOGS/$step.err" | tr '\n' ' ' | cut -c1-600)"
	fi
	return $rc
}
# a locked syncd run: no passphrase anywhere in its environment
dosync() { run "syncd --once $(basename "$1" .db) ($2), no passphrase" env -u TETRAD_PASSPHRASE_FILE "$SYNCD" --once --db "$1"; }
hexid() { echo "$1" | tr -d - | tr 'A-F' 'a-f'; }
val() { sqlite3 "$1" "SELECT COALESCE(json_extract(data,'\$.$3'),'') FROM records WHERE lower(hex(id))='$(hexid "$2")'"; }
sealed() { sqlite3 "$1" "SELECT COALESCE(hex(sealed),'') FROM records WHERE lower(hex(id))='$(hexid "$2")'"; }
hval() { hub_sql "SELECT COALESCE($(hub_json data "$2"),'') FROM hub_records WHERE $(hub_hex id)='$(hexid "$1")'"; }

hub_start "$T/hub" || exit 1
if ! hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" | grep -qv 404; then
	echo "SKIP: this hub has no POST /v1/pull yet"
	exit 77
fi

# the planted values
M1_N0="Зюзикова Аглая Пантелеймоновна"
M1_P0="+7 912 000-11-22"
M1_N1="Трифонов-Бельский Евграф Кузьмич"
M1_P1="+7 913 555-44-33"
M1_SUM=$'Спор о «Лунном камне»: "ты взял его"\nвторая строка'
M2_N0="Ксенофонтова Улита Ермолаевна"
M2_P0="8 (914) 777-66-55"
M2_SUM="после пароля: Улита и «жёлтый зонт»"
python3 - "$T/values.json" "$M1_N0" "$M1_P0" "$M1_N1" "$M1_P1" "$M1_SUM" "$M2_N0" "$M2_P0" "$M2_SUM" \
	"Зюзиков" "Трифонов-Бельск" "Ксенофонтов" "Лунном камне" "жёлтый зонт" "000-11-22" "555-44-33" "777-66-55" <<'PY'
import json, sys
json.dump(sys.argv[2:], open(sys.argv[1], "w"), ensure_ascii=False)
PY
mcase() { # NUMBER NAME0 PHONE0 NAME1 PHONE1 SUMMARY
	python3 - "$@" <<'PY'
import json, sys
n, n0, p0, n1, p1, s = sys.argv[1:7]
d = {"case_number": n, "received_date": "2026-10-01", "source": "teacher",
     "situation_kind": "conflict", "conflict_type": "student_student", "status": "received",
     "parties": [{"role": "student", "class_name": "6А", "age": 12, "full_name": n0, "phone": p0}],
     "summary": s}
if n1:
    d["parties"].append({"role": "adult", "age": 40, "full_name": n1, "phone": p1})
print(json.dumps(d, ensure_ascii=False))
PY
}

# --- two PCs of school 170103 ----------------------------------------------------
run "init S1" "$TETRAD" --db "$S1" init --school 170103 --name "Школа 3" || exit 1
run "init S2" "$TETRAD" --db "$S2" init --school 170103 --name "Школа 3" || exit 1
run "enroll S1" "$TETRAD" --db "$S1" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
run "enroll S2" "$TETRAD" --db "$S2" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"

mcase "ЗАМОК-1" "$M1_N0" "$M1_P0" "$M1_N1" "$M1_P1" "$M1_SUM" >"$PRIV/m1.json"
run "S1: a case before the passphrase" "$TETRAD" --db "$S1" new mediation_case --json "$PRIV/m1.json"
M1=$(tail -n 1 "$OUT")
run "S1: passphrase set" "$TETRAD" --db "$S1" --new-passphrase-file "$T/pass" passphrase set --no-recovery
[ -n "$(sealed "$S1" "$M1")" ] && pass "S1's first case is sealed" || fail "S1's first case has no sealed values"
mcase "ЗАМОК-2" "$M2_N0" "$M2_P0" "" "" "$M2_SUM" >"$PRIV/m2.json"
run "S1: a case with the passphrase" "$TETRAD" --db "$S1" --passphrase-file "$T/pass" new mediation_case --json "$PRIV/m2.json"
M2=$(tail -n 1 "$OUT")
run "S1: a social passport while locked (no local fields)" "$TETRAD" --db "$S1" new social_passport --json "$SRC/tests/data/forms/social_passport.good.json"
P=$(tail -n 1 "$OUT")
for id in "$M1" "$M2" "$P"; do
	case "$id" in ????????-????-????-????-????????????) ;; *) fail "no record id: «$id»"; exit 1 ;; esac
done
seal1=$(sealed "$S1" "$M1")
seal2=$(sealed "$S1" "$M2")

# --- push while locked ------------------------------------------------------------------
dosync "$S1" "push"
eq "S1: every outbox entry acked" "$(sqlite3 "$S1" "SELECT COUNT(*) FROM outbox WHERE state<>'acked'")" 0
eq "the hub has the case from before the passphrase" "$(hval "$M1" case_number)" "ЗАМОК-1"
eq "the hub has the case made with it" "$(hval "$M2" case_number)" "ЗАМОК-2"
eq "the hub has a party's class" "$(hval "$M1" 'parties[0].class_name')" "6А"
eq "the hub has no party name" "$(hval "$M1" 'parties[0].full_name')" ""
eq "the hub has the passport" "$(hval "$P" large_families)" 64
run "tetrad sync on S1 while locked" "$TETRAD" --db "$S1" sync

# --- S2 pulls, edits hub fields, pushes ---------------------------------------------------
dosync "$S2" "pull"
eq "S2 has case 1" "$(val "$S2" "$M1" case_number)" "ЗАМОК-1"
eq "S2 has case 2" "$(val "$S2" "$M2" case_number)" "ЗАМОК-2"
eq "S2: no local value came" "$(val "$S2" "$M1" 'parties[0].full_name')$(val "$S2" "$M1" summary)$(val "$S2" "$M2" 'parties[0].phone')" ""
run "S2 edits case 1: the school's reaction and a party's class" "$TETRAD" --db "$S2" edit "$M1" \
	--set "school_reaction=Беседа с классом (С2)" --set "parties[0].class_name=9В" --set "parties[1].age=41"
run "S2 edits case 2" "$TETRAD" --db "$S2" edit "$M2" --set "difficulties=С2: трудности"
dosync "$S2" "push the edits"

# --- S1 pulls while locked ------------------------------------------------------------------
dosync "$S1" "pull the edits"
eq "S1 has S2's reaction (data)" "$(val "$S1" "$M1" school_reaction)" "Беседа с классом (С2)"
eq "S1 has S2's class in the group (data)" "$(val "$S1" "$M1" 'parties[0].class_name')" "9В"
eq "S1 has S2's edit of case 2 (data)" "$(val "$S1" "$M2" difficulties)" "С2: трудности"
eq "S1's sealed values of case 1 carried through byte for byte" "$(sealed "$S1" "$M1")" "$seal1"
eq "S1's sealed values of case 2 carried through byte for byte" "$(sealed "$S1" "$M2")" "$seal2"
eq "S1's data holds no local value" "$(sqlite3 "$S1" "SELECT COUNT(*) FROM records WHERE data LIKE '%full_name%' OR json_extract(data,'\$.summary') IS NOT NULL")" 0

check_s1() { # NAME REACTION: S1 with the passphrase reads back every local value next to the hub fields
	"$TETRAD" --db "$S1" --passphrase-file "$T/pass" show --json "$M1" >"$PRIV/s1m1.json" 2>>"$LOGS/show.err" </dev/null
	"$TETRAD" --db "$S1" --passphrase-file "$T/pass" show --json "$M2" >"$PRIV/s1m2.json" 2>>"$LOGS/show.err" </dev/null
	python3 - "$PRIV/s1m1.json" "$PRIV/s1m2.json" "$M1_N0" "$M1_P0" "$M1_N1" "$M1_P1" "$M1_SUM" \
		"$M2_N0" "$M2_P0" "$M2_SUM" "$2" <<'PY' >"$T/check.txt" 2>&1
import json, sys
try:
    a = json.load(open(sys.argv[1], encoding="utf-8"))["data"]
    b = json.load(open(sys.argv[2], encoding="utf-8"))["data"]
except Exception as e:
    print("unreadable: %s" % e)
    sys.exit(1)
w = sys.argv[3:]
got = [a["parties"][0].get("full_name"), a["parties"][0].get("phone"),
       a["parties"][1].get("full_name"), a["parties"][1].get("phone"), a.get("summary"),
       b["parties"][0].get("full_name"), b["parties"][0].get("phone"), b.get("summary"),
       a.get("school_reaction"), a["parties"][0].get("class_name"), a["parties"][1].get("age"),
       b.get("difficulties")]
want = w[:8] + [w[8], "9В", 41, "С2: трудности"]
bad = [(g, x) for g, x in zip(got, want) if g != x]
print(bad or "ok")
sys.exit(1 if bad else 0)
PY
	if [ $? = 0 ]; then pass "$1"; else fail "$1: $(cut -c1-700 "$T/check.txt") $(tail -2 "$LOGS/show.err" | tr '\n' ' ')"; fi
}
check_s1 "S1 with the passphrase: every local value exact, next to S2's edits (by position in the group)" \
	"Беседа с классом (С2)"
run "S1 show while locked" "$TETRAD" --db "$S1" show --json "$M1"
python3 - "$OUT" <<'PY' >"$T/check.txt" 2>&1
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
d = r["data"]
ok = (d["parties"][0].get("full_name") == "скрыто" and d.get("summary") == "скрыто"
      and d["parties"][0].get("class_name") == "9В" and d.get("school_reaction") == "Беседа с классом (С2)")
print("ok" if ok else json.dumps(d, ensure_ascii=False)[:500])
sys.exit(0 if ok else 1)
PY
if [ $? = 0 ]; then pass "S1 locked: «скрыто» for local fields, S2's edits plain"; else fail "S1 locked show: $(cat "$T/check.txt")"; fi

# --- the same hub field on both, S1 first: S2's later value wins, S1's sealed values stay
run "S1 edits the reaction (with the passphrase)" "$TETRAD" --db "$S1" --passphrase-file "$T/pass" edit "$M1" \
	--set "school_reaction=С1: классный час"
sleep 0.05
run "S2 edits the reaction later" "$TETRAD" --db "$S2" edit "$M1" --set "school_reaction=С2: встреча с родителями"
dosync "$S1" "push its edit"
dosync "$S2" "push the later edit"
dosync "$S1" "pull the later edit"
eq "S1: the later value won" "$(val "$S1" "$M1" school_reaction)" "С2: встреча с родителями"
eq "S1: its lost value in its conflict list (JSON values)" \
	"$(sqlite3 "$S1" "SELECT field || '=' || mine || '>' || theirs FROM conflicts")" \
	'school_reaction="С1: классный час">"С2: встреча с родителями"'
check_s1 "S1 after the conflict: every local value still exact with the passphrase" "С2: встреча с родителями"
dosync "$S2" "pull S1's edit"
eq "S2 still has no local value" "$(val "$S2" "$M1" 'parties[0].full_name')$(val "$S2" "$M1" summary)" ""

# --- nowhere but S1 --------------------------------------------------------------------
hub_stop
"$TETRAD_BIN/tt-open" --data "$HUB_DIR" ${HUB_PG:+--store "$HUB_PG"} >"$T/hub-sets.jsonl" 2>"$T/tt-open.err"
if grep -qF "ЗАМОК-2" "$T/hub-sets.jsonl"; then pass "decrypted the hub's change sets ($(wc -l <"$T/hub-sets.jsonl") sets)"; else
	fail "tt-open: $(tail -2 "$T/tt-open.err" | tr '\n' ' ')"; fi
hub_dump >"$T/hub-dump.sql"
scan() {
	local name=$1
	shift
	if $SCAN "$T/values.json" "$@" >"$T/scan.txt" 2>&1; then pass "$name: none ($(head -1 "$T/scan.txt"))"; else
		fail "LEAK in $name: $(grep -v '^scanned' "$T/scan.txt" | head -6 | tr '\n' ' ' | cut -c1-1000)"; fi
}
scan "the hub's folder, its store's dump, its change sets" "$HUB_DIR" "$T/hub-dump.sql" "$T/hub-sets.jsonl"
scan "S2's folder" "$T/s2"
scan "S1's folder" "$T/s1"
scan "every log: syncd's, the client's, the hub's" "$LOGS" "$HUB_LOG" "$HUB_DIR.init.log"
if $SCAN --expect-all "$T/values.json" "$PRIV/s1m1.json" "$PRIV/s1m2.json" >/dev/null 2>&1; then pass "positive control: the values are in S1's unlocked output"; else
	fail "positive control: the planted values are not in S1's unlocked output"; fi

echo "1..$N"
[ $FAILS -eq 0 ] || echo "# $FAILS of $N checks failed (KEEP=1 keeps $T)"
[ $FAILS -eq 0 ]
