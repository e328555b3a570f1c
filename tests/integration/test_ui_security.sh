#!/usr/bin/env bash
# `tetrad ui` refuses what a hostile page or another user could send: a wrong
# Host header, no launch cookie, a missing or wrong CSRF token, a form posted
# from another origin, bodies over the caps; nothing is stored
# (test_ui_security.py, python's http.client; no browser needed).
set -u
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }
exec timeout -k 5 170 python3 "$TETRAD_SOURCE_DIR/tests/integration/test_ui_security.py"
