#!/usr/bin/env bash
# Copies the screenshots the browser tests took (tests/browser/: headless
# Chromium at 1366×768, saved as BUILD/screenshots/NN-name.png) into
# docs/ru/img/ under the names docs/ru/guide.md shows them by. Run after
# the browser tests, then look at the pictures and commit them:
#   scripts/guide-shots.sh [BUILD_DIR]     (default build/rel)
# A picture whose test did not run this time is left as it was, and named.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shots=${1:-$here/build/rel}/screenshots
img=$here/docs/ru/img
[ -d "$shots" ] || { echo "guide-shots: no $shots (run the browser tests first)" >&2; exit 1; }
mkdir -p "$img"
# guide name  <-  the test's screenshot (by its name without the number)
map="
unlock passphrase
home curator-home
enroll enroll
new visit-forms
school visit-school
visit visit-factors
error visit-error
review visit-review
mediation case-three-parties
drafts records-drafts
records records
record record-page
sync sync-result
refused nojs-refused
export export
import import-problems
dash-login dash-login
dash-login-wrong dash-login-wrong
dash-overview dash-overview
dash-verification dash-verification
dash-mediation dash-mediation
dash-passport dash-passport
dash-passport-years dash-passport-years
dash-surveys-answers dash-surveys-answers
dash-identification dash-identification
dash-identification-chart dash-identification-chart
dash-school-page dash-school-page
dash-surveys dash-surveys
dash-review-conflicts dash-review-conflicts
dash-school dash-school-overview
dash-forbidden dash-school-forbidden
dash-users dash-admin-users
dash-user-add dash-admin-user-add
dash-programme dash-admin-programme
dash-form-published dash-admin-form-published
dash-token dash-token
dash-audit dash-admin-audit
"
missing=()
while read -r name from; do
	[ -n "$name" ] || continue
	src=$(ls "$shots"/[0-9]*-"$from".png 2>/dev/null | head -n 1 || true)
	if [ -n "$src" ]; then
		cp "$src" "$img/$name.png"
	else
		missing+=("$name ($from)")
	fi
done <<<"$map"
echo "copied into docs/ru/img from $shots"
if [ ${#missing[@]} -gt 0 ]; then
	echo "not taken in this run, left as they were: ${missing[*]}"
fi
