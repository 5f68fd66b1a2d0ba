#!/bin/sh
# The README's Atlas examples (issue 14, item 12) run as written against
# the mock with the small fixture: every `$ portcullis ...` line of the
# section's examples exits 0 and prints the lines shown under it (a
# sealed file's name is matched by its shape).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
mkdir -p "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null
sed -i "1i vault = spool:$TMP/spool\nvault-key = $TMP/op.pub.jwk" "$TMP/atlas.conf"
cd "$TMP" || exit 1
python3 - "$TOP/README.md" "$PORTCULLIS" "$TMP/atlas.conf" "$TMP/spool" > "$TMP/readme.out" 2>&1 <<'EOF'
import os, re, shlex, subprocess, sys

readme, prog, conf, spool = sys.argv[1:5]
text = open(readme).read()
sec = text[text.index("## MongoDB Atlas"):]
sec = sec[:sec.index("\n## ", 4)]
blocks = re.findall(r"```\n(.*?)```", sec, re.S)
cmds = []                       # (command line, [expected lines])
for b in blocks:
    lines = b.replace("\\\n", " ").split("\n")
    if cmds:
        cmds.append(["", []])     # a new block: output does not carry over
    for ln in lines:
        if ln.startswith("$ "):
            cmds.append([ln[2:], []])
        elif cmds and ln.startswith("atlas: "):
            cmds[-1][1].append(ln)
ok = fail = 0
env = dict(os.environ, BATON_PRIVATE_KEY="priv-5e3c-4b2a")
for cmd, want in cmds:
    cmd = re.sub(r"\s+#.*$", "", cmd).split("|")[0]
    argv = shlex.split(cmd)
    if argv[0] != "portcullis":
        continue
    argv = [prog, "--config", conf] + argv[1:]
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    got = p.stdout.splitlines()
    bad = []
    if p.returncode != 0:
        bad.append("exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
    for w in want:
        pat = re.escape(w).replace(re.escape("/var/lib/portcullis/secrets/"), re.escape(spool + "/"))
        pat = re.sub(r"\d{8}T\d{6}Z\\-r\d+\\-[0-9a-f]+", r"\\d{8}T\\d{6}Z-r\\d+-[0-9a-f]+", pat)
        if not any(re.fullmatch(pat, g) for g in got):
            bad.append("no line %r in %r" % (w, got))
    if bad:
        fail += 1
        print("FAIL %s: %s" % (cmd, "; ".join(bad)))
    else:
        ok += 1
        print("ok %s" % cmd)
print("RESULT %d %d" % (ok, fail))
EOF
cat "$TMP/readme.out"
res=$(grep '^RESULT' "$TMP/readme.out")
t_check "README: the Atlas examples were found" test "$(echo "$res" | cut -d' ' -f2)" -ge 7
t_eq "README: every Atlas example runs as shown" "$(echo "$res" | cut -d' ' -f3)" 0
atlas_stop
t_done
