#!/bin/bash
# test_hub_cli_exit — tetrad-hub's command line (issue 24): every documented
# exit code (docs/hub.md "Exit codes") brought about for real — 0 done, 1 a
# mistake in the command, 2 data refused, 3 not found, 4 a file, 6 the
# keys' passphrase, 7 serve cannot listen or read its certificate (5, out
# of memory or a bug, cannot be caused from outside), and under the journal
# as an error line; `--help` after any
# command words exits 0 with that command's usage on stdout and reads no
# files; the common options work after the command too; --version.
# Runs on both stores
set -u
. "$(dirname "$0")/lib_hub.sh"

T=$(mktemp -d)
trap 'hub_stop; rm -rf "$T"' EXIT
FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
expect_in() { case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in '$2'" ;; esac; }
# rc NAME WANT ARGS...: runs tetrad-hub ARGS, checks the exit code; stderr in $T/err
rc() {
	local name="$1" want="$2"
	shift 2
	"$HUB" "$@" >"$T/out" 2>"$T/err"
	expect_eq "$name" "$?" "$want"
}

HUB="$TETRAD_BIN/tetrad-hub"
mkdir -p "$T/forms"
echo '{"format":1,"id":"test","version":1,"title":"Тест","fields":[{"id":"n","label":"Число","type":"integer"}]}' >"$T/forms/test.json"
export TETRAD_FORMS_DIR="$T/forms"
unset TETRAD_HUB_DATA
D="$T/hub"

# --- --help anywhere: exit 0, that command's usage on stdout, no hub needed
# (the folder does not exist: help must not open it)
for cmd in "" init serve import export-changes "token" "token create" "token list" \
	"device" "device list" "device revoke" "keys" "keys list" "keys rotate" "keys retire" \
	"schools" "schools add" "schools list" "schools import" "programmes" \
	"programmes import" "programmes set" "programmes unset" "programmes list" \
	"profile" "profile import" "conflicts" "conflicts list" "conflicts resolve" "quarantine" \
	"quarantine list" "forms" "forms publish" "forms list" "report" \
	"report verification" "report mediation" "report passport" "report surveys" \
	"report identification" "report completeness" "report settings" "results" \
	"results import" "settings" "settings set"; do
	# shellcheck disable=SC2086 # the command words split on purpose
	"$HUB" --data "$T/none" $cmd --help >"$T/out" 2>"$T/err"
	expect_eq "help_exit[$cmd]" "$?" 0
	expect_in "help_names[$cmd]" "$(head -3 "$T/out")" "tetrad-hub${cmd:+ $cmd}"
	expect_eq "help_quiet[$cmd]" "$(wc -c <"$T/err")" 0
done
expect_eq help_made_nothing "$(ls "$T" | grep -c none)" 0
# --help wins over a mistake before it, and -h is --help
rc help_after_mistake 0 token create --bogus --help
expect_in help_after_mistake_usage "$(cat "$T/out")" "tetrad-hub token create"
rc help_short 0 keys retire -h
expect_in help_short_usage "$(cat "$T/out")" "tetrad-hub keys retire ID"
# the top level lists the exit codes
rc help_top 0 --help
expect_in help_top_exit_codes "$(cat "$T/out")" "7 — serve"
# --version anywhere
rc version 0 --version
expect_eq version_line "$(cat "$T/out")" "tetrad-hub $(sed -n 's/^project(tetrad VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")"
rc version_in_command 0 schools list -V
expect_in version_in_command_line "$(cat "$T/out")" "tetrad-hub "

# --- 1: mistakes in the command, each with a Russian message and where help is
rc no_command 1 --data "$D"
expect_in no_command_says "$(cat "$T/err")" "Справка: tetrad-hub --help"
rc unknown_command 1 --data "$D" frobnicate
expect_in unknown_command_says "$(cat "$T/err")" "неизвестная команда «frobnicate»"
rc no_subcommand 1 --data "$D" token
expect_in no_subcommand_says "$(cat "$T/err")" "Справка: tetrad-hub token --help"
rc unknown_subcommand 1 --data "$D" keys frob
rc unknown_option 1 --data "$D" token create --school 1 --bogus
expect_in unknown_option_says "$(cat "$T/err")" "Ошибка: tetrad-hub token create: неизвестный параметр «--bogus»"
expect_in unknown_option_help "$(cat "$T/err")" "Справка: tetrad-hub token create --help"
rc missing_value 1 --data "$D" export-changes --device
expect_in missing_value_says "$(cat "$T/err")" "нужно значение"
rc missing_argument 1 --data "$D" keys retire
rc extra_argument 1 --data "$D" keys rotate now
rc json_on_a_non_listing 1 --data "$D" keys rotate --json
rc bad_number 1 --data "$D" serve --threads many
expect_in bad_number_says "$(cat "$T/err")" "--threads"
rc year_only_for_programmes 1 --data "$D" schools list --year 2026
rc bad_year 1 --data "$D" programmes list --year 99
rc unknown_report 1 --data "$D" report bogus
expect_in unknown_report_lists "$(cat "$T/err")" "completeness"
rc no_folder 1 device list
expect_in no_folder_says "$(cat "$T/err")" "--data ПАПКА"
rc init_no_folder 1 init

# --- 3: no hub in the folder (the mistakes above never got that far)
rc no_hub_here 3 --data "$D" device list
expect_in no_hub_here_says "$(cat "$T/err")" "init"

# --- 0: init with a passphrase; --data and --passphrase-file after the command too
printf 'фраза\n' >"$T/pass"
chmod 600 "$T/pass"
rc init 0 init --data "$D" --passphrase-file "$T/pass"
# the PostgreSQL lane: from here the hub's store is a database of the tests' cluster
if [ -n "${TETRAD_TEST_PG_ENV:-}" ]; then
	HUB_DIR="$D"
	hub_use_pg || exit 1
fi
rc data_after_command 0 schools add 170101 --name "Школа" --data "$D" --passphrase-file "$T/pass"
TETRAD_HUB_DATA="$D" rc data_from_environment 0 --passphrase-file "$T/pass" schools list
expect_in data_from_environment_lists "$(cat "$T/out")" "170101"
# --data given wins over the environment
TETRAD_HUB_DATA="$T/elsewhere" rc data_option_wins 0 --data "$D" --passphrase-file "$T/pass" schools list

# --- 6: the keys' passphrase missing, wrong, or its file open to others
rc no_passphrase 6 --data "$D" schools list
expect_in no_passphrase_says "$(cat "$T/err")" "парольной фразой"
printf 'другая\n' >"$T/wrong"
chmod 600 "$T/wrong"
rc wrong_passphrase 6 --data "$D" --passphrase-file "$T/wrong" schools list
chmod 644 "$T/pass"
rc passphrase_file_open 6 --data "$D" --passphrase-file "$T/pass" schools list
chmod 600 "$T/pass"
{ echo "passphrase_file = $T/pass"; [ -z "$HUB_PG" ] || echo "store = $HUB_PG"; } >"$D/hub.conf"

# --- 2: data refused (values the hub judges, damaged or refused files)
rc bad_school_code 2 --data "$D" schools add 'a b' --name X
printf 'TTEX\001\000\000\000' >"$T/bad.ttex"
rc import_damaged 2 --data "$D" import "$T/bad.ttex"
printf 'Код ОО;Наименование\n170102;\n' >"$T/schools.csv"
rc schools_csv_refused 2 --data "$D" schools import "$T/schools.csv"
rc setting_out_of_range 2 --data "$D" settings set isbsh.unfavourable_max -- -9
rc bad_programme 2 --data "$D" programmes set 170101 2026 НЕТ

# --- 3: not found
rc unknown_key 3 --data "$D" keys retire 0123456789abcdef
expect_in unknown_key_says "$(cat "$T/err")" "нет"
rc revoke_unknown_device 3 --data "$D" device revoke 0123456789abcdef
expect_in revoke_unknown_device_says "$(cat "$T/err")" "не найдено"
rc export_unknown_device 3 --data "$D" export-changes --device 0123456789abcdef --out "$T/ch"
rm -rf "$T/emptyforms" && mkdir "$T/emptyforms"
TETRAD_FORMS_DIR="$T/emptyforms" rc serve_without_forms 3 --data "$D" serve --listen 127.0.0.1:1
expect_in serve_without_forms_says "$(cat "$T/err")" "нет ни одной формы"

# --- 4: files
rc import_missing 4 --data "$D" import "$T/nothing.ttex"
: >"$T/taken"
rc report_out_exists 4 --data "$D" report passport --out "$T/taken"
expect_eq report_out_exists_kept "$(wc -c <"$T/taken")" 0

# --- 7: serve cannot read its certificate (init made none), then cannot listen
rc serve_no_certificate 7 --data "$D" serve --listen 127.0.0.1:1
expect_in serve_no_certificate_says "$(cat "$T/err")" "server.pem"
hub_start "$T/hub2" || { echo "the test hub did not start" >&2; exit 1; }
PORT=${HUB_URL##*:}
rc serve_port_taken 7 --data "$HUB_DIR" serve --listen "127.0.0.1:$PORT"
expect_in serve_port_taken_says "$(cat "$T/err")" "127.0.0.1:$PORT"
# under systemd (stderr is the journal, JOURNAL_STREAM names it) the failure
# is one line with the error priority, so `journalctl -p err` shows it
: >"$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$HUB" --data "$HUB_DIR" serve \
	--listen "127.0.0.1:$PORT" >/dev/null 2>>"$T/journal"
expect_eq serve_fails_under_journal "$?" 7
# (the server's own lines before it carry their priorities too: syncd's part)
expect_eq serve_failure_is_err "$(grep -c '^<3>Ошибка: .*127.0.0.1:'"$PORT" "$T/journal")" 1
expect_eq serve_journal_all_prioritised "$(grep -vc '^<[0-7]>' "$T/journal")" 0
hub_stop

# --- 0 again: the listings and the commands that worked before
rc token_list 0 --data "$D" token list --json
rc keys_list_json 0 --data "$D" keys list --json
rc report_runs 0 --data "$D" report passport --format json

echo "test_hub_cli_exit: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
