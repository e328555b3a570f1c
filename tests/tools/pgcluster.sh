#!/usr/bin/env bash
# pgcluster.sh — the tests' own PostgreSQL cluster (issue 20), made and
# removed by the tests themselves:
#   pgcluster.sh start DIR       makes and starts a cluster, writes DIR/env
#                                (one line: TETRAD_TEST_PG='<libpq keyword
#                                string>') and prints the connection string
#   pgcluster.sh newdb DIR NAME  makes the database NAME (template0, UTF8,
#                                C collation) and prints its connection string
#   pgcluster.sh stop DIR        stops the cluster, removes it and DIR
#   pgcluster.sh restart DIR     starts DIR's server again on its files after
#                                a test stopped it (as a crash would)
# The cluster itself is a fresh mktemp folder /tmp/tetrad-pg.XXXXXX (DIR/cluster
# links to it), not DIR: a unix socket's path holds at most 107 bytes, and a
# build folder under /root is closed to the cluster's user. It listens on a
# unix socket in that folder only (listen_addresses = ''), trust for local
# connections, superuser `postgres`: no TCP port, so two clusters (two
# builds, ctest -j) never clash, and nobody but the folder's owner (and
# root) reaches it (the folder is 0700).
# postgres refuses to run as root: as root (CI) initdb and pg_ctl run as the
# system user tetrad-pgtest through runuser, made here on first use and kept
# (another build on the machine may be using it); otherwise as the caller.
# A start on a DIR whose cluster an interrupted run left behind stops and
# removes that one first. PostgreSQL 15's programs are taken from PATH (the
# tests' test-path links them) or from Debian's /usr/lib/postgresql/15/bin
# (TETRAD_PG_BINDIR overrides); without them: "SKIP: …" and exit 77.
# TETRAD_PG_CONF: lines added to postgresql.conf (a benchmark's memory).
set -euo pipefail

pg_owner=tetrad-pgtest
port=5432 # only the socket's name (.s.PGSQL.5432): no TCP

die() {
	echo "pgcluster: $*" >&2
	exit 1
}

usage() {
	echo "использование: pgcluster.sh start КАТАЛОГ | newdb КАТАЛОГ ИМЯ | stop КАТАЛОГ |" \
		"restart КАТАЛОГ" >&2
	exit 2
}

# The caller's PG* variables (PGOPTIONS, PGDATA…) would change what the
# programs below do; everything they need is on their command lines.
for v in $(compgen -e); do
	case $v in PG*) unset "$v" ;; esac
done

# pg_bin: the folder of PostgreSQL's programs; false when they are missing.
find_bindir() {
	local p
	if [ -n "${TETRAD_PG_BINDIR:-}" ]; then
		pg_bin=$TETRAD_PG_BINDIR
	elif p=$(command -v initdb); then
		pg_bin=$(dirname "$(readlink -f "$p")")
	else
		pg_bin=/usr/lib/postgresql/15/bin
	fi
	# that folder first: pg_ctl and initdb find postgres next to themselves
	pg_path=$pg_bin:/usr/bin:/bin
	local prog
	for prog in initdb pg_ctl postgres psql createdb; do
		[ -x "$pg_bin/$prog" ] || return 1
	done
}

skip_missing() {
	echo "SKIP: PostgreSQL 15 не установлен (scripts/install-deps.sh)" >&2
	exit 77
}

if [ "$(id -u)" = 0 ]; then
	run_as=$pg_owner
else
	run_as=
fi

# The server's programs as the cluster's owner. Their working folder must be
# one the owner may enter (initdb and pg_ctl fail in an unreadable one): the
# callers cd into the cluster's folder first.
run_initdb() {
	if [ -n "$run_as" ]; then
		runuser -u "$run_as" -- env PATH="$pg_path" initdb "$@"
	else
		env PATH="$pg_path" initdb "$@"
	fi
}

run_pg_ctl() {
	if [ -n "$run_as" ]; then
		runuser -u "$run_as" -- env PATH="$pg_path" pg_ctl "$@"
	else
		env PATH="$pg_path" pg_ctl "$@"
	fi
}

# The owner, made once. Two starts at once (two builds) may both try:
# useradd then fails for the one that loses (name taken, or /etc/passwd
# locked), so success is "the user exists", checked again after each try.
ensure_owner() {
	local i err=
	for i in $(seq 1 50); do
		id -u "$pg_owner" >/dev/null 2>&1 && return 0
		err=$(useradd -r -M -d /nonexistent -s /usr/sbin/nologin \
			-c "Tetrad tests, PostgreSQL cluster" "$pg_owner" 2>&1) && return 0
		sleep 0.1
	done
	id -u "$pg_owner" >/dev/null 2>&1 || die "не удалось создать пользователя $pg_owner: $err"
}

# The cluster folder DIR/cluster links to, checked to be one this script
# made (it is removed with rm -rf); empty when there is none.
cluster_of() {
	local c
	[ -L "$1/cluster" ] || return 0
	c=$(readlink "$1/cluster")
	case $c in
	/tmp/tetrad-pg.??????) printf '%s\n' "$c" ;;
	*) die "$1/cluster указывает на $c, а не на каталог кластера /tmp/tetrad-pg.*: не трогаю" ;;
	esac
}

# Stops the server of cluster folder C if it runs: fast shutdown, then
# immediate; if pg_ctl cannot (its programs gone), the postmaster this
# script started, recognised by its data folder, is killed. Then waits
# (10 s at most) until the postmaster is gone from the process table: pg_ctl
# returns when its pid file is removed, a moment before it exits.
stop_server() {
	local c=$1 pid=
	[ -f "$c/data/postmaster.pid" ] || return 0
	pid=$(head -n 1 "$c/data/postmaster.pid")
	[ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$c/data" ] || pid=
	cd "$c"
	if [ -n "${pg_bin:-}" ]; then
		run_pg_ctl stop -D "$c/data" -m fast -s -w -t 30 >/dev/null 2>&1 ||
			run_pg_ctl stop -D "$c/data" -m immediate -s -w -t 30 >/dev/null 2>&1 || true
	fi
	cd /
	[ -n "$pid" ] || return 0
	if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$c/data" ]; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	for _ in $(seq 1 100); do
		[ -d "/proc/$pid" ] || return 0
		sleep 0.1
	done
}

# Stops and removes DIR's cluster, if any, and DIR's files.
remove_cluster() {
	local dir=$1 c
	c=$(cluster_of "$dir")
	if [ -n "$c" ] && [ -d "$c" ]; then
		stop_server "$c"
		rm -rf "$c"
	fi
	rm -f "$dir/cluster" "$dir/env" "$dir/env.tmp"
}

# Starts the server of cluster $1; $2 says what failed ("не запустился").
server_start() {
	if ! run_pg_ctl start -D "$1/data" -l "$1/server.log" -s -w -t 60 >/dev/null 2>&1; then
		tail -n 30 "$1/server.log" >&2 || true
		die "сервер PostgreSQL $2 за 60 с (журнал выше)"
	fi
}

cmd_start() {
	local c conninfo
	# dir is global: the EXIT trap below reads it
	mkdir -p "$1"
	dir=$(readlink -f "$1")
	find_bindir || pg_bin=
	remove_cluster "$dir"
	[ -z "$(ls -A "$dir")" ] || die "$dir не пуст: кластер создаётся в пустом или новом каталоге"
	[ -n "$pg_bin" ] || skip_missing
	[ -z "$run_as" ] || ensure_owner

	c=$(mktemp -d /tmp/tetrad-pg.XXXXXX)
	# recorded at once, so that stop (or the next start) removes a cluster
	# whose start failed half-way
	ln -s "$c" "$dir/cluster"
	trap 'remove_cluster "$dir"' EXIT
	mkdir "$c/sock"
	[ -z "$run_as" ] || chown "$run_as:" "$c" "$c/sock"
	chmod 0700 "$c"
	cd "$c"
	if ! run_initdb -D "$c/data" -U postgres -E UTF8 --locale=C --auth=trust \
		--no-instructions >"$c/initdb.log" 2>&1; then
		cat "$c/initdb.log" >&2
		die "initdb не создал кластер в $c/data"
	fi
	# Unix socket only, trust: the folder's 0700 is the access control.
	printf '%s\n' "local all all trust" >"$c/data/pg_hba.conf"
	# max_connections: three hub processes' pools and the tests' own
	# connections, with room to spare. dynamic_shared_memory_type = mmap:
	# parallel queries' segments in the data folder, not in /dev/shm, which
	# is 64 MB in a default container and would fail a large parallel hash
	# join.
	# Durability settings stay PostgreSQL's defaults: the tests are about
	# correctness (kill -9 of hubs), not speed.
	cat >>"$c/data/postgresql.conf" <<EOF

# tests/tools/pgcluster.sh
listen_addresses = ''
port = $port
unix_socket_directories = '$c/sock'
max_connections = 200
shared_buffers = 128MB
dynamic_shared_memory_type = mmap
EOF
	# a benchmark's settings (scripts/bench.sh): lines appended as given
	[ -z "${TETRAD_PG_CONF:-}" ] || printf '%s\n' "$TETRAD_PG_CONF" >>"$c/data/postgresql.conf"
	server_start "$c" "не запустился"
	conninfo="host=$c/sock port=$port user=postgres dbname=postgres"
	env PATH="$pg_path" psql "$conninfo" -X -A -t -q -v ON_ERROR_STOP=1 \
		-c 'SELECT 1' >/dev/null || die "сервер запущен, но psql не подключается: $conninfo"
	printf "TETRAD_TEST_PG='%s'\n" "$conninfo" >"$dir/env.tmp"
	mv "$dir/env.tmp" "$dir/env"
	trap - EXIT
	printf '%s\n' "$conninfo"
}

cmd_newdb() {
	local dir c name=$2
	[ -d "$1" ] || die "нет каталога $1 (pgcluster.sh start $1)"
	dir=$(readlink -f "$1")
	c=$(cluster_of "$dir")
	[ -n "$c" ] && [ -f "$dir/env" ] || die "в $dir нет запущенного кластера (pgcluster.sh start $1)"
	# the name goes into a connection string unquoted
	[[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
		die "имя базы «$name»: только строчные латинские буквы, цифры и _, до 63 знаков"
	find_bindir || skip_missing
	env PATH="$pg_path" createdb -h "$c/sock" -p "$port" -U postgres \
		-T template0 -E UTF8 --locale=C "$name" || die "createdb не создал базу $name"
	printf '%s\n' "host=$c/sock port=$port user=postgres dbname=$name"
}

cmd_stop() {
	local dir
	[ -d "$1" ] || return 0 # nothing was started, or stopped already
	dir=$(readlink -f "$1")
	find_bindir || pg_bin=
	remove_cluster "$dir"
	rmdir "$dir" 2>/dev/null || die "кластер остановлен и удалён, но в $dir есть чужие файлы: каталог оставлен"
}

cmd_restart() {
	local dir c
	[ -d "$1" ] || die "нет каталога $1 (pgcluster.sh start $1)"
	dir=$(readlink -f "$1")
	c=$(cluster_of "$dir")
	[ -n "$c" ] && [ -d "$c/data" ] || die "в $dir нет кластера (pgcluster.sh start $1)"
	find_bindir || skip_missing
	cd "$c"
	server_start "$c" "не запустился снова"
}

case ${1:-} in
start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
restart) [ $# -eq 2 ] || usage; cmd_restart "$2" ;;
newdb) [ $# -eq 3 ] || usage; cmd_newdb "$2" "$3" ;;
stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
*) usage ;;
esac
