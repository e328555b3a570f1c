#!/bin/bash
# test_hub_limits — the hub under hostile connection patterns, over real
# HTTPS on 127.0.0.1: a client that sends nothing after the handshake, one
# that trickles its headers a byte at a time (slowloris), one that trickles a
# body, and 1,000 idle TCP connections from four addresses (the per-address
# limit is 256 by default) — each held to its time limit while
# other clients are served at once. Then SIGTERM with a request in flight:
# the request completes, the hub exits 0 and stops accepting.
# Timed: answers within 2-3 s, held connections cut on time. Runs with no
# browser test beside it (tests/CMakeLists.txt).
set -u
. "$(dirname "$0")/lib_hub.sh"

T=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; hub_stop; rm -rf "$T"' EXIT
FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); }
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

hub_start "$T/hub" --timeout 3 --threads 2 || exit 1
PORT=${HUB_URL##*:}

# health answered within 2 s, five times in a row
served() {
	local i code
	for i in 1 2 3 4 5; do
		code=$(curl -s --max-time 2 --cacert "$HUB_CA" -o /dev/null -w '%{http_code}' "$HUB_URL/v1/health")
		[ "$code" = 200 ] || { echo "no:$code"; return; }
	done
	echo yes
}

# A slow client: python keeps a TLS connection and reports when the hub cut it.
slow() { # MODE OUTFILE (run in the background by the caller)
	python3 - "$PORT" "$HUB_CA" "$1" >"$2" 2>&1 <<'EOF'
import socket, ssl, sys, time
port, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=30), server_hostname='127.0.0.1')
t = time.time()
def closed():
    try:
        s.settimeout(0.01)
        s.recv(4096)          # an alert, or EOF: the hub cut us
        return True
    except (ssl.SSLWantReadError, socket.timeout, TimeoutError):
        return False
    except Exception:
        return True
try:
    if mode == "silent":
        s.settimeout(30)
        s.recv(1)
    elif mode == "headers":
        req = b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\nX-Pad: " + b"a" * 200
        for b in req:
            s.sendall(bytes([b]))
            time.sleep(0.5)
            if closed():
                break
    elif mode == "body":
        s.sendall(b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\nContent-Length: 4000\r\n\r\n")
        for i in range(100):
            s.sendall(b"x")
            time.sleep(0.5)
            if closed():
                break
except Exception:
    pass
print(round(time.time() - t, 1))
EOF
}

for mode in silent headers body; do
	slow $mode "$T/$mode.out" &
	pid=$!
	PIDS="$PIDS $pid"
	sleep 0.5
	expect_eq "served_during_slow_$mode" "$(served)" yes
	wait "$pid"
	secs=$(cat "$T/$mode.out")
	# held to the limit: headers within 3 s; a body after a 3 s grace must come at
	# 4 KiB/s on average (connwatch.h), which one byte per 0.5 s never earns, so it
	# is cut at ~3 s too (before issue 25 it had 3 s + 4,000 B at 1 KiB/s, ~7 s).
	# Each trickled byte resets libmicrohttpd's inactivity timer, so only the hub's
	# own deadline can cut these.
	expect_eq "cut_$mode" "$(python3 -c "print(1 if 2 <= $secs <= 8 else 0)")" 1
done

# 1,000 idle TCP connections, held open while others are served; from
# 127.0.0.2–5 (Linux routes all of 127/8 to lo), 250 each: within the
# per-address limit, and 127.0.0.1 (curl) keeps its own share
python3 - "$PORT" >"$T/idle.out" 2>&1 <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(1000):
    s = socket.create_connection(('127.0.0.1', port), timeout=5,
                                 source_address=('127.0.0.%d' % (2 + i % 4), 0))
    socks.append(s)
print("open", len(socks), flush=True)
time.sleep(6)
alive = 0
for s in socks:
    try:
        s.settimeout(0.001)
        s.recv(4096)          # TLS alert bytes or EOF: closed by the hub
    except (BlockingIOError, socket.timeout, TimeoutError):
        alive += 1
    except Exception:
        pass
print("alive_after_6s", alive, flush=True)
EOF
IDLE=$!
PIDS="$PIDS $IDLE"
for i in $(seq 1 50); do grep -q open "$T/idle.out" && break; sleep 0.2; done
expect_eq idle_opened "$(grep -c 'open 1000' "$T/idle.out")" 1
expect_eq served_with_1000_idle "$(served)" yes
wait $IDLE
expect_eq idle_connections_timed_out "$(awk '/alive_after/ {print ($2 == 0) ? "yes" : $2}' "$T/idle.out")" yes
expect_eq served_after_idle "$(served)" yes

# SIGTERM with a request in flight: it completes, the hub exits 0, no new accepts
# (python marks when the request is half sent: on a busy machine its start
# alone can take longer than a fixed sleep, and SIGTERM would come first)
python3 - "$PORT" "$HUB_CA" "$T/inflight.sent" >"$T/inflight.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
port, ca, sent = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=10), server_hostname='127.0.0.1')
body = b'{"token":"AAAA-AAAA-AAAA-AAAA-AAAA","device_pk":"' + b"00" * 32 + b'"}'
s.sendall(b"POST /v1/enroll HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
open(sent, "w").close()
time.sleep(1.0)          # the hub gets SIGTERM meanwhile
s.sendall(body[10:])
data = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
except Exception:
    pass
print(data.split(b" ")[1].decode() if data else "none")
EOF
INF=$!
PIDS="$PIDS $INF"
for i in $(seq 1 100); do [ -e "$T/inflight.sent" ] && break; sleep 0.1; done
[ -e "$T/inflight.sent" ] || bad "inflight: the request was not sent within 10 s: $(cat "$T/inflight.out")"
sleep 0.2
kill -TERM "$HUB_PID"
wait "$HUB_PID"
expect_eq sigterm_exit_code $? 0
HUB_PID=""
wait $INF
expect_eq inflight_request_finished "$(cat "$T/inflight.out")" 403
expect_eq no_accept_after_stop "$(curl -s --max-time 2 --cacert "$HUB_CA" -o /dev/null -w '%{http_code}' "$HUB_URL/v1/health")" 000
expect_eq stop_logged "$(grep -c 'хаб остановлен' "$HUB_LOG")" 1

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
