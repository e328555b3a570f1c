#!/usr/bin/env bash
# test_shared_db — the school PC of docs/operations.md ("One database for
# several people"), with real system users: a service user (the `tetrad`
# of the docs) and two people in its group, each acting as themselves
# through runuser, against a real hub:
#  - the folder is made as the docs say (setgid, 2770, the group's); the
#    service user runs `tetrad init` and `tetrad enroll` there under the
#    service's umask 0077: the database is 0660 and the group's, the device
#    key 0600 and the service's;
#  - person A records; person B, in the same group, sees A's record and
#    edits it; a third user outside the group is refused with the reason
#    (no access, join the group) — not «База данных не найдена»;
#  - A's `tetrad sync` says the service sends (the key is not A's), exit 2;
#  - the service user syncs to the hub: both records arrive with B's edit;
#    the forms it pulls are readable by the group (0640 in a 0750 folder),
#    and A can write again after the service's run (-wal/-shm stay 0660);
#  - A sets the store's passphrase; B still records and the service still
#    sends;
#  - nothing is ever open to others: every file in the folder has no
#    other-bits; a database the service left 0664 (others may read) is
#    narrowed to 0660, not to 0600 (issue 25's narrowing keeps the group);
#  - a private folder stays private: A's own database in A's 0700 folder,
#    made under umask 002, is 0600 and nothing there is widened.
# Users and the group are made with useradd/groupadd and removed by the
# trap. Exit 77 when not root.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to make system users (useradd, runuser)"; exit 77; }
[ -x "$TETRAD_BIN/tetrad" ] || { echo "SKIP: no tetrad client built in $TETRAD_BIN"; exit 77; }
. "$SRC/tests/integration/lib_hub.sh"

# short unique names (useradd: at most 32 characters)
sfx=$(printf '%05d' $(($$ % 100000)))
G=tt24g$sfx SVC=tt24s$sfx A=tt24a$sfx B=tt24b$sfx C=tt24c$sfx
made_users=""
made_group=0
T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-shared.XXXXXX")
cleanup() {
	local u
	hub_stop
	for u in $made_users; do userdel "$u" >/dev/null 2>&1; done
	[ $made_group = 1 ] && groupdel "$G" >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
die() { fail "$*"; echo "1..$N"; exit 1; }
perm() { stat -c '%a %U %G' "$1" 2>/dev/null || echo none; }

groupadd "$G" || die "groupadd $G"
made_group=1
# the service user's own group is the shared one, as tetrad:tetrad in the docs
useradd -M -N -g "$G" -s /usr/sbin/nologin "$SVC" || die "useradd $SVC"
made_users="$SVC"
for u in "$A" "$B"; do
	useradd -M -N -G "$G" -s /usr/sbin/nologin "$u" || die "useradd $u"
	made_users="$made_users $u"
done
useradd -M -N -s /usr/sbin/nologin "$C" || die "useradd $C"
made_users="$made_users $C"

# The programs and forms where every test user may run and read them (the
# build folder may sit in a home others cannot enter).
chmod 755 "$T"
mkdir -p "$T/bin"
cp "$TETRAD_BIN/tetrad" "$TETRAD_BIN/tetrad-syncd" "$T/bin/"
cp -r "${TETRAD_FORMS_DIR:-$SRC/forms}" "$T/forms"
chmod -R a+rX "$T/bin" "$T/forms"
mkdir -p "$T/hub"
hub_start "$T/hub" || die "hub did not start"
cp "$HUB_CA" "$T/ca.pem"
chmod 644 "$T/ca.pem"

# as USER, with the service's umask unless told: runuser keeps no more of
# the environment than we give it
as() {
	local user=$1 um=$2
	shift 2
	runuser -u "$user" -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$T" \
		TETRAD_FORMS_DIR="$T/forms" bash -c "umask $um; exec \"\$@\"" sh "$@"
}
TET=$T/bin/tetrad
SYNCD=$T/bin/tetrad-syncd

# --- the folder as docs/operations.md makes it
SH=$T/shared
mkdir "$SH"
chown "$SVC:$G" "$SH"
chmod 2770 "$SH"
DB=$SH/tetrad.db
as "$SVC" 077 "$TET" --db "$DB" init --school 170103 --name "Школа 170103" >"$T/out" 2>&1 ||
	die "init as the service user: $(cat "$T/out")"
tok=$(hub_token --school 170103 --name "Школа 170103")
[ -n "$tok" ] || die "no token"
as "$SVC" 077 "$TET" --db "$DB" enroll --hub "$HUB_URL" --token "$tok" --ca "$T/ca.pem" >"$T/out" 2>&1 ||
	die "enroll as the service user: $(cat "$T/out")"
if [ "$(perm "$DB")" = "660 $SVC $G" ] && [ "$(perm "$DB.device.key")" = "600 $SVC $G" ]; then
	pass "init under umask 0077: database 660 $SVC:$G, device key 600"
else
	fail "init: database $(perm "$DB"), key $(perm "$DB.device.key")"
fi

# --- A records, B sees and edits
rec() { echo "--set grade=$1 --set enough_equipment=4 --set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 --set response_date=10.02.2026"; }
# shellcheck disable=SC2046
if as "$A" 077 "$TET" --db "$DB" new survey_student $(rec 4) >"$T/a.out" 2>"$T/a.err"; then
	ID=$(head -1 "$T/a.out")
	pass "person A records (as $A): $ID"
else
	die "A cannot record: $(cat "$T/a.err")"
fi
if as "$B" 077 "$TET" --db "$DB" list survey_student >"$T/b.out" 2>"$T/b.err" && grep -q "$ID" "$T/b.out"; then
	pass "person B sees A's record"
else
	fail "B's list: $(cat "$T/b.out" "$T/b.err")"
fi
if as "$B" 077 "$TET" --db "$DB" edit "$ID" --set grade=9 >"$T/b.out" 2>"$T/b.err" &&
	as "$A" 077 "$TET" --db "$DB" show "$ID" --json >"$T/a.out" 2>"$T/a.err" &&
	python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["data"]["grade"] != 9)' "$T/a.out"; then
	pass "person B edits it, A sees the edit"
else
	fail "B's edit: $(cat "$T/b.err" "$T/a.err")"
fi
# shellcheck disable=SC2046
as "$B" 022 "$TET" --db "$DB" new survey_student $(rec 5) >/dev/null 2>"$T/b.err" ||
	fail "B records (umask 022): $(cat "$T/b.err")"

# --- outside the group: the reason, not "not found"
as "$C" 022 "$TET" --db "$DB" list >"$T/c.out" 2>"$T/c.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "Нет доступа" "$T/c.err" && grep -q "группы tetrad" "$T/c.err" &&
	! grep -q "не найдена" "$T/c.err"; then
	pass "a user outside the group: exit $rc, «$(head -c 90 "$T/c.err")…»"
else
	fail "outsider: exit $rc: $(cat "$T/c.out" "$T/c.err")"
fi

# --- a member's sync: the service sends
as "$A" 077 "$TET" --db "$DB" sync >"$T/a.out" 2>"$T/a.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "служба tetrad-syncd" "$T/a.out" "$T/a.err"; then
	pass "A's tetrad sync: exit 2, the service sends"
else
	fail "A's sync: exit $rc: $(cat "$T/a.out" "$T/a.err")"
fi

# --- the service syncs; a form the hub publishes is pulled for the group
cat >"$T/shared_test.json" <<'JSON'
{"format":1,"id":"shared_test","version":1,"title":"Общая форма","fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":1000}]}
JSON
hub_cli forms publish "$T/shared_test.json" >"$T/pub" 2>&1 || die "forms publish: $(cat "$T/pub")"
as "$SVC" 077 "$SYNCD" --once --db "$DB" >"$T/s.out" 2>"$T/s.err"
rc=$?
hub_data=$(sqlite3 "$HUB_DIR/hub.db" "SELECT data FROM hub_records WHERE form_id = 'survey_student'" 2>&1)
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$hub_data" | grep -c .)" = 2 ] &&
	printf '%s\n' "$hub_data" | grep -q '"grade":9'; then
	pass "the service user's sync: exit 0, both records at the hub, B's edit with them"
else
	fail "service sync: exit $rc; hub: $hub_data; $(tail -3 "$T/s.err")"
fi
form=$(ls "$DB.forms/"*shared_test* 2>/dev/null | head -1)
fdir=$(stat -c '%a' "$DB.forms" 2>/dev/null)
if [ -n "$form" ] && [ "$(stat -c '%a %G' "$form")" = "640 $G" ] && { [ "$fdir" = 750 ] || [ "$fdir" = 2750 ]; } &&
	as "$B" 077 "$TET" --db "$DB" forms >"$T/b.out" 2>&1 && grep -q shared_test "$T/b.out"; then
	pass "pulled form 640 $G in a $fdir folder; B's tetrad forms lists it"
else
	fail "pulled form: ${form:-none} $(perm "${form:-/nonexistent}"), folder $fdir; B: $(cat "$T/b.out")"
fi
# shellcheck disable=SC2046
if as "$A" 077 "$TET" --db "$DB" new survey_student $(rec 6) >/dev/null 2>"$T/a.err"; then
	pass "A records again after the service's run"
else
	fail "A after the service: $(cat "$T/a.err")"
fi
as "$B" 077 "$TET" --db "$DB" status >"$T/b.out" 2>&1 || fail "B's status: $(cat "$T/b.out")"

# --- the store's passphrase set by one member (the pedagogue, a file of
# her own): the others keep recording, the service keeps sending
printf 'пароль педагога 2026\n' >"$T/pass"
chown "$A" "$T/pass"
chmod 600 "$T/pass"
as "$A" 077 env TETRAD_NEW_PASSPHRASE_FILE="$T/pass" "$TET" --db "$DB" passphrase set --no-recovery \
	>"$T/a.out" 2>&1 || fail "A's passphrase set: $(cat "$T/a.out")"
# shellcheck disable=SC2046
as "$B" 077 "$TET" --db "$DB" new survey_student $(rec 8) >/dev/null 2>"$T/b.err" ||
	fail "B records after the passphrase: $(cat "$T/b.err")"
as "$SVC" 077 "$SYNCD" --once --db "$DB" >"$T/s.out" 2>"$T/s.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(sqlite3 "$HUB_DIR/hub.db" "SELECT count(*) FROM hub_records WHERE form_id = 'survey_student'")" = 4 ] &&
	[ "$(perm "$DB")" = "660 $SVC $G" ]; then
	pass "A set the store's passphrase; B records, the service sends (4 records at the hub), the database still 660"
else
	fail "after the passphrase: sync exit $rc, database $(perm "$DB"): $(tail -2 "$T/s.err")"
fi

# --- nothing for others; the group's files are the group's
bad=""
while IFS= read -r f; do
	m=$(stat -c '%a %G' "$f")
	case "${f##*/}" in
	tetrad.db | tetrad.db-wal | tetrad.db-shm | tetrad.db.syncd.lock)
		[ "${m% *}" = 660 ] && [ "${m#* }" = "$G" ] || bad="$bad ${f#"$SH"/}=$m" ;;
	*.key) [ "${m% *}" = 600 ] || bad="$bad ${f#"$SH"/}=$m" ;;
	*) [ $(( 0$(stat -c '%a' "$f") & 7 )) = 0 ] || bad="$bad ${f#"$SH"/}=$m" ;;
	esac
done < <(find "$SH" -mindepth 1)
if [ -z "$bad" ]; then
	pass "shared folder: database, -wal, -shm, lock 660 $G; keys 600; nothing open to others ($(find "$SH" -mindepth 1 | wc -l) entries)"
else
	fail "shared folder modes:$bad"
fi
chmod 664 "$DB"
as "$SVC" 077 "$TET" --db "$DB" status >/dev/null 2>&1
if [ "$(perm "$DB")" = "660 $SVC $G" ]; then
	pass "a shared database left 664 is narrowed to 660 (not 600) by its owner"
else
	fail "narrowing in the shared folder: $(perm "$DB")"
fi

# --- a private folder stays private
P=$T/private-a
mkdir "$P"
chown "$A" "$P"
chmod 700 "$P"
as "$A" 002 "$TET" --db "$P/mine.db" init --school 170103 >/dev/null 2>"$T/a.err" ||
	fail "private init: $(cat "$T/a.err")"
# shellcheck disable=SC2046
as "$A" 002 "$TET" --db "$P/mine.db" new survey_student $(rec 7) >/dev/null 2>"$T/a.err" ||
	fail "private record: $(cat "$T/a.err")"
bad=""
for f in "$P"/mine.db*; do
	[ -f "$f" ] && [ "$(stat -c '%a' "$f")" != 600 ] && bad="$bad ${f##*/}=$(stat -c '%a' "$f")"
done
if [ -z "$bad" ] && [ "$(stat -c '%a' "$P")" = 700 ]; then
	pass "private folder under umask 002: every file 600, the folder 700"
else
	fail "private folder:$bad (folder $(stat -c '%a' "$P"))"
fi

echo "1..$N"
[ $FAILS -eq 0 ]
