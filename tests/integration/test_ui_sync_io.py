"""test_ui_sync_io — the pages of ui_sync.c, ui_refused.c, ui_enroll.c and
ui_io.c against a real `tetrad ui` and a real hub (test_ui_sync_io.sh):

- /sync before enrollment says so and links /enroll; /enroll refuses a
  file that is not an enrollment file (nothing enrolled), then enrolls with
  the hub's file (the child's progress, then «Готово»), leaving no copy of
  the file beside the database;
- «Синхронизировать» (POST /sync) runs tetrad-syncd as a child: /sync and
  /sync/status show it running, then the result in words; the hub has the
  records;
- a record of a form the hub does not know is refused: /sync says so,
  /refused lists it with the hub's reason, «Исправить и отправить снова»
  queues its set again and opens /fill of that record;
- /export: the .xlsx download (its type, a Russian file name, sheets and
  rows read with openpyxl) and the CSV (BOM, header);
- /import: a CSV with a bad row is refused whole with the row-by-row
  report (nothing written), a good one adds the record;
- a sync that hangs (the hub stopped with SIGSTOP) shows its progress page
  (the script's marks, «Обновить»); closing `tetrad ui` then stops the
  child too: no tetrad-syncd is left running.
"""
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hub_store  # noqa: E402
from ui_client import UI  # noqa: E402

TETRAD, WORK, DB, HUBDB, DATA, HUBPID = sys.argv[1:7]
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


def meta(key):
    r = q(DB, "SELECT value FROM meta WHERE key = ?", key)
    return r[0][0] if r else None


def csrf(ui):
    p = ui.get("/")
    for f in p.forms:
        v = f.value("_csrf")
        if v:
            return v
    raise RuntimeError("no CSRF token on the start page")


def multipart(fields, files):
    b = "----tetrad" + uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields:
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (b, k)).encode())
        out.write(v.encode("utf-8") + b"\r\n")
    for k, name, data in files:
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n" % (b, k, name)).encode("utf-8"))
        out.write(data + b"\r\n")
    out.write(("--%s--\r\n" % b).encode())
    return out.getvalue(), "multipart/form-data; boundary=" + b


def upload(ui, target, fields, files):
    body, ctype = multipart(fields, files)
    return ui.request("POST", target, body, ctype)


def raw_get(ui, target):
    import http.client
    c = http.client.HTTPConnection(ui.host, ui.port, timeout=60)
    c.request("GET", target, headers={
        "Host": ui.hosthdr,
        "Cookie": "; ".join("%s=%s" % kv for kv in ui.cookies.items())})
    r = c.getresponse()
    data = r.read()
    h = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, h, data


def wait_child(ui, limit=60):
    """Polls /sync/status until the child has ended: its last status."""
    st = None
    for _ in range(limit * 5):
        status, h, data = raw_get(ui, "/sync/status")
        st = json.loads(data.decode("utf-8"))
        if not st["running"]:
            return st
        time.sleep(0.2)
    raise RuntimeError("the child did not end: %r" % st)


def leftovers():
    d = os.path.dirname(DB)
    return [f for f in os.listdir(d) if re.search(r"\.(enroll|export)\.", f)]


def new_record(form, sets):
    args = [TETRAD, "--db", DB, "new", form]
    for s in sets:
        args += ["--set", s]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tetrad new %s: %s" % (form, r.stderr))


ui = UI(TETRAD, DB, WORK)
try:
    token = csrf(ui)
    # ---- before enrollment
    p = ui.get("/sync")
    ok(p.status == 200 and "не зарегистрирован" in p.text and "/enroll" in p.body,
       "/sync before enrollment says so and links /enroll")
    p = ui.get("/enroll")
    ok(p.status == 200 and 'type="file"' in p.body and 'enctype="multipart/form-data"' in p.body,
       "/enroll shows the upload form")
    p = upload(ui, "/enroll", [("_csrf", token)], [("file", "notes.txt", "просто текст".encode())])
    ok(p.status == 400 and "Этот файл не подходит" in p.text, "a text file is refused, said in Russian")
    p = upload(ui, "/enroll", [("_csrf", token)], [("file", "x", b"")])
    ok(p.status == 400 and "не выбран" in p.text, "no file chosen: said so")
    p = upload(ui, "/enroll", [], [("file", "school.tetrad-enroll", b"{}")])
    ok(p.status == 403, "an upload without the CSRF token is refused")
    ok(not meta("hub_url"), "nothing enrolled after the refusals")

    # ---- enrollment from the file
    ef = open(os.path.join(WORK, "school.tetrad-enroll"), "rb").read()
    p = upload(ui, "/enroll", [("_csrf", token)], [("file", "school.tetrad-enroll", ef)])
    ok(p.status == 303 and p.location == "/enroll", "the enrollment starts (303 to /enroll)")
    st = wait_child(ui)
    ok(st["kind"] == "enroll" and st["code"] == 0, "tetrad-syncd enroll --file ended with 0: %r" % st)
    p = ui.get("/enroll")
    ok("Готово: компьютер зарегистрирован" in p.text, "/enroll says it is done")
    ok("зарегистрировано на хабе" in p.text, "the program's own words are shown")
    ok(bool(meta("hub_url")), "meta hub_url set")
    ok(leftovers() == [], "no copy of the enrollment file left: %s" % leftovers())
    p = ui.get("/enroll")
    ok("зарегистрирован на хабе" in p.text, "/enroll now says the computer is enrolled")

    # ---- sync
    for g in (5, 6):
        new_record("survey_student", ["grade=%d" % g, "enough_equipment=4", "feel_safe=5",
                                      "like_learning=3", "teacher_helps=4", "tasks_fit_level=4",
                                      "response_date=10.02.2026"])
    p = ui.get("/sync")
    ok("Синхронизировать" in p.text and p.form("/sync") is not None, "/sync offers the button")
    p = ui.post("/sync", [("_csrf", token)])
    ok(p.status == 303 and p.location == "/sync", "POST /sync starts it")
    p = ui.get("/sync")
    running = 'id="child-status"' in p.body
    ok(running or "sync-result" in p.body, "/sync shows the progress or the result")
    if running:
        ok("Обновить" in p.text and 'href="/sync"' in p.body, "progress page has «Обновить» for no script")
    st = wait_child(ui)
    ok(st["kind"] == "sync" and st["code"] == 0 and "Готово" in st["words"],
       "/sync/status: ended with 0 and words: %r" % st)
    p = ui.get("/sync")
    ok("Готово: всё отправлено и принято хабом." in p.text, "/sync: the result in words")
    ok(hq("SELECT COUNT(*) AS n FROM hub_records")[0][0] == 2, "the hub has the two records")
    p = ui.post("/sync", [("_csrf", "0" * 64)])
    ok(p.status == 403, "POST /sync with a wrong CSRF token is refused")

    # ---- refused
    r = subprocess.run([TETRAD, "--db", DB, "new", "survey_teacher", "--json",
                        os.path.join(DATA, "survey_teacher.good.json")], capture_output=True, text=True)
    ok(r.returncode == 0, "a teacher's survey made: %s" % r.stderr[-300:])
    ui.post("/sync", [("_csrf", token)])
    st = wait_child(ui)
    ok(st["code"] == 11, "a sync with a refused record ends with 11: %r" % st["code"])
    p = ui.get("/sync")
    ok("Хаб не принял часть записей" in p.text and "/refused" in p.body, "/sync says so, links /refused")
    p = ui.get("/refused")
    ok(p.status == 200 and 'id="refused"' in p.body, "/refused lists")
    rid = re.search(r'name="id" value="([0-9a-f-]{36})"', p.body)
    ok(rid is not None, "the record's fix button names it")
    ok("Анкета" in p.text, "the form's title is shown")
    ok("хабу неизвестна" in p.text and "уйдёт снова сама" in p.text, "the hub's reason and that it will go by itself")
    f = p.form("/refused")
    before = q(DB, "SELECT COUNT(*) FROM outbox_queue WHERE state = 'quarantined'")[0][0]
    ok(before >= 1, "quarantined in the outbox: %d" % before)
    fix = [fm for fm in p.forms if fm.value("act") == "fix"][0]
    r2 = ui.submit(fix)
    ok(r2.status == 303 and r2.location == "/fill?id=" + rid.group(1),
       "«Исправить и отправить снова» opens /fill of that record: %s" % r2.location)
    after = q(DB, "SELECT COUNT(*) FROM outbox_queue WHERE state = 'quarantined'")[0][0]
    pend = q(DB, "SELECT COUNT(*) FROM outbox_queue WHERE state = 'pending'")[0][0]
    ok(after == 0 and pend >= 1, "its set is queued again (quarantined %d, pending %d)" % (after, pend))
    p = ui.get("/refused")
    ok("исправлять нечего" in p.text, "/refused is empty then")
    p = ui.post("/refused", [("_csrf", token), ("act", "fix"), ("id", "x"), ("batch", "1")])
    ok(p.status == 400, "a bad fix request is refused with a page")

    # ---- export
    p = ui.get("/export")
    ok(p.status == 200 and 'action="/export/file"' in p.body and "survey_student" in p.body,
       "/export offers the forms")
    status, h, data = raw_get(ui, "/export/file?form=survey_student&fmt=xlsx")
    ok(status == 200 and h.get("content-type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "xlsx type")
    cd = h.get("content-disposition", "")
    ok(cd.startswith("attachment;") and "filename*=UTF-8''" in cd and ".xlsx" in cd,
       "a file name: %s" % cd)
    name = urllib.parse.unquote(cd.split("filename*=UTF-8''", 1)[1])
    ok(re.search(r"[А-Яа-я]", name) is not None, "the file name is Russian: %s" % name)
    ok(h.get("cache-control") == "no-store", "downloads are not cached")
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Записи"]
    ok(ws["A1"].value == "Запись" and ws.max_row == 3, "the workbook: two records (%d rows)" % ws.max_row)
    ok(leftovers() == [], "no export file left beside the database")
    status, h, data = raw_get(ui, "/export/file?form=survey_student&fmt=csv")
    ok(status == 200 and h.get("content-type", "").startswith("text/csv")
       and data.startswith("\ufeffЗапись;".encode("utf-8")), "the CSV download")
    status, h, data = raw_get(ui, "/export/file?form=no_such&fmt=xlsx")
    ok(status == 404 and "Нет такой формы" in data.decode("utf-8"), "an unknown form: a page")

    # ---- import
    csvdata = open(os.path.join(WORK, "passport.csv"), "rb").read()
    count = lambda: q(DB, "SELECT COUNT(*) FROM records WHERE form_id = 'social_passport'")[0][0]
    p = ui.get("/import")
    ok(p.status == 200 and 'name="file"' in p.body, "/import shows the upload")
    text = csvdata.decode("utf-8")
    lines = text.split("\r\n")
    cells = lines[1].split(";")
    bad = "\r\n".join([lines[0], ";".join(cells[:3] + ["не число"] * (len(cells) - 3))]) + "\r\n"
    p = upload(ui, "/import", [("_csrf", token), ("form", "social_passport")],
               [("file", "паспорт.csv", bad.encode("utf-8"))])
    ok(p.status == 422 and "Ничего не загружено" in p.text and "Строка 2" in p.text,
       "a bad row: refused whole with the report by rows")
    ok(count() == 0, "nothing written")
    p = upload(ui, "/import", [("_csrf", token), ("form", "social_passport")],
               [("file", "паспорт.csv", csvdata)])
    ok(p.status == 200 and "Добавлено записей: 1" in p.text, "the good file adds the record: %s"
       % p.text[p.text.find("Загруж"):][:200])
    ok(count() == 1, "one social passport stored")

    # ---- a sync that hangs, and the interface closed under it
    os.kill(int(HUBPID), signal.SIGSTOP)
    try:
        ui.post("/sync", [("_csrf", token)])
        time.sleep(0.5)
        p = ui.get("/sync")
        ok('id="child-status"' in p.body and 'data-running="1"' in p.body
           and 'id="child-log"' in p.body, "a running sync: the progress block for the script")
        ok("Обновить" in p.text and "Идёт синхронизация" in p.text, "… and the words and «Обновить»")
        status, h, data = raw_get(ui, "/sync/status")
        st = json.loads(data.decode("utf-8"))
        ok(st["running"] and st["kind"] == "sync" and st["code"] is None, "/sync/status: running")
        p = ui.post("/sync", [("_csrf", token)], follow=True)
        ok(p.status == 200 and "Идёт синхронизация" in p.text, "a second POST /sync waits for the first")
        p = ui.get("/enroll")
        ok("идёт синхронизация" in p.text.lower(), "/enroll says a sync runs")
        t0 = time.time()
        rc = ui.stop()
        took = time.time() - t0
        ok(rc == 0 and took < 20, "tetrad ui stopped (%s) in %.1f s with a sync running" % (rc, took))
    finally:
        os.kill(int(HUBPID), signal.SIGCONT)
    left = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
            except OSError:
                continue
            if cmd and cmd[0].endswith(b"tetrad-syncd") and DB.encode() in cmd:
                left.append(pid)
    ok(left == [], "no tetrad-syncd left running: %s" % left)
finally:
    rc = ui.stop()
ok(rc == 0, "tetrad ui stopped cleanly (%s)" % rc)
print("1..%d" % n)
sys.exit(1 if fails else 0)
