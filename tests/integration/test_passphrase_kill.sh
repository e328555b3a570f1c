#!/usr/bin/env bash
# test_passphrase_kill — kill -9 at random moments of `tetrad passphrase set`
# (the migration of 1,500 mediation cases' local values into sealed blobs and
# the scrub), `change`, `remove` and `reset`, each on a fresh copy of one
# device database (issue 21, "Must show": every value readable with the old
# or the new passphrase, none with neither). The rounds and checks are in
# passphrase_kill.py; the seed is printed (TETRAD_TEST_SEED=N repeats a run).
# Default: 30 kills of set and of change, 8 of remove and of reset (about
# half a minute on 2 cores); TETRAD_TEST_LONG=1: 200 and 40;
# TETRAD_TEST_SHORT=1 (the sanitizer suite of scripts/test.sh): 10 and 4,
# the same checks after each; set and change still need 10 runs really
# killed each.
# Opens no port, yet runs in the locked lane of tests/CMakeLists.txt on
# purpose: its kill moments are aimed by the command's measured duration,
# which another test beside it makes a moving target (30 real kills of 90
# runs were missed once so).
# Timed: its kill moments are aimed by the command's measured duration. Runs with no
# browser test beside it (tests/CMakeLists.txt).
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
W=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-ppkill.XXXXXX")
trap 'if [ "${KEEP:-0}" = 1 ]; then echo "kept $W" >&2; else rm -rf "$W"; fi' EXIT
trap 'exit 1' INT TERM
args=(--records 1500 --kills 30 --small-kills 8)
if [ "${TETRAD_TEST_LONG:-0}" = 1 ]; then
	args=(--records 1500 --kills 200 --small-kills 40)
elif [ "${TETRAD_TEST_SHORT:-0}" = 1 ]; then
	args=(--records 1500 --kills 10 --small-kills 4)
fi
python3 "$SRC/tests/integration/passphrase_kill.py" "$TETRAD_BIN" "$W/work" "${args[@]}"
