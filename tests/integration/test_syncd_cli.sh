#!/usr/bin/env bash
# test_syncd_cli — tetrad-syncd's command line, log priorities and progress
# lines (issue 24), and the hub's log priorities, against a real hub on
# 127.0.0.1:
#   - each mode's and command's --help (also after `--db DB`, and after the
#     mode: `--once --help` is the mode's usage, not the program's);
#     options before the command word still work (`tetrad` runs
#     `tetrad-syncd --db DB enroll …`); an option the mode or command does
#     not take, two modes, a mode and a command: exit 2, Russian on stderr;
#   - under the journal (JOURNAL_STREAM naming stderr, as systemd sets it)
#     syncd's and the hub's lines carry "<N>" priorities and no timestamp of
#     their own: a run that went is <6>, one that could not reach the hub is
#     <4> (its summary too), a refused enrollment on the hub is <4>, a
#     served change set <6>; --quiet drops the <6> lines and keeps the <4>;
#     wrong arguments (a unit's) are <3>;
#     off the journal the lines keep their timestamped form;
#   - on a terminal (a pseudo-terminal, pty_drive.py) a push of many sets
#     and a USB export show a progress line that ends at 100%, a pull of
#     many answers the records received; with stderr a file there is no
#     progress text at all.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/integration/lib_hub.sh"
. "$SRC/tests/integration/sync_lib.sh"
PTY="python3 $SRC/tests/integration/pty_drive.py"

sync_workdir
N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
has() { if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: no «$3» in $2: $(head -c 600 "$2")"; fi; }
hasnt() { if grep -qF -- "$3" "$2"; then fail "$1: «$3» in $2"; else pass "$1"; fi; }
# the journal's stream id of a file: what systemd puts in JOURNAL_STREAM
stream_of() { stat -c '%d:%i' "$1"; }

# ---- the command line ----------------------------------------------------
for m in --once --daemon enroll pull export import-acks import-changes; do
	"$SYNCD" $m --help >"$work/h.out" 2>"$work/h.err"
	eq "$m --help exits 0" "$?" 0
	has "$m --help: its own usage on stdout" "$work/h.out" "Использование: tetrad-syncd $m"
	eq "$m --help: nothing on stderr" "$(wc -c <"$work/h.err")" 0
done
"$SYNCD" --help >"$work/h.out"
eq "--help exits 0" "$?" 0
for w in enroll pull export import-acks import-changes --once --daemon; do
	has "top-level help lists $w" "$work/h.out" "  $w "
done
"$SYNCD" --db "$work/x.db" enroll --help >"$work/h.out"
has "--db DB enroll --help: enroll's usage" "$work/h.out" "Использование: tetrad-syncd enroll"
"$SYNCD" --db "$work/x.db" --once --batch 5 --help >"$work/h.out"
has "--help after --once: the mode's usage" "$work/h.out" "Использование: tetrad-syncd --once"
"$SYNCD" pull --version >"$work/h.out"
eq "pull --version exits 0" "$?" 0
has "--version names the program" "$work/h.out" "tetrad-syncd "

# mistake CODE_WANTED TEXT ARGS...: exit 2, «Ошибка:» and TEXT on stderr, nothing on stdout
mistake() {
	local text=$1
	shift
	"$SYNCD" "$@" >"$work/m.out" 2>"$work/m.err"
	eq "«$*» exits 2" "$?" 2
	has "«$*» says why" "$work/m.err" "$text"
	has "«$*» says where the help is" "$work/m.err" "Справка: tetrad-syncd"
	eq "«$*» prints nothing on stdout" "$(wc -c <"$work/m.out")" 0
}
mistake "неизвестный параметр «--bogus»" enroll --db "$work/x.db" --bogus
mistake "не относится к этому режиму" --once --db "$work/x.db" --window 01:00-02:00
mistake "не относится к этой команде" --batch 5 enroll --db "$work/x.db"
mistake "либо режим --once, либо команду pull" --once pull
mistake "один режим" --once --daemon
mistake "неизвестная команда «frob»" frob
mistake "не хватает аргумента" import-changes --db "$work/x.db"
mistake "нужно целое число от 1 до 10000" --once --batch 0
mistake "Справка: tetrad-syncd --once --help" --once --no-such
mistake "укажите режим" --db "$work/x.db"

# ---- a hub whose stderr is "the journal" ---------------------------------
export TETRAD_FORMS_DIR="$work/forms"
# sync_lib's test form, shared with the school's devices: a second PC pulls
mkdir -p "$TETRAD_FORMS_DIR"
cat >"$TETRAD_FORMS_DIR/sync_test.json" <<'JSON'
{"format":1,"id":"sync_test","version":1,"title":"Проверка синхронизации","share":["school"],
 "fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":100000000},
 {"id":"note","label":"Примечание","type":"text","max_length":4000},
 {"id":"child","label":"Имя ребёнка","type":"text","sync":"local"}]}
JSON
mkdir -p "$work/hub"
hub_init "$work/hub" --tls-self-signed 127.0.0.1 >/dev/null 2>"$work/init.log" \
	|| sync_fail "hub init: $(cat "$work/init.log")"
: >"$work/hub/serve.log"
JOURNAL_STREAM=$(stream_of "$work/hub/serve.log")
export JOURNAL_STREAM
hub_start "$work/hub" || sync_fail "hub did not start"
unset JOURNAL_STREAM
db="$work/school.db"
sync_mkdb "$db"
"$SYNCD" enroll --db "$db" --hub "$HUB_URL" --token "no-such-token" --ca "$HUB_CA" >/dev/null 2>&1
eq "a wrong token is refused (exit 2)" "$?" 2
# tetrad's way: options before the command word
tok=$(hub_token --school 170103 --name "Школа 170103") || sync_fail "token"
"$SYNCD" --db "$db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >"$work/enroll.out" 2>&1
eq "--db DB enroll … enrolls" "$?" 0

# ---- progress on a terminal: a push of many sets -------------------------
sync_add "$db" 3000
cat >"$work/push.steps" <<'EOF'
expect Отправка:
expect 3 000 из 3 000 записей (100%)
expect Подтверждено хабом записей: 3000
exit 0
EOF
if $PTY "$work/push.steps" "$work/push.tty" -- "$SYNCD" --once --db "$db" --batch 100 --no-pull; then
	pass "a push of 30 sets on a terminal shows its progress to 100%"
else
	fail "push progress on a terminal"
fi
eq "all 3000 acknowledged" "$(sync_outbox "$db" acked)" 3000

# off a terminal: no progress text; the summary is an info line with its timestamp
sync_add "$db" 500
"$SYNCD" --once --db "$db" --batch 100 --no-pull >"$work/once.out" 2>"$work/once.err"
eq "--once off a terminal exits 0" "$?" 0
hasnt "no progress text in a file" "$work/once.err" "Отправка:"
if grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z tetrad-syncd\[[0-9]+\] info: sync exit=0 ' \
    "$work/once.err"; then
	pass "off the journal: the timestamped line as before"
else
	fail "off the journal: no timestamped summary: $(cat "$work/once.err")"
fi

# ---- progress on a terminal: a USB export --------------------------------
sync_add "$db" 2000
cat >"$work/export.steps" <<'EOF'
expect Выгрузка:
expect 2 000 из 2 000 записей (100%)
expect Выгружено наборов: 20 (записей: 2000
exit 0
EOF
if $PTY "$work/export.steps" "$work/export.tty" -- "$SYNCD" export --db "$db" --batch 100 \
    --out "$work/usb.ttex"; then
	pass "a USB export on a terminal shows its progress to 100%"
else
	fail "export progress on a terminal"
fi
"$SYNCD" --once --db "$db" --no-pull >/dev/null 2>&1
eq "the exported entries still go by network" "$(sync_outbox "$db" pending)" 0

# ---- progress on a terminal: a pull of many answers ----------------------
# a second PC of the school: the hub sends it every record (500 an answer)
db2="$work/school2.db"
sync_mkdb "$db2"
sync_enroll "$db2" || sync_fail "enroll of the second PC"
cat >"$work/pull.steps" <<'EOF'
expect Получено с хаба записей: 5 500
expect Получено с хаба записей: 5500 (новых: 5500
exit 0
EOF
if $PTY "$work/pull.steps" "$work/pull.tty" -- "$SYNCD" pull --db "$db2"; then
	pass "a pull of 11 answers on a terminal shows the records received"
else
	fail "pull progress on a terminal"
fi
"$SYNCD" pull --db "$db2" >"$work/pull.out" 2>"$work/pull.err"
hasnt "a pull with nothing new draws nothing" "$work/pull.err" "Получено с хаба записей:"

# ---- syncd under the journal ---------------------------------------------
# run_journal OUT ERR ARGS...: syncd with stderr = ERR and JOURNAL_STREAM naming it
run_journal() {
	local out=$1 err=$2
	shift 2
	: >"$err"
	JOURNAL_STREAM=$(stream_of "$err") "$SYNCD" "$@" >"$out" 2>>"$err"
}
sync_add "$db" 10
run_journal "$work/j.out" "$work/j.err" --once --db "$db"
eq "--once under the journal exits 0" "$?" 0
has "a run that went: <6> summary" "$work/j.err" "<6>sync exit=0 "
if grep -qE '^[0-9]{4}-[0-9]{2}-' "$work/j.err"; then
	fail "under the journal a line carries its own timestamp: $(cat "$work/j.err")"
else
	pass "under the journal: no timestamp of our own"
fi
if grep -qvE '^<[3-7]>' "$work/j.err"; then
	fail "under the journal a line has no priority: $(grep -vE '^<[3-7]>' "$work/j.err")"
else
	pass "under the journal: every line has its priority"
fi

run_journal "$work/j.out" "$work/j.err" --daemon --db "$db" --window 01:00-05:00 extra
eq "a unit's wrong arguments: exit 2" "$?" 2
has "a unit's wrong arguments are an error in the journal" "$work/j.err" "<3>Ошибка: tetrad-syncd: неизвестная команда «extra»"

hub_stop
sync_add "$db" 5
run_journal "$work/j.out" "$work/j.err" --once --db "$db" --attempts 1 --no-pull
eq "hub down: exit 12" "$?" 12
has "hub down: the failed set is a warning" "$work/j.err" "<4>набор "
has "hub down: the summary is a warning" "$work/j.err" "<4>sync exit=12 "
run_journal "$work/j.out" "$work/j.err" --once --quiet --db "$db" --attempts 1 --no-pull
eq "hub down, --quiet: exit 12" "$?" 12
has "--quiet keeps the warnings" "$work/j.err" "<4>sync exit=12 "
hasnt "--quiet drops the info lines" "$work/j.err" "<6>"
eq "--quiet: nothing on stdout" "$(wc -c <"$work/j.out")" 0
run_journal "$work/j.out" "$work/j.err" --once --db "$work/none/x.db"
eq "no database: exit 4" "$?" 4
if grep -qE '^<3>' "$work/j.err"; then pass "a run that cannot be done is an error (<3>)"; else
	fail "no <3> line: $(cat "$work/j.err")"; fi

# ---- the hub's priorities ------------------------------------------------
L="$work/hub/serve.log"
has "hub: its start is a notice" "$L" "<5>tetrad-hub "
has "hub: a refused enrollment is a warning" "$L" "<4>enroll 403 "
has "hub: a served change set is info" "$L" "<6>changeset addr="
has "hub: its stop is a notice" "$L" "<5>хаб остановлен"
if grep -qvE '^<[3-7]>' "$L"; then
	fail "hub: a line without priority: $(grep -vE '^<[3-7]>' "$L" | head -3)"
else
	pass "hub: every line has its priority, none a timestamp"
fi

echo "1..$N"
[ "$FAILS" -eq 0 ]
