#!/usr/bin/env bash
# Checks the Debian packages scripts/build-deb.sh made (scripts/test.sh's
# package step):
#  - contents: each package holds exactly its files — the programs, units,
#    man pages, documents (the guide with every picture), sysusers/tmpfiles
#    snippets, and in tetrad-common every built-in form of the tree — and
#    nothing else: no test or benchmark program, no header or static
#    library, nothing under /usr/local, no path of the machine that built it
#    inside any file;
#  - lintian: no error (the warnings are printed and counted);
#  - the units as the packages install them: `systemd-analyze verify` says
#    nothing, `systemd-analyze security --offline=yes` rates the sync
#    daemon's services ≤ 3.0 and the hub ≤ 4.0 (the targets of
#    tests/integration/test_units.sh, which checks a `cmake --install`), and
#    every Documentation= names a file the packages install.
#   scripts/check-debs.sh DEBDIR     (the .debs of the version in debian/changelog)
# Exit 0 when all hold; every failure is printed before the exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: check-debs.sh DEBDIR" >&2; exit 2; }
debs=$(cd "$1" && pwd)
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$here/debian/changelog")
arch=$(dpkg --print-architecture)
fails=0
fail() { echo "check-debs: FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "check-debs: ok: $*"; }

deb_of() { # package → its .deb
	local a=$arch
	[ "$1" = tetrad-common ] && a=all
	echo "$debs/${1}_${version}_$a.deb"
}
chk="$debs/check"
rm -rf "$chk"
mkdir -p "$chk/root"
for p in tetrad tetrad-hub tetrad-common; do
	d=$(deb_of $p)
	[ -f "$d" ] || { echo "check-debs: no $d (scripts/build-deb.sh $1)" >&2; exit 1; }
	dpkg-deb -x "$d" "$chk/$p"
	dpkg-deb -x "$d" "$chk/root"
	(cd "$chk/$p" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort) >"$chk/$p.files"
done

# --- contents: what each package must hold, and nothing more
man_gz() { echo "usr/share/man/man$2/$1.$2.gz"; }
{
	printf '%s\n' usr/bin/tetrad usr/bin/tetrad-syncd \
		lib/systemd/system/tetrad-syncd.service lib/systemd/system/tetrad-syncd-once.service \
		lib/systemd/system/tetrad-syncd.timer \
		usr/share/applications/tetrad.desktop usr/share/icons/hicolor/scalable/apps/tetrad.svg \
		usr/lib/sysusers.d/tetrad.conf usr/lib/tmpfiles.d/tetrad.conf \
		"$(man_gz tetrad 1)" "$(man_gz tetrad-syncd 8)" "$(man_gz tetrad-syncd.conf 5)"
	for f in client.md syncd.md ui.md operations.md security.md copyright changelog.gz; do
		echo "usr/share/doc/tetrad/$f"
	done
	# the curators' guide; the coordinators' (the dashboard's) goes with the hub
	(cd "$here/docs" && find ru -type f -not -name coordinator.md -not -name 'dash-*') |
		sed 's|^|usr/share/doc/tetrad/|'
} | sort >"$chk/tetrad.want"
{
	printf '%s\n' usr/bin/tetrad-hub lib/systemd/system/tetrad-hub.service \
		usr/lib/sysusers.d/tetrad-hub.conf usr/lib/tmpfiles.d/tetrad-hub.conf \
		"$(man_gz tetrad-hub 8)" "$(man_gz tetrad-hub.conf 5)"
	for f in hub.md reports.md operations.md security.md hub-api.md copyright changelog.gz; do
		echo "usr/share/doc/tetrad-hub/$f"
	done
	(cd "$here/docs" && find ru -type f \( -name coordinator.md -o -name 'dash-*' \)) |
		sed 's|^|usr/share/doc/tetrad-hub/|'
} | sort >"$chk/tetrad-hub.want"
{
	printf '%s\n' usr/share/doc/tetrad-common/copyright usr/share/doc/tetrad-common/changelog.gz
	(cd "$here/forms" && find . -name '*.json' -not -path './src/*' -not -path './include/*') |
		sed 's|^\./|usr/share/tetrad/forms/|'
} | sort >"$chk/tetrad-common.want"

for p in tetrad tetrad-hub tetrad-common; do
	missing=$(comm -23 "$chk/$p.want" "$chk/$p.files")
	extra=$(comm -13 "$chk/$p.want" "$chk/$p.files")
	if [ -z "$missing$extra" ]; then
		ok "$p: $(wc -l <"$chk/$p.files") files, each where it belongs"
	else
		[ -z "$missing" ] || fail "$p lacks:" $missing
		[ -z "$extra" ] || fail "$p holds what it should not:" $extra
	fi
done
# The lists above name what belongs; this names what never does, so a
# wrong list cannot let it through.
bad=$(cat "$chk"/tetrad*.files | grep -E '(^|/)usr/local/|(^|/)(test|bench|fuzz)_[^/]*$|\.(a|h|o|cmake)$|/include/' || true)
[ -z "$bad" ] || fail "test programs, build files or /usr/local in the packages:" $bad
# -F -r: binaries too (a __FILE__, a compiled-in source folder)
paths=$(grep -rlF -- "$here" "$chk/tetrad" "$chk/tetrad-hub" "$chk/tetrad-common" || true)
if [ -z "$paths" ]; then
	ok "no file names the build's folder $here"
else
	fail "files naming the build's folder $here:" ${paths//$chk\//}
fi
for prog in tetrad:tetrad tetrad:tetrad-syncd tetrad-hub:tetrad-hub; do
	f="$chk/${prog%%:*}/usr/bin/${prog#*:}"
	[ -x "$f" ] || continue
	# the packages' programs work on their own: --version from the extracted copy
	if out=$("$f" --version 2>&1) && [ -n "$out" ]; then
		ok "${prog#*:} --version: $(echo "$out" | head -n1)"
	else
		fail "${prog#*:} --version: $(echo "$out" | head -n3)"
	fi
done

# --- lintian: errors fail, warnings are listed
lint="$chk/lintian.txt"
lrc=0
lintian --fail-on error --tag-display-limit 0 \
	"$(deb_of tetrad)" "$(deb_of tetrad-hub)" "$(deb_of tetrad-common)" >"$lint" 2>&1 || lrc=$?
grep -v 'running with root privileges' "$lint" || true
nerr=$(grep -c '^E: ' "$lint" || true)
nwarn=$(grep -c '^W: ' "$lint" || true)
if [ "$lrc" -eq 0 ] && [ "$nerr" -eq 0 ]; then
	ok "lintian: no errors, $nwarn warning(s)"
else
	fail "lintian: $nerr error(s), $nwarn warning(s) (exit $lrc)"
fi

# --- the units as installed by the packages
units="tetrad-hub.service tetrad-syncd.service tetrad-syncd-once.service tetrad-syncd.timer"
root="$chk/root"
# verify loads the default dependencies (sysinit.target, …) from the root
# and wants ExecReload's /bin/kill to be a file: the host's system units
# and a stand-in kill (verify never runs it)
mkdir -p "$root/usr/lib/systemd" "$root/bin"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
printf '#!/bin/sh\nexit 0\n' >"$root/bin/kill"
chmod 755 "$root/bin/kill"
vrc=0
# shellcheck disable=SC2086 # the unit names are words
(cd "$root" && systemd-analyze verify --man=no --root="$root" $units) >"$chk/verify.txt" 2>&1 || vrc=$?
if [ $vrc -eq 0 ] && [ ! -s "$chk/verify.txt" ]; then
	ok "systemd-analyze verify: $units"
else
	fail "systemd-analyze verify (exit $vrc): $(cat "$chk/verify.txt")"
fi
for pair in tetrad-syncd.service:3.0 tetrad-syncd-once.service:3.0 tetrad-hub.service:4.0; do
	u=${pair%%:*}
	max=${pair#*:}
	s=$(systemd-analyze security --offline=yes --root="$root" "$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$s" ]; then
		fail "$u: no exposure level from systemd-analyze security"
	elif awk -v s="$s" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
		ok "$u: exposure $s (target ≤ $max)"
	else
		fail "$u: exposure $s, above the target $max"
	fi
done
ndoc=0
docfails=$fails
for u in $units; do
	for d in $(sed -n 's/^Documentation=//p' "$root/lib/systemd/system/$u"); do
		ndoc=$((ndoc + 1))
		case $d in
		file://*) f=${d#file://} ;;
		man:*\(*\))
			page=${d#man:}
			sec=${page#*(}
			f=/usr/share/man/man${sec%)}/${page%%(*}.${sec%)}.gz
			;;
		*) fail "$u: Documentation=$d: neither file:// nor man:"; continue ;;
		esac
		[ -f "$root$f" ] || fail "$u: Documentation=$d: the packages install no $f"
	done
done
[ $ndoc -gt 0 ] || fail "the units name no Documentation="
[ $fails -ne $docfails ] || ok "units' Documentation=: $ndoc, each installed by the packages"

if [ $fails -eq 0 ]; then
	echo "check-debs: PASS ($version: $(cd "$debs" && ls -- tetrad*_"$version"_*.deb | grep -vc dbgsym) packages, lintian warnings: $nwarn)"
else
	echo "check-debs: $fails failure(s)"
	exit 1
fi
