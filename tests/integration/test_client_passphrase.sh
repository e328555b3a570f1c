#!/usr/bin/env bash
# test_client_passphrase — `tetrad passphrase` end to end on a real SQLite
# file (TETRAD_PWHASH=test: the library's minimum Argon2id, tests only):
# set from files with the recovery key printed once; a wrong passphrase
# refused with exit 6, a Russian message and nothing changed; the wait after
# five wrong attempts in a row (measured); change (the old one refused, the
# new one and the recovery key accepted) and change --recovery; remove
# (values plain again); reset (hidden values gone, hub fields kept);
# «скрыто» in show, list --json and export while locked, the values with the
# passphrase; an import of «скрыто» cells keeping the stored values; and on a
# pseudo-terminal (pty_drive.py) the prompts with echo off: the typed
# passphrase never appears in what the terminal shows. A passphrase file
# others may read is refused (exit 6), as syncd and the hub refuse theirs.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
T="$BIN/tetrad"
HERE=$(cd "$(dirname "$0")" && pwd)
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE TETRAD_PROMPT TETRAD_DB
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DB="$W/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_rc() { # expect_rc WANT DESC -- cmd...   (stdin: /dev/null, not a terminal)
	local want=$1 desc=$2; shift 3
	"$@" </dev/null >"$W/out" 2>"$W/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; cat "$W/err" >&2; fi
}
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; tail -c 2000 "$1" >&2; fi; }
lacks() { if grep -qF -- "$2" "$1"; then bad "$1 has «$2»"; else ok; fi; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }
# jget FILE EXPR: a Python expression over the JSON d in FILE, printed
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# drive NAME ARGS... : tetrad on a terminal with the steps in $W/NAME.steps
drive() {
	local name=$1; shift
	if python3 "$HERE/pty_drive.py" "$W/$name.steps" "$W/$name.out" -- "$T" "$@"
	then ok; else bad "$name: the terminal session did not go as scripted"; fi
}
now_ms() { date +%s%3N; }

P1="корова-батарейка-скрепка 1" P2="второй пароль 22" P3="третий-пароль-333" BADP="не тот пароль 9"
for n in P1 P2 P3 BADP; do printf '%s\n' "${!n}" >"$W/$n"; chmod 600 "$W/$n"; done

"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || { echo "init failed"; exit 1; }
PN="ПЛАНТ-ФИО-Сидоров" PP="+7-900-ПЛАНТ-11" PS="ПЛАНТ-СУТЬ-спор-о-тетради" PN2="ПЛАНТ-ФИО-Петрова"
mk() { # mk CASE_NUMBER [extra --set ...]: a mediation case, its id in $W/out
	local cn=$1; shift
	"$T" --db "$DB" "$@" new mediation_case --set case_number="$cn" --set received_date=01.11.2026 \
		--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
		--set status=received --set "parties[0].role=student" --set "parties[0].class_name=5А" \
		--set "parties[0].full_name=$PN" --set "parties[0].phone=$PP" --set "parties[1].role=adult" \
		--set "parties[1].full_name=$PN2" --set "summary=$PS" </dev/null >"$W/out" 2>"$W/err"
}
mk 2026-1 && ok || bad "new case"
ID1=$(cat "$W/out")
contains "$W/err" "пароль не задан: ФИО, телефоны и суть конфликта хранятся на этом компьютере открыто"
expect_rc 0 "status unset" -- "$T" --db "$DB" status
contains "$W/out" "Пароль: не задан"
contains "$W/err" "tetrad passphrase set"
expect_rc 0 "passphrase status unset" -- "$T" --db "$DB" passphrase status --json
eq "$(jget "$W/out" 'd["set"]')" False "status json: not set"

# --- set, from a file: the recovery key once, framed, on stdout
expect_rc 0 "set" -- "$T" --db "$DB" --new-passphrase-file "$W/P1" passphrase set
contains "$W/out" "Ключ восстановления:"
contains "$W/out" "сейф"
KEY=$(grep -oE '[A-Z2-7]{4}(-[A-Z2-7]{4}){7}' "$W/out" | head -n 1)
[ -n "$KEY" ] && ok || bad "no recovery key in «$(cat "$W/out")»"
printf '%s\n' "$KEY" >"$W/KEY"; chmod 600 "$W/KEY"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'ПЛАНТ')")" 0 "no local value left in data"
eq "$(q "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")" 1 "sealed"
expect_rc 2 "set twice" -- "$T" --db "$DB" --new-passphrase-file "$W/P2" passphrase set
expect_rc 0 "status set" -- "$T" --db "$DB" status
contains "$W/out" "Пароль: задан (скрытых записей: 1)"
lacks "$W/err" "пароль не задан"
expect_rc 0 "status json" -- "$T" --db "$DB" status --json
eq "$(jget "$W/out" 'd["passphrase"]["set"], d["passphrase"]["hidden_records"]')" "(True, 1)" "status json passphrase"
expect_rc 0 "passphrase status" -- "$T" --db "$DB" passphrase status --json
eq "$(jget "$W/out" 'd["set"], d["recovery"], d["hidden_records"]')" "(True, True, 1)" "status json"
expect_rc 0 "passphrase status text" -- "$T" --db "$DB" passphrase status
for f in "$W/out" "$W/err"; do lacks "$f" "$KEY"; lacks "$f" "$P1"; done

# --- locked: «скрыто» everywhere a local value would be
expect_rc 0 "show locked" -- "$T" --db "$DB" show "$ID1"
contains "$W/out" "скрыто"
lacks "$W/out" "ПЛАНТ"
contains "$W/out" "2026-1"
contains "$W/out" "Поля «скрыто» зашифрованы паролем. Чтобы увидеть их, повторите команду и введите пароль: tetrad show $ID1 (или --passphrase-file ФАЙЛ)."
expect_rc 0 "show json locked" -- "$T" --db "$DB" show "$ID1" --json
eq "$(jget "$W/out" 'd["hidden"], d["data"]["summary"], d["data"]["parties"][0]["full_name"], d["data"]["parties"][1]["phone"], d["data"]["case_number"]')" \
	"(True, 'скрыто', 'скрыто', 'скрыто', '2026-1')" "show json hidden"
expect_rc 0 "list json locked" -- "$T" --db "$DB" list mediation_case --json
eq "$(jget "$W/out" 'd[0]["hidden"], d[0]["data"]["summary"]')" "(True, 'скрыто')" "list json hidden"
expect_rc 0 "export csv locked" -- "$T" --db "$DB" export mediation_case --format csv --out "$W/locked.csv"
lacks "$W/locked.csv" "ПЛАНТ"
contains "$W/locked.csv" "скрыто"
contains "$W/err" "Пароль не введён: ФИО, телефоны и суть конфликта (записей: 1) выгружены как «скрыто»."
expect_rc 0 "export json locked" -- "$T" --db "$DB" export mediation_case --format json
eq "$(jget "$W/out" 'd[0]["hidden"], d[0]["data"]["parties"][0]["full_name"]')" "(True, 'скрыто')" "export json hidden"
expect_rc 0 "list text locked" -- "$T" --db "$DB" list
contains "$W/out" "$ID1"

# --- unlocked from a file (option and environment): the values
expect_rc 0 "show unlocked" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1" --json
cp "$W/out" "$W/before.json"
eq "$(jget "$W/out" '"hidden" in d, d["data"]["summary"], d["data"]["parties"][0]["full_name"], d["data"]["parties"][0]["phone"], d["data"]["parties"][1]["full_name"]')" \
	"(False, '$PS', '$PN', '$PP', '$PN2')" "show json unlocked"
TETRAD_PASSPHRASE_FILE="$W/P1" "$T" --db "$DB" export mediation_case --format csv </dev/null >"$W/out" 2>"$W/err" && ok || bad "export via env"
contains "$W/out" "$PN"
lacks "$W/out" "скрыто"
expect_rc 0 "list json unlocked" -- "$T" --db "$DB" list --json --passphrase-file "$W/P1"
eq "$(jget "$W/out" 'd[0]["data"]["summary"]')" "$PS" "list json unlocked"
# a passphrase file group or others may read: refused before it is read, as
# tetrad-syncd and the hub refuse theirs (exit 6, "chmod 600" named)
cp "$W/P1" "$W/P1loose"; chmod 644 "$W/P1loose"
expect_rc 6 "loose passphrase file" -- "$T" --db "$DB" --passphrase-file "$W/P1loose" show "$ID1" --json
contains "$W/err" "доступен другим пользователям (права 644)"
contains "$W/err" "chmod 600 $W/P1loose"
lacks "$W/out" "$PN"
chmod 640 "$W/P1loose"
"$T" --db "$W/loose.db" init --school 170103 >/dev/null 2>&1 || bad "init loose.db"
expect_rc 6 "group-readable new passphrase file" -- "$T" --db "$W/loose.db" --new-passphrase-file "$W/P1loose" passphrase set
contains "$W/err" "chmod 600"
eq "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM meta WHERE key=\x27vault\x27 AND value<>\x27\x27").fetchone()[0])' "$W/loose.db")" 0 "no passphrase set from a loose file"

# no action: what there is to do, in words (exit 1)
expect_rc 1 "passphrase without an action" -- "$T" --db "$DB" passphrase
contains "$W/err" "Укажите, что сделать: tetrad passphrase set (задать), change (сменить), remove (снять), reset (забыты и пароль, и ключ восстановления), status (задан ли)."
"$T" --help >"$W/help" 2>&1
contains "$W/help" "6 — пароль не подошёл или нужен, а спросить негде."
contains "$W/help" "4 — ошибка файла базы"
# one vocabulary for people: «хранилище» is "storage" to them
for f in "$W/err" "$W/help"; do lacks "$f" "хранилищ"; done

# --- wrong passphrase: exit 6, Russian message, nothing changed
expect_rc 6 "show wrong" -- "$T" --db "$DB" --passphrase-file "$W/BADP" show "$ID1"
contains "$W/err" "Неверный пароль"
expect_rc 6 "edit wrong" -- "$T" --db "$DB" --passphrase-file "$W/BADP" edit "$ID1" --set "summary=ЗАМЕНА"
expect_rc 6 "edit locked, no source" -- "$T" --db "$DB" edit "$ID1" --set summary=ЗАМЕНА
contains "$W/err" "нужен пароль — ФИО, телефоны и суть конфликта зашифрованы. Запустите команду в окне терминала (она спросит пароль) или укажите --passphrase-file"
# an answer removed from a hidden field needs the key too (else it would stay)
expect_rc 6 "edit locked, hidden value removed" -- "$T" --db "$DB" edit "$ID1" --set "parties[0].phone="
expect_rc 6 "new locked, a hidden value" -- "$T" --db "$DB" new mediation_case --set case_number=2026-9 --set summary=Суть --draft
expect_rc 6 "import locked" -- "$T" --db "$DB" import mediation_case --csv "$W/locked.csv"
expect_rc 0 "show after wrong" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1" --json
cmp -s "$W/out" "$W/before.json" && ok || bad "record changed by refused commands"
# delete needs no passphrase; a locked record's values survive a hub-only path
mk 2026-2 --passphrase-file "$W/P1" && ok || bad "new with passphrase file"
ID2=$(cat "$W/out")
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'ПЛАНТ')")" 0 "new record sealed too"
expect_rc 0 "delete locked" -- "$T" --db "$DB" delete "$ID2"
expect_rc 0 "edit with passphrase" -- "$T" --db "$DB" --passphrase-file "$W/P1" edit "$ID1" --set status=preparation
expect_rc 0 "show after edit" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1" --json
eq "$(jget "$W/out" 'd["data"]["status"], d["data"]["summary"], d["data"]["parties"][1]["full_name"]')" \
	"('preparation', '$PS', '$PN2')" "edit keeps hidden values"
# hub fields only: tried with the vault locked first, no passphrase asked,
# the hidden values kept as they are (sealed passed through)
expect_rc 0 "edit locked, hub field" -- "$T" --db "$DB" edit "$ID1" --set status=received
lacks "$W/err" "пароль"
expect_rc 0 "edit locked, back" -- "$T" --db "$DB" edit "$ID1" --set status=preparation
expect_rc 0 "new locked, no hidden field" -- "$T" --db "$DB" new mediation_case --set case_number=2026-9 --draft
lacks "$W/err" "пароль"
DRID=$(cat "$W/out")
expect_rc 0 "edit locked, a draft" -- "$T" --db "$DB" edit "$DRID" --set received_date=02.11.2026 \
	--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
	--set status=received --set "parties[0].role=student" --set "parties[1].role=adult"
expect_rc 0 "finalize locked, no hidden field" -- "$T" --db "$DB" finalize "$DRID"
eq "$(q "SELECT status || '/' || (sealed IS NULL) FROM records WHERE lower(hex(id))=replace('$DRID','-','')")" "final/1" "finalized locked"
# a group item added at the end: the hidden values keep their positions
mk 2026-5 --passphrase-file "$W/P1" && ok || bad "new 2026-5"
ID5=$(cat "$W/out")
expect_rc 0 "edit locked, group item added" -- "$T" --db "$DB" edit "$ID5" --set "parties[2].role=adult"
expect_rc 0 "show after the locked edit" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID5" --json
eq "$(jget "$W/out" 'len(d["data"]["parties"]), d["data"]["parties"][0]["full_name"], d["data"]["parties"][1]["full_name"], d["data"]["summary"]')" \
	"(3, '$PN', '$PN2', '$PS')" "locked edit: hidden values in place"
expect_rc 0 "delete 2026-5" -- "$T" --db "$DB" delete "$ID5"
expect_rc 0 "show after locked edits" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1" --json
eq "$(jget "$W/out" 'd["data"]["status"], d["data"]["summary"], d["data"]["parties"][0]["phone"], d["data"]["parties"][1]["full_name"]')" \
	"('preparation', '$PS', '$PP', '$PN2')" "locked edits keep hidden values"
cp "$W/out" "$W/before.json"

# --- import of a file exported while locked: «скрыто» keeps what is stored
python3 - "$W/locked.csv" "$W/edited.csv" "$W/newrec.csv" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
head = lines[0].split(";")
rows = [l.split(";") for l in lines[1:]]
st = head.index("Статус случая")
for r in rows:
    r[st] = "подготовка"       # what the edit set: nothing differs but hidden cells
open(sys.argv[2], "w", encoding="utf-8").write("\n".join([";".join(head)] + [";".join(r) for r in rows]) + "\n")
cn = head.index("Номер случая")
for r in rows:
    r[0] = "new-1"             # not a record of this database: a new one
    r[cn] = "2026-7"
open(sys.argv[3], "w", encoding="utf-8").write("\n".join([";".join(head)] + [";".join(r) for r in rows]) + "\n")
EOF
expect_rc 0 "import скрыто" -- "$T" --db "$DB" --passphrase-file "$W/P1" import mediation_case --csv "$W/edited.csv"
contains "$W/out" "без изменений: 1"
expect_rc 0 "show after import" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1" --json
cmp -s "$W/out" "$W/before.json" && ok || bad "import of «скрыто» changed the record"
expect_rc 0 "import new with скрыто" -- "$T" --db "$DB" --passphrase-file "$W/P1" import mediation_case --csv "$W/newrec.csv"
contains "$W/out" "Добавлено записей: 1"
NEWID=$(q "SELECT lower(hex(id)) FROM records WHERE json_extract(data,'$.case_number')='2026-7'")
expect_rc 0 "show imported" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$NEWID" --json
eq "$(jget "$W/out" '"summary" in d["data"], "full_name" in d["data"]["parties"][0]')" "(False, False)" "скрыто is no value"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'скрыто')")" 0 "the word is never stored"

# --- five wrong in a row: the sixth check waits (2 s), says so, then checks
# (the wait counts from the fifth failure, so the clock starts before it)
for i in 1 2 3 4 5; do
	[ "$i" = 5 ] && t0=$(now_ms)
	"$T" --db "$DB" --passphrase-file "$W/BADP" show "$ID1" </dev/null >/dev/null 2>&1
	[ $? = 6 ] && ok || bad "wrong attempt $i not exit 6"
done
expect_rc 0 "sixth, right" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1"
t1=$(now_ms)
[ $((t1 - t0)) -ge 2000 ] && ok || bad "sixth attempt did not wait: $((t1 - t0)) ms"
contains "$W/err" "Много неверных попыток подряд: проверка через"
contains "$W/out" "$PN"
t0=$(now_ms)
expect_rc 0 "after a right one no wait" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1"
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ] && ok || bad "waited after the count was reset: $((t1 - t0)) ms"

# --- change: the old one refused, the new one and the recovery key work
expect_rc 6 "change with a wrong current" -- "$T" --db "$DB" --passphrase-file "$W/BADP" \
	--new-passphrase-file "$W/P2" passphrase change
expect_rc 0 "change" -- "$T" --db "$DB" --passphrase-file "$W/P1" --new-passphrase-file "$W/P2" passphrase change
expect_rc 6 "old refused" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$ID1"
expect_rc 0 "new works" -- "$T" --db "$DB" --passphrase-file "$W/P2" show "$ID1" --json
cmp -s "$W/out" "$W/before.json" && ok || bad "values after change"
TETRAD_NEW_PASSPHRASE_FILE="$W/P3" "$T" --db "$DB" --recovery-file "$W/KEY" \
	passphrase change --recovery </dev/null >"$W/out" 2>"$W/err" && ok || bad "change --recovery"
expect_rc 6 "P2 refused" -- "$T" --db "$DB" --passphrase-file "$W/P2" show "$ID1"
TETRAD_PASSPHRASE_FILE="$W/P3" "$T" --db "$DB" show "$ID1" --json </dev/null >"$W/out" 2>"$W/err" && ok || bad "P3 via env"
cmp -s "$W/out" "$W/before.json" && ok || bad "values after change --recovery"
printf 'short\n' >"$W/short"; chmod 600 "$W/short"
expect_rc 2 "too short a new passphrase" -- "$T" --db "$DB" --passphrase-file "$W/P3" \
	--new-passphrase-file "$W/short" passphrase change
expect_rc 6 "change without a source" -- "$T" --db "$DB" passphrase change

# --- remove: values plain again, shown without a passphrase
expect_rc 0 "remove" -- "$T" --db "$DB" --passphrase-file "$W/P3" passphrase remove --yes
eq "$(q "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")" 0 "nothing sealed"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'$PN') AND instr(data,'$PS') AND status <> 'deleted'")" 1 "plain again"
expect_rc 0 "show after remove" -- "$T" --db "$DB" show "$ID1" --json
cmp -s "$W/out" "$W/before.json" && ok || bad "values after remove"
expect_rc 2 "remove twice" -- "$T" --db "$DB" passphrase remove --yes

# --- reset: hidden values gone, the rest kept, the new passphrase works
expect_rc 0 "set again" -- "$T" --db "$DB" --passphrase-file "$W/P1" passphrase set --no-recovery
lacks "$W/out" "Ключ восстановления:"
expect_rc 1 "reset without --yes off a terminal" -- "$T" --db "$DB" --new-passphrase-file "$W/P2" passphrase reset
expect_rc 0 "reset" -- "$T" --db "$DB" --new-passphrase-file "$W/P2" passphrase reset --yes
contains "$W/out" "Ключ восстановления:"
expect_rc 6 "old after reset" -- "$T" --db "$DB" --passphrase-file "$W/P1" \
	--new-passphrase-file "$W/P3" passphrase change
expect_rc 0 "new after reset" -- "$T" --db "$DB" --passphrase-file "$W/P2" show "$ID1" --json
eq "$(jget "$W/out" '"summary" in d["data"], "full_name" in d["data"]["parties"][0], d["data"]["case_number"], d["data"]["parties"][0]["role"], d["data"]["status"]')" \
	"(False, False, '2026-1', 'student', 'preparation')" "reset: hidden gone, hub fields kept"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'ПЛАНТ') OR sealed IS NOT NULL AND id=x'$(echo "$ID1" | tr -d -)'")" 0 "no planted value left"

# --- a damaged sealed blob costs its record's hidden values, not the listing:
# «скрыто» for that record, one warning, the others read; edit and remove refused
MAINDB=$DB DB="$W/dmg.db"
"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || bad "init dmg.db"
expect_rc 0 "dmg set" -- "$T" --db "$DB" --new-passphrase-file "$W/P1" passphrase set --no-recovery
mk 2026-31 --passphrase-file "$W/P1" && ok || bad "dmg case 1"
DID1=$(cat "$W/out")
mk 2026-32 --passphrase-file "$W/P1" && ok || bad "dmg case 2"
DID2=$(cat "$W/out")
DHEX=$(echo "$DID1" | tr -d -)
python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); i=bytes.fromhex(sys.argv[2])
b=bytearray(c.execute("SELECT sealed FROM records WHERE id=?",(i,)).fetchone()[0]); b[30]^=1
c.execute("UPDATE records SET sealed=? WHERE id=?",(bytes(b),i)); c.commit()' "$DB" "$DHEX"
BLOB=$(q "SELECT hex(sealed) FROM records WHERE id=x'$DHEX'")
expect_rc 0 "list json, one blob damaged" -- "$T" --db "$DB" --passphrase-file "$W/P1" list --json
eq "$(jget "$W/out" 'sorted((r["data"]["case_number"], r.get("hidden", False), r["data"]["summary"], r["data"]["parties"][0]["full_name"]) for r in d)')" \
	"[('2026-31', True, 'скрыто', 'скрыто'), ('2026-32', False, '$PS', '$PN')]" "damaged: скрыто, the other read"
contains "$W/err" "скрытые поля записей (1) не расшифровываются: они повреждены; остальные поля на месте"
expect_rc 0 "export, one blob damaged" -- "$T" --db "$DB" --passphrase-file "$W/P1" export mediation_case --format csv
contains "$W/out" "$PN"
contains "$W/out" "скрыто"
contains "$W/err" "повреждены; остальные поля на месте"
expect_rc 0 "show damaged" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$DID1"
contains "$W/out" "2026-31"
contains "$W/out" "скрыто"
lacks "$W/out" "Чтобы увидеть их"
contains "$W/err" "(1) не расшифровываются"
expect_rc 0 "show the other" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$DID2"
lacks "$W/err" "не расшифровываются"
expect_rc 5 "edit damaged" -- "$T" --db "$DB" --passphrase-file "$W/P1" edit "$DID1" --set summary=ЗАМЕНА
contains "$W/err" "повреждены (не расшифровываются): изменять её нельзя"
expect_rc 5 "remove with a damaged blob" -- "$T" --db "$DB" --passphrase-file "$W/P1" passphrase remove --yes
contains "$W/err" "пароль не снят"
eq "$(q "SELECT hex(sealed) FROM records WHERE id=x'$DHEX'")" "$BLOB" "the damaged blob kept as it was"
eq "$(q "SELECT json_extract(data,'$.status') FROM records WHERE id=x'$DHEX'")" "received" "the damaged record not edited"
# a hub field of it: written with the vault locked, the damaged blob passed
# through byte for byte (nothing lost that a backup could bring back)
expect_rc 0 "edit damaged, hub field" -- "$T" --db "$DB" --passphrase-file "$W/P1" edit "$DID1" --set status=preparation
eq "$(q "SELECT hex(sealed) || json_extract(data,'$.status') FROM records WHERE id=x'$DHEX'")" "${BLOB}preparation" "hub-only edit of a damaged record"
DB=$MAINDB

# --- a form unknown when the passphrase was set arrives later (syncd pulls
# it into <db>.forms): the first unlock seals its records' local values
DB="$W/late.db"
"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || bad "init late.db"
mkdir -p "$DB.forms"
cat >"$W/t_late.json" <<'EOF2'
{"format":1,"id":"t_late","version":1,"title":"Поздняя форма","fields":[
 {"id":"title","label":"Название","type":"text","required":true},
 {"id":"who","label":"ФИО","type":"text","sync":"local"}]}
EOF2
cp "$W/t_late.json" "$DB.forms/t_late.json"
expect_rc 0 "new of a pulled form" -- "$T" --db "$DB" new t_late --set title=Поздно --set who=ПЛАНТ-ПОЗДНО-Фомин
LID=$(cat "$W/out")
rm "$DB.forms/t_late.json"
expect_rc 0 "set with the form unknown" -- "$T" --db "$DB" --new-passphrase-file "$W/P1" passphrase set --no-recovery
contains "$W/err" "записей форм, которых нет на этом устройстве, — 1"
eq "$(q "SELECT value FROM meta WHERE key='vault_unsealed'")" 1 "unsealed flag written with set"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'ПЛАНТ-ПОЗДНО')")" 1 "unknown form's value still plain"
cp "$W/t_late.json" "$DB.forms/t_late.json"
expect_rc 0 "list, not unlocked" -- "$T" --db "$DB" list
eq "$(q "SELECT value FROM meta WHERE key='vault_unsealed'")" 1 "no unlock, no seal"
# a hub field edited: tried locked, refused (its plain local values must be
# sealed), opened from the file and redone — one transaction each time
expect_rc 6 "late record, locked, no source" -- "$T" --db "$DB" edit "$LID" --set title=Позже
eq "$(q "SELECT json_extract(data,'$.title') FROM records WHERE lower(hex(id))=replace('$LID','-','')")" "Поздно" "nothing written by the first try"
expect_rc 0 "first unlock after the form came" -- "$T" --db "$DB" --passphrase-file "$W/P1" edit "$LID" --set title=Позже
contains "$W/err" "Скрытые поля записей (1), чьи формы пришли после установки пароля, теперь зашифрованы."
eq "$(q "SELECT COUNT(*) FROM meta WHERE key='vault_unsealed'")" 0 "flag cleared"
eq "$(q "SELECT COUNT(*) FROM records WHERE instr(data,'ПЛАНТ-ПОЗДНО') OR sealed IS NULL")" 0 "sealed now"
for f in "$DB" "$DB-wal"; do
	[ -f "$f" ] || continue
	if grep -qaF "ПЛАНТ-ПОЗДНО" "$f"; then bad "$f still holds the late plain value"; else ok; fi
done
expect_rc 0 "next unlock: nothing more" -- "$T" --db "$DB" --passphrase-file "$W/P1" show "$LID"
contains "$W/out" "ПЛАНТ-ПОЗДНО-Фомин"
contains "$W/out" "Позже"
lacks "$W/err" "теперь зашифрованы"
DB=$MAINDB

# --- a damaged meta "vault" row: every command refused, naming the way out;
# `passphrase status` says so, `passphrase reset` gets the store back
DB="$W/badkey.db"
"$T" --db "$DB" init --school 170103 >/dev/null 2>&1 || bad "init badkey.db"
expect_rc 0 "badkey set" -- "$T" --db "$DB" --new-passphrase-file "$W/P1" passphrase set --no-recovery
mk 2026-41 --passphrase-file "$W/P1" && ok || bad "badkey case"
KID=$(cat "$W/out")
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE meta SET value=substr(value,1,40) WHERE key=\x27vault\x27"); c.commit()' "$DB"
expect_rc 2 "list with a damaged key row" -- "$T" --db "$DB" list
contains "$W/err" "Ключ в базе данных повреждён: скрытые поля (ФИО, телефоны, суть конфликта) не открыть"
contains "$W/err" "tetrad passphrase reset"
expect_rc 2 "change with a damaged key row" -- "$T" --db "$DB" --passphrase-file "$W/P1" --new-passphrase-file "$W/P2" passphrase change
contains "$W/err" "tetrad passphrase reset"
expect_rc 0 "status of a damaged key row" -- "$T" --db "$DB" passphrase status
contains "$W/out" "ключ в базе данных повреждён"
contains "$W/out" "Записей со скрытыми полями: 1"
expect_rc 0 "status json of a damaged key row" -- "$T" --db "$DB" passphrase status --json
eq "$(jget "$W/out" 'd["set"], d["damaged"], d["hidden_records"]')" "(True, True, 1)" "status json: damaged"
expect_rc 0 "reset a damaged key row" -- "$T" --db "$DB" --new-passphrase-file "$W/P2" passphrase reset --yes --no-recovery
contains "$W/out" "Удалены скрытые значения записей: 1"
expect_rc 0 "show after the reset" -- "$T" --db "$DB" --passphrase-file "$W/P2" show "$KID" --json
eq "$(jget "$W/out" 'd["data"]["case_number"], "summary" in d["data"], d["data"]["parties"][0]["role"]')" "('2026-41', False, 'student')" "reset: hub fields kept"
expect_rc 0 "status after the reset" -- "$T" --db "$DB" passphrase status --json
eq "$(jget "$W/out" 'd["set"], d["damaged"]')" "(True, False)" "status json: repaired"
DB=$MAINDB

# --- on a terminal: asked with echo off, never shown
if python3 -c 'import pty' 2>/dev/null; then
	D2="$W/tty.db"
	"$T" --db "$D2" init --school 170103 >/dev/null 2>&1 || bad "init tty db"
	cat >"$W/set.steps" <<EOF
expect Новый пароль:
send $P1
expect Ещё раз:
send другой-пароль-xyz
expect Пароли не совпадают
expect Новый пароль:
send $P1
expect Ещё раз:
send $P1
expect Ключ восстановления:
exit 0
EOF
	drive set --db "$D2" passphrase set
	lacks "$W/set.out" "$P1"
	lacks "$W/set.out" "другой-пароль-xyz"
	DB="$D2" mk 2026-1 --passphrase-file "$W/P1" && ok || bad "new in tty db"
	ID3=$(cat "$W/out")
	cat >"$W/show.steps" <<EOF
expect Пароль (Enter — показать без скрытых полей):
send $BADP
expect Неверный пароль
expect Пароль (Enter
send $P1
expect $PN
exit 0
EOF
	drive show --db "$D2" show "$ID3"
	lacks "$W/show.out" "$P1"
	lacks "$W/show.out" "$BADP"
	cat >"$W/hidden.steps" <<'EOF'
expect Пароль (Enter
send
expect скрыто
exit 0
EOF
	drive hidden --db "$D2" show "$ID3"
	lacks "$W/hidden.out" "ПЛАНТ"
	# an interactive `new` asks before the first question
	cat >"$W/new.steps" <<EOF
expect Пароль для скрытых полей (ФИО, телефоны):
send $P1
expect Новая запись
expect Номер случая
ctrl-c
exit 2
EOF
	drive new --db "$D2" new mediation_case
	lacks "$W/new.out" "$P1"
	# Ctrl+C at the passphrase: nothing asked after, exit 6
	cat >"$W/intr.steps" <<'EOF'
expect Пароль для скрытых полей (ФИО, телефоны):
ctrl-c
expect прерван
exit 6
EOF
	drive intr --db "$D2" edit "$ID3" summary
	cat >"$W/change.steps" <<EOF
expect Текущий пароль:
send $P1
expect Новый пароль:
send $P3
expect Ещё раз:
send $P3
expect Пароль изменён
exit 0
EOF
	drive change --db "$D2" passphrase change
	lacks "$W/change.out" "$P1"
	lacks "$W/change.out" "$P3"
	"$T" --db "$D2" --passphrase-file "$W/P3" show "$ID3" </dev/null >"$W/out" 2>&1 && ok || bad "P3 after tty change"
	contains "$W/out" "$PN"
	# remove asks «[д/Н]»: no answer is no
	cat >"$W/keep.steps" <<EOF
expect Текущий пароль:
send $P3
expect [д/Н]:
send
expect Отменено: ничего не изменено.
exit 1
EOF
	drive keep --db "$D2" passphrase remove
	eq "$(DB=$D2 q "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")" 1 "remove declined"
	cat >"$W/nores.steps" <<'EOF'
expect будут удалены навсегда
expect [д/Н]:
send н
expect Отменено: ничего не изменено.
exit 1
EOF
	drive nores --db "$D2" passphrase reset
	eq "$(DB=$D2 q "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")" 1 "reset declined"
	# reset on a terminal: says what is lost, asks, then a new passphrase twice
	cat >"$W/reset.steps" <<EOF
expect будут удалены навсегда
expect [д/Н]:
send д
expect Новый пароль:
send $P2
expect Ещё раз:
send $P2
expect Удалены скрытые значения записей: 1
expect Ключ восстановления:
exit 0
EOF
	drive reset --db "$D2" passphrase reset
	lacks "$W/reset.out" "$P2"
	"$T" --db "$D2" --passphrase-file "$W/P2" show "$ID3" </dev/null >"$W/out" 2>&1 && ok || bad "P2 after tty reset"
	lacks "$W/out" "ПЛАНТ"
	# typed ahead during the wait after wrong attempts, or during the check
	# of a wrong one: never shown, never taken as the next attempt
	DB="$D2" mk 2026-2 --passphrase-file "$W/P2" && ok || bad "new after tty reset"
	ID4=$(cat "$W/out")
	for i in 1 2 3 4 5; do
		"$T" --db "$D2" --passphrase-file "$W/BADP" show "$ID4" </dev/null >/dev/null 2>&1
	done
	cat >"$W/ahead.steps" <<EOF
expect проверка через
send НАБРАНО-В-ОЖИДАНИИ-1
expect Пароль (Enter
send $BADP
send НАБРАНО-ПРИ-ПРОВЕРКЕ-2
expect Неверный пароль
expect проверка через
send НАБРАНО-В-ОЖИДАНИИ-3
expect Пароль (Enter
send $P2
expect $PN
exit 0
EOF
	drive ahead --db "$D2" show "$ID4"
	lacks "$W/ahead.out" "НАБРАНО"
	lacks "$W/ahead.out" "$P2"
	eq "$(grep -c "Неверный пароль" "$W/ahead.out")" 1 "typed ahead: taken as an attempt"
	# the recovery key, copied from paper, is shown as it is typed; the new
	# passphrase is not
	RKEY=$(grep -aoE '[A-Z2-7]{4}(-[A-Z2-7]{4}){7}' "$W/reset.out" | tail -1)
	cat >"$W/rec.steps" <<EOF
expect Ключ восстановления:
send $RKEY
expect Новый пароль:
send $P3
expect Ещё раз:
send $P3
expect Пароль изменён
exit 0
EOF
	drive rec --db "$D2" passphrase change --recovery
	[ -n "$RKEY" ] || bad "no recovery key printed by the reset"
	eq "$(grep -aoF -- "${RKEY:-none}" "$W/rec.out" | wc -l)" 1 "recovery key echoed once"
	lacks "$W/rec.out" "$P3"
else
	echo "SKIP (terminal part): python3 has no pty module"
fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
