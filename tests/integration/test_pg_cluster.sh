#!/usr/bin/env bash
# test_pg_cluster — the tests' own PostgreSQL cluster (tests/tools/pgcluster.sh,
# started by the meta/pg_cluster_start fixture) is what the hub's PostgreSQL
# tests take it to be: its env file holds a libpq connection string that
# psql reaches; the server is PostgreSQL 15 or later, UTF8 with the C
# collation; `pgcluster.sh newdb` makes a fresh database (C, UTF8) in which
# a table takes rows — Cyrillic text among them — and gives them back
# unchanged, ordered bytewise as the C collation orders; a bad database name
# is refused with a Russian message. Exit 77 when the cluster was skipped
# (no PostgreSQL 15 here).
# Starts no server and opens no port: the fixture's cluster listens on a
# unix socket only.
# Uses the tests' PostgreSQL cluster
# By hand: bash tests/tools/pgcluster.sh start /tmp/pg &&
#   TETRAD_TEST_PG_ENV=/tmp/pg/env bash tests/integration/test_pg_cluster.sh;
#   bash tests/tools/pgcluster.sh stop /tmp/pg
set -u
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${TETRAD_TEST_PG_ENV:?TETRAD_TEST_PG_ENV must name the env file of pgcluster.sh start}"
if [ ! -f "$TETRAD_TEST_PG_ENV" ]; then
	echo "SKIP: кластер PostgreSQL для тестов не запущен (нет $TETRAD_TEST_PG_ENV; см. вывод meta/pg_cluster_start)"
	exit 77
fi
TETRAD_TEST_PG=
. "$TETRAD_TEST_PG_ENV"
PGDIR=$(dirname "$TETRAD_TEST_PG_ENV")
W=$(mktemp -d)
DB=tt_pgcheck_$$
made_db=0
cleanup() {
	[ $made_db = 0 ] || psql "$TETRAD_TEST_PG" -X -q -c "DROP DATABASE $DB" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# sql CONNINFO SQL: one value or rows, unaligned, '|' between columns
sql() { psql "$1" -X -A -t -q -v ON_ERROR_STOP=1 -c "$2" 2>"$W/err"; }
eq() { # GOT WANT DESC
	if [ "$1" = "$2" ]; then ok "$3"; else bad "$3: «$1», ожидалось «$2»"; cat "$W/err" >&2; fi
}

[ -n "$TETRAD_TEST_PG" ] && ok "env: TETRAD_TEST_PG=$TETRAD_TEST_PG" ||
	bad "$TETRAD_TEST_PG_ENV не задаёт TETRAD_TEST_PG"
v=$(sql "$TETRAD_TEST_PG" "SELECT current_setting('server_version_num')")
if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge 150000 ]; then
	ok "server_version_num $v ≥ 150000"
else
	bad "server_version_num «$v»: нужен PostgreSQL 15 или новее"
	cat "$W/err" >&2
fi
eq "$(sql "$TETRAD_TEST_PG" "SHOW lc_collate")" C "lc_collate кластера — C"
eq "$(sql "$TETRAD_TEST_PG" "SHOW server_encoding")" UTF8 "кодировка кластера — UTF8"
eq "$(sql "$TETRAD_TEST_PG" "SELECT current_setting('listen_addresses') = ''")" t \
	"TCP не слушает (listen_addresses пуст)"

if conn=$(bash "$SRC/tests/tools/pgcluster.sh" newdb "$PGDIR" "$DB" 2>"$W/err"); then
	made_db=1
	ok "newdb: $conn"
else
	bad "pgcluster.sh newdb $DB"
	cat "$W/err" >&2
	echo "# $fails of $n failed"
	exit 1
fi
eq "$(sql "$conn" "SELECT current_database() || ' ' || datcollate || ' ' ||
	pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")" \
	"$DB C UTF8" "новая база: своё имя, C, UTF8"
eq "$(sql "$conn" "CREATE TABLE t (id integer PRIMARY KEY, name text NOT NULL);
	INSERT INTO t VALUES (1, 'Школа № 5'), (2, 'ёлка'), (3, 'Zeta'), (4, 'alpha');
	SELECT count(*) FROM t")" 4 "таблица создана, 4 строки вставлены"
eq "$(sql "$conn" "SELECT string_agg(name, ',' ORDER BY name) FROM t")" \
	"Zeta,alpha,Школа № 5,ёлка" "строки прочитаны обратно, порядок побайтовый (C)"
eq "$(sql "$TETRAD_TEST_PG" "SELECT count(*) FROM pg_tables WHERE tablename = 't'")" 0 \
	"таблица новой базы не видна в базе postgres"

if bash "$SRC/tests/tools/pgcluster.sh" newdb "$PGDIR" "Bad name" >/dev/null 2>"$W/err"; then
	bad "newdb приняла имя «Bad name»"
elif grep -q "имя базы" "$W/err"; then
	ok "newdb отказывает в имени «Bad name»: $(cat "$W/err")"
else
	bad "newdb отказала без объяснения: $(cat "$W/err")"
fi

echo "# $((n - fails)) of $n passed"
[ $fails = 0 ]
