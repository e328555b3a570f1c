#!/usr/bin/env bash
# test_sync_edit_race — an edit on a device while its syncd applies a pull
# (the daemon running while a person works) must lose neither: found by
# test_sync_converge as a conflict logged twice. Two school PCs of 170103 and
# a real hub; a passport on both. Each round: PC B changes «Многодетные
# семьи» and pushes; PC A pulls in the background while `tetrad edit` changes
# «Дети-сироты» on A at a random moment of that pull. Afterwards A must hold
# B's value (the pull not undone by the edit's write) and, once both have
# synced, so must the hub and B (the edit not queued as a newer change of a
# field it did not touch). 100 rounds (600 with TETRAD_LONG=1, 30 with
# TETRAD_TEST_SHORT=1: the sanitizer suite of scripts/test.sh, where the
# point is the race's code paths under ASan/UBSan, not the odds of catching
# it; TETRAD_RACE_ROUNDS=N any number); before the fix about 1 round in 60
# lost B's value.
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }
export TETRAD_FORMS_DIR="$TETRAD_SOURCE_DIR/forms"
T="$TETRAD_BIN/tetrad"
rounds=100
if [ "${TETRAD_LONG:-0}" = 1 ]; then rounds=600; elif [ "${TETRAD_TEST_SHORT:-0}" = 1 ]; then rounds=30; fi
rounds=${TETRAD_RACE_ROUNDS:-$rounds}

work=$(mktemp -d)
BG=""
cleanup() {
	[ -n "$BG" ] && kill -9 "$BG" 2>/dev/null && wait "$BG" 2>/dev/null
	hub_stop
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/hub"
hub_start "$work/hub" || sync_fail "hub did not start"
code=$(hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" 2>/dev/null)
if [ "$code" = 404 ] || [ "$code" = 000 ]; then
	echo "SKIP: this hub has no POST /v1/pull (answer $code)"
	exit 77
fi
for d in a b; do
	"$T" --db "$work/$d.db" init --school 170103 --name "Школа 170103" >/dev/null 2>&1 || sync_fail "init $d"
	tok=$(hub_token --school 170103 --name "Школа 170103") || sync_fail "token"
	"$T" --db "$work/$d.db" enroll --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" >/dev/null 2>&1 || sync_fail "enroll $d"
done
id=$("$T" --db "$work/a.db" new social_passport --json "$TETRAD_SOURCE_DIR/tests/data/forms/social_passport.good.json" 2>"$work/err") \
	|| sync_fail "new: $(cat "$work/err")"
for d in a b; do "$SYNCD" --once --quiet --db "$work/$d.db" >/dev/null 2>&1 || sync_fail "first sync of $d"; done

# field DB FIELD — the record's value on a device ("hub": on the hub)
field() {
	python3 - "$1" "$id" "$2" <<'PY'
import json, sqlite3, sys, uuid
db, rid, f = sys.argv[1:4]
sql = "SELECT data FROM hub_records WHERE id=?" if db.endswith("hub.db") else "SELECT data FROM records WHERE id=?"
r = sqlite3.connect(db).execute(sql, (uuid.UUID(rid).bytes,)).fetchone()
print(json.loads(r[0]).get(f))
PY
}

lost=0
for i in $(seq 1 "$rounds"); do
	"$T" --db "$work/b.db" edit "$id" --set large_families=$((i % 60)) >/dev/null 2>"$work/err" \
		|| sync_fail "round $i: edit on B: $(cat "$work/err")"
	"$SYNCD" --once --quiet --no-pull --db "$work/b.db" >/dev/null 2>&1 || sync_fail "round $i: push of B"
	"$SYNCD" pull --db "$work/a.db" >"$work/pull.out" 2>&1 &
	BG=$!
	sleep "0.0$((RANDOM % 8))"
	"$T" --db "$work/a.db" edit "$id" --set orphans=$((i % 6)) >/dev/null 2>"$work/err" \
		|| sync_fail "round $i: edit on A: $(cat "$work/err")"
	wait "$BG"
	rc=$?          # 10: the edit made meanwhile waits for the next push
	[ "$rc" = 0 ] || [ "$rc" = 10 ] || sync_fail "round $i: pull of A exit $rc: $(cat "$work/pull.out")"
	BG=""
	got=$(field "$work/a.db" large_families)
	if [ "$got" != $((i % 60)) ]; then
		lost=$((lost + 1))
		echo "round $i: A holds large_families=$got after pulling B's $((i % 60))"
	fi
	"$SYNCD" --once --quiet --db "$work/a.db" >/dev/null 2>&1 || sync_fail "round $i: sync of A"
	"$SYNCD" --once --quiet --db "$work/b.db" >/dev/null 2>&1 || sync_fail "round $i: sync of B"
	h=$(field "$HUB_DIR/hub.db" large_families)
	b=$(field "$work/b.db" large_families)
	if [ "$h|$b" != "$((i % 60))|$((i % 60))" ]; then
		lost=$((lost + 1))
		echo "round $i: after both synced the hub holds large_families=$h, B $b, B typed $((i % 60))"
	fi
done
sync_expect_eq "values lost to an edit made during a pull, in $rounds rounds" "$lost" 0
sync_expect_eq "A's «Дети-сироты», its own last edit" "$(field "$work/a.db" orphans)" $((rounds % 6))
sync_expect_eq "the hub's «Дети-сироты»" "$(field "$HUB_DIR/hub.db" orphans)" $((rounds % 6))
echo "PASS"
