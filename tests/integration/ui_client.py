"""ui_client — drives a real `tetrad ui` over HTTP the way a browser without
scripting does (python3 http.client, no browser): starts it on a free port
with --url-file, opens the launch URL (the secret becomes the cookie),
follows redirects, reads the pages' forms (every control a browser would
send, nothing inside <template>) and posts them back with a chosen button.

Used by tests/integration/test_ui_*.py; nothing here knows a form's fields.
"""
import http.client
import os
import re
import signal
import subprocess
import time
import urllib.parse
from html.parser import HTMLParser

TEXT_TYPES = {"text", "hidden", "number", "date", "email", "tel", "search",
              "password", "url", "month", "time", "datetime-local", ""}


class Control:
    def __init__(self, kind, name, ctype="", value="", checked=False):
        self.kind = kind          # input, select, textarea, button
        self.name = name
        self.type = ctype
        self.value = value
        self.checked = checked
        self.options = []         # select: [value, selected]
        self.text = ""            # button / textarea text


class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action", "")
        self.method = attrs.get("method", "get").lower()
        self.cls = attrs.get("class", "")
        self.controls = []

    def names(self):
        return {c.name for c in self.controls if c.name and c.kind != "button"}

    def buttons(self):
        return [(c.name, c.value, c.text.strip()) for c in self.controls
                if c.kind == "button" or (c.kind == "input" and c.type == "submit")]

    def value(self, name):
        for name_, v in self.fields():
            if name_ == name:
                return v
        return None

    def set(self, name, value):
        """A text, select, textarea or radio control named name gets value
        (a radio: the one with that value is checked). KeyError if none."""
        found = False
        for c in self.controls:
            if c.name != name or c.kind == "button":
                continue
            if c.kind == "input" and c.type == "radio":
                c.checked = c.value == str(value)
                found = found or c.checked
            elif c.kind == "input" and c.type == "checkbox":
                continue
            elif c.kind == "select":
                vals = [o[0] for o in c.options]
                if str(value) not in vals:
                    raise KeyError("%s: no option %r (%s)" % (name, value, vals))
                for o in c.options:
                    o[1] = o[0] == str(value)
                found = True
            elif c.kind == "textarea":
                c.text = str(value)
                found = True
            else:
                c.value = str(value)
                found = True
        if not found:
            raise KeyError("no control %s=%r in form %s" % (name, value, self.action))

    def check(self, name, value, on=True):
        for c in self.controls:
            if c.name == name and c.kind == "input" and c.type == "checkbox" \
                    and c.value == str(value):
                c.checked = on
                return
        raise KeyError("no checkbox %s=%r" % (name, value))

    def fields(self, button=None):
        """What a browser sends: successful controls in order, then the
        pressed button (name, value) if given."""
        out = []
        for c in self.controls:
            if not c.name:
                continue
            if c.kind == "input":
                if c.type in ("submit", "button", "reset", "image", "file"):
                    continue
                if c.type in ("radio", "checkbox"):
                    if c.checked:
                        out.append((c.name, c.value if c.value is not None else "on"))
                    continue
                out.append((c.name, c.value))
            elif c.kind == "select":
                sel = [o[0] for o in c.options if o[1]]
                if c.type != "multiple":
                    sel = sel[-1:] or [o[0] for o in c.options[:1]]
                out.extend((c.name, v) for v in sel)
            elif c.kind == "textarea":
                out.append((c.name, c.text))
        if button is not None:
            out.append(button)
        return out


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.template = 0
        self.select = None
        self.option = None
        self.textarea = None
        self.button = None
        self.option_text = ""
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "template":
            self.template += 1
            return
        if self.template:
            return
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
            return
        if self.form is None or "disabled" in a:
            if tag == "option" and self.select is not None:
                self.option = None
            return
        if tag == "input":
            t = a.get("type", "text").lower()
            self.form.controls.append(Control("input", a.get("name"), t,
                                              a.get("value", "on" if t in ("radio", "checkbox") else ""),
                                              "checked" in a))
        elif tag == "select":
            self.select = Control("select", a.get("name"), "multiple" if "multiple" in a else "")
            self.form.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a]
            self.option_text = ""
            self.select.options.append(self.option)
        elif tag == "textarea":
            self.textarea = Control("textarea", a.get("name"))
            self.form.controls.append(self.textarea)
        elif tag == "button":
            t = a.get("type", "submit").lower()
            self.button = Control("button" if t == "submit" else "other", a.get("name"),
                                  t, a.get("value", ""))
            if t == "submit":
                self.form.controls.append(self.button)

    def handle_endtag(self, tag):
        if tag == "template":
            self.template = max(0, self.template - 1)
        elif tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.option is not None:
            if self.option[0] is None:
                self.option[0] = self.option_text.strip()
            self.option = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "button":
            self.button = None

    def handle_data(self, data):
        if self.template:
            return
        self.text.append(data)
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea.text += data
        if self.button is not None:
            self.button.text += data


class Page:
    def __init__(self, status, headers, body, target):
        self.status = status
        self.headers = headers
        self.body = body
        self.target = target
        p = PageParser()
        if "html" in headers.get("content-type", ""):
            p.feed(body)
        self.forms = p.forms
        self.text = re.sub(r"\s+", " ", "".join(p.text))

    def form(self, action_prefix):
        for f in self.forms:
            if f.method == "post" and f.action.startswith(action_prefix):
                return f
        raise KeyError("no post form to %s on %s (forms: %s)" % (
            action_prefix, self.target, [f.action for f in self.forms]))

    @property
    def location(self):
        return self.headers.get("location")


class UI:
    def __init__(self, tetrad, db, workdir, env=None):
        self.urlfile = os.path.join(workdir, "ui-url-%d" % os.getpid())
        if os.path.exists(self.urlfile):
            os.unlink(self.urlfile)
        self.log = open(os.path.join(workdir, "ui-%s.log" % os.path.basename(db)), "ab")
        self.proc = subprocess.Popen(
            [tetrad, "--db", db, "ui", "--no-browser", "--port", "0",
             "--url-file", self.urlfile],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=env)
        url = ""
        for _ in range(200):
            if self.proc.poll() is not None:
                raise RuntimeError("tetrad ui exited with %s" % self.proc.returncode)
            if os.path.exists(self.urlfile):
                with open(self.urlfile, encoding="utf-8") as fh:
                    url = fh.read().strip()
                if url:
                    break
            time.sleep(0.05)
        if not url:
            raise RuntimeError("tetrad ui wrote no URL")
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.hosthdr = "%s:%d" % (self.host, self.port)
        self.cookies = {}
        first = self.get(u.path + ("?" + u.query if u.query else ""))
        if first.status != 200:
            raise RuntimeError("launch URL gave %d" % first.status)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def request(self, method, target, body=None, ctype=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = {"Host": self.hosthdr}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if body is not None:
            h["Content-Type"] = ctype or "application/x-www-form-urlencoded"
            h["Origin"] = "http://" + self.hosthdr
        c.request(method, target, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        headers = {k.lower(): v for k, v in r.getheaders()}
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                nv = v.split(";", 1)[0]
                if "=" in nv:
                    n, val = nv.split("=", 1)
                    self.cookies[n.strip()] = val.strip()
        c.close()
        return Page(r.status, headers, data.decode("utf-8", "replace"), target)

    def follow(self, page, limit=10):
        while page.status in (301, 302, 303, 307) and limit > 0:
            page = self.request("GET", page.location)
            limit -= 1
        return page

    def get(self, target, follow=True):
        p = self.request("GET", target)
        return self.follow(p) if follow else p

    def post(self, target, fields, follow=False):
        body = urllib.parse.urlencode(fields).encode("utf-8")
        p = self.request("POST", target, body)
        return self.follow(p) if follow else p

    def submit(self, form, button=None, follow=False):
        return self.post(form.action, form.fields(button), follow)
