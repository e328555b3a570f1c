#!/usr/bin/env bash
# test_hub_stopping — a hub told to stop (SIGTERM) while devices keep their
# connections open: it stops taking new work at once, and a request that
# comes on an open keep-alive connection afterwards is answered 503 with
# Retry-After (the device sends it again later) instead of being handed to
# workers that are about to be stopped and freed (found by review: under
# steady syncing such a request could crash the hub on its way down).
# One request kept in flight (an enrollment whose body stalls) holds the
# hub in its wait for the requests in flight, so the moment is not a race:
# the second connection's pull is sent while the hub waits, then the stalled
# one is closed and the hub must exit 0 promptly.
# Runs on both stores
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/lib_hub.sh"
work=$(mktemp -d)
trap 'hub_stop; rm -rf "$work"' EXIT
mkdir -p "$work/hub"
hub_start "$work/hub" || { echo "not ok 1 - the hub started"; exit 1; }
python3 - "$HUB_URL" "$HUB_CA" "$HUB_PID" <<'PY'
import http.client, json, os, signal, socket, ssl, sys, time
url, ca, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = url.split("//")[1].split(":")
port = int(port)
ctx = ssl.create_default_context(cafile=ca)
n = fails = 0

def ok(cond, name, detail=""):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print("%s %d - %s%s" % ("ok" if cond else "not ok", n, name, (": %s" % (detail,)) if detail and not cond else ""))
    sys.stdout.flush()

# a device's open connection, one answer already on it
b = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
b.request("GET", "/v1/health")
r = b.getresponse(); r.read()
ok(r.status == 200, "a keep-alive connection, answered once", r.status)
# a request in flight: an enrollment whose body stalls
a = ctx.wrap_socket(socket.create_connection((host, port), timeout=10), server_hostname=host)
a.sendall(b"POST /v1/enroll HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2000\r\n\r\n{\"token\":" % host.encode())
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
alive = True
try:
    os.kill(pid, 0)
except OSError:
    alive = False
ok(alive, "the hub waits for the request in flight")
# on the open connection, after the stop began: 503, not work for the workers
try:
    b.request("POST", "/v1/pull", body=b"x" * 64, headers={"Content-Type": "application/octet-stream"})
    r = b.getresponse()
    body = r.read()
    status, retry = r.status, r.getheader("Retry-After")
    try:
        code = json.loads(body).get("error")
    except ValueError:
        code = body[:80]
except (OSError, http.client.HTTPException) as ex:
    status, retry, code = "no answer (%s)" % ex, None, None
ok(status == 503 and code == "stopping", "a pull sent meanwhile: 503 stopping", (status, code))
ok(retry is not None and retry.isdigit(), "with Retry-After", retry)
a.close()
b.close()
t0 = time.time()
while time.time() - t0 < 10:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    time.sleep(0.05)
else:
    ok(False, "the hub exits once the stalled request is gone")
    sys.exit(1)
ok(True, "the hub exits once the stalled request is gone (%.1f s)" % (time.time() - t0))
sys.exit(1 if fails else 0)
PY
rc=$?
# reaped by the shell: its exit status
wait "$HUB_PID"
st=$?
HUB_PID=""
if [ "$st" = 0 ]; then echo "ok - the hub's exit status 0"; else echo "not ok - the hub's exit status $st"; rc=1; fi
grep -q "останавливается" "$work/hub/serve.log" && echo "ok - the refusal is in the log" \
	|| { echo "not ok - the refusal is in the log"; rc=1; }
exit $rc
