# lib_hub.sh — shared helper for integration tests: a real tetrad-hub over
# HTTPS on 127.0.0.1 with a fresh test CA. Source it, then:
#
#   hub_start DIR [serve options...]  init DIR (with --tls-self-signed
#                        127.0.0.1) if needed, pick a free port, start
#                        `serve` in the background, wait for /v1/health;
#                        exports HUB_URL, HUB_CA, HUB_PID, HUB_DIR, HUB_LOG
#   hub_stop             SIGTERM, wait (kill -9 after 10 s); safe to repeat
#   hub_token ARGS...    `token create ARGS` → prints the token
#   hub_cli ARGS...      tetrad-hub --data "$HUB_DIR" ARGS...
#   hub_curl ARGS...     curl with the test CA, -sS, bounded time
#   hub_free_port        prints a free TCP port on 127.0.0.1
#   hub_init DIR ARGS... `init ARGS` for a test that fills the hub before
#                        hub_start (on the PostgreSQL lane the hub gets its
#                        database here, as hub_start would)
#   hub_hex COL          SQL for the lower-case hex of a blob column
#   hub_json COL PATH    SQL for the text at PATH (SQLite's JSON path
#                        without "$.": a.b[0].c) of a JSON text column, NULL
#                        when absent, on either store (a JSON true is 1 on
#                        SQLite, true on PostgreSQL: compare numbers, text)
#   hub_sql SQL          runs SQL on the hub's store (sqlite3 on hub.db, or
#                        psql on the hub's PostgreSQL database), prints rows
#                        with | between columns
#   hub_backup FILE      a stopped hub's store saved to FILE;
#   hub_restore FILE     and put back from it (a restore from a backup)
#   hub_dump             the hub's whole store as SQL text (sqlite3 .dump,
#                        or pg_dump of its database)
#
# The PostgreSQL lane (ctest's integration-pg/..., a script whose header
# says "Runs on both stores"): TETRAD_TEST_PG_ENV names the env file of the
# tests' cluster (tests/tools/pgcluster.sh); every hub hub_start or
# hub_init makes gets a fresh database of it, named in its hub.conf
# (store = ...), and HUB_PG is its connection string. No env file: the
# cluster was skipped, exit 77.
#
# Needs TETRAD_BIN (dir of built programs). Callers should `trap hub_stop EXIT`
# (or call hub_stop from their own trap).

: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
HUB_BIN="$TETRAD_BIN/tetrad-hub"
HUB_PID=""

hub_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

HUB_PG=""

hub_pg_newdb() { # sets HUB_PG to a new empty database of the tests' cluster
	local base name
	[ -f "$TETRAD_TEST_PG_ENV" ] || {
		echo "SKIP: нет кластера PostgreSQL тестов ($TETRAD_TEST_PG_ENV): PostgreSQL 15 не установлен или не запустился" >&2
		exit 77
	}
	base=$(sed -n "s/^TETRAD_TEST_PG='\(.*\)'$/\1/p" "$TETRAD_TEST_PG_ENV")
	name="h$$_${RANDOM}_$(date +%s%N | tail -c 7)"
	psql "$base" -XAtq -c "CREATE DATABASE $name TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null ||
		return 1
	HUB_PG="$base dbname=$name"
	export HUB_PG
}

# A fresh database of the tests' cluster for the hub in $HUB_DIR, named in
# its hub.conf; the SQLite file init made is removed, so nothing can use it.
hub_use_pg() {
	hub_pg_newdb || return 1
	printf 'store = %s\n' "$HUB_PG" >>"$HUB_DIR/hub.conf"
	rm -f "$HUB_DIR/hub.db" "$HUB_DIR/hub.db-wal" "$HUB_DIR/hub.db-shm"
}

hub_init() {
	HUB_DIR="$1"
	shift
	export HUB_DIR
	"$HUB_BIN" --data "$HUB_DIR" init "$@" || return 1
	if [ -n "${TETRAD_TEST_PG_ENV:-}" ]; then
		hub_use_pg || return 1
	fi
}

hub_hex() {
	if [ -n "$HUB_PG" ]; then
		printf "encode(%s, 'hex')" "$1"
	else
		printf 'lower(hex(%s))' "$1"
	fi
}

hub_json() {
	if [ -n "$HUB_PG" ]; then
		printf "(CAST(%s AS jsonb) #>> '{%s}')" "$1" "$(printf %s "$2" | sed 's/\[\([0-9]*\)\]/.\1/g; s/\./,/g')"
	else
		printf "json_extract(%s, '\$.%s')" "$1" "$2"
	fi
}

hub_sql() {
	if [ -n "$HUB_PG" ]; then
		psql "$HUB_PG" -XAtq -c "$1"
	else
		sqlite3 "$HUB_DIR/hub.db" "$1"
	fi
}

# A stopped hub's store saved to FILE (a copy of hub.db, or pg_dump's SQL),
# and put back from it as a restore from an older backup would: hub.db
# copied over (its WAL gone), or a new database loaded from the dump and
# named in hub.conf instead of the one it replaces.
hub_backup() {
	if [ -n "$HUB_PG" ]; then
		pg_dump -d "$HUB_PG" >"$1"
	else
		cp "$HUB_DIR/hub.db" "$1"
	fi
}

hub_restore() {
	if [ -n "$HUB_PG" ]; then
		local old=$HUB_PG
		hub_pg_newdb || return 1
		psql "$HUB_PG" -Xq -v ON_ERROR_STOP=1 -f "$1" >/dev/null || return 1
		grep -vxF "store = $old" "$HUB_DIR/hub.conf" >"$HUB_DIR/hub.conf.new"
		printf 'store = %s\n' "$HUB_PG" >>"$HUB_DIR/hub.conf.new"
		mv "$HUB_DIR/hub.conf.new" "$HUB_DIR/hub.conf"
	else
		rm -f "$HUB_DIR/hub.db-wal" "$HUB_DIR/hub.db-shm"
		cp "$1" "$HUB_DIR/hub.db"
	fi
}

hub_dump() {
	if [ -n "$HUB_PG" ]; then
		pg_dump -d "$HUB_PG"
	else
		sqlite3 "$HUB_DIR/hub.db" .dump
	fi
}

hub_cli() {
	"$HUB_BIN" --data "$HUB_DIR" "$@"
}

hub_curl() {
	curl -sS --max-time 30 --cacert "$HUB_CA" "$@"
}

hub_start() {
	HUB_DIR="$1"
	shift
	export HUB_DIR
	if [ ! -f "$HUB_DIR/hub.enc.key" ]; then
		"$HUB_BIN" --data "$HUB_DIR" init --tls-self-signed 127.0.0.1 >/dev/null 2>"$HUB_DIR.init.log" || {
			cat "$HUB_DIR.init.log" >&2
			return 1
		}
		if [ -n "${TETRAD_TEST_PG_ENV:-}" ]; then
			hub_use_pg || return 1
		fi
	fi
	HUB_CA="$HUB_DIR/tls/ca.pem"
	HUB_LOG="$HUB_DIR/serve.log"
	export HUB_CA HUB_LOG
	local try port
	for try in 1 2 3 4 5; do
		port=$(hub_free_port)
		HUB_URL="https://127.0.0.1:$port"
		export HUB_URL
		"$HUB_BIN" --data "$HUB_DIR" serve --listen "127.0.0.1:$port" "$@" >>"$HUB_LOG" 2>&1 &
		HUB_PID=$!
		export HUB_PID
		local i
		for i in $(seq 1 100); do
			if curl -s --max-time 2 --cacert "$HUB_CA" "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"'; then
				return 0
			fi
			if ! kill -0 "$HUB_PID" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		kill -9 "$HUB_PID" 2>/dev/null
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
	done
	echo "hub_start: the hub did not come up; log:" >&2
	tail -20 "$HUB_LOG" >&2
	return 1
}

hub_stop() {
	if [ -n "$HUB_PID" ] && kill -0 "$HUB_PID" 2>/dev/null; then
		kill -TERM "$HUB_PID" 2>/dev/null
		local i
		for i in $(seq 1 100); do
			kill -0 "$HUB_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$HUB_PID" 2>/dev/null; then
			kill -9 "$HUB_PID" 2>/dev/null
		fi
		wait "$HUB_PID" 2>/dev/null
	fi
	HUB_PID=""
	return 0
}

hub_token() {
	"$HUB_BIN" --data "$HUB_DIR" token create "$@" 2>/dev/null | head -1
}
