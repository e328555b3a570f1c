#!/usr/bin/env bash
# The coordinator's dashboard on the hub in a real headless Chromium, on the
# demo's data: login, a wrong password, throttling, every indicator's page
# against `tetrad-hub report … --format json`, the .xlsx read back, a school
# account kept to its school, CSRF, the audit log
# (tests/browser/run_dash.py; screenshots 100-169 in <build>/screenshots).
# Drives Chromium: runs in the browser lane, beside the network tests
# (tests/CMakeLists.txt).
set -u
for p in chromium chromedriver; do
	command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (scripts/install-deps.sh)"; exit 77; }
done
python3 -c 'import selenium, openpyxl' 2>/dev/null ||
	{ echo "SKIP: python3-selenium or python3-openpyxl is not installed (scripts/install-deps.sh)"; exit 77; }
exec timeout -k 5 300 python3 "$TETRAD_SOURCE_DIR/tests/browser/run_dash.py"
