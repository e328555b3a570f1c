#!/usr/bin/env bash
# test_ui_core — `tetrad ui` itself, driven over HTTP by test_ui_core.py on
# a real SQLite file: the options and their errors, the URL file (0600),
# the launch secret exchanged for the cookie and every page refused
# without it, the headers every answer carries, the start page, the record
# list (filters, the posted search never in a URL, pages), a record's page,
# delete with its confirmation (refused without the CSRF token: nothing
# deleted), the passphrase page (wrong, right, the recovery key, «Позже»),
# the browser path when none can be opened, and a clean stop on SIGTERM.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export TETRAD_BIN="${TETRAD_BIN:?}" TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
export TETRAD_PWHASH=test
unset TETRAD_PASSPHRASE_FILE TETRAD_NEW_PASSPHRASE_FILE TETRAD_PROMPT TETRAD_DB
exec python3 "$HERE/test_ui_core.py"
