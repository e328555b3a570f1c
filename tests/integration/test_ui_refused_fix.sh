#!/usr/bin/env bash
# test_ui_refused_fix — a record whose own content the hub refused, fixed
# through the interface (/refused → /fill → save) with a real hub: the
# refused entry is superseded, never sent again, the set's other records
# go again as they are, and the hub ends with the corrected record once
# (what it checks: the .py's header).
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-uifix.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
run() {
	if ! "$@" >"$T/out" 2>"$T/err"; then
		echo "Bail out! $*: $(tr '\n' ' ' <"$T/err" | cut -c1-400)"
		exit 1
	fi
}

# the hub's copy of the student survey (same id and version) asks for grade
# 9 at most where the device's allows 11: a grade 10 passes on the device
# and the hub refuses that record's content
mkdir -p "$T/hubforms"
cp -r "$TETRAD_FORMS_DIR"/*/ "$T/hubforms/" 2>/dev/null
cp "$TETRAD_FORMS_DIR"/*.json "$T/hubforms/"
python3 - "$T/hubforms/survey_student.json" <<'PY' || { echo "Bail out! hub form"; exit 1; }
import json, sys
p = sys.argv[1]
f = json.load(open(p, encoding="utf-8"))
g = [x for x in f["fields"] if x["id"] == "grade"][0]
g["max"] = 9
json.dump(f, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
TETRAD_FORMS_DIR="$T/hubforms" hub_start "$T/hub" || exit 1
TETRAD="$TETRAD_BIN/tetrad"
DB=$T/school.db
run "$TETRAD" --db "$DB" init --school 170103 --name "Школа 170103"
tok=$(hub_token --school 170103)
run "$TETRAD" --db "$DB" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA"

python3 "$SRC/tests/integration/test_ui_refused_fix.py" "$TETRAD" "$T" "$DB" "$HUB_DIR/hub.db" \
	"$SRC/tests/data/forms"
rc=$?
if [ "$rc" != 0 ]; then
	for f in "$T"/ui-*.log; do [ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" | tail -n 20; done
fi
exit "$rc"
