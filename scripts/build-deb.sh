#!/usr/bin/env bash
# Builds the Debian packages (tetrad, tetrad-hub, tetrad-common) with
# dpkg-buildpackage from a clean copy of this tree, so that neither the
# .debs nor the package's build files land beside the checkout.
#   scripts/build-deb.sh OUTDIR                  the version in debian/changelog
#   scripts/build-deb.sh OUTDIR --version V      the same tree as version V (a
#       changelog entry is added in the copy only: scripts/check-deb-install.sh
#       makes "the previous version" this way)
# The copy is what git knows of the tree as it is now: tracked files with
# their uncommitted changes, and new files git does not ignore (so not
# build/; outside a git checkout, everything but build/). It is made in OUTDIR/work/tetrad-VERSION, built there (the
# packages without tests: TETRAD_BUILD_TESTS=OFF, debian/rules), and the
# .deb and .buildinfo/.changes files are moved to OUTDIR. OUTDIR/work is
# emptied first; OUTDIR/build.log keeps dpkg-buildpackage's output.
# Jobs: TETRAD_JOBS, default nproc. Needs the build dependencies
# (scripts/install-deps.sh); runs as any user (Rules-Requires-Root: no).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: build-deb.sh OUTDIR [--version VERSION]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
shift
version=
while [ $# -gt 0 ]; do
	case "$1" in
	--version) [ $# -ge 2 ] || usage; version=$2; shift 2 ;;
	*) usage ;;
	esac
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out/" in
"$here"/build/*) ;; # build/ is git-ignored: nothing of it is in the copy
"$here"/*) echo "build-deb: OUTDIR inside the checkout must be under build/ (it would be copied)" >&2; exit 2 ;;
esac

changelog_version() { # the version of the newest entry
	sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$1"
}
[ -n "$version" ] || version=$(changelog_version "$here/debian/changelog")
project_version=$(sed -n 's/^project(tetrad VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
case "$version" in
"$project_version"*) ;;
*) echo "build-deb: warning: package version $version, CMakeLists.txt says $project_version" >&2 ;;
esac

work="$out/work"
src="$work/tetrad-$version"
rm -rf "$work"
mkdir -p "$src"
# Tracked files as they are (a deleted one is skipped) and new files git
# does not ignore; a tree that is not a git checkout (an unpacked archive)
# is copied whole but for build/.
if git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$here" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	(cd "$here" && tar --exclude=./build -cf - .) | tar -xf - -C "$src"
fi

if [ "$version" != "$(changelog_version "$src/debian/changelog")" ]; then
	{
		printf 'tetrad (%s) bookworm; urgency=medium\n\n' "$version"
		printf '  * Built by scripts/build-deb.sh --version from the tree of %s.\n\n' \
			"$(changelog_version "$here/debian/changelog")"
		printf ' -- %s  %s\n\n' "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$src/debian/changelog" | head -n1)" \
			"$(date -R)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi

echo "build-deb: dpkg-buildpackage of tetrad $version in $src"
start=$(date +%s)
rc=0
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=${TETRAD_JOBS:-$(nproc)}" \
	dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then
	tail -40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (exit $rc); log: $out/build.log" >&2
	exit 1
fi
rm -f "$out"/tetrad*_"$version"_*.deb
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
echo "build-deb: $(cd "$out" && ls -- *_"$version"_*.deb | tr '\n' ' ')in $out ($(($(date +%s) - start))s)"
