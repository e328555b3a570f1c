#!/usr/bin/env bash
# test_local_at_rest — `local` values at rest (issue 21, the first "Must show"),
# through the real programs: `tetrad`, `tetrad-syncd` and a real hub on
# 127.0.0.1.
#
# A school PC gets mediation cases whose `local` fields (summary,
# parties[].full_name, parties[].phone) hold distinctive values: Cyrillic
# names with ё and й, an ASCII name with an apostrophe, phones, summaries
# with quotes, a tab, a backslash and a newline (so the JSON-escaped forms
# differ from the plain ones). They are edited several times (old versions
# left in free pages and in the WAL), one case is a draft, and the device
# syncs once (syncd's files exist too). Then `tetrad passphrase set`.
# Afterwards a byte scan (at_rest_scan.py: UTF-8, UTF-16LE/BE, NFD, JSON
# with and without \uXXXX escapes, CSV and SQL quoting) of every file under
# the client's folder — the database, its WAL, -shm, journal, the pulled
# forms, syncd's keys and state, a locked export written there — and of the
# client's TMPDIR and every log finds none of them, nor a distinctive
# substring (a surname alone, a phone's digits). With --passphrase-file
# `show --json` and `export` give back exactly what they gave before the
# passphrase. Records made, edited and imported with the passphrase set
# are scanned for too; `new` and `import` without it are refused (exit 6).
# A curator's laptop (a case of another school) gets the same. The devices
# sync again while locked: the hub got the new hub fields and none of the
# local values (its folder scanned, its change sets decrypted with tt-open).
# `passphrase remove` brings the values back plain. Last, a second PC whose
# database a reader holds during the edits and the set (syncd reading): the
# scrub stays pending while plain pages remain, and the next open finishes
# it — then its folder is clean too.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"
SCAN="python3 $SRC/tests/integration/at_rest_scan.py"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-atrest.XXXXXX")
READER=
cleanup() {
	hub_stop
	[ -n "$READER" ] && kill "$READER" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
DEV=$T/school            # the client's folder: the database and all beside it
S=$DEV/school.db
LOGS=$T/logs             # everything the programs print (scanned too)
PRIV=$T/priv             # outputs that hold the values on purpose (not scanned)
mkdir -p "$DEV" "$LOGS" "$PRIV" "$T/tmp"
export TMPDIR=$T/tmp     # the client's temporary files, if any (scanned)
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE
printf 'Сирень-и-Ландыш 2026\n' >"$T/pass1"
chmod 600 "$T/pass1"

N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
# run NAME COMMAND...: must exit 0; stdout to $LOGS/NAME.out (scanned), stderr to $LOGS/client.err
step=0
run() {
	local name=$1 rc
	shift
	step=$((step + 1))
	OUT=$LOGS/$step.out
	"$@" >"$OUT" 2>>"$LOGS/client.err" </dev/null
	rc=$?
	if [ "$rc" = 0 ]; then pass "$name"; else
		fail "$name: exit $rc: $(tail -3 "$LOGS/client.err" | tr '\n' ' ' | cut -c1-600)"
	fi
	return $rc
}
# scan NAME PATH...: no planted value in any form
scan() {
	local name=$1
	shift
	if $SCAN "$T/values.json" "$@" >"$T/scan.txt" 2>&1; then
		pass "$name: none found ($(head -1 "$T/scan.txt"))"
	else
		fail "LEAK in $name: $(grep -v '^scanned' "$T/scan.txt" | head -8 | tr '\n' ' ' | cut -c1-1200)"
	fi
}

hub_start "$T/hub" || exit 1

# --- the planted values ---------------------------------------------------------
# final values (read back exactly at the end) and old ones (edited away before
# the passphrase: they must be gone from free space too)
A0_NAME="Зюзикова Аглая Пантелеймоновна"
A0_PHONE="+7 912 000-11-22"
A1_NAME="Трифонов-Бельский Евграф Кузьмич"
A1_PHONE="+7 913 555-44-33"
A_SUM=$'Спор о «Лунном камне»: "ты взял его" — сказала Зюзикова\nвторая строка: Трифонов-Бельский плакал'
B0_NAME="Ксенофонтова Улита Ермолаевна"
B0_PHONE="8 (914) 777-66-55"
B1_NAME="Pafnutiy O'Brien-Zhukovets"
B1_PHONE="+7 915 123-98-76"
B_SUM=$'Табуляция\tи обратная косая \\ черта; Ксенофонтова против O'"'"'Brien-Zhukovets'
C0_NAME="Янтарёва Ёлка Фёдоровна"
C0_PHONE="+7 916 246-80-13"
C_SUM="черновик: Янтарёва и «жёлтый зонт»"
OLD_SUM=$'Первая версия сути: Зюзикова толкнула\nКузьмича у «Лунного камня»'
OLD=(
	"Зюзикова Аглая (первая запись)"
	"+7 912 000-99-88"
	"$OLD_SUM"
	"Вторая версия сути: Евграф Кузьмич вернул камень"
	"Ксенофонтова У. Е. (черновая)"
	"Старая суть: Улита Ермолаевна разбила окно"
)
# distinctive pieces: a surname, a patronymic, a phone's digits alone
PIECES=(
	"Зюзиков" "Пантелеймонов" "Трифонов-Бельск" "Евграф" "Ксенофонтов" "Ермолаевн"
	"O'Brien" "Zhukovets" "Янтарёв" "Ёлка Ф" "Лунном камне" "жёлтый зонт"
	"000-11-22" "555-44-33" "777-66-55" "123-98-76" "246-80-13" "000-99-88"
)
# made with the passphrase set
D0_NAME="Пафнутьева Секлетинья Збигневна"
D0_PHONE="+7 917 864-20-31"
D_SUM=$'после пароля: "Секлетинья" ушла\nс урока'
A_SUM2="Суть после пароля: Зюзикова и Трифонов-Бельский помирились у Лунного камня"

python3 - "$T/values.json" "$A0_NAME" "$A0_PHONE" "$A1_NAME" "$A1_PHONE" "$A_SUM" \
	"$B0_NAME" "$B0_PHONE" "$B1_NAME" "$B1_PHONE" "$B_SUM" "$C0_NAME" "$C0_PHONE" "$C_SUM" \
	"${OLD[@]}" "${PIECES[@]}" <<'PY'
import json, sys
json.dump(sys.argv[2:], open(sys.argv[1], "w"), ensure_ascii=False)
PY
# the final values only: what the positive control must find before the passphrase
python3 - "$T/final.json" "$A0_NAME" "$A0_PHONE" "$A1_NAME" "$A1_PHONE" "$A_SUM" \
	"$B0_NAME" "$B0_PHONE" "$B1_NAME" "$B1_PHONE" "$B_SUM" "$C0_NAME" "$C0_PHONE" "$C_SUM" <<'PY'
import json, sys
json.dump(sys.argv[2:], open(sys.argv[1], "w"), ensure_ascii=False)
PY

# mediation JSON: case_number, status, name0, phone0, name1, phone1, summary
mcase() {
	python3 - "$@" <<'PY'
import json, sys
n, st, n0, p0, n1, p1, s = sys.argv[1:8]
d = {"case_number": n, "received_date": "2026-10-01", "source": "teacher",
     "situation_kind": "conflict", "conflict_type": "student_student", "status": st,
     "parties": [{"role": "student", "class_name": "6А", "age": 12, "full_name": n0, "phone": p0}],
     "summary": s}
if n1:
    d["parties"].append({"role": "adult", "age": 40, "full_name": n1, "phone": p1})
if st == "completed":
    d.update({"programme": "mediation", "programme_date": "2026-10-05", "mediators_count": 2,
              "student_comediator": True, "children_count": 2, "adults_count": 1,
              "agreement": True, "agreement_date": "2026-10-06",
              "agreement_follow_up": "fulfilled", "difficulties": "ХАБ-ВИДНО-А",
              "school_reaction": "беседа"})
print(json.dumps(d, ensure_ascii=False))
PY
}
newcase() { # ARGS for tetrad before `new` … ; JSON on stdin via $JSON → prints the id
	local rc
	step=$((step + 1))
	printf '%s' "$JSON" | "$TETRAD" --db "$S" "$@" >"$LOGS/$step.out" 2>>"$LOGS/client.err"
	rc=$?
	tail -n 1 "$LOGS/$step.out"
	return $rc
}

# --- a school PC, enrolled, with the cases ------------------------------------------
run "init the school PC" "$TETRAD" --db "$S" init --school 170103 --name "Школа 170103" || exit 1
run "enroll it" "$TETRAD" --db "$S" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" || exit 1

JSON=$(mcase "ХАБ-А-1" completed "${OLD[0]}" "${OLD[1]}" "$A1_NAME" "$A1_PHONE" "${OLD[2]}")
A=$(newcase new mediation_case --json -)
JSON=$(mcase "ХАБ-Б-2" received "${OLD[4]}" "$B0_PHONE" "$B1_NAME" "$B1_PHONE" "${OLD[5]}")
B=$(newcase new mediation_case --json -)
JSON=$(mcase "ХАБ-В-3" received "$C0_NAME" "$C0_PHONE" "" "" "$C_SUM")
C=$(newcase new mediation_case --json - --draft)
for v in "$A" "$B" "$C"; do
	case "$v" in
	????????-????-????-????-????????????) ;;
	*) fail "making the cases: «$v» $(tail -3 "$LOGS/client.err" | tr '\n' ' ')"; exit 1 ;;
	esac
done
pass "three mediation cases made (one a draft)"
run "edit A's summary (2nd version)" "$TETRAD" --db "$S" edit "$A" --set "summary=${OLD[3]}"
run "edit B's summary and a name" "$TETRAD" --db "$S" edit "$B" --set "summary=$B_SUM" --set "parties[0].full_name=$B0_NAME"
run "sync once before the passphrase" "$TETRAD" --db "$S" sync
run "edit A: a party's name and phone" "$TETRAD" --db "$S" edit "$A" \
	--set "parties[0].full_name=$A0_NAME" --set "parties[0].phone=$A0_PHONE"
JSON=$(python3 -c 'import json,sys; print(json.dumps({"summary": sys.argv[1]}, ensure_ascii=False))' "$A_SUM")
step=$((step + 1))
if printf '%s' "$JSON" | "$TETRAD" --db "$S" edit "$A" --json - >"$LOGS/$step.out" 2>>"$LOGS/client.err"; then
	pass "edit A's summary (final, with quotes and a newline)"
else
	fail "edit A's summary: $(tail -2 "$LOGS/client.err" | tr '\n' ' ')"
fi
run "edit the draft's hub field" "$TETRAD" --db "$S" edit "$C" --set "parties[0].class_name=6Б"
run "social passport (no local fields)" "$TETRAD" --db "$S" new social_passport --json "$SRC/tests/data/forms/social_passport.good.json"

for id in "$A" "$B" "$C"; do
	"$TETRAD" --db "$S" show --json "$id" >"$PRIV/before-$id.json" 2>>"$LOGS/client.err"
done
"$TETRAD" --db "$S" export mediation_case --format json --out "$PRIV/before-export.json" >/dev/null 2>>"$LOGS/client.err"
python3 - "$PRIV" "$A" "$B" "$C" "$A0_NAME" "$A0_PHONE" "$A1_NAME" "$A_SUM" "$B0_NAME" "$B1_NAME" "$B_SUM" "$C0_NAME" "$C_SUM" <<'PY' >"$T/check.txt" 2>&1
import json, sys
d, a, b, c = sys.argv[1:5]
want = sys.argv[5:]
get = lambda i: json.load(open("%s/before-%s.json" % (d, i), encoding="utf-8"))["data"]
ra, rb, rc = get(a), get(b), get(c)
got = [ra["parties"][0]["full_name"], ra["parties"][0]["phone"], ra["parties"][1]["full_name"],
       ra["summary"], rb["parties"][0]["full_name"], rb["parties"][1]["full_name"], rb["summary"],
       rc["parties"][0]["full_name"], rc["summary"]]
bad = [(g, w) for g, w in zip(got, want) if g != w]
print(bad or "ok")
sys.exit(1 if bad else 0)
PY
if [ $? = 0 ]; then pass "the planted values are in the records before the passphrase"; else
	fail "the records before the passphrase: $(cat "$T/check.txt")"; fi
if $SCAN --expect-all "$T/final.json" "$DEV" >"$T/scan.txt" 2>&1; then
	pass "positive control: the scanner finds every final value in the folder before the passphrase"
else
	fail "positive control: $(tr '\n' ' ' <"$T/scan.txt" | cut -c1-600)"
fi
old_seen=0
for v in "${OLD[@]}"; do
	python3 -c 'import json,sys; json.dump([sys.argv[2]], open(sys.argv[1], "w"), ensure_ascii=False)' "$T/one.json" "$v"
	$SCAN --expect-all "$T/one.json" "$DEV" >/dev/null 2>&1 && old_seen=$((old_seen + 1))
done
echo "# before the passphrase: $old_seen of ${#OLD[@]} edited-away values still in the folder's free space or WAL"

# --- the passphrase ---------------------------------------------------------------
run "tetrad passphrase set" "$TETRAD" --db "$S" --new-passphrase-file "$T/pass1" passphrase set
cp "$OUT" "$PRIV/set.out"     # holds the recovery key: not with the scanned logs
: >"$OUT"
if grep -qF "Ключ восстановления" "$PRIV/set.out"; then pass "set prints the recovery key"; else
	fail "no recovery key in set's output: $(head -c 300 "$PRIV/set.out")"; fi
run "passphrase status" "$TETRAD" --db "$S" passphrase status --json
st=$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o.get("set"), o.get("hidden_records"), o.get("scrub_pending"))' "$OUT" 2>&1)
if [ "$st" = "True 3 False" ]; then pass "status --json: set, 3 records hidden, no scrub pending"; else
	fail "status --json (set hidden_records scrub_pending): $st"; fi
run "tetrad status (locked)" "$TETRAD" --db "$S" status
if grep -qF "Пароль: задан" "$OUT"; then pass "status says «Пароль: задан»"; else
	fail "status: no «Пароль: задан»: $(tr '\n' ' ' <"$OUT" | cut -c1-300)"; fi
sealed=$(sqlite3 "$S" "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")
if [ "$sealed" = 3 ]; then pass "3 records hold sealed values (the draft too)"; else
	fail "records with sealed values: $sealed, want 3"; fi
eq_plain=$(sqlite3 "$S" "SELECT COUNT(*) FROM records WHERE json_extract(data,'\$.summary') IS NOT NULL OR data LIKE '%full_name%' OR data LIKE '%\"phone\"%'")
if [ "$eq_plain" = 0 ]; then pass "no record's data has a local field left"; else
	fail "$eq_plain records still have a local field in data"; fi
scan "every file under the client's folder after set ($(cd "$DEV" && ls -A | tr '\n' ' '))" "$DEV" "$TMPDIR"

# --- locked reads and a locked export into the client's folder ----------------------
run "show (locked)" "$TETRAD" --db "$S" show --json "$A"
python3 - "$OUT" <<'PY' >"$T/check.txt" 2>&1
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
d = r["data"]
ok = (d.get("summary") == "скрыто" and d["parties"][0].get("full_name") == "скрыто"
      and d["parties"][0].get("phone") == "скрыто" and d["parties"][0].get("class_name") == "6А"
      and d.get("case_number") == "ХАБ-А-1" and r.get("hidden") is True)
print("ok" if ok else json.dumps(r, ensure_ascii=False)[:600])
sys.exit(0 if ok else 1)
PY
if [ $? = 0 ]; then pass "locked show: «скрыто» for the local fields, hub fields plain, \"hidden\": true"; else
	fail "locked show: $(cat "$T/check.txt")"; fi
run "export json (locked) into the client's folder" "$TETRAD" --db "$S" export mediation_case --format json --out "$DEV/export-locked.json"
run "export csv (locked) into the client's folder" "$TETRAD" --db "$S" export mediation_case --format csv --out "$DEV/export-locked.csv"
run "list (locked)" "$TETRAD" --db "$S" list --json
if grep -qF "скрыто" "$DEV/export-locked.json" && grep -qF "скрыто" "$DEV/export-locked.csv" &&
	grep -qF "ХАБ-Б-2" "$DEV/export-locked.csv"; then
	pass "the locked exports hold «скрыто» and the hub fields"
else
	fail "the locked exports lack «скрыто» or hub fields"
fi
scan "the client's folder with the locked exports" "$DEV" "$TMPDIR"

# --- with the passphrase: exactly what was there before -----------------------------
for id in "$A" "$B" "$C"; do
	"$TETRAD" --db "$S" --passphrase-file "$T/pass1" show --json "$id" >"$PRIV/after-$id.json" 2>>"$LOGS/client.err" </dev/null ||
		fail "show --passphrase-file $id: $(tail -2 "$LOGS/client.err" | tr '\n' ' ')"
done
"$TETRAD" --db "$S" --passphrase-file "$T/pass1" export mediation_case --format json \
	--out "$PRIV/after-export.json" >/dev/null 2>>"$LOGS/client.err" </dev/null
python3 - "$PRIV" "$A" "$B" "$C" <<'PY' >"$T/check.txt" 2>&1
import json, sys
d = sys.argv[1]
bad = []
for i in sys.argv[2:5]:
    try:
        b = json.load(open("%s/before-%s.json" % (d, i), encoding="utf-8"))
        a = json.load(open("%s/after-%s.json" % (d, i), encoding="utf-8"))
    except Exception as e:
        bad.append("%s: %s" % (i, e))
        continue
    a.pop("hidden", None)
    if a != b:
        bad.append("%s: before %s after %s" % (i, json.dumps(b["data"], ensure_ascii=False)[:300],
                                             json.dumps(a.get("data"), ensure_ascii=False)[:300]))
def recs(p):
    v = json.load(open(p, encoding="utf-8"))
    if isinstance(v, dict):
        v = v.get("records", v)
    return {r["id"]: r.get("data") for r in v}
try:
    if recs(d + "/before-export.json") != recs(d + "/after-export.json"):
        bad.append("the export with the passphrase differs from the one before")
except Exception as e:
    bad.append("export: %s" % e)
print("; ".join(bad) or "ok")
sys.exit(1 if bad else 0)
PY
if [ $? = 0 ]; then pass "with the passphrase show --json and export give exactly what they gave before"; else
	fail "read back: $(cut -c1-900 "$T/check.txt")"; fi

# --- records made and edited while a passphrase is set -------------------------------
JSON=$(mcase "ХАБ-Г-4" received "$D0_NAME" "$D0_PHONE" "" "" "$D_SUM")
step=$((step + 1))
printf '%s' "$JSON" | "$TETRAD" --db "$S" new mediation_case --json - >"$LOGS/$step.out" 2>"$LOGS/new-locked.err"
rc=$?
cat "$LOGS/new-locked.err" >>"$LOGS/client.err"
if [ $rc = 6 ]; then pass "new with local values and no passphrase: exit 6"; else
	fail "new with local values and no passphrase: exit $rc, want 6"; fi
if [ "$(sqlite3 "$S" "SELECT COUNT(*) FROM records WHERE data LIKE '%ХАБ-Г-4%'")" = 0 ]; then
	pass "and nothing was written"; else fail "a refused new wrote a record"; fi
D=$(newcase --passphrase-file "$T/pass1" new mediation_case --json -)
case "$D" in
????????-????-????-????-????????????) pass "new with --passphrase-file: $D" ;;
*) fail "new with --passphrase-file: «$D» $(tail -2 "$LOGS/client.err" | tr '\n' ' ')" ;;
esac
run "edit A's summary with the passphrase" "$TETRAD" --db "$S" --passphrase-file "$T/pass1" edit "$A" --set "summary=$A_SUM2"
F0_NAME="Евдокимова-Шпак Фёкла Автономовна"
F0_PHONE="+7 918 303-03-47"
F_SUM=$'импорт: Фёкла сказала "нет"\nи ушла'
python3 - "$PRIV/import.csv" "$F0_NAME" "$F0_PHONE" "$F_SUM" <<'PY'
import csv, json, sys
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, delimiter=";")
    w.writerow(["case_number", "received_date", "source", "situation_kind", "conflict_type",
                "status", "parties", "summary"])
    w.writerow(["ХАБ-Д-6", "2026-10-02", "teacher", "conflict", "student_student", "received",
                json.dumps([{"role": "student", "class_name": "8А", "full_name": sys.argv[2],
                             "phone": sys.argv[3]}], ensure_ascii=False), sys.argv[4]])
PY
step=$((step + 1))
"$TETRAD" --db "$S" import mediation_case --csv "$PRIV/import.csv" >"$LOGS/$step.out" 2>>"$LOGS/client.err" </dev/null
rc=$?
if [ $rc = 6 ]; then pass "import of local values without the passphrase: exit 6"; else
	fail "import of local values without the passphrase: exit $rc, want 6"; fi
run "import of local values with --passphrase-file" "$TETRAD" --db "$S" --passphrase-file "$T/pass1" import mediation_case --csv "$PRIV/import.csv"
python3 - "$T/values.json" "$D0_NAME" "$D0_PHONE" "$D_SUM" "$A_SUM2" "Секлетинья" "Збигневн" "864-20-31" "помирились у Лунного" \
	"$F0_NAME" "$F0_PHONE" "$F_SUM" "Евдокимова-Шпак" "Автономовн" "303-03-47" <<'PY'
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
json.dump(v + sys.argv[2:], open(sys.argv[1], "w"), ensure_ascii=False)
PY
scan "the client's folder after a new, an edited and an imported record with the passphrase set" "$DEV" "$TMPDIR"
"$TETRAD" --db "$S" --passphrase-file "$T/pass1" show --json "$D" >"$PRIV/d.json" 2>>"$LOGS/client.err" </dev/null
"$TETRAD" --db "$S" --passphrase-file "$T/pass1" show --json "$A" >"$PRIV/a2.json" 2>>"$LOGS/client.err" </dev/null
"$TETRAD" --db "$S" --passphrase-file "$T/pass1" export mediation_case --format json --out "$PRIV/imp-export.json" >/dev/null 2>>"$LOGS/client.err" </dev/null
if python3 -c '
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
r = [x["data"] for x in v if x["data"].get("case_number") == "ХАБ-Д-6"]
sys.exit(0 if len(r) == 1 and r[0]["parties"][0].get("full_name") == sys.argv[2] and r[0]["parties"][0].get("phone") == sys.argv[3] and r[0].get("summary") == sys.argv[4] else 1)' \
	"$PRIV/imp-export.json" "$F0_NAME" "$F0_PHONE" "$F_SUM" 2>>"$LOGS/client.err"; then
	pass "the imported case reads back exactly with the passphrase"
else
	fail "the imported case: not exact (or not once) in the export with the passphrase"
fi
python3 - "$PRIV/d.json" "$PRIV/a2.json" "$D0_NAME" "$D0_PHONE" "$D_SUM" "$A_SUM2" "$A0_NAME" "$A1_PHONE" <<'PY' >"$T/check.txt" 2>&1
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))["data"]
    a = json.load(open(sys.argv[2], encoding="utf-8"))["data"]
    got = [d["parties"][0]["full_name"], d["parties"][0]["phone"], d["summary"], a["summary"],
           a["parties"][0]["full_name"], a["parties"][1]["phone"]]
except Exception as e:
    print("unreadable: %s" % e)
    sys.exit(1)
bad = [(g, w) for g, w in zip(got, sys.argv[3:]) if g != w]
print(bad or "ok")
sys.exit(1 if bad else 0)
PY
if [ $? = 0 ]; then pass "the new record and the edit read back exactly with the passphrase"; else
	fail "new/edited with the passphrase: $(cut -c1-600 "$T/check.txt")"; fi

# --- a curator's laptop: a case of another school, then the passphrase ------------------
CUR=$T/curator
K=$CUR/curator.db
mkdir -p "$CUR"
K0_NAME="Щукина-Оболенская Вевея Ипатьевна"
K0_PHONE="+7 919 414-14-58"
K_SUM=$'куратор: "Вевея" и\nеё брат'
run "init a curator's laptop" "$TETRAD" --db "$K" init --curator --name "Куратор Иванова"
run "enroll it" "$TETRAD" --db "$K" enroll --hub "$HUB_URL" \
	--token "$(hub_token --curator "Куратор Иванова" --schools 170103,170104)" --ca "$HUB_CA"
JSON=$(mcase "ХАБ-К-7" received "$K0_NAME" "$K0_PHONE" "" "" "$K_SUM")
step=$((step + 1))
KID=$(printf '%s' "$JSON" | "$TETRAD" --db "$K" new mediation_case --json - --school 170104 2>>"$LOGS/client.err" | tail -n 1)
"$TETRAD" --db "$K" show --json "$KID" >"$PRIV/k-before.json" 2>>"$LOGS/client.err" </dev/null
run "passphrase set on the curator's laptop" "$TETRAD" --db "$K" --new-passphrase-file "$T/pass1" passphrase set --no-recovery
python3 - "$T/values.json" "$K0_NAME" "$K0_PHONE" "$K_SUM" "Щукина-Оболенск" "Вевея" "414-14-58" <<'PY'
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
json.dump(v + sys.argv[2:], open(sys.argv[1], "w"), ensure_ascii=False)
PY
scan "the curator's folder after set ($(cd "$CUR" && ls -A | tr '\n' ' '))" "$CUR"
"$TETRAD" --db "$K" --passphrase-file "$T/pass1" show --json "$KID" >"$PRIV/k-after.json" 2>>"$LOGS/client.err" </dev/null
if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); a.pop("hidden",None); sys.exit(0 if a==json.load(open(sys.argv[2])) and a["data"]["summary"]==sys.argv[3] else 1)' \
	"$PRIV/k-after.json" "$PRIV/k-before.json" "$K_SUM" 2>/dev/null; then
	pass "the curator's case reads back exactly with the passphrase"
else
	fail "the curator's case: $(head -c 400 "$PRIV/k-after.json")"
fi
run "the curator's laptop syncs while locked" "$TETRAD" --db "$K" sync

# --- sync while locked; the hub never has a local value ------------------------------
run "sync while locked (no passphrase)" "$TETRAD" --db "$S" sync
hub_stop
if sqlite3 "$HUB_DIR/hub.db" "SELECT data FROM hub_records" | grep -qF "ХАБ-Г-4" &&
	sqlite3 "$HUB_DIR/hub.db" "SELECT data FROM hub_records" | grep -qF "ХАБ-К-7"; then
	pass "the hub got the cases made with the passphrase set (school's and curator's hub fields)"
else
	fail "the hub lacks ХАБ-Г-4 or ХАБ-К-7"
fi
"$TETRAD_BIN/tt-open" --data "$HUB_DIR" >"$T/hub-sets.jsonl" 2>"$T/tt-open.err"
if [ -s "$T/hub-sets.jsonl" ] && grep -qF "ХАБ-А-1" "$T/hub-sets.jsonl"; then
	pass "decrypted the hub's change sets ($(wc -l <"$T/hub-sets.jsonl") sets)"
else
	fail "tt-open gave nothing: $(tail -2 "$T/tt-open.err" | tr '\n' ' ')"
fi
sqlite3 "$HUB_DIR/hub.db" .dump >"$T/hub-dump.sql" 2>&1
scan "the hub's folder, a dump of hub.db and its decrypted change sets" "$HUB_DIR" "$T/hub-dump.sql" "$T/hub-sets.jsonl"
scan "every log and output (client, syncd, hub)" "$LOGS" "$HUB_LOG" "$HUB_DIR.init.log"

# --- remove: the values come back plain ---------------------------------------------
run "passphrase remove" "$TETRAD" --db "$S" --passphrase-file "$T/pass1" passphrase remove --yes
"$TETRAD" --db "$S" show --json "$D" >"$PRIV/d-plain.json" 2>>"$LOGS/client.err" </dev/null
if [ "$(sqlite3 "$S" "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")" = 0 ] &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; sys.exit(0 if d["parties"][0]["full_name"]==sys.argv[2] and d["summary"]==sys.argv[3] else 1)' \
		"$PRIV/d-plain.json" "$D0_NAME" "$D_SUM" 2>/dev/null; then
	pass "after remove: nothing sealed, values plain and exact without a passphrase"
else
	fail "after remove: $(head -c 400 "$PRIV/d-plain.json")"
fi

# --- a reader holds the database during the edits and the set (syncd reading) ------
# Its snapshot keeps the WAL from being checkpointed: the old versions stay
# in the WAL and the plain pages in the main file until it lets go. The set
# must leave the scrub pending (meta vault_scrub) and the next open of the
# store must finish it.
DEV2=$T/school2
S2=$DEV2/school2.db
mkdir -p "$DEV2"
run "init a second school PC" "$TETRAD" --db "$S2" init --school 170103 --name "Школа 170103"
E_OLD="Зюзикова Аглая (первая запись)"
JSON=$(mcase "ХАБ-Е-5" received "$E_OLD" "+7 912 000-99-88" "" "" "${OLD[2]}")
step=$((step + 1))
E=$(printf '%s' "$JSON" | "$TETRAD" --db "$S2" new mediation_case --json - 2>>"$LOGS/client.err" | tail -n 1)
echo "# the second PC's case: $E"
rm -f "$T/release"
python3 - "$S2" "$T/held" "$T/release" <<'PY' &
import os, sqlite3, sys, time
db, held, release = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN")
c.execute("SELECT COUNT(*) FROM records").fetchone()
open(held, "w").close()
t = time.time()
while not os.path.exists(release) and time.time() - t < 120:
    time.sleep(0.05)
c.execute("COMMIT")
c.close()
PY
READER=$!
for i in $(seq 1 100); do [ -e "$T/held" ] && break; sleep 0.05; done
run "edit under the reader: a name and a phone" "$TETRAD" --db "$S2" edit "$E" \
	--set "parties[0].full_name=$A0_NAME" --set "parties[0].phone=$A0_PHONE"
run "edit under the reader: the summary" "$TETRAD" --db "$S2" edit "$E" --set "summary=$C_SUM"
run "passphrase set while a reader holds the database" "$TETRAD" --db "$S2" --new-passphrase-file "$T/pass1" passphrase set --no-recovery
pending=$("$TETRAD" --db "$S2" passphrase status --json 2>>"$LOGS/client.err" </dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin).get("scrub_pending"))' 2>&1)
echo "# under the reader: scrub_pending=$pending, meta vault_scrub=«$(sqlite3 "$S2" "SELECT value FROM meta WHERE key='vault_scrub'" 2>/dev/null)»"
if $SCAN "$T/values.json" "$DEV2" >"$T/scan.txt" 2>&1; then
	pass "the folder is clean even while the reader holds the database"
elif [ "$pending" = True ]; then
	pass "while the reader holds it plain values remain and the scrub is pending"
else
	fail "plain values remain under the reader but no scrub is pending: $(grep HIT "$T/scan.txt" | head -3 | tr '\n' ' ')"
fi
touch "$T/release"
wait "$READER"
READER=
run "the next command (store_open finishes the scrub)" "$TETRAD" --db "$S2" status
scrub=$(sqlite3 "$S2" "SELECT COALESCE((SELECT value FROM meta WHERE key='vault_scrub'),'')")
if [ "$scrub" = "" ] || [ "$scrub" = 0 ]; then pass "no scrub pending after the next open"; else
	fail "meta vault_scrub=«$scrub» after the reader let go and the store was opened again"; fi
scan "the second PC's folder after the scrub finished ($(cd "$DEV2" && ls -A | tr '\n' ' '))" "$DEV2"
"$TETRAD" --db "$S2" --passphrase-file "$T/pass1" show --json "$E" >"$PRIV/e.json" 2>>"$LOGS/client.err" </dev/null
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; sys.exit(0 if d["parties"][0]["full_name"]==sys.argv[2] and d["parties"][0]["phone"]==sys.argv[3] and d["summary"]==sys.argv[4] else 1)' \
	"$PRIV/e.json" "$A0_NAME" "$A0_PHONE" "$C_SUM" 2>/dev/null; then
	pass "the second PC's case reads back exactly with the passphrase"
else
	fail "the second PC's case: $(head -c 400 "$PRIV/e.json")"
fi

echo "1..$N"
[ $FAILS -eq 0 ] || echo "# $FAILS of $N checks failed (KEEP=1 keeps $T)"
[ $FAILS -eq 0 ]
