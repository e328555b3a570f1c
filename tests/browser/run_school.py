"""A school's social pedagogue in the browser (test_ui_browser_school.sh):
the passphrase page, the four surveys, the social passport and a mediation
case filled and finalized (a wrong value corrected in place, fields that
appear after a choice, two parties added and one removed, a draft finished
later, a draft deleted), sync to the real hub, the hub's reports count
them, the .xlsx and the CSV downloaded and read back, a CSV imported.
Screenshots 01-49."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tbrowser as t  # noqa: E402
import flows as fl  # noqa: E402
import checks  # noqa: E402


def flow(env):
    hub = t.Hub(env)
    dev = t.Device(env, "school", school="170103", label="МБОУ СОШ № 3")
    dev.enroll(hub, "--school", "170103", "--name", "МБОУ СОШ № 3")
    dev.set_passphrase(fl.PASSPHRASE)
    ui = t.Ui(dev)
    b = t.Browser(env, 1, 49)
    fl.start(b, ui, passphrase=fl.PASSPHRASE)
    fl.fill_student(b, dev)
    fl.fill_simple(b, dev, "survey_parent", fl.PARENT, "parent", appears=("needs_help", "help_subjects"))
    fl.fill_simple(b, dev, "survey_teacher", fl.TEACHER, "teacher",
                   appears=("training_last_year", "training_useful"))
    fl.fill_director_draft(b, dev)
    fl.fill_simple(b, dev, "social_passport", fl.PASSPORT, "passport", appears=("level", "class_name"))
    fl.fill_case(b, dev)
    fl.delete_draft(b, dev)
    t.check(dev.outbox("pending") == 6, "six records wait in the outbox")
    fl.sync(b, dev, hub, expect_sent=6)
    checks.school_reports(hub)
    checks.case_xlsx(b, dev, env)
    checks.case_csv(b, dev, env)
    checks.import_csv(b, dev, env)
    return []


if __name__ == "__main__":
    t.main("ui-browser-school", flow)
