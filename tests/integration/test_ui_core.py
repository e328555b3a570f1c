#!/usr/bin/env python3
"""test_ui_core — `tetrad ui` over HTTP (see test_ui_core.sh)."""
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse

BIN = os.environ["TETRAD_BIN"]
T = os.path.join(BIN, "tetrad")
W = tempfile.mkdtemp(prefix="test_ui_core.")
DB = os.path.join(W, "t.db")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
passes = 0
fails = 0


def check(cond, desc, extra=""):
    global passes, fails
    if cond:
        passes += 1
    else:
        fails += 1
        print(f"FAIL: {desc}", file=sys.stderr)
        if extra:
            print(str(extra)[:3000], file=sys.stderr)


def cli(*args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([T, "--db", DB, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=e)


def q(sql):
    c = sqlite3.connect(DB)
    try:
        r = c.execute(sql).fetchone()
        return r[0] if r else None
    finally:
        c.close()


class UI:
    """A running `tetrad ui` and a browser's cookie jar of one cookie."""

    def __init__(self, browser=False, env=None):
        self.url_file = os.path.join(W, f"url.{time.monotonic_ns()}")
        self.out_path = self.url_file + ".out"
        args = [T, "--db", DB, "ui", "--port", "0"]
        if not browser:
            args += ["--no-browser", "--url-file", self.url_file]
        e = dict(os.environ)
        if env:
            e.update(env)
        self.out = open(self.out_path, "w")
        self.p = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=e)
        self.cookie = None
        self.url = None
        if browser:
            return
        for _ in range(200):
            if os.path.exists(self.url_file):
                break
            time.sleep(0.05)
        with open(self.url_file) as f:
            self.url = f.read().strip()
        m = re.match(r"http://127\.0\.0\.1:(\d+)/launch\?key=([0-9a-f]{64})$", self.url)
        check(m is not None, f"URL file holds the launch URL: {self.url}")
        self.port, self.key = int(m.group(1)), m.group(2)

    def req(self, method, path, body=None, headers=None, cookie=True, host=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": host if host is not None else f"127.0.0.1:{self.port}"}
        if cookie and self.cookie:
            h["Cookie"] = f"tetrad_ui_{self.port}={self.cookie}"
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if headers:
            h.update(headers)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read().decode("utf-8", "replace")
            return r.status, r, data
        finally:
            conn.close()

    def launch(self):
        st, r, body = self.req("GET", f"/launch?key={self.key}", cookie=False)
        check(st == 200, f"launch: {st}", body)
        sc = r.getheader("Set-Cookie") or ""
        m = re.match(rf"tetrad_ui_{self.port}=([0-9a-f]{{64}}); ", sc)
        check(m is not None, f"launch sets the cookie: {sc}")
        for attr in ("Path=/", "HttpOnly", "SameSite=Strict"):
            check(attr in sc, f"cookie has {attr}: {sc}")
        check((r.getheader("Refresh") or "").endswith("url=/"), "launch moves on to /")
        self.cookie = m.group(1) if m else None

    def csrf(self, path="/"):
        st, _, body = self.req("GET", path)
        m = re.search(r'name="_csrf" value="([0-9a-f]+)"', body)
        check(m is not None, f"a CSRF token on {path}", body)
        return m.group(1) if m else ""

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = -9
        self.out.close()
        with open(self.out_path) as f:
            return rc, f.read()


def mk_case(number):
    r = cli("new", "mediation_case", "--set", f"case_number={number}",
            "--set", "received_date=01.11.2026", "--set", "source=teacher",
            "--set", "situation_kind=conflict", "--set", "conflict_type=student_student",
            "--set", "status=received", "--set", "parties[0].role=student",
            "--set", "parties[0].class_name=5А", "--set", "parties[0].full_name=ПЛАНТ-Сидоров",
            "--set", "parties[1].role=adult", "--set", "parties[1].full_name=ПЛАНТ-Петрова",
            "--set", "summary=ПЛАНТ-суть")
    check(r.returncode == 0, "new mediation_case", r.stderr)
    return r.stdout.strip()


def mk_passport(cls):
    r = cli("new", "social_passport", "--draft", "--set", "academic_year=2021/2022",
            "--set", "level=class", "--set", f"class_name={cls}")
    check(r.returncode == 0, "new social_passport draft", r.stderr)
    return r.stdout.strip()


def test_options():
    r = subprocess.run([T, "--db", os.path.join(W, "none.db"), "ui", "--no-browser"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(r.returncode == 3, f"no database: exit {r.returncode}", r.stderr)
    check("tetrad init" in r.stderr, "no database: says tetrad init", r.stderr)
    for bad in (["--bogus"], ["--port", "70000"], ["--port"], ["--url-file"]):
        r = cli("ui", *bad)
        check(r.returncode == 1, f"ui {bad}: exit {r.returncode}", r.stderr)
        check("Ошибка:" in r.stderr, f"ui {bad}: a Russian message", r.stderr)


def test_port_taken():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    r = cli("ui", "--no-browser", "--port", str(sock.getsockname()[1]))
    sock.close()
    check(r.returncode == 5 and "занят" in r.stderr, f"a taken port: exit {r.returncode}", r.stderr)


def test_guard(ui):
    check(stat.S_IMODE(os.stat(ui.url_file).st_mode) == 0o600, "URL file is 0600")
    # before the cookie: refused, and nothing of the device shown
    st, r, body = ui.req("GET", "/", cookie=False)
    check(st == 403 and "Откройте Тетрад заново" in body, f"no cookie: {st}", body)
    check("170103" not in body, "no cookie: the school is not shown")
    st, _, body = ui.req("GET", "/launch?key=" + "0" * 64, cookie=False)
    check(st == 403, f"a wrong key: {st}")
    ui.cookie = "0" * 64
    st, _, _ = ui.req("GET", "/records")
    check(st == 403, f"a wrong cookie: {st}")
    ui.launch()
    st, r, body = ui.req("GET", "/")
    check(st == 200, f"start page: {st}", body)
    check(r.getheader("Content-Security-Policy") == CSP, "CSP")
    check(r.getheader("X-Content-Type-Options") == "nosniff", "nosniff")
    check(r.getheader("Referrer-Policy") == "same-origin", "referrer only to this server")
    check(r.getheader("Cache-Control") == "no-store", "no-store")
    for host in ("evil.example:%d" % ui.port, "127.0.0.1", "127.0.0.1:1", "", "localhost.evil:%d" % ui.port):
        st, _, body = ui.req("GET", "/", host=host)
        check(st == 421, f"Host «{host}»: {st}")
        check("170103" not in body, f"Host «{host}»: nothing shown")
    st, _, _ = ui.req("GET", "/", host=f"localhost:{ui.port}")
    check(st == 200, f"Host localhost:PORT: {st}")
    st, r, _ = ui.req("GET", "/static/app.css", cookie=False)
    check(st == 200 and (r.getheader("Content-Type") or "").startswith("text/css"), "app.css")
    st, _, _ = ui.req("GET", "/favicon.ico", cookie=False)
    check(st == 204, f"favicon: {st}")
    st, _, body = ui.req("GET", "/nosuch")
    check(st == 404 and "Такой страницы нет" in body, f"404: {st}")
    st, _, _ = ui.req("PUT", "/", body="x")
    check(st == 405, f"PUT: {st}")


def test_home(ui):
    st, _, body = ui.req("GET", "/")
    for s in ("170103", "Новая запись", "Записи", "Синхронизировать", "Выгрузить",
              "не зарегистрирован"):
        check(s in body, f"start page has «{s}»", body)
    check(re.search(r'<span class="n">2</span><span class="label">черновики', body), "2 drafts", body)
    check(re.search(r'<span class="n">1</span><span class="label">готовые', body), "1 final", body)
    check(re.search(r'<span class="n">1</span><span class="label">ждут отправки', body),
          "1 pending", body)


def total(body):
    m = re.search(r"всего записей: (\d+)", body)
    return int(m.group(1)) if m else 0


def test_records(ui, case_id, drafts):
    st, _, body = ui.req("GET", "/records")
    check(st == 200 and total(body) == 3, f"list: {st}, {total(body)}", body)
    for rid in [case_id] + drafts:
        check(f"/record?id={rid}" in body, f"list links {rid}")
    st, _, body = ui.req("GET", "/records?status=draft")
    check(total(body) == 2, "drafts only")
    st, _, body = ui.req("GET", "/records?form=mediation_case")
    check(total(body) == 1, "one form")
    st, _, body = ui.req("GET", "/records?form=../../etc&status=weird")
    check(st == 200 and total(body) == 3, "unknown filters filter nothing")
    st, _, body = ui.req("GET", "/records?from=01.01.2090")
    check(st == 200 and "Записей не найдено" in body, "a period with nothing")
    st, _, body = ui.req("GET", "/records?from=" + urllib.parse.quote("вчера"))
    check(st == 200 and "не понята" in body and total(body) == 3, "a date not understood")
    token = ui.csrf("/records")
    # the search is posted and answered in place: it never becomes a URL
    st, _, body = ui.req("POST", "/records", {"_csrf": token, "q": "7Б"})
    check(st == 200 and total(body) == 1, f"search: {st} {total(body)}", body)
    check(f"/record?id={drafts[1]}" in body, "search finds the class")
    check(not re.search(r'href="[^"]*(7%D0%91|7Б|q=)', body), "no search text in a link")
    st, r, _ = ui.req("POST", "/records", {"_csrf": token, "status": "draft", "q": ""})
    check(st == 303 and r.getheader("Location") == "/records?page=1&status=draft",
          f"filters without a search go back to a URL: {st} {r.getheader('Location')}")
    st, _, body = ui.req("POST", "/records", {"q": "7Б"})
    check(st == 403, f"search without the token: {st}")


def test_record_delete(ui, case_id, draft_id):
    st, _, body = ui.req("GET", f"/record?id={case_id}")
    check(st == 200 and case_id in body and "Изменить" in body, f"record page: {st}", body)
    st, _, body = ui.req("GET", "/record?id=01234567-89ab-7def-8123-456789abcdef")
    check(st == 404, f"no such record: {st}")
    st, _, body = ui.req("GET", "/record?id=<script>")
    check(st in (400, 404) and "<script>" not in body, f"a bad id: {st}")
    st, _, body = ui.req("GET", f"/delete?id={draft_id}")
    check(st == 200 and "Да, удалить" in body, f"delete asks first: {st}")
    check(q(f"SELECT status FROM records WHERE hex(id) = upper(replace('{draft_id}', '-', ''))")
          == "draft", "GET /delete deletes nothing")
    token = ui.csrf(f"/delete?id={draft_id}")
    for desc, body_, hdr, want in (
            ("no token", {}, None, 403),
            ("a wrong token", {"_csrf": "0" * 64}, None, 403),
            ("another origin", {"_csrf": token}, {"Origin": "http://evil.example"}, 403),
            ("origin null", {"_csrf": token}, {"Origin": "null"}, 403),
            ("origin null from a sandbox", {"_csrf": token},
             {"Origin": "null", "Sec-Fetch-Site": "cross-site"}, 403),
            ("a local origin but cross-site", {"_csrf": token},
             {"Origin": f"http://127.0.0.1:{ui.port}", "Sec-Fetch-Site": "same-site"}, 403)):
        st, _, _ = ui.req("POST", f"/delete?id={draft_id}", body_, headers=hdr)
        check(st == want, f"delete with {desc}: {st}")
    check(q(f"SELECT status FROM records WHERE hex(id) = upper(replace('{draft_id}', '-', ''))")
          == "draft", "nothing deleted by refused posts")
    big = "_csrf=" + token + "&x=" + "a" * (2 << 20)
    st, _, _ = ui.req("POST", f"/delete?id={draft_id}", big,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(st == 413, f"an oversized body: {st}")
    # what Chromium sends from our own page under Referrer-Policy: no-referrer
    st, r, _ = ui.req("POST", f"/delete?id={draft_id}", {"_csrf": token},
                      headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    check(st == 303 and r.getheader("Location") == "/records", f"delete: {st}")
    check(q(f"SELECT status FROM records WHERE hex(id) = upper(replace('{draft_id}', '-', ''))")
          == "deleted", "deleted")
    st, _, body = ui.req("GET", "/records")
    check("Запись удалена" in body and total(body) == 2, "the flash, and one fewer", body)
    st, _, body = ui.req("GET", f"/delete?id={draft_id}")
    check(st == 409, f"delete twice: {st}")


def test_refused(ui):
    c = sqlite3.connect(DB)
    c.execute("UPDATE outbox_queue SET state = 'quarantined', reason = 'набор 1–1 отклонён "
              "и помещён в карантин: изменение 1: поле «Дата» в будущем'")
    c.commit()
    c.close()
    st, _, body = ui.req("GET", "/")
    check(st == 200 and "Хаб не принял часть записей" in body, "refused: said", body)
    # the record's form and school and the hub's reason, no change number
    check(re.search(r"<b>[^<]+</b>, школа \d+[^:<]*: поле «Дата» в будущем", body) and
          "изменение 1:" not in body, "refused: the reason", body)
    check("набор 1–1" not in body, "refused: without the set's numbers")
    check(re.search(r'<a class="stat refused" href="/refused"><span class="n">1</span>', body),
          "refused: counted, with the way to them", body)
    st, _, body = ui.req("GET", "/records?form=mediation_case")
    check("Не принята хабом" in body, "refused: in the list", body)
    cid = re.search(r'/record\?id=([0-9a-f-]{36})', body)
    st, _, body = ui.req("GET", f"/record?id={cid.group(1) if cid else ''}")
    check("Хаб не принял эту запись: поле «Дата» в будущем" in body and
          "изменение 1" not in body,
          "refused: the reason on the record's page, without the change's number", body)
    check('href="/refused"' in body, "refused: the way to fix it")


def test_unlock():
    pw = os.path.join(W, "pass")
    with open(pw, "w") as f:
        f.write("корова-батарейка-скрепка 1\n")
    os.chmod(pw, 0o600)
    r = cli("--new-passphrase-file", pw, "passphrase", "set")
    check(r.returncode == 0, "passphrase set", r.stderr)
    m = re.search(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", r.stdout)
    check(m is not None, "recovery key printed", r.stdout)
    key = m.group(0) if m else ""
    case_id = q("SELECT lower(hex(id)) FROM records WHERE form_id = 'mediation_case'")
    case_id = "-".join((case_id[:8], case_id[8:12], case_id[12:16], case_id[16:20], case_id[20:]))

    ui = UI()
    ui.launch()
    st, r, _ = ui.req("GET", "/")
    check(st == 303 and r.getheader("Location") == "/unlock", f"locked: asked first ({st})")
    st, _, body = ui.req("GET", "/unlock")
    check(st == 200 and 'type="password"' in body and "Ключ восстановления" in body,
          "the passphrase page", body)
    token = ui.csrf("/unlock")
    st, _, body = ui.req("POST", "/unlock", {"_csrf": token, "pass": "не тот пароль", "next": "/"})
    check(st == 200 and "Неверный пароль" in body, f"wrong passphrase: {st}", body)
    check("не тот пароль" not in body, "the typed passphrase is not shown back")
    st, _, body = ui.req("POST", "/unlock", {"pass": "корова-батарейка-скрепка 1"})
    check(st == 403, f"unlock without the token: {st}")
    st, r, _ = ui.req("POST", "/unlock", {"_csrf": token, "pass": "корова-батарейка-скрепка 1",
                                           "next": "//evil.example/"})
    check(st == 303 and r.getheader("Location") == "/", f"right passphrase: {st}, "
          f"{r.getheader('Location')} (never another site)")
    st, _, body = ui.req("GET", "/")
    check(st == 200 and "Личные сведения открыты" in body, "unlocked", body)
    st, _, body = ui.req("GET", f"/record?id={case_id}")
    check(st == 200 and "Личные сведения скрыты" not in body, "the record opens", body)
    check("ПЛАНТ-Сидоров" in body, "its hidden values shown once unlocked", body)
    rc, out = ui.stop()
    check(rc == 0 and "Тетрад остановлен" in out, f"stopped: {rc}", out)

    ui = UI()
    ui.launch()
    token = ui.csrf("/unlock")
    st, r, _ = ui.req("POST", "/unlock", {"_csrf": token, "recovery": key.lower(),
                                           "next": f"/record?id={case_id}"})
    check(st == 303 and r.getheader("Location") == f"/record?id={case_id}",
          f"the recovery key: {st} {r.getheader('Location')}")
    st, _, body = ui.req("GET", "/")
    check("ключом восстановления" in body, "told to set a new passphrase", body)
    ui.stop()

    ui = UI()
    ui.launch()
    token = ui.csrf("/unlock")
    st, r, _ = ui.req("POST", "/unlock", {"_csrf": token, "later": "1", "next": "/"})
    check(st == 303 and r.getheader("Location") == "/", f"later: {st}")
    st, _, body = ui.req("GET", "/")
    check(st == 200 and "Открыть скрытые данные" in body, "start page, locked", body)
    st, _, body = ui.req("GET", f"/record?id={case_id}")
    check(st == 200 and "Личные сведения скрыты паролем" in body, "hidden values said", body)
    check("ПЛАНТ-Сидоров" not in body, "no hidden value shown while locked")
    check("/unlock?next=%2Frecord%3Fid%3D" in body, "a way to the passphrase and back", body)
    ui.stop()


def test_browser():
    run = os.path.join(W, "run")
    os.mkdir(run, 0o700)
    empty = os.path.join(W, "nobin")
    os.mkdir(empty)
    # no xdg-open anywhere: the URL is printed, the forwarding file kept private
    ui = UI(browser=True, env={"XDG_RUNTIME_DIR": run, "PATH": empty})
    out = ""
    for _ in range(300):
        with open(ui.out_path) as f:
            out = f.read()
        if "Браузер открыть не удалось" in out:
            break
        time.sleep(0.05)
    check("Браузер открыть не удалось" in out, "no browser: said so", out)
    m = re.search(r"http://127\.0\.0\.1:\d+/launch\?key=[0-9a-f]{64}", out)
    check(m is not None, "no browser: the URL printed", out)
    fwd = os.path.join(run, f"tetrad-ui-{ui.p.pid}.html")
    check(os.path.exists(fwd), "the forwarding file")
    if os.path.exists(fwd):
        check(stat.S_IMODE(os.stat(fwd).st_mode) == 0o600, "the forwarding file is 0600")
        with open(fwd) as f:
            check(m is not None and m.group(0) in f.read(), "it forwards to the URL")
    rc, _ = ui.stop()
    check(rc == 0, f"stopped: {rc}")
    check(not os.path.exists(fwd), "the forwarding file removed at the stop")


def main():
    test_options()
    r = cli("init", "--school", "170103")
    check(r.returncode == 0, "init", r.stderr)
    test_port_taken()
    case_id = mk_case("2026-1")
    drafts = [mk_passport("5А"), mk_passport("7Б")]
    ui = UI()
    try:
        test_guard(ui)
        test_home(ui)
        test_records(ui, case_id, drafts)
        test_record_delete(ui, case_id, drafts[0])
        test_refused(ui)
    finally:
        rc, out = ui.stop()
    check(rc == 0 and "Тетрад остановлен" in out, f"SIGTERM: exit {rc}", out)
    check(ui.key not in out, "the secret is not printed with --no-browser")
    test_unlock()
    test_browser()
    print(f"{passes} passed, {fails} failed")
    return 1 if fails or not passes else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(W, ignore_errors=True)
