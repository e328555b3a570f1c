"""checks — what the browser's work must have left behind: the hub's reports
counting the records, the downloaded .xlsx read back with openpyxl, the CSV
equal to the command line's, an imported CSV's records."""
import datetime
import os

import flows as fl
import tbrowser as t
from tbrowser import Fail, check


def rows_of(rep, section, school):
    return [r for r in rep.get(section, []) if r.get("school") == school]


def school_reports(hub, school="170103"):
    """The six records sent from the browser, as the hub's reports count
    them (`tetrad-hub report NAME --format json`)."""
    check(hub.records() == 6, "the hub holds the six records (%d)" % hub.records())
    med = hub.report("mediation")
    s = rows_of(med, "summary", school)
    check(len(s) == 1 and s[0]["cases"] == 1 and s[0]["completed"] == 1 and s[0]["agreement"] == 1
          and s[0]["children"] == 2 and s[0]["adults"] == 1,
          "report mediation: one completed case with an agreement, 2 children, 1 adult")
    prog = rows_of(med, "by_programme", school)
    check([(r["code"], r["count"]) for r in prog] == [("mediation", 1)], "report mediation: by programme")
    sur = hub.report("surveys")
    got = {r["group"]: r["responses"] for r in rows_of(sur, "responses", school)}
    check(got == {"survey_student": 1, "survey_parent": 1, "survey_teacher": 1, "survey_director": 1},
          "report surveys: one answer of each of the four surveys: %s" % got)
    pas = hub.report("passport")
    p = rows_of(pas, "schools", school)
    check(len(p) == 1 and p[0]["records"] == 1 and p[0]["students"] == 27
          and p[0]["academic_year"] == "2025/2026",
          "report passport: the class passport of 27 students: %s" % p)


def load_xlsx(path):
    import openpyxl
    return openpyxl.load_workbook(path)


def header(ws):
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def data_rows(ws):
    return [list(r) for r in ws.iter_rows(min_row=2)]


def col(ws, name):
    h = header(ws)
    for i, v in enumerate(h):
        if v == name or (isinstance(v, str) and v.endswith(": " + name)):
            return i
    raise Fail("sheet «%s» has no column «%s»: %s" % (ws.title, name, h))


def case_xlsx(b, dev, env):
    """The mediation cases as .xlsx from «Выгрузить»: a sheet of records
    and one of the parties, Russian headers, labels, dates as dates,
    numbers as numbers, frozen header, autofilter."""
    path = fl.export(b, "mediation_case", "xlsx", shot="export")
    check(path.endswith(".xlsx"), "the download is an .xlsx: %s" % os.path.basename(path))
    wb = load_xlsx(path)
    check(len(wb.sheetnames) == 2, "two sheets, the records and the parties: %s" % wb.sheetnames)
    rec, parties = wb[wb.sheetnames[0]], wb[wb.sheetnames[1]]
    h = header(rec)
    check(h[:3] == ["Запись", "Статус записи", "Версия формы"], "the records sheet starts as the CSV: %s" % h[:3])
    form = fl.form_def("mediation_case")
    labels = [f["label"] for f in form["fields"] if f["type"] != "group"]
    check([x for x in h if x in labels] == labels, "a column per field, Russian labels in the form's order")
    rows = [r for r in data_rows(rec) if r[0].value]
    check(len(rows) == 1, "one case in the records sheet")
    r = rows[0]
    cell = lambda name: r[col(rec, name)]  # noqa: E731
    check(cell("Номер случая").value == "2026-01", "the case number")
    d = cell("Дата поступления")
    check(isinstance(d.value, datetime.datetime) and d.value.date() == datetime.date(2026, 2, 10),
          "the received date is an Excel date: %r" % d.value)
    check("dd" in d.number_format.lower() and "yyyy" in d.number_format.lower(),
          "shown as ДД.ММ.ГГГГ (%s)" % d.number_format)
    check(cell("Источник обращения").value == "педагог", "a choice as its label, not its code")
    n = cell("Число медиаторов").value
    check(isinstance(n, (int, float)) and n == 2, "a number as a number: %r" % n)
    check(cell("Суть конфликта").value == fl.CASE_TAIL["summary"], "the local summary is exported here")
    check(rec.freeze_panes in ("A2", "B2"), "the header row frozen (%s)" % rec.freeze_panes)
    check(rec.auto_filter.ref is not None, "an autofilter on the records")
    widths = [d.width for d in rec.column_dimensions.values() if d.width]
    check(len(widths) >= 3, "column widths set")
    ph = header(parties)
    check(ph[0] == "Запись", "the parties' sheet is linked by «Запись»: %s" % ph)
    prow = [x for x in data_rows(parties) if x[0].value]
    check(len(prow) == 2, "two parties (one was removed)")
    names = [x[col(parties, "ФИО")].value for x in prow]
    check(names == [fl.PARTY_1["full_name"], fl.PARTY_3["full_name"]], "the parties' names: %s" % names)
    ages = [x[col(parties, "Возраст")].value for x in prow]
    check(all(isinstance(a, (int, float)) and a == 13 for a in ages), "ages as numbers: %s" % ages)
    check(all(x[0].value == r[0].value for x in prow), "the parties carry the case's record id")
    check(parties.freeze_panes in ("A2", "B2") and parties.auto_filter.ref is not None,
          "the parties' sheet: frozen header and autofilter")


def case_csv(b, dev, env):
    """CSV from the browser = `tetrad export … --format csv` byte for byte."""
    path = fl.export(b, "mediation_case", "csv")
    got = open(path, "rb").read()
    pf = env.path("pass.txt")
    out = env.path("cli.csv")
    dev.tetrad("--passphrase-file", pf, "export", "mediation_case", "--format", "csv", "--out", out)
    want = open(out, "rb").read()
    check(got == want, "the CSV from the browser is the command line's (%d / %d bytes)" % (len(got), len(want)))


PASSPORT_CSV = (
    "academic_year;snapshot_date;level;class_name;students_total;students_4_11;families_total;"
    "large_families;low_income_families;single_parent_families;foster_children;orphans;"
    "disabled_children;special_needs;sop_families;tjs_families;kdn_registered;pdn_registered;"
    "school_registered;unemployed_parents;parents_higher_education;non_native_russian;migrant_families\n"
    "2025/2026;2025-09-20;class;5Б;26;26;24;5;8;7;0;1;0;3;0;1;1;0;1;5;2;3;2\n"
    "2025/2026;2025-09-20;class;6А;28;28;27;7;6;9;1;1;1;2;1;2;0;1;2;3;4;1;1\n"
    "2025/2026;2025-09-20;class;6Б;25;25;22;4;5;6;0;0;1;1;0;1;0;0;1;2;5;1;0\n")


def upload(b, form_id, path):
    fl.home(b)
    b.go("/import")
    check(b.path().startswith("/import"), "the import page")
    if b.named("form"):
        b.set("form", form_id)
    f = b.els("input[type=file]")
    check(f, "the import page has a file field")
    f[0].send_keys(path)
    b.click(fl.submit_of(b, f[0]))


def import_csv(b, dev, env):
    """Class passports from a spreadsheet: a bad row is reported by its
    number and nothing is added; the corrected file adds three records."""
    bad = env.path("passport-bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(PASSPORT_CSV.replace(";5Б;26;26;24;", ";5Б;26;26;240;"))
    n = dev.records("social_passport")
    b.go("/import")
    b.shot("import")
    upload(b, "social_passport", bad)
    check(dev.records("social_passport") == n, "a file with a bad row adds nothing")
    check("строка 2" in b.text().lower() or "строке 2" in b.text().lower(),
          "the problem is reported with its row")
    b.shot("import-problems")
    good = env.path("passport.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write(PASSPORT_CSV)
    upload(b, "social_passport", good)
    check(dev.records("social_passport") == n + 3, "three class passports imported")
    b.shot("import-done")
