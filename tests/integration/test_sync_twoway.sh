#!/usr/bin/env bash
# test_sync_twoway — two-way sync end to end (issue 18, the first "Must
# show"), through the real programs: a real hub over HTTPS, `tetrad` and
# `tetrad-syncd` on real SQLite files.
#
# A school PC (S1), the school's second PC (S2) and a curator's laptop (C)
# of school 170103. A social passport made on S1 reaches C and S2. S1 and C
# edit different fields of it offline and both sync twice, in both arrival
# orders: S1, C and the hub hold both changes. Both edit the same field:
# the later HLC wins everywhere and S1's lost value is in its conflict list
# («tetrad conflicts»), not in C's. A mediation case made on S1 reaches S2
# with its local fields (summary, the parties' names and phones) empty
# there, never reaches C; S2 edits it and S1 keeps its local values after
# pulling that edit. Pulling again changes nothing; the hub's cursor for
# each device follows its acks. The same by USB stick: S2's export carries its
# pull ack, the hub imports it and writes S2's changes, S2 imports them once.
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=$SRC/forms
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-twoway.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
S1=$T/s1.db
S2=$T/s2.db
C=$T/cur.db
N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else
		fail "$1: «$3» not in $(basename "$2"): $(tr '\n' ' ' <"$2" | cut -c1-400)"
	fi
}
# run NAME COMMAND...: must exit 0; stdout in $T/out, stderr in $T/err
run() {
	local name=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 0 ]; then pass "$name"; else
		fail "$name: exit $rc: $(tr '\n' ' ' <"$T/err" | cut -c1-600)"
	fi
}
dosync() { run "sync $(basename "$1" .db) ($2)" "$SYNCD" --once --db "$1"; }
hexid() { echo "$1" | tr -d - | tr 'A-F' 'a-f'; }
# val DB ID FIELD: a field of a device's record ("" when absent)
val() { sqlite3 "$1" "SELECT COALESCE(json_extract(data,'\$.$3'),'') FROM records WHERE lower(hex(id))='$(hexid "$2")'"; }
# hval ID FIELD: the same on the hub
hval() { hub_sql "SELECT COALESCE($(hub_json data "$2"),'') FROM hub_records WHERE $(hub_hex id)='$(hexid "$1")'"; }
exists() { sqlite3 "$1" "SELECT COUNT(*) FROM records WHERE lower(hex(id))='$(hexid "$2")'"; }
# all3 NAME ID FIELD WANT: S1, C and the hub hold WANT
all3() {
	eq "$1 on S1" "$(val "$S1" "$2" "$3")" "$4"
	eq "$1 on the curator's laptop" "$(val "$C" "$2" "$3")" "$4"
	eq "$1 on the hub" "$(hval "$2" "$3")" "$4"
}

hub_start "$T/hub" || exit 1
if ! hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" | grep -qv 404; then
	echo "SKIP: this hub has no POST /v1/pull yet"
	exit 77
fi

# --- three devices of school 170103
run "init S1" "$TETRAD" --db "$S1" init --school 170103 --name "Школа 3"
run "init S2" "$TETRAD" --db "$S2" init --school 170103 --name "Школа 3"
run "init curator" "$TETRAD" --db "$C" init --curator --name "Петрова М. И."
run "enroll S1" "$TETRAD" --db "$S1" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
run "enroll S2" "$TETRAD" --db "$S2" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
run "enroll curator" "$TETRAD" --db "$C" enroll --hub "$HUB_URL" \
	--token "$(hub_token --curator "Петрова М. И." --schools 170103,170104)" --ca "$HUB_CA"
for d in "$S1" "$S2" "$C"; do
	[ -s "$d.box.key" ] && pass "box key made at enrollment: $(basename "$d").box.key" ||
		fail "no box key beside $(basename "$d")"
done
eq "box key is private" "$(stat -c %a "$S1.box.key")" 600
# a device enrolled before two-way sync has none: its next run makes it
rm -f "$S2.box.key"

# --- a passport made on S1 reaches the curator and S2
run "passport on S1" "$TETRAD" --db "$S1" new social_passport --json "$SRC/tests/data/forms/social_passport.good.json"
P=$(tail -n 1 "$T/out")
dosync "$S1" "push the passport"
dosync "$C" "first pull"
has "the curator is told what came" "$T/out" "Получено с хаба записей:"
eq "passport on the curator's laptop" "$(val "$C" "$P" large_families)" 64
eq "pulled passport is final there" "$(sqlite3 "$C" "SELECT status FROM records WHERE lower(hex(id))='$(hexid "$P")'")" final
eq "a pulled record never enters the outbox" "$(sqlite3 "$C" "SELECT COUNT(*) FROM outbox")" 0
dosync "$S2" "first pull"
eq "passport on S2" "$(val "$S2" "$P" large_families)" 64
[ -s "$S2.box.key" ] && pass "a box key made by the first run of a device that had none" ||
	fail "no box key after S2's run"

# --- different fields offline, S1's set first: both arrive everywhere
run "S1 edits «Многодетные семьи»" "$TETRAD" --db "$S1" edit "$P" --set large_families=70
run "curator edits «Малообеспеченные семьи»" "$TETRAD" --db "$C" edit "$P" --set low_income_families=60
eq "S1's edit queued as an edit" "$(sqlite3 "$S1" "SELECT op FROM outbox ORDER BY seq DESC LIMIT 1")" edit
dosync "$S1" "order 1, round 1"
dosync "$C" "order 1, round 1"
dosync "$S1" "order 1, round 2"
dosync "$C" "order 1, round 2"
all3 "order 1: S1's field" "$P" large_families 70
all3 "order 1: the curator's field" "$P" low_income_families 60

# --- the other arrival order: the curator's set first
run "S1 edits «Опекаемые»" "$TETRAD" --db "$S1" edit "$P" --set foster_children=10
run "curator edits «Неполные семьи»" "$TETRAD" --db "$C" edit "$P" --set single_parent_families=100
dosync "$C" "order 2, round 1"
dosync "$S1" "order 2, round 1"
dosync "$C" "order 2, round 2"
dosync "$S1" "order 2, round 2"
all3 "order 2: S1's field" "$P" foster_children 10
all3 "order 2: the curator's field" "$P" single_parent_families 100
all3 "order 2: order 1's fields kept" "$P" large_families 70
run "S1: no conflicts from edits of different fields" "$TETRAD" --db "$S1" conflicts
has "S1 says «Нет конфликтов.»" "$T/out" "Нет конфликтов."

# --- the same field on both: the later HLC wins everywhere
run "S1 edits «Дети-сироты» first" "$TETRAD" --db "$S1" edit "$P" --set orphans=7
sleep 0.05
run "curator edits «Дети-сироты» later" "$TETRAD" --db "$C" edit "$P" --set orphans=8
dosync "$S1" "same field, round 1"
dosync "$C" "same field, round 1"
dosync "$S1" "same field, round 2"
has "S1 is told of its conflict" "$T/out" "конфликтов: 1"
has "and where to look" "$T/out" "tetrad conflicts"
dosync "$C" "same field, round 2"
all3 "the later value" "$P" orphans 8
eq "S1's lost value in its conflict log" \
	"$(sqlite3 "$S1" "SELECT field || '=' || mine || '>' || theirs FROM conflicts")" "orphans=7>8"
eq "the curator lost nothing" "$(sqlite3 "$C" "SELECT COUNT(*) FROM conflicts")" 0
run "tetrad conflicts on S1" "$TETRAD" --db "$S1" conflicts
has "the list names the field" "$T/out" "Дети-сироты"
# --- the coordinator's review (issue 23): the value that lost is taken; the
# hub writes it as its own edit and every device pulls it
CID=$(hub_sql "SELECT id FROM conflicts WHERE field = 'orphans'")
NCONF=$(hub_sql "SELECT COUNT(*) FROM conflicts")
eq "the hub logged the conflict, open" "$(hub_cli conflicts list --json | python3 -c '
import json, sys
print(*[r["loser_value"] + ">" + r["winner_value"] + " " + r["decision"]
        for r in json.load(sys.stdin) if r["field"] == "orphans"])')" "7>8 open"
run "conflicts resolve --take" hub_cli conflicts resolve "$CID" --take
has "the command says the devices get it" "$T/out" "получат его"
eq "the hub holds the value taken" "$(hval "$P" orphans)" 7
dosync "$C" "after the decision"
dosync "$S1" "after the decision"
all3 "the value taken" "$P" orphans 7
eq "the decision, by whom" "$(hub_cli conflicts list --json | python3 -c '
import json, sys
print(*[r["decision"] + " " + r["decided_by"][:8]
        for r in json.load(sys.stdin) if r["field"] == "orphans"])')" "taken консоль:"
eq "the hub's edit is not a new conflict" "$(hub_sql "SELECT COUNT(*) FROM conflicts")" "$NCONF"
eq "nor on the device whose value it replaced" "$(sqlite3 "$C" "SELECT COUNT(*) FROM conflicts")" 0
hub_cli conflicts resolve "$CID" --keep >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] && pass "a second decision is refused (exit $rc)" || fail "a second decision: exit 0"
has "and says why" "$T/err" "решение уже принято"
# an edit made after seeing the conflict wins normally
run "S1 edits «Дети-сироты» after seeing it" "$TETRAD" --db "$S1" edit "$P" --set orphans=9
dosync "$S1" "after the conflict"
dosync "$C" "after the conflict"
all3 "an edit after the conflict" "$P" orphans 9

# --- a mediation case: the school's second PC, without the local fields
run "mediation case on S1" "$TETRAD" --db "$S1" new mediation_case --json "$SRC/tests/data/forms/mediation_case.good.json"
M=$(tail -n 1 "$T/out")
dosync "$S1" "push the case"
dosync "$S2" "pull the case"
eq "case on S2" "$(val "$S2" "$M" case_number)" 2021-07
eq "S2: summary (local) empty" "$(val "$S2" "$M" summary)" ""
eq "S2: a party's name (local) empty" "$(val "$S2" "$M" 'parties[0].full_name')" ""
eq "S2: a party's phone (local) empty" "$(val "$S2" "$M" 'parties[0].phone')" ""
eq "S2: a party's class is there" "$(val "$S2" "$M" 'parties[0].class_name')" 7Б
dosync "$C" "never the case"
eq "the case never reaches the curator" "$(exists "$C" "$M")" 0
eq "no local value on the hub" "$(hub_sql "SELECT COUNT(*) FROM hub_records WHERE data LIKE '%Сидоров%' OR data LIKE '%Драка%'")" 0
run "S2 edits the case" "$TETRAD" --db "$S2" edit "$M" --set "school_reaction=Беседа с родителями"
dosync "$S2" "push the case edit"
dosync "$S1" "pull the case edit"
eq "S1 has S2's edit" "$(val "$S1" "$M" school_reaction)" "Беседа с родителями"
eq "S1 keeps its summary" "$(val "$S1" "$M" summary)" "Драка на перемене из-за испорченного телефона"
eq "S1 keeps a party's name" "$(val "$S1" "$M" 'parties[0].full_name')" "Сидоров Павел"
eq "S1 keeps a party's phone" "$(val "$S1" "$M" 'parties[0].phone')" "+7 900 111-22-33"
eq "S2 still has no names" "$(val "$S2" "$M" 'parties[0].full_name')" ""

# --- a pull with nothing new changes nothing; `pull` on its own
before=$(sqlite3 "$S1" "SELECT group_concat(hex(id) || data || COALESCE(clocks,''), '|') FROM records")
run "tetrad-syncd pull" "$SYNCD" pull --db "$S1"
eq "nothing new: records unchanged" "$(sqlite3 "$S1" "SELECT group_concat(hex(id) || data || COALESCE(clocks,''), '|') FROM records")" "$before"
cursor=$(sqlite3 "$S1" "SELECT value FROM meta WHERE key='pull_after'")
[ -n "$cursor" ] && [ "$cursor" -gt 0 ] && pass "S1's cursor is $cursor" || fail "S1 has no cursor"
eq "the hub's cursor for S1 follows its ack" "$(hub_sql \
	"SELECT pull_acked FROM devices WHERE id='$(sqlite3 "$S1" "SELECT value FROM meta WHERE key='device_id'")'")" "$cursor"

# --- more than one answer: 510 passports pulled in answers of 500
run "S1 exports its passports" "$TETRAD" --db "$S1" export social_passport --format csv --out "$T/p.csv"
python3 - "$T/p.csv" "$T/many.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
row = lines[1].split(";")
row[0] = ""                      # a new record each
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(lines[0] + "\n")
    for i in range(510):
        f.write(";".join(row) + "\n")
PY
run "S1 imports 510 passports" "$TETRAD" --db "$S1" import social_passport --csv "$T/many.csv"
dosync "$S1" "push 510"
dosync "$C" "pull 510"
eq "the curator has every passport" "$(sqlite3 "$C" "SELECT COUNT(*) FROM records WHERE form_id='social_passport'")" \
	"$(sqlite3 "$S1" "SELECT COUNT(*) FROM records WHERE form_id='social_passport'")"
eq "the curator's cursor is the hub's last answer" "$(sqlite3 "$C" "SELECT value FROM meta WHERE key='pull_after'")" \
	"$(hub_sql "SELECT pull_acked FROM devices WHERE id='$(sqlite3 "$C" "SELECT value FROM meta WHERE key='device_id'")'")"

# --- the same by USB stick: S2 takes no network
run "S1 edits «На внутришкольном учёте»" "$TETRAD" --db "$S1" edit "$P" --set school_registered=15
dosync "$S1" "before the stick"
run "S2 exports (its pull ack)" "$SYNCD" export --db "$S2" --out "$T/s2.ttex"
[ -s "$T/s2.ttex.ack" ] && pass "S2's export carries its pull ack" || fail "no s2.ttex.ack"
run "the hub imports the ack" "$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" import "$T/s2.ttex.ack"
S2ID=$(sqlite3 "$S2" "SELECT value FROM meta WHERE key='device_id'")
run "the hub exports S2's changes" "$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" export-changes \
	--device "$S2ID" --out "$T/s2.ttpf"
run "S2 imports them" "$SYNCD" import-changes --db "$S2" "$T/s2.ttpf"
has "S2 is told what came" "$T/out" "Получено с хаба записей:"
eq "S2 has S1's edit by stick" "$(val "$S2" "$P" school_registered)" 15
before=$(sqlite3 "$S2" "SELECT group_concat(hex(id) || data || COALESCE(clocks,''), '|') FROM records")
run "S2 imports the same file again" "$SYNCD" import-changes --db "$S2" "$T/s2.ttpf"
has "S2: loaded already" "$T/out" "уже загружены"
eq "S2: nothing applied twice" "$(sqlite3 "$S2" "SELECT group_concat(hex(id) || data || COALESCE(clocks,''), '|') FROM records")" "$before"

# --- a PC that never pulled online: its first export's ack (cursor 0) gives
#     the hub its box key, and its first file of changes holds the whole scope
S3=$T/s3.db
run "init S3" "$TETRAD" --db "$S3" init --school 170103
run "enroll S3" "$TETRAD" --db "$S3" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
run "S3 exports" "$SYNCD" export --db "$S3" --out "$T/s3.ttex"
has "S3 is told what to carry" "$T/out" "s3.ttex.ack"
run "the hub imports S3's ack" "$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" import "$T/s3.ttex.ack"
run "the hub exports S3's changes" "$TETRAD_BIN/tetrad-hub" --data "$HUB_DIR" export-changes \
	--device "$(sqlite3 "$S3" "SELECT value FROM meta WHERE key='device_id'")" --out "$T/s3.ttpf"
run "S3 imports them" "$SYNCD" import-changes --db "$S3" "$T/s3.ttpf"
eq "S3 has the passport" "$(val "$S3" "$P" school_registered)" 15
eq "S3 has the mediation case, without names" "$(val "$S3" "$M" case_number)/$(val "$S3" "$M" 'parties[0].full_name')" "2021-07/"

# --- a hub restored from an older backup: its feed is behind the curator's
#     cursor (409 cursor_ahead). syncd pulls the whole scope again from 0,
#     says so, and nothing is doubled (states join).
run "S1 edits «Многодетные семьи» once more" "$TETRAD" --db "$S1" edit "$P" --set large_families=9
dosync "$S1" "before the cursor reset"
count_c=$(sqlite3 "$C" "SELECT COUNT(*) FROM records")
sqlite3 "$C" "UPDATE meta SET value='999999999' WHERE key='pull_after'"
dosync "$C" "cursor ahead of the hub's feed"
has "the curator is told the pull starts again" "$T/out" "изменения получены заново с начала"
has "the log says why" "$T/err" "восстановлена из старой копии"
has "the summary line says so" "$T/err" "pull_restarted=1"
eq "the curator has S1's last edit" "$(val "$C" "$P" large_families)" 9
eq "nothing doubled on the curator" "$(sqlite3 "$C" "SELECT COUNT(*) FROM records")" "$count_c"
CID=$(sqlite3 "$C" "SELECT value FROM meta WHERE key='device_id'")
eq "the curator's cursor is back in the hub's feed" "$(sqlite3 "$C" "SELECT value FROM meta WHERE key='pull_after'")" \
	"$(hub_sql "SELECT pull_acked FROM devices WHERE id='$CID'")"
dosync "$C" "after the restart"
if grep -qF "заново" "$T/out"; then fail "the next sync starts again too"; else pass "the next sync pulls normally"; fi

echo "# $N checks, $FAILS failed"
[ "$FAILS" = 0 ]
