#!/usr/bin/env bash
# test_client_cmdline — the `tetrad` command line as issue 24 has it: every
# command and subcommand answers --help with its own usage (stdout, exit 0,
# no database opened), --version anywhere, a mistake said in Russian with
# the command's help hint (exit 1), getopt's forms (--opt=value, options
# after arguments, --), a command taking only its own options; every
# listing's --json parsed and its values typed; the progress line of an
# export and an import of many records on a terminal, and none elsewhere.
# (tests/integration/test_cli_help.sh walks the help trees of all three
# programs; this one checks what only the client does.)
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
T="$BIN/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DB="$W/t.db"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
run() { "$@" >"$W/out" 2>"$W/err"; echo $?; }
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks «$2»"; head -5 "$1" >&2; fi; }
lacks() { if grep -qF -- "$2" "$1"; then bad "$1 has «$2»"; else ok; fi; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }
empty() { if [ -s "$1" ]; then bad "$2: not empty: $(head -3 "$1")"; else ok; fi; }

VERSION=$("$T" --version)
[[ "$VERSION" =~ ^tetrad\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && ok || bad "--version «$VERSION»"

# --- every command's and subcommand's --help, found from the top --help
eq "$(run "$T" --help)" 0 "tetrad --help"
cmds=$(sed -n '/^Команды:/,/^$/p' "$W/out" | grep -oE '^  [a-z]+' | tr -d ' ')
eq "$(echo $cmds)" "init forms new edit finalize delete list show export import status retry conflicts profile passphrase enroll sync ui help" "the commands listed"
help_of() { # help_of "WORDS" — `tetrad WORDS --help` and `-h` and `help WORDS`
	local words=$1
	# shellcheck disable=SC2086
	eq "$(run "$T" --db "$W/none/x.db" $words --help)" 0 "$words --help"
	empty "$W/err" "$words --help stderr"
	head -1 "$W/out" | grep -qF "Использование: tetrad" && ok || bad "$words --help: first line $(head -1 "$W/out")"
	grep -qE "tetrad (\[--db ПУТЬ\] )?$words( |$)" "$W/out" && ok || bad "$words --help does not name «tetrad $words»"
	cp "$W/out" "$W/help1"
	# shellcheck disable=SC2086
	eq "$(run "$T" $words -h)" 0 "$words -h"
	cmp -s "$W/out" "$W/help1" && ok || bad "$words -h differs from --help"
	# shellcheck disable=SC2086
	eq "$(run "$T" help $words)" 0 "help $words"
	cmp -s "$W/out" "$W/help1" && ok || bad "help $words differs from $words --help"
	# shellcheck disable=SC2086
	eq "$(run "$T" $words --version)" 0 "$words --version"
	eq "$(cat "$W/out")" "$VERSION" "$words --version"
}
for c in $cmds; do
	help_of "$c"
	case $c in passphrase|profile)
		# "  GROUP SUB …" lines (the convention test_cli_help.sh reads)
		subs=$(sed -n -E "s/^  $c ([a-z]+).*/\1/p" "$W/help1")
		[ -n "$subs" ] && ok || bad "$c --help lists no subcommands"
		for s in $subs; do help_of "$c $s"; done
		eval "subs_$c=\$(echo \$subs)"
	esac
done
[ ! -e "$W/none" ] && ok || bad "--help created the database's folder"
eq "${subs_profile:-}" "import" "profile's subcommands"
eq "${subs_passphrase:-}" "set change remove reset status" "passphrase's subcommands"
# --help anywhere among a command's arguments, even after a mistake's place
eq "$(run "$T" --db "$DB" export social_passport --format json --help)" 0 "export … --help"
contains "$W/out" "tetrad export ФОРМА"
eq "$(run "$T" --db "$DB" passphrase reset --yes --help)" 0 "passphrase reset --yes --help"
contains "$W/out" "УДАЛЯЮТСЯ"
[ ! -e "$DB" ] && ok || bad "--help created the database"
# enroll and sync answer --help themselves, without tetrad-syncd
mkdir "$W/alone" && cp "$T" "$W/alone/tetrad"
eq "$(run "$W/alone/tetrad" sync --batch 5 --help)" 0 "sync --help without tetrad-syncd"
contains "$W/out" "tetrad sync"
eq "$(run "$W/alone/tetrad" enroll --file x --help)" 0 "enroll --help without tetrad-syncd"
contains "$W/out" "tetrad enroll --file"
eq "$(run "$W/alone/tetrad" --db "$DB" sync)" 5 "sync without tetrad-syncd"
contains "$W/err" "рядом с tetrad"

# --- mistakes: one Russian line, the command's own hint, exit 1, stdout empty
mistake() { # mistake HINT DESC -- ARGS...
	local hint=$1 desc=$2; shift 3
	eq "$(run "$T" --db "$DB" "$@")" 1 "$desc"
	empty "$W/out" "$desc stdout"
	contains "$W/err" "Ошибка: "
	contains "$W/err" "Справка: tetrad $hint --help"
}
mistake "new" "an option of another command" -- new social_passport --codes
contains "$W/err" "«--codes»"
mistake "export" "a missing value" -- export social_passport --format
mistake "show" "too many arguments" -- show 0190 0191
mistake "show" "no argument" -- show
mistake "list" "a value to a flag" -- list --json=yes
mistake "passphrase status" "an option of another subcommand" -- passphrase status --yes
mistake "passphrase" "an unknown subcommand" -- passphrase frob
contains "$W/err" "«frob»"
mistake "export" "a bad delimiter" -- export social_passport --delimiter xx
contains "$W/err" "разделитель «xx»"
mistake "ui" "a port out of range" -- ui --port 70000 --no-browser
mistake "ui" "a port that is not a number" -- ui --port=abc --no-browser
eq "$(run "$T" --db "$DB" frobnicate)" 1 "unknown command"
contains "$W/err" "неизвестная команда «frobnicate»"
eq "$(run "$T" --frob)" 1 "unknown global option"
contains "$W/err" "Справка: tetrad --help"
eq "$(run "$T" --db "$DB" passphrase)" 1 "passphrase without a subcommand"
contains "$W/err" "Укажите, что сделать: tetrad passphrase set"
eq "$(run "$T" --db "$DB" profile)" 1 "profile without a subcommand"
contains "$W/err" "tetrad profile import ФАЙЛ.csv"
eq "$(run "$T")" 1 "no command"
contains "$W/err" "Использование: tetrad"
lacks "$W/err" "mistake"

# --- getopt's forms
eq "$(run "$T" --db "$DB" init --school=170103 --name "МБОУ СОШ № 1")" 0 "init --school=…"
eq "$(run "$T" init --db="$DB" --school 170104)" 2 "--db after the command"
contains "$W/err" "уже подготовлена"
eq "$(run "$T" --db "$DB" new --set academic_year=2021/2022 -slevel=class social_passport --draft --set=class_name=5А)" 0 "options around the form, -sVALUE, --set=…"
ID=$(cat "$W/out")
eq "$(run "$T" --db "$DB" show --json -- "$ID")" 0 "-- before the id"
eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["data"]["class_name"], d["data"]["level"], type(d["form_version"]).__name__)' "$W/out")" "5А class int" "show --json"

# --- every listing's --json: parsed, values typed
json_ok() { # json_ok DESC PYTHON-EXPR-ON-d -- ARGS...
	local desc=$1 expr=$2; shift 3
	eq "$(run "$T" --db "$DB" "$@")" 0 "$desc"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert eval(sys.argv[2]), d' "$W/out" "$expr" 2>"$W/pyerr" && ok || { bad "$desc: $expr"; tail -2 "$W/pyerr" >&2; }
}
json_ok "forms --json" 'all(isinstance(f["version"], int) and isinstance(f["latest"], bool) and isinstance(f["fields"], int) for f in d)' -- forms --json
json_ok "list --json" 'len(d) == 1 and isinstance(d[0]["form_version"], int) and d[0]["status"] == "draft"' -- list --json
json_ok "list --status=draft --json" 'len(d) == 1' -- list --status=draft --json social_passport
json_ok "status --json" 'isinstance(d["clock_skew_ms"], (int, type(None))) and d["device_schools"] == ["170103"] and isinstance(d["drafts"], int) and d["drafts"] == 1 and isinstance(d["passphrase"]["set"], bool) and isinstance(d["pull_after"], int)' -- status --json
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("INSERT OR REPLACE INTO meta VALUES(?,?)", ("clock_skew_ms","-7200000")); c.commit()' "$DB"
json_ok "status --json, a skew" 'd["clock_skew_ms"] == -7200000 and d["clock_skew_warning"] is True' -- status --json
json_ok "conflicts --json" 'd == []' -- conflicts --json
json_ok "conflicts --clear --json" 'd == {"cleared": 0, "left": 0}' -- conflicts --clear --json
json_ok "retry --json" 'd == {"requeued": 0, "left": 0}' -- retry --all --json
json_ok "passphrase status --json" 'd["set"] is False and d["hidden_records"] == 0 and d["scrub_pending"] is False' -- passphrase status --json

# --- progress: export and import of many records (100 or more) on a terminal
N=240  # under 1 000: no digit groups («1 200») in the expected line
eq "$(run "$T" --db "$DB" export social_passport --codes --out "$W/one.csv")" 0 "export one"
pty() { python3 "$HERE/pty_drive.py" "$W/steps" "$W/tty.out" -- "$@"; }
# one record takes no time: no progress line even on a terminal
printf 'expect Выгрузка сохранена\nexit 0\n' >"$W/steps"
pty "$T" --db "$DB" export social_passport --out "$W/one2.csv" && ok || bad "export of one record on a terminal"
lacks "$W/tty.out" "из 1 записей"
python3 - "$W/one.csv" "$W/many.csv" "$N" <<'PY'
import sys, uuid
lines = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
head, row = lines[0], lines[1]
cells = row.split(";")
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(head + "\n")
    for i in range(int(sys.argv[3])):
        cells[0] = str(uuid.UUID(int=i + 1))  # only links the rows: new records
        f.write(";".join(cells) + "\n")
PY
printf 'expect Загрузка: %s из %s записей (100%%)\nexit 0\n' "$N" "$N" >"$W/steps"
pty "$T" --db "$DB" import social_passport --csv "$W/many.csv" && ok || { bad "import progress on a terminal"; tail -c 400 "$W/tty.out" >&2; }
contains "$W/tty.out" "Добавлено записей: $N"
TOTAL=$((N + 1))
printf 'expect Выгрузка: %s из %s записей (100%%)\nexit 0\n' "$TOTAL" "$TOTAL" >"$W/steps"
pty "$T" --db "$DB" export social_passport --format xlsx --out "$W/many.xlsx" && ok || { bad "xlsx export progress on a terminal"; tail -c 400 "$W/tty.out" >&2; }
pty "$T" --db "$DB" export social_passport --format json --out "$W/many.json" && ok || { bad "json export progress on a terminal"; tail -c 400 "$W/tty.out" >&2; }
eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$W/many.json")" "$TOTAL" "json export whole"
# off a terminal: the result lines only
eq "$(run "$T" --db "$DB" export social_passport --out "$W/many2.csv")" 0 "export to a file, stderr a file"
lacks "$W/err" "из $TOTAL"
if grep -q $'\r' "$W/err"; then bad "a carriage return off a terminal"; else ok; fi
contains "$W/err" "Выгрузка сохранена"
# the export on the terminal itself: no progress line inside the CSV
printf 'expect Статус записи\nexit 0\n' >"$W/steps"
pty "$T" --db "$DB" export social_passport && ok || bad "export to the terminal"
lacks "$W/tty.out" "Выгрузка:"

echo "test_client_cmdline: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
