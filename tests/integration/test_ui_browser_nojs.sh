#!/usr/bin/env bash
# JavaScript switched off in a real headless Chromium against the real
# `tetrad ui` and a real hub on 127.0.0.1: every page still works (a case
# with parties added and removed by posts, a survey, records, sync, export)
# (tests/browser/run_nojs.py; screenshots in <build>/screenshots).
# Drives Chromium: runs in the browser lane, beside the network tests
# (tests/CMakeLists.txt).
set -u
for p in chromium chromedriver; do
	command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (scripts/install-deps.sh)"; exit 77; }
done
python3 -c 'import selenium, openpyxl' 2>/dev/null ||
	{ echo "SKIP: python3-selenium or python3-openpyxl is not installed (scripts/install-deps.sh)"; exit 77; }
exec timeout -k 5 170 python3 "$TETRAD_SOURCE_DIR/tests/browser/run_nojs.py"
