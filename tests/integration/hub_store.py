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
    def execute(self, sql, params=()):
        for p in params:  # the tests' own values: ids, hex; quoted as literals
            sql = sql.replace("?", "'%s'" % str(p).replace("'", "''"), 1)
        select = sql.lstrip().upper().startswith("SELECT")
        if select:
            sql = "SELECT row_to_json(t) FROM (%s) t" % sql
        # runs: psql
        out = subprocess.run(["psql", PG, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        if not select:
            return _Rows([])
        return _Rows([tuple(json.loads(line).values()) for line in out.splitlines() if line])

    def commit(self):
        pass

    def close(self):
        pass


def open_hub(hub_dir):
    if PG:
        return _PgHub()
    return sqlite3.connect(os.path.join(hub_dir, "hub.db"), timeout=30)
