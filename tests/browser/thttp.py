"""thttp — `tetrad ui` spoken to with python's http.client, for the
security tests: every request built by hand (Host, Origin, cookie, CSRF,
body size), and the pages' forms read back with html.parser."""
import html.parser
import http.client
import re
import socket
import urllib.parse


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body                # bytes
        self.text = body.decode("utf-8", errors="replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __repr__(self):
        return "<%d %s>" % (self.status, re.sub(r"\s+", " ", strip_tags(self.text))[:160])


def strip_tags(s):
    return re.sub(r"<[^>]*>", " ", s)


class Client:
    """One server; keeps the launch cookie once it got it."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.cookie = None

    def request(self, method, path, body=None, headers=None, host=None, cookie=True,
                ctype=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": host if host is not None else "%s:%d" % (self.host, self.port)}
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if body is not None:
            h["Content-Type"] = ctype or "application/x-www-form-urlencoded"
        h.update(headers or {})
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        rep = Reply(r.status, r.getheaders(), r.read())
        c.close()
        return rep

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        return self.request("POST", path, body=urllib.parse.urlencode(fields), **kw)

    def login(self, url):
        """GET of the URL with the launch secret: keeps the cookie it sets."""
        p = urllib.parse.urlsplit(url)
        r = self.get(p.path + ("?" + p.query if p.query else ""), cookie=False)
        for v in r.all("Set-Cookie"):
            self.cookie = v.split(";", 1)[0].strip()
        return r

    def raw(self, head, body_chunks, read_timeout=15):
        """Sends head (bytes) then the chunks while the server takes them;
        returns (status or None, everything read). For bodies the server
        must refuse without reading them whole."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout)
        sent = 0
        try:
            s.sendall(head)
            for ch in body_chunks:
                try:
                    s.sendall(ch)
                    sent += len(ch)
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    break
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            data = b""
            while True:
                try:
                    b = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not b:
                    break
                data += b
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return (int(m.group(1)) if m else None), data, sent


class FormParser(html.parser.HTMLParser):
    """The forms of a page: action, method, controls (name, value, type,
    checked, and a button's text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.cur = None
        self.select = None
        self.button = None
        self.option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.cur = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                        "enctype": a.get("enctype", ""), "controls": []}
            self.forms.append(self.cur)
        if self.cur is None:
            return
        if tag == "input":
            self.cur["controls"].append({"tag": "input", "name": a.get("name"),
                                         "type": (a.get("type") or "text").lower(),
                                         "value": a.get("value") or "",
                                         "has_value": "value" in a,
                                         "checked": "checked" in a, "text": ""})
        elif tag == "textarea":
            self.cur["controls"].append({"tag": "textarea", "name": a.get("name"), "type": "textarea",
                                         "value": "", "checked": False, "text": ""})
        elif tag == "select":
            self.select = {"tag": "select", "name": a.get("name"), "type": "select", "value": None,
                           "options": [], "checked": False, "text": ""}
            self.cur["controls"].append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "button":
            self.button = {"tag": "button", "name": a.get("name"),
                           "type": (a.get("type") or "submit").lower(),
                           "value": a.get("value") or "", "checked": False, "text": ""}
            self.cur["controls"].append(self.button)

    def handle_endtag(self, tag):
        if tag == "form":
            self.cur = None
        elif tag == "select":
            self.select = None
        elif tag == "button":
            self.button = None
        elif tag == "option":
            if self.option is not None and self.option["value"] is None:
                self.option["value"] = self.option["text"].strip()
            self.option = None

    def handle_data(self, data):
        if self.button is not None:
            self.button["text"] += data
        if self.option is not None:
            self.option["text"] += data


def forms_of(page_html):
    p = FormParser()
    p.feed(page_html)
    return p.forms


def post_form(page_html):
    """The page's first POST form, or None."""
    for f in forms_of(page_html):
        if f["method"] == "post":
            return f
    return None


def form_fields(form, button_text=None, values=None):
    """What a browser would post for form: the hidden inputs and the
    checked / selected defaults, values (name -> value or list) over them,
    and the submit button whose text contains button_text."""
    out = []
    values = dict(values or {})
    for c in form["controls"]:
        n = c["name"]
        if not n or n in values:
            continue
        if c["tag"] == "input" and c["type"] in ("submit", "button", "image", "reset", "file"):
            continue
        if c["tag"] == "button":
            continue
        if c["type"] in ("radio", "checkbox"):
            if c["checked"]:
                out.append((n, c["value"] if c.get("has_value") else "on"))
        elif c["type"] == "select":
            sel = [o for o in c["options"] if o["selected"]]
            if sel:
                out.append((n, sel[0]["value"]))
        else:
            out.append((n, c["value"]))
    for n, v in values.items():
        for x in (v if isinstance(v, list) else [v]):
            out.append((n, x))
    if button_text is not None:
        b = find_button(form, button_text)
        if b is None:
            raise KeyError("no button %r: %s" % (button_text, [
                c["text"].strip() or c["value"] for c in form["controls"]
                if c["tag"] == "button" or c["type"] == "submit"]))
        if b["name"]:
            out.append((b["name"], b["value"]))
    return out


def find_button(form, text):
    for c in form["controls"]:
        if c["tag"] == "button" or (c["tag"] == "input" and c["type"] == "submit"):
            label = c["text"] if c["tag"] == "button" else c["value"]
            if text.lower() in (label or "").lower():
                return c
    return None
