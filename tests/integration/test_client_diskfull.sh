#!/usr/bin/env bash
# test_client_diskfull — a full disk and a read-only database: a clear
# Russian error, exit code 4 (storage), nothing half-written, database intact.
# "Full" is produced without root through the documented test hook
# TETRAD_TEST_MAX_PAGES (SQLite max_page_count = the file's current size);
# when running as root and mounting works, also a real ENOSPC on a 400 KiB
# tmpfs; read-only by file permissions (as root: by running the CLI as nobody,
# from a world-readable copy, since the checkout may be in /root, mode 0700).
# A case that cannot run here (not root, no tmpfs) makes the test exit 77
# (skipped) after the others, unless one of them failed.
# Starts no server and opens no port: runs beside the network tests
# (tests/CMakeLists.txt).
set -u
T="${TETRAD_BIN:?}/tetrad"
export TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:?}"
W=$(mktemp -d)
MNT=
PUB=
trap '[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; chmod -R u+w "$W" 2>/dev/null; rm -rf "$W" ${PUB:+"$PUB"}' EXIT
DB="$W/full.db"
fails=0 passes=0 not_run=""
ok() { passes=$((passes + 1)); }
bad() { fails=$((fails + 1)); echo "FAIL: $*" >&2; }
q() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' "$DB" "$1"; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: «$1» != «$2»"; fi; }

new_case() {
	"$T" --db "$DB" new mediation_case --set "case_number=$1" --set received_date=2026-11-01 \
		--set source=teacher --set situation_kind=conflict --set conflict_type=student_student \
		--set status=received --set "parties[0].role=student" \
		--set "summary=$(printf 'длинное описание %.0s' $(seq 1 20))"
}

"$T" --db "$DB" init --school 170103 >/dev/null || { echo "init failed"; exit 1; }
for i in 1 2 3; do new_case "ok$i" >/dev/null || bad "setup write $i"; done
# checkpoint so page_count is the whole database, then cap it there
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$DB"
PAGES=$(q 'PRAGMA page_count')
export TETRAD_TEST_MAX_PAGES=$PAGES

# keep writing until the "disk" is full
rc=0
for i in $(seq 1 500); do
	new_case "full$i" >"$W/out" 2>"$W/err"; rc=$?
	[ "$rc" != 0 ] && break
done
eq "$rc" 4 "exit code on a full disk"
grep -q "Недостаточно места на диске" "$W/err" && ok || { bad "message"; cat "$W/err" >&2; }
grep -q "не повреждена" "$W/err" && ok || bad "says the database is intact"
[ ! -s "$W/out" ] && ok || bad "printed an id although nothing was saved"
R=$(q 'SELECT COUNT(*) FROM records'); O=$(q 'SELECT COUNT(*) FROM outbox')
eq "$R" "$O" "every record has its outbox row"
# a bulk import that does not fit: all or nothing
python3 - "$W/big.csv" <<'EOF'
import sys
cols = ("academic_year;snapshot_date;level;class_name;students_total;families_total;"
        "large_families;low_income_families;single_parent_families;foster_children;orphans;"
        "disabled_children;special_needs;sop_families;tjs_families;kdn_registered;"
        "pdn_registered;school_registered;unemployed_parents;parents_higher_education;"
        "non_native_russian;migrant_families")
rows = [cols] + ["2021/2022;01.10.2021;class;%dА;25;20;3;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0" % (i % 11 + 1)
                 for i in range(2000)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
EOF
"$T" --db "$DB" import social_passport --csv "$W/big.csv" >"$W/out" 2>"$W/err"
eq "$?" 4 "import on a full disk"
grep -q "Недостаточно места" "$W/err" && ok || { bad "import message"; cat "$W/err" >&2; }
eq "$(q 'SELECT COUNT(*) FROM records')" "$R" "import wrote nothing"
eq "$(q 'SELECT COUNT(*) FROM outbox')" "$O" "import queued nothing"
eq "$(q 'PRAGMA integrity_check')" ok "integrity after full disk"
# reading still works on a full disk
"$T" --db "$DB" list >/dev/null 2>&1 && ok || bad "list on a full disk"
# space again: writing resumes, the sequence has no gap
unset TETRAD_TEST_MAX_PAGES
new_case after >/dev/null && ok || bad "write after space freed"
eq "$(q 'SELECT MAX(seq) - COUNT(*) FROM outbox')" 0 "contiguous outbox"

# --- a real full file system: a tiny tmpfs, when we may mount one (root)
if [ "$(id -u)" = 0 ] && mkdir "$W/mnt" && mount -t tmpfs -o size=400k tmpfs "$W/mnt" 2>/dev/null; then
	MNT="$W/mnt"
	DB="$MNT/f.db"
	unset TETRAD_TEST_MAX_PAGES
	"$T" --db "$DB" init --school 170103 >/dev/null || bad "tmpfs init"
	rc=0
	for i in $(seq 1 1000); do
		new_case "fs$i" >"$W/out" 2>"$W/err"; rc=$?
		[ "$rc" != 0 ] && break
	done
	eq "$rc" 4 "exit code on a full file system"
	grep -q "Недостаточно места на диске" "$W/err" && ok || { bad "ENOSPC message"; cat "$W/err" >&2; }
	eq "$(q 'PRAGMA integrity_check')" ok "integrity on a full file system"
	eq "$(q 'SELECT COUNT(*) FROM records')" "$(q 'SELECT COUNT(*) FROM outbox')" "records and outbox agree (tmpfs)"
	eq "$(q 'SELECT COUNT(*) FROM records')" "$((i - 1))" "every reported success is stored"
	umount "$MNT" && MNT=
	DB="$W/full.db"
elif [ "$(id -u)" = 0 ]; then
	not_run="$not_run real ENOSPC on a tmpfs (mount -t tmpfs failed: no CAP_SYS_ADMIN?)"
else
	not_run="$not_run real ENOSPC on a tmpfs (needs root)"
fi

# --- read-only database
RO="$W/ro"
mkdir "$RO"
"$T" --db "$RO/ro.db" init --school 170103 >/dev/null || bad "ro init"
"$T" --db "$RO/ro.db" new social_passport --draft --set academic_year=2021/2022 >/dev/null || bad "ro setup"
SUM=$(cat "$RO"/ro.db* | md5sum)
RT=$T
if [ "$(id -u)" = 0 ]; then
	# nobody runs a copy of the CLI and the forms in a world-readable folder:
	# the build and the checkout may be where nobody cannot enter (/root)
	PUB=$(mktemp -d)
	cp "$T" "$PUB/tetrad" && cp -r "$TETRAD_FORMS_DIR" "$PUB/forms" || bad "copy the CLI for nobody"
	chmod -R a+rX "$PUB"
	RT="$PUB/tetrad"
	chmod 755 "$W" "$RO"; chmod 644 "$RO"/ro.db*
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups env "TETRAD_FORMS_DIR=$PUB/forms")
else
	chmod 444 "$RO"/ro.db*; chmod 555 "$RO"
	AS=(env)
fi
"${AS[@]}" "$RT" --db "$RO/ro.db" new social_passport --draft --set academic_year=2022/2023 >"$W/out" 2>"$W/err"
eq "$?" 4 "exit code on a read-only database"
grep -q "только для чтения" "$W/err" && ok || { bad "read-only message"; cat "$W/err" >&2; }
chmod u+w "$RO"
eq "$(cat "$RO"/ro.db* | md5sum)" "$SUM" "read-only database unchanged"
DB="$RO/ro.db"
eq "$(q 'PRAGMA integrity_check')" ok "read-only integrity"
eq "$(q 'SELECT COUNT(*) FROM records')" 1 "read-only records"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ] || exit 1
if [ -n "$not_run" ]; then
	echo "SKIP: not run here:$not_run"
	exit 77
fi
