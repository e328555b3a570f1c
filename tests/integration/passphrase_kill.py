#!/usr/bin/env python3
"""passphrase_kill — kill -9 at random moments of `tetrad passphrase set`
(the migration of every record's local values into records.sealed, then the
scrub), `change` (the rewrap), `remove` and `reset`, on copies of one device
database with many mediation cases whose local fields (summary,
parties[].full_name, parties[].phone) are all filled.

After each kill, in a fresh process:
  set     opened with no passphrase: if no passphrase is set every value is
          there, plain and exact; if it is set, with the new passphrase every
          value is exact, no record's data holds a local value, and once the
          store has been opened again (store_open finishes a pending scrub)
          no file in the folder holds a planted value in any form
  change  every value readable with the old OR the new passphrase, never
          neither, and exactly one of the two works (the other: exit 6)
  remove  either still set (old passphrase: exact) or removed (plain, exact,
          nothing sealed)
  reset   either the old state (old passphrase: exact) or the new one (new
          passphrase works, hub fields exact, local values gone)
Always: PRAGMA integrity_check ok, the same records.

Kill moments: half uniform over the command's uncut duration (the fastest
of three), half over its last 40% and a little after; rounds go on until N runs were really killed (at most 3N).
The seed is printed; TETRAD_TEST_SEED=N repeats a run.

    passphrase_kill.py BIN_DIR WORK_DIR [--records N] [--kills N] [--small-kills N]
Exit 0 all good, 1 a failure, 77 skipped (reason printed).
"""
import csv
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

HIDDEN = "скрыто"
LOCAL = ("full_name", "phone", "summary")


def argval(name, default):
    a = sys.argv
    return int(a[a.index(name) + 1]) if name in a else default


BIN, WORK = sys.argv[1], sys.argv[2]
RECORDS = argval("--records", 1500)
KILLS = argval("--kills", 20)            # set and change each
SMALL = argval("--small-kills", 4)       # remove and reset each
TETRAD = os.path.join(BIN, "tetrad")
SEED = int(os.environ.get("TETRAD_TEST_SEED") or random.SystemRandom().randrange(1, 2**31))
rng = random.Random(SEED)
ENV = dict(os.environ, TETRAD_PWHASH="test")
for k in ("TETRAD_PASSPHRASE_FILE", "TETRAD_NEW_PASSPHRASE_FILE", "TETRAD_DB"):
    ENV.pop(k, None)
OLD = os.path.join(WORK, "old.pass")
NEW = os.path.join(WORK, "new.pass")
failures = []
t0 = time.time()


def log(msg):
    print("# [%6.1fs] %s" % (time.time() - t0, msg), flush=True)


def fail(msg):
    failures.append(msg)
    print("not ok - " + msg, flush=True)


def tetrad(db, *args, passfile=None, newpass=None, timeout=120):
    cmd = [TETRAD, "--db", db]
    if passfile:
        cmd += ["--passphrase-file", passfile]
    if newpass:
        cmd += ["--new-passphrase-file", newpass]
    cmd += list(args)
    return subprocess.run(cmd, env=ENV, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)


def must(r, what):
    if r.returncode != 0:
        print("FATAL: %s: exit %d: %s" % (what, r.returncode, r.stderr.decode()[-600:]))
        sys.exit(1)


# --- the base database -------------------------------------------------------
def build_base(folder):
    os.makedirs(folder)
    db = os.path.join(folder, "school.db")
    must(tetrad(db, "init", "--school", "170103", "--name", "Школа kill"), "init")
    path = os.path.join(WORK, "cases.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["case_number", "received_date", "source", "situation_kind",
                    "conflict_type", "status", "parties", "summary"])
        for i in range(RECORDS):
            parties = [{"role": "student", "class_name": "%dА" % (5 + i % 6),
                        "full_name": "Пантелеймонова%04d Аглая" % i,
                        "phone": "+7 912 %03d-%02d-%02d" % (i // 100, i % 100, i % 97)},
                       {"role": "adult", "full_name": "Трифонов-Бельский%04d Евграф" % i}]
            if i % 3 == 0:       # a third with a party that has no local value
                parties.append({"role": "student", "class_name": "%dБ" % (5 + i % 6), "age": 11})
            w.writerow(["КИЛЛ-%05d" % i, "2026-11-01", "teacher", "conflict", "student_student",
                        "received", json.dumps(parties, ensure_ascii=False),
                        'Секретная суть %d: "цитата"\nи вторая строка' % i])
    must(tetrad(db, "import", "mediation_case", "--csv", path), "import")
    # a draft and a deleted case too (any status is migrated)
    d = {"case_number": "КИЛЛ-ЧЕРН", "received_date": "2026-11-02", "source": "teacher",
         "situation_kind": "conflict", "conflict_type": "student_student", "status": "received",
         "parties": [{"role": "student", "full_name": "Пантелеймонова-Черновик Ия",
                      "phone": "+7 912 999-99-01"}],
         "summary": "Секретная суть черновика"}
    for extra in (["--draft"], []):
        r = subprocess.run([TETRAD, "--db", db, "new", "mediation_case", "--json", "-"] + extra,
                           input=json.dumps(d, ensure_ascii=False).encode(), env=ENV,
                           capture_output=True, timeout=60)
        must(r, "new " + " ".join(extra))
        last = r.stdout.decode().strip().splitlines()[-1]
        d["case_number"] = "КИЛЛ-УДАЛ"
    must(tetrad(db, "delete", last), "delete")
    return db


def records(db, passfile=None):
    """(exit code, {id: (status, data)}) from `list --json`, or (rc, None)."""
    r = tetrad(db, "list", "--json", passfile=passfile)
    if r.returncode != 0:
        return r.returncode, r.stderr.decode()[-400:]
    try:
        v = json.loads(r.stdout)
    except ValueError as e:
        return 99, "list --json unreadable: %s" % e
    return 0, {x["id"]: (x["status"], x["data"]) for x in v}


def strip_local(v):
    if isinstance(v, dict):
        return {k: strip_local(x) for k, x in v.items() if k not in LOCAL}
    if isinstance(v, list):
        return [strip_local(x) for x in v]
    return v


def has_hidden(v):
    if isinstance(v, dict):
        return any(has_hidden(x) for x in v.values())
    if isinstance(v, list):
        return any(has_hidden(x) for x in v)
    return v == HIDDEN


def diff(got, want):
    """'' when equal, else a short description."""
    if not isinstance(got, dict):
        return str(got)[:300]
    if set(got) != set(want):
        return "records differ: %d vs %d" % (len(got), len(want))
    for k in want:
        if got[k] != want[k]:
            return "record %s: got %s want %s" % (k, json.dumps(got[k], ensure_ascii=False)[:250],
                                                 json.dumps(want[k], ensure_ascii=False)[:250])
    return ""


def sql(db, q):
    c = sqlite3.connect(db, timeout=30)
    try:
        return c.execute(q).fetchall()
    finally:
        c.close()


def vault_set(db):
    r = sql(db, "SELECT value FROM meta WHERE key='vault'")
    return bool(r and r[0][0])


PIECES = ["Пантелеймонова", "Трифонов-Бельский", "Секретная суть", "+7 912 0"]


def scan_pieces(folder):
    pats = []
    for p in PIECES:
        pats += [p.encode(), p.encode("utf-16-le"), p.encode("utf-16-be"),
                 json.dumps(p)[1:-1].encode()]
    hits = []
    for root, _, names in os.walk(folder):
        for n in names:
            data = open(os.path.join(root, n), "rb").read()
            hits += ["%s@%d" % (n, data.find(b)) for b in pats if b in data]
    return hits


def fresh(base, name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(base, d)
    return os.path.join(d, "school.db")


def killed_run(db, args, dur, passfile=None, newpass=None):
    """Runs a passphrase command, kills it -9 at a random moment; returns
    (delay, killed?)."""
    cmd = [TETRAD, "--db", db]
    if passfile:
        cmd += ["--passphrase-file", passfile]
    if newpass:
        cmd += ["--new-passphrase-file", newpass]
    # half over the whole run, half near its end (the commit, the scrub)
    delay = rng.uniform(0, dur) if rng.random() < 0.5 else rng.uniform(0.6 * dur, 1.1 * dur)
    p = subprocess.Popen(cmd + args, env=ENV, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
    return delay, p.returncode == -signal.SIGKILL


def measure(base, args, passfile=None, newpass=None, name="measure"):
    """The fastest of three uncut runs (the kill window: shorter runs would
    finish before most kills); the database of the last one."""
    best = None
    for _ in range(3):
        db = fresh(base, name)
        cmd = [TETRAD, "--db", db]
        if passfile:
            cmd += ["--passphrase-file", passfile]
        if newpass:
            cmd += ["--new-passphrase-file", newpass]
        s = time.time()
        r = subprocess.run(cmd + args, env=ENV, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=300)
        dur = time.time() - s
        must(r, " ".join(args))
        best = dur if best is None else min(best, dur)
    return db, best


def integrity(db):
    r = sql(db, "PRAGMA integrity_check")
    return r[0][0] if r else "?"


# --- the checks after a kill -------------------------------------------------------
def after_set(db, want, tag, dur=0.0):
    pend = sql(db, "SELECT value FROM meta WHERE key='vault_scrub'")
    pend = " (killed with the scrub pending)" if pend and pend[0][0] == "1" else ""
    if pend and dur:
        # the next open retries the scrub: kill that too, at a random moment
        delay, killed = killed_run(db, ["status"], dur / 2)
        pend += ", then `status` killed at %.3fs%s" % (delay, "" if killed else " (had finished)")
        ic = integrity(db)
        if ic != "ok":
            return fail("%s%s: integrity_check: %s" % (tag, pend, ic))
    rc, plain = records(db)
    if rc != 0:
        return fail("%s: opening with no passphrase fails: exit %s %s" % (tag, rc, plain))
    if not vault_set(db):
        d = diff(plain, want)
        if d:
            return fail("%s: no passphrase set, but the values are not all plain: %s" % (tag, d))
        if sql(db, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")[0][0]:
            return fail("%s: no passphrase set, yet sealed values" % tag)
        return "none"
    rc, got = records(db, OLD)
    d = diff(got, want) if rc == 0 else "exit %s %s" % (rc, got)
    if d:
        return fail("%s: passphrase set, not every value exact with it: %s" % (tag, d))
    if not any(has_hidden(v[1]) for v in plain.values()):
        return fail("%s: passphrase set, yet no value hidden without it" % tag)
    n = sql(db, "SELECT COUNT(*) FROM records WHERE data LIKE '%full_name%' OR data LIKE '%\"phone\"%'"
               " OR json_extract(data, '$.summary') IS NOT NULL")[0][0]
    if n:
        return fail("%s: passphrase set, %d records still hold a local value in data" % (tag, n))
    hits = scan_pieces(os.path.dirname(db))
    if hits:
        return fail("%s: passphrase set and the store opened twice since, plain values in the "
                    "folder: %s (scrub=%s)" % (tag, hits[:6],
                                               sql(db, "SELECT value FROM meta WHERE key='vault_scrub'")))
    return "set" + pend


def works(db, passfile, want):
    """'ok', 'refused' (exit 6) or a failure description."""
    rc, got = records(db, passfile)
    if rc == 6:
        return "refused"
    if rc != 0:
        return "exit %s %s" % (rc, got)
    d = diff(got, want)
    if d and all(not has_hidden(v[1]) for v in got.values()):
        return "wrong values: " + d
    return "ok" if not d else "hidden"


def after_change(db, want, tag):
    o, n = works(db, OLD, want), works(db, NEW, want)
    if (o, n) in (("ok", "refused"), ("refused", "ok")):
        return "old" if o == "ok" else "new"
    return fail("%s: old passphrase → %s, new → %s (want exactly one ok, the other exit 6)" % (tag, o, n))


def after_remove(db, want, tag):
    if vault_set(db):
        o = works(db, OLD, want)
        return "set" if o == "ok" else fail("%s: still set, old passphrase → %s" % (tag, o))
    rc, plain = records(db)
    d = diff(plain, want) if rc == 0 else "exit %s %s" % (rc, plain)
    if d:
        return fail("%s: removed, values not plain and exact: %s" % (tag, d))
    if sql(db, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL")[0][0]:
        return fail("%s: removed, yet sealed values left" % tag)
    return "removed"


def opens(db, passfile):
    """Exit code of `new` of a case with a local value: it must unlock."""
    d = {"case_number": "КИЛЛ-ПРОБА", "received_date": "2026-11-03", "source": "teacher",
         "situation_kind": "conflict", "conflict_type": "student_student", "status": "received",
         "parties": [{"role": "student", "full_name": "Проба"}], "summary": "проба"}
    r = subprocess.run([TETRAD, "--db", db, "--passphrase-file", passfile, "new", "mediation_case",
                        "--json", "-"], input=json.dumps(d, ensure_ascii=False).encode(), env=ENV,
                       capture_output=True, timeout=60)
    return r.returncode


def after_reset(db, want, want_reset, tag):
    o = works(db, OLD, want)
    if o == "ok":
        n = works(db, NEW, want)
        return "old" if n == "refused" else fail("%s: old works, new → %s" % (tag, n))
    # reset: nothing hidden any more, so a listing never asks; the vault is
    # the new passphrase's (a record with a local value needs it)
    rc, got = records(db, NEW)
    d = diff(got, want_reset) if rc == 0 else "exit %s %s" % (rc, got)
    if d:
        return fail("%s: old → %s; with the new one the hub fields are not exact: %s" % (tag, o, d))
    ro, rn = opens(db, OLD), opens(db, NEW)
    if (ro, rn) != (6, 0):
        return fail("%s: reset, yet a new record with the old passphrase → exit %d, new → exit %d "
                    "(want 6 and 0)" % (tag, ro, rn))
    return "reset"


def rounds(kind, base, args, dur, n, check, passfile=None, newpass=None):
    """Runs until n runs were really killed (at most 3n runs)."""
    seen = {}
    kills = i = 0
    while kills < n and i < 3 * n:
        i += 1
        db = fresh(base, "round")
        delay, killed = killed_run(db, args, dur, passfile, newpass)
        kills += killed
        tag = "%s #%d (kill at %.3fs%s)" % (kind, i, delay, "" if killed else ", had finished")
        ic = integrity(db)
        if ic != "ok":
            fail("%s: integrity_check: %s" % (tag, ic))
            continue
        st = check(db, tag)
        if st:
            key = st.split(",")[0]
            seen[key] = seen.get(key, 0) + 1
            print("ok - %s: %s" % (tag, st), flush=True)
    log("%s: %d runs, %d killed, outcomes %s" % (kind, i, kills, seen))
    return kills


def main():
    if not os.access(TETRAD, os.X_OK):
        print("SKIP: no %s" % TETRAD)
        return 77
    os.makedirs(WORK, exist_ok=True)
    for path, text in ((OLD, "старый-пароль-Ёж 1\n"), (NEW, "новый пароль: Жук 2\n")):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                  encoding="utf-8") as f:
            f.write(text)
    print("# seed %d (TETRAD_TEST_SEED=%d repeats it); %d records, %d kills of set and change, "
          "%d of remove and reset" % (SEED, SEED, RECORDS, KILLS, SMALL), flush=True)
    base = build_base(os.path.join(WORK, "base"))
    rc, want = records(base)
    if rc != 0 or len(want) < RECORDS:
        print("FATAL: list of the base: %s" % (want if rc else len(want)))
        return 1
    want_reset = {k: (s, strip_local(d)) for k, (s, d) in want.items()}
    log("base: %d records (%d bytes)" % (len(want), os.path.getsize(base)))

    setdb, tset = measure(os.path.dirname(base), ["passphrase", "set", "--no-recovery"], newpass=OLD)
    if after_set(setdb, want, "uncut set") != "set":
        return 1
    log("uncut set: %.3f s" % tset)
    base_set = os.path.dirname(setdb)
    shutil.copytree(base_set, os.path.join(WORK, "base_set"))
    base_set = os.path.join(WORK, "base_set")
    wrap_before = sql(os.path.join(base_set, "school.db"), "SELECT value FROM meta WHERE key='vault'")[0][0]
    chdb, tch = measure(base_set, ["passphrase", "change"], passfile=OLD, newpass=NEW)
    if after_change(chdb, want, "uncut change") != "new":
        return 1
    log("uncut change: %.3f s" % tch)
    try:
        old_wrap = json.loads(wrap_before)["wrap"].encode()
        left = [n for n in os.listdir(os.path.dirname(chdb))
                if old_wrap in open(os.path.join(os.path.dirname(chdb), n), "rb").read()]
        log("after an uncut change the old passphrase's wrap is %s" %
            ("still in " + ", ".join(left) if left else "gone from the folder"))
    except (ValueError, KeyError):
        pass
    _, trm = measure(base_set, ["passphrase", "remove", "--yes"], passfile=OLD)
    log("uncut remove: %.3f s" % trm)
    rsdb, trs = measure(base_set, ["passphrase", "reset", "--yes", "--no-recovery"], newpass=NEW)
    if after_reset(rsdb, want, want_reset, "uncut reset") != "reset":
        return 1
    log("uncut reset: %.3f s" % trs)

    k = rounds("set", os.path.dirname(base), ["passphrase", "set", "--no-recovery"], tset, KILLS,
               lambda db, tag: after_set(db, want, tag, tset), newpass=OLD)
    k2 = rounds("change", base_set, ["passphrase", "change"], tch, KILLS,
                lambda db, tag: after_change(db, want, tag), passfile=OLD, newpass=NEW)
    rounds("remove", base_set, ["passphrase", "remove", "--yes"], trm, SMALL,
           lambda db, tag: after_remove(db, want, tag), passfile=OLD)
    rounds("reset", base_set, ["passphrase", "reset", "--yes", "--no-recovery"], trs, SMALL,
           lambda db, tag: after_reset(db, want, want_reset, tag), newpass=NEW)
    if k < KILLS or k2 < KILLS:
        fail("too few runs were really killed (set %d, change %d of %d): the timing is off" % (k, k2, KILLS))
    log("done: %d failures (seed %d)" % (len(failures), SEED))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
