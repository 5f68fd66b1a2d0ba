#!/usr/bin/env python3
"""Runs in: tests (test_doc_examples.sh). Input: README.md and the man
pages (the project's own docs), a built portcullis, a demo mock.

Every shell example of the docs is found and exercised; one line per
example, "PASS where: command" or "FAIL where: command: why".

What is an example (so an author knows how to write one):
  README.md  a line of a ``` fenced block that starts with "$ " or "# "
             followed by a known program, or with a known program itself
             (the command lists); a "\\" at the end joins the next line.
             A block whose first line is "# /etc/portcullis/portcullis.conf",
             or the output of "$ cat /etc/portcullis/portcullis.conf", is a
             configuration: it must parse, and it is the configuration of
             the examples after it.
  man pages  ".Dl $ command", ".Ql portcullis ..." (or ".Pq Ql ..."),
             ".Ql --app ..." and
             ".Ql c1z show ..." (portcullis arguments), and the lines of a
             ".Bd -literal" block as above (a block without commands is a
             configuration and must parse).
How each is exercised:
  portcullis --app demo ...       run against the demo mock; the lines
                                  shown under it must be what it prints
  capabilities, config, policy,   run for real with the section's
  --help, --version, c1z show,    configuration (paths under /etc, /var
  vault keygen                    moved to a scratch root, the files
                                  they name made there)
  any other run (a vendor's sync  parsed: the same command line with the
  or write)                       `config` command must exit 0, which
                                  checks every flag, value, app and
                                  operation as a run does before it
                                  connects
  placeholders (NAME, ID, FILE..) filled in; "a | b" alternatives each;
                                  "...." in a file name: the command's
                                  --help must list every flag used
  pcj-validate                    run on files made to match the output
  make TARGET                     `make -n TARGET` must succeed
  systemctl, jose, fuzzers        the unit / files / harnesses they name
                                  must exist
Anything else (an unknown program, a typo in a flag) fails.
"""
import os
import re
import shlex
import subprocess
import sys

TOP, PROG, CA, DEMO_PORT, W = sys.argv[1:6]
DOCS = sys.argv[6:]
PROGRAMS = ("portcullis", "make", "pcj-validate", "systemctl", "jose",
            "mkdir", "cat", "afl-fuzz")
CONF_HEAD = "# /etc/portcullis/portcullis.conf"
results = []
state = {"conf": None, "cidr": {}}


def report(ok, where, cmd, why=""):
    print("%s %s: %s%s" % ("PASS" if ok else "FAIL", where, cmd,
                           "" if ok else ": " + why))


def rootify(s):
    """Paths of a real host, moved under the scratch root W (once: a path
    already under W stays as it is)."""
    s = s.replace(W, "\0")
    s = re.sub(r"(?<![\w.-])(/etc/portcullis/|/var/log/portcullis/|"
               r"/var/lib/portcullis/|/tmp/)", "\0" + r"\1", s)
    return s.replace("\0", W)


def is_program(word):
    return word in PROGRAMS or word.startswith("build-fuzz/") or \
        word.startswith("build-afl/")


def run(argv, **kw):
    return subprocess.run(argv, cwd=W, capture_output=True, text=True,
                          timeout=60, **kw)


# --- configurations ------------------------------------------------------
def make_files(text):
    """Create what a configuration names, as an operator would have."""
    for m in re.finditer(r"^\s*([a-z-]+)\s*=\s*(\S+)\s*$", text, re.M):
        key, val = m.group(1), m.group(2)
        if not val.startswith(W):
            continue
        os.makedirs(os.path.dirname(val), exist_ok=True)
        if key == "vault":
            continue
        if os.path.exists(val):
            continue
        if key == "vault-key":
            run([PROG, "vault", "keygen", "--out", val[:-len(".pub.jwk")]])
        elif key == "ca-file":
            open(val, "w").write(open(os.path.join(CA, "ca.pem")).read())
        elif key == "allow-file":
            open(val, "w").write(state["cidr"].get(val, "allow 127.0.0.1/32\n"))
        elif key.endswith("-file"):
            open(val, "w").write("not-a-real-secret\n")
            os.chmod(val, 0o600)
    for m in re.finditer(r"^vault\s*=\s*spool:(\S+)", text, re.M):
        os.makedirs(m.group(1), exist_ok=True)


def use_config(where, text):
    text = rootify(text)
    path = os.path.join(W, "conf%d" % len(results))
    results.append(path)
    open(path, "w").write(text)
    make_files(text)
    r = run([PROG, "--config", path, "config"])
    report(r.returncode == 0, where, "(configuration)", r.stderr.strip())
    state["conf"] = path


# --- commands --------------------------------------------------------------
PLACE = {"NAME": "atlas", "ID": "x", "TYPE": "user", "LOGIN": "login",
         "E": "e@example.com", "JSON": "{}", "TABLE": "stats",
         "PREFIX": "operator"}


def fill(cmd):
    """The summary's notation: [optional] kept, placeholders filled."""
    cmd = re.sub(r"\[([^\]]*)\]", r"\1", cmd)
    cmd = re.sub(r"\s\.\.\.(\s|$)", " ", cmd)
    words = []
    for w in shlex.split(cmd):
        words.append(PLACE.get(w, w))
    return words


def alternatives(cmd):
    """'a b c | d e' -> 'a b c', 'a b d e' (an alternative replaces the
    word before the bar); a pipe into another program is dropped."""
    parts = [p.strip() for p in re.split(r"\s\|\s", cmd)]
    out = [parts[0]]
    for p in parts[1:]:
        if is_program(p.split()[0]) or p.split()[0] in ("head", "jq", "less"):
            continue
        out.append(" ".join(parts[0].split()[:-1] + [p]))
    return out


def c1z_file(name):
    dst = os.path.join(W, os.path.basename(name))
    if not os.path.exists(dst):
        open(dst, "wb").write(open(os.path.join(W, "sample.c1z"), "rb").read())
    return dst


def help_check(words):
    """A schematic command: its --help must name each of its flags."""
    sub = [w for w in words[1:3] if not w.startswith("-")]
    r = run([PROG] + sub[:1] + ["--help"])
    flags = [w for w in words if w.startswith("--")]
    missing = [f for f in flags if f not in r.stdout]
    return r.returncode == 0 and not missing, "not in --help: %s" % missing



def c1z_cmd(words, args):
    """c1z show/diff/export on copies of the sample; a usage line (with
    [ ] or | in it) is checked against the command's --help."""
    if any(re.search(r"[][|]", a) for a in args):
        return help_check(words)
    i = args.index("c1z")
    verb = args[i + 1] if i + 1 < len(args) else None
    ok_rc = (0,)
    if verb == "show":
        args[i + 2] = c1z_file(args[i + 2])
    elif verb == "diff":
        args[i + 2] = c1z_file(args[i + 2])
        args[i + 3] = c1z_file(args[i + 3])
        ok_rc = (0, 1)
    elif verb == "export":
        args[i + 2] = c1z_file(args[i + 2])
        j = args.index("--csv") + 1
        args[j] = os.path.join(W, "csv%d" % len(results))
        results.append(args[j])
    else:
        return False, "c1z %s is not exercised here" % verb
    r = run([PROG] + args)
    return r.returncode in ok_rc, r.stderr.strip()

def portcullis(where, words, want):
    conf = state["conf"] or os.path.join(W, "empty.conf")
    args = words[1:]
    cmd = next((a for a in args if not a.startswith("-") and a in (
        "capabilities", "config", "policy", "c1z", "vault", "service")), None)
    if any("...." in a for a in args) or (cmd == "vault" and any(
            re.match(r"^[A-Z]+(\.[a-z]+)?$", a) for a in args)):
        return help_check(words)
    if cmd == "c1z":
        return c1z_cmd(words, args)
    if cmd == "vault":
        # keygen's default prefix is in the current directory: a fresh
        # one each time, unless the example names where (--out).
        cwd = W
        if "--out" not in args:
            cwd = os.path.join(W, "keygen%d" % len(results))
            results.append(cwd)
            os.makedirs(cwd)
        r = subprocess.run([PROG] + args, cwd=cwd, capture_output=True,
                           text=True, timeout=60)
        return r.returncode == 0, r.stderr.strip()
    if cmd in ("capabilities", "config", "policy") or "--help" in args or \
            "--version" in args:
        r = run([PROG, "--config", conf] + args)
        return r.returncode == 0, r.stderr.strip()
    if cmd is not None:
        return False, "command %s is not exercised here" % cmd
    app = args[args.index("--app") + 1] if "--app" in args else None
    if app == "demo":
        # The vendor is the demo stand-in on loopback, with the test CA.
        r = run([PROG, "--config", conf] + args + [
            "--base-url", "https://127.0.0.1:%s" % DEMO_PORT,
            "--ca-file", os.path.join(CA, "ca.pem"),
            "--allow-file", os.path.join(W, "loopback.cidr")])
        got = r.stdout.strip().split("\n") if r.stdout.strip() else []
        if r.returncode != 0:
            return False, "exit %d: %s" % (r.returncode, r.stderr.strip())
        if want and got != want:
            return False, "printed %s, the doc shows %s" % (got, want)
        return True, ""
    # A vendor's run: every check a run makes before it connects.
    r = run([PROG, "--config", conf] + args + ["config"])
    return r.returncode == 0, r.stderr.strip()


def make_cmd(words):
    targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    r = subprocess.run(["make", "-n", "-C", TOP] + targets,
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, MAKEFLAGS=""))
    return r.returncode == 0, r.stderr.strip()[-200:]


def systemctl(words):
    verbs = {"daemon-reload", "enable", "status", "reload", "start", "stop",
             "restart"}
    unit = open(os.path.join(TOP, "dist/portcullis.service.in")).read()
    if words[1] not in verbs:
        return False, "systemctl %s: not a verb we document" % words[1]
    if words[1] != "daemon-reload" and words[-1] != "portcullis":
        return False, "the unit is portcullis"
    if words[1] == "reload" and "ExecReload=" not in unit:
        return False, "the unit has no ExecReload="
    return True, ""


def fuzz_names():
    r = subprocess.run(["make", "-s", "-C", TOP, "fuzz-list"],
                       capture_output=True, text=True,
                       env=dict(os.environ, MAKEFLAGS=""))
    return {l.split("|")[0] for l in r.stdout.split("\n") if l}


def exists(p):
    return os.path.exists(p if p.startswith("/") else os.path.join(TOP, p))


def fuzzer(words):
    names = fuzz_names()
    harness = [w for w in words if w.startswith(("build-fuzz/", "build-afl/"))]
    for h in harness:
        if h.split("fuzz_", 1)[-1] not in names:
            return False, "%s: no such harness" % h
    paths = [w.split("=", 1)[1] for w in words if w.startswith("-dict=")]
    for i, w in enumerate(words):
        if w in ("-i", "-x"):
            paths.append(words[i + 1])
    if words[0].startswith("build-fuzz/"):
        paths += [w for w in words[1:] if not w.startswith("-")]
    missing = [p for p in paths if not exists(p)]
    return not missing and bool(harness), "missing: %s" % missing


def pcj_validate(words, want):
    open(os.path.join(W, "users-page-1.json"), "w").write('{"users": []}')
    bad = os.path.join(W, "users-page-2.json")
    if want:        # the rejection the doc shows: a duplicate at offset 8
        open(bad, "w").write('{"a":1,"a":2}')
    elif os.path.exists(bad):
        os.unlink(bad)
    r = run(["sh", "-c", " ".join(words)])
    got = (r.stdout + r.stderr).strip().split("\n")
    if want and got != want:
        return False, "printed %s, the doc shows %s" % (got, want)
    return r.returncode == (1 if want else 0), "exit %d" % r.returncode


def cat(where, words, shown):
    path = rootify(words[1])
    if path.endswith("portcullis.conf"):
        use_config(where, "\n".join(shown) + "\n")
        return True, ""
    if path.endswith(".cidr"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").write("\n".join(shown) + "\n")
        state["cidr"][path] = "\n".join(shown) + "\n"
        return True, ""
    return False, "cat of %s: not a file the docs explain" % words[1]


def exercise(where, cmd, shown):
    for alt in alternatives(cmd):
        alt = rootify(alt)
        words = fill(alt)
        if not words:
            continue
        w0 = words[0]
        if w0 == "make" and "&&" in words:
            pieces, cur = [], []
            for w in words:
                if w == "&&":
                    pieces.append(cur)
                    cur = []
                else:
                    cur.append(w)
            pieces.append(cur)
        else:
            pieces = [words]
        for p in pieces:
            p0 = p[0]
            if p0 == "portcullis":
                ok, why = portcullis(where, p, shown)
            elif p0 == "make":
                ok, why = make_cmd(p)
            elif p0 == "systemctl":
                ok, why = systemctl(p)
            elif p0 == "pcj-validate":
                ok, why = pcj_validate(p, shown)
            elif p0 == "cat":
                ok, why = cat(where, p, shown)
            elif p0 == "mkdir":
                r = run(p)
                ok, why = r.returncode == 0, r.stderr
            elif p0.startswith(("build-fuzz/", "build-afl/")) or p0 == "afl-fuzz":
                ok, why = fuzzer(p)
            elif p0 == "jose":
                key = p[p.index("-k") + 1] if "-k" in p else ""
                ok, why = exists(os.path.join(W, key)), \
                    "%s: no example makes this key" % key
            else:
                ok, why = False, "unknown program %s" % p0
            report(ok, where, " ".join(p), why)


# --- extraction ------------------------------------------------------------
def block_examples(where, lines):
    """(where, command, lines shown under it) of one block; a block of
    configuration only is returned as a configuration."""
    joined, i = [], 0
    while i < len(lines):
        ln, n = lines[i], i
        while ln.endswith("\\") and i + 1 < len(lines):
            i += 1
            ln = ln[:-1].rstrip() + " " + lines[i].strip()
        joined.append((n, ln))
        i += 1
    if lines and lines[0].strip() == CONF_HEAD:
        use_config(where(0), "\n".join(lines[1:]) + "\n")
        return []
    out = []
    for n, ln in joined:
        m = re.match(r"^([$#]) (.*)$", ln)
        body = m.group(2) if m else ln
        first = body.split()[0] if body.split() else ""
        if m and m.group(1) == "$" or is_program(first):
            body = re.sub(r"\s+#\s.*$", "", body)       # a comment
            if not m:
                body = re.split(r"\s{2,}", body)[0]     # a description
            out.append([where(n), body, []])
        elif out and not m:
            out[-1][2].append(ln)
    return out


def readme(path):
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            base = i + 2
            for e in block_examples(lambda n, b=base: "%s:%d" % (
                    os.path.basename(path), b + n), lines[i + 1:j]):
                exercise(e[0], e[1], [s for s in e[2] if s.strip()])
            i = j
        i += 1


def man(path):
    lines = open(path).read().split("\n")
    name = os.path.basename(path)
    i = 0
    while i < len(lines):
        ln = lines[i]
        where = "%s:%d" % (name, i + 1)
        if ln.startswith(".Dl $ "):
            exercise(where, ln[6:], [])
        elif ln.startswith((".Ql ", ".Pq Ql ")):
            q = re.sub(r"(\s+[.,;:)(]+)+$", "", ln.split("Ql ", 1)[1]).strip()
            q = re.sub(r"\s+\)$", "", q)
            if q.startswith("portcullis "):
                exercise(where, q, [])
            elif q.startswith("--app ") or q.startswith("c1z show "):
                exercise(where, "portcullis " + q, [])
        elif ln.startswith(".Bd -literal"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith(".Ed"):
                j += 1
            body = lines[i + 1:j]
            ex = block_examples(lambda n, b=i + 2: "%s:%d" % (name, b + n),
                                body)
            if not ex and not (body and body[0].strip() == CONF_HEAD):
                use_config(where, "\n".join(body) + "\n")
            for e in ex:
                exercise(e[0], e[1], [s for s in e[2] if s.strip()])
            i = j
        i += 1


os.makedirs(W, exist_ok=True)
open(os.path.join(W, "empty.conf"), "w").close()
open(os.path.join(W, "loopback.cidr"), "w").write("allow 127.0.0.1/32\n")
for d in DOCS:
    state["conf"] = None
    (readme if d.endswith(".md") else man)(d)
