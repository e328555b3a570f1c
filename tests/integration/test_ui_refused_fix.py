"""test_ui_refused_fix — «Исправить и отправить снова» for a record whose
own content the hub refused (its copy of the form is stricter):

- one sync sends three records in one set; the hub refuses the set whole,
  naming the student survey's change; /refused lists the three;
- the fix: the set's two other records are queued again, the refused
  survey's entry stays quarantined (not sent again ahead of its fix);
- the survey corrected in /fill and saved: its refused entry is superseded
  (gone from the outbox; the set keeps the hub's reason) and the whole
  corrected record is queued as a put, not an edit of what changed;
- the next sync ends with 0: the hub holds the three records, the survey
  once and corrected, every answer of it; /refused is empty; a later
  `tetrad retry --all` has nothing to send.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hub_store  # noqa: E402
from ui_client import UI  # noqa: E402

TETRAD, WORK, DB, HUBDB, DATA = sys.argv[1:6]
fails = 0
n = 0


def ok(cond, what):
    global fails, n
    n += 1
    if cond:
        print("ok %d - %s" % (n, what))
    else:
        fails += 1
        print("not ok %d - %s" % (n, what))
    return cond


def q(path, sql, *args):
    c = sqlite3.connect(path)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def hq(sql, *args):
    """The hub's store, on either engine (hub_store.py)."""
    return hub_store.open_hub(os.path.dirname(HUBDB)).execute(sql, args).fetchall()


def csrf(ui):
    p = ui.get("/")
    for f in p.forms:
        v = f.value("_csrf")
        if v:
            return v
    raise RuntimeError("no CSRF token on the start page")


def wait_child(ui, limit=60):
    st = None
    for _ in range(limit * 5):
        p = ui.get("/sync/status")
        st = json.loads(p.body)
        if not st["running"]:
            return st
        time.sleep(0.2)
    raise RuntimeError("the child did not end: %r" % st)


def new_record(form, path=None, sets=()):
    args = [TETRAD, "--db", DB, "new", form]
    if path:
        args += ["--json", path]
    for s in sets:
        args += ["--set", s]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tetrad new %s: %s" % (form, r.stderr))
    m = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", r.stdout)
    return m.group(0) if m else None


def hexid(rid):
    return rid.replace("-", "").lower()


ui = UI(TETRAD, DB, WORK)
try:
    token = csrf(ui)
    new_record("survey_parent", os.path.join(DATA, "survey_parent.good.json"))
    sid = new_record("survey_student", sets=["grade=10", "enough_equipment=4", "feel_safe=5",
                                             "like_learning=3", "teacher_helps=4",
                                             "tasks_fit_level=4", "response_date=10.02.2026",
                                             "wish=Больше кружков"])
    new_record("survey_director", os.path.join(DATA, "survey_director.good.json"))
    ok(sid is not None, "the student survey's id: %s" % sid)
    ui.post("/sync", [("_csrf", token)])
    st = wait_child(ui)
    ok(st["code"] == 11, "the sync ends with 11 (refused): %r" % st.get("code"))
    ok(hq("SELECT COUNT(*) AS n FROM hub_records")[0][0] == 0, "the hub took none of the set")
    p = ui.get("/refused")
    ok(p.body.count('name="act" value="fix"') == 3, "/refused lists the three records")
    ok("другой записи" in p.text, "the others say another record was at fault")
    fix = [fm for fm in p.forms if fm.value("act") == "fix" and fm.value("id") == sid]
    ok(len(fix) == 1, "the survey's own fix button")
    r = ui.submit(fix[0])
    ok(r.status == 303 and r.location == "/fill?id=" + sid, "the fix opens /fill: %s" % r.location)
    rows = q(DB, "SELECT lower(hex(record_id)), state FROM outbox_queue WHERE state IN "
             "('pending', 'quarantined') ORDER BY seq")
    ok(sorted(s for _, s in rows) == ["pending", "pending", "quarantined"] and
       [x for x in rows if x[1] == "quarantined"][0][0] == hexid(sid),
       "the two others queued again, the survey's entry stays quarantined: %r" % rows)

    # the correction: grade 10 -> 9, saved from /fill
    p = ui.get("/fill?id=" + sid)
    f = p.form("/fill?id=")
    f.set("grade", "9")
    p = ui.submit(f, ("_do", "save"))
    ok(p.status == 303 and p.location.startswith("/record"), "the correction saved: %s" % p.status)
    ok(q(DB, "SELECT COUNT(*) FROM outbox_queue WHERE state = 'quarantined'")[0][0] == 0,
       "the refused entry superseded: no longer quarantined in the outbox")
    ok(q(DB, "SELECT COUNT(*) FROM batches WHERE state = 'quarantined' AND reason LIKE "
         "'%изменение%'")[0][0] == 1, "the set keeps the hub's reason")
    rows = q(DB, "SELECT op, fields FROM outbox WHERE lower(hex(record_id)) = ? AND "
             "state = 'pending'", hexid(sid))
    ok(len(rows) == 1 and rows[0][0] == "put", "the correction queued as one put: %r" %
       [r0[0] for r0 in rows])
    if rows:
        fl = json.loads(rows[0][1])
        ok(fl.get("grade") == 9 and fl.get("wish") == "Больше кружков" and
           fl.get("feel_safe") == 5, "the put carries the whole corrected record: %r" % fl)
    p = ui.get("/refused")
    ok("исправлять нечего" in p.text, "/refused is empty")

    ui.post("/sync", [("_csrf", token)])
    st = wait_child(ui)
    ok(st["code"] == 0, "the next sync ends with 0: %r" % st.get("code"))
    hub = hq("SELECT form_id, data FROM hub_records ORDER BY form_id")
    ok(sorted(x[0] for x in hub) == ["survey_director", "survey_parent", "survey_student"],
       "the hub has the three records, each once: %r" % [x[0] for x in hub])
    got = hq("SELECT data FROM hub_records WHERE lower(%s) = ?" % hub_store.hex_sql("id"), hexid(sid))
    ok(len(got) == 1, "the survey on the hub once")
    if got:
        d = json.loads(got[0][0])
        ok(d.get("grade") == 9 and d.get("wish") == "Больше кружков" and
           d.get("teacher_helps") == 4, "the hub's survey is the corrected whole: %r" % d)
    r = subprocess.run([TETRAD, "--db", DB, "retry", "--all", "--json"], capture_output=True,
                       text=True)
    ok(r.returncode == 0 and json.loads(r.stdout)["requeued"] == 0,
       "tetrad retry --all has nothing to send: %s" % r.stdout.strip())
finally:
    rc = ui.stop()
ok(rc == 0, "tetrad ui stopped cleanly (%s)" % rc)
print("1..%d" % n)
sys.exit(1 if fails else 0)
