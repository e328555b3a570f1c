#!/usr/bin/env bash
# A municipal curator in a real headless Chromium against the real
# `tetrad ui` and a real hub on 127.0.0.1: enrolled from the enrollment
# file, a verification visit with the eleven-factor table, sync, the
# verification report, the .xlsx of the factors
# (tests/browser/run_curator.py; screenshots in <build>/screenshots).
# Drives Chromium: runs in the browser lane, beside the network tests
# (tests/CMakeLists.txt).
set -u
for p in chromium chromedriver; do
	command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (scripts/install-deps.sh)"; exit 77; }
done
python3 -c 'import selenium, openpyxl' 2>/dev/null ||
	{ echo "SKIP: python3-selenium or python3-openpyxl is not installed (scripts/install-deps.sh)"; exit 77; }
exec timeout -k 5 170 python3 "$TETRAD_SOURCE_DIR/tests/browser/run_curator.py"
