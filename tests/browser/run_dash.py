"""The coordinator's dashboard in a real headless Chromium against the real
tetrad-hub filled with the demo's data (scripts/demo-run.sh, the README's
first command): the login page, a wrong password, the overview and every
indicator's page with the numbers of `tetrad-hub report NAME --format json`
for the same filters, the .xlsx downloaded and read back, the review and
administration pages and what an administrator changes there (accounts,
schools, programmes, a form published by upload), every listing downloaded
as .xlsx and CSV, a school account kept to its own school, the CSRF
token, the session cookie, throttling of failed logins per account and per
address, the audit log (and no password anywhere in the store or the log).
Screenshots 100-139 (test_hub_dash_browser.sh)."""
import http.client
import json
import os
import re
import sqlite3
import ssl
import stat
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tbrowser as t  # noqa: E402
from tbrowser import check  # noqa: E402

USERS = {  # login: (role, school, password)
    "admin": ("admin", None, "admin-pass-0001"),
    "coord": ("coordinator", None, "coord-pass-0001"),
    "dir3": ("school", "170103", "school-pass-0001"),
    "victim": ("coordinator", None, "victim-pass-0001"),
}
REPORTS = ("verification", "mediation", "passport", "identification", "surveys")


class DemoHub(t.Hub):
    """The hub of the README's demonstration, with its data, served again."""

    def __init__(self, env):
        self.env = env
        demo = env.path("demo")
        r = subprocess.run(
            ["bash", os.path.join(env.src, "scripts", "demo-run.sh"), env.bin],
            env=dict(os.environ, TETRAD_DEMO_DIR=demo, TETRAD_DEMO_KEEP="1", TETRAD_DEMO_UI="0"),
            capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise t.Fail("the demo failed: %s%s" % (r.stdout[-3000:], r.stderr[-2000:]))
        self.dir = os.path.join(demo, "hub")
        self.ca = os.path.join(self.dir, "tls", "ca.pem")
        self.proc = None
        env.hubs.append(self)
        self.start()
        for login, (role, school, pw) in USERS.items():
            f = env.path("pw-" + login)
            with open(f, "w") as fh:
                fh.write(pw + "\n")
            os.chmod(f, stat.S_IRUSR | stat.S_IWUSR)
            args = ["user", "add", login, "--role", role, "--password-file", f]
            if school:
                args += ["--school", school]
            self.cli(*args)

    def spki(self):
        """The base64 SHA-256 of the hub certificate's public key: Chromium
        trusts exactly that key (as a coordinator's browser trusts the
        municipality's certificate), nothing else."""
        pem = os.path.join(self.dir, "tls", "server.pem")
        der = subprocess.run(["openssl", "x509", "-in", pem, "-pubkey", "-noout"],
                             capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=der,
                             capture_output=True, check=True).stdout
        import base64
        import hashlib
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def report_json(self, name, school=None):
        args = ["report", name, "--format", "json"]
        if school:
            args += ["--school", school]
        return json.loads(self.cli(*args).stdout)


class Raw:
    """The hub spoken to with http.client, every header by hand."""

    def __init__(self, hub, source=None):
        self.hub = hub
        self.source = source
        self.ctx = ssl.create_default_context(cafile=hub.ca)

    def request(self, method, path, body=None, cookie=None, headers=None):
        c = http.client.HTTPSConnection("127.0.0.1", self.hub.port, context=self.ctx, timeout=30,
                                        source_address=(self.source, 0) if self.source else None)
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = cookie
        if body is not None:
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
            body = urllib.parse.urlencode(body) if isinstance(body, dict) else body
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        out = (r.status, r.getheaders(), data.decode("utf-8", "replace"))
        c.close()
        return out

    def login(self, login, password, next_="/"):
        """The login form as a browser posts it: (status, headers, session cookie)."""
        st, hd, body = self.request("GET", "/login")
        m = re.search(r'name="_login" value="([0-9a-f]{64})"', body)
        ck = [v for k, v in hd if k.lower() == "set-cookie" and v.startswith("__Host-tetrad_login=")]
        if not m or not ck:
            raise t.Fail("the login page has no token of its own: %d" % st)
        st, hd, body = self.request("POST", "/login", {"_login": m.group(1), "next": next_,
                                                        "login": login, "password": password},
                                    cookie=ck[0].split(";")[0])
        sess = [v for k, v in hd if k.lower() == "set-cookie" and v.startswith("__Host-tetrad_session=")
                and "Max-Age=0" not in v]
        return st, hd, sess[0] if sess else None


def header(hd, name):
    return [v for k, v in hd if k.lower() == name.lower()]


# ---- the page against the report's JSON ---------------------------------

PAGE_TABLES = """
return Array.from(document.querySelectorAll('section.report-sect')).map(function (s) {
  var t = s.querySelector('table');
  return {key: s.dataset.key, rows: t ? parseInt(t.dataset.rows) : 0,
    keys: t ? Array.from(t.querySelectorAll('thead th')).map(function (h) { return h.dataset.key; }) : [],
    heads: t ? Array.from(t.querySelectorAll('thead th')).map(function (h) { return h.textContent; }) : [],
    cells: t ? Array.from(t.querySelectorAll('tbody tr')).map(function (r) {
      return Array.from(r.cells).map(function (c) { return c.textContent; }); }) : []};
});
"""


def same_value(shown, want):
    if want is None:
        return shown == "—"
    if isinstance(want, bool):
        return shown in ("да", "нет")
    if isinstance(want, (int, float)):
        # a share of 100.0 is 100 in the JSON and «100,0» on the page
        try:
            return abs(float(shown.replace(",", ".")) - want) < 1e-9
        except ValueError:
            return False
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", str(want))
    if m:  # a date is shown as people write it
        return shown == "%s.%s.%s" % (m.group(3), m.group(2), m.group(1))
    return shown == str(want)


def page_matches_json(b, rep, what):
    tables = b.d.execute_script(PAGE_TABLES)
    sects = [k for k, v in rep.items() if isinstance(v, list)]
    check([x["key"] for x in tables] == sects,
          "%s: the page shows the report's sections in order: %s" % (what, sects))
    cells = 0
    for x in tables:
        rows = rep[x["key"]]
        check(x["rows"] == len(rows), "%s/%s: %d rows as in the JSON" % (what, x["key"], len(rows)))
        check(len(x["cells"]) == min(len(rows), 500), "%s/%s: the rows shown" % (what, x["key"]))
        for i, r in enumerate(x["cells"]):
            for k, shown in zip(x["keys"], r):
                if not same_value(shown, rows[i].get(k)):
                    raise t.Fail("%s/%s row %d %s: the page shows %r, the JSON has %r"
                                 % (what, x["key"], i, k, shown, rows[i].get(k)))
                cells += 1
    return tables, cells


def xlsx_matches_json(path, rep, tables, what):
    import openpyxl
    wb = openpyxl.load_workbook(path)
    sheets = [ws for ws in wb.worksheets if ws.title != "Параметры"]
    check(wb.worksheets[0].title == "Параметры", "%s.xlsx: the first sheet is «Параметры»" % what)
    check(len(sheets) == len(tables), "%s.xlsx: a sheet per section (%d)" % (what, len(tables)))
    for ws, x in zip(sheets, tables):
        rows = rep[x["key"]]
        head = [c.value for c in ws[1]]
        check(head == x["heads"], "%s.xlsx/%s: the page's headers" % (what, ws.title))
        check(ws.max_row - 1 == len(rows), "%s.xlsx/%s: %d rows" % (what, ws.title, len(rows)))
        for i, r in enumerate(ws.iter_rows(min_row=2, values_only=True)):
            for k, v in zip(x["keys"], r):
                want = rows[i].get(k)
                if isinstance(want, (int, float)) and not isinstance(want, bool):
                    ok = isinstance(v, (int, float)) and abs(v - want) < 1e-9
                else:
                    ok = v == want
                if not ok:
                    raise t.Fail("%s.xlsx/%s row %d %s: %r, the JSON has %r" % (what, ws.title, i,
                                                                               k, v, want))


def wait_download(b, suffix, before):
    end = time.time() + 20
    while time.time() < end:
        new = [f for f in os.listdir(b.downloads) if f.endswith(suffix) and f not in before]
        if new:
            return os.path.join(b.downloads, new[0])
        time.sleep(0.1)
    raise t.Fail("no %s downloaded (folder: %s)" % (suffix, os.listdir(b.downloads)))


def refused(b, what):
    """A page refused on purpose (403): its status line in the console is
    expected, not a page problem."""
    check(b.d.title.startswith("Нет доступа"), what)
    try:
        b.d.get_log("browser")
    except Exception:
        pass


def login(b, hub, user, password=None):
    b.base = hub.url
    b.go("/login")
    b.set("login", user)
    b.set("password", password or USERS[user][2])
    b.press("Войти")


def logout(b):
    b.press("Выйти")
    check(b.path().startswith("/login"), "«Выйти» leads to the login page")


# ---- the flows ------------------------------------------------------------

def coordinator(b, hub):
    b.base = hub.url
    b.go("/")
    check(b.path().startswith("/login"), "without a session / leads to the login page")
    b.shot("dash-login")
    login(b, hub, "coord", "not-the-password")
    check("Неверный логин или пароль" in b.text(), "a wrong password is said in Russian")
    check(b.value("login") == "coord", "the login is kept in the form")
    b.shot("dash-login-wrong")
    login(b, hub, "coord")
    check(b.path() == "/", "the coordinator lands on the overview")
    check("Полнота сбора" in b.text() and "устройств подключено" in b.text(), "the overview")
    b.shot("dash-overview")
    page_matches_json(b, hub.report_json("completeness"), "completeness")
    for name in REPORTS:
        b.go("/report/" + name)
        b.shot("dash-" + name)
        tables, n = page_matches_json(b, hub.report_json(name), name)
        check(n > 0 or name == "identification", "%s: %d cells compared" % (name, n))
        b.go("/report/%s?school=170103" % name)
        page_matches_json(b, hub.report_json(name, "170103"), name + " for 170103")
    # the identification chart: a marker per school, a link to its page
    b.go("/report/identification")
    marks = b.els("svg.chart a[href^='/school/']")
    rows = hub.report_json("identification")["schools"]
    plotted = [r for r in rows if r.get("isbsh") is not None and r.get("low_share") is not None]
    check(len(marks) == len(plotted) and plotted, "a marker for each school with both figures (%d)"
          % len(marks))
    check(b.els("svg.chart line.thr"), "the thresholds are drawn")
    b.shot("dash-identification-chart", b.els("figure.chart")[0])
    href = b.d.execute_script("return arguments[0].getAttribute('href');", marks[0])
    b.d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));",
                       marks[0])
    b.wait(lambda: b.path().startswith("/school/"), "the school's page after a click on its marker")
    check(b.path() == href, "the marker leads to its school's page: %s" % href)
    school_page(b, hub, href.rsplit("/", 1)[1])
    b.go("/report/verification")
    cells = b.els("table.matrix td.part-yes, table.matrix td.part-no, table.matrix td.part-maybe")
    check(len(cells) == len(hub.report_json("verification")["factors"]),
          "the matrix has a coloured cell for each school's factor decision (%d)" % len(cells))
    # the .xlsx of the verification page, as a person downloads it
    b.go("/report/verification")
    tables = b.d.execute_script(PAGE_TABLES)
    before = set(os.listdir(b.downloads))
    b.click(b.link("Скачать Excel"), wait_page=False)
    path = wait_download(b, ".xlsx", before)
    xlsx_matches_json(path, hub.report_json("verification"), tables, "verification")
    for p in ("/review/conflicts", "/review/quarantine"):
        b.go(p)
        check(b.d.title.startswith(("Конфликты", "Отклонённые")), "the review page %s" % p)
        b.shot("dash-" + p.rsplit("/", 1)[1])
    b.go("/admin/users")
    refused(b, "a coordinator gets no administration page")


SCHOOL_PART = """
var sec = document.getElementById(arguments[0]);
if (!sec) return null;
return Array.from(sec.querySelectorAll('section.report-sect')).map(function (s) {
  var t = s.querySelector('table');
  return {key: s.dataset.key, rows: t ? parseInt(t.dataset.rows) : 0};
});
"""


def school_page(b, hub, code):
    """/school/CODE: a part per report, each section with the rows of that
    report for the school."""
    check(code in b.d.title, "the school's page is titled with its code")
    for report in ("completeness", "verification", "passport", "identification", "mediation",
                   "surveys"):
        parts = b.d.execute_script(SCHOOL_PART, report)
        check(parts is not None, "the school's page has its %s part" % report)
        rep = hub.report_json(report, code)
        for p in parts:
            check(p["rows"] == len(rep[p["key"]]), "school %s, %s/%s: %d rows as in the JSON"
                  % (code, report, p["key"], len(rep[p["key"]])))
    b.shot("dash-school-page")


def csrf_and_session(b, hub):
    raw = Raw(hub)
    sess = b.d.get_cookie("__Host-tetrad_session")
    check(sess is not None and sess.get("httpOnly") and sess.get("secure") and
          sess.get("sameSite") == "Strict", "the session cookie is HttpOnly, Secure, SameSite=Strict")
    cookie = "__Host-tetrad_session=" + sess["value"]
    st, hd, body = raw.request("GET", "/", cookie=cookie)
    check(st == 200, "the browser's session opens the overview (%d)" % st)
    for name, want in (("Content-Security-Policy", "default-src 'none'"), ("X-Frame-Options", "DENY"),
                       ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")):
        check(any(want in v for v in header(hd, name)), "a page is sent with %s" % name)
    st, hd, body = raw.request("POST", "/logout", {}, cookie=cookie)
    check(st == 403 and "Форма устарела" in body, "a POST without its CSRF token is refused (%d)" % st)
    st, hd, body = raw.request("POST", "/logout", {"_csrf": "0" * 64}, cookie=cookie)
    check(st == 403, "a POST with a wrong CSRF token is refused (%d)" % st)
    csrf = b.csrf()
    st, hd, body = raw.request("POST", "/logout", {"_csrf": csrf}, cookie=cookie,
                               headers={"Origin": "https://evil.example"})
    check(st == 403, "a POST from another site's page is refused (%d)" % st)
    st, hd, body = raw.request("GET", "/", cookie=cookie)
    check(st == 200, "the session survived the refused POSTs")
    logout(b)
    st, hd, body = raw.request("GET", "/", cookie=cookie)
    check(st == 303 and header(hd, "Location") == ["/login"], "after logout the old cookie opens nothing")


def school_account(b, hub):
    login(b, hub, "dir3")
    check(b.path() == "/", "a school account lands on its overview")
    check("Разбор" not in b.text() and "Администрирование" not in b.text(),
          "a school account's menu has no review and no administration")
    b.shot("dash-school-overview")
    page_matches_json(b, hub.report_json("completeness", "170103"), "completeness (school)")
    b.go("/report/verification")
    page_matches_json(b, hub.report_json("verification", "170103"), "verification (school)")
    b.go("/report/verification?school=170104")
    b.shot("dash-school-forbidden")
    refused(b, "another school's page is refused to a school account")
    b.go("/school/170103")
    check(b.d.title.startswith("170103"), "a school account opens its own school's page")
    b.go("/school/170104")
    refused(b, "another school's page is refused to a school account")
    for p in ("/report/mediation.xlsx?school=170104", "/review/conflicts", "/admin/audit"):
        raw = Raw(hub)
        st, hd, body = raw.request("GET", p, cookie="__Host-tetrad_session=" +
                                   b.d.get_cookie("__Host-tetrad_session")["value"])
        check(st == 403, "a school account gets 403 on %s (%d)" % (p, st))
    logout(b)


def throttling(hub):
    raw = Raw(hub)
    for i in range(5):
        st, hd, sess = raw.login("victim", "wrong-%d-password" % i)
        check(st == 401 and sess is None, "failure %d of the account: 401" % (i + 1))
    st, hd, sess = raw.login("victim", USERS["victim"][2])
    check(st == 429 and sess is None and header(hd, "Retry-After"),
          "after 5 failures even the right password waits (429, Retry-After %s)"
          % header(hd, "Retry-After"))
    # another address: its failures with logins nobody has, then a right password
    other = Raw(hub, source="127.0.0.2")
    t0 = time.monotonic()
    for i in range(10):
        st, hd, sess = other.login("nobody%d" % i, "wrong-password-%d" % i)
        check(st == 401, "failure %d from 127.0.0.2: 401" % (i + 1))
    # the bucket gets a failure back every 6 s (dash.c): on a slow host (the
    # sanitizer build, a loaded CI) ten failures may take longer, and then
    # as many more fail before it is empty — never more than that
    extra = int((time.monotonic() - t0) / 6.0)
    for i in range(extra + 3):
        st, hd, sess = other.login("more%d" % i, "wrong-password-more-%d" % i)
        if st == 429:
            break
        check(st == 401, "a failure back in the bucket after %.1f s: 401 (%d)"
              % (time.monotonic() - t0, st))
    check(st == 429, "the bucket is empty within the failures that came back (%d)" % st)
    st, hd, sess = other.login("admin", USERS["admin"][2])
    check(st == 429 and sess is None, "the attempt after the bucket is empty waits, even the "
          "right password (%d; %d failures back in %.1f s)" % (st, extra, time.monotonic() - t0))
    st, hd, sess = raw.login("admin", USERS["admin"][2], next_="/\t/evil.example/x")
    check(st == 303 and sess is not None, "127.0.0.1 still logs in")
    check(header(hd, "Location") == ["/"], "a next with a tab goes home, not to another site: %s"
          % header(hd, "Location"))
    st, hd, sess = raw.login("admin", USERS["admin"][2], next_="/report/mediation?school=170103")
    check(header(hd, "Location") == ["/report/mediation?school=170103"], "a plain next is kept")
    # an account that exists and one that does not: the same page
    pages = []
    for who in ("coord", "nosuchuser"):
        st, hd, _ = raw.login(who, "wrong-password-x")
        pages.append(st)
    check(pages == [401, 401], "a wrong login and a wrong password get the same status")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        check(flag in sess, "the session cookie has %s" % flag)


def enroll_and_revoke(b, hub, env):
    """A token for school 170105 from the tokens page: its file downloaded
    enrolls a real device; the device is then revoked from the devices page."""
    b.go("/admin/tokens")
    b.set("kind", "school")
    b.set("school", "170105")
    b.press("Выдать код")
    check(b.d.title.startswith("Код регистрации выдан"), "the token's page")
    qr = b.els("svg.qr path.qr-fg")
    check(qr and len(qr[0].get_attribute("d")) > 1000, "the enrollment file's QR code is drawn")
    b.shot("dash-token", b.els("div.enroll")[0])
    before = set(os.listdir(b.downloads))
    b.click(b.button("Скачать файл подключения"), wait_page=False)
    path = wait_download(b, ".tetrad-enroll", before)
    ef = json.load(open(path, encoding="utf-8"))
    check(ef.get("school") == "170105" and ef.get("hub") == hub.url and ef.get("pin", "")
          .startswith("sha256//"), "the file names the school, this hub and its pin")
    dev = t.Device(env, "new5", school="170105", label="МАОУ Гимназия № 5")
    r = dev.tetrad("enroll", "--file", path, check_rc=False)
    check(r.returncode == 0, "a device enrolls with the downloaded file: %s%s" % (r.stdout,
                                                                               r.stderr))
    devs = json.loads(hub.cli("device", "list", "--json").stdout)
    new = [d for d in devs if d.get("schools") == ["170105"] and d.get("kind") == "school"]
    check(len(new) == 1, "the hub lists the new device")
    b.go("/admin/devices")
    b.d.execute_script("document.querySelector('details').open = true;")
    b.set("device", new[0]["id"])
    b.set("confirm", True)
    b.press("Отозвать")
    check("отозвано" in b.text() and b.path().startswith("/admin/devices"),
          "the device is revoked from the devices page")
    devs = json.loads(hub.cli("device", "list", "--json").stdout)
    check([d["status"] for d in devs if d["id"] == new[0]["id"]] == ["revoked"],
          "the hub's listing says revoked")


def review(b, hub, env):
    """A real conflict: a school PC and a curator's laptop of school 170104
    edit one field of a passport offline, the laptop later. The coordinator
    sees both values on the review page and takes the one that lost: the hub
    holds it, both devices pull it, the decision is in the listing and the
    audit log; a second decision and a POST without its token are refused."""
    def sync(d):
        env.run([env.prog("tetrad-syncd"), "--once", "--db", d.db])

    s = t.Device(env, "rv-school", school="170104", label="Школа 4")
    s.enroll(hub, "--school", "170104")
    c = t.Device(env, "rv-laptop", curator="Иванова А. А.")
    c.enroll(hub, "--curator", "Иванова А. А.", "--schools", "170104")
    rec = s.tetrad("new", "social_passport", "--json", os.path.join(
        env.src, "tests", "data", "forms", "social_passport.good.json")).stdout.split()[-1]
    sync(s)
    sync(c)
    s.tetrad("edit", rec, "--set", "orphans=3")
    time.sleep(0.05)
    c.tetrad("edit", rec, "--set", "orphans=4")
    sync(s)
    sync(c)
    hexid = rec.replace("-", "").lower()
    mine = [x for x in json.loads(hub.cli("conflicts", "list", "--json").stdout)
            if x["record_id"] == hexid and x["field"] == "orphans"]
    check(len(mine) == 1 and mine[0]["loser_value"] == "3" and mine[0]["winner_value"] == "4"
          and mine[0]["decision"] == "open", "the hub logged the conflict: %s" % mine)
    login(b, hub, "coord")
    b.go("/")
    before = int(b.els("a.stat[href='/review/conflicts'] span.n")[0].text)
    b.go("/review/conflicts")
    row = b.d.find_elements("xpath", "//tr[.//div[text()='%s']]" % rec)
    check(len(row) == 1, "the conflict is on the review page")
    cells = [td.text for td in row[0].find_elements("tag name", "td")]
    check("Дети-сироты" in cells[2] and cells[3].startswith("4") and cells[4].startswith("3")
          and "Иванова А. А." in cells[3], "the field's label, both values, who: %s" % cells)
    b.shot("dash-review-conflicts", row[0])
    form_csrf = b.csrf()
    b.click(row[0].find_element("css selector", "button[value='take']"))
    check("взято отклонённое значение" in b.text(), "the page says the value was taken")
    b.go("/")
    after = int(b.els("a.stat[href='/review/conflicts'] span.n")[0].text)
    check(after == before - 1, "the overview counts one open conflict less (%d, %d)" % (before, after))
    got = [x for x in json.loads(hub.cli("conflicts", "list", "--json").stdout) if x["id"] == mine[0]["id"]]
    check(got[0]["decision"] == "taken" and got[0]["decided_by"] == "coord",
          "the listing has the decision and who took it")
    db = sqlite3.connect(os.path.join(hub.dir, "hub.db"), timeout=30)
    v = db.execute("SELECT json_extract(data, '$.orphans') FROM hub_records WHERE "
                   "lower(hex(id)) = ?", (hexid,)).fetchall()
    db.close()
    check(v == [(3,)], "the hub holds the value taken: %s" % v)
    sync(s)
    sync(c)
    for d in (s, c):
        v = d.sql("SELECT json_extract(data, '$.orphans') FROM records WHERE lower(hex(id)) = ?",
                  (hexid,))
        check(v == [(3,)], "%s pulled the value taken: %s" % (os.path.basename(d.db), v))
    check(c.count("SELECT count(*) FROM conflicts") == 0, "the laptop lists no conflict of its own")
    raw = Raw(hub)
    cookie = "__Host-tetrad_session=" + b.d.get_cookie("__Host-tetrad_session")["value"]
    st, hd, body = raw.request("POST", "/review/conflicts", {"_csrf": form_csrf, "id": str(mine[0]["id"]),
                                                            "choice": "keep"}, cookie=cookie)
    check(st == 409 and "уже принято" in body, "a second decision is refused (%d)" % st)
    st, hd, body = raw.request("POST", "/review/conflicts", {"id": str(mine[0]["id"]), "choice": "keep"},
                               cookie=cookie)
    check(st == 403, "a decision without its CSRF token is refused (%d)" % st)
    logout(b)


NEWCOORD = ("newcoord", "newcoord-pass-01", "newcoord-pass-02")


def drain(b):
    """A refusal page on purpose: its status in the console is expected."""
    try:
        b.d.get_log("browser")
    except Exception:
        pass


def session_of(b):
    return "__Host-tetrad_session=" + b.d.get_cookie("__Host-tetrad_session")["value"]


def open_all(b):
    b.d.execute_script("document.querySelectorAll('details').forEach(function (d) { d.open = true; });")


def flash(b, want):
    els = b.els("p.flash")
    check(els and want in els[0].text, "the page says «%s» (%s)" % (want, els[0].text if els else "-"))


def accounts_in_browser(b, hub):
    """Create a coordinator, log in with it, give it a new password, disable it."""
    raw = Raw(hub)
    login_, pw1, pw2 = NEWCOORD
    b.go("/admin/users")
    open_all(b)
    b.set("login", login_)
    b.set("role", "coordinator")
    b.set("password", pw1)
    b.set("password2", pw1 + "x")
    b.press("Создать учётную запись")
    check(b.d.title.startswith("Учётная запись не создана") and "не совпали" in b.text(),
          "two different passwords: a Russian error page")
    drain(b)
    b.go("/admin/users")
    open_all(b)
    b.set("login", login_)
    b.set("role", "coordinator")
    b.set("password", pw1)
    b.set("password2", pw1)
    b.shot("dash-admin-user-add", b.els("form#user-add")[0])
    b.press("Создать учётную запись")
    flash(b, "Учётная запись %s создана" % login_)
    st, hd, sess = raw.login(login_, pw1)
    check(st == 303 and sess, "the new coordinator logs in (%d)" % st)
    ck = sess.split(";")[0]
    st, hd, body = raw.request("GET", "/account", cookie=ck)
    csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', body).group(1)
    for path in ("/admin/users/add", "/admin/users/passwd", "/admin/users/disable",
                 "/admin/users/enable", "/admin/schools", "/admin/programmes", "/admin/forms",
                 "/admin/users.xlsx", "/admin/schools.csv"):
        st, hd, body = raw.request("POST" if "." not in path else "GET", path,
                                   {"_csrf": csrf, "login": "x", "account": "admin"}
                                   if "." not in path else None, cookie=ck)
        check(st == 403, "a coordinator gets 403 on %s (%d)" % (path, st))
    # a new password: the old sessions end, the old password fails, the new one works
    b.go("/admin/users")
    open_all(b)
    b.set("who", login_)
    b.set("newpw", pw2)
    b.set("newpw2", pw2)
    b.press("Задать пароль")
    flash(b, "задан новый пароль")
    st, hd, body = raw.request("GET", "/", cookie=ck)
    check(st == 303, "the account's session ended with the new password (%d)" % st)
    check(raw.login(login_, pw1)[0] == 401, "the old password fails")
    check(raw.login(login_, pw2)[0] == 303, "the new password works")
    # disabled: refused; one's own account is not disabled
    open_all(b)
    b.set("account", "admin")
    b.press("Заблокировать")
    check(b.d.title.startswith("Учётная запись не заблокирована") and "Свою" in b.text(),
          "an administrator cannot disable their own account")
    b.shot("dash-admin-user-self")
    b.go("/admin/users")
    open_all(b)
    b.set("account", login_)
    b.press("Заблокировать")
    flash(b, "заблокирована")
    check(raw.login(login_, pw2)[0] == 401, "a disabled account's login is refused")
    users = {u["login"]: u for u in json.loads(hub.cli("user", "list", "--json").stdout)}
    check(users[login_]["status"] == "disabled" and users[login_]["role"] == "coordinator",
          "`user list` agrees: %s" % users[login_])
    # without the form's token: refused, nothing made
    st, hd, body = Raw(hub).request("POST", "/admin/users/add", {"login": "sneaky", "role":
                                    "admin", "password": pw1, "password2": pw1},
                                    cookie=session_of(b))
    check(st == 403 and "sneaky" not in hub.cli("user", "list").stdout,
          "a POST without the CSRF token is refused (%d)" % st)


def registry_in_browser(b, hub, env):
    """A school and its programme, a form published by upload."""
    b.go("/admin/schools")
    b.set("code", "170199")
    b.set("name", "МБОУ СОШ № 99")
    b.press("Записать школу")
    flash(b, "Школа 170199 записана")
    b.go("/admin/programmes")
    b.set("school", "170199")
    b.set("year", "2026")
    b.set("programme", "ШАНС")
    b.shot("dash-admin-programme", b.els("form")[1])
    b.press("Включить в программу")
    flash(b, "включена в программу")
    for op in ("Включить в программу", "Снять с программы"):
        b.set("school", "170199")
        b.set("year", "2026")
        b.set("programme", "500+")
        b.press(op)
    flash(b, "снята с программы")
    # a mistyped code is not made a school; an unset that changes nothing says so
    for code, op, want in (("170198", "Включить в программу", "нет в реестре"),
                           ("170199", "Снять с программы", "снимать нечего")):
        b.go("/admin/programmes")
        b.set("school", code)
        b.set("year", "2026")
        b.set("programme", "ШНОР")
        b.press(op)
        check(want in b.text(), "%s %s: «%s»" % (op, code, want))
        drain(b)
    schools = {x["code"]: x for x in json.loads(hub.cli("schools", "list", "--json").stdout)}
    check("170198" not in schools, "the mistyped code is not in the register")
    check(schools.get("170199", {}).get("name") == "МБОУ СОШ № 99", "`schools list` has the school")
    progs = [x for x in json.loads(hub.cli("programmes", "list", "--json").stdout)
             if x["school"] == "170199"]
    check([(x["year"], x["programmes"]) for x in progs] == [(2026, ["shans"])],
          "`programmes list` has its programme: %s" % progs)
    # a form: the built-in social passport as a new version
    src = json.load(open(os.path.join(env.src, "forms", "social_passport.json"), encoding="utf-8"))
    src["version"] = 90
    f = env.path("social_passport-v90.json")
    json.dump(src, open(f, "w", encoding="utf-8"), ensure_ascii=False)
    big = env.path("big.json")
    open(big, "w").write(" " * (1200 << 10))
    b.go("/admin/forms")
    b.named("file")[0].send_keys(big)
    b.press("Подписать и опубликовать")
    check(b.d.title.startswith("Слишком большая форма") and "1 МиБ" in b.text(),
          "a file over the limit: a Russian page")
    drain(b)
    b.go("/admin/forms")
    b.named("file")[0].send_keys(f)
    b.press("Подписать и опубликовать")
    flash(b, "Форма social_passport-v90 опубликована")
    b.shot("dash-admin-form-published")
    forms = json.loads(hub.cli("forms", "list", "--json").stdout)
    check(any(x["id"] == "social_passport" and x["version"] == 90 for x in forms),
          "`forms list` has the published version")
    b.go("/admin/forms")
    b.named("file")[0].send_keys(f)
    b.press("Подписать и опубликовать")
    check(b.d.title.startswith("Форма не опубликована") and "уже есть" in b.text() and
          ".upload" not in b.text(), "the same version again: refused, the file named as chosen")
    drain(b)


def downloads(b, hub):
    """A listing as .xlsx (read back) and CSV against `… list --json`; the
    conflicts with their values, as the review page shows them."""
    import io
    import openpyxl
    b.go("/admin/users")
    heads = [e.text for e in b.els("table.list thead th")]
    before = set(os.listdir(b.downloads))
    b.click(b.link("Скачать .xlsx"), wait_page=False)
    wb = openpyxl.load_workbook(wait_download(b, ".xlsx", before))
    users = json.loads(hub.cli("user", "list", "--json").stdout)
    check(len(wb.worksheets) == 1, "the listing's workbook has one sheet")
    ws = wb.worksheets[0]
    check([c.value for c in ws[1]] == heads, "the sheet's headers are the page's: %s" % heads)
    check(ws.freeze_panes == "A2" and ws.auto_filter.ref, "the header is frozen and filtered")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    check([r[0] for r in rows] == [u["login"] for u in users] and
          [r[heads.index("Открытых сеансов")] for r in rows] == [u["sessions"] for u in users],
          "the .xlsx rows are `user list --json`'s, counts as numbers")
    # two more conflicts as the merge writes them
    import sqlite3
    db = sqlite3.connect(os.path.join(hub.dir, "hub.db"), timeout=30)
    with db:
        for i in range(2):
            db.execute("INSERT INTO conflicts(record_id, form_id, school, field, loser_value, "
                       "loser_hlc, loser_device, winner_value, winner_hlc, winner_device, logged_at) "
                       "VALUES (randomblob(16), 'social_passport', '170103', 'family', "
                       "'\"Секретова\"', '1', 'aaaa', '\"Тайнова\"', '2', 'bbbb', "
                       "'2026-11-0%dT10:00:00Z')" % (i + 1))
    db.close()
    raw = Raw(hub)
    for path, cli, hidden in (("/admin/schools.csv", ("schools", "list"), None),
                              ("/review/conflicts.csv", ("conflicts", "list"), "Принятое значение"),
                              ("/review/conflicts.xlsx", ("conflicts", "list"), "Принятое значение")):
        c = http.client.HTTPSConnection("127.0.0.1", hub.port, context=raw.ctx, timeout=30)
        c.request("GET", path, headers={"Cookie": session_of(b)})
        r = c.getresponse()
        data = r.read()
        c.close()
        want = json.loads(hub.cli(*cli, "--json").stdout)
        check(r.status == 200 and "attachment" in (r.getheader("Content-Disposition") or ""),
              "%s is a download (%d)" % (path, r.status))
        if path.endswith(".csv"):
            check(data.startswith(b"\xef\xbb\xbf"), "%s: UTF-8 with BOM" % path)
            import csv
            table = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
        else:
            table = [list(x) for x in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
                     .iter_rows(values_only=True)]
        key = "code" if cli[0] == "schools" else "id"
        check(len(table) - 1 == len(want) and [str(x[0]) for x in table[1:]] ==
              [str(w[key]) for w in want], "%s: the rows of `%s --json` (%d)" % (path, " ".join(cli),
                                                                             len(want)))
        check(hidden is None or (hidden in table[0] and any(
              "Секретова" in str(v) for row in table for v in row)),
              "%s: the values, as the review page shows them" % path)


def administrator(b, hub, env):
    login(b, hub, "admin")
    enroll_and_revoke(b, hub, env)
    accounts_in_browser(b, hub)
    registry_in_browser(b, hub, env)
    downloads(b, hub)
    for p in ("users", "devices", "tokens", "schools", "programmes", "forms", "audit"):
        b.go("/admin/" + p)
        check(not b.d.title.startswith(("Нет доступа", "Страница не найдена")), "/admin/%s" % p)
        b.shot("dash-admin-" + p)
    text = b.text()
    for what in ("вход", "неудачный вход", "выгрузка", "попытка открыть чужое",
                 "форма без верного токена", "выдан код регистрации", "скачан файл подключения",
                 "устройство отозвано", "создание учётной записи", "новый пароль учётной записи",
                 "блокировка учётной записи", "запись школы в реестр", "включение школы в программу",
                 "публикация формы", "решение по конфликту: взять отклонённое"):
        check(what in text, "the audit log has «%s»" % what)
    logout(b)
    db = open(os.path.join(hub.dir, "hub.db"), "rb").read()
    wal = os.path.join(hub.dir, "hub.db-wal")
    if os.path.exists(wal):
        db += open(wal, "rb").read()
    for login_, (_, _, pw) in list(USERS.items()) + [(NEWCOORD[0], (0, 0, NEWCOORD[1])),
                                                       (NEWCOORD[0], (0, 0, NEWCOORD[2]))]:
        check(pw.encode() not in db, "%s's password is nowhere in the store" % login_)
    log = open(os.path.join(hub.dir, "serve.log"), encoding="utf-8", errors="replace").read()
    check(NEWCOORD[1] not in log and NEWCOORD[2] not in log, "no password in the hub's log")


# ---- charts: passports by year, surveys' answers; the silent devices ---------

def earlier_year(hub, env):
    """A curator's laptop sends the four schools' 2020/2021 passports (so the
    passport report has two years) and three pupils' questionnaires of
    170104 with different answers (so a question's bar has parts)."""
    dev = t.Device(env, "archive", curator="Архив")
    dev.enroll(hub, "--curator", "Архив", "--schools", "170103,170104,170105,170106")
    for code, total, sop, higher in (("170103", 90, 6, 4), ("170104", 520, 10, 40),
                                     ("170105", 300, 2, 80), ("170106", 600, 14, 30)):
        sets = dict(academic_year="2020/2021", snapshot_date="2020-09-25", level="school",
                    students_total=total, students_4_11=total * 3 // 4,
                    families_total=total * 9 // 10, large_families=total // 7,
                    low_income_families=total // 5, single_parent_families=total // 4,
                    foster_children=2, orphans=1, disabled_children=3, special_needs=total // 25,
                    sop_families=sop, tjs_families=sop * 2, kdn_registered=2, pdn_registered=1,
                    school_registered=5, unemployed_parents=total // 10,
                    parents_higher_education=higher, non_native_russian=total // 40,
                    migrant_families=total // 50)
        args = ["new", "social_passport", "--school", code]
        for k, v in sets.items():
            args += ["--set", "%s=%s" % (k, v)]
        dev.tetrad(*args)
    for n, (bullying, safe) in enumerate((("never", 5), ("rarely", 2), ("rarely", 4))):
        dev.tetrad("new", "survey_student", "--school", "170104", "--set",
                   "response_date=0%d.02.2021" % (n + 3), "--set", "grade=6", "--set",
                   "enough_equipment=3", "--set", "feel_safe=%d" % safe, "--set",
                   "like_learning=4", "--set", "teacher_helps=4", "--set", "tasks_fit_level=3",
                   "--set", "bullying=" + bullying)
    dev.tetrad("sync")


def chart_parts(b, fig, row_key):
    """The numbers (data-value) of a stacked row's parts, in order."""
    return b.d.execute_script(
        "var k = arguments[1], g = Array.from(arguments[0].querySelectorAll('g.stack'))"
        ".filter(function (x) { return x.dataset.key === k; })[0]; if (!g) return null;"
        "return Array.from(g.querySelectorAll('g.part')).map(function (p) {"
        " return parseFloat(p.dataset.value); });", fig, row_key)


def passport_charts(b, hub):
    """The passport page: schools per status each year, the numbers of
    municipal_years; one school's page: its index each year, as `years`."""
    rep = hub.report_json("passport")
    years = rep["municipal_years"]
    check(len(years) >= 2, "the passport report has two academic years (%d)" % len(years))
    b.go("/report/passport")
    fig = b.els("figure[data-chart='passport-years']")
    check(len(fig) == 1, "the passport page has the status-by-year chart")
    rows = b.d.execute_script("return Array.from(arguments[0].querySelectorAll('g.stack'))"
                              ".map(function (g) { return g.dataset.key; });", fig[0])
    check(rows == [y["academic_year"] for y in years], "a bar per academic year: %s" % rows)
    for y in years:
        want = [y[k] for k in ("unfavourable", "neutral", "favourable") if y.get(k)]
        if y["schools"] - y["isbsh_schools"] > 0:
            want.append(y["schools"] - y["isbsh_schools"])
        got = chart_parts(b, fig[0], y["academic_year"])
        check(got == want, "%s: the parts are the JSON's schools per status %s (page %s)"
              % (y["academic_year"], want, got))
        check("паспортов %d" % y["records"] in fig[0].text, "%s: %d passports written"
              % (y["academic_year"], y["records"]))
    b.shot("dash-passport-years", fig[0])
    for where in ("/report/passport?school=170103", "/school/170103"):
        b.go(where)
        fig = b.els("figure[data-chart='passport-school']")
        check(len(fig) == 1, "%s: the school's index by year" % where)
        got = b.d.execute_script("return Array.from(arguments[0].querySelectorAll('g.yr'))"
                                 ".map(function (g) { return [g.dataset.key, g.dataset.value]; });",
                                 fig[0])
        want = [[r["academic_year"], "" if r.get("isbsh") is None else "%.1f" % r["isbsh"]]
                for r in hub.report_json("passport", "170103")["years"]]
        check(got == want and len(got) >= 2, "%s: a bar per year with the JSON's ИСБШ %s (page %s)"
              % (where, want, got))
    b.shot("dash-passport-school", fig[0])


def survey_charts(b, hub):
    """The surveys page: a bar per question, its parts the answers' counts
    summed over the schools as the distribution gives them."""
    sums = {}
    for r in hub.report_json("surveys")["distribution"]:
        q = sums.setdefault((r["group"], r["question"]), {})
        q[r["answer"]] = q.get(r["answer"], 0) + r["count"]
    b.go("/report/surveys")
    figs = b.els("figure[data-chart='answers']")
    check(len(figs) == len({g for g, _ in sums}), "a figure per group (%d)" % len(figs))
    byq = {f.get_attribute("data-key"): f for f in figs}
    several = 0
    for (g, q), answers in sums.items():
        got = chart_parts(b, byq[g], q)
        check(got is not None and sorted(got) == sorted(answers.values()),
              "%s/%s: the parts are the answers' counts %s (page %s)" % (g, q, answers, got))
        several += len(answers) > 1
    check(several >= 1, "a question has several answers (%d)" % several)
    fig = byq["survey_student"]
    check("%" in fig.text and "нет" in fig.text, "the legend writes the shares and the answers")
    b.shot("dash-surveys-answers", fig)


def stat_silent(b):
    return int(b.d.execute_script("return document.querySelector('.stat.silent .n')"
                                  ".textContent;"))


def silent_days(b, hub):
    """The overview's silent devices: two devices last heard 20 and 40 days
    ago are counted by the days asked for; a wrong number is said and the
    default counted. «Чего не хватает» says nothing is missing for a school
    with everything in, «Нет данных» for a period without data."""
    ago = lambda d: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - d * 86400))
    db = sqlite3.connect(os.path.join(hub.dir, "hub.db"), timeout=30)
    ids = [r[0] for r in db.execute("SELECT id FROM devices WHERE revoked_at IS NULL "
                                    "ORDER BY enrolled_at LIMIT 2")]
    for i, d in zip(ids, (20, 40)):
        db.execute("UPDATE devices SET last_seen_at=? WHERE id=?", (ago(d), i))
    db.commit()
    db.close()
    b.go("/")
    check(stat_silent(b) == 2, "silent over 14 days (the default): 2")
    b.set("silent", "30")
    b.press("Пересчитать")
    check("silent=30" in b.d.current_url and stat_silent(b) == 1, "over 30 days: 1")
    check("дольше 30 дн." in b.text(), "the count says its days")
    b.shot("dash-overview-silent", b.els("div.stats")[0])
    b.go("/?silent=61")
    check(stat_silent(b) == 0, "over 61 days: none")
    for bad in ("0", "366", "abc"):
        b.go("/?silent=" + bad)
        check("нужно целое число от 1 до 365" in b.text() and stat_silent(b) == 2,
              "silent=%s: said, and the default counted" % bad)
    b.go("/?school=170103")
    check(not hub.report_json("completeness", "170103")["missing"] and
          b.els("[data-empty='nothing-missing']") and "всё сдано к сроку" in b.text(),
          "170103 has everything in: «всё сдано к сроку»")
    b.go("/?from=1990-01-01&to=1990-12-31")
    check(not b.els("[data-empty='nothing-missing']") and "Нет данных" in b.text(),
          "a period without data says so, not «всё сдано»")
    # hub.conf's silent_days is the default (the session outlives the restart)
    with open(os.path.join(hub.dir, "hub.conf"), "w") as f:
        f.write("silent_days = 30\n")
    t.stop_proc(hub.proc)
    hub.start()
    b.base = hub.url
    b.go("/")
    check(stat_silent(b) == 1 and b.value("silent") == "30", "hub.conf silent_days = 30: 1")


def flow(env):
    t.need_browser()
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        t.skip("python3-openpyxl is not installed (scripts/install-deps.sh)")
    hub = DemoHub(env)
    earlier_year(hub, env)
    b = t.Browser(env, 100, 169, args=("--ignore-certificate-errors-spki-list=" + hub.spki(),))
    coordinator(b, hub)
    passport_charts(b, hub)
    survey_charts(b, hub)
    silent_days(b, hub)
    csrf_and_session(b, hub)
    school_account(b, hub)
    throttling(hub)
    review(b, hub, env)
    administrator(b, hub, env)
    return []


if __name__ == "__main__":
    t.main("hub-dash-browser", flow)
