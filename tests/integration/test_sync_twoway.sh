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
# each device follows its acks.
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
hval() { sqlite3 "$HUB_DIR/hub.db" "SELECT COALESCE(json_extract(data,'\$.$2'),'') FROM hub_records WHERE lower(hex(id))='$(hexid "$1")'"; }
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
eq "no local value on the hub" "$(sqlite3 "$HUB_DIR/hub.db" "SELECT COUNT(*) FROM hub_records WHERE data LIKE '%Сидоров%' OR data LIKE '%Драка%'")" 0
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

echo "# $N checks, $FAILS failed"
[ "$FAILS" = 0 ]
