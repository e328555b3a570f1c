#!/usr/bin/env python3
"""man_lint.py — the man pages in man/ against mandoc and the programs
(ctest meta/man_lint, issue 24).

  man_lint.py SOURCE_DIR BIN_DIR [TEST_PATH]

TEST_PATH (ctest gives <build>/test-path): mandoc is looked up there only,
as every test's programs are (scripts/commands.txt); the interpreter itself
runs with the caller's PATH (a pyenv shim needs it).

Checks, one line per breach, exit 1 if any (77: mandoc missing):
  - every page passes `mandoc -Tlint -W warning` without a message (style
    notes are left out: mandoc 1.14 takes a Cyrillic word at the end of a
    macro line, \\[u0415], for a trailing delimiter, and counts an 80-byte
    line in bytes, i.e. 40 Cyrillic letters);
  - each page's .Dt is its file name and section, and man/CMakeLists.txt
    installs it;
  - forwards: every command, subcommand and mode that a program's --help
    tree lists is named in its page (tetrad -> tetrad.1, tetrad-syncd ->
    tetrad-syncd.8, tetrad-hub -> tetrad-hub.8), and so is every long
    option any of those --help texts shows;
  - backwards: every command a page describes (the items `.It Cm WORDS` of
    its КОМАНДЫ section's outer lists) is one the program knows, so a page
    never keeps a command that is gone.

The help tree is read the way a person reads it: the top-level --help
names commands as the first word of its indented lines (or the word after
the program's name); a command's --help names its subcommands as the words
after the command (`token create`, `programmes set|unset`). A candidate
counts only if `PROG WORDS --help` exits 0 and prints something other than
its parent's help (an unknown word is a mistake, or the parent's help). The
programs run with HOME, TETRAD_DB and TETRAD_HUB_DATA in a fresh temporary
folder, so a --help that failed to stop a command touches nothing real.
"""
# runs: mandoc
import os
import re
import shutil
import subprocess
import sys
import tempfile

PAGES = {"tetrad": "tetrad.1", "tetrad-syncd": "tetrad-syncd.8", "tetrad-hub": "tetrad-hub.8"}
CONF_PAGES = ["tetrad-syncd.conf.5", "tetrad-hub.conf.5"]
WORD = r"-{0,2}[a-z][a-z0-9-]*"

problems = []


def bad(msg):
    problems.append(msg)


class Prog:
    def __init__(self, path, env):
        self.path, self.env, self.cache = path, env, {}
        self.name = os.path.basename(path)

    def help(self, words):
        """(exit code, stdout) of PROG WORDS --help."""
        key = tuple(words)
        if key not in self.cache:
            try:
                p = subprocess.run([self.path] + list(words) + ["--help"], env=self.env,
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
                self.cache[key] = (p.returncode, p.stdout.decode("utf-8", "replace"))
            except subprocess.TimeoutExpired:
                self.cache[key] = (-1, "")
        return self.cache[key]

    def known(self, words):
        """WORDS is a command of the program: its own help, exit 0."""
        code, out = self.help(words)
        if code != 0 or not out.strip():
            return False
        pcode, pout = self.help(words[:-1])
        return not (pcode == 0 and pout == out)


def top_candidates(prog, text):
    found = []
    for line in text.splitlines():
        m = re.match(r"^\s{1,8}(?:%s\s+)?(%s)(?=\s|$|\|)" % (re.escape(prog.name), WORD), line)
        if m and m.group(1) not in found:
            found.append(m.group(1))
        # "device list [--json] | device revoke ID": a second command on the line
        for m in re.finditer(r"\|\s+(%s)\s" % WORD, line):
            if m.group(1) not in found and not m.group(1).startswith("-"):
                found.append(m.group(1))
    return found


def sub_candidates(words, text):
    found = []
    pat = r"(?:^|\s)%s\s+(%s(?:\|%s)*)(?=\s|$)" % (
        r"\s+".join(re.escape(w) for w in words), WORD, WORD)
    for line in text.splitlines():
        for m in re.finditer(pat, line):
            for w in m.group(1).split("|"):
                if not w.startswith("-") and w not in found:
                    found.append(w)
    return found


def help_tree(prog):
    code, top = prog.help([])
    if code != 0 or not top.strip():
        bad("%s --help: код %d, справка %s" % (prog.name, code, "есть" if top.strip() else "пуста"))
        return []
    cmds = []
    for c in top_candidates(prog, top):
        if c not in ("--help", "--version") and prog.known([c]):
            cmds.append([c])
    for c in list(cmds):
        _, text = prog.help(c)
        # a group's help lists its subcommands either way: "token create …"
        # lines, or a table of them ("  set [--no-recovery]  задать пароль")
        subs = sub_candidates(c, text) + [w for w in top_candidates(prog, text)
                                          if not w.startswith("-")]
        for s in dict.fromkeys(subs):
            if prog.known(c + [s]):
                cmds.append(c + [s])
    return cmds


TOOLS_ENV = dict(os.environ)


def rendered(page):
    p = subprocess.run(["mandoc", "-Tutf8", page], capture_output=True, env=TOOLS_ENV)
    text = re.sub(r".\x08", "", p.stdout.decode("utf-8", "replace"))
    return " ".join(text.split())


def named(text, words):
    return re.search(r"(?<![\w-])%s(?![\w-])" % r"\s+".join(re.escape(w) for w in words), text)


def page_commands(page):
    """The outer items `.It Cm ...` of the section КОМАНДЫ: the command words."""
    cmds, section, depth = [], "", 0
    with open(page, encoding="utf-8") as f:
        for line in f:
            if line.startswith(".Sh "):
                section = line[4:].strip().strip('"')
            elif line.startswith(".Bl"):
                depth += 1
            elif line.startswith(".El"):
                depth -= 1
            elif section == "КОМАНДЫ" and depth == 1 and line.startswith(".It Cm "):
                words = []
                for w in line.split()[2:]:
                    if not re.fullmatch(r"[a-z][a-z0-9-]*", w):
                        break
                    words.append(w)
                if words and words not in cmds:
                    cmds.append(words)
    return cmds


def lint(page, mandir):
    name = os.path.basename(page)
    p = subprocess.run(["mandoc", "-Tlint", "-W", "warning", page], capture_output=True,
                       env=TOOLS_ENV)
    msg = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
    if p.returncode != 0 or msg:
        bad("%s: mandoc -Tlint (код %d):\n%s" % (name, p.returncode, msg))
    stem, _, sect = name.rpartition(".")
    with open(page, encoding="utf-8") as f:
        dt = re.search(r"^\.Dt\s+(\S+)\s+(\S+)", f.read(), re.M)
    if not dt or dt.group(1) != stem.upper() or dt.group(2) != sect:
        bad("%s: .Dt должно быть «%s %s»" % (name, stem.upper(), sect))
    with open(os.path.join(mandir, "CMakeLists.txt"), encoding="utf-8") as f:
        if not re.search(r"(?<![\w.-])%s(?![\w.-])" % re.escape(name), f.read()):
            bad("%s: не устанавливается (нет в man/CMakeLists.txt)" % name)


def main():
    if len(sys.argv) not in (3, 4):
        print("использование: man_lint.py КАТАЛОГ_ИСХОДНИКОВ КАТАЛОГ_ПРОГРАММ [TEST_PATH]",
              file=sys.stderr)
        return 2
    src, bindir = sys.argv[1], sys.argv[2]
    if len(sys.argv) == 4:
        TOOLS_ENV["PATH"] = sys.argv[3]
    if shutil.which("mandoc", path=TOOLS_ENV.get("PATH")) is None:
        print("SKIP: mandoc не найден (scripts/install-deps.sh ставит пакет mandoc)")
        return 77
    mandir = os.path.join(src, "man")
    pages = sorted(f for f in os.listdir(mandir) if re.fullmatch(r"[a-z.-]+\.[1-8]", f))
    for want in list(PAGES.values()) + CONF_PAGES:
        if want not in pages:
            bad("man/%s: страницы нет" % want)
    for f in pages:
        lint(os.path.join(mandir, f), mandir)

    tmp = tempfile.mkdtemp(prefix="man_lint.")
    try:
        env = dict(TOOLS_ENV, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "data"),
                   TETRAD_DB=os.path.join(tmp, "нет", "tetrad.db"),
                   TETRAD_HUB_DATA=os.path.join(tmp, "нет-хаба"), LC_ALL="C.UTF-8")
        env.pop("JOURNAL_STREAM", None)
        for prog_name, page_name in PAGES.items():
            page = os.path.join(mandir, page_name)
            path = os.path.join(bindir, prog_name)
            if not os.path.isfile(page):
                continue
            if not os.access(path, os.X_OK):
                bad("%s: программы нет (соберите проект)" % path)
                continue
            prog = Prog(path, env)
            text = rendered(page)
            tree = help_tree(prog)
            for words in tree:
                if not named(text, words):
                    bad("%s: нет команды «%s», которую называет «%s --help»"
                        % (page_name, " ".join(words), " ".join([prog_name] + words[:-1])))
            for words in [[]] + tree:
                _, out = prog.help(words)
                # «tetrad-syncd import-acks --db БАЗА ФАЙЛ» in the hub's help
                # quotes another program's command: not an option of this one
                out = re.sub(r"«[^»]*»", "", out)
                for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", out))):
                    if not named(text, [opt]):
                        bad("%s: нет параметра %s из «%s --help»"
                            % (page_name, opt, " ".join([prog_name] + words)))
            for words in page_commands(page):
                if not prog.known(words):
                    bad("%s: описана команда «%s», а «%s %s --help» её не знает"
                        % (page_name, " ".join(words), prog_name, " ".join(words)))
            print("%s: %d команд в справке, %d в странице" %
                  (page_name, len(tree), len(page_commands(page))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for p in problems:
        print("man_lint: " + p, file=sys.stderr)
    if not problems:
        print("man_lint: %d страниц в порядке" % len(pages))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
