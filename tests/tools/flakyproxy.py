#!/usr/bin/env python3
"""flakyproxy — a TCP proxy on loopback that drops, delays, stalls and
truncates connections at random, for the Tetrad fault tests.

Every choice comes from one random.Random(seed), drawn in the order
connections are accepted, so a failing run can be replayed with the seed it
printed (the interleaving of concurrent connections may still differ).
Everything is bounded: delays (--max-delay-ms), stalls (--max-stall-ms), the
number of faulty connections (--max-faults) and the proxy's own lifetime
(--max-seconds; it also exits when --parent PID is gone), so a test that
forgets it cannot leave it running for long.

    flakyproxy.py --target 127.0.0.1:8443 [--listen 127.0.0.1:0] [--seed N]
        [--p-drop 0.1] [--p-truncate 0.1] [--p-delay 0.2] [--p-stall 0.05]
        [--p-cut-chunk 0] [--p-stall-chunk 0]
        [--max-delay-ms 200] [--max-stall-ms 2000] [--max-faults N]
        [--max-seconds 900] [--port-file F] [--parent PID] [--log F]

Faults, one per connection at most:
  drop      close the client's connection at once (half of them with RST),
            before or just after connecting to the target;
  truncate  pass N random bytes in one direction (up = client to target,
            down = target to client), then cut both sides;
  stall     pass nothing for a random time up to --max-stall-ms, then go on;
  delay     hold every chunk back a random 0..--max-delay-ms.
And inside any connection, for each chunk read (so long keep-alive
connections fail too): with --p-cut-chunk pass part of it and cut both
sides; with --p-stall-chunk hold it back up to --max-stall-ms.
The chosen port is printed on stdout (first line) and written to --port-file.
Counters are printed to the log on exit.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import struct
import sys
import time


class Proxy:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.log_f = open(args.log, "a", buffering=1) if args.log else sys.stderr
        self.conns = 0
        self.faults = 0
        self.stats = {"pass": 0, "drop": 0, "truncate": 0, "stall": 0, "delay": 0, "cut": 0, "stall_chunk": 0,
                      "bytes_up": 0, "bytes_down": 0}
        self.tasks = set()
        self.stop = None

    def log(self, msg):
        self.log_f.write("flakyproxy %.3f %s\n" % (time.monotonic(), msg))

    def may_fault(self):
        """Counts one more fault unless the bound is reached."""
        if self.args.max_faults is not None and self.faults >= self.args.max_faults:
            return False
        self.faults += 1
        return True

    def choose(self):
        """The fault for the next connection, drawn from the seeded generator."""
        a = self.args
        x = self.rng.random()
        # every draw happens whatever the outcome, so the sequence is stable
        params = (self.rng.random(), self.rng.random(), self.rng.random())
        if a.max_faults is not None and self.faults >= a.max_faults:
            return ("pass", params)
        edges = [("drop", a.p_drop), ("truncate", a.p_truncate), ("stall", a.p_stall),
                 ("delay", a.p_delay)]
        acc = 0.0
        for name, p in edges:
            acc += p
            if x < acc:
                if name != "delay":
                    self.faults += 1
                return (name, params)
        return ("pass", params)

    @staticmethod
    def rst_close(writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        writer.transport.abort()

    async def pipe(self, reader, writer, direction, budget, delay_ms, cut, rng):
        """Copies reader to writer; stops after budget bytes (None: no limit)."""
        key = "bytes_" + direction
        try:
            while True:
                want = 65536 if budget is None else min(65536, budget)
                if want == 0:
                    cut.set()
                    return
                data = await reader.read(want)
                if not data:
                    break
                # faults inside a long (keep-alive) connection, per chunk
                x = rng.random()
                if x < self.args.p_cut_chunk and self.may_fault():
                    keep = rng.randrange(len(data) + 1)
                    self.stats["cut"] += 1
                    self.log("cut %s after %d more bytes" % (direction, keep))
                    if keep:
                        writer.write(data[:keep])
                    cut.set()
                    return
                if x < self.args.p_cut_chunk + self.args.p_stall_chunk and self.may_fault():
                    ms = rng.uniform(0, self.args.max_stall_ms)
                    self.stats["stall_chunk"] += 1
                    self.log("stall %s chunk %.0f ms" % (direction, ms))
                    await asyncio.sleep(ms / 1000.0)
                if delay_ms:
                    await asyncio.sleep(rng.uniform(0, delay_ms) / 1000.0)
                writer.write(data)
                await writer.drain()
                self.stats[key] += len(data)
                if budget is not None:
                    budget -= len(data)
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            cut.set()
        except asyncio.CancelledError:
            raise

    async def handle(self, creader, cwriter):
        self.conns += 1
        n = self.conns
        kind, (p1, p2, p3) = self.choose()
        self.stats[kind] += 1
        a = self.args
        twriter = None
        try:
            if kind == "drop" and p1 < 0.5:
                self.log("conn %d: drop before connecting (%s)" % (n, "rst" if p2 < 0.5 else "fin"))
                if p2 < 0.5:
                    self.rst_close(cwriter)
                else:
                    cwriter.close()
                return
            host, port = a.target.rsplit(":", 1)
            treader, twriter = await asyncio.open_connection(host, int(port))
            if kind == "drop":
                self.log("conn %d: drop after connecting" % n)
                await asyncio.sleep(p2 * 0.05)
                self.rst_close(cwriter)
                twriter.close()
                return
            up_budget = down_budget = None
            delay = 0
            if kind == "truncate":
                budget = int(p2 * a.max_truncate_bytes)
                if p1 < 0.5:
                    up_budget = budget
                    self.log("conn %d: truncate up after %d bytes" % (n, budget))
                else:
                    down_budget = budget
                    self.log("conn %d: truncate down after %d bytes" % (n, budget))
            elif kind == "stall":
                ms = p2 * a.max_stall_ms
                self.log("conn %d: stall %.0f ms" % (n, ms))
                await asyncio.sleep(ms / 1000.0)
            elif kind == "delay":
                delay = max(1, int(p2 * a.max_delay_ms))
                self.log("conn %d: delay chunks up to %d ms" % (n, delay))
            cut = asyncio.Event()
            # delays come from the connection's own generator: the main
            # sequence of choices stays the same whatever the timing
            crng = random.Random(p3)
            up = asyncio.ensure_future(self.pipe(creader, twriter, "up", up_budget, delay, cut, crng))
            down = asyncio.ensure_future(self.pipe(treader, cwriter, "down", down_budget, delay, cut, crng))
            cutw = asyncio.ensure_future(cut.wait())
            both = asyncio.gather(up, down, return_exceptions=True)
            await asyncio.wait({cutw, both}, return_when=asyncio.FIRST_COMPLETED)
            if cut.is_set():
                for t in (up, down):
                    t.cancel()
                self.rst_close(cwriter)
                self.rst_close(twriter)
                twriter = None
            cutw.cancel()
            await asyncio.gather(both, cutw, return_exceptions=True)
        except (ConnectionError, OSError) as exc:
            self.log("conn %d: %s" % (n, exc))
        finally:
            for w in (cwriter, twriter):
                if w is not None:
                    try:
                        w.close()
                    except Exception:
                        pass

    def spawn(self, r, w):
        t = asyncio.ensure_future(self.handle(r, w))
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    async def watchdog(self):
        start = time.monotonic()
        while not self.stop.is_set():
            await asyncio.sleep(0.5)
            if time.monotonic() - start > self.args.max_seconds:
                self.log("lifetime of %d s reached: exiting" % self.args.max_seconds)
                self.stop.set()
            if self.args.parent:
                try:
                    os.kill(self.args.parent, 0)
                except ProcessLookupError:
                    self.log("parent %d is gone: exiting" % self.args.parent)
                    self.stop.set()

    async def main(self):
        self.stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(s, self.stop.set)
        host, port = self.args.listen.rsplit(":", 1)
        server = await asyncio.start_server(self.spawn, host, int(port), backlog=1024)
        real = server.sockets[0].getsockname()[1]
        self.log("seed %d listening on %s:%d -> %s" % (self.args.seed, host, real, self.args.target))
        if self.args.port_file:
            tmp = self.args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % real)
            os.rename(tmp, self.args.port_file)
        print(real, flush=True)
        wd = asyncio.ensure_future(self.watchdog())
        await self.stop.wait()
        server.close()
        for t in list(self.tasks):
            t.cancel()
        wd.cancel()
        await asyncio.gather(wd, *self.tasks, return_exceptions=True)
        self.log("connections %d, faults %d: %s" % (
            self.conns, self.faults,
            ", ".join("%s %d" % kv for kv in sorted(self.stats.items()))))


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True)
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--p-drop", type=float, default=0.1)
    p.add_argument("--p-truncate", type=float, default=0.1)
    p.add_argument("--p-stall", type=float, default=0.05)
    p.add_argument("--p-delay", type=float, default=0.2)
    p.add_argument("--p-cut-chunk", type=float, default=0.0)
    p.add_argument("--p-stall-chunk", type=float, default=0.0)
    p.add_argument("--max-delay-ms", type=int, default=200)
    p.add_argument("--max-stall-ms", type=int, default=2000)
    p.add_argument("--max-truncate-bytes", type=int, default=8192)
    p.add_argument("--max-faults", type=int, default=None)
    p.add_argument("--max-seconds", type=int, default=900)
    p.add_argument("--port-file")
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--log")
    a = p.parse_args()
    if not a.listen.startswith("127.") and not a.listen.startswith("[::1]"):
        p.error("--listen must be a loopback address")
    if a.p_drop + a.p_truncate + a.p_stall + a.p_delay > 1.0:
        p.error("the fault probabilities add up to more than 1")
    return a


if __name__ == "__main__":
    asyncio.run(Proxy(parse()).main())
