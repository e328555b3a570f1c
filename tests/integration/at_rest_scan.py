#!/usr/bin/env python3
"""at_rest_scan — byte search for planted values in every file under folders.

    at_rest_scan.py [--expect-all] VALUES.json PATH...

VALUES.json is a JSON list of strings (the planted values and distinctive
substrings of them). Each PATH is a file or a folder (searched recursively,
hidden files too, symlinks not followed). Every value is looked for in
these forms:
  utf8            the UTF-8 bytes
  utf16le/be      UTF-16 without BOM
  nfd             the UTF-8 of its NFD form (й, ё decomposed)
  json            JSON-escaped as cJSON and Python write it (\\" \\n, UTF-8 kept)
  json-ascii      JSON with \\uXXXX escapes (lower and upper hex)
  csv             quotes doubled (a CSV cell)
  sql             single quotes doubled (an SQL dump)
Forms equal to another form are searched once.

Default: prints every hit ("file offset form value") and exits 1 if any;
exit 0 when none. With --expect-all (a positive control: the scanner can
see the values where they are plain) exits 0 only when every value is found
at least once, and prints the ones not found.
"""
import json
import os
import sys
import unicodedata


def forms(v):
    out = {}

    def add(name, b):
        if b and b not in out.values():
            out[name] = b

    add("utf8", v.encode("utf-8"))
    add("utf16le", v.encode("utf-16-le"))
    add("utf16be", v.encode("utf-16-be"))
    add("nfd", unicodedata.normalize("NFD", v).encode("utf-8"))
    add("json", json.dumps(v, ensure_ascii=False)[1:-1].encode("utf-8"))
    ja = json.dumps(v, ensure_ascii=True)[1:-1]
    add("json-ascii", ja.encode("ascii"))
    # upper-case hex digits of \uXXXX escapes only
    up, i = [], 0
    while i < len(ja):
        if ja.startswith("\\u", i) and i + 6 <= len(ja):
            up.append("\\u" + ja[i + 2:i + 6].upper())
            i += 6
        else:
            up.append(ja[i])
            i += 1
    add("json-ascii-upper", "".join(up).encode("ascii"))
    add("csv", v.replace('"', '""').encode("utf-8"))
    add("sql", v.replace("'", "''").encode("utf-8"))
    return out


def files(paths):
    for p in paths:
        if os.path.isfile(p) and not os.path.islink(p):
            yield p
        elif os.path.isdir(p):
            for root, dirs, names in os.walk(p, followlinks=False):
                for n in sorted(names):
                    f = os.path.join(root, n)
                    if os.path.isfile(f) and not os.path.islink(f):
                        yield f


def main():
    args = sys.argv[1:]
    expect_all = False
    if args and args[0] == "--expect-all":
        expect_all = True
        args = args[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        values = json.load(f)
    pats = [(v, name, b) for v in values for name, b in forms(v).items()]
    found = set()
    hits = []
    nfiles = nbytes = 0
    for path in files(args[1:]):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("cannot read %s: %s" % (path, e), file=sys.stderr)
            return 2
        nfiles += 1
        nbytes += len(data)
        for v, name, b in pats:
            at = data.find(b)
            if at >= 0:
                found.add(v)
                hits.append("%s %d %s %r" % (path, at, name, v))
    print("scanned %d files, %d bytes, %d values in %d forms" % (nfiles, nbytes, len(values), len(pats)))
    if expect_all:
        missing = [v for v in values if v not in found]
        for v in missing:
            print("not found: %r" % v)
        return 1 if missing or nfiles == 0 else 0
    for h in hits[:50]:
        print("HIT " + h)
    if len(hits) > 50:
        print("… %d hits in all" % len(hits))
    return 1 if hits or nfiles == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
