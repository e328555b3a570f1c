"""flows — what a curator or a social pedagogue does in `tetrad ui`, step by
step through a real browser: the pieces the browser tests are made of
(test_ui_browser_*.sh run them). Each step takes its screenshots and checks
what landed in the SQLite file, not only what the page says."""
import datetime
import json
import os
import re
import time

import tbrowser as t
from tbrowser import Fail, check

PASSPHRASE = "сирень окно трамвай компот"


# ---- the forms' values, typed as a person types them ---------------------

def form_def(form_id):
    d = os.environ.get("TETRAD_FORMS_DIR") or os.path.join(os.environ["TETRAD_SOURCE_DIR"], "forms")
    with open(os.path.join(d, form_id + ".json"), encoding="utf-8") as f:
        return json.load(f)


def field_defs(form):
    """path pattern -> field definition ('parties[].role' for a group's)."""
    out = {}

    def walk(fields, prefix):
        for x in fields:
            out[prefix + x["id"]] = x
            if x.get("type") == "group":
                walk(x["fields"], prefix + x["id"] + "[].")
    walk(form["fields"], "")
    return out


NO_ANSWER = "затрудняюсь ответить"


def stored_value(fd, typed):
    """What the store keeps for a typed value of this field."""
    ty = fd["type"]
    if ty in ("integer",):
        return int(typed)
    if ty == "scale":
        return None if typed == NO_ANSWER else int(typed)
    if ty == "decimal":
        v = float(str(typed).replace(",", "."))
        return int(v) if v == int(v) else v
    if ty == "date":
        return t.to_iso(typed)
    if ty == "boolean":
        return bool(typed)
    if ty == "multi":
        return sorted(typed)
    return typed


def expect_stored(form_id, typed, data):
    """Every typed synced top-level value is in data as the store keeps it
    (local fields may be sealed away; groups are checked by the flows)."""
    defs = field_defs(form_def(form_id))
    for path, v in typed.items():
        if "[" in path or path.startswith("_"):
            continue
        fd = defs[path]
        if fd.get("sync") == "local":
            continue
        got = data.get(path)
        if fd["type"] == "multi" and isinstance(got, list):
            got = sorted(got)
        want = stored_value(fd, v)
        if got != want:
            raise Fail("%s.%s: stored %r, typed %r (want %r)" % (form_id, path, got, v, want))
    print("ok: %s stored as typed (%d values)" % (form_id, len(typed)), flush=True)


STUDENT = {
    "response_date": "08.02.2026", "grade": "8", "enough_equipment": "3", "feel_safe": "4",
    "bullying": "never", "like_learning": "4", "plans": "college",
    "difficult_subjects": ["math", "physics"], "teacher_helps": "4", "tasks_fit_level": "3",
    "homework_hours": "1,5", "russian_at_home": True, "wish": "Больше кружков после уроков",
}
PARENT = {
    "response_date": "10.02.2026", "child_grade": "5", "informed": "4", "meetings": "sometimes",
    "want_involvement": True, "child_safe": "5", "child_likes_learning": "4", "needs_help": True,
    "help_subjects": ["math"], "individual_approach": "4", "conditions": "3", "ovz_status": "no",
    "russian_main_language": True, "satisfaction": NO_ANSWER, "comment": "Спасибо учителям",
}
TEACHER = {
    "response_date": "05.02.2026", "experience": "y10_20", "subjects": ["russian", "english"],
    "workload": "1,25", "equipment_lessons": "3", "covers_vacancies": False,
    "difficulties": ["motivation"], "adapts_teaching": "4", "training_last_year": True,
    "training_useful": "4", "team_climate": "5", "students_safe": "4", "parents_respond": "2",
    "students_motivated": "3", "struggling_share": "p10_30", "ovz_ready": "3",
    "comment": "Нужны интерактивные доски",
}
DIRECTOR_FIRST = {
    "response_date": "05.02.2026", "position": "director", "experience_years": "6",
    "equipment_adequate": "2", "internet": "slow", "equipment_needs": ["computers", "lab"],
}
DIRECTOR_REST = {
    "teachers_total": "34", "vacancies": "3", "shortage_subjects": ["physics"],
    "methodical_support": "3", "adaptive_process": "3", "training_plan": True,
    "teachers_trained": "12", "safe_climate": "4", "bullying_cases": "1", "parents_involved": "2",
    "students_motivated": "3", "underachievers_percent": "12,5", "ovz_students": "7",
    "ovz_conditions": "3", "non_native_students": "4", "comment": "Не хватает учителя физики",
}
PASSPORT = {
    "academic_year": "2025/2026", "snapshot_date": "20.09.2025", "level": "class",
    "class_name": "5А", "students_total": "27", "students_4_11": "27", "families_total": "25",
    "large_families": "6", "low_income_families": "7", "single_parent_families": "8",
    "foster_children": "1", "orphans": "0", "disabled_children": "1", "special_needs": "2",
    "sop_families": "1", "tjs_families": "2", "kdn_registered": "0", "pdn_registered": "1",
    "school_registered": "2", "unemployed_parents": "4", "parents_higher_education": "3",
    "non_native_russian": "2", "migrant_families": "1",
}
CASE_HEAD = {
    "case_number": "2026-01", "received_date": "10.02.2026", "source": "teacher",
    "situation_kind": "conflict", "conflict_type": "student_student",
}
PARTY_1 = {"role": "student", "class_name": "7Б", "age": "13", "full_name": "Сидоров Павел",
           "phone": "+7 900 111-22-33"}
PARTY_2 = {"role": "adult", "age": "41", "full_name": "Ошибкина Вера"}
PARTY_3 = {"role": "student", "class_name": "7Б", "age": "13", "full_name": "Кузнецов Артём"}
CASE_TAIL = {
    "summary": "Драка на перемене из-за испорченного телефона", "status": "completed",
    "programme": "mediation", "programme_date": "15.02.2026", "mediators_count": "2",
    "student_comediator": True, "children_count": "2", "adults_count": "1", "agreement": True,
    "agreement_date": "15.02.2026", "agreement_follow_up": "fulfilled",
    "reaction_ways": ["restorative_programme", "class_work"],
}


# ---- steps ---------------------------------------------------------------

def start(b, ui, shot_prefix="", passphrase=None):
    """Opens the URL with the secret; answers the passphrase page when the
    store is locked."""
    b.launch(ui)
    if passphrase is not None:
        check("/unlock" in b.path() or b.named("passphrase") or b.els("input[type=password]"),
              "the locked store asks for the passphrase first (%s)" % b.path())
        b.shot(shot_prefix + "passphrase")
        pw = b.els("input[type=password]")
        pw[0].send_keys("не тот пароль")
        b.click(submit_of(b, pw[0]))
        check("неверн" in b.text().lower(), "a wrong passphrase is refused in words")
        b.shot(shot_prefix + "passphrase-wrong")
        pw = b.els("input[type=password]")
        pw[0].send_keys(passphrase)
        b.click(submit_of(b, pw[0]))
        check(not b.els("input[type=password]"), "the right passphrase opens the store")
    b.shot(shot_prefix + "home")


def submit_of(b, el):
    """The submit button of el's form."""
    btn = b.d.execute_script(
        "var f=arguments[0].form; return f && f.querySelector('button:not([type=button]),"
        "input[type=submit]');", el)
    if btn is None:
        raise Fail("no submit button by the field %s" % el.get_attribute("name"))
    return btn


def home(b):
    b.go("/")


def open_new(b, form_id, shot=None, school=None):
    """«Новая запись» → the form list (→ the school on a curator's laptop) →
    the form's page."""
    home(b)
    b.click(b.link("Новая запись") if link_exists(b, "Новая запись") else b.button("Новая запись"))
    check(b.path().startswith("/new"), "«Новая запись» leads to the list of forms")
    title = form_def(form_id)["title"]
    asked_first = False
    if school is not None and not b.els("a[href*='form=']"):
        # a curator's laptop: which school, then the form
        check("школ" in b.text().lower(), "a curator's laptop asks for the school first")
        if shot:
            b.shot(shot + "-school")
        pick_school(b, school)
        asked_first = True
    if shot:
        b.shot(shot + "-forms")
    link = b.els("a[href*='form=%s']" % form_id)
    if link:
        b.click(link[0])
    else:
        b.click(b.link(title[:30]))
    if school is not None and not asked_first:
        check("школ" in b.text().lower() and not b.path().startswith("/fill"),
              "a curator's laptop asks for the school before filling")
        if shot:
            b.shot(shot + "-school")
        pick_school(b, school)
    check(b.path().startswith("/fill"), "the form %s opens for filling (%s)" % (form_id, b.path()))
    check(title[:20] in b.text(), "the form's title is shown")


def pick_school(b, code):
    a = b.els("a[href*='school=%s']" % code)
    if a:
        b.click(a[0])
        return
    for name in ("school", "school_code"):
        if b.named(name):
            b.set(name, code)
            b.click(submit_of(b, b.named(name)[0]))
            return
    b.click(b.link(code))


def link_exists(b, text):
    return any(text.lower() in a.text.lower() for a in b.els("a"))


def finish(b, shot, form_id, dev, before_final):
    """«Проверить и завершить» → the review page → «Завершить»: the record is
    final and queued."""
    b.press("Проверить")
    check(b.path().startswith("/review"), "«Проверить и завершить» leads to the review (%s)" % b.path())
    b.shot(shot + "-review")
    b.press("Завершить")
    check(dev.records(form_id, "final") == before_final + 1, "%s is final in the store" % form_id)
    b.shot(shot + "-done")


def problem_near(b, name):
    """The error text shown next to the field name: the element its
    aria-describedby names for errors ("e-<name>"), else an error element
    inside the field's own wrapper; '' when none."""
    el = b.named(name)
    if not el:
        return ""
    return b.d.execute_script(
        "var e=arguments[0], ids=(e.getAttribute('aria-describedby')||'').split(/\\s+/);"
        "for (var i=0;i<ids.length;i++) { var x=document.getElementById(ids[i]);"
        "  if (x && ids[i].indexOf('e-')===0 && x.textContent.trim()) return x.textContent.trim(); }"
        "var w=e.closest('.tf-field, .field, td, tr, fieldset');"
        "var y=w && w.querySelector('.tf-error, .error, .field-error');"
        "return y ? y.textContent.trim() : '';", el[0])


def group_items(b, group, field):
    """The item indexes rendered for a group, in page order (not the
    script's template, "group[*]")."""
    out = []
    for n in b.names(r"%s\[([^\]*]+)\]\.%s" % (re.escape(group), re.escape(field))):
        out.append(re.match(r"%s\[([^\]]+)\]" % re.escape(group), n).group(1))
    return out


def first_item(b, group, field, js, notes):
    """The first item of a group on a new record: when the page shows none
    (a group with min_items 1 should start with one), «Добавить» first."""
    items = group_items(b, group, field)
    if not items:
        notes.add("a new record shows no item of «%s» although min_items is 1: "
                  "«Добавить» must be pressed first" % group)
        group_act(b, "add:" + group, js)
        b.wait(lambda: group_items(b, group, field), "the first item of %s" % group)
        items = group_items(b, group, field)
    return items[0]


def group_act(b, act, js):
    """An add / remove button of a repeat group: in place with the script,
    a post and the page again without it."""
    btn = b.button(value=act)
    b.click(btn, wait_page=not js)


def fill_student(b, dev, js=True, shot="student"):
    """survey_student, with a wrong value corrected in place and a field
    that appears after a choice (plans: grades 8 and 9)."""
    before = dev.records("survey_student", "final")
    open_new(b, "survey_student", shot)
    b.shot(shot + "-empty")
    if js:
        check(not b.visible("plans"), "«plans» hidden before the grade is known")
    vals = dict(STUDENT)
    wrong = dict(vals, grade="15", homework_hours="два")
    vals_no_plans = {k: v for k, v in wrong.items() if k != "plans"}
    b.fill(vals_no_plans)
    b.press("Проверить")
    check(b.path().startswith("/fill"), "a wrong value keeps the person on the form")
    check(b.value("grade") == "15", "the wrong grade is still there as typed")
    check(b.value("homework_hours") == "два", "text that is not a number is kept as typed")
    check(b.value("wish") == STUDENT["wish"], "the other answers are kept")
    check(problem_near(b, "grade") != "", "an error next to «grade»: %r" % problem_near(b, "grade"))
    check(problem_near(b, "homework_hours") != "", "an error next to «homework_hours»")
    b.shot(shot + "-errors", b.named("grade")[0])
    b.set("grade", "8")
    if js:
        b.wait(lambda: b.visible("plans"), "«plans» to appear after grade 8")
        check(True, "«plans» appears after grade 8 is typed")
    b.set("homework_hours", "1,5")
    if not js or b.visible("plans"):
        b.set("plans", "college")
    if not js:
        # without the script the server judges relevance on the next post
        b.press("Проверить")
        if b.path().startswith("/fill"):
            b.set("plans", "college")
            b.press("Проверить")
        check(b.path().startswith("/review"), "the review after the correction")
        b.shot(shot + "-review")
        b.press("Завершить")
        check(dev.records("survey_student", "final") == before + 1, "survey_student is final")
    else:
        finish(b, shot, "survey_student", dev, before)
    expect_stored("survey_student", vals, dev.record_data("survey_student")[-1])


def fill_simple(b, dev, form_id, vals, shot, appears=None, js=True):
    """A form filled top to bottom and finalized; appears = (choice field,
    the field it makes appear)."""
    before = dev.records(form_id, "final")
    open_new(b, form_id, shot)
    if appears and js:
        check(not b.visible(appears[1]), "«%s» hidden before «%s» is answered" % appears[::-1])
    for k, v in vals.items():
        b.set(k, v)
        if appears and js and k == appears[0]:
            b.wait(lambda: b.visible(appears[1]), "«%s» to appear" % appears[1])
            check(True, "«%s» appears after «%s» is answered" % (appears[1], appears[0]))
            b.shot(shot + "-appears", b.named(appears[0])[0])
    finish(b, shot, form_id, dev, before)
    expect_stored(form_id, vals, dev.record_data(form_id)[-1])


def fill_director_draft(b, dev, shot="director"):
    """survey_director: half filled, saved as a draft, found in the list the
    next day and finished."""
    open_new(b, "survey_director", shot)
    b.fill(DIRECTOR_FIRST)
    drafts = dev.records("survey_director", "draft")
    b.press("черновик")
    check(dev.records("survey_director", "draft") == drafts + 1, "the half-filled form is a draft")
    b.shot(shot + "-draft-saved")
    # later: the list, the draft, filling on
    home(b)
    b.click(b.link("Записи") if link_exists(b, "Записи") else b.button("Записи"))
    check(b.path().startswith("/records"), "«Записи» shows the list")
    b.shot("records")
    if b.named("status"):
        b.set("status", "draft")
        b.click(submit_of(b, b.named("status")[0]))
        b.shot("records-drafts")
    row = [a for a in b.els("a[href*='id=']") if "/record" in (a.get_attribute("href") or "")
           or "/fill" in (a.get_attribute("href") or "")]
    check(row, "the draft is listed")
    b.click(row[0])
    if b.path().startswith("/record"):
        b.shot(shot + "-draft-page")
        go = b.els("a[href*='/fill?id=']")
        check(go, "the draft's page has a link to fill it on")
        b.click(go[0])
    check(b.path().startswith("/fill"), "the draft opens for filling")
    check(b.value("experience_years") == "6", "the draft kept what was typed")
    b.fill(DIRECTOR_REST)
    finish(b, shot, "survey_director", dev, dev.records("survey_director", "final"))
    check(dev.records("survey_director", "draft") == drafts, "the draft became the final record")
    expect_stored("survey_director", dict(DIRECTOR_FIRST, **DIRECTOR_REST),
                  dev.record_data("survey_director")[-1])


def fill_case(b, dev, js=True, shot="case"):
    """mediation_case: two parties added, the middle one removed (the third
    moves up with its answers), fields appearing with the status."""
    before = dev.records("mediation_case", "final")
    open_new(b, "mediation_case", shot)
    b.fill(CASE_HEAD)
    first = first_item(b, "parties", "role", js, b.notes)
    for k, v in PARTY_1.items():
        b.set("parties[%s].%s" % (first, k), v)
    for n in (2, 3):
        group_act(b, "add:parties", js)
        b.wait(lambda: len(group_items(b, "parties", "role")) == n, "party %d to be added" % n)
    items = group_items(b, "parties", "role")
    check(len(items) == 3, "two parties added: %s" % items)
    check(b.value("parties[%s].full_name" % first) == PARTY_1["full_name"],
          "the first party's name kept after adding")
    for idx, party in ((items[1], PARTY_2), (items[2], PARTY_3)):
        for k, v in party.items():
            b.set("parties[%s].%s" % (idx, k), v)
    b.shot(shot + "-three-parties", b.named("parties[%s].role" % items[0])[0])
    group_act(b, "del:parties[%s]" % items[1], js)
    b.wait(lambda: len(group_items(b, "parties", "role")) == 2, "a party to be removed")
    items = group_items(b, "parties", "role")
    names = [b.value("parties[%s].full_name" % i) for i in items]
    check(names == [PARTY_1["full_name"], PARTY_3["full_name"]],
          "the middle party removed, the others kept: %s" % names)
    check(b.value("parties[%s].class_name" % items[1]) == "7Б", "the third party's answers moved with it")
    b.shot(shot + "-party-removed", b.named("parties[%s].role" % items[0])[0])
    if js:
        check(not b.visible("programme"), "«programme» hidden until the status says")
    for k, v in CASE_TAIL.items():
        b.set(k, v)
        if js and k == "status":
            b.wait(lambda: b.visible("programme"), "«programme» to appear with status «completed»")
            check(True, "«programme» appears after the status is chosen")
    finish(b, shot, "mediation_case", dev, before)
    data = dev.record_data("mediation_case")[-1]
    expect_stored("mediation_case", dict(CASE_HEAD, **CASE_TAIL), data)
    parties = data.get("parties") or []
    check(len(parties) == 2 and [p.get("role") for p in parties] == ["student", "student"]
          and [p.get("age") for p in parties] == [13, 13], "two parties stored: %s" % parties)


def delete_draft(b, dev, shot="delete"):
    """A draft started by mistake, deleted with a confirmation page."""
    open_new(b, "survey_student")
    b.set("grade", "4")
    b.press("черновик")
    n = dev.records(None, "draft")
    rid = dev.sql("SELECT hex(id) FROM records WHERE status='draft' ORDER BY updated_hlc DESC")[0][0]
    b.go("/records")
    links = [a for a in b.els("a[href*='id=']") if "/record?" in (a.get_attribute("href") or "")]
    check(links, "records are listed with links to their pages")
    target = None
    for a in links:
        h = a.get_attribute("href").lower()
        if rid.lower() in h.replace("-", ""):
            target = a
            break
    check(target is not None, "the new draft is in the list")
    b.click(target)
    b.shot("record-page")
    d = b.els("a[href*='/delete?id=']")
    check(d, "the record page has «Удалить»")
    b.click(d[0])
    check(b.path().startswith("/delete"), "deleting asks first")
    b.shot(shot + "-confirm")
    check(dev.records(None, "draft") == n, "nothing deleted before the confirmation")
    b.press("Удалить")
    check(dev.records(None, "draft") == n - 1, "the draft is deleted after the confirmation")
    b.shot(shot + "-done")


def sync(b, dev, hub, shot="sync", expect_sent=None):
    """«Синхронизировать»: the progress page (it reloads itself with the
    script; without it the person presses «Обновить»), then the result in
    words."""
    home(b)
    pending = dev.outbox("pending")
    b.press("Синхронизировать")
    check(b.path().startswith("/sync"), "«Синхронизировать» shows the sync page")
    b.shot(shot + "-progress")
    end = time.time() + 90
    while True:
        try:
            running = bool(b.els("#child-status[data-running='1']"))
            result = b.els("#sync-result")
            if not running and result:
                words = result[0].text
                break
            if not running:
                raise Fail("the sync page shows neither progress nor a result: %s" % b.text()[:300])
            if not b.js:
                b.click(b.link("Обновить"))
        except Fail:
            raise
        except Exception:
            pass    # the page reloaded under us
        if time.time() > end:
            raise Fail("the sync did not end in 90 s: %s" % b.text()[:300])
        time.sleep(1)
    b.shot(shot + "-result")
    print("   the sync's result: %s" % words, flush=True)
    check(dev.outbox("pending") == 0, "nothing left pending after the sync (was %d)" % pending)
    if expect_sent is not None:
        check(hub.records() >= expect_sent, "the hub holds %d records (want %d)" % (
            hub.records(), expect_sent))
    return words


def download(b, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        files = [f for f in os.listdir(b.downloads)
                 if not f.endswith((".crdownload", ".tmp")) and not f.startswith(".")]
        if files:
            p = os.path.join(b.downloads, files[0])
            time.sleep(0.3)
            return p
        time.sleep(0.2)
    raise Fail("no download in %d s" % timeout)


def export(b, form_id, fmt, shot=None):
    """«Выгрузить»: pick the form and the format, the file downloads."""
    for f in os.listdir(b.downloads):
        os.unlink(os.path.join(b.downloads, f))
    home(b)
    b.click(b.link("Выгрузить") if link_exists(b, "Выгрузить") else b.button("Выгрузить"))
    check(b.path().startswith("/export"), "«Выгрузить» shows the export page")
    if shot:
        b.shot(shot)
    direct = b.els("a[href*='/export/file?form=%s&fmt=%s']" % (form_id, fmt))
    if direct:
        direct[0].click()
    else:
        b.set("form", form_id)
        b.click(b.button(value=fmt), wait_page=False)
    return download(b)


def xlsx_dates(v):
    if isinstance(v, datetime.datetime):
        return v.date()
    return v


def fill_rounds(b, vals, rounds=4):
    """Without the script a field that depends on another is judged by the
    server on the next post: fill what the page shows, «Проверить», and
    again with what appeared, until the review page."""
    left = dict(vals)
    for _ in range(rounds):
        for k in list(left):
            if b.named(k) and b.visible(k):
                b.set(k, left.pop(k))
        b.press("Проверить")
        if b.path().startswith("/review"):
            return left
    raise Fail("no review page after %d rounds; left %s; page: %s" % (
        rounds, list(left), b.text()[:400]))


def enroll_file(b, path, shot="enroll"):
    """The enrollment file the hub gave, uploaded on «Регистрация»."""
    b.go("/enroll")
    check(b.path().startswith("/enroll"), "the enrollment page")
    b.shot(shot)
    f = b.els("input[type=file]")
    check(f, "the enrollment page has a file field")
    f[0].send_keys(path)
    b.click(submit_of(b, f[0]))
    end = time.time() + 60
    while time.time() < end and re.search(r"(идёт|выполняется|подождите)", b.text().lower()):
        time.sleep(0.5)
        b.d.refresh()
    b.shot(shot + "-done")
