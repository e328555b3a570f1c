"""A municipal curator's laptop in the browser (test_ui_browser_curator.sh):
enrolled from the hub's enrollment file, the first sync brings the issued
risk profile, a verification visit to one of the curator's schools (the
school asked first) with the eleven-factor table, a missing comment
corrected in place, the visit synced and counted by the hub's verification
report, the .xlsx with a sheet of the factors. Screenshots 50-69."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tbrowser as t  # noqa: E402
import flows as fl  # noqa: E402
from tbrowser import check  # noqa: E402

LEVELS = "hhmhlmhlhhn"   # R01..R11 issued to 170103 for 2026
NAMES = {"h": "высокий", "m": "средний", "l": "низкий", "n": "не выявлен"}
VISIT = {
    "project_year": "2026", "curator": "Петрова Мария Ивановна", "visit_type": "verification",
    "visit_format": "onsite", "visit_date": "04.03.2026",
    "participants": ["director", "deputy", "teachers"],
}
VISIT_TAIL = {
    "conclusions": "Итоги посещения обсуждены с директором.",
    "next_steps": "Концепция развития до 30 апреля.", "medk_entered": True, "medk_date": "06.03.2026",
}
CONFIRMED = ("R01", "R02", "R07", "R09", "R10")


def hub_setup(env, hub):
    csv = env.path("schools.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("Код ОО;Наименование\n170103;МБОУ СОШ № 3\n170104;МБОУ СОШ № 4\n")
    hub.cli("schools", "import", csv)
    prof = env.path("profile.csv")
    with open(prof, "w", encoding="utf-8") as f:
        f.write("Код ОО;Год;Фактор;Уровень\n")
        for i, c in enumerate(LEVELS):
            f.write("170103;2026;R%02d;%s\n" % (i + 1, NAMES[c]))
    hub.cli("profile", "import", prof)


def factor_table(b, key):
    return b.d.execute_script(
        "var e=document.getElementsByName(arguments[0])[0]; var t=e && e.closest('table');"
        "return t ? t.innerText : '';", "factors[%s].decision" % key)


def fill_visit(b, dev):
    before = dev.records("risk_visit", "final")
    fl.open_new(b, "risk_visit", "visit", school="170103")
    check(b.value("school_code") in (None, "170103"), "the school chosen first is the visit's school")
    b.fill(VISIT)
    keys = fl.group_items(b, "factors", "decision")
    check(len(keys) == 11, "eleven factor rows in the table: %s" % keys)
    table = factor_table(b, keys[0])
    check(table != "", "the factors are a table")
    if "высокий" not in table:
        b.notes.add("risk_visit: the issued levels show «—» while the form is filled in "
                    "(they appear only after a post, once the year is known)")
    skipped = None
    for n, k in enumerate(keys):
        code = "R%02d" % (n + 1)
        dec = "confirmed" if code in CONFIRMED else ("needs_clarification" if code == "R03" else "not_confirmed")
        b.set("factors[%s].decision" % k, dec)
        b.set("factors[%s].evidence" % k, ["talk_admin", "documents"])
        if dec != "confirmed":
            if code == "R04":
                skipped = k   # the comment a curator forgot
                continue
            b.set("factors[%s].comment" % k, "Не подтверждено документами школы")
    b.shot("visit-factors", b.d.execute_script(
        "return arguments[0].closest('fieldset') || arguments[0].closest('table');",
        b.named("factors[%s].decision" % keys[0])[0]))
    b.fill({k: v for k, v in VISIT_TAIL.items()})
    b.press("Проверить")
    check(b.path().startswith("/fill"), "a missing comment keeps the curator on the form")
    msg = fl.problem_near(b, "factors[%s].comment" % skipped)
    check(msg != "", "an error next to R04's comment: %r" % msg)
    check(b.value("factors[%s].decision" % keys[0]) in ("confirmed", ["confirmed"]),
          "the decisions are kept")
    b.shot("visit-error", b.named("factors[%s].comment" % skipped)[0])
    table = factor_table(b, keys[0])
    for lev in ("высокий", "средний", "низкий", "не выявлен"):
        check(lev in table, "the issued level «%s» is shown in the table" % lev)
    b.set("factors[%s].comment" % skipped, "Нет данных за прошлый год")
    fl.finish(b, "visit", "risk_visit", dev, before)
    data = dev.record_data("risk_visit")[-1]
    fl.expect_stored("risk_visit", dict(VISIT, **VISIT_TAIL), data)
    fs = data.get("factors") or []
    check(len(fs) == 11, "eleven factors stored")
    levels = [f.get("profile_level") for f in fs]
    want = [{"h": "high", "m": "medium", "l": "low", "n": "not_found"}[c] for c in LEVELS]
    check(levels == want, "each factor keeps its issued level: %s" % levels)
    check(data.get("school_code") == "170103", "the visit's school is 170103")


def visit_xlsx(b):
    path = fl.export(b, "risk_visit", "xlsx")
    import checks
    wb = checks.load_xlsx(path)
    check(len(wb.sheetnames) == 2, "two sheets: the visits and the factors: %s" % wb.sheetnames)
    fs = wb[wb.sheetnames[1]]
    rows = [r for r in checks.data_rows(fs) if r[0].value]
    check(len(rows) == 11, "eleven factor rows")
    lev = [r[checks.col(fs, "Уровень в рисковом профиле")].value for r in rows]
    check(lev[:3] == ["высокий", "высокий", "средний"], "issued levels as labels: %s" % lev[:3])


def flow(env):
    problems = []
    hub = t.Hub(env)
    hub_setup(env, hub)
    dev = t.Device(env, "laptop", curator="Петрова М. И.")
    ef = env.path("enroll.tetrad")
    r = hub.cli("token", "create", "--curator", "Петрова М. И.", "--schools", "170103,170104",
                "--enroll-file", ef, "--hub-url", hub.url, check_rc=False)
    ui = t.Ui(dev)
    b = t.Browser(env, 50, 69)
    fl.start(b, ui)
    if r.returncode == 0 and os.path.exists(ef):
        fl.enroll_file(b, ef)
        check(dev.count("SELECT COUNT(*) FROM meta WHERE key='hub_url' AND value=?", (hub.url,)) == 1,
              "enrolled from the file: the hub's address is stored")
        check("170104" in (dev.sql("SELECT value FROM meta WHERE key='device_schools'") or [[""]])[0][0],
              "the curator's schools came with the enrollment")
    else:
        problems.append("tetrad-hub token create --enroll-file: exit %d: %s" % (r.returncode, r.stderr.strip()))
        dev.enroll(hub, "--curator", "Петрова М. И.", "--schools", "170103,170104")
    fl.sync(b, dev, hub, shot="first-sync")
    check(dev.count("SELECT COUNT(*) FROM meta WHERE key='risk_profile'") == 1,
          "the first sync brought the issued risk profile")
    fl.home(b)
    b.shot("curator-home")
    fill_visit(b, dev)
    fl.sync(b, dev, hub, shot="visit-sync", expect_sent=1)
    rep = hub.report("verification")
    visits = [v for v in rep.get("visits", []) if v.get("school") == "170103"]
    check(len(visits) == 1, "the hub's verification report counts the visit: %s" % visits)
    b.go("/records?school=170103")
    b.shot("curator-records")
    visit_xlsx(b)
    return problems


if __name__ == "__main__":
    t.main("ui-browser-curator", flow)
