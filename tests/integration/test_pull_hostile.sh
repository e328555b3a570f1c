#!/usr/bin/env bash
# test_pull_hostile — pull answers that must be refused (issue 18, "Hostile
# input"), through the real programs: a real hub, `tetrad`, `tetrad-syncd`,
# and a TLS proxy in front of the hub that changes what comes back.
#
# A school PC (S1) pulls through the proxy. Each bad answer is refused with
# its own reason in the log (exit 10), and S1's records, clocks, conflicts
# and cursor stay byte for byte as they were:
#   tampered   one byte of the hub's answer flipped     «подпись хаба не сходится»
#   replayed   an older genuine answer to S1 again      «повтор старого ответа»
#   foreign    the genuine answer to the school's second PC   «другому устройству»
#   re-ordered signed with the hub's real key, echoing S1's nonce, but
#              starting after S1's cursor (tt-pullforge)     «не по порядку»
#   foreign school  the same, right cursor, a record of a school not S1's
# The same over USB (`import-changes`): a file starting after the cursor and
# a file for another device are refused; a good file is applied once and the
# second import says it was loaded already. Afterwards a plain sync brings the
# change the refused answers were hiding.
# Runs on both stores
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
SRC=${TETRAD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export TETRAD_FORMS_DIR=$SRC/forms
. "$SRC/tests/integration/lib_hub.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-pullhostile.XXXXXX")
PROXY_PID=""
cleanup() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
	hub_stop
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

TETRAD="$TETRAD_BIN/tetrad"
SYNCD="$TETRAD_BIN/tetrad-syncd"
FORGE="$TETRAD_BIN/tt-pullforge"
S1=$T/s1.db
S2=$T/s2.db
N=0
FAILS=0
pass() { N=$((N + 1)); echo "ok $N - $*"; }
fail() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else
		fail "$1: «$3» not in $(basename "$2"): $(tr '\n' ' ' <"$2" | cut -c1-600)"
	fi
}
# expect NAME WANT_RC COMMAND...: stdout in $T/out, stderr in $T/err
expect() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"; else
		fail "$name: exit $rc, want $want: $(tr '\n' ' ' <"$T/err" | cut -c1-600)"
	fi
}
seturl() { sqlite3 "$1" "UPDATE meta SET value='$2' WHERE key='hub_url'"; }
# Everything a pull may touch on a device.
snap() {
	sqlite3 "$1" "SELECT hex(id), form_id, form_version, school, status, updated_hlc, data, COALESCE(clocks,'') FROM records ORDER BY id;
		SELECT COUNT(*) FROM conflicts;
		SELECT key, value FROM meta WHERE key IN ('pull_after','risk_profile','school_names','hlc_last') ORDER BY key"
}
cursor() { sqlite3 "$1" "SELECT COALESCE((SELECT value FROM meta WHERE key='pull_after'),0)"; }
hexid() { echo "$1" | tr -d - | tr 'A-F' 'a-f'; }
val() { sqlite3 "$1" "SELECT COALESCE(json_extract(data,'\$.$3'),'') FROM records WHERE lower(hex(id))='$(hexid "$2")'"; }

# refused NAME REASON: S1's sync through the proxy refuses and changes nothing
refused() {
	local before
	before=$(snap "$S1")
	expect "$1: the run says so (exit 10)" 10 "$SYNCD" --once --db "$S1"
	has "$1: the reason is logged" "$T/err" "$2"
	has "$1: the person is told" "$T/out" "Ответ хаба с изменениями не принят"
	eq "$1: S1 untouched" "$(snap "$S1")" "$before"
}

hub_start "$T/hub" || exit 1
if ! hub_curl -o /dev/null -w '%{http_code}' -X POST --data-binary x "$HUB_URL/v1/pull" | grep -qv 404; then
	echo "SKIP: this hub has no POST /v1/pull yet"
	exit 77
fi

# --- a TLS proxy before the hub; $T/mode says what it does to /v1/pull:
#     pass (saves request and answer), tamper, replay FILE, forge AFTER UPTO SCHOOL
port=$(hub_free_port)
echo pass >"$T/mode"
python3 - "$port" "$HUB_DIR" "$HUB_URL" "$HUB_CA" "$T" "$FORGE" <<'PY' &
import http.client, http.server, socketserver, ssl, subprocess, sys, urllib.parse
# runs: tt-pullforge (by path, from TETRAD_BIN)
port, hubdir, upstream, ca, T, forge = sys.argv[1:7]
up = urllib.parse.urlparse(upstream)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def reply(self, status, data, ctype="application/octet-stream"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def forward(self, method, body):
        c = http.client.HTTPSConnection(up.hostname, up.port,
                                        context=ssl.create_default_context(cafile=ca), timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() == "content-type"}
        c.request(method, self.path, body=body if method == "POST" else None, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        ctype = r.getheader("Content-Type") or "application/octet-stream"
        c.close()
        return r.status, data, ctype
    def relay(self, method):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))) if method == "POST" else b""
        if method == "POST" and self.path == "/v1/pull":
            mode = open(T + "/mode").read().split()
            open(T + "/req.last", "wb").write(body)
            if mode[0] == "replay":
                return self.reply(200, open(mode[1], "rb").read())
            if mode[0] == "forge":
                subprocess.run([forge, "answer", hubdir, T + "/req.last", mode[1], mode[2], mode[3],
                                T + "/forged.bin"], check=True)
                return self.reply(200, open(T + "/forged.bin", "rb").read())
            status, data, ctype = self.forward(method, body)
            if status == 200 and mode[0] == "pass":
                open(T + "/ans.last", "wb").write(data)
            if status == 200 and mode[0] == "tamper" and len(data) > 200:
                data = data[:180] + bytes([data[180] ^ 1]) + data[181:]
            return self.reply(status, data, ctype)
        status, data, ctype = self.forward(method, body)
        self.reply(status, data, ctype)
    def do_GET(self):
        self.relay("GET")
    def do_POST(self):
        self.relay("POST")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

srv = S(("127.0.0.1", int(port)), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(hubdir + "/tls/server.pem", hubdir + "/tls/server.key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
PROXY_PID=$!
PROXY_URL="https://127.0.0.1:$port"
for i in $(seq 1 100); do
	curl -s --max-time 2 --cacert "$HUB_CA" "$PROXY_URL/v1/health" 2>/dev/null | grep -q '"ok"' && break
	sleep 0.1
done

# --- two PCs of school 170103; a passport from S2 reaches S1 (genuine answers saved)
expect "init S1" 0 "$TETRAD" --db "$S1" init --school 170103
expect "init S2" 0 "$TETRAD" --db "$S2" init --school 170103
expect "enroll S1" 0 "$TETRAD" --db "$S1" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
expect "enroll S2" 0 "$TETRAD" --db "$S2" enroll --hub "$HUB_URL" --token "$(hub_token --school 170103)" --ca "$HUB_CA"
expect "passport on S2" 0 "$TETRAD" --db "$S2" new social_passport --json "$SRC/tests/data/forms/social_passport.good.json"
P=$(tail -n 1 "$T/out")
expect "S2 sends it" 0 "$SYNCD" --once --db "$S2"
seturl "$S1" "$PROXY_URL"
seturl "$S2" "$PROXY_URL"
expect "S1 pulls through the proxy" 0 "$SYNCD" --once --db "$S1"
eq "S1 has the passport" "$(val "$S1" "$P" large_families)" 64
cp "$T/ans.last" "$T/s1-old.bin"
expect "S2 pulls through the proxy" 0 "$SYNCD" --once --db "$S2"
cp "$T/ans.last" "$T/s2.bin"
cp "$T/req.last" "$T/s2.req"
seturl "$S2" "$HUB_URL"
# a change on the hub the bad answers would hide
expect "S2 edits the passport" 0 "$TETRAD" --db "$S2" edit "$P" --set large_families=77
expect "S2 sends the edit" 0 "$SYNCD" --once --db "$S2"

echo tamper >"$T/mode"
refused "tampered" "подпись хаба не сходится"
echo "replay $T/s1-old.bin" >"$T/mode"
refused "replayed" "это повтор старого ответа"
echo "replay $T/s2.bin" >"$T/mode"
refused "foreign device" "ответ предназначен другому устройству"
c=$(cursor "$S1")
echo "forge $((c + 5)) $((c + 6)) 170103" >"$T/mode"
refused "re-ordered" "ответы пришли не по порядку"
echo "forge $c $((c + 1)) 999999" >"$T/mode"
refused "a school not the device's" "999999"

# --- the same over USB
expect "export (for its ack file)" 0 "$SYNCD" export --db "$S1" --out "$T/s1.ttex"
[ -s "$T/s1.ttex.ack" ] && pass "the export carries the pull ack" || fail "no $T/s1.ttex.ack"
c=$(cursor "$S1")
"$FORGE" file "$T/hub" "$T/s1.ttex.ack" $((c + 5)) $((c + 6)) 170103 "$T/gap.ttpf" || fail "forge gap file"
before=$(snap "$S1")
expect "USB: a file starting after the cursor is refused" 2 "$SYNCD" import-changes --db "$S1" "$T/gap.ttpf"
has "USB: the gap is named" "$T/err" "нет изменений между позициями $c и $((c + 5))"
eq "USB: S1 untouched by the gap" "$(snap "$S1")" "$before"
"$FORGE" file "$T/hub" "$T/s2.req" $c $((c + 1)) 170103 "$T/other.ttpf" || fail "forge other file"
expect "USB: another device's file is refused" 2 "$SYNCD" import-changes --db "$S1" "$T/other.ttpf"
has "USB: the reason" "$T/err" "для другого устройства"
eq "USB: S1 untouched by the other file" "$(snap "$S1")" "$before"

# --- a plain sync brings what the refused answers hid
echo pass >"$T/mode"
expect "a good answer again" 0 "$SYNCD" --once --db "$S1"
eq "S1 has S2's edit now" "$(val "$S1" "$P" large_families)" 77

# --- a good file: applied once, then «уже загружено»
c=$(cursor "$S1")
"$FORGE" file "$T/hub" "$T/s1.ttex.ack" $c $((c + 1)) 170103 "$T/good.ttpf" || fail "forge good file"
expect "USB: a good file is applied" 0 "$SYNCD" import-changes --db "$S1" "$T/good.ttpf"
has "USB: one answer loaded" "$T/out" "загружено: 1"
eq "USB: the cursor moved" "$(cursor "$S1")" $((c + 1))
before=$(snap "$S1")
expect "USB: the same file again" 0 "$SYNCD" import-changes --db "$S1" "$T/good.ttpf"
has "USB: loaded already" "$T/out" "уже загружены"
eq "USB: nothing applied twice" "$(snap "$S1")" "$before"

echo "# $N checks, $FAILS failed"
[ "$FAILS" = 0 ]
