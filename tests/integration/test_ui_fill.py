#!/usr/bin/env python3
"""test_ui_fill — filling records through the real `tetrad ui` (issue 22),
driven over HTTP as a browser without scripting would (ui_client.py), the
database read back with sqlite3.

Usage: test_ui_fill.py TETRAD WORKDIR CURATOR_DB SCHOOL_DB PASSFILE NEW_DB
  CURATOR_DB: a curator's laptop enrolled with schools 170103 and 170104;
  SCHOOL_DB: school 170104's device with a passphrase (in PASSFILE);
  NEW_DB: a curator's laptop not enrolled yet.

Shows: a laptop not enrolled is told to enroll first; the form list; a
curator's device asks which school first, a school device never asks; a
draft saved with text that did not convert kept on the page (a stored
answer kept under it); Enter («Обновить») storing nothing; «Проверить и
завершить» back to the form with what is missing; the review page and
«Завершить» putting the record and one outbox row in, as the CLI does; a
final record's edit queued as an edit, a wrong edit refused with nothing
written; a field that stops applying dropped; repeat group items added and
removed by the buttons (no script), `local` values kept out of the outbox;
a case number used twice refused at finalizing and shown on the form; a
change made meanwhile said instead of overwritten; a curator's visit with
the eleven-factor table and the issued profile's levels; the vault's
passphrase asked before a form with hidden fields, and the warning when
none is set.
"""
import json
import os
import re
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ui_client import UI  # noqa: E402

N = 0
FAILS = 0


def ok(cond, name, detail=""):
    global N, FAILS
    N += 1
    if cond:
        print("ok %d - %s" % (N, name))
    else:
        FAILS += 1
        print("not ok %d - %s%s" % (N, name, (": " + str(detail)[:600]) if detail else ""))
    sys.stdout.flush()
    return cond


def q(db, sql, *args):
    c = sqlite3.connect(db)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def one(db, sql, *args):
    rows = q(db, sql, *args)
    return rows[0][0] if rows else None


def counts(db):
    return (one(db, "SELECT COUNT(*) FROM records"), one(db, "SELECT COUNT(*) FROM outbox"))


def record(db, rid):
    rows = q(db, "SELECT status, school, data, sealed IS NOT NULL FROM records "
             "WHERE lower(hex(id)) = ?", rid.replace("-", "").lower())
    if not rows:
        return None
    st, school, data, sealed = rows[0]
    return {"status": st, "school": school, "data": json.loads(data), "sealed": bool(sealed)}


def rid_of(target):
    """The record id in /fill?id=… or /record?id=…"""
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(target or "").query)
    return (qs.get("id") or [""])[0]


def has(page, text):
    return text in page.text


def parties(form):
    """How many party items the page holds."""
    return len([n for n in form.names() if re.fullmatch(r"parties\[\d+\]\.role", n)])


def student_answers(form, grade="9"):
    form.set("response_date", "2026-11-20")
    form.set("grade", grade)
    for f in ("enough_equipment", "feel_safe", "like_learning", "teacher_helps",
              "tasks_fit_level"):
        form.set(f, "4")


def curator(ui, db):
    # --- «Новая запись» on a laptop with two schools: the school first,
    # then the forms for it
    p = ui.get("/new")
    ok(p.status == 200 and has(p, "Какую школу вы посетили?") and
       'href="/new?school=170103"' in p.body and 'href="/new?school=170104"' in p.body,
       "GET /new asks the school first", (p.status, p.text[:300]))
    ok(not has(p, "Анкета обучающегося"), "no form before the school", p.text[:300])
    p = ui.get("/new?school=170103")
    ok(p.status == 200, "the forms for school 170103", p.status)
    for title in ("Анкета обучающегося", "Социальный паспорт",
                  "Верификация рискового профиля школы",
                  "Журнал регистрации случаев службы примирения (медиации)"):
        ok(has(p, title), "the form list names «%s»" % title, p.text[:300])
    ok("/new?form=survey_student&amp;school=170103" in p.body,
       "a form's link carries the school picked")
    p = ui.get("/new?form=survey_student&school=170103", follow=False)
    ok(p.status == 303 and p.location == "/fill?form=survey_student&school=170103",
       "and leads to the form", (p.status, p.location))
    ok(ui.get("/new?school=170105").status == 409, "a school not of this laptop: refused")

    # --- a curator's laptop with two schools asks which, before the form
    p = ui.get("/new?form=survey_student")
    ok(p.status == 200 and has(p, "Для какой школы эта запись?"),
       "a curator's device asks the school first", p.text[:300])
    ok("/fill?form=survey_student&amp;school=170103" in p.body and
       "/fill?form=survey_student&amp;school=170104" in p.body,
       "both of its schools offered")
    p = ui.get("/new?form=risk_visit")
    ok(has(p, "Какую школу вы посетили?"), "a visit asks which school was visited")
    p = ui.get("/fill?form=survey_student", follow=False)
    ok(p.status == 303 and p.location.startswith("/new?form=survey_student"),
       "/fill without a school goes back to the question", (p.status, p.location))
    before = counts(db)
    p = ui.get("/fill?form=survey_student&school=170105")
    ok(p.status in (403, 409) and has(p, "170103"),
       "a school not of this device is refused, naming its schools", (p.status, p.text[:300]))
    p = ui.get("/fill?form=no_such_form&school=170103")
    ok(p.status == 404, "an unknown form is 404 with a page", p.status)

    # --- a draft, with text that did not convert kept on the page
    p = ui.get("/fill?form=survey_student&school=170103")
    ok(p.status == 200, "the new record's page", p.status)
    f = p.form("/fill")
    ok("_csrf" in f.names(), "the form carries the CSRF token")
    labels = [b[2] for b in f.buttons()]
    ok("Сохранить черновик" in labels and "Проверить и завершить" in labels,
       "buttons «Сохранить черновик» and «Проверить и завершить»", labels)
    f.set("response_date", "2026-11-20")
    f.set("grade", "семь")
    f.set("wish", "Больше кружков")
    p = ui.submit(f, ("_do", "draft"))
    ok(p.status == 200, "a draft with a wrong number: the page again", (p.status, p.location))
    ok('value="семь"' in p.body, "the wrong text is shown back as typed")
    ok(has(p, "Класс") and has(p, "Черновик сохранён, кроме отмеченных полей"),
       "with the problem and what was saved", p.text[:400])
    ok(counts(db)[0] == before[0] + 1 and counts(db)[1] == before[1],
       "one draft stored, nothing in the outbox", (before, counts(db)))
    f = p.form("/fill?id=")
    rid = rid_of(f.action)
    r = record(db, rid)
    ok(r and r["status"] == "draft" and r["school"] == "170103" and
       r["data"].get("wish") == "Больше кружков" and "grade" not in r["data"],
       "the draft holds what converted, of the chosen school", r)

    # --- «Проверить и завершить» with answers missing: back, with them
    f.set("grade", "9")
    p = ui.submit(f, ("_do", "review"))
    ok(p.status == 303 and "check=1" in (p.location or ""),
       "review of an incomplete draft goes back to the form", (p.status, p.location))
    p = ui.follow(p)
    ok(p.status == 200 and has(p, "Чтобы завершить запись, исправьте отмеченные поля"),
       "the form shows what is missing", p.text[:400])
    ok(record(db, rid)["data"].get("grade") == 9, "the fixed answer was saved")
    f = p.form("/fill?id=")
    f.set("grade", "девять")
    f.set("wish", "Больше кружков и секций")
    p = ui.submit(f, ("_do", "draft"))
    r = record(db, rid)
    ok(p.status == 200 and 'value="девять"' in p.body and r["data"].get("grade") == 9 and
       r["data"].get("wish") == "Больше кружков и секций",
       "a stored answer stays when its new text does not convert; the rest is saved",
       (p.status, r))
    p = ui.get("/fill?id=" + rid)

    # --- a field that stops applying is dropped: plans only for grades 8–9
    f = p.form("/fill?id=")
    student_answers(f, "9")
    f.set("plans", "college")
    p = ui.submit(f, ("_do", "draft"))
    ok(p.status == 303, "draft saved", (p.status, p.text[:300]))
    ok(record(db, rid)["data"].get("plans") == "college", "plans kept for grade 9")
    p = ui.follow(p)
    ok(has(p, "Черновик сохранён"), "the notice says the draft was saved")
    ok('href="/delete?id=%s"' % rid in p.body, "a draft offers «Удалить черновик» (confirmed there)")
    f = p.form("/fill?id=")
    f.set("grade", "5")
    p = ui.submit(f, ("_do", "draft"))
    ok("plans" not in record(db, rid)["data"], "plans dropped once grade 5 makes it not apply",
       record(db, rid))

    # --- review, then «Завершить»: the record final, one outbox row
    p = ui.get("/fill?id=" + rid)
    f = p.form("/fill?id=")
    p = ui.submit(f, ("_do", "review"))
    ok(p.status == 303 and p.location == "/review?id=" + rid, "a complete draft goes to review",
       (p.status, p.location, p.text[:300]))
    p = ui.follow(p)
    ok(p.status == 200 and has(p, "Больше кружков") and has(p, "20.11.2026"),
       "the review shows the answers as read (dates ДД.ММ.ГГГГ)", p.text[:500])
    rf = p.form("/review")
    ok(counts(db)[1] == before[1], "nothing queued before «Завершить»")
    p = ui.submit(rf)
    ok(p.status == 303 and p.location.startswith("/record?id=" + rid),
       "«Завершить» leads to the record", (p.status, p.location, p.text[:300]))
    r = record(db, rid)
    ok(r["status"] == "final", "the record is final", r)
    rows = q(db, "SELECT op, school, fields FROM outbox WHERE lower(hex(record_id)) = ? "
             "ORDER BY seq", rid.replace("-", "").lower())
    ok(len(rows) == 1 and rows[0][0] == "put" and rows[0][1] == "170103",
       "one outbox row, op put, of its school", rows)
    ok(rows and json.loads(rows[0][2]) == r["data"], "the row carries the record's values")
    p = ui.submit(rf)
    ok(p.status == 303 and len(q(db, "SELECT 1 FROM outbox")) == before[1] + 1,
       "«Завершить» again queues nothing more", p.status)
    p = ui.get("/review?id=" + rid, follow=False)
    ok(p.status == 303 and p.location.startswith("/record"), "review of a final record: to it")

    # --- a final record's edit: saved whole, queued as an edit
    p = ui.get("/fill?id=" + rid)
    f = p.form("/fill?id=")
    labels = [b[2] for b in f.buttons()]
    ok("Сохранить изменения" in labels and "Сохранить черновик" not in labels,
       "a final record: «Сохранить изменения», no draft", labels)
    f.set("wish", "Больше секций")
    p = ui.submit(f, ("_do", "save"))
    ok(p.status == 303 and p.location.startswith("/record"), "edit saved", (p.status, p.text[:300]))
    rows = q(db, "SELECT op FROM outbox WHERE lower(hex(record_id)) = ? ORDER BY seq",
             rid.replace("-", "").lower())
    ok([x[0] for x in rows] == ["put", "edit"], "the edit queued as an edit", rows)
    before = counts(db)
    p = ui.get("/fill?id=" + rid)
    f = p.form("/fill?id=")
    f.set("grade", "99")
    p = ui.submit(f, ("_do", "save"))
    ok(p.status == 422 and 'value="99"' in p.body, "an edit out of bounds: refused, typed kept",
       (p.status, p.text[:300]))
    ok(counts(db) == before and record(db, rid)["data"]["grade"] == 5,
       "nothing written by the refused edit")
    f = p.form("/fill?id=")
    f.set("grade", "")
    p = ui.submit(f, ("_do", "save"))
    ok(p.status == 422 and counts(db) == before, "a required answer removed: refused",
       (p.status, p.text[:300]))

    # --- the same record changed meanwhile (another tab): said, not overwritten
    p = ui.get("/fill?id=" + rid)
    stale = p.form("/fill?id=")
    f = ui.get("/fill?id=" + rid).form("/fill?id=")
    f.set("wish", "Из другой вкладки")
    ok(ui.submit(f, ("_do", "save")).status == 303, "a save from another tab")
    stale.set("wish", "Из старой вкладки")
    p = ui.submit(stale, ("_do", "save"))
    ok(p.status == 409 and has(p, "запись изменилась"), "the stale tab is told", (p.status, p.text[:300]))
    ok(record(db, rid)["data"]["wish"] == "Из другой вкладки", "and did not overwrite")
    p = ui.submit(p.form("/fill?id="), ("_do", "save"))
    ok(p.status == 303 and record(db, rid)["data"]["wish"] == "Из старой вкладки",
       "saving again after seeing it is the person's choice", p.status)

    # --- repeat groups by buttons (no script): two parties added, one removed
    before = counts(db)
    p = ui.get("/fill?form=mediation_case&school=170104")
    ok(p.status == 200, "a mediation case's page (no passphrase on this laptop)", p.status)
    ok(has(p, "Пароль не задан"), "with the CLI's warning that hidden fields are stored in the clear")
    f = p.form("/fill")
    f.set("case_number", "2026-01")
    f.set("summary", "Ссора на перемене")
    opened = parties(f)     # a new case opens with its min_items empty items
    if opened:
        f.set("parties[0].role", "student")
        f.set("parties[0].full_name", "Иванов Иван")
    p = ui.submit(f, ("_act", "add:parties"))
    ok(p.status == 200 and counts(db) == before, "«add» re-renders, stores nothing", p.status)
    f = p.form("/fill")
    ok(f.value("summary") == "Ссора на перемене", "what was typed is kept across «add»")
    ok(parties(f) == opened + 1, "one party more", (opened, parties(f)))
    # each party answered, then «add» for the next (an empty item is not kept)
    for k, (role, name) in enumerate((("student", "Иванов Иван"), ("adult", "Петров Пётр"),
                                      ("student", "Сидоров Павел"))):
        if parties(f) <= k:
            f = ui.submit(f, ("_act", "add:parties")).form("/fill")
        f.set("parties[%d].role" % k, role)
        f.set("parties[%d].full_name" % k, name)
    ok(parties(f) == 3 and f.value("parties[0].full_name") == "Иванов Иван",
       "three parties on the page, the first still as typed", sorted(f.names()))
    p = ui.submit(f, ("_act", "del:parties[0]"))
    f = p.form("/fill")
    ok(parties(f) == 2 and f.value("parties[0].full_name") == "Петров Пётр" and
       f.value("parties[1].full_name") == "Сидоров Павел",
       "the first removed, the others move up with their answers", sorted(f.names()))
    p = ui.submit(f, ("_act", "del:parties[1]"))
    f = p.form("/fill")
    ok(parties(f) == 1 and f.value("parties[0].full_name") == "Петров Пётр",
       "and the last one removed too", sorted(f.names()))
    f.set("received_date", "2026-11-02")
    f.set("source", "teacher")
    f.set("situation_kind", "conflict")
    f.set("conflict_type", "student_student")
    f.set("status", "received")
    p = ui.submit(f, ("_do", "review"))
    ok(p.status == 303 and p.location.startswith("/review?id="), "the case to review",
       (p.status, p.location, p.text[:300]))
    cid = rid_of(p.location)
    p = ui.submit(ui.follow(p).form("/review"))
    ok(p.status == 303, "the case finalized", p.status)
    r = record(db, cid)
    ok(r["status"] == "final" and len(r["data"]["parties"]) == 1 and
       r["data"]["parties"][0]["full_name"] == "Петров Пётр",
       "the record keeps one party, with its name on the device", r)
    fields = json.loads(one(db, "SELECT fields FROM outbox WHERE lower(hex(record_id)) = ?",
                            cid.replace("-", "").lower()))
    ok("summary" not in fields and "full_name" not in fields["parties"][0] and
       fields["parties"][0]["role"] == "adult", "local values stay out of the outbox", fields)

    # --- a case number used twice: refused at «Завершить», shown on the form
    f = ui.get("/fill?form=mediation_case&school=170104").form("/fill")
    if parties(f) == 0:
        f = ui.submit(f, ("_act", "add:parties")).form("/fill")
    f.set("parties[0].role", "adult")
    before = counts(db)
    f.set("case_number", "2026-01")
    p = ui.submit(f, ("_act", ""))
    ok(p.status == 200 and counts(db) == before and
       p.form("/fill").value("case_number") == "2026-01",
       "Enter in a text box («Обновить»): the page again, nothing stored", p.status)
    f = p.form("/fill")
    for k, v in (("case_number", "2026-01"), ("received_date", "2026-11-05"),
                 ("source", "self"), ("situation_kind", "conflict"),
                 ("conflict_type", "student_student"), ("status", "received")):
        f.set(k, v)
    p = ui.submit(f, ("_do", "review"))
    ok(p.status == 303 and p.location.startswith("/review"), "a second case with the same number",
       (p.status, p.location, ui.follow(p).text[:600]))
    did = rid_of(p.location)
    before = counts(db)
    p = ui.submit(ui.follow(p).form("/review"))
    ok(p.status == 422 and has(p, "2026-01") and p.form("/fill?id="),
       "refused at «Завершить»: the form again with the reason", (p.status, p.text[:400]))
    ok(counts(db) == before and record(db, did)["status"] == "draft",
       "nothing queued, still a draft")

    # --- a visit to the other school: «Код ОО» the school picked, the
    # issued profile's levels in the eleven-factor table, finalized
    p = ui.get("/fill?form=risk_visit&school=170104")
    f = p.form("/fill")
    ok(f.value("school_code") == "170104", "the visit's «Код ОО» is the school picked")
    ok(has(p, "высокий") and f.value("project_year") == "2026",
       "before anything is typed: the issued levels, of the profile's year (2026)",
       (f.value("project_year"), p.text[:300]))
    for k, v in (("project_year", "2026"), ("curator", "Петрова М. И."),
                 ("visit_type", "verification"), ("visit_format", "onsite"),
                 ("visit_date", "2026-11-10"), ("medk_entered", "0")):
        f.set(k, v)
    f.check("participants", "director")
    n = 0
    while "factors[%d].decision" % n in f.names():
        f.set("factors[%d].decision" % n, "confirmed")
        n += 1
    ok(n == 11, "the eleven factors as a table", n)
    f.check("factors[0].evidence", "talk_admin")
    f.set("factors[0].comment", "Кабинеты без проекторов")
    p = ui.submit(f, ("_do", "review"))
    ok(p.status == 303 and p.location.startswith("/review"), "the visit to review",
       (p.status, p.location, ui.follow(p).text[:600]))
    vid = rid_of(p.location)
    p = ui.follow(p)
    ok(has(p, "высокий") and has(p, "Кабинеты без проекторов"),
       "the review shows the issued level and the comment", p.text[:600])
    p = ui.submit(p.form("/review"))
    ok(p.status == 303, "the visit finalized", (p.status, p.text[:300]))
    r = record(db, vid)
    ok(r["status"] == "final" and r["school"] == "170104" and
       r["data"]["school_code"] == "170104" and len(r["data"]["factors"]) == 11,
       "a final visit of school 170104 with eleven factors", r)
    lv = {x["factor"]: x.get("profile_level") for x in r["data"]["factors"]}
    ok(lv.get("R01") == "high" and lv.get("R02") == "not_found",
       "the issued levels stored with the factors", lv)
    ok(one(db, "SELECT school FROM outbox WHERE lower(hex(record_id)) = ?",
           vid.replace("-", "").lower()) == "170104", "queued as school 170104's")

    # --- hostile posts: pages, never a crash, nothing stored
    before = counts(db)
    page = ui.get("/fill?form=mediation_case&school=170104")
    csrf = page.form("/fill").value("_csrf")
    target = "/fill?form=mediation_case&school=170104"
    for name, fields in (
            ("a huge item count", [("_n.parties", "100000"), ("_act", "add:parties")]),
            ("removing an item that is not there", [("_act", "del:parties[7]")]),
            ("an unknown action", [("_act", "explode:parties")]),
            ("unknown fields", [("no_such_field", "x"), ("parties[0].nope", "y"),
                                ("_act", "")])):
        p = ui.post(target, [("_csrf", csrf)] + fields)
        ok(p.status in (200, 400, 422) and p.headers.get("content-type", "").startswith("text/html")
           and has(p, "Журнал"), "%s: the page again (%d)" % (name, p.status), p.text[:300])
    ok(counts(db) == before, "nothing stored by them")
    p = ui.post(target, [("_csrf", csrf), ("case_number", "X-1"), ("_do", "finalize-now")])
    ok(p.status == 303 and record(db, rid_of(p.location))["status"] == "draft",
       "an unknown button saves a draft, never more", (p.status, p.location))

    # --- ids in addresses
    ok(ui.get("/fill?id=nonsense").status == 404, "a bad id: 404 page")
    ok(ui.get("/fill?id=01890000-0000-7000-8000-000000000000").status == 404,
       "an unknown id: 404 page")
    ok(ui.get("/review?id=").status == 404, "review without an id: 404 page")


def school(ui, db, passfile):
    # --- a school device never asks its school
    p = ui.get("/new")
    ok(p.status == 200 and has(p, "Анкета обучающегося") and "school=" not in p.body,
       "a school device: /new is the list of forms", p.text[:300])
    p = ui.get("/new?form=survey_student", follow=False)
    ok(p.status == 303 and p.location == "/fill?form=survey_student&school=170104",
       "a school device goes straight to the form", (p.status, p.location))
    p = ui.get("/new?form=risk_visit")
    ok(p.status == 200 and has(p, "170104"), "the visit shows the device's school", p.text[:300])
    f = p.form("/fill")
    f.set("project_year", "2026")
    p = ui.submit(f, ("_do", "draft"))
    ok(p.status == 303, "a visit's draft", (p.status, p.text[:300]))
    r = record(db, rid_of(p.location))
    ok(r and r["school"] == "170104" and r["data"].get("school_code") == "170104",
       "«Код ОО» is the device's school", r)

    # --- hidden fields need the vault open: asked first
    p = ui.get("/new?form=mediation_case")
    ok(p.target.startswith("/unlock?next=") and
       urllib.parse.unquote(p.target.split("next=", 1)[1]).startswith("/fill?form=mediation_case"),
       "a form with hidden fields asks the passphrase first", p.target)
    later = [f for f in p.forms if f.method == "post" and "later" in f.names()]
    if ok(later, "the passphrase page offers «Позже»"):
        p = ui.submit(later[0], follow=True)
        ok(p.status == 403 and has(p, "Нужен пароль") and p.target.startswith("/fill?form="),
           "after «Позже» the form says it needs the passphrase, not a loop",
           (p.status, p.target, p.text[:300]))
        links = re.findall(r'href="(/unlock\?next=[^"]+)"', p.body)
        ok(links, "with a link to the passphrase page")
        p = ui.get(links[0].replace("&amp;", "&") if links else "/unlock")
    with open(passfile, encoding="utf-8") as fh:
        pw = fh.read().strip()
    uf = [f for f in p.forms if f.method == "post"]
    if not ok(uf, "the passphrase page has a form", p.text[:300]):
        return
    uf = uf[0]
    for c in uf.controls:
        if c.kind == "input" and c.type == "password":
            c.value = pw
    p = ui.submit(uf, follow=True)
    ok(p.status == 200 and p.target.startswith("/fill?form=mediation_case"),
       "after the passphrase, back to the form", (p.status, p.target, p.text[:300]))
    ok(not has(p, "Пароль не задан"), "no clear-text warning with a passphrase set")
    f = p.form("/fill")
    f.set("case_number", "7")
    f.set("summary", "Конфликт в столовой")
    p = ui.submit(f, ("_do", "draft"))
    ok(p.status == 303, "a draft with a hidden value", (p.status, p.text[:300]))
    r = record(db, rid_of(p.location))
    ok(r and "summary" not in r["data"] and r["sealed"], "the hidden value sealed, not in data", r)
    p = ui.follow(p)
    ok(p.form("/fill?id=").value("summary") == "Конфликт в столовой",
       "and shown back on the draft")


def not_enrolled(ui, db):
    for target in ("/new?form=survey_student", "/fill?form=survey_student&school=170103"):
        p = ui.get(target)
        ok(p.status == 409 and has(p, "Сначала регистрация") and 'href="/enroll"' in p.body,
           "a curator's laptop not enrolled: %s says to enroll first" % target,
           (p.status, p.text[:300]))
    ok(counts(db) == (0, 0), "nothing stored")


def disk_full(tetrad, workdir, db):
    """The disk fills up (the CLI's test hook, TETRAD_TEST_MAX_PAGES = the
    file's size): a save refused with a Russian page that keeps everything
    typed, nothing half-written; with space again the same page saves."""
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    env = dict(os.environ, TETRAD_TEST_MAX_PAGES=str(pages))
    ui = UI(tetrad, db, workdir, env=env)
    full = None
    try:
        for i in range(400):
            f = ui.get("/fill?form=survey_student&school=170103").form("/fill")
            f.set("response_date", "2026-11-21")
            f.set("wish", "Пожелание номер %d: " % i + "ещё больше кружков " * 22)
            before = counts(db)
            p = ui.submit(f, ("_do", "draft"))
            if p.status != 303:
                full = (p, f, before)
                break
    finally:
        ok(ui.stop() == 0, "tetrad ui (disk full) stops cleanly")
    if not ok(full is not None, "the capped database fills up"):
        return
    p, f, before = full
    ok(p.status >= 500 and has(p, "Недостаточно места") and has(p, "Пожелание номер") and
       p.form("/fill"),
       "a full disk: a page with the reason and everything typed", (p.status, p.text[:400]))
    ok(counts(db) == before, "nothing half-written")
    form = p.form("/fill")
    ui = UI(tetrad, db, workdir)
    try:
        # what the full disk's page kept, saved once there is room (a new
        # launch: a page of its own, with this launch's CSRF token)
        fresh = ui.get("/fill?form=survey_student&school=170103").form("/fill")
        for name in ("response_date", "wish"):
            fresh.set(name, form.value(name))
        p = ui.submit(fresh, ("_do", "draft"))
        ok(p.status == 303 and counts(db)[0] == before[0] + 1,
           "with space again the same answers are saved", p.status)
    finally:
        ui.stop()


def main():
    tetrad, workdir, cdb, sdb, passfile, ndb = sys.argv[1:7]
    ui = UI(tetrad, ndb, workdir)
    try:
        not_enrolled(ui, ndb)
    finally:
        ok(ui.stop() == 0, "tetrad ui (not enrolled) stops cleanly on SIGTERM")
    ui = UI(tetrad, cdb, workdir)
    try:
        curator(ui, cdb)
    finally:
        ok(ui.stop() == 0, "tetrad ui (curator) stops cleanly on SIGTERM")
    disk_full(tetrad, workdir, cdb)
    ui = UI(tetrad, sdb, workdir)
    try:
        school(ui, sdb, passfile)
    finally:
        ok(ui.stop() == 0, "tetrad ui (school) stops cleanly on SIGTERM")
    print("1..%d" % N)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
