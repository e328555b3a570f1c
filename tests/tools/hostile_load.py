#!/usr/bin/env python3
"""hostile_load — strangers attacking a hub over TLS, for
tests/integration/test_hub_hostile_load.sh. Starts no programs.

  slow  PORT CA SRC N SECS MODE   N connections from source address SRC that
        trickle one byte every 2 s (MODE body: Content-Length 16 MiB; chunked:
        an endless chunked body), reopened as soon as the hub cuts one; prints
        "opened=.. cut=.. refused=.. max_open=.. longest=..s"
  burst PORT CA N SIZE PID DEVICE HUBKEY   N bodies of SIZE bytes at once at full
        speed, each with an envelope header naming DEVICE (hex, or "random")
        and HUBKEY (hex, or "random"); samples the RSS of PID meanwhile;
        prints "status=COUNT ..." then "retry_after=K" and "peak_rss_kib=.."
  framing PORT CA                 Content-Length with chunked: prints the status
        and whether the hub closed the connection
"""
import os
import socket
import ssl
import sys
import threading
import time


def tls(port, ca, src="127.0.0.1", timeout=5):
    ctx = ssl.create_default_context(cafile=ca)
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))
    return ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def is_closed(s):
    """Whether the hub closed s (EOF, alert, reset): a non-blocking peek."""
    try:
        s.settimeout(0.001)
        s.recv(4096)          # EOF, an alert or an answer: the hub is done with us
        return True
    except (ssl.SSLWantReadError, socket.timeout, TimeoutError, BlockingIOError):
        return False
    except Exception:
        return True


def slow(port, ca, src, n, secs, mode):
    head = b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n" if mode == "chunked" else \
        b"Content-Length: 16777000\r\n\r\n"
    tick = b"1\r\nx\r\n" if mode == "chunked" else b"x"
    conns = []            # [socket, opened_at]
    st = {"opened": 0, "cut": 0, "refused": 0, "max_open": 0, "longest": 0.0}
    end = time.time() + secs

    def fill():
        while len(conns) < n and time.time() < end:
            try:
                s = tls(port, ca, src, timeout=3)
                s.sendall(head)
                conns.append([s, time.time()])
                st["opened"] += 1
            except Exception:
                st["refused"] += 1     # the per-address limit: accepted, then closed
                return
    fill()
    while time.time() < end:
        st["max_open"] = max(st["max_open"], len(conns))
        t0 = time.time()
        for c in list(conns):
            gone = False
            try:
                c[0].settimeout(0.2)
                c[0].sendall(tick)
                gone = is_closed(c[0])
            except Exception:
                gone = True
            if gone:
                st["cut"] += 1
                st["longest"] = max(st["longest"], time.time() - c[1])
                try:
                    c[0].close()
                except Exception:
                    pass
                conns.remove(c)
        fill()
        time.sleep(max(0.0, 2.0 - (time.time() - t0)))
    for c in conns:
        st["longest"] = max(st["longest"], time.time() - c[1])
        c[0].close()
    print(" ".join("%s=%s" % (k, round(v, 1) if isinstance(v, float) else v) for k, v in st.items()),
          flush=True)


def header(device, hubkey, total):
    """An envelope header (docs/protocol.md) that passes every check of its own."""
    cipher = total - 140 - 64
    dev = os.urandom(8) if device == "random" else bytes.fromhex(device)
    hub = os.urandom(8) if hubkey == "random" else bytes.fromhex(hubkey)
    h = b"TTRD" + bytes([1, 0, 0, 0]) + dev + hub
    h += (1).to_bytes(8, "big") + (1).to_bytes(8, "big") + (1).to_bytes(4, "big")
    h += (cipher - 16).to_bytes(4, "big") + bytes(32) + os.urandom(32) + os.urandom(24)
    h += cipher.to_bytes(4, "big")
    assert len(h) == 140
    return h


def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def burst(port, ca, n, size, pid, device, hubkey):
    filler = os.urandom(1 << 20)
    results = []
    lock = threading.Lock()
    go = threading.Event()

    def one():
        status, ra = "none", False
        try:
            s = tls(port, ca, timeout=60)
            body_head = header(device, hubkey, size)
            go.wait()
            s.sendall(b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
                      b"Content-Length: %d\r\n\r\n" % size + body_head)
            left = size - len(body_head)
            while left > 0:
                k = min(left, len(filler))
                s.sendall(filler[:k])
                left -= k
            data = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
            status = data.split(b" ")[1].decode() if data else "none"
            ra = b"\r\nretry-after:" in data.lower()
        except Exception as e:
            status = "error:" + type(e).__name__
        with lock:
            results.append((status, ra))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    peak = rss(pid)
    go.set()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss(pid))
        time.sleep(0.02)
    counts = {}
    for st, _ in results:
        counts[st] = counts.get(st, 0) + 1
    print(" ".join("status_%s=%d" % kv for kv in sorted(counts.items())))
    print("retry_after_on_503=%d" % sum(1 for st, ra in results if st == "503" and ra))
    print("peak_rss_kib=%d" % peak, flush=True)


def framing(port, ca):
    s = tls(port, ca)
    s.sendall(b"POST /v1/changesets HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    s.settimeout(3)
    data, closed = b"", False
    try:
        while True:
            c = s.recv(65536)
            if not c:
                closed = True
                break
            data += c
    except Exception:
        closed = False
    print("status=%s closed=%s" % (data.split(b" ")[1].decode() if data else "none",
                                   "yes" if closed else "no"))


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "slow":
        slow(int(a[0]), a[1], a[2], int(a[3]), float(a[4]), a[5])
    elif cmd == "burst":
        burst(int(a[0]), a[1], int(a[2]), int(a[3]), int(a[4]), a[5], a[6])
    elif cmd == "framing":
        framing(int(a[0]), a[1])
    else:
        sys.exit("unknown command " + cmd)
