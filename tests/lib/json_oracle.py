#!/usr/bin/env python3
"""A second opinion on strict JSON: Python's json module, made as strict
as pcj (UTF-8 only, no lone surrogates, no NaN/Infinity, no duplicate
keys after unescaping). For each file given, run pcj-validate and compare
the verdicts; pcj's caps (depth, tokens, size) are allowed to reject more.
Prints one line per disagreement and a closing count; exits 1 on any."""
import json, re, subprocess, sys

SURROGATE = re.compile("[\ud800-\udfff]")
CAPS = ("nesting too deep", "too many tokens", "input too large")


def strict_ok(raw):
    try:
        text = raw.decode("utf-8", "strict")
    except UnicodeDecodeError:
        return False

    def pairs(kv):
        keys = [k for k, _ in kv]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(kv)

    def refuse(name):
        raise ValueError(name)

    def walk(v):
        if isinstance(v, str) and SURROGATE.search(v):
            raise ValueError("surrogate")
        if isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)

    try:
        walk(json.loads(text, object_pairs_hook=pairs, parse_constant=refuse))
    except (ValueError, RecursionError):
        return False
    return True


def main():
    tool, files = sys.argv[1], sys.argv[2:]
    bad = 0
    for f in files:
        raw = open(f, "rb").read()
        r = subprocess.run([tool, f], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            print("%s: pcj-validate exit %d" % (f, r.returncode))
            bad += 1
            continue
        pcj, ref = r.returncode == 0, strict_ok(raw)
        if pcj == ref or (ref and any(c in r.stdout + r.stderr for c in CAPS)):
            continue
        bad += 1
        print("%s: pcj %s, reference %s: %s" % (f, "accepts" if pcj else "rejects",
              "accepts" if ref else "rejects", (r.stdout + r.stderr).strip()[:200]))
    print("%d files, %d disagreements" % (len(files), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
