#!/usr/bin/env python3
"""pty_drive.py — runs a program on a real pseudo-terminal and talks to it
as a person would, from a script (tests/integration/test_client_interactive.sh).

Usage: pty_drive.py SCRIPT TRANSCRIPT -- PROGRAM [ARGS...]

The program's stdin, stdout and stderr are the terminal (so `tetrad` sees a
terminal and asks its questions); what it writes is kept in TRANSCRIPT.
SCRIPT has one step a line (blank lines and lines starting with # skipped):

  expect TEXT      wait (up to 20 s) until TEXT appears after the last match
  send TEXT        type TEXT and Enter (TEXT may be empty: just Enter)
  skip-until TEXT  press Enter at each new question (a line ending in «]: »)
                   until TEXT appears: optional questions a form may add
  ctrl-c           type Ctrl+C (the terminal sends SIGINT)
  ctrl-d           type Ctrl+D at the start of a line (end of input)
  hangup           close the terminal (the program gets SIGHUP)
  exit N           wait for the program to end and check its exit status

Exit 0 if every step held; 1 with the step and the transcript's tail if not.
"""
import os
import pty
import select
import signal
import sys
import time

TIMEOUT = 20.0


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.stderr.write(__doc__)
        return 2
    steps = []
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, arg = line.partition(" ")
            steps.append((word, arg))
    transcript_path = sys.argv[2]
    argv = sys.argv[4:]

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)

    buf = b""
    seen = 0          # bytes of buf already matched
    status = None
    closed = False

    def save():
        with open(transcript_path, "wb") as out:
            out.write(buf)

    def fail(why):
        save()
        tail = buf.decode("utf-8", "replace")[-3000:]
        sys.stderr.write("pty_drive: %s\n--- transcript (end) ---\n%s\n---\n" % (why, tail))
        if status is None:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        return 1

    def pump(wait):
        nonlocal buf, closed
        if closed:
            time.sleep(min(wait, 0.05))
            return
        r, _, _ = select.select([fd], [], [], wait)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:       # EIO: the program is gone
                data = b""
            if not data:
                closed = True
            buf += data

    def reap(block):
        nonlocal status
        if status is not None:
            return True
        p, st = os.waitpid(pid, 0 if block else os.WNOHANG)
        if p == pid:
            status = os.waitstatus_to_exitcode(st)
            return True
        return False

    for word, arg in steps:
        if word == "expect":
            want = arg.encode("utf-8")
            end = time.monotonic() + TIMEOUT
            while True:
                at = buf.find(want, seen)
                if at >= 0:
                    seen = at + len(want)
                    break
                if closed or time.monotonic() > end:
                    return fail("did not see %r" % arg)
                pump(0.2)
        elif word == "skip-until":
            want = arg.encode("utf-8")
            end = time.monotonic() + TIMEOUT
            while True:
                at = buf.find(want, seen)
                if at >= 0:
                    seen = at + len(want)
                    break
                ask = buf.rfind(b"]: ")
                if ask >= seen and ask + 3 == len(buf):
                    seen = len(buf)
                    os.write(fd, b"\r")
                if closed or time.monotonic() > end:
                    return fail("did not see %r" % arg)
                pump(0.2)
        elif word == "send":
            time.sleep(0.05)
            # what is already shown was asked before this answer
            seen = max(seen, len(buf))
            os.write(fd, arg.encode("utf-8") + b"\r")
        elif word == "ctrl-c":
            time.sleep(0.1)
            os.write(fd, b"\x03")
        elif word == "ctrl-d":
            time.sleep(0.1)
            os.write(fd, b"\x04")
        elif word == "hangup":
            time.sleep(0.1)
            os.close(fd)
            closed = True
        elif word == "exit":
            end = time.monotonic() + TIMEOUT
            while not reap(False):
                if time.monotonic() > end:
                    return fail("the program did not end")
                pump(0.1)
            while not closed:
                pump(0.1)
            if status != int(arg):
                return fail("exit status %s, wanted %s" % (status, arg))
        else:
            return fail("unknown step %r" % word)
    if status is None:
        return fail("the script must end with «exit N»")
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
