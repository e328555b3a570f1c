"""hub_store.py — the hub's store for the integration tests' Python checks,
on either engine (lib_hub.sh's hub_sql for Python): HUB_PG set (the
PostgreSQL lane, exported by lib_hub.sh) reads that database through psql,
else HUB_DIR/hub.db through sqlite3. Only for what the hub stored.

  hub = hub_store.open_hub(hub_dir)
  hub.execute("SELECT ... WHERE id = ?", (x,)).fetchall()   # tuples, typed
  hub_store.hex_sql("col")    # SQL for a blob's hex, case as the engine has it

On PostgreSQL each row comes back as row_to_json, so numbers stay numbers;
every selected column of an expression needs an alias there (AS name).
A statement other than a SELECT (a test planting a row as an older hub
would have stored it) runs as it is; commit() and close() are for sqlite3's
sake.
"""
import json
import os
import sqlite3
import subprocess

PG = os.environ.get("HUB_PG", "")
_END = "--hub_store-end--"
_pg = None


def hex_sql(col):
    return "encode(%s, 'hex')" % col if PG else "hex(%s)" % col


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def __iter__(self):
        return iter(self.rows)


class _PgHub:
    """One psql for the whole test (a test may read the hub after each of
    a hundred steps; a psql each time costs a connection each time): each
    statement on its stdin, then a line that ends its rows and says whether
    it failed."""

    def __init__(self):
        # runs: psql
        self.p = subprocess.Popen(["psql", PG, "-XAtq"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def execute(self, sql, params=()):
        for p in params:  # the tests' own values: ids, hex; quoted as literals
            sql = sql.replace("?", "'%s'" % str(p).replace("'", "''"), 1)
        select = sql.lstrip().upper().startswith("SELECT")
        if select:
            sql = "SELECT row_to_json(t) FROM (%s) t" % sql
        self.p.stdin.write("%s;\n\\echo %s :ERROR\n" % (sql, _END))
        self.p.stdin.flush()
        rows = []
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if line.startswith(_END + " "):
                if line != _END + " false":
                    raise RuntimeError("psql: %s failed" % sql)
                return _Rows(rows)
            if select and line:
                rows.append(tuple(json.loads(line).values()))
        raise RuntimeError("psql ended during %s" % sql)

    def commit(self):
        pass

    def close(self):
        pass


def open_hub(hub_dir):
    global _pg
    if PG:
        if _pg is None:
            _pg = _PgHub()
        return _pg
    return sqlite3.connect(os.path.join(hub_dir, "hub.db"), timeout=30)
