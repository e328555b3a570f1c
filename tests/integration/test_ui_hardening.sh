#!/usr/bin/env bash
# test_ui_hardening — the fixes of the security review of `tetrad ui`,
# driven over HTTP by test_ui_hardening.py on a real SQLite file: a POST
# to /launch, /static/, /favicon.ico (a body, multipart, empty) is 405 and
# the server lives on; the launch secret works once; the cookie is named
# for the port and found among others of its name; Origin exactly this
# server (Referrer-Policy same-origin); next= kept a path of this server.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export TETRAD_BIN="${TETRAD_BIN:?}" TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE TETRAD_PROMPT TETRAD_DB
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }
exec timeout -k 5 170 python3 "$HERE/test_ui_hardening.py"
