#!/bin/bash
# test_files_private — every file the programs write with children's data or
# keys is private (0600) under an ordinary umask 022, and nothing planted in
# the way is followed (issue 25):
#  - `tetrad export --out FILE`: FILE is 0600; a symlink planted at FILE.tmp
#    or at FILE leaves its target untouched and FILE becomes a regular 0600
#    file; a FILE already there is replaced whole (a new inode: a reader
#    holding the old one sees the old export, never a half-written one); no
#    temporary file is left; a folder that does not exist fails cleanly;
#  - the device database and its -wal/-shm, the device key (`tetrad init`,
#    `tetrad-syncd enroll`), the USB export file: 0600;
#  - `tetrad-hub init` from a shell: hub.db, -wal, -shm, the keys and the TLS
#    keys are 0600; a hub.db left 0644 by an older hub is narrowed to 0600;
#    a report written with --out is 0600;
#  - a passphrase file group or others may read is refused (hub init and
#    syncd enroll) with a message naming the file and `chmod 600`, non-zero
#    exit, nothing created; with 0600 the same command works;
#  - afterwards the programs still work: a push is applied, an export made.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
. "$SRC/tests/integration/lib_hub.sh"

umask 022
TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-private.XXXXXX")
cleanup() {
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
mode() { stat -c %a "$1" 2>/dev/null || echo none; }
# check_mode NAME FILE...: every file exists and is 0600
check_mode() {
	local what=$1 f bad=""
	shift
	for f in "$@"; do
		[ "$(mode "$f")" = 600 ] || bad="$bad ${f##*/}=$(mode "$f")"
	done
	if [ -z "$bad" ]; then pass "$what: 0600"; else fail "$what:$bad"; fi
}

# --- the device: database, key, export
DB=$T/dev/device.db
mkdir -p "$T/dev"
"$TETRAD" --db "$DB" init --school 170103 >/dev/null 2>"$T/client.err" || { fail "tetrad init: $(cat "$T/client.err")"; exit 1; }
{
	echo "academic_year;snapshot_date;level;class_name;students_total;families_total;large_families;low_income_families;single_parent_families;foster_children;orphans;disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families"
	for i in 1 2 3 4 5; do
		echo "2025/2026;2025-09-15;class;${i}В;30;25;1;1;2;0;0;0;1;0;0;0;0;0;1;10;0;0"
	done
} >"$T/a.csv"
"$TETRAD" --db "$DB" import social_passport --csv "$T/a.csv" >/dev/null 2>>"$T/client.err" ||
	{ fail "import: $(tail -1 "$T/client.err")"; exit 1; }
db_files=("$DB")
for s in -wal -shm; do [ -e "$DB$s" ] && db_files+=("$DB$s"); done
check_mode "device database (${#db_files[@]} files) and the device key" "${db_files[@]}" "$DB.device.key"

OUT=$T/dev/export.csv
"$TETRAD" --db "$DB" export social_passport --format csv --out "$OUT" >/dev/null 2>>"$T/client.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(mode "$OUT")" = 600 ] && [ "$(grep -c '2025/2026' "$OUT")" = 5 ]; then
	pass "export --out: 0600 with the 5 records"
else
	fail "export --out: exit $rc, mode $(mode "$OUT"), $(grep -c '2025/2026' "$OUT" 2>/dev/null) records"
fi

# a link planted at FILE.tmp (where the export used to be written first)
rm -f "$OUT"
echo "не трогать" >"$T/victim1"
ln -s "$T/victim1" "$OUT.tmp"
"$TETRAD" --db "$DB" export social_passport --format csv --out "$OUT" >/dev/null 2>>"$T/client.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$T/victim1")" = "не трогать" ] && [ ! -L "$OUT" ] && [ -f "$OUT" ] &&
	[ "$(mode "$OUT")" = 600 ] && [ "$(mode "$T/victim1")" = 644 ]; then
	pass "a symlink planted at FILE.tmp: its target untouched, FILE a regular 0600 file"
else
	fail "symlink at FILE.tmp: exit $rc, target now «$(head -c 40 "$T/victim1")» $(mode "$T/victim1"), FILE $(stat -c '%F %a' "$OUT" 2>&1)"
fi
rm -f "$OUT.tmp"

# a link planted at FILE itself
rm -f "$OUT"
echo "не трогать" >"$T/victim2"
ln -s "$T/victim2" "$OUT"
"$TETRAD" --db "$DB" export social_passport --format csv --out "$OUT" >/dev/null 2>>"$T/client.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$T/victim2")" = "не трогать" ] && [ ! -L "$OUT" ] && [ -f "$OUT" ] &&
	[ "$(mode "$OUT")" = 600 ] && [ "$(grep -c '2025/2026' "$OUT")" = 5 ]; then
	pass "a symlink planted at FILE: replaced by a regular 0600 file, its target untouched"
else
	fail "symlink at FILE: exit $rc, target now «$(head -c 40 "$T/victim2")», FILE $(stat -c '%F %a' "$OUT" 2>&1)"
fi

# a FILE already there is replaced whole: a new inode; the old one (held here
# by a hard link, as by a reader) still has the old content
echo "старая выгрузка" >"$OUT.old"
chmod 644 "$OUT.old"
rm -f "$OUT"
ln "$OUT.old" "$OUT"
ino_before=$(stat -c %i "$OUT")
"$TETRAD" --db "$DB" export social_passport --format csv --out "$OUT" >/dev/null 2>>"$T/client.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(stat -c %i "$OUT")" != "$ino_before" ] && [ "$(cat "$OUT.old")" = "старая выгрузка" ] &&
	[ "$(mode "$OUT")" = 600 ] && [ "$(grep -c '2025/2026' "$OUT")" = 5 ]; then
	pass "an existing FILE replaced atomically (new inode, the old one unchanged, 0600)"
else
	fail "existing FILE: exit $rc, inode $ino_before→$(stat -c %i "$OUT"), old «$(head -c 40 "$OUT.old")», mode $(mode "$OUT")"
fi
left=$(find "$T/dev" -name 'export.csv?*' ! -name 'export.csv.old' | wc -l)
[ "$left" = 0 ] && pass "no temporary export file left" || fail "$left temporary export files left: $(ls "$T/dev")"

"$TETRAD" --db "$DB" export social_passport --format csv --out "$T/nowhere/x.csv" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -ne 0 ] && [ -s "$T/err" ] && [ ! -e "$T/nowhere" ]; then
	pass "export into a missing folder: exit $rc, «$(head -1 "$T/err" | cut -c1-100)»"
else
	fail "export into a missing folder: exit $rc, «$(cat "$T/err")»"
fi

# --- the hub, initialised from this shell (umask 022)
PASS=$T/hub.pass
printf 'фраза хаба\n' >"$PASS"   # 0644 under umask 022
"$TETRAD_BIN/tetrad-hub" --data "$T/hubp" --passphrase-file "$PASS" init >/dev/null 2>"$T/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "$PASS" "$T/err" && grep -q 'chmod 600' "$T/err" && [ ! -e "$T/hubp/hub.enc.key" ]; then
	pass "hub init with a world-readable passphrase file refused: exit $rc, «$(head -1 "$T/err" | cut -c1-160)»"
else
	fail "hub init with a 0644 passphrase file: exit $rc, «$(cat "$T/err")», keys $(ls "$T/hubp" 2>&1 | tr '\n' ' ')"
fi
chmod 640 "$PASS"
"$TETRAD_BIN/tetrad-hub" --data "$T/hubp" --passphrase-file "$PASS" init >/dev/null 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && grep -q 'chmod 600' "$T/err" && pass "a group-readable passphrase file refused too (exit $rc)" ||
	fail "0640 passphrase file: exit $rc, «$(cat "$T/err")»"
chmod 600 "$PASS"
if "$TETRAD_BIN/tetrad-hub" --data "$T/hubp" --passphrase-file "$PASS" init >/dev/null 2>"$T/err" &&
	[ -f "$T/hubp/hub.enc.key" ]; then
	pass "hub init with the passphrase file made 0600 works"
else
	fail "hub init with a 0600 passphrase file: $(cat "$T/err")"
fi

HUBDATA=$T/hub
mkdir -p "$HUBDATA"
hub_start "$HUBDATA" || { fail "the hub does not start"; exit 1; }
"$SYNCD" enroll --db "$DB" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" \
	>/dev/null 2>>"$T/syncd.log" || { fail "enroll: $(tail -2 "$T/syncd.log")"; exit 1; }
if "$SYNCD" --once --db "$DB" --no-pull >/dev/null 2>>"$T/syncd.log" &&
	[ "$(sqlite3 "$HUBDATA/hub.db" 'SELECT count(*) FROM hub_records')" = 5 ]; then
	pass "a push from the device is applied (5 records on the hub)"
else
	fail "push: $(tail -2 "$T/syncd.log" | tr '\n' ' ')"
fi
hub_files=("$HUBDATA/hub.db")
for s in -wal -shm; do [ -e "$HUBDATA/hub.db$s" ] && hub_files+=("$HUBDATA/hub.db$s"); done
if [ ${#hub_files[@]} = 3 ]; then
	check_mode "hub.db, -wal and -shm of a hub initialised under umask 022" "${hub_files[@]}"
else
	fail "the running hub has no -wal/-shm beside hub.db: $(ls "$HUBDATA" | tr '\n' ' ')"
fi
check_mode "hub keys and TLS keys" "$HUBDATA/hub.enc.key" "$HUBDATA/hub.sign.key" \
	"$HUBDATA/tls/ca.key" "$HUBDATA/tls/server.key" "$T/hubp/hub.enc.key" "$T/hubp/hub.db"

"$TETRAD_BIN/tetrad-hub" --data "$HUBDATA" report passport --format csv --out "$T/report.csv" >/dev/null 2>>"$T/err"
check_mode "hub report --out" "$T/report.csv"

# a passphrase file others may read: refused by syncd too, nothing written
DB2=$T/dev2/device.db
mkdir -p "$T/dev2"
printf 'фраза школы\n' >"$T/dev.pass"
"$TETRAD" --db "$DB2" init --school 170103 >/dev/null 2>>"$T/client.err"
rm -f "$DB2.device.key"
"$SYNCD" enroll --db "$DB2" --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA" \
	--passphrase-file "$T/dev.pass" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "$T/dev.pass" "$T/err" && grep -q 'chmod 600' "$T/err" && [ ! -e "$DB2.device.key" ]; then
	pass "syncd enroll with a world-readable passphrase file refused: exit $rc, no key written"
else
	fail "syncd enroll with a 0644 passphrase file: exit $rc, «$(cat "$T/err")», key $(mode "$DB2.device.key")"
fi

# USB export of new records
"$TETRAD" --db "$DB" import social_passport --csv "$T/a.csv" >/dev/null 2>>"$T/client.err"
mkdir -p "$T/usb"
"$SYNCD" export --db "$DB" --out "$T/usb/school.ttex" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$T/usb/school.ttex" ]; then
	check_mode "USB export file" "$T/usb/school.ttex"
else
	fail "USB export: exit $rc, «$(cat "$T/err")»"
fi
# beside it the device's pull ack (tetrad-syncd export writes it every time)
[ -s "$T/usb/school.ttex.ack" ] && check_mode "USB pull ack file" "$T/usb/school.ttex.ack"
[ "$(ls "$T/usb" | wc -l)" = 2 ] && pass "no temporary USB file left" || fail "USB folder: $(ls "$T/usb")"

# a hub.db (and -wal, -shm) left 0644 by an older hub is narrowed at open
hub_stop
chmod 644 "$HUBDATA/hub.db"
for s in -wal -shm; do [ -e "$HUBDATA/hub.db$s" ] && chmod 644 "$HUBDATA/hub.db$s"; done
# on the same port: the device keeps the hub's address it enrolled with
port=${HUB_URL##*:}
"$HUB_BIN" --data "$HUBDATA" serve --listen "127.0.0.1:$port" >>"$HUB_LOG" 2>&1 &
HUB_PID=$!
up=0
for _ in $(seq 1 100); do
	curl -s --max-time 2 --cacert "$HUB_CA" "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"' && { up=1; break; }
	kill -0 "$HUB_PID" 2>/dev/null || break
	sleep 0.2
done
[ $up = 1 ] || { fail "the hub does not start again: $(tail -3 "$HUB_LOG")"; exit 1; }
hub_files=("$HUBDATA/hub.db")
for s in -wal -shm; do [ -e "$HUBDATA/hub.db$s" ] && hub_files+=("$HUBDATA/hub.db$s"); done
check_mode "a 0644 hub.db narrowed when the hub opens it (${#hub_files[@]} files)" "${hub_files[@]}"
chmod 644 "$DB"
"$TETRAD" --db "$DB" list social_passport >/dev/null 2>>"$T/client.err"
check_mode "a 0644 device database narrowed when the client opens it" "$DB"

# the programs still work: the second batch goes up, an export is made
if "$SYNCD" --once --db "$DB" --no-pull >/dev/null 2>>"$T/syncd.log" &&
	[ "$(sqlite3 "$HUBDATA/hub.db" 'SELECT count(*) FROM hub_records')" = 10 ]; then
	pass "after all this a push is applied (10 records on the hub)"
else
	fail "push afterwards: $(tail -2 "$T/syncd.log" | tr '\n' ' ')"
fi
"$TETRAD" --db "$DB" export social_passport --format json --out "$T/dev/final.json" >/dev/null 2>>"$T/client.err" &&
	[ "$(mode "$T/dev/final.json")" = 600 ] && pass "export afterwards: 0600" || fail "export afterwards"

[ $FAILS -eq 0 ] || echo "# $FAILS failed (KEEP=1 keeps $T)"
[ $FAILS -eq 0 ]
