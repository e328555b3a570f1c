#!/usr/bin/env bash
# Runs the test suite the way a bare CI machine would: in a Debian 12
# minbase root (debootstrap), as root, with the checkout in /root (mode 0700)
# and nothing installed but what scripts/install-deps.sh installs.
#   scripts/check-bare-debian.sh           scripts/test.sh --quick (normal build)
#   scripts/check-bare-debian.sh --full    scripts/test.sh (+ sanitizers, fuzzing)
# The root is made once (TETRAD_DEB12_ROOT, default /work/deb12root; mirror
# TETRAD_DEB12_MIRROR, default the Debian mirror this machine's apt uses) and kept; each
# run clones the committed tip of the current branch into ROOT/root/tetrad
# afresh (uncommitted changes are not tested) and copies ../shared beside it
# when there is one, as CI has it. proc, sys, dev, dev/pts and dev/shm are
# mounted for the run and unmounted on exit. Needs root on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${TETRAD_DEB12_ROOT:-/work/deb12root}
# The mirror this machine's apt already uses (deb822 sources, else sources.list).
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
if [ -z "$mirror" ]; then
	echo "check-bare-debian: no Debian mirror found in /etc/apt; set TETRAD_DEB12_MIRROR" >&2
	exit 1
fi
mode=--quick
case "${1:-}" in
--full) mode= ;;
"") ;;
*) echo "usage: check-bare-debian.sh [--full]" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "check-bare-debian: needs root (debootstrap, mount, chroot)" >&2
	exit 1
fi

if [ ! -x "$root/usr/bin/apt-get" ]; then
	if ! command -v debootstrap >/dev/null; then
		apt-get update -q && apt-get install -y -q debootstrap
	fi
	echo "check-bare-debian: debootstrap --variant=minbase bookworm $root ($mirror)"
	debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
		tail -20 "$root.debootstrap.log" >&2
		echo "check-bare-debian: debootstrap failed; log: $root.debootstrap.log" >&2
		exit 1
	}
fi

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" ||
			echo "check-bare-debian: could not unmount ${mounted[i]}" >&2
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mnt() { # TARGET MOUNT-ARGS...
	local t=$1
	shift
	mountpoint -q "$t" && return 0
	mkdir -p "$t"
	mount "$@" "$t"
	mounted+=("$t")
}
mnt "$root/proc" -t proc proc
mnt "$root/sys" -t sysfs sysfs
mnt "$root/dev" --bind /dev
mnt "$root/dev/pts" -t devpts devpts
mnt "$root/dev/shm" -t tmpfs -o mode=1777 tmpfs

# apt inside works as it does here: the same resolver and package sources
cp /etc/resolv.conf "$root/etc/resolv.conf"
copied=0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	cp "$f" "$root$f"
	copied=1
done
if [ $copied = 1 ] && [ ! -f /etc/apt/sources.list ]; then
	rm -f "$root/etc/apt/sources.list" # debootstrap's, now a duplicate
fi

branch=$(git -C "$here" rev-parse --abbrev-ref HEAD)
commit=$(git -C "$here" rev-parse --short HEAD)
rm -rf "$root/root/tetrad" "$root/root/shared"
git clone -q --branch "$branch" "$here" "$root/root/tetrad"
if [ -d "$here/../shared" ]; then
	cp -a "$here/../shared" "$root/root/shared"
fi

echo "check-bare-debian: $branch at $commit, scripts/test.sh ${mode:-(full)} in $root as root"
start=$(date +%s)
rc=0
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	bash -c "cd /root/tetrad && bash scripts/test.sh $mode" || rc=$?
took=$(($(date +%s) - start))
if [ $rc -eq 0 ]; then
	echo "check-bare-debian: PASS ($branch at $commit, ${took}s)"
else
	echo "check-bare-debian: FAIL: scripts/test.sh ${mode:-(full)} exited $rc after ${took}s" \
		"(the build and its Testing/Temporary/LastTest.log stay in $root/root/tetrad/build)" >&2
fi
exit $rc
