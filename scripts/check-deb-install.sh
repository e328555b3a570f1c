#!/usr/bin/env bash
# Long mode (docs/testing.md): the Debian packages installed the way an
# administrator installs them, in a fresh Debian 12 root.
#  1. builds the packages of this tree (scripts/build-deb.sh) and, as the
#     "previous version", the same tree as VERSION~prev1: no earlier package
#     of Tetrad exists to upgrade from;
#  2. makes a fresh minbase root with debootstrap (TETRAD_DEB_INSTALL_ROOT,
#     default build/deb-install/root; removed and made again every run) from
#     the mirror this machine's apt uses (as scripts/check-bare-debian.sh;
#     TETRAD_DEB12_MIRROR overrides it);
#  3. installs the previous version with apt (dependencies from the mirror)
#     and follows docs/operations.md: the hub's keys and hub.conf, the hub
#     serving (as its unit would: there is no systemd inside a chroot), a
#     token with --enroll-file, a school computer set up and enrolled through
#     that file, one record typed by a person of group tetrad, a sync as the
#     timer's unit runs it, a report;
#  4. upgrades to this tree's version: keys, databases and records stay, a
#     second record syncs;
#  5. removes the packages: the hub's keys and data and the school's
#     database stay; then purges them: only what docs/operations.md says
#     purge keeps is left.
# Prints each step's time. TETRAD_DEB_INSTALL_PREBUILT=1 skips step 1 and
# takes the packages the last run built (for working on this script). Needs root on the host (debootstrap, mount,
# chroot) and the network to the mirror. Runs for several minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
work="$here/build/deb-install"
root=${TETRAD_DEB_INSTALL_ROOT:-$work/root}
log="$work/run.log"

# The mirror this machine's apt already uses (deb822 sources, else
# sources.list), as scripts/check-bare-debian.sh finds it.
host_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f"
	done | head -n1
	if [ -f /etc/apt/sources.list ]; then
		awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list
	fi
}
mirror=${TETRAD_DEB12_MIRROR:-$(host_mirror | head -n1)}
[ -n "$mirror" ] || { echo "check-deb-install: no Debian mirror found in /etc/apt; set TETRAD_DEB12_MIRROR" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "check-deb-install: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
[ $# -eq 0 ] || { echo "usage: check-deb-install.sh" >&2; exit 2; }

mkdir -p "$work"
: >"$log"
t0=$(date +%s)
tstep=$t0
times=()
step() { # the previous step's time is recorded; a new one begins
	local now
	now=$(date +%s)
	[ -z "${cur:-}" ] || times+=("$(printf '%-58s %4ds' "$cur" $((now - tstep)))")
	tstep=$now
	cur=$1
	[ "$cur" = "(end)" ] || echo "=== $cur" | tee -a "$log"
}
hub_pid=
mounted=()
report_times() {
	step "(end)"
	echo "check-deb-install: times" | tee -a "$log"
	printf '  %s\n' "${times[@]}" | tee -a "$log"
}
cleanup() {
	local i
	report_times
	[ -z "$hub_pid" ] || { kill "$hub_pid" 2>/dev/null; wait "$hub_pid" 2>/dev/null || true; }
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" ||
			echo "check-deb-install: could not unmount ${mounted[i]}" >&2
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
	echo "check-deb-install: FAIL: $* (log: $log)" | tee -a "$log" >&2
	exit 1
}
mnt() { # TARGET MOUNT-ARGS...
	local t=$1
	shift
	mkdir -p "$t"
	mount "$@" "$t"
	mounted+=("$t")
}
# in the root: a clean environment, the Russian of the programs readable
inroot() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
as() { # USER COMMAND...: as that user, in the root (as sudo -u in the docs)
	local u=$1
	shift
	inroot runuser -u "$u" -- "$@"
}
expect_eq() { # WHAT GOT WANT
	[ "$2" = "$3" ] || die "$1: $2, expected $3"
	echo "  $1: $2" | tee -a "$log"
}

# --- 1. the packages
step "build the packages (this tree and ~prev1)"
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
prev="$version~prev1"
if [ "${TETRAD_DEB_INSTALL_PREBUILT:-0}" = 1 ]; then
	echo "  TETRAD_DEB_INSTALL_PREBUILT=1: the packages of the last run" | tee -a "$log"
else
	bash scripts/build-deb.sh "$work/new" >>"$log" 2>&1 || die "build-deb.sh of $version"
	bash scripts/build-deb.sh "$work/prev" --version "$prev" >>"$log" 2>&1 || die "build-deb.sh of $prev"
fi
arch=$(dpkg --print-architecture)
debs() { # DIR VERSION: the three packages (not the debug symbols)
	ls "$1/tetrad_$2_$arch.deb" "$1/tetrad-hub_$2_$arch.deb" "$1/tetrad-common_$2_all.deb"
}

# --- 2. a fresh Debian 12
step "debootstrap a fresh Debian 12 (minbase)"
if grep -qF " $root/" /proc/mounts || grep -qF " $root " /proc/mounts; then
	die "something is mounted under $root: not removing it"
fi
rm -rf "$root"
mkdir -p "$root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >>"$log" 2>&1 || die "debootstrap"
mnt "$root/proc" -t proc proc
mnt "$root/sys" -t sysfs sysfs
mnt "$root/dev" --bind /dev
mnt "$root/dev/pts" -t devpts devpts
mnt "$root/dev/shm" -t tmpfs -o mode=1777 tmpfs
cp /etc/resolv.conf "$root/etc/resolv.conf"
copied=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	cp "$f" "$root$f"
	copied=1
done
[ $copied = 1 ] && [ ! -f /etc/apt/sources.list ] && rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/tmp/debs/prev" "$root/tmp/debs/new"
cp $(debs "$work/prev" "$prev") "$root/tmp/debs/prev/"
cp $(debs "$work/new" "$version") "$root/tmp/debs/new/"
export DEBIAN_FRONTEND=noninteractive
inroot apt-get update -q >>"$log" 2>&1 || die "apt-get update in the root"

# --- 3. install the previous version, then docs/operations.md
step "apt install $prev (with dependencies)"
inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	/tmp/debs/prev/tetrad_"$prev"_"$arch".deb /tmp/debs/prev/tetrad-hub_"$prev"_"$arch".deb \
	/tmp/debs/prev/tetrad-common_"$prev"_all.deb >>"$log" 2>&1 || die "apt-get install of $prev"
for p in tetrad tetrad-hub tetrad-common; do
	expect_eq "$p installed" "$(inroot dpkg-query -W -f='${Version} ${db:Status-Abbrev}' $p)" "$prev ii "
done
expect_eq "user tetrad-hub" "$(inroot getent passwd tetrad-hub | cut -d: -f6,7)" "/var/lib/tetrad-hub:/usr/sbin/nologin"
expect_eq "user tetrad" "$(inroot getent passwd tetrad | cut -d: -f6,7)" "/var/lib/tetrad:/usr/sbin/nologin"
expect_eq "/var/lib/tetrad-hub" "$(inroot stat -c '%a %U:%G' /var/lib/tetrad-hub)" "700 tetrad-hub:tetrad-hub"
expect_eq "/var/lib/tetrad" "$(inroot stat -c '%a %U:%G' /var/lib/tetrad)" "2770 tetrad:tetrad"
for c in "tetrad --help" "tetrad-syncd --help" "tetrad-hub --help"; do
	# shellcheck disable=SC2086
	inroot $c >/dev/null 2>&1 || die "$c in the root"
done

step "the hub (operations.md §2): init, hub.conf, serve"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="https://127.0.0.1:$port"
inroot sh -c 'install -o tetrad-hub -m 0600 /dev/null /etc/tetrad-hub.pass &&
	echo "пароль хаба для проверки пакетов" >/etc/tetrad-hub.pass' || die "the passphrase file"
# a test certificate: a real hub has the municipality's (hub.conf tls_cert)
as tetrad-hub tetrad-hub --data /var/lib/tetrad-hub --passphrase-file /etc/tetrad-hub.pass \
	init --tls-self-signed 127.0.0.1 >>"$log" 2>&1 || die "tetrad-hub init"
printf 'listen = 127.0.0.1:%s\npassphrase_file = /etc/tetrad-hub.pass\npublic_url = %s\n' "$port" "$url" |
	as tetrad-hub sh -c 'cat >>/var/lib/tetrad-hub/hub.conf' || die "hub.conf"
keysum() { # the two keys' SHA-256, shortened: the same files or not
	(cd "$root/var/lib/tetrad-hub" && sha256sum hub.enc.key hub.sign.key) | awk '{ printf "%s %.12s ", $2, $1 }'
}
keys_before=$(keysum)
hub_serve() {
	# as tetrad-hub.service runs it (ExecStart, User=, TETRAD_HUB_DATA)
	chroot "$root" /usr/bin/env -i LANG=C.UTF-8 TETRAD_HUB_DATA=/var/lib/tetrad-hub PATH=/usr/bin:/bin \
		setpriv --reuid=tetrad-hub --regid=tetrad-hub --init-groups \
		tetrad-hub serve >>"$work/hub.log" 2>&1 &
	hub_pid=$!
	local i
	for i in $(seq 1 100); do
		curl -s --max-time 2 --cacert "$root/var/lib/tetrad-hub/tls/ca.pem" "$url/v1/health" 2>/dev/null |
			grep -q '"ok"' && return 0
		kill -0 "$hub_pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$work/hub.log" >&2
	die "the hub did not answer on $url"
}
hub_stop() {
	kill "$hub_pid"
	wait "$hub_pid" 2>/dev/null || true
	hub_pid=
}
: >"$work/hub.log"
hub_serve
echo "  the hub answers on $url" | tee -a "$log"

step "token --enroll-file, a school computer (§3)"
as tetrad-hub tetrad-hub --data /var/lib/tetrad-hub token create --school 170103 --name "МБОУ СОШ № 3" \
	--enroll-file /var/lib/tetrad-hub/school.tetrad-enroll >>"$log" 2>&1 || die "token create --enroll-file"
# the file goes to the school (a stick, a message)
inroot install -o tetrad -g tetrad -m 0600 /var/lib/tetrad-hub/school.tetrad-enroll /var/lib/tetrad/school.tetrad-enroll
db=/var/lib/tetrad/tetrad.db
as tetrad tetrad --db $db init --school 170103 --name "МБОУ СОШ № 3" >>"$log" 2>&1 || die "tetrad init"
as tetrad tetrad --db $db enroll --file /var/lib/tetrad/school.tetrad-enroll >>"$log" 2>&1 || die "tetrad enroll --file"
rm -f "$root/var/lib/tetrad/school.tetrad-enroll"

step "a person of group tetrad records, syncd syncs, a report"
inroot useradd --create-home --groups tetrad anna || die "useradd anna"
survey() { # DATE: one student's questionnaire, typed by anna in the shared database
	as anna tetrad --db $db new survey_student --set grade=5 --set enough_equipment=4 --set feel_safe=5 \
		--set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 --set response_date="$1"
}
survey 10.02.2026 >>"$log" 2>&1 || die "anna's record (group tetrad, shared database)"
# as tetrad-syncd-once.service runs it (the timer's unit)
as tetrad tetrad-syncd --once --quiet --db $db >>"$log" 2>&1 || die "tetrad-syncd --once"
hub_records() { inroot sqlite3 /var/lib/tetrad-hub/hub.db 'SELECT count(*) FROM hub_records'; }
expect_eq "records at the hub" "$(hub_records)" 1
as tetrad-hub tetrad-hub --data /var/lib/tetrad-hub report surveys --format csv >"$work/report1.csv" 2>>"$log" ||
	die "tetrad-hub report surveys"
grep -q 170103 "$work/report1.csv" || die "the report does not name school 170103: $(head -5 "$work/report1.csv")"
echo "  report surveys: $(wc -l <"$work/report1.csv") lines, school 170103 in it" | tee -a "$log"

# --- 4. upgrade
step "upgrade $prev → $version"
hub_stop # as docs/operations.md §9: stop, back up, upgrade, start
inroot sqlite3 /var/lib/tetrad-hub/hub.db ".backup '/root/hub-before-upgrade.db'" || die "backup before the upgrade"
inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	/tmp/debs/new/tetrad_"$version"_"$arch".deb /tmp/debs/new/tetrad-hub_"$version"_"$arch".deb \
	/tmp/debs/new/tetrad-common_"$version"_all.deb >>"$log" 2>&1 || die "apt-get install of $version"
for p in tetrad tetrad-hub tetrad-common; do
	expect_eq "$p upgraded" "$(inroot dpkg-query -W -f='${Version} ${db:Status-Abbrev}' $p)" "$version ii "
done
expect_eq "hub keys after the upgrade" "$(keysum)" "$keys_before"
hub_serve
survey 11.02.2026 >>"$log" 2>&1 || die "a record after the upgrade"
as tetrad tetrad-syncd --once --quiet --db $db >>"$log" 2>&1 || die "tetrad-syncd --once after the upgrade"
expect_eq "records at the hub after the upgrade" "$(hub_records)" 2
hub_stop

# --- 5. remove, purge
step "remove: keys and data stay"
inroot env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tetrad tetrad-hub tetrad-common >>"$log" 2>&1 ||
	die "apt-get remove"
[ ! -e "$root/usr/bin/tetrad-hub" ] && [ ! -e "$root/usr/bin/tetrad" ] || die "programs left after remove"
expect_eq "hub keys after remove" "$(keysum)" "$keys_before"
for f in /var/lib/tetrad-hub/hub.db /var/lib/tetrad-hub/hub.conf $db $db.device.key; do
	[ -f "$root$f" ] || die "$f gone after remove"
done
expect_eq "records in hub.db after remove" "$(inroot sqlite3 /var/lib/tetrad-hub/hub.db 'SELECT count(*) FROM hub_records')" 2

step "purge: only the documented remains"
inroot env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tetrad tetrad-hub tetrad-common >>"$log" 2>&1 ||
	die "apt-get purge"
for p in tetrad tetrad-hub tetrad-common; do
	st=$(inroot dpkg-query -W -f='${db:Status-Abbrev}' $p 2>/dev/null || true)
	[ -z "$st" ] || [ "$st" = "un " ] || die "$p still known to dpkg after purge: $st"
done
expect_eq "hub keys after purge" "$(keysum)" "$keys_before"
[ -f "$root$db" ] && [ -f "$root$db.device.key" ] || die "the school's database gone after purge"
# What docs/operations.md ("Remove and purge") says is left: the two data
# folders, the passphrase file the administrator made, the system users and
# their groups. Anything else named tetrad is a leftover.
left=$(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./home \
	-o -path ./tmp -o -path ./root -o -path ./var/lib/tetrad-hub -o -path ./var/lib/tetrad \) -prune \
	-o -name '*tetrad*' -print | sed 's|^\.||' | grep -vxF -e /var/lib/tetrad-hub -e /var/lib/tetrad \
	-e /etc/tetrad-hub.pass || true)
[ -z "$left" ] || die "left after purge, not documented:" $left
expect_eq "users kept" "$(inroot getent passwd tetrad tetrad-hub | cut -d: -f1 | tr '\n' ' ')" "tetrad tetrad-hub "

echo "check-deb-install: PASS ($prev → $version, $(($(date +%s) - t0))s; root $root, log $log)" | tee -a "$log"
