#!/usr/bin/env python3
"""converge.py — the driver of test_sync_converge.sh (issue 18, "Convergence").

Three devices of school 170103 and a real hub (started by the shell script):
two school PCs (A, B) and the curator's laptop (C). The driver makes OPS
random offline changes through the real `tetrad` CLI (new --json, edit --set,
delete) on shared records — social passports and visits on all three,
mediation cases on the school PCs, a few questionnaires on A (shared with
nobody) — and syncs the devices in a random order at random moments, killing
tetrad-syncd with SIGKILL at a random moment of about one run in three
(during pushes and during pulls). Then every device syncs until quiet, and:

  1. the hub holds, for every record, exactly the per-field join of every
     change the devices made (an independent model of the merge, computed
     here from the devices' outboxes: per field the later clock wins; a later
     put/edit brings a deleted record back);
  2. every device's view of every record it shares (fields that may leave the
     device; deleted or not; the clock document) equals the hub's, and it
     holds exactly the records of its scope (mediation never on the curator's
     laptop, questionnaires on no other device);
  3. nothing was applied twice: no duplicate rows in the hub's conflict log
     or a device's conflicts, no pulled record in any outbox, every device's
     pull cursor at or past the hub's newest position of its scope (and equal
     to the cursor the hub keeps for it, when the hub keeps one);
  4. local fields never travelled and were never touched by a pull: the
     mediation case's «summary» and the parties' names/phones are, on every
     device, exactly what that device itself typed (absent elsewhere).

Seeded: TETRAD_SEED (printed). Prints "ok: ..." lines and exits 1 on the
first failed check (after listing the differences), 0 when all hold.
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

SCHOOL = "170103"
SHARED_SCHOOL = ("social_passport", "risk_visit", "mediation_case")
SHARED_CURATOR = ("social_passport", "risk_visit")


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def q(path, sql, args=()):
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def has_table(path, name):
    return bool(q(path, "SELECT 1 FROM sqlite_master WHERE name=?", (name,)))


def has_column(path, table, col):
    return any(r[1] == col for r in q(path, "PRAGMA table_info(%s)" % table))


def rid_text(b):
    return str(uuid.UUID(bytes=bytes(b)))


class Forms:
    """Local members of the built-in forms (every version): what never leaves."""

    def __init__(self, forms_dir):
        self.local = {}      # form -> set of top-level local field ids
        self.local_in = {}   # form -> {group id: set of local member ids}
        for name in os.listdir(forms_dir):
            if not name.endswith(".json"):
                continue
            d = json.load(open(os.path.join(forms_dir, name), encoding="utf-8"))
            if "fields" not in d:
                continue
            top = self.local.setdefault(d["id"], set())
            inner = self.local_in.setdefault(d["id"], {})
            for f in d["fields"]:
                if f.get("sync") == "local":
                    top.add(f["id"])
                for m in f.get("fields", []) or []:
                    if m.get("sync") == "local":
                        inner.setdefault(f["id"], set()).add(m["id"])

    def strip(self, form, data):
        """data without local fields and without null answers (no answer)."""
        out = {}
        for k, v in data.items():
            if v is None or k in self.local.get(form, ()):
                continue
            lm = self.local_in.get(form, {}).get(k)
            if lm and isinstance(v, list):
                v = [{a: b for a, b in it.items() if a not in lm and b is not None}
                     if isinstance(it, dict) else it for it in v]
            out[k] = v
        return out


class Device:
    def __init__(self, name, db, kind, school=SCHOOL):
        self.name, self.db, self.kind, self.school = name, db, kind, school
        self.id = q(db, "SELECT value FROM meta WHERE key='device_id'")[0][0]
        self.forms = SHARED_SCHOOL if kind == "school" else SHARED_CURATOR
        self.serial = 0


class Driver:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.tetrad = os.path.join(a.bin, "tetrad")
        self.syncd = os.path.join(a.bin, "tetrad-syncd")
        self.forms = Forms(a.forms)
        self.devs = [Device("A", a.db_a, "school"), Device("B", a.db_b, "school"),
                     Device("C", a.db_c, "curator")]
        if a.db_d:
            # Another school's PC: nothing of 170103 may reach it, nothing of its own may leave it
            self.devs.append(Device("D", a.db_d, "school", a.school_d))
        self.good = {f: json.load(open(os.path.join(a.src, "tests/data/forms/%s.good.json" % f),
                                       encoding="utf-8"))
                     for f in ("social_passport", "risk_visit", "mediation_case", "survey_student")}
        # what each device typed into local fields: (dev, rid) -> {"summary": v, "names": [...]}
        self.local_typed = {}
        self.recent = []            # ids of records made lately (hot: same-field conflicts)
        self.stats = {"new": 0, "edit": 0, "delete": 0, "survey": 0, "cli_refused": 0,
                      "syncs": 0, "pulls": 0, "usb_rounds": 0, "usb_changes": 0, "usb_stale": 0, "bg_syncs": 0, "bg_killed": 0, "profiles": 0, "kill_tried": 0, "killed": 0, "killed_push": 0,
                      "killed_pull_before_apply": 0, "killed_pull_after_apply_before_ack": 0,
                      "killed_pull_after_ack": 0, "sync_exit_nonzero": 0}
        self.refusals = []
        self.durations = {"once": [], "pull": []}
        self.pull_cmd = a.pull_cmd

    # ---- the CLI -------------------------------------------------------
    def cli(self, dev, *args, stdin=None):
        p = subprocess.run([self.tetrad, "--db", dev.db] + list(args), input=stdin,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def live_records(self, dev, forms):
        rows = q(dev.db, "SELECT id, form_id FROM records WHERE status='final' AND form_id IN (%s)"
                 % ",".join("?" * len(forms)), tuple(forms))
        return [(rid_text(r[0]), r[1]) for r in rows]

    def value(self, dev, what):
        dev.serial += 1
        return "%s%d-%s" % (dev.name, dev.serial, what)

    def op_new(self, dev):
        form = self.rng.choice(dev.forms)
        d = json.loads(json.dumps(self.good[form]))
        args = ["new", form, "--json", "-"]
        if form == "social_passport":
            d["academic_year"] = self.rng.choice(["2025/2026", "2026/2027"])
            for k in ("large_families", "low_income_families", "single_parent_families"):
                d[k] = self.rng.randint(0, 60)
            if dev.kind == "curator":
                args += ["--school", dev.school]
        elif form == "risk_visit":
            d["school_code"] = dev.school
            d["curator"] = self.value(dev, "куратор")
            d["conclusions"] = self.value(dev, "выводы")
            for f in d["factors"]:
                f.pop("profile_level", None)
        else:
            dev.serial += 1
            d["case_number"] = "%s-%d" % (dev.name, dev.serial)
            d["summary"] = self.value(dev, "суть")
            names = []
            for i, p in enumerate(d["parties"]):
                p["full_name"] = self.value(dev, "фио%d" % i)
                names.append(p["full_name"])
        rc, out, err = self.cli(dev, *args, stdin=json.dumps(d, ensure_ascii=False))
        if rc != 0:
            self.refused(dev, "new " + form, rc, err)
            return
        rid = out.strip().splitlines()[-1]
        if form == "mediation_case":
            self.local_typed[(dev.name, rid)] = {"summary": d["summary"], "names": names}
        self.recent.append(rid)
        self.recent = self.recent[-6:]
        self.stats["new"] += 1

    def op_survey(self, dev):
        rc, out, err = self.cli(dev, "new", "survey_student", "--json", "-",
                                stdin=json.dumps(self.good["survey_student"], ensure_ascii=False))
        if rc != 0:
            self.refused(dev, "new survey_student", rc, err)
            return
        self.stats["survey"] += 1

    def pick(self, dev):
        live = self.live_records(dev, dev.forms)
        if not live:
            return None
        hot = [r for r in live if r[0] in self.recent]
        if hot and self.rng.random() < 0.5:
            return self.rng.choice(hot)
        return self.rng.choice(live)

    def op_edit(self, dev):
        r = self.pick(dev)
        if r is None:
            return self.op_new(dev)
        rid, form = r
        sets = []
        if form == "social_passport":
            pool = ["large_families", "low_income_families", "single_parent_families",
                    "orphans", "foster_children", "academic_year"]
            for k in self.rng.sample(pool, self.rng.randint(1, 3)):
                if k == "academic_year":
                    sets.append("%s=%s" % (k, self.rng.choice(["2025/2026", "2026/2027", "2027/2028"])))
                else:
                    sets.append("%s=%d" % (k, self.rng.randint(0, 6) if k in ("orphans", "foster_children")
                                           else self.rng.randint(0, 60)))
        elif form == "risk_visit":
            pool = ["conclusions", "next_steps", "curator", "visit_format"]
            for k in self.rng.sample(pool, self.rng.randint(1, 2)):
                if k == "visit_format":
                    sets.append("visit_format=" + self.rng.choice(["onsite", "online"]))
                elif k == "next_steps" and self.rng.random() < 0.2:
                    sets.append("next_steps=")          # the answer removed
                else:
                    sets.append("%s=%s" % (k, self.value(dev, k)))
        else:
            pool = ["difficulties", "school_reaction", "summary", "parties[0].age"]
            for k in self.rng.sample(pool, self.rng.randint(1, 2)):
                if k == "parties[0].age":
                    sets.append("parties[0].age=%d" % self.rng.randint(10, 17))
                elif k == "summary":
                    v = self.value(dev, "суть")
                    sets.append("summary=" + v)
                else:
                    sets.append("%s=%s" % (k, self.value(dev, k)))
        args = ["edit", rid]
        for s in sets:
            args += ["--set", s]
        rc, out, err = self.cli(dev, *args)
        if rc != 0:
            self.refused(dev, "edit %s %s" % (form, " ".join(sets)), rc, err)
            return
        for s in sets:
            if s.startswith("summary="):
                self.local_typed.setdefault((dev.name, rid), {"summary": None, "names": None})
                self.local_typed[(dev.name, rid)]["summary"] = s[len("summary="):]
        self.stats["edit"] += 1

    def op_delete(self, dev):
        r = self.pick(dev)
        if r is None:
            return
        rc, out, err = self.cli(dev, "delete", r[0])
        if rc != 0:
            self.refused(dev, "delete " + r[1], rc, err)
            return
        self.stats["delete"] += 1

    def refused(self, dev, what, rc, err):
        self.stats["cli_refused"] += 1
        self.refusals.append("%s: %s: exit %d: %s" % (dev.name, what, rc, " ".join(err.split())[:300]))

    # ---- syncs and kills ---------------------------------------------------
    def unacked(self, dev):
        return q(dev.db, "SELECT COUNT(*) FROM outbox WHERE state IN ('pending','sent')")[0][0]

    def cursor(self, dev):
        r = q(dev.db, "SELECT value FROM meta WHERE key='pull_after'")
        return int(r[0][0]) if r else 0

    def run_syncd(self, dev, kind, kill):
        if kind == "pull":
            cmd = [self.syncd, "--db", dev.db] + self.pull_cmd
        else:
            cmd = [self.syncd, "--once", "--quiet", "--db", dev.db] + self.a.sync_opt
        before_unacked, before_cur = self.unacked(dev), self.cursor(dev)
        log = open(os.path.join(self.a.work, "syncd.log"), "a")
        log.write("--- %s %s kill=%s\n" % (dev.name, kind, kill))
        log.flush()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        killed = False
        if kill == "after_apply":
            # The narrow window: the answer committed, the ack not yet sent.
            # Polled every 2 ms; the ack is a request of its own after it.
            self.stats["kill_tried"] += 1
            while p.poll() is None:
                if self.cursor(dev) != before_cur:
                    p.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.002)
        elif kill:
            self.stats["kill_tried"] += 1
            d = self.durations[kind]
            typical = sorted(d)[len(d) // 2] if d else 0.3
            try:
                p.wait(timeout=self.rng.uniform(0.0, typical * 1.2))
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                killed = True
        rc = p.wait(timeout=300)
        took = time.monotonic() - t0
        log.close()
        self.stats["pulls" if kind == "pull" else "syncs"] += 1
        if killed:
            self.stats["killed"] += 1
            cur, kept = self.cursor(dev), self.hub_cursor(dev)
            if self.unacked(dev) > 0 and before_unacked > 0 and kind == "once":
                self.stats["killed_push"] += 1
            elif cur == before_cur:
                self.stats["killed_pull_before_apply"] += 1
            elif kept is not None and kept != cur:
                self.stats["killed_pull_after_apply_before_ack"] += 1
            else:
                self.stats["killed_pull_after_ack"] += 1
        else:
            self.durations[kind].append(took)
            if rc != 0:
                self.stats["sync_exit_nonzero"] += 1
        return rc, killed

    def run_cmd(self, what, cmd, ok=(0,)):
        with open(os.path.join(self.a.work, "syncd.log"), "a") as log:
            log.write("--- %s: %s\n" % (what, " ".join(cmd)))
            log.flush()
            rc = subprocess.run(cmd, stdout=log, stderr=log, timeout=300).returncode
        if rc not in ok:
            die("%s: exit %d (see %s/syncd.log)" % (what, rc, self.a.work))
        return rc

    def usb_round(self, dev):
        """The stick both ways: the device's sets to the hub and their acks
        back; its pull ack to the hub; the hub's file of changes from the
        cursor it holds, imported on the device (docs/syncd.md, USB)."""
        self.usb_n = getattr(self, "usb_n", 0) + 1
        hub = [os.path.join(self.a.bin, "tetrad-hub"), "--data", os.path.dirname(self.a.hub_db)]
        base = os.path.join(self.a.work, "usb%d-%s" % (self.usb_n, dev.name))
        self.run_cmd("%s usb export" % dev.name, [self.syncd, "export", "--db", dev.db, "--out", base + ".ttex"])
        if os.path.exists(base + ".ttex"):
            self.run_cmd("hub import of %s" % dev.name, hub + ["import", base + ".ttex", "--acks", base + ".ttak"])
            self.run_cmd("%s import-acks" % dev.name, [self.syncd, "import-acks", "--db", dev.db, base + ".ttak"])
        if os.path.exists(base + ".ttex.ack"):
            self.run_cmd("hub import of %s's pull ack" % dev.name, hub + ["import", base + ".ttex.ack"])
        self.run_cmd("hub export-changes for %s" % dev.name,
                     hub + ["export-changes", "--device", dev.id, "--out", base + ".ttpf"])
        if os.path.exists(base + ".ttpf"):
            self.run_cmd("%s import-changes" % dev.name, [self.syncd, "import-changes", "--db", dev.db, base + ".ttpf"])
            self.stats["usb_changes"] += 1
            old = getattr(dev, "usb_files", [])
            if old and self.rng.random() < 0.5:
                # A stale stick imported again, after newer changes: skipped or
                # joined idempotently, never a step back.
                self.run_cmd("%s import-changes of an old file" % dev.name,
                             [self.syncd, "import-changes", "--db", dev.db, self.rng.choice(old)])
                self.stats["usb_stale"] += 1
            dev.usb_files = old + [base + ".ttpf"]
        self.stats["usb_rounds"] += 1

    def hub_profile(self):
        """The municipality issues (then re-issues) the school's risk profile
        on the hub mid-run: it reaches every device of the school the way
        records do (a later import of a year replaces the year)."""
        words = ["высокий", "средний", "низкий", "не выявлен"]
        path = os.path.join(self.a.work, "profile%d.csv" % self.stats["profiles"])
        with open(path, "w", encoding="utf-8") as f:
            f.write("Код ОО;Год;Фактор;Уровень\n")
            for school in sorted({d.school for d in self.devs}):
                for k in range(1, 6):
                    f.write("%s;2026;R%02d;%s\n" % (school, k, self.rng.choice(words)))
        self.run_cmd("hub profile import", [os.path.join(self.a.bin, "tetrad-hub"), "--data",
                                            os.path.dirname(self.a.hub_db), "profile", "import", path])
        self.stats["profiles"] += 1

    def check_profile_register(self):
        hub = self.a.hub_db
        want = {}
        for school, year, factor, level in q(hub, "SELECT school, year, factor, level FROM risk_profile"):
            want.setdefault(school, {}).setdefault(str(year), {})[factor] = level
        names = dict(q(hub, "SELECT code, name FROM schools"))
        for dev in self.devs:
            bad = []
            r = q(dev.db, "SELECT value FROM meta WHERE key='risk_profile'")
            got = json.loads(r[0][0]) if r else {}
            if got != {k: v for k, v in want.items() if k == dev.school}:
                bad.append("%s: risk profile %s, hub's of %s: %s" % (dev.name, json.dumps(got), dev.school,
                                                                     json.dumps(want.get(dev.school))))
            r = q(dev.db, "SELECT value FROM meta WHERE key='school_names'")
            reg = json.loads(r[0][0]) if r else {}
            if reg.get(dev.school) != names.get(dev.school) or set(reg) - {dev.school}:
                bad.append("%s: school register %s, hub's name of %s: %r" % (dev.name, json.dumps(reg, ensure_ascii=False),
                                                                           dev.school, names.get(dev.school)))
            report(bad, "%s: the issued risk profile and the school register as the hub has them" % dev.name)

    def bg_start(self):
        """syncd (push and pull) in the background while the person goes on
        typing on the same device: the next 1-6 changes are made on it during
        the run — the daemon's case. A pull applied under an edit must lose
        neither."""
        dev = self.rng.choice(self.devs)
        log = open(os.path.join(self.a.work, "syncd.log"), "a")
        log.write("--- %s once in the background\n" % dev.name)
        log.flush()
        p = subprocess.Popen([self.syncd, "--once", "--quiet", "--db", dev.db] + self.a.sync_opt,
                             stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        self.stats["bg_syncs"] += 1
        return [dev, p, self.rng.randint(1, 6)]

    def bg_end(self, bg):
        p = bg[1]
        if self.rng.random() < self.a.kill_rate and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            self.stats["bg_killed"] += 1
        p.wait(timeout=300)

    def random_sync(self):
        dev = self.rng.choice(self.devs)
        if self.a.usb and self.rng.random() < 0.1:
            return self.usb_round(dev)
        kind = "pull" if (self.pull_cmd and self.rng.random() < 0.4) else "once"
        kill = self.rng.random() < self.a.kill_rate
        if kill and self.rng.random() < 0.3:
            kill = "after_apply"
        self.run_syncd(dev, kind, kill)

    # ---- the run -----------------------------------------------------------
    def run(self):
        n = self.a.ops
        t0 = time.monotonic()
        bg = None                   # (device, process, ops left): a sync running meanwhile
        for i in range(n):
            dev = self.rng.choice(self.devs) if bg is None else bg[0]
            x = self.rng.random()
            if x < 0.16:
                self.op_new(dev)
            elif x < 0.22:
                self.op_delete(dev)
            elif x < 0.25 and dev.name == "A":
                self.op_survey(dev)
            else:
                self.op_edit(dev)
            if i in (n // 3, 2 * n // 3):
                self.hub_profile()
            if bg is not None:
                bg[2] -= 1
                if bg[2] <= 0:
                    self.bg_end(bg)
                    bg = None
            elif self.rng.random() < self.a.sync_rate:
                if self.rng.random() < self.a.bg_rate:
                    bg = self.bg_start()
                else:
                    self.random_sync()
            if (i + 1) % 200 == 0:
                print("... %d ops, %.0f s, %s" % (i + 1, time.monotonic() - t0, self.stats), flush=True)
        if bg is not None:
            self.bg_end(bg)
        print("ok: %d random changes made: %s" % (n, json.dumps(self.stats)))
        if self.refusals:
            print("CLI refusals (%d):" % len(self.refusals), file=sys.stderr)
            for r in self.refusals[:10]:
                print("  " + r, file=sys.stderr)
            if len(self.refusals) > n // 100:
                die("%d of %d changes refused by the client" % (len(self.refusals), n))
        # Quiet: every device syncs, unkilled, until nothing moves anywhere.
        for rnd in range(1, 6):
            order = self.devs[:]
            self.rng.shuffle(order)
            for dev in order:
                rc, _ = self.run_syncd(dev, "once", False)
                if rc != 0:
                    die("final sync of %s (round %d) exit %d; see %s/syncd.log" % (dev.name, rnd, rc, self.a.work))
            if rnd >= 2 and self.quiet():
                break
        print("ok: quiet after %d final rounds (%.0f s in all)" % (rnd, time.monotonic() - t0))
        self.check()

    def quiet(self):
        return all(self.unacked(d) == 0 for d in self.devs) and self.head_reached()

    def hub_head(self, dev):
        """The hub's newest feed position of the device's scope, or None."""
        hub = self.a.hub_db
        if not has_column(hub, "hub_records", "feed_pos"):
            return None
        forms = dev.forms
        r = q(hub, "SELECT MAX(feed_pos) FROM hub_records WHERE school=? AND form_id IN (%s)"
              % ",".join("?" * len(forms)), (dev.school,) + tuple(forms))
        return r[0][0] or 0

    def head_reached(self):
        for d in self.devs:
            h = self.hub_head(d)
            if h is not None and self.cursor(d) < h:
                return False
        return True

    # ---- the checks ----------------------------------------------------------
    def model(self):
        """Per-field join of every change of every device (their outboxes).

        Independent of the order the changes are read in: a field's value is
        the one of the latest change that speaks of it (a put speaks of every
        field: one it lacks is "no answer"; an edit of the fields it lists);
        the record is deleted when its latest change is a delete."""
        ops = {}
        for dev in self.devs:
            rows = q(dev.db, "SELECT record_id, op, form_id, school, hlc, fields, state FROM outbox")
            for rid, op, form, school, hlc, fields, state in rows:
                if state != "acked":
                    die("%s: outbox entry of %s is %s after the final syncs" % (dev.name, rid_text(rid), state))
                node = hlc.split("-", 2)[2]
                if node != dev.id:
                    die("%s: outbox entry %s stamped by %s, not by this device: a pulled "
                        "record entered the outbox" % (dev.name, hlc, node))
                if op not in ("put", "edit", "delete"):
                    die("unknown op %r in %s's outbox" % (op, dev.name))
                r = ops.setdefault(rid_text(rid), {"form": form, "school": school, "ops": []})
                r["ops"].append(((hlc, dev.id), op, json.loads(fields) if fields else {}))
        out = {}
        for rid, r in ops.items():
            names = set()
            for _, op, f in r["ops"]:
                names |= set(f)
            data = {}
            for k in names:
                best = max((o for o in r["ops"] if o[1] == "put" or (o[1] == "edit" and k in o[2])),
                           key=lambda o: o[0], default=None)
                if best is not None and best[2].get(k) is not None:
                    data[k] = best[2][k]
            last = max(r["ops"], key=lambda o: o[0])
            out[rid] = {"form": r["form"], "school": r["school"], "deleted": last[1] == "delete",
                        "data": self.forms.strip(r["form"], data)}
        return out

    def hub_view(self):
        out = {}
        for rid, form, school, deleted, data, clocks in q(
                self.a.hub_db, "SELECT id, form_id, school, deleted, data, clocks FROM hub_records"):
            out[rid_text(rid)] = {"form": form, "school": school, "deleted": bool(deleted),
                                  "data": self.forms.strip(form, json.loads(data)),
                                  "clocks": compact(json.loads(clocks))}
        return out

    def device_view(self, dev):
        cols = "id, form_id, school, status, data" + (", clocks" if has_column(dev.db, "records", "clocks") else "")
        out = {}
        for row in q(dev.db, "SELECT %s FROM records" % cols):
            rid, form, school, status, data = row[:5]
            if status == "draft":
                die("%s: a draft %s (the test makes none)" % (dev.name, rid_text(rid)))
            raw = json.loads(data)
            out[rid_text(rid)] = {"form": form, "school": school, "deleted": status == "deleted",
                                  "data": self.forms.strip(form, raw), "raw": raw,
                                  "clocks": compact(json.loads(row[5])) if len(row) > 5 and row[5] else None}
        return out

    def check(self):
        model, hub = self.model(), self.hub_view()
        bad = []
        for rid, m in model.items():
            h = hub.get(rid)
            if h is None:
                bad.append("%s (%s): made on a device, not on the hub" % (rid, m["form"]))
            elif (h["deleted"], h["data"]) != (m["deleted"], m["data"]):
                bad.append("%s (%s): hub deleted=%s data=%s\n    model deleted=%s data=%s" % (
                    rid, m["form"], h["deleted"], json.dumps(h["data"], ensure_ascii=False)[:400],
                    m["deleted"], json.dumps(m["data"], ensure_ascii=False)[:400]))
        for rid in set(hub) - set(model):
            bad.append("%s: on the hub, made by no device" % rid)
        report(bad, "the hub holds the per-field join of every change (%d records, %d deleted)"
               % (len(model), sum(m["deleted"] for m in model.values())))

        for dev in self.devs:
            view = self.device_view(dev)
            bad = []
            scope = {rid for rid, h in hub.items() if h["school"] == dev.school and h["form"] in dev.forms}
            for rid in scope:
                v = view.get(rid)
                h = hub[rid]
                if v is None:
                    bad.append("%s (%s, deleted=%s): on the hub, not on %s" % (rid, h["form"], h["deleted"], dev.name))
                    continue
                if (v["deleted"], v["data"]) != (h["deleted"], h["data"]):
                    bad.append("%s (%s): %s deleted=%s data=%s\n    hub deleted=%s data=%s" % (
                        rid, h["form"], dev.name, v["deleted"], json.dumps(v["data"], ensure_ascii=False)[:400],
                        h["deleted"], json.dumps(h["data"], ensure_ascii=False)[:400]))
                elif v["clocks"] is not None and v["clocks"] != h["clocks"]:
                    bad.append("%s (%s): clock documents differ: %s %s, hub %s" % (
                        rid, h["form"], dev.name, json.dumps(v["clocks"]), json.dumps(h["clocks"])))
            for rid in set(view) - scope:
                f = view[rid]["form"]
                own = any(x["record_id"] == rid for x in self.outbox_ids(dev))
                if not own:
                    bad.append("%s (%s): on %s, outside its scope" % (rid, f, dev.name))
                elif f in dev.forms:
                    bad.append("%s (%s): made on %s, not on the hub" % (rid, f, dev.name))
            report(bad, "%s (%s) holds exactly its scope, each record as the hub has it (%d records)"
                   % (dev.name, dev.kind, len(scope)))
            if dev.kind == "curator":
                n = sum(1 for v in view.values() if v["form"] == "mediation_case")
                report(["%d mediation cases on the curator's laptop" % n] if n else [],
                       "no mediation case on the curator's laptop")
            self.check_local(dev, view)
            self.check_once(dev)
        self.check_hub_once()

    def outbox_ids(self, dev):
        if not hasattr(dev, "_ob"):
            dev._ob = [{"record_id": rid_text(r[0])} for r in q(dev.db, "SELECT DISTINCT record_id FROM outbox")]
        return dev._ob

    def check_local(self, dev, view):
        bad = []
        for rid, v in view.items():
            if v["form"] != "mediation_case":
                continue
            typed = self.local_typed.get((dev.name, rid), {"summary": None, "names": None})
            got = v["raw"].get("summary")
            if got != typed["summary"]:
                bad.append("%s: «summary» on %s is %r, this device typed %r" % (rid, dev.name, got, typed["summary"]))
            parties = v["raw"].get("parties") or []
            names = [p.get("full_name") for p in parties if isinstance(p, dict)]
            want = typed["names"] or [None] * len(names)
            if names != want:
                bad.append("%s: parties' names on %s are %r, this device typed %r" % (rid, dev.name, names, want))
        report(bad, "%s: local fields are what this device typed, untouched by pulls" % dev.name)

    def check_once(self, dev):
        bad = []
        if has_table(dev.db, "conflicts"):
            dups = q(dev.db, "SELECT record_id, field, mine_hlc, theirs_hlc, theirs_device, COUNT(*) FROM conflicts "
                             "GROUP BY 1,2,3,4,5 HAVING COUNT(*) > 1")
            bad += ["%s: conflict %s/%s logged %d times" % (dev.name, rid_text(r[0]), r[1], r[5]) for r in dups]
            for rid, field, mine_hlc, theirs_dev in q(dev.db, "SELECT record_id, field, mine_hlc, theirs_device FROM conflicts"):
                if mine_hlc and mine_hlc.split("-", 2)[-1] != dev.id:
                    bad.append("%s: conflict %s/%s: «my» value stamped %s" % (dev.name, rid_text(rid), field, mine_hlc))
                if theirs_dev == dev.id:
                    bad.append("%s: conflict %s/%s: lost to itself" % (dev.name, rid_text(rid), field))
            self.stats["conflicts_" + dev.name] = q(dev.db, "SELECT COUNT(*) FROM conflicts")[0][0]
        else:
            bad.append("%s: no conflicts table (schema 7 not there)" % dev.name)
        h = self.hub_head(dev)
        cur = self.cursor(dev)
        if h is None:
            bad.append("the hub has no feed positions (hub_records.feed_pos)")
        elif cur < h:
            bad.append("%s: pull cursor %d behind the hub's newest position of its scope %d" % (dev.name, cur, h))
        kept = self.hub_cursor(dev)
        if kept is not None and kept != cur:
            bad.append("%s: the hub keeps cursor %s, the device has %d" % (dev.name, kept, cur))
        report(bad, "%s: nothing applied twice; cursor %d (hub head of its scope %s, hub's cursor %s)"
               % (dev.name, cur, h, kept))

    def hub_cursor(self, dev):
        hub = self.a.hub_db
        for table, col in (("devices", "pull_acked"), ("devices", "pull_after"), ("devices", "pull_cursor"), ("devices", "cursor"),
                           ("device_pull", "after"), ("device_pull", "cursor"), ("pull_cursors", "after")):
            if has_table(hub, table) and has_column(hub, table, col):
                key = "id" if has_column(hub, table, "id") else "device_id"
                r = q(hub, "SELECT %s FROM %s WHERE %s=?" % (col, table, key), (dev.id,))
                return r[0][0] if r else None
        return None

    def check_hub_log(self):
        """The hub's log of pull answers: per device, the `after` of its
        requests never goes back (a batch it applied is never asked for
        again, even when syncd was killed between the commit and the ack)."""
        path = os.path.join(os.path.dirname(self.a.hub_db), "serve.log")
        if not os.path.exists(path):
            return
        last, bad, n = {}, [], 0
        for line in open(path, encoding="utf-8", errors="replace"):
            parts = line.split()
            if len(parts) < 6 or parts[1] != "pull" or " 200 " not in line:
                continue
            kv = dict(x.split("=", 1) for x in parts[2:] if "=" in x)
            if "after" not in kv or "device" not in kv:
                continue
            n += 1
            dev, after = kv["device"], int(kv["after"])
            if after < last.get(dev, 0):
                bad.append("%s asked for after=%d having asked for after=%d before" % (dev, after, last[dev]))
            last[dev] = max(after, last.get(dev, 0))
        report(bad, "no device asked the hub again for what it had applied (%d pull answers in the hub's log)" % n)

    def check_hub_once(self):
        self.check_hub_log()
        self.check_profile_register()
        dups = q(self.a.hub_db, "SELECT record_id, field, loser_hlc, loser_device, winner_hlc, winner_device, COUNT(*) "
                                "FROM conflicts GROUP BY 1,2,3,4,5,6 HAVING COUNT(*) > 1")
        n = q(self.a.hub_db, "SELECT COUNT(*) FROM conflicts")[0][0]
        report(["hub conflict %s/%s logged %d times" % (rid_text(r[0]), r[1], r[6]) for r in dups],
               "hub conflict log has no duplicate entry (%d entries)" % n)
        self.stats["hub_conflicts"] = n
        print("stats: " + json.dumps(self.stats))


def compact(c):
    """A clock document with "f" entries equal to "p" dropped (recmerge_compact)."""
    if not isinstance(c, dict):
        return c
    c = dict(c)
    f = {k: v for k, v in (c.get("f") or {}).items() if v != c.get("p")}
    if f:
        c["f"] = f
    else:
        c.pop("f", None)
    return c


def report(bad, what):
    if bad:
        print("FAIL: " + what, file=sys.stderr)
        for b in bad[:15]:
            print("  " + b, file=sys.stderr)
        if len(bad) > 15:
            print("  ... and %d more" % (len(bad) - 15), file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--forms", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--hub-db", required=True)
    ap.add_argument("--db-a", required=True)
    ap.add_argument("--db-b", required=True)
    ap.add_argument("--db-c", required=True)
    ap.add_argument("--db-d", default="", help="a PC of another school (optional)")
    ap.add_argument("--school-d", default="170104")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--sync-rate", type=float, default=0.12)
    ap.add_argument("--kill-rate", type=float, default=0.35)
    ap.add_argument("--pull-cmd", default="pull", help="syncd arguments of a pull alone ('' = none)")
    ap.add_argument("--bg-rate", type=float, default=0.25, help="share of syncs run while changes are made")
    ap.add_argument("--usb", type=int, default=1, help="1: a tenth of the syncs go by USB files")
    ap.add_argument("--sync-opt", default="", help="extra arguments of every --once run")
    a = ap.parse_args()
    a.pull_cmd = a.pull_cmd.split()
    a.sync_opt = a.sync_opt.split()
    Driver(a).run()


if __name__ == "__main__":
    main()
