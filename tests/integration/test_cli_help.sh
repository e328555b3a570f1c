#!/usr/bin/env bash
# test_cli_help — the command-line conventions of issue 24 on all three
# programs, walked from their own help (so a command added later is checked
# without touching this file):
#   - `PROG --help` lists the commands; `PROG CMD --help` of a group lists
#     its subcommands;
#   - for the program, every command and every subcommand: `--help` exits 0
#     with the usage on stdout («Использование: …» first, naming that
#     command) and nothing on stderr, without a database, a hub folder or a
#     configuration; `--version` exits 0 with "PROG VERSION" (the CMake
#     project version); an unknown option exits with the program's
#     documented usage code and a Russian «Ошибка: …» on stderr;
#   - an unknown command or subcommand is a usage mistake too.
#
# How the walk reads a help text (the convention the three programs'
# usages follow): a command line is indented by 1–4 spaces and begins with
# the command word, maybe after the program's name ("  init --school КОД",
# "  tetrad-syncd enroll …"); a continuation line is indented deeper.
# Subcommands: "  [PROG ]GROUP A|B …" in the top level's help, and in the
# group's own help "  [PROG ]GROUP SUB …" or bare "  SUB …" lines — a bare
# word counts when `PROG GROUP SUB --help` is not the group's own usage
# again (so an example or a value in a leaf command's help is no
# subcommand). The lists of expected commands below only make sure the
# walk is not vacuous; whatever else the helps list is checked the same way.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
BIN=$(cd "${TETRAD_BIN:?}" && pwd)
SRC=${TETRAD_SOURCE_DIR:?}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }

VERSION=$(sed -n 's/^project(tetrad VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
if [ -n "$VERSION" ]; then ok; else bad "no project(tetrad VERSION …) in CMakeLists.txt"; fi

# Nothing a --help may touch: an empty home, no database, no hub folder;
# every run bounded (a parser that ignored --help on `ui` or `serve` would
# otherwise start a server here).
mkdir -p "$W/home" "$W/cwd"
export HOME="$W/home" XDG_DATA_HOME="$W/home/.local/share" XDG_CONFIG_HOME="$W/home/.config"
export TETRAD_DB="$W/none/tetrad.db" LANG=C.UTF-8
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE JOURNAL_STREAM
cd "$W/cwd" || exit 1

# run PROG ARGS…: rc, $W/out, $W/err
run() {
	timeout 20 "$BIN/$1" "${@:2}" </dev/null >"$W/out" 2>"$W/err"
	rc=$?
}

# Usage code and hand-overs: `tetrad sync|enroll` may pass the whole thing
# to tetrad-syncd (docs/client.md: its exit codes are syncd's).
usage_code() {
	case "$1" in
	tetrad-syncd) echo 2 ;;
	*) echo 1 ;;
	esac
}
handover() { # PROG CMD → the program whose help it may show instead
	case "$1 $2" in
	"tetrad sync" | "tetrad enroll") echo tetrad-syncd ;;
	*) echo "" ;;
	esac
}

# the words of "  [PROG ]WORD …" lines (indent 1–4), one per line, in order
commands_of() { # PROG FILE
	sed -n -E "s/^ {1,4}($1 +)?([a-z][a-z0-9-]*)( .*)?\$/\\2/p" "$2" |
		grep -vxF -- "$1" | awk '!seen[$0]++'
}
# what may be subcommands of GROUP in a help text: "  [PROG ]GROUP SUB…"
# and "  [PROG ]GROUP A|B|C" lines, and in the group's own help also bare
# "  SUB …" lines (bare: 1)
sub_candidates() { # PROG GROUP FILE BARE
	{
		sed -n -E "s/^ {1,4}($1 +)?$2 +([a-z][a-z0-9|-]*[a-z0-9])( .*)?\$/\\2/p" "$3" | tr '|' '\n'
		[ "$4" = 1 ] && sed -n -E 's/^ {1,4}([a-z][a-z0-9-]*)( .*)?$/\1/p' "$3"
	} | grep -E '^[a-z][a-z0-9-]*$' | grep -vxF -e "$1" -e "$2" | awk '!seen[$0]++'
}

# a line of FILE names PROG and then the command's words, in that order
# ("Использование: tetrad-hub [--data ПАПКА] token create …" names
# "token create")
names() { # FILE PROG WORDS…
	local re="(^|[^a-z-])$2( |\$)"
	[ $# -gt 2 ] && re="(^|[^a-z-])$2 (.* )?${*:3}( |\$)"
	grep -qE -- "$re" "$1"
}

check_help() { # PROG WORDS… (the command; none: the top level)
	local prog=$1 what="$*" alt
	alt=$(handover "$prog" "${2:-}")
	run "$prog" "${@:2}" --help
	if [ "$rc" != 0 ]; then
		bad "$what --help: exit $rc, want 0"; head -3 "$W/err" >&2; return
	fi
	ok
	if head -1 "$W/out" | grep -q '^Использование'; then ok; else
		bad "$what --help: stdout does not begin with «Использование»: $(head -1 "$W/out")"
	fi
	if names "$W/out" "$prog" "${@:2}" || { [ -n "$alt" ] && names "$W/out" "$alt"; }; then
		ok
	else
		bad "$what --help: the usage does not name «$what»"
	fi
	if [ ! -s "$W/err" ]; then ok; else bad "$what --help: wrote to stderr: $(head -2 "$W/err")"; fi
	# -h is the same text (cmdline never lets a command take the letter)
	cp "$W/out" "$W/help"
	run "$prog" "${@:2}" -h
	if [ "$rc" = 0 ] && cmp -s "$W/out" "$W/help"; then ok; else bad "$what -h: exit $rc or not the --help text"; fi
}

check_version() { # PROG WORDS…
	local prog=$1 what="$*" alt first
	alt=$(handover "$prog" "${2:-}")
	run "$prog" "${@:2}" --version
	first=$(head -1 "$W/out")
	if [ "$rc" = 0 ] && { [ "$first" = "$prog $VERSION" ] || { [ -n "$alt" ] && [ "$first" = "$alt $VERSION" ]; }; }; then
		ok
	else
		bad "$what --version: exit $rc, «$first», want «$prog $VERSION»"
	fi
}

check_mistake() { # DESC PROG WORDS… (the whole command line, mistake included)
	local desc=$1 prog=$2 want alt
	want=$(usage_code "$prog")
	alt=$(handover "$prog" "${3:-}")
	run "$prog" "${@:3}"
	if [ "$rc" = "$want" ] || { [ -n "$alt" ] && [ "$rc" = "$(usage_code "$alt")" ]; }; then ok; else
		bad "$desc: exit $rc, want $want"; head -3 "$W/err" >&2
	fi
	# Russian, the way cmdline says a mistake (fixed words: no locale
	# needed, no character ranges that differ between locales)
	if grep -qE 'Ошибка|ошибка|неизвестн|Неизвестн|неоднозначен|лишний|не хватает|не указана' "$W/err"; then ok; else
		bad "$desc: no Russian mistake on stderr: $(head -2 "$W/err")"
	fi
}

check_command() { # PROG WORDS…
	check_help "$@"
	check_version "$@"
	check_mistake "$* --no-such-option" "$@" --no-such-option
}

# expect_listed FILE DESC WORDS…: each word is among the walked ones
expect_listed() {
	local file=$1 desc=$2 w
	shift 2
	for w in "$@"; do
		if grep -qxF -- "$w" "$file"; then ok; else bad "$desc does not list «$w»"; fi
	done
}

walk() { # PROG EXPECTED_COMMANDS… -- GROUP:SUB,SUB… …
	local prog=$1 cmd sub n_cmd=0 n_sub=0
	shift
	check_help "$prog"
	check_version "$prog"
	run "$prog" -V
	if [ "$rc" = 0 ] && [ "$(head -1 "$W/out")" = "$prog $VERSION" ]; then ok; else bad "$prog -V: exit $rc"; fi
	check_mistake "$prog --no-such-option" "$prog" --no-such-option
	check_mistake "$prog no-such-command" "$prog" no-such-command

	run "$prog" --help
	cp "$W/out" "$W/top.$prog"
	commands_of "$prog" "$W/out" >"$W/commands.$prog"
	local expected=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do expected+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	expect_listed "$W/commands.$prog" "$prog --help" "${expected[@]}"

	while read -r cmd; do
		n_cmd=$((n_cmd + 1))
		check_command "$prog" "$cmd"
		run "$prog" "$cmd" --help
		cp "$W/out" "$W/cmdhelp"
		sub_candidates "$prog" "$cmd" "$W/cmdhelp" 1 >"$W/cands.$prog.$cmd"
		# "token create|list" at the top level names subcommands for sure;
		# a word in the group's own help is one if its --help is not the
		# group's (a command that took the word as its argument shows its
		# own usage again: an example line, a value of an option)
		sub_candidates "$prog" "$cmd" "$W/top.$prog" 0 >"$W/subs"
		while read -r sub; do
			grep -qxF -- "$sub" "$W/subs" && continue
			run "$prog" "$cmd" "$sub" --help
			cmp -s "$W/out" "$W/cmdhelp" || echo "$sub" >>"$W/subs"
		done <"$W/cands.$prog.$cmd"
		if [ -s "$W/subs" ]; then
			# a group: an unknown subcommand is a mistake as well
			check_mistake "$prog $cmd no-such-subcommand" "$prog" "$cmd" no-such-subcommand
		fi
		while read -r sub; do
			n_sub=$((n_sub + 1))
			check_command "$prog" "$cmd" "$sub"
		done <"$W/subs"
	done <"$W/commands.$prog"

	# the groups the issue names: their help lists each subcommand (and the
	# walk above checked each one listed)
	local group subs
	for group in "$@"; do
		cmd=${group%%:*}
		subs=${group#*:}
		touch "$W/cands.$prog.$cmd"
		# shellcheck disable=SC2086
		expect_listed "$W/cands.$prog.$cmd" "$prog $cmd --help" ${subs//,/ }
	done
	echo "$prog: $n_cmd commands, $n_sub subcommands walked"
}

walk tetrad init forms new edit finalize delete list show export import status retry \
	profile conflicts passphrase enroll sync ui -- \
	"passphrase:set,change,remove,reset,status" "profile:import"

walk tetrad-syncd enroll export import-acks pull import-changes
# the daemon's modes are options, not words: each keeps its own usage
for mode in --once --daemon; do
	run tetrad-syncd "$mode" --help
	if [ "$rc" = 0 ] && names "$W/out" tetrad-syncd "$mode" && [ ! -s "$W/err" ]; then ok; else
		bad "tetrad-syncd $mode --help: exit $rc or its usage does not name $mode"
	fi
	check_version tetrad-syncd "$mode"
	check_mistake "tetrad-syncd $mode --no-such-option" tetrad-syncd "$mode" --no-such-option
done

walk tetrad-hub init serve token device import export-changes keys schools conflicts \
	quarantine forms report results settings programmes profile -- \
	"token:create,list" "device:list,revoke" "keys:list,rotate,retire" \
	"schools:add,list,import" "programmes:import,set,unset,list" \
	"report:verification,mediation,passport,surveys,identification,settings,completeness"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
