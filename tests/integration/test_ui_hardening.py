#!/usr/bin/env python3
"""test_ui_hardening — the security review's fixes in `tetrad ui` over HTTP
(see test_ui_hardening.sh)."""
import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

BIN = os.environ["TETRAD_BIN"]
T = os.path.join(BIN, "tetrad")
W = tempfile.mkdtemp(prefix="test_ui_hardening.")
DB = os.path.join(W, "t.db")
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
            print(str(extra)[:2000], file=sys.stderr)


def records():
    c = sqlite3.connect(DB)
    try:
        return c.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    finally:
        c.close()


class UI:
    """A running `tetrad ui --no-browser --port 0 --url-file F`."""

    def __init__(self):
        self.url_file = os.path.join(W, f"url.{time.monotonic_ns()}")
        self.out = open(self.url_file + ".out", "w")
        self.p = subprocess.Popen([T, "--db", DB, "ui", "--no-browser", "--port", "0",
                                   "--url-file", self.url_file],
                                  stdout=self.out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(self.url_file):
                break
            time.sleep(0.05)
        with open(self.url_file) as f:
            url = f.read().strip()
        m = re.match(r"http://127\.0\.0\.1:(\d+)(/launch\?key=[0-9a-f]{64})$", url)
        if m is None:
            raise RuntimeError("no launch URL: %r" % url)
        self.port, self.launch_path = int(m.group(1)), m.group(2)
        self.name = "tetrad_ui_%d" % self.port
        self.cookie = None  # the value

    def req(self, method, path, body=None, headers=None, cookie=True, ctype=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": "127.0.0.1:%d" % self.port}
        if cookie and self.cookie:
            h["Cookie"] = "%s=%s" % (self.name, self.cookie)
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            ctype = ctype or "application/x-www-form-urlencoded"
        if body is not None:
            h["Content-Type"] = ctype or "application/x-www-form-urlencoded"
        if headers:
            h.update(headers)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, r, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = -9
        self.out.close()
        return rc


def test_post_no_route(ui):
    """Review item 1: no handler, no body — 405, and the server lives on."""
    mp = "multipart/form-data; boundary=XyZ"
    for path in ("/launch", ui.launch_path, "/favicon.ico", "/static/app.css",
                 "/static/nothing.js"):
        for body, ctype in (("x", None), ("x", mp), ("", mp), ("", None),
                            ("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n"
                             "--XyZ--\r\n", mp)):
            st, r, text = ui.req("POST", path, body=body, ctype=ctype, cookie=False)
            check(st == 405, "POST %s (%r, %s): %d" % (path, body[:8], ctype, st), text)
            check(not r.getheader("Set-Cookie"), "POST %s sets no cookie" % path)
            check("<html" in text and "не принимает" in text,
                  "POST %s: a Russian page" % path, text)
            check(ui.alive(), "alive after POST %s" % path)
    # the same with the cookie afterwards (the key was not spent by a POST)
    st, r, _ = ui.req("GET", ui.launch_path, cookie=False)
    check(st == 200, "the launch still works after the refused POSTs: %d" % st)
    m = re.match(r"(tetrad_ui_\d+)=([0-9a-f]{64}); ", r.getheader("Set-Cookie") or "")
    check(m is not None and m.group(1) == ui.name,
          "the cookie is named for the port: %s" % r.getheader("Set-Cookie"))
    ui.cookie = m.group(2) if m else None
    for path in ("/launch", "/favicon.ico", "/static/app.css"):
        st, _, _ = ui.req("POST", path, body="", ctype=mp)
        check(st == 405, "POST %s with the cookie, multipart, empty: %d" % (path, st))
    st, _, _ = ui.req("GET", "/")
    check(st == 200 and ui.alive(), "the start page after it all: %d" % st)


def test_launch_once(ui):
    """Item 4: the secret works once."""
    st, r, text = ui.req("GET", ui.launch_path, cookie=False)
    check(st == 403 and "Откройте Тетрад заново" in text,
          "the launch URL a second time: %d" % st, text)
    check(not r.getheader("Set-Cookie"), "no cookie the second time")
    # the browser that spent it comes back with its cookie: on to /
    st, r, _ = ui.req("GET", ui.launch_path)
    check(st == 303 and r.getheader("Location") == "/",
          "the launch URL again with the cookie: %d %s" % (st, r.getheader("Location")))
    st, _, _ = ui.req("GET", "/launch?key=", cookie=False)
    check(st == 403, "an empty key after the secret was spent: %d" % st)
    st, _, _ = ui.req("GET", "/launch", cookie=False)
    check(st == 403, "no key after the secret was spent: %d" % st)


def test_cookie(ui):
    """Item 2: any cookie of this port's name may be the right one."""
    good, bad = ui.cookie, "0" * 64
    for hdr, want in (("%s=%s" % (ui.name, good), 200),
                      ("%s=%s; %s=%s" % (ui.name, bad, ui.name, good), 200),
                      ("a=b; %s=%s;%s=%s" % (ui.name, bad, ui.name, good), 200),
                      ("%s=%s; %s=%s" % (ui.name, good, ui.name, bad), 200),
                      ("%s=%s" % (ui.name, bad), 403),
                      ("tetrad_ui=%s" % good, 403),
                      ("tetrad_ui_%d=%s" % (ui.port + 1, good), 403),
                      ("%s=" % ui.name, 403),
                      ("%sx=%s" % (ui.name, good), 403)):
        st, _, _ = ui.req("GET", "/", headers={"Cookie": hdr}, cookie=False)
        check(st == want, "Cookie %r: %d, want %d" % (hdr[:60], st, want))


def test_origin(ui):
    """Item 7: Referrer-Policy same-origin, Origin exactly this server."""
    st, r, text = ui.req("GET", "/records")
    check(st == 200, "the record list: %d" % st)
    check(r.getheader("Referrer-Policy") == "same-origin",
          "Referrer-Policy: %s" % r.getheader("Referrer-Policy"))
    check('<meta name="referrer" content="same-origin">' in text, "the page's meta says same-origin",
          text[:600])
    m = re.search(r'name="_csrf" value="([0-9a-f]+)"', text)
    check(m is not None, "a CSRF token on /records", text)
    token = m.group(1) if m else ""
    p = ui.port
    before = records()
    for origin, site, want in (
            ("http://127.0.0.1:%d" % p, "same-origin", 200),
            ("http://localhost:%d" % p, "same-origin", 200),
            ("http://127.0.0.1:%d" % p, None, 200),
            (None, None, 200),
            ("null", "same-origin", 200),
            ("null", None, 403),
            ("null", "cross-site", 403),
            ("http://127.0.0.1:%d" % p, "same-site", 403),
            ("http://LOCALHOST:%d" % p, "same-origin", 403),
            ("HTTP://127.0.0.1:%d" % p, "same-origin", 403),
            ("http://127.0.0.1:%d/" % p, "same-origin", 403),
            ("http://127.0.0.1:0%d" % p, "same-origin", 403),
            ("http://127.0.0.1", "same-origin", 403),
            ("http://127.0.0.1:%d" % (p + 1), None, 403),
            ("https://127.0.0.1:%d" % p, None, 403),
            ("http://evil.example", None, 403),
            ("http://127.0.0.1:%d.evil.example" % p, None, 403)):
        h = {}
        if origin is not None:
            h["Origin"] = origin
        if site is not None:
            h["Sec-Fetch-Site"] = site
        st, _, text = ui.req("POST", "/records", {"_csrf": token, "q": "x"}, headers=h)
        check(st == want, "POST with Origin %r, Sec-Fetch-Site %r: %d, want %d"
              % (origin, site, st, want), text if st != want else "")
    check(records() == before, "nothing stored by the Origin checks")


def test_next(ui):
    """Item 3: /unlock?next= (the store is not locked: straight there)."""
    for nxt, want in (("/records", "/records"),
                      ("/record?id=0a1b-2c&x=y_z.%2F", "/record?id=0a1b-2c&x=y_z.%2F"),
                      ("//evil.example/", "/"),
                      ("/\\evil.example/", "/"),
                      ("/\\\\evil.example/", "/"),
                      ("http://evil.example/", "/"),
                      ("/x\ty", "/"), ("/x\x7fy", "/"), ("/x\x01y", "/"),
                      ("/x y", "/"), ("/x:y", "/"), ("/x\"y", "/"), ("/x<y", "/"),
                      ("/ы", "/"), ("", "/"), ("records", "/")):
        q = urllib.parse.quote(nxt, safe="")
        st, r, _ = ui.req("GET", "/unlock?next=" + q)
        check(st == 303 and r.getheader("Location") == want,
              "next=%r: %d %s, want %s" % (nxt, st, r.getheader("Location"), want))


def main():
    r = subprocess.run([T, "--db", DB, "init", "--school", "170103"], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, "init", r.stderr)
    ui = UI()
    try:
        test_post_no_route(ui)
        test_launch_once(ui)
        test_cookie(ui)
        test_origin(ui)
        test_next(ui)
        check(ui.alive(), "tetrad ui still running at the end")
    finally:
        rc = ui.stop()
    check(rc == 0, "SIGTERM: exit %d" % rc)
    print(f"{passes} passed, {fails} failed")
    return 1 if fails or not passes else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(W, ignore_errors=True)
