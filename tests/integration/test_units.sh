#!/usr/bin/env bash
# test_units — the systemd units as installed (`cmake --install` into a
# DESTDIR, so ExecStart names a program that is really there):
#  - `systemd-analyze verify --root` finds nothing to say about any unit
#    (an unquoted Environment= value with a space, a missing program, a bad
#    directive: each prints a line, and a line fails the test);
#  - `systemd-analyze security --offline=yes` rates the sync daemon's two
#    services at most 3.0 and the hub at most 4.0 (issue 24);
#  - every Documentation= the units name is installed: file:// documents
#    always, man:NAME(S) pages once the tree has its man/ folder;
#  - the daemon's ExecStart, expanded with the unit's own Environment= the
#    way systemd does it ($VAR split into words, ${VAR} one word), gives
#    tetrad-syncd options it accepts (`--window 01:00-05:00`, not a lone
#    `--window`): the daemon started with them is still running 3 s later.
# Exit 77 when systemd-analyze is missing (package systemd).
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
BUILD=$(cd "$TETRAD_BIN/.." && pwd)
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "SKIP: systemd-analyze not installed (package systemd)"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-units.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
N=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }

ROOT=$T/root
DESTDIR=$ROOT cmake --install "$BUILD" >"$T/install.log" 2>&1 ||
	{ echo "cmake --install failed: $(tail -5 "$T/install.log")"; exit 1; }
# the unit folder of the install: lib/systemd/system under its prefix
UNITDIR=$(find "$ROOT" -type d -path '*/lib/systemd/system' | head -1)
[ -n "$UNITDIR" ] || { echo "no lib/systemd/system in the install"; exit 1; }
PREFIX=${UNITDIR%/lib/systemd/system}
PREFIX=${PREFIX#"$ROOT"}
UNITS="tetrad-hub.service tetrad-syncd.service tetrad-syncd-once.service tetrad-syncd.timer"
for u in $UNITS; do
	[ -f "$UNITDIR/$u" ] || fail "unit $u not installed in $PREFIX/lib/systemd/system"
done

# verify loads the default dependencies (sysinit.target, …) from the root,
# and checks that ExecReload's /bin/kill is an executable file: give the
# root the host's system units and a stand-in kill (verify never runs it)
mkdir -p "$ROOT/usr/lib/systemd" "$ROOT/usr/bin"
cp -r /usr/lib/systemd/system "$ROOT/usr/lib/systemd/"
printf '#!/bin/sh\nexit 0\n' >"$ROOT/usr/bin/kill"
chmod 755 "$ROOT/usr/bin/kill"
[ -e "$ROOT/bin" ] || ln -s usr/bin "$ROOT/bin"
# man pages are checked below by file, not with man(1) on the host's MANPATH
(cd "$ROOT" && systemd-analyze verify --man=no --root="$ROOT" $UNITS) >"$T/verify" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/verify" ]; then
	pass "systemd-analyze verify: 4 units, nothing reported"
else
	fail "systemd-analyze verify (exit $rc): $(cat "$T/verify")"
fi

# security: the exposure of each service against its target
score() {
	systemd-analyze security --offline=yes --root="$ROOT" "$1" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
for pair in tetrad-syncd.service:3.0 tetrad-syncd-once.service:3.0 tetrad-hub.service:4.0; do
	u=${pair%%:*}
	max=${pair#*:}
	s=$(score "$u")
	if [ -z "$s" ]; then
		fail "$u: no exposure level from systemd-analyze security"
	elif awk -v s="$s" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
		pass "$u: exposure $s (target ≤ $max)"
	else
		fail "$u: exposure $s above $max"
	fi
done

# Documentation=: what the units name is installed
docs_bad=""
docs_n=0
man_tree=0
[ -f "$SRC/man/CMakeLists.txt" ] && man_tree=1
for u in $UNITS; do
	for d in $(sed -n 's/^Documentation=//p' "$UNITDIR/$u"); do
		case $d in
		file://*)
			docs_n=$((docs_n + 1))
			[ -f "$ROOT${d#file://}" ] || docs_bad="$docs_bad $u:$d"
			;;
		man:*)
			page=${d#man:}
			name=${page%%(*}
			sec=${page#*(}
			sec=${sec%)}
			[ $man_tree = 1 ] || continue
			docs_n=$((docs_n + 1))
			ls "$ROOT$PREFIX/share/man/man$sec/$name.$sec"* >/dev/null 2>&1 ||
				docs_bad="$docs_bad $u:$d"
			;;
		*) docs_bad="$docs_bad $u:$d(scheme)" ;;
		esac
	done
done
if [ -z "$docs_bad" ] && [ $docs_n -gt 0 ]; then
	pass "Documentation=: $docs_n documents installed$([ $man_tree = 1 ] || echo " (man pages not in this tree yet: file:// only)")"
else
	fail "Documentation= names what is not installed:$docs_bad"
fi

# The daemon's command line as systemd builds it: Environment= lines (a
# quoted one is one assignment), then $VAR → words, ${VAR} → one word.
UNIT=$UNITDIR/tetrad-syncd.service
python3 - "$UNIT" "$T/argv" <<'PY'
import shlex, sys, re
env, exec_line = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line.startswith("Environment="):
        for a in shlex.split(line[len("Environment="):]):
            if "=" not in a:
                sys.exit("Environment= word without '=': %r (systemd drops it)" % a)
            k, v = a.split("=", 1)
            env[k] = v
    elif line.startswith("ExecStart="):
        exec_line = line[len("ExecStart="):]
words = []
for w in shlex.split(exec_line):
    m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", w)
    if m:
        words += env.get(m.group(1), "").split()
    else:
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), w))
open(sys.argv[2], "w").write("\n".join(words[1:]) + "\n")
PY
if [ $? -ne 0 ]; then
	fail "tetrad-syncd.service: ExecStart cannot be expanded"
else
	mapfile -t argv <"$T/argv"
	grep -qx -- "--window" "$T/argv" && grep -qx "01:00-05:00" "$T/argv" ||
		fail "tetrad-syncd.service: no --window 01:00-05:00 in $(tr '\n' ' ' <"$T/argv")"
	# the database path is the unit's; here a database of our own, not enrolled
	for i in "${!argv[@]}"; do
		[ "${argv[$i]}" = --db ] && argv[$((i + 1))]=$T/absent.db
	done
	# running after 3 s (timeout's 124) = the options were taken; the old
	# unit's lone --window made it exit 2 at once
	timeout 3 "$TETRAD_BIN/tetrad-syncd" "${argv[@]}" >"$T/daemon.out" 2>&1
	rc=$?
	if [ $rc -eq 124 ]; then
		pass "tetrad-syncd.service's command line is accepted: ${argv[*]}"
	else
		fail "tetrad-syncd ${argv[*]}: exit $rc: $(head -3 "$T/daemon.out")"
	fi
fi

echo "1..$N"
[ $FAILS -eq 0 ]
