"""tbrowser — the harness of the browser tests of `tetrad ui` (issue 22).

Real components only: a real tetrad-hub on 127.0.0.1 (the way
tests/integration/lib_hub.sh starts it), a real client database made with
`tetrad init` and enrolled with a one-time token, the real `tetrad ui`
(--no-browser --port 0 --url-file F) and Debian's headless Chromium driven by
selenium at 1366x768. Every page a flow visits is saved as
<build>/screenshots/NN-name.png (the Russian guide copies them).

Environment (set by ctest, see tests/CMakeLists.txt): TETRAD_BIN (the built
programs; the build folder is its parent), TETRAD_SOURCE_DIR,
TETRAD_FORMS_DIR. Nothing here talks to anything but 127.0.0.1.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


class Fail(Exception):
    pass


T0 = time.time()


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok: %s [%.1f s]" % (what, time.time() - T0), flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Env:
    """Paths and the temporary work folder (removed at close unless the
    test failed and TETRAD_KEEP=1)."""

    def __init__(self, name):
        self.bin = os.environ.get("TETRAD_BIN")
        self.src = os.environ.get("TETRAD_SOURCE_DIR")
        if not self.bin or not self.src:
            raise SystemExit("TETRAD_BIN and TETRAD_SOURCE_DIR must be set (run through ctest)")
        self.build = os.path.dirname(os.path.abspath(self.bin))
        self.shots = os.path.join(self.build, "screenshots")
        os.makedirs(self.shots, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="tetrad-%s." % name)
        self.name = name
        self.procs = []
        self.browsers = []
        self.uis = []
        self.hubs = []
        os.environ.setdefault("TETRAD_FORMS_DIR", os.path.join(self.src, "forms"))

    def path(self, *p):
        return os.path.join(self.work, *p)

    def prog(self, name):
        return os.path.join(self.bin, name)

    def run(self, argv, check_rc=True, timeout=60, input_=None):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input_)
        if check_rc and r.returncode != 0:
            raise Fail("%s: exit %d\n%s%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
        return r

    def close(self, ok):
        for b in self.browsers:
            if not ok:
                b.save_failure(self.name)
            b.quit()
        for p in reversed(self.procs):
            stop_proc(p)
        if ok or os.environ.get("TETRAD_KEEP") != "1":
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print("work folder kept: " + self.work)


def stop_proc(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Hub:
    """A real tetrad-hub serving HTTPS on 127.0.0.1 with a test CA."""

    def __init__(self, env):
        self.env = env
        self.dir = env.path("hub")
        os.makedirs(self.dir)
        env.run([env.prog("tetrad-hub"), "--data", self.dir, "init", "--tls-self-signed", "127.0.0.1"])
        self.ca = os.path.join(self.dir, "tls", "ca.pem")
        self.proc = None
        env.hubs.append(self)
        self.start()

    def cli(self, *args, check_rc=True):
        return self.env.run([self.env.prog("tetrad-hub"), "--data", self.dir] + list(args),
                            check_rc=check_rc)

    def start(self):
        log = open(os.path.join(self.dir, "serve.log"), "ab")
        for _ in range(5):
            self.port = free_port()
            self.url = "https://127.0.0.1:%d" % self.port
            self.proc = subprocess.Popen(
                [self.env.prog("tetrad-hub"), "--data", self.dir, "serve", "--listen",
                 "127.0.0.1:%d" % self.port], stdout=log, stderr=log)
            self.env.procs.append(self.proc)
            for _ in range(100):
                if self.healthy():
                    return
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
            stop_proc(self.proc)
        raise Fail("the hub did not come up: %s" % open(os.path.join(self.dir, "serve.log")).read()[-2000:])

    def healthy(self):
        try:
            ctx = ssl.create_default_context(cafile=self.ca)
            c = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=2)
            c.request("GET", "/v1/health")
            ok = b'"ok"' in c.getresponse().read()
            c.close()
            return ok
        except (OSError, ssl.SSLError, http.client.HTTPException):
            return False

    def token(self, *args):
        out = self.cli("token", "create", *args).stdout.strip().splitlines()
        return out[-1].strip()

    def report(self, name):
        return json.loads(self.cli("report", name, "--format", "json").stdout)

    def records(self, form=None):
        db = sqlite3.connect(os.path.join(self.dir, "hub.db"))
        try:
            if form:
                return db.execute("SELECT COUNT(*) FROM hub_records WHERE form_id=? AND NOT deleted",
                                  (form,)).fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM hub_records WHERE NOT deleted").fetchone()[0]
        finally:
            db.close()


class Device:
    """A client database made with `tetrad init`, enrolled with the hub."""

    def __init__(self, env, name, school=None, curator=None, label=None):
        self.env = env
        self.db = env.path(name + ".db")
        args = ["init"]
        if curator:
            args += ["--curator", "--name", curator]
        else:
            args += ["--school", school, "--name", label or ("Школа " + school)]
        self.tetrad(*args)

    def tetrad(self, *args, check_rc=True, input_=None):
        return self.env.run([self.env.prog("tetrad"), "--db", self.db] + list(args),
                            check_rc=check_rc, input_=input_)

    def enroll(self, hub, *token_args):
        tok = hub.token(*token_args)
        self.tetrad("enroll", "--hub", hub.url, "--token", tok, "--ca", hub.ca)

    def set_passphrase(self, phrase):
        f = self.env.path("pass.txt")
        with open(f, "w") as fh:
            fh.write(phrase + "\n")
        os.chmod(f, 0o600)
        return self.tetrad("--new-passphrase-file", f, "passphrase", "set", "--no-recovery")

    def sql(self, q, args=()):
        db = sqlite3.connect(self.db, timeout=30)
        try:
            return db.execute(q, args).fetchall()
        finally:
            db.close()

    def execute(self, q, args=()):
        db = sqlite3.connect(self.db, timeout=30)
        try:
            db.execute(q, args)
            db.commit()
        finally:
            db.close()

    def count(self, q, args=()):
        return self.sql(q, args)[0][0]

    def records(self, form=None, status=None):
        q, a = "SELECT COUNT(*) FROM records WHERE 1", []
        if form:
            q += " AND form_id=?"
            a.append(form)
        if status:
            q += " AND status=?"
            a.append(status)
        return self.count(q, a)

    def record_data(self, form, status="final"):
        """The stored values of this form's records (synced fields only when
        a passphrase hides the local ones), newest last."""
        return [json.loads(r[0]) for r in self.sql(
            "SELECT data FROM records WHERE form_id=? AND status=? ORDER BY created_hlc",
            (form, status))]

    def outbox(self, state=None):
        if state:
            return self.count("SELECT COUNT(*) FROM outbox WHERE state=?", (state,))
        return self.count("SELECT COUNT(*) FROM outbox")


class Ui:
    """The real `tetrad ui` on a free port; url is the one with the launch
    secret that `tetrad ui` would open in the browser."""

    def __init__(self, dev):
        self.env = dev.env
        self.dev = dev
        self.url_file = self.env.path("ui-%d.url" % len(self.env.procs))
        self.log = self.env.path("ui-%d.log" % len(self.env.procs))
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [self.env.prog("tetrad"), "--db", dev.db, "ui", "--no-browser", "--port", "0",
             "--url-file", self.url_file], stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
        self.env.procs.append(self.proc)
        self.env.uis.append(self)
        deadline = time.time() + 20
        self.url = None
        while time.time() < deadline:
            if os.path.exists(self.url_file):
                u = open(self.url_file).read().strip()
                if u:
                    self.url = u
                    break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.url:
            raise Fail("tetrad ui did not start (exit %s): %s" % (self.proc.poll(), self.log_text()))
        p = urllib.parse.urlsplit(self.url)
        self.host, self.port = p.hostname, p.port
        self.base = "%s://%s" % (p.scheme, p.netloc)
        mode = os.stat(self.url_file).st_mode & 0o777
        check(mode == 0o600, "the URL file is 0600 (got %o)" % mode)

    def log_text(self):
        try:
            return open(self.log, encoding="utf-8", errors="replace").read()[-20000:]
        except OSError:
            return ""

    def stop(self):
        stop_proc(self.proc)
        return self.proc.returncode


# ---- the browser -------------------------------------------------------

def need_browser():
    """Exits 77 with the reason when Chromium, its driver or selenium are
    absent (the only reasons a browser test may skip)."""
    for prog in ("chromium", "chromedriver"):
        if not shutil.which(prog):
            skip("%s is not installed (scripts/install-deps.sh: chromium, chromium-driver)" % prog)
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("python3-selenium is not installed (scripts/install-deps.sh)")


class Browser:
    """Headless Chromium at 1366x768. shot() numbers the screenshots from
    first (so each test owns a range: NN-name.png)."""

    def __init__(self, env, first_shot, last_shot, js=True, args=()):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.env = env
        self.n = first_shot
        self.last = last_shot
        self.js = js
        # this test's screenshots of an earlier run go: the folder shows one run
        for f in os.listdir(env.shots):
            m = re.match(r"(\d+)-.*\.png$", f)
            if (m and first_shot <= int(m.group(1)) <= last_shot) or f.startswith("fail-%s." % env.name):
                os.unlink(os.path.join(env.shots, f))
        self.downloads = env.path("downloads-%d" % first_shot)
        os.makedirs(self.downloads)
        o = webdriver.ChromeOptions()
        o.binary_location = shutil.which("chromium")
        for a in ("--headless=new", "--window-size=1366,768", "--no-sandbox",
                  "--disable-dev-shm-usage", "--disable-gpu", "--lang=ru-RU",
                  "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                  "--disable-background-networking", "--disable-sync",
                  "--disable-component-update", "--disable-features=Translate,MediaRouter",
                  "--user-data-dir=" + env.path("chrome-%d" % first_shot),
                  "--force-device-scale-factor=1", "--hide-scrollbars") + tuple(args):
            o.add_argument(a)
        prefs = {
            "download.default_directory": self.downloads,
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
            "intl.accept_languages": "ru-RU,ru",
        }
        if not js:
            prefs["profile.managed_default_content_settings.javascript"] = 2
        o.add_experimental_option("prefs", prefs)
        # Chromium takes its language (the date fields' ДД.ММ.ГГГГ) from
        # the environment, not from --lang, when headless
        cenv = dict(os.environ, LANGUAGE="ru_RU:ru", LANG="ru_RU.UTF-8", LC_ALL="ru_RU.UTF-8")
        svc = Service(executable_path=shutil.which("chromedriver"),
                      log_path=env.path("chromedriver-%d.log" % first_shot), env=cenv)
        self.d = webdriver.Chrome(service=svc, options=o)
        self.d.set_page_load_timeout(30)
        self.d.set_script_timeout(10)
        self.d.set_window_size(1366, 768)
        # the page's viewport itself 1366x768 (the window's frame would
        # take ~140 px of a 768 px window): the screenshots are that size
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1366, "height": 768, "deviceScaleFactor": 1,
                                "mobile": False})
        # headless downloads need to be allowed explicitly
        try:
            self.d.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": self.downloads})
        except Exception:
            self.d.execute_cdp_cmd("Page.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": self.downloads})
        self.base = None
        self.problems = []
        self.notes = set()    # worth telling, not failures
        env.browsers.append(self)

    def quit(self):
        if self.d is None:
            return
        try:
            self.d.quit()
        except Exception:
            pass
        self.d = None

    def save_failure(self, test):
        """The page the test failed on, for whoever reads the log."""
        if self.d is None:
            return
        try:
            f = os.path.join(self.env.shots, "fail-%s" % test)
            self.d.save_screenshot(f + ".png")
            with open(f + ".html", "w", encoding="utf-8") as fh:
                fh.write(self.d.page_source)
            print("the failing page: %s.png (.html); at %s" % (f, self.d.current_url))
        except Exception as e:
            print("no screenshot of the failure: %s" % e)

    # navigation
    def launch(self, ui):
        """Opens the URL with the secret, as the launcher does."""
        self.base = ui.base
        self.d.get(ui.url)
        return self

    def go(self, path):
        self.d.get(self.base + path)

    def path(self):
        p = urllib.parse.urlsplit(self.d.current_url)
        return p.path + ("?" + p.query if p.query else "")

    def text(self):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.TAG_NAME, "body").text

    def html(self):
        return self.d.page_source

    def shot(self, name, el=None):
        """Screenshot of the viewport (1366x768), scrolled to el if given."""
        if el is not None:
            # the field's whole block (its label too), a little below the top
            self.d.execute_script(
                "var w=arguments[0].closest('.tf-field, .tf-item, tr, fieldset') || arguments[0];"
                "w.scrollIntoView({block:'start'}); window.scrollBy(0, -60);", el)
        else:
            self.d.execute_script("window.scrollTo(0,0);")
        if self.n > self.last:
            self.problems.append("screenshot %s past this test's range (%d)" % (name, self.last))
        f = os.path.join(self.env.shots, "%02d-%s.png" % (self.n, name))
        self.n += 1
        self.d.save_screenshot(f)
        self.page_sanity(name)
        return f

    def page_sanity(self, name):
        """What every page must be: Russian, not a raw server error, no
        English libmicrohttpd page, no console errors (CSP refusals)."""
        body = self.text()
        if not re.search("[А-Яа-яЁё]", body):
            self.problems.append("%s: a page with no Russian text: %r" % (name, body[:200]))
        for bad in ("Internal Server Error", "Not Found", "Bad Request", "libmicrohttpd"):
            if bad in body:
                self.problems.append("%s: English error page text %r" % (name, bad))
        try:
            for entry in self.d.get_log("browser"):
                msg = entry.get("message") or ""
                if entry.get("level") != "SEVERE":
                    continue
                if "favicon.ico" in msg:
                    self.notes.add("no /favicon.ico: every first page logs a 404 in the console")
                    continue
                if "Failed to load resource" in msg and msg.split(" ")[0] == self.d.current_url:
                    continue    # the page's own status (a refusal page): judged by the flow
                self.problems.append("%s: browser console: %s" % (name, msg))
        except Exception:
            pass

    # elements
    def els(self, css):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def named(self, name):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.NAME, name)

    def names(self, pattern):
        """Input names on the page matching the regex, in page order."""
        seen = []
        for n in self.d.execute_script(
                "return Array.from(document.querySelectorAll('[name]')).map(e=>e.name);"):
            if re.fullmatch(pattern, n) and n not in seen:
                seen.append(n)
        return seen

    def wait(self, cond, what, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if cond():
                    return
            except Exception:
                pass
            time.sleep(0.1)
        raise Fail("timed out waiting for %s (page %s)" % (what, self.path()))

    def visible(self, name):
        return any(e.is_displayed() for e in self.named(name))

    def button(self, label=None, value=None):
        """A submit button by (part of) its visible label or its value."""
        for e in self.els("button, input[type=submit]"):
            if not e.is_displayed():
                continue    # e.g. the hidden default button Enter presses
            t = e.text if e.tag_name == "button" else (e.get_attribute("value") or "")
            if value is not None and e.get_attribute("value") == value:
                return e
            if label is not None and label.lower() in t.lower():
                return e
        raise Fail("no button %r on %s" % (label or value, self.path()))

    def link(self, label):
        from selenium.webdriver.common.by import By
        for e in self.d.find_elements(By.TAG_NAME, "a"):
            if label.lower() in e.text.lower():
                return e
        raise Fail("no link %r on %s" % (label, self.path()))

    def click(self, el, wait_page=True):
        """Clicks; when the click posts or follows a link, waits for the
        new page (the old body goes stale)."""
        self.d.execute_script("arguments[0].scrollIntoView({block:'center'});", el)
        old = self.d.find_element("tag name", "html")
        el.click()
        if wait_page:
            from selenium.common.exceptions import (StaleElementReferenceException,
                                                    WebDriverException)
            end = time.time() + 30
            while time.time() < end:
                try:
                    old.is_enabled()
                except StaleElementReferenceException:
                    break
                except WebDriverException as ex:
                    # caught mid-navigation, Chrome says so in other words
                    if "does not belong to the document" not in str(ex):
                        raise
                    break
                time.sleep(0.05)
            else:
                raise Fail("no new page after the click on %s" % self.path())
            self.wait(lambda: self.d.execute_script("return document.readyState") == "complete",
                      "the page to load")

    def press(self, label=None, value=None):
        self.click(self.button(label, value))

    # fields
    def set(self, name, value):
        """Sets a field the way a person would, whatever control renders it:
        select, radio buttons, checkboxes (multi: a list), text, number,
        date (value given as ДД.ММ.ГГГГ)."""
        from selenium.webdriver.support.ui import Select
        els = [e for e in self.named(name)]
        if not els:
            raise Fail("no field %r on %s" % (name, self.path()))
        e0 = els[0]
        tag, typ = e0.tag_name, (e0.get_attribute("type") or "").lower()
        if tag == "select":
            s = Select(e0)
            if s.is_multiple:
                s.deselect_all()
                for v in (value if isinstance(value, list) else [value]):
                    self._select(s, v)
            else:
                self._select(s, value)
            return
        if typ in ("radio", "checkbox"):
            want = value if isinstance(value, list) else [value]
            want = [self._norm(v) for v in want]
            if isinstance(value, bool):
                want = list(bool_variants(value))
            single = not isinstance(value, list)
            # one round trip: the buttons whose value or label is wanted are
            # clicked (a real click: the events a person's click makes)
            r = self.d.execute_script(_SET_BOXES, name, want, single)
            if r != "ok":
                raise Fail("field %r: %s" % (name, r))
            return
        if typ == "hidden":
            raise Fail("field %r is hidden on %s" % (name, self.path()))
        if typ == "date":
            iso = to_iso(value)
            self.d.execute_script(
                "arguments[0].value=arguments[1];"
                "arguments[0].dispatchEvent(new Event('input',{bubbles:true}));"
                "arguments[0].dispatchEvent(new Event('change',{bubbles:true}));", e0, iso)
            if e0.get_attribute("value") != iso:
                raise Fail("date field %r did not take %s" % (name, iso))
            return
        e0.clear()
        if value != "":
            e0.send_keys(str(value))
        # a change event for scripts that watch it
        self.d.execute_script(
            "arguments[0].dispatchEvent(new Event('change',{bubbles:true}));", e0)

    def value(self, name):
        els = self.named(name)
        if not els:
            return None
        e0 = els[0]
        typ = (e0.get_attribute("type") or "").lower()
        if typ in ("radio", "checkbox"):
            on = [e.get_attribute("value") for e in els if e.is_selected()]
            return on if typ == "checkbox" else (on[0] if on else None)
        return e0.get_attribute("value")

    def _click_input(self, el):
        self.d.execute_script("arguments[0].scrollIntoView({block:'center'});", el)
        if el.is_displayed():
            try:
                el.click()
                return
            except Exception:
                pass
        # a styled control whose input is hidden behind its label
        lab = self.d.execute_script(
            "return arguments[0].closest('label') || (arguments[0].id && "
            "document.querySelector('label[for=\"'+arguments[0].id+'\"]'));", el)
        if lab is None:
            raise Fail("cannot click the input %s" % el.get_attribute("name"))
        lab.click()

    def _label(self, el):
        t = self.d.execute_script(
            "var l=arguments[0].closest('label') || (arguments[0].id && "
            "document.querySelector('label[for=\"'+arguments[0].id+'\"]'));"
            "return l ? l.textContent : '';", el)
        return self._norm(t)

    @staticmethod
    def _norm(v):
        if v is True:
            return "true"
        if v is False:
            return "false"
        return str(v if v is not None else "").strip().lower()

    def _select(self, s, v):
        want = self._norm(v)
        for o in s.options:
            if self._norm(o.get_attribute("value")) == want or self._norm(o.text) == want:
                if not o.is_selected():
                    o.click()
                return
        if want in ("true", "false"):
            alt = {"true": ("1", "yes", "да"), "false": ("0", "no", "нет")}[want]
            for o in s.options:
                if self._norm(o.get_attribute("value")) in alt or self._norm(o.text) in alt:
                    o.click()
                    return
        raise Fail("select %r has no option %r" % (s._el.get_attribute("name"), v))

    def fill(self, values):
        """values: path -> value, in order (a field that appears after a
        choice comes after it)."""
        for k, v in values.items():
            self.set(k, v)

    def csrf(self):
        e = self.named("_csrf")
        return e[0].get_attribute("value") if e else None


_SET_BOXES = """
var name = arguments[0], want = arguments[1], single = arguments[2];
function norm(s) { return (s || '').replace(/\\s+/g, ' ').trim().toLowerCase(); }
function label(e) {
  var l = e.closest('label') || (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]'));
  return l ? norm(l.textContent) : '';
}
var boxes = Array.prototype.filter.call(document.getElementsByName(name),
  function (e) { return e.type === 'radio' || e.type === 'checkbox'; });
if (!boxes.length) return 'no buttons';
if (boxes[0].type === 'checkbox' && boxes.length === 1 && single) {
  var on = ['true', '1', 'yes', 'да', 'on'].indexOf(want[0]) >= 0;
  if (boxes[0].checked !== on) boxes[0].click();
  return 'ok';
}
var found = false;
boxes.forEach(function (b) {
  var hit = want.indexOf(norm(b.value)) >= 0 || want.indexOf(label(b)) >= 0;
  if (hit) found = true;
  if (b.type === 'checkbox' ? b.checked !== hit : (hit && !b.checked)) {
    if (b.disabled) return;
    b.scrollIntoView({block: 'center'});
    b.click();
  }
});
if (!found) return 'no choice ' + JSON.stringify(want) + ' among ' +
  JSON.stringify(boxes.map(function (b) { return b.value; }));
return 'ok';
"""


def to_iso(v):
    m = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d{4})", v)
    return "%s-%s-%s" % (m.group(3), m.group(2), m.group(1)) if m else v


def bool_variants(v):
    return ("true", "1", "yes", "да") if v else ("false", "0", "no", "нет")


def main(name, flow):
    """Runs flow(env) with a bounded lifetime; prints PASS or the failure;
    problems seen in pages are printed either way (they fail the test)."""
    env = Env(name)
    ok = False
    started = time.time()
    try:
        problems = flow(env) or []
        # the interface stops cleanly, and the sanitizers (build/san) saw nothing
        for u in env.uis:
            rc = u.stop()
            if rc != 0:
                problems.append("tetrad ui exited %s on SIGTERM" % rc)
            for bad in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
                if bad in u.log_text():
                    problems.append("tetrad ui's output has %r: %s" % (bad, u.log_text()[-1500:]))
        for h in env.hubs:
            log = open(os.path.join(h.dir, "serve.log"), encoding="utf-8", errors="replace").read()
            for bad in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
                if bad in log:
                    problems.append("the hub's log has %r" % bad)
        for b in env.browsers:
            problems += b.problems
            for n in sorted(b.notes):
                print("NOTE: " + n)
        for p in problems:
            print("PAGE PROBLEM: " + p)
        ok = not problems
        print("PASS" if ok else "FAIL: %d page problems" % len(problems))
    except Fail as e:
        print("FAIL: %s" % e)
    except Exception:
        import traceback
        traceback.print_exc()
        print("FAIL: an exception")
    finally:
        for b in env.browsers:
            if not ok:
                for p in b.problems:
                    print("PAGE PROBLEM: " + p)
        print("took %.1f s" % (time.time() - started))
        if not ok:
            for u in env.uis:
                print("--- the output of tetrad ui (%s):\n%s" % (u.url_file, u.log_text()))
        env.close(ok)
    sys.exit(0 if ok else 1)
