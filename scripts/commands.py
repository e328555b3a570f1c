#!/usr/bin/env python3
"""The external programs the build, the tests, the benchmarks and the demo
may run, declared in scripts/commands.txt (command -> Debian package).

  commands.py link DIR   DIR = symlinks to exactly the declared commands
                         (a command declared with a folder, such as
                         PostgreSQL's server programs, which Debian keeps
                         off PATH, is linked from that folder)
                         (the integration and unit tests run with
                         PATH=bin:DIR, so an undeclared program is
                         "command not found"); fails if one is not installed
  commands.py check      every declared command's package is installed by
                         scripts/install-deps.sh or is Essential/required,
                         and the command belongs to that package; every
                         program named in the shell scripts (tests,
                         benchmarks, tests/tools, scripts/, .ci/run) and in the C tests'
                         system() calls is declared, a builtin, or a
                         function, and none is run by absolute path
  commands.py scan FILE...   prints the programs FILE runs (for review)

Python code (heredocs, tests/tools/*.py) that starts programs itself must
name them in a comment "# runs: NAME..." (the tetrad programs are given by
path, not declared).
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECLARED = os.path.join(HERE, "scripts", "commands.txt")
INSTALL_DEPS = os.path.join(HERE, "scripts", "install-deps.sh")

BUILTINS = set(""". : [ alias bg bind break builtin caller cd command compgen complete
compopt continue declare dirs disown echo enable eval exec exit export false fc fg
getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd
read readarray readonly return set shift shopt source suspend test times trap true
type typeset ulimit umask unalias unset wait""".split())
KEYWORDS = set("if then else elif fi case esac for select while until do done in "
               "function time { } ! [[ ]] coproc".split())
# Programs that run the program named by a later word.
WRAPPERS = {"env", "timeout", "setpriv", "xargs", "nohup", "nice", "ionice",
            "stdbuf", "exec", "command", "chroot", "unshare", "runuser"}
OPS = ("&&", "||", ";;", ";&", "|&", "|", ";", "&", "(", ")", "\n")


def die(msg):
    print("commands: " + msg, file=sys.stderr)
    sys.exit(1)


def read_declared(dirs=None):
    """{command: package}; dirs, if given, gets {command: folder} for the
    commands declared with the folder they live in off PATH."""
    decl = {}
    with open(DECLARED, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) not in (2, 3) or (len(parts) == 3 and not parts[2].startswith("/")):
                die("%s:%d: want 'COMMAND PACKAGE [/FOLDER]', got %r" % (DECLARED, n, line))
            decl[parts[0]] = parts[1]
            if len(parts) == 3 and dirs is not None:
                dirs[parts[0]] = parts[2]
    return decl


# --- a small shell reader: enough of bash's grammar to find the words in
# command position (it is not a parser; it errs towards finding more words)

def strip_heredocs(text, heredocs):
    """Removes heredoc bodies; their texts go to heredocs (for the python
    scan). Joins backslash-newline continuations."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        code = line.split(" #", 1)[0]
        for m in re.finditer(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2", code):
            body = []
            while i < len(lines):
                end = lines[i].lstrip("\t") if m.group(1) else lines[i]
                i += 1
                if end == m.group(3):
                    break
                body.append(lines[i - 1])
            heredocs.append("\n".join(body))
            out.append("")
    return "\n".join(out).replace("\\\n", " ")


def read_word(s, i):
    """Reads one shell word from s[i]; returns (word, literal, end, subs):
    literal is False when the word has an expansion; subs are the texts of
    its $( ) and ` ` command substitutions."""
    w = []
    literal = True
    subs = []
    n = len(s)
    while i < n:
        c = s[i]
        if c in " \t\n;&|<>()" and not (c in "<>" and i + 1 < n and s[i + 1] == "(" and not w):
            if c in "()" and w and w[-1] == "$":
                pass
            else:
                break
        if c == "\\":
            w.append(s[i:i + 2])
            i += 2
            continue
        if c == "'":
            if w and w[-1] == "$":
                w.pop()
                j = ansi_c_end(s, i)
                w.append(s[i + 1:j - 1])
                i = j
                continue
            j = s.find("'", i + 1)
            j = n if j < 0 else j
            w.append(s[i + 1:j])
            i = j + 1
            continue
        if c == '"':
            i += 1
            while i < n and s[i] != '"':
                if s[i] == "\\":
                    # inside double quotes \" \\ \$ \` stand for the character
                    # (bash -c "exec \"\$@\"" runs "$@", an expansion)
                    esc = s[i + 1:i + 2]
                    w.append(esc if esc and esc in '"\\$`' else s[i:i + 2])
                    i += 2
                    continue
                if s[i] == "$" and i + 1 < n and s[i + 1] == "(":
                    body, i = balanced(s, i + 1)
                    if not body.startswith("("):
                        subs.append(body)
                    literal = False
                    continue
                if s[i] in "$`":
                    literal = False
                    if s[i] == "`":
                        j = s.find("`", i + 1)
                        subs.append(s[i + 1:j])
                        i = j + 1
                        continue
                w.append(s[i])
                i += 1
            i += 1
            continue
        if c == "$" and i + 1 < n and s[i + 1] == "(":
            body, i = balanced(s, i + 1)
            if not body.startswith("("):  # $(( )) is arithmetic
                subs.append(body)
            literal = False
            continue
        if c == "$" and i + 1 < n and s[i + 1] == "{":
            j = s.find("}", i)
            j = n if j < 0 else j
            w.append(s[i:j + 1])
            i = j + 1
            literal = False
            continue
        if c in "<>" and i + 1 < n and s[i + 1] == "(":
            body, i = balanced(s, i + 1)
            subs.append(body)
            literal = False
            continue
        if c == "`":
            j = s.find("`", i + 1)
            j = n if j < 0 else j
            subs.append(s[i + 1:j])
            i = j + 1
            literal = False
            continue
        if c == "$":
            literal = False
        w.append(c)
        i += 1
    return "".join(w), literal, i, subs


def ansi_c_end(s, i):
    """s[i] == "'" opens an ANSI-C string ($'…'), where a backslash escapes
    the next character (\\' is a quote inside it); returns the index after
    its closing quote."""
    j, n = i + 1, len(s)
    while j < n and s[j] != "'":
        j += 2 if s[j] == "\\" else 1
    return min(j + 1, n)


def balanced(s, i):
    """s[i] == '('; returns (text inside, index after the matching ')')."""
    depth = 0
    j = i
    n = len(s)
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and depth > 0:
            if s[j - 1] == "$":
                j = ansi_c_end(s, j)
                continue
            k = s.find("'", j + 1)
            j = n if k < 0 else k + 1
            continue
        if c == '"':
            k = j + 1
            while k < n and s[k] != '"':
                k += 2 if s[k] == "\\" else 1
            j = k + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return s[i + 1:], n


def strip_comments(s):
    out = []
    for line in s.split("\n"):
        i = 0
        q = None
        ansi = False
        cut = len(line)
        while i < len(line):
            c = line[i]
            if q:
                if c == "\\" and (q == '"' or ansi):
                    i += 1
                elif c == q:
                    q = None
            elif c in "'\"":
                q = c
                ansi = c == "'" and i > 0 and line[i - 1] == "$"
            elif c == "\\":
                i += 1
            elif c == "#" and (i == 0 or line[i - 1] in " \t;&|("):
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def command_words(script, found):
    """Adds to found the (word, literal) pairs in command position."""
    s = strip_comments(script)
    i, n = 0, len(s)
    start = True      # at a command's first word
    wrapper = None    # the wrapper whose program comes next
    after_case = 0    # >0: expecting a case pattern
    prev = None       # the command of the current simple command
    argn = 0
    skip_next = False
    while i < n:
        c = s[i]
        if c in " \t":
            i += 1
            continue
        if s.startswith("((", i):
            _, i = balanced(s, i)  # arithmetic: (( )) and for (( ))
            continue
        op = next((o for o in OPS if s.startswith(o, i)), None)
        if op and not (op == "(" and not start):
            if op == ";;" or op == ";&":
                after_case = 1
            if op == ")" and after_case == 1:
                after_case = 0
            i += len(op)
            start, wrapper, prev, argn = True, None, None, 0
            continue
        if c in "<>" or (c.isdigit() and s[i + 1:i + 2] in ("<", ">")):
            # a redirection: skip the operator and its target
            while i < n and s[i] in "0123456789<>&":
                i += 1
            while i < n and s[i] in " \t":
                i += 1
            if s.startswith("(", i):
                continue
            _, _, i, subs = read_word(s, i)
            for b in subs:
                command_words(b, found)
            continue
        if after_case == 1 and start and not re.match(r"esac\b", s[i:]):
            # a case pattern up to its ')'
            j = s.find(")", i)
            if j < 0:
                break
            i = j + 1
            after_case = 0
            continue
        word, literal, i, subs = read_word(s, i)
        for b in subs:
            command_words(b, found)
        if start and re.match(r"^[A-Za-z_][A-Za-z0-9_]*\+?=$", word) and s.startswith("(", i):
            _, i = balanced(s, i)  # an array assignment
            continue
        if not word:
            i += 1
            continue
        if start and wrapper is not None and literal and word in KEYWORDS | BUILTINS:
            found.append((word, "external"))  # e.g. `command time`: the program
            start = False
            prev = word
            continue
        if start:
            if literal and word in ("for", "select"):
                start, prev, argn = False, "for", 0
                continue
            if literal and word in KEYWORDS:
                if word == "case":
                    after_case = -1
                elif word == "in" and after_case == -1:
                    after_case = 1
                elif word == "esac":
                    after_case = 0
                continue
            if after_case == -1:
                continue
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", word):
                continue  # an assignment before the command
            if wrapper is not None and word.startswith("-"):
                if (wrapper == "timeout" and word in ("-s", "-k")) or \
                        (wrapper == "runuser" and word in ("-u", "-g", "-G")):
                    skip_next = True  # the option's argument is not the program
                continue
            if skip_next:
                skip_next = False
                continue
            if wrapper in ("env",) and "=" in word:
                continue
            if wrapper == "timeout" and re.match(r"^[0-9.]+[smhd]?$", word):
                continue
            if wrapper in ("chroot", "ip netns exec") and argn == 0:
                argn = 1
                continue
            found.append((word, literal))
            start = False
            prev = word
            argn = 0
            if literal and os.path.basename(word) in WRAPPERS:
                start, wrapper = True, os.path.basename(word)
            elif literal and word == "ip":
                prev = "ip"
            continue
        argn += 1
        if prev == "trap" and argn == 1:
            if word != "-":  # trap - SIGNAL resets; no command
                command_words(word, found)
        elif prev in ("bash", "sh") and word == "-c":
            prev = "bash -c"
        elif prev == "bash -c":
            command_words(word, found)
            prev = None
        elif prev == "ip" and word == "exec":
            start, wrapper = True, "ip netns exec"
            argn = 0
        elif prev == "ip" and word == "netns":
            pass
        elif prev == "find" and word in ("-exec", "-execdir", "-ok"):
            start, wrapper = True, "find"
        elif prev == "ip":
            prev = "ip-args"


PY_RUNS = re.compile(r"\b(subprocess|os\.system|os\.exec|os\.spawn|os\.popen|Popen|pty\.spawn)\b")


def python_runs(code, where, problems):
    names = []
    for m in re.finditer(r"#\s*runs:\s*(.*)", code):
        for w in m.group(1).split():
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$", w):
                break
            names.append(w)
    if PY_RUNS.search(code) and not names:
        problems.append("%s: python code starts programs but has no '# runs: NAME...' comment"
                        % where)
    return [(w, True) for w in names if w != "-"]


def shell_functions(text):
    return set(re.findall(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_:-]*)\s*\(\)\s*\{?",
                          text, re.M))


def scan_file(path, problems):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = []
    if path.endswith(".py"):
        return python_runs(text, path, problems), set()
    if path.endswith((".c", ".h")):
        # system("...") and snprintf'd commands: the first word of each
        # string passed to system() or written into its buffer
        bufs = set(re.findall(r"\bsystem\(\s*([A-Za-z_][A-Za-z0-9_.>-]*)\s*\)", text))
        for m in re.finditer(r'snprintf\(\s*([A-Za-z_][A-Za-z0-9_.>-]*)\s*,[^,]+,\s*"([a-z][a-z0-9_-]*) ',
                             text):
            if m.group(1) in bufs:
                found.append((m.group(2), True))
        for m in re.finditer(r'\b(?:system|popen)\(\s*"([a-z][a-z0-9_-]*)', text):
            found.append((m.group(1), True))
        return found, set()
    heredocs = []
    body = strip_heredocs(text, heredocs)
    m = re.match(r"#!\s*(\S+)(?:\s+(\S+))?", text)
    if m:
        found.append((m.group(1), True))
        if m.group(2) and os.path.basename(m.group(1)) == "env":
            found.append((m.group(2), True))
    command_words(body, found)
    for n, h in enumerate(heredocs):
        found += python_runs(h, "%s (heredoc %d)" % (path, n + 1), problems)
    return found, shell_functions(text)


def scanned_files():
    files = []
    # tests/unit is searched in its folders too (unit/<library>/test_*.c).
    for d, pat, deep in (("tests/integration", r".*\.sh$", False),
                         ("tests/bench", r".*\.sh$", False),
                         ("scripts", r".*\.sh$", False), ("tests/tools", r".*\.(py|sh)$", False),
                         ("tests/unit", r".*\.[ch]$", True), ("tests/bench", r".*\.c$", False)):
        full = os.path.join(HERE, d)
        for top, subdirs, names in os.walk(full):
            subdirs[:] = sorted(subdirs) if deep else []
            for f in sorted(names):
                if re.match(pat, f):
                    files.append(os.path.join(top, f))
    if os.path.isfile(os.path.join(HERE, ".ci", "run")):
        files.append(os.path.join(HERE, ".ci", "run"))
    return files


def built_programs():
    """Programs the build makes (found by path through TETRAD_BIN)."""
    names = {"tetrad", "tetrad-hub", "tetrad-syncd"}
    tools = os.path.join(HERE, "tests", "tools")
    for f in os.listdir(tools):
        if f.startswith("tt-") and f.endswith(".c"):
            names.add(f[:-2])
    return names


def install_deps_packages():
    with open(INSTALL_DEPS, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        die("no packages=( ... ) list in " + INSTALL_DEPS)
    return set(strip_comments(m.group(1)).split())


def dpkg(fmt, pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=" + fmt, pkg], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def owners(paths):
    """{path: packages that ship it} (usrmerge: /bin and /usr/bin alike),
    with one dpkg-query call."""
    alias = {}
    for path in paths:
        alias[path] = path
        for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/")):
            if path.startswith(a):
                alias[b + path[len(a):]] = path
            elif path.startswith(b):
                alias[a + path[len(b):]] = path
    r = subprocess.run(["dpkg-query", "-S"] + sorted(alias), capture_output=True, text=True)
    out = {p: set() for p in paths}
    for line in r.stdout.splitlines():
        pkgs, _, p = line.partition(": ")
        if p in alias:
            out[alias[p]] |= {x.strip().split(":")[0] for x in pkgs.split(",")}
    return out


def related(pkg):
    """pkg's direct dependencies and the packages that provide it."""
    rel = set()
    deps = dpkg("${Depends} ${Pre-Depends}", pkg) or ""
    rel |= set(re.findall(r"([a-z0-9][a-z0-9+.-]+)", re.sub(r"\([^)]*\)", "", deps)))
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Provides}\n"],
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        name, _, prov = line.partition(" ")
        if re.search(r"(^|[ ,])%s([ ,(]|$)" % re.escape(pkg), prov):
            rel.add(name)
    return rel


def which(cmd, folder=None):
    """cmd on PATH, or in folder alone when it is declared with one (that
    version's program, not a wrapper of the same name on PATH)."""
    for d in [folder] if folder else os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, cmd)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def cmd_link(dest):
    dirs = {}
    decl = read_declared(dirs)
    # the system's PATH, not the restricted one a test may already have
    os.environ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
    os.makedirs(dest, exist_ok=True)
    for f in os.listdir(dest):
        os.unlink(os.path.join(dest, f))
    missing = []
    for cmd, pkg in sorted(decl.items()):
        p = which(cmd, dirs.get(cmd))
        if p is None:
            missing.append("%s (package %s)" % (cmd, pkg))
            continue
        os.symlink(p, os.path.join(dest, cmd))
    if missing:
        die("declared but not installed: %s; run: bash scripts/install-deps.sh"
            % ", ".join(missing))
    print("commands: %d declared commands linked into %s" % (len(decl), dest))


def cmd_check():
    dirs = {}
    decl = read_declared(dirs)
    os.environ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
    problems = []
    paths = {}
    deps = install_deps_packages()
    for cmd, pkg in sorted(decl.items()):
        if pkg not in deps:
            info = dpkg("${Essential} ${Priority}", pkg)
            if info is None:
                problems.append("%s: package %s is not in install-deps.sh and is not installed "
                                "here, so it cannot be Essential" % (cmd, pkg))
            elif not (info.startswith("yes") or info.split()[-1:] == ["required"]):
                problems.append("%s: package %s is neither in install-deps.sh nor "
                                "Essential/required (%s)" % (cmd, pkg, info.strip()))
        p = which(cmd, dirs.get(cmd))
        if p is None:
            problems.append("%s: not installed (package %s%s)"
                            % (cmd, pkg, ", in " + dirs[cmd] if cmd in dirs else ""))
            continue
        paths[cmd] = (p, os.path.realpath(p))
    own = owners(sorted({x for pr in paths.values() for x in pr}))
    for cmd, (p, real) in sorted(paths.items()):
        pkg = decl[cmd]
        got = own[p] | own[real]
        if got and pkg not in got and not (got & related(pkg)):
            problems.append("%s: declared as package %s but %s belongs to %s"
                            % (cmd, pkg, p, ", ".join(sorted(got))))
    functions = set()
    per_file = []
    for path in scanned_files():
        found, fns = scan_file(path, problems)
        functions |= fns
        per_file.append((path, found))
    built = built_programs()
    for path, found in per_file:
        rel = os.path.relpath(path, HERE)
        for word, literal in found:
            if not literal or word.startswith("./") or word.startswith("../"):
                continue
            name = os.path.basename(word)
            if "/" in word:
                if not word.startswith("/"):
                    continue
                if name not in decl:
                    problems.append("%s: runs %s by absolute path and %s is not declared"
                                    % (rel, word, name))
                elif word not in ("/usr/bin/env", "/bin/sh", "/bin/bash"):
                    problems.append("%s: runs %s by absolute path: call %s through PATH "
                                    "(for the time program: 'command time')" % (rel, word, name))
                continue
            if literal != "external" and (name in BUILTINS or name in KEYWORDS):
                continue
            if name in functions or name in built:
                continue
            if name not in decl:
                problems.append("%s: runs %s, which is not in scripts/commands.txt" % (rel, name))
    # the C sources start no programs (token create draws its QR code itself)
    if problems:
        for p in sorted(set(problems)):
            print("commands: " + p, file=sys.stderr)
        die("%d problem(s); declare the program in scripts/commands.txt and its package "
            "in scripts/install-deps.sh" % len(set(problems)))
    print("commands: %d declared commands, %d files scanned: ok" % (len(decl), len(per_file)))


def cmd_scan(files):
    problems = []
    for path in files:
        found, fns = scan_file(path, problems)
        words = sorted({os.path.basename(w) if w.startswith("/") else w
                        for w, lit in found if lit} - BUILTINS - KEYWORDS - fns)
        print("%s: %s" % (path, " ".join(words)))
    for p in problems:
        print("commands: " + p, file=sys.stderr)


# Scripts the reader must not lose its place in, and the programs each runs:
# a word missed here is a program the check would never ask to be declared.
SELFTEST = (
    ("X=($'a\\nb' $'it\\'s')\npython3 -c 1\nfoo --x\n", {"python3", "foo"}),
    ("y=\"$(bar 'a)b')\"; baz\n", {"bar", "baz"}),
    ("echo $'#not a comment' # a comment: nope\nzed\n", {"echo", "zed"}),
    ('runuser -u "$u" -g grp -- env PATH="$p" initdb -D x\n', {"runuser", "env", "initdb"}),
    ("trap 'rm -rf x' EXIT\ntrap - EXIT\n", {"trap", "rm"}),
    ('bash -c "umask 077; exec \\"\\$@\\"" sh x\n', {"bash", "umask", "exec"}),
)


def cmd_selftest():
    bad = 0
    for text, want in SELFTEST:
        found = []
        command_words(strip_heredocs(text, []), found)
        got = {w for w, lit in found if lit}
        if got != want:
            print("commands selftest: %r: found %s, want %s"
                  % (text, sorted(got), sorted(want)), file=sys.stderr)
            bad += 1
    if bad:
        die("%d selftest case(s) failed" % bad)
    print("commands selftest: %d cases ok" % len(SELFTEST))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        os.environ["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
        if which("dpkg-query") is None:
            die("check needs dpkg-query: Tetrad's packages are Debian 12's")
    if len(sys.argv) >= 2 and sys.argv[1] == "link" and len(sys.argv) == 3:
        cmd_link(sys.argv[2])
    elif sys.argv[1:] == ["check"]:
        cmd_check()
    elif sys.argv[1:] == ["selftest"]:
        cmd_selftest()
    elif len(sys.argv) >= 3 and sys.argv[1] == "scan":
        cmd_scan(sys.argv[2:])
    else:
        die("usage: commands.py link DIR | check | selftest | scan FILE...")


if __name__ == "__main__":
    main()
