# sync_lib.sh — helpers of the syncd integration tests (test_sync_*.sh).
# Source after lib_hub.sh. A client database is made with the contract
# schema (version 1 in docs/client.md, "Database") directly, so these tests
# need only tetrad-syncd and tetrad-hub; outbox entries are written the way
# the client writes them (HLC node = the device key id, local fields
# removed).
#
#   sync_workdir             $work = a fresh folder; on exit the hub stops
#                            and the folder goes
#   sync_setup WORK          the usual start: forms in WORK/forms, a hub in
#                            WORK/hub, an enrolled device database $db =
#                            WORK/school.db (fails the test if any step does)
#   sync_forms DIR           writes the test form sync_test v1 into DIR
#   sync_mkdb DB             an initialised, empty client database
#   sync_enroll DB [args]    token for school 170103 + tetrad-syncd enroll
#   sync_add DB N [bad]      appends N puts (bad: with a field the form lacks)
#   sync_outbox DB STATE     count of outbox entries in STATE
#   hub_records              count of records on the hub

SYNCD="$TETRAD_BIN/tetrad-syncd"

sync_workdir() {
	work=$(mktemp -d)
	trap 'hub_stop; [ -n "${TETRAD_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
}

sync_setup() {
	export TETRAD_FORMS_DIR="$1/forms"
	sync_forms "$TETRAD_FORMS_DIR"
	mkdir -p "$1/hub"
	hub_start "$1/hub" || sync_fail "hub did not start"
	db="$1/school.db"
	sync_mkdb "$db"
	sync_enroll "$db" || sync_fail "enroll"
}

sync_forms() {
	mkdir -p "$1"
	cat >"$1/sync_test.json" <<'JSON'
{"format":1,"id":"sync_test","version":1,"title":"Проверка синхронизации","fields":[
 {"id":"n","label":"Номер","type":"integer","required":true,"min":0,"max":100000000},
 {"id":"note","label":"Примечание","type":"text","max_length":4000},
 {"id":"child","label":"Имя ребёнка","type":"text","sync":"local"}]}
JSON
}

sync_mkdb() {
	python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
PRAGMA journal_mode=WAL;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records(id BLOB PRIMARY KEY, form_id TEXT NOT NULL,
 form_version INTEGER NOT NULL, school TEXT NOT NULL,
 status TEXT NOT NULL CHECK(status IN('draft','final','deleted')),
 created_hlc TEXT NOT NULL, updated_hlc TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE outbox(seq INTEGER PRIMARY KEY, record_id BLOB NOT NULL,
 op TEXT NOT NULL CHECK(op IN('put','delete')), form_id TEXT NOT NULL,
 form_version INTEGER NOT NULL, school TEXT NOT NULL, hlc TEXT NOT NULL,
 fields TEXT, state TEXT NOT NULL DEFAULT 'pending'
 CHECK(state IN('pending','sent','acked','quarantined')), batch_id INTEGER, reason TEXT);
CREATE TABLE batches(id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL,
 last_seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, set_hash BLOB NOT NULL,
 envelope BLOB NOT NULL,
 state TEXT NOT NULL CHECK(state IN('sealed','sent','acked','quarantined')),
 reason TEXT, ack BLOB, created_at TEXT NOT NULL, sent_at TEXT, acked_at TEXT);
CREATE INDEX outbox_record ON outbox(record_id);
CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 'pending';
CREATE INDEX batches_open ON batches(first_seq) WHERE state IN ('sealed', 'sent');
INSERT INTO meta VALUES('school','170103');
PRAGMA user_version=4;
""")
db.commit()
PY
}

sync_enroll() {
	local db=$1 tok
	shift
	tok=$(hub_token --school 170103 --name "Школа 170103") || return 1
	"$SYNCD" enroll --db "$db" --hub "$HUB_URL" --token "$tok" --ca "$HUB_CA" "$@" >/dev/null
}

sync_add() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import json, os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
n, bad = int(sys.argv[2]), sys.argv[3] == "bad"
dev = db.execute("SELECT value FROM meta WHERE key='device_id'").fetchone()[0]
seq = db.execute("SELECT COALESCE(MAX(seq),0) FROM outbox").fetchone()[0]
ms = int(time.time() * 1000)
rows = []
for i in range(n):
    seq += 1
    b = bytearray((ms.to_bytes(6, "big")) + os.urandom(10))
    b[6] = 0x70 | (b[6] & 0x0f)
    b[8] = 0x80 | (b[8] & 0x3f)
    hlc = "%012x-%04x-%s" % (ms, i % 0x10000, dev)
    if i % 0x10000 == 0xffff:
        ms += 1
    f = {"n": seq, "note": "запись %d" % seq}
    if bad:
        f["bogus"] = 1
    # the fields as the client writes them: canonical, members sorted, compact
    rows.append((seq, bytes(b), "sync_test", 1, "170103", hlc,
                 json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))
db.executemany("INSERT INTO outbox(seq, record_id, op, form_id, form_version, school, hlc, fields)"
               " VALUES(?, ?, 'put', ?, ?, ?, ?, ?)", rows)
db.commit()
PY
}

sync_outbox() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM outbox WHERE state=?", (sys.argv[2],)).fetchone()[0])' "$1" "$2"
}

hub_records() {
	hub_sql "SELECT COUNT(*) FROM hub_records"
}

# Fails the test with a message.
sync_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# sync_expect_eq WHAT GOT WANT
sync_expect_eq() {
	if [ "$2" != "$3" ]; then
		sync_fail "$1: got '$2', want '$3'"
	fi
	echo "ok: $1 = $3"
}

# sync_set_url DB URL — points the device at another address of its hub
# (a restarted test hub gets a new port; a proxy sits in front of it).
sync_set_url() {
	python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("UPDATE meta SET value=? WHERE key=\"hub_url\"", (sys.argv[2],)); d.commit()' "$1" "$2"
}

# sync_proxy_start PORTFILE LOG FAILS [DATE_OFFSET_S [CORRUPT]] — a TLS proxy on
# 127.0.0.1 with the hub's certificate in front of $HUB_URL. The first FAILS
# requests to /v1/changesets get 503 with Retry-After: 1 (every third 500
# without it); the rest are forwarded. With DATE_OFFSET_S the Date header is
# replaced by the proxy's time plus that offset (a hub whose clock differs).
# With CORRUPT=1 the last byte of every form bundle is flipped.
# Sets PROXY_PID and PROXY_URL.
sync_proxy_start() {
	local port
	port=$(hub_free_port)
	python3 - "$port" "$HUB_DIR/tls/server.pem" "$HUB_DIR/tls/server.key" "$HUB_URL" "$HUB_CA" "$2" "$3" "${4:-}" "${5:-0}" <<'PY' &
import email.utils, http.client, http.server, socketserver, ssl, sys, threading, time, urllib.parse
port, cert, key, upstream, ca, logf, fails, offset, corrupt = sys.argv[1:10]
corrupt = corrupt == "1"
fails = int(fails)
offset = int(offset) if offset else None
up = urllib.parse.urlparse(upstream)
lock = threading.Lock()
state = {"n": 0}
log = open(logf, "a", buffering=1)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def relay(self, method):
        body = b""
        if "Content-Length" in self.headers:
            body = self.rfile.read(int(self.headers["Content-Length"]))
        if method == "POST" and self.path == "/v1/changesets":
            with lock:
                state["n"] += 1
                n = state["n"]
            if n <= fails:
                code = 500 if n % 3 == 0 else 503
                msg = b'{"error":"busy","message":"test"}'
                self.send_response(code)
                if code == 503:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                log.write("%d %d\n" % (n, code))
                return
        ctx = ssl.create_default_context(cafile=ca)
        c = http.client.HTTPSConnection(up.hostname, up.port, context=ctx, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() in ("content-type",)}
        c.request(method, self.path, body=body if method == "POST" else None, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        if corrupt and self.path.startswith("/v1/forms/") and data:
            data = data[:-1] + bytes([data[-1] ^ 1])
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() == "date" and offset is not None:
                v = email.utils.formatdate(time.time() + offset, usegmt=True)
            if k.lower() in ("content-type", "date", "retry-after"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        c.close()
        log.write("forward %s %s %d\n" % (method, self.path, r.status))
    def do_GET(self):
        self.relay("GET")
    def do_POST(self):
        self.relay("POST")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

srv = S(("127.0.0.1", int(port)), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
	PROXY_PID=$!
	PROXY_URL="https://127.0.0.1:$port"
	local i
	for i in $(seq 1 200); do
		curl -s --max-time 2 --cacert "$HUB_CA" "$PROXY_URL/v1/health" 2>/dev/null | grep -q '"ok"' && return 0
		sleep 0.1
	done
	echo "proxy did not start" >&2
	return 1
}

sync_proxy_stop() {
	if [ -n "${PROXY_PID:-}" ]; then
		kill "$PROXY_PID" 2>/dev/null
		wait "$PROXY_PID" 2>/dev/null
		PROXY_PID=""
	fi
}
