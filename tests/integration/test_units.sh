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
#    `--window`): the daemon started with them is still running 3 s later;
#  - the system-call filter of each unit (SystemCallFilter=, read from the
#    installed unit) allows every call the programs make, traced with strace
#    while they work as the units run them (not as root: as nobody when the
#    test is root): the hub serving an enrollment, a form publication and a
#    push; syncd enrolling, pushing and pulling a form (--once), as a daemon
#    syncing on an interval until SIGTERM, and writing a USB export. A call
#    outside the filter would fail with EPERM under systemd.
# Exit 77 when systemd-analyze or strace is missing (packages systemd, strace)
# or ptrace is refused.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
BUILD=$(cd "$TETRAD_BIN/.." && pwd)
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "SKIP: systemd-analyze not installed (package systemd)"; exit 77; }
command -v strace >/dev/null 2>&1 ||
	{ echo "SKIP: strace not installed (package strace)"; exit 77; }
# LeakSanitizer (the sanitizer build) cannot run under ptrace: off for the traced runs
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
strace -qq -o /dev/null "$TETRAD_BIN/tetrad" --version >/dev/null 2>&1 ||
	{ echo "SKIP: strace cannot trace here (ptrace refused by this machine's sandbox)"; exit 77; }

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

# --- the system-call filters against the calls the programs make
R=$T/run
mkdir -p "$R"
chmod 755 "$T"
chmod 777 "$R"
# as the units run them: not root (SQLite, as root only, gives its files
# their database's owner with fchown, which @privileged holds)
run() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
# traced: strace runs as the program's user, so its own calls before the
# program's execve are the only ones that are not the program's
traced() {
	local out=$1
	shift
	run env TETRAD_FORMS_DIR="${TETRAD_FORMS_DIR:-$SRC/forms}" strace -f -qq -o "$out" "$@"
}
# the first pid of a trace: the program strace started
trace_pid() { sed -n '1s/^\([0-9]*\).*/\1/p' "$1"; }
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$SRC/forms}
run "$TETRAD_BIN/tetrad-hub" --data "$R/hub" init --tls-self-signed 127.0.0.1 >"$R/init.log" 2>&1 ||
	fail "hub init: $(tail -2 "$R/init.log")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
traced "$R/hub.trace" "$TETRAD_BIN/tetrad-hub" --data "$R/hub" serve --listen "127.0.0.1:$port" >"$R/hub.log" 2>&1 &
for i in $(seq 1 100); do
	curl -s --max-time 2 --cacert "$R/hub/tls/ca.pem" "https://127.0.0.1:$port/v1/health" 2>/dev/null |
		grep -q '"ok"' && break
	sleep 0.1
done
cat >"$R/form.json" <<'JSON'
{"format":1,"id":"units_test","version":1,"title":"Проверка фильтра","fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":1000}]}
JSON
run "$TETRAD_BIN/tetrad-hub" --data "$R/hub" forms publish "$R/form.json" >/dev/null 2>&1 ||
	fail "forms publish"
tok=$(run "$TETRAD_BIN/tetrad-hub" --data "$R/hub" token create --school 170103 --name "Школа" 2>/dev/null | head -1)
DB=$R/school.db
run "$TETRAD_BIN/tetrad" --db "$DB" init --school 170103 >/dev/null 2>&1 || fail "tetrad init"
traced "$R/enroll.trace" "$TETRAD_BIN/tetrad-syncd" enroll --db "$DB" --hub "https://127.0.0.1:$port" \
	--token "$tok" --ca "$R/hub/tls/ca.pem" >"$R/enroll.log" 2>&1 || fail "enroll: $(cat "$R/enroll.log")"
run "$TETRAD_BIN/tetrad" --db "$DB" new survey_student --set grade=4 --set enough_equipment=4 \
	--set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 \
	--set response_date=10.02.2026 >/dev/null 2>&1 || fail "tetrad new"
traced "$R/once.trace" "$TETRAD_BIN/tetrad-syncd" --once --db "$DB" >"$R/once.log" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -n "$(ls "$DB.forms" 2>/dev/null)" ] ||
	fail "syncd --once: exit $rc, forms pulled: $(ls "$DB.forms" 2>&1); $(tail -2 "$R/once.log")"
run "$TETRAD_BIN/tetrad" --db "$DB" new survey_student --set grade=5 --set enough_equipment=4 \
	--set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 \
	--set response_date=10.02.2026 >/dev/null 2>&1 || fail "tetrad new"
traced "$R/daemon.trace" "$TETRAD_BIN/tetrad-syncd" --daemon --interval 1 --db "$DB" >"$R/daemon.log" 2>&1 &
sleep 3
kill -TERM "$(trace_pid "$R/daemon.trace")" 2>/dev/null
wait $! 2>/dev/null
grep -q "entries_acked=1" "$R/daemon.log" || fail "the daemon did not sync: $(tail -3 "$R/daemon.log")"
run "$TETRAD_BIN/tetrad" --db "$DB" new survey_student --set grade=6 --set enough_equipment=4 \
	--set feel_safe=5 --set like_learning=3 --set teacher_helps=4 --set tasks_fit_level=4 \
	--set response_date=10.02.2026 >/dev/null 2>&1 || fail "tetrad new"
traced "$R/usb.trace" "$TETRAD_BIN/tetrad-syncd" export --db "$DB" --out "$R/usb.ttex" >"$R/usb.log" 2>&1 ||
	fail "USB export: $(cat "$R/usb.log")"
kill -TERM "$(trace_pid "$R/hub.trace")" 2>/dev/null
wait 2>/dev/null
systemd-analyze syscall-filter >"$R/groups.txt" 2>&1
# every call of the traces against the unit's SystemCallFilter= lines
filter_check() {
	python3 - "$R/groups.txt" "$1" "$2" <<'PY'
import re, sys
groups, cur = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("@"):
        cur = line.split()[0]
        groups[cur] = set()
    elif cur and line.strip() and not line.strip().startswith("#"):
        groups[cur].add(line.split()[0])
def expand(names, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for n in names:
        if n.startswith("@"):
            if n not in seen:
                seen.add(n)
                out |= expand(groups.get(n, ()), seen)
        else:
            out.add(n)
    return out
allow, deny = None, set()
for line in open(sys.argv[2], encoding="utf-8"):
    if line.startswith("SystemCallFilter="):
        v = line.split("=", 1)[1].split()
        if v and v[0].startswith("~"):
            deny |= expand([v[0][1:]] + v[1:])
        else:
            allow = expand(v) if allow is None else allow | expand(v)
if allow is None:
    sys.exit("no SystemCallFilter= allow list in " + sys.argv[2])
used, pids_started = {}, set()
for f in sys.argv[3].split(","):
    for line in open(f, errors="replace"):
        m = re.match(r"^(\d+)\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]", line)
        if not m:
            continue
        pid, call = m.groups()
        # strace's own calls come before the program's execve in its pid
        if call == "execve" and pid not in pids_started:
            pids_started.add(pid)
            continue
        if pid in pids_started or pid != re.match(r"^(\d+)", open(f).readline()).group(1):
            used.setdefault(call, f.rsplit("/", 1)[-1])
bad = sorted(c for c in used if c not in allow or c in deny)
print("%d calls" % len(used) + ("" if not bad else "; outside the filter: " +
      ", ".join("%s (%s)" % (c, used[c]) for c in bad)))
sys.exit(1 if bad else 0)
PY
}
out=$(filter_check "$UNITDIR/tetrad-syncd.service" "$R/enroll.trace,$R/once.trace,$R/daemon.trace,$R/usb.trace")
if [ $? -eq 0 ]; then
	pass "tetrad-syncd's system-call filter allows every call of enroll, --once, --daemon, export: $out"
else
	fail "tetrad-syncd's filter: $out"
fi
cmp -s <(grep '^SystemCallFilter=' "$UNITDIR/tetrad-syncd.service") \
	<(grep '^SystemCallFilter=' "$UNITDIR/tetrad-syncd-once.service") ||
	fail "tetrad-syncd-once.service's SystemCallFilter= differs from tetrad-syncd.service's"
out=$(filter_check "$UNITDIR/tetrad-hub.service" "$R/hub.trace")
if [ $? -eq 0 ]; then
	pass "tetrad-hub's system-call filter allows every call of serve (enrollment, push, form pull): $out"
else
	fail "tetrad-hub's filter: $out"
fi

echo "1..$N"
[ $FAILS -eq 0 ]
