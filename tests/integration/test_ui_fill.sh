#!/usr/bin/env bash
# test_ui_fill — filling records in the browser interface (issue 22) through
# the real programs: a real hub over HTTPS enrolls a curator's laptop with
# two schools; a school device has a passphrase; `tetrad ui` serves each
# database on 127.0.0.1 and test_ui_fill.py drives it over HTTP as a browser
# without scripting would, reading the SQLite files back (what it shows:
# the .py's header).
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=$SRC/forms
# the passphrase's Argon2id at the library minimum: tests only (docs/client.md)
export TETRAD_PWHASH=test
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-uifill.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
C=$T/curator.db
S=$T/school.db
run() {
	if ! "$@" >"$T/out" 2>"$T/err"; then
		echo "Bail out! $*: $(tr '\n' ' ' <"$T/err" | cut -c1-400)"
		exit 1
	fi
}

hub_start "$T/hub" || exit 1
run "$TETRAD" --db "$C" init --curator --name "Петрова М. И."
tok=$(hub_token --curator "Петрова М. И." --schools 170103,170104)
run "$TETRAD" --db "$C" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA"
# the issued risk profile (РПШ) for the visit's table
printf 'Код ОО;Год;Фактор;Уровень\n170104;2026;R01;высокий\n170104;2026;R02;не выявлен\n' >"$T/prof.csv"
run "$TETRAD" --db "$C" profile import "$T/prof.csv"
run "$TETRAD" --db "$S" init --school 170104 --name "Школа 170104"
printf 'верный пароль 2026\n' >"$T/pass"
chmod 600 "$T/pass"
run "$TETRAD" --db "$S" --new-passphrase-file "$T/pass" passphrase set

run "$TETRAD" --db "$T/new.db" init --curator --name "Сидоров"

python3 "$SRC/tests/integration/test_ui_fill.py" "$TETRAD" "$T" "$C" "$S" "$T/pass" "$T/new.db"
rc=$?
if [ "$rc" != 0 ]; then
	for f in "$T"/ui-*.log; do [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" | tail -n 20; done
fi
exit "$rc"
