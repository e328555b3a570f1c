"""The interface with JavaScript switched off in the browser
(test_ui_browser_nojs.sh): every page still works, the server does what the
script would. A mediation case with two parties added and one removed
(each press a post), its status's fields after the next post, a survey with
a wrong value corrected, the records, a record, the sync page with its
«Обновить» link, the export downloads. Screenshots 70-89."""
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


def flow(env):
    hub = t.Hub(env)
    dev = t.Device(env, "school", school="170103", label="МБОУ СОШ № 3")
    dev.enroll(hub, "--school", "170103", "--name", "МБОУ СОШ № 3")
    ui = t.Ui(dev)
    b = t.Browser(env, 70, js=False)
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
    fl.sync(b, dev, hub, shot="nojs-sync", expect_sent=2)
    p = fl.export(b, "mediation_case", "xlsx", shot="nojs-export")
    check(p.endswith(".xlsx") and os.path.getsize(p) > 1000, "the .xlsx downloads without the script")
    for path in ("/import", "/enroll", "/refused", "/new"):
        b.go(path)
        check(b.path().startswith(path), "%s opens" % path)
        b.shot("nojs-" + path.strip("/"))
    return []


if __name__ == "__main__":
    t.main("ui-browser-nojs", flow)
