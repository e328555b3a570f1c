#!/bin/bash
# test_system_privacy — no value of a `local` field ever leaves the device.
#
# Distinctive names, phones and a conflict summary are planted in every
# `local` field of the built-in forms (mediation_case: parties[].full_name,
# parties[].phone, summary) on a school device and on a curator's device,
# in final records, an edited record, a deleted record and a draft. Then:
# the school device syncs over HTTPS, the curator's device goes by USB
# export → `tetrad-hub import` → a (harmless) push. Afterwards
#  - every change set the hub stored (audit table and quarantine) and every
#    envelope in the USB export file is decrypted with the hub's key
#    (tests/tools/tt-open) and none contains a planted value or the name of a
#    local field, while the hub-bound marker values ARE there (the check can
#    see plaintext);
#  - no log written during the test (hub, syncd, client stderr, import
#    output), no hub file (hub.db and everything in its folder), no hub
#    report or listing, and neither the client's outbox nor its batches
#    contain a planted value;
#  - the planted values ARE in the client's own records and its local export
#    (so they were really entered).
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-privacy.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

LOGS=$T/logs
mkdir -p "$LOGS" "$T/usb"
FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
need() { # NAME COMMAND... : a setup step that must work
	local name=$1
	shift
	if ! "$@" >>"$LOGS/setup.out" 2>>"$LOGS/client.err"; then
		fail "$name (exit $?): $(tail -3 "$LOGS/client.err" | tr '\n' ' ')"
		exit 1
	fi
}

# The planted values: every one must stay on its device.
PLANTED=(
	"Зыбкина Агриппина"
	"Кукушкин-Залесский Пафнутий"
	"Евлампия Шпигель"
	"Agrippina Zybkina-QX"
	"+7-901-555-01-99"
	"+7-902-555-77-11"
	"ЗЕЛЁНЫЙ ЖИРАФ"
	"Шпигель"
	"Зыбкин"
)
# Hub-bound values of the same records: must be visible after decryption.
MARKERS=("ПРИВ-ВИДИМЫЙ-1" "ПРИВ-ВИДИМЫЙ-2" "ПРИВ-КУРАТОР-1")

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
S=$T/school.db
C=$T/curator.db

hub_start "$T/hub" || exit 1

mediation() { # CASE_NUMBER STATUS NAME1 PHONE1 NAME2 SUMMARY
	local extra=""
	if [ "$2" = completed ]; then
		extra=',"programme":"mediation","programme_date":"2025-10-05","mediators_count":2,
		"student_comediator":true,"children_count":2,"adults_count":1,"agreement":true,
		"agreement_date":"2025-10-06","agreement_follow_up":"fulfilled",
		"difficulties":"без имён","school_reaction":"беседа"'
	fi
	cat <<EOF
{"case_number":"$1","received_date":"2025-10-01","source":"teacher","situation_kind":"bullying",
 "conflict_type":"student_student","status":"$2",
 "parties":[{"role":"student","class_name":"6А","age":12,"full_name":"$3","phone":"$4"},
            {"role":"adult","age":41,"full_name":"$5","phone":"+7-902-555-77-11"}],
 "summary":"$6"$extra}
EOF
}

new_record() { # DB FORM JSON [extra args] → prints the id
	local db=$1 form=$2 json=$3
	shift 3
	printf '%s' "$json" | "$TETRAD" --db "$db" new "$form" --json - "$@" 2>>"$LOGS/client.err" |
		tee -a "$LOGS/client.out" | tail -1
}

# --- school device -----------------------------------------------------------
need "tetrad init (school)" "$TETRAD" --db "$S" init --school 170103 --name "Школа 170103"
tok=$(hub_token --school 170103 --name "Школа 170103")
need "enroll school device (tetrad enroll)" "$TETRAD" --db "$S" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA"

id1=$(new_record "$S" mediation_case "$(mediation "ПРИВ-ВИДИМЫЙ-1" completed "Зыбкина Агриппина" \
	"+7-901-555-01-99" "Кукушкин-Залесский Пафнутий" "Зыбкина Агриппина и Евлампия Шпигель: ЗЕЛЁНЫЙ ЖИРАФ")")
id2=$(new_record "$S" mediation_case "$(mediation "ПРИВ-ВИДИМЫЙ-2" received "Agrippina Zybkina-QX" \
	"+7-901-555-01-99" "Евлампия Шпигель" "Зыбкин против Шпигель")")
id3=$(new_record "$S" mediation_case "$(mediation "ПРИВ-УДАЛЁН" received "Зыбкина Агриппина" \
	"+7-901-555-01-99" "Евлампия Шпигель" "будет удалён: Зыбкина Агриппина")")
draft=$(new_record "$S" mediation_case "$(mediation "ПРИВ-ЧЕРНОВИК" received "Зыбкина Агриппина" \
	"+7-901-555-01-99" "Евлампия Шпигель" "черновик: ЗЕЛЁНЫЙ ЖИРАФ")" --draft)
for v in "$id1" "$id2" "$id3" "$draft"; do
	if [ -z "$v" ]; then
		fail "creating the mediation records on the school device: $(tail -3 "$LOGS/client.err" | tr '\n' ' ')"
		exit 1
	fi
done
new_record "$S" social_passport '{"academic_year":"2025/2026","snapshot_date":"2025-10-01",
 "level":"school","students_total":400,"families_total":380,"large_families":40,
 "low_income_families":30,"single_parent_families":50,"foster_children":3,"orphans":2,
 "disabled_children":4,"special_needs":12,"sop_families":2,"tjs_families":5,"kdn_registered":1,
 "pdn_registered":1,"school_registered":6,"unemployed_parents":20,"parents_higher_education":90,
 "non_native_russian":15,"migrant_families":8}' >/dev/null
new_record "$S" survey_student '{"grade":7,"enough_equipment":4,"feel_safe":5,"like_learning":3,
 "teacher_helps":4,"tasks_fit_level":4,"response_date":"2026-02-10"}' >/dev/null

# first sync, then an edit of a local field, a delete, and a second sync
"$SYNCD" --once --db "$S" --batch 2 >>"$LOGS/syncd-school.out" 2>>"$LOGS/syncd-school.log"
rc1=$?
need "edit a local field" "$TETRAD" --db "$S" edit "$id2" --set "summary=ЗЕЛЁНЫЙ ЖИРАФ и Кукушкин-Залесский Пафнутий"
need "edit a party" "$TETRAD" --db "$S" edit "$id1" --set "school_reaction=беседа с классом"
need "delete a record" "$TETRAD" --db "$S" delete "$id3"
"$TETRAD" --db "$S" sync >>"$LOGS/syncd-school.out" 2>>"$LOGS/syncd-school.log"
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then
	pass "school device synced over HTTPS (tetrad-syncd --once, then tetrad sync)"
else
	fail "school device sync exit codes $rc1, $rc2: $(tail -3 "$LOGS/syncd-school.log" | tr '\n' ' ')"
fi

# --- curator device, by USB --------------------------------------------------
need "tetrad init (curator)" "$TETRAD" --db "$C" init --school 170103 --name "Куратор"
tok=$(hub_token --curator "Куратор Иванова" --schools 170103,170104)
need "enroll curator device" "$SYNCD" enroll --db "$C" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA"
cid=$(new_record "$C" mediation_case "$(mediation "ПРИВ-КУРАТОР-1" completed "Евлампия Шпигель" \
	"+7-901-555-01-99" "Agrippina Zybkina-QX" "куратор: Кукушкин-Залесский Пафнутий")" --school 170104)
[ -n "$cid" ] || fail "creating a mediation record on the curator's device: $(tail -2 "$LOGS/client.err" | tr '\n' ' ')"
"$SYNCD" export --db "$C" --out "$T/usb/curator.ttex" >>"$LOGS/syncd-curator.out" 2>>"$LOGS/syncd-curator.log"
rc1=$?
hub_cli import "$T/usb/curator.ttex" >>"$LOGS/hub-import.out" 2>>"$LOGS/hub-import.log"
rc2=$?
"$SYNCD" --once --db "$C" >>"$LOGS/syncd-curator.out" 2>>"$LOGS/syncd-curator.log"
rc3=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ] && [ -s "$T/usb/curator.ttex" ]; then
	pass "curator device: USB export, hub import, then a harmless push"
else
	fail "curator device: export $rc1, import $rc2, push $rc3: $(cat "$LOGS/hub-import.log" | tail -2 | tr '\n' ' ')"
fi

# --- the planted values are really on the devices ------------------------------
local_hits=$(sqlite3 "$S" "SELECT count(*) FROM records WHERE data LIKE '%Зыбкина Агриппина%'")
if [ "${local_hits:-0}" -ge 2 ] && "$TETRAD" --db "$S" export mediation_case --format json 2>>"$LOGS/client.err" |
	grep -qF "Кукушкин-Залесский Пафнутий"; then
	pass "planted values are stored on the device ($local_hits records) and in its local export"
else
	fail "planted values are not on the device: the test would prove nothing ($local_hits records)"
fi

# --- decrypt everything the hub holds and the USB file ---------------------------
"$TETRAD_BIN/tt-open" --data "$HUB_DIR" ${HUB_PG:+--store "$HUB_PG"} "$T/usb/curator.ttex" >"$T/plain.jsonl" 2>"$T/tt-open.err"
rc=$?
sets=$(wc -l <"$T/plain.jsonl")
if [ $rc -eq 0 ] && [ "$sets" -ge 5 ]; then
	pass "decrypted $sets change sets with the hub key ($(tail -1 "$T/tt-open.err"))"
else
	fail "tt-open exit $rc, $sets sets: $(cat "$T/tt-open.err" | tail -3 | tr '\n' ' ')"
fi
missing=""
for m in "${MARKERS[@]}"; do
	grep -qF "$m" "$T/plain.jsonl" || missing="$missing «$m»"
done
if [ -z "$missing" ]; then
	pass "hub-bound values of the same records are visible in the decrypted sets"
else
	fail "hub-bound values missing from the decrypted sets:$missing"
fi

# no planted value in any decrypted set, and no local field name in any op
leaks=""
for v in "${PLANTED[@]}"; do
	grep -qF "$v" "$T/plain.jsonl" && leaks="$leaks «$v»"
done
if [ -z "$leaks" ]; then
	pass "no planted value in any decrypted change set (${#PLANTED[@]} values, $sets sets)"
else
	fail "LEAK: decrypted change sets contain:$leaks"
fi
python3 - "$T/plain.jsonl" <<'PY'
import json, sys
bad = []
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("full_name", "phone", "summary"):
                bad.append(path + "." + k)
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
for line in open(sys.argv[1], encoding="utf-8"):
    cs = json.loads(line)
    for op in cs["ops"]:
        if op["form"] == "mediation_case" and op["op"] == "put":
            walk(op["fields"], "seq %d" % op["seq"])
if bad:
    print("not-ok", "; ".join(bad[:10]))
    sys.exit(1)
PY
if [ $? -eq 0 ]; then
	pass "no local field (full_name, phone, summary) present in any decrypted mediation op"
else
	fail "LEAK: local field names present in decrypted ops"
fi
if grep -qF "ПРИВ-ЧЕРНОВИК" "$T/plain.jsonl"; then
	fail "LEAK: a draft reached the hub"
else
	pass "the draft never left the device"
fi

# --- logs, hub files, hub listings, client outbox ------------------------------------
scan() { # NAME FILE... : none of the planted values in these files
	local name=$1 hits="" v
	shift
	for v in "${PLANTED[@]}"; do
		if grep -a -r -l -F -- "$v" "$@" >/dev/null 2>&1; then
			hits="$hits «$v» in $(grep -a -r -l -F -- "$v" "$@" 2>/dev/null | head -3 | tr '\n' ' ')"
		fi
	done
	if [ -z "$hits" ]; then
		pass "no planted value in $name"
	else
		fail "LEAK in $name:$hits"
	fi
}
hub_stop   # flush the hub's log and database files
scan "the logs written during the test ($(ls "$LOGS" | tr '\n' ' '), hub serve.log)" "$LOGS" "$HUB_LOG" "$HUB_DIR.init.log"
scan "the hub's folder (hub.db, WAL, keys, forms)" "$HUB_DIR"
{
	for r in mediation verification passport surveys identification; do
		hub_cli report "$r" --format csv 2>&1
	done
	hub_cli conflicts list --json 2>&1
	hub_cli quarantine list --json 2>&1
	hub_cli device list --json 2>&1
	hub_dump 2>&1
} >"$T/hub-views.txt"
scan "hub reports, listings and a full SQL dump of the hub's store" "$T/hub-views.txt"
sqlite3 "$S" "SELECT seq, op, fields, reason FROM outbox; SELECT hex(envelope), reason, ack FROM batches;" >"$T/school-outbox.txt"
sqlite3 "$C" "SELECT seq, op, fields, reason FROM outbox; SELECT hex(envelope), reason, ack FROM batches;" >"$T/curator-outbox.txt"
if [ -s "$T/school-outbox.txt" ]; then
	scan "the client outboxes and batches" "$T/school-outbox.txt" "$T/curator-outbox.txt"
else
	fail "the school device's outbox is empty: nothing was checked"
fi

echo "1..$N"
[ $FAILS -eq 0 ] || echo "# $FAILS of $N checks failed (KEEP=1 keeps $T)"
[ $FAILS -eq 0 ]
