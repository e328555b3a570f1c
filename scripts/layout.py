#!/usr/bin/env python3
"""layout.py — checks the rules of the source tree that the compiler cannot.

docs/architecture.md draws the folders and the arrows between them; this is
that drawing as a test (ctest meta/layout):

  * which library may include which: an #include of another library's
    public header is an arrow, and only the arrows in ALLOWED may exist;
  * no program's sources include another program's, nor anything under a
    src/ folder that is not their own;
  * the hub speaks SQL only inside its store (hub/src/hubdb*.c);
  * the protocol does no file I/O (buffers in, buffers out);
  * no source file under the libraries is over MAX_LINES lines;
  * no CMake target puts the repository root on its include path.

Run: python3 scripts/layout.py [ROOT]   (exit 1 and one line per breach)
"""
import os
import re
import sys

MAX_LINES = 800
LIBS = ["cmdline", "protocol", "fileio", "forms", "localdb", "web", "client", "ui", "syncd", "hub"]

# Public include prefixes: which library a header path belongs to.
HEADER_OWNER = {
    "tetrad/fileio.h": "fileio",
    "tetrad/keyfile.h": "fileio",
    "tetrad/formsdir.h": "forms",
    "tetrad/localdb.h": "localdb",
    "cmdline/": "cmdline",
    "web/": "web",
    "ui/": "ui",
    "client/": "client",
    "syncd/": "syncd",
    "hub/": "hub",
    "tetrad/": "protocol",   # last: everything else under tetrad/
}

# The arrows that may exist (from → to). Everything else never may.
ALLOWED = {
    # cmdline: the programs' shared command-line layer (argument parser, log
    # line, progress line); it needs nothing of ours, and only the programs'
    # folders may use it (libraries below them see only a progress_fn).
    "cmdline": set(),
    "protocol": set(),
    "fileio": {"protocol"},
    "forms": {"protocol"},
    "localdb": {"protocol"},
    "web": {"protocol"},
    # client/src/main.c starts the web interface (`tetrad ui`): the program,
    # not the client library, is what links tetrad-ui.
    "client": {"cmdline", "protocol", "fileio", "forms", "localdb", "ui"},
    "ui": {"cmdline", "protocol", "fileio", "forms", "localdb", "client", "web"},
    "syncd": {"cmdline", "protocol", "fileio", "forms", "localdb"},
    "hub": {"cmdline", "protocol", "fileio", "forms", "web"},
}

# The protocol works on buffers: no stdio streams, no file descriptors.
NO_IO = re.compile(r"(?<![A-Za-z0-9_>.])(fopen|fdopen|fmemopen|fread|fwrite|fgets|fgetc|"
                   r"open|read|write|FILE)\s*[(*]")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def owner_of(header):
    for prefix, lib in HEADER_OWNER.items():
        if header == prefix or (prefix.endswith("/") and header.startswith(prefix)):
            return lib
    return None


def sources(root, lib):
    for dirpath, _, files in os.walk(os.path.join(root, lib)):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(dirpath, f)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    root = os.path.abspath(root)
    bad = []
    arrows = set()
    for lib in LIBS:
        for path in sources(root, lib):
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            lines = text.count("\n")
            if lines > MAX_LINES:
                bad.append(f"{rel}: {lines} lines (the limit is {MAX_LINES}: split the module)")
            for inc in INCLUDE.findall(text):
                if "/src/" in inc or inc.startswith(("src/", "../")):
                    bad.append(f"{rel}: includes {inc} (another folder's private source)")
                    continue
                to = owner_of(inc)
                if to is None or to == lib:
                    continue
                arrows.add((lib, to))
                if to not in ALLOWED[lib]:
                    bad.append(f"{rel}: includes {inc}: {lib} → {to} is not an allowed arrow")
            if lib == "protocol" and NO_IO.search(strip_comments(text)):
                bad.append(f"{rel}: file I/O in the protocol (it works on buffers; files are fileio's)")
            if lib == "hub" and re.search(r"\bsqlite3_|<sqlite3\.h>", text):
                if not re.match(r"hubdb.*\.(c|h)$", os.path.basename(path)) or "/include/" in rel:
                    bad.append(f"{rel}: SQLite outside the hub's store (hub/src/hubdb*.c)")
    for dirpath, _, files in os.walk(root):
        if "/build" in dirpath or "/.git" in dirpath:
            continue
        for f in files:
            if f != "CMakeLists.txt":
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                for no, line in enumerate(fh, 1):
                    if "include_directories" in line and re.search(
                            r"\$\{CMAKE_SOURCE_DIR\}\s*\)|\$\{PROJECT_SOURCE_DIR\}\s*\)", line):
                        bad.append(f"{rel}:{no}: the repository root on an include path")
    for b in bad:
        print("layout: " + b)
    print("arrows: " + ", ".join(f"{a}→{b}" for a, b in sorted(arrows)))
    print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
