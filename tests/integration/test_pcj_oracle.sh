#!/bin/sh
# The strict JSON layer agrees with a second, independent judge (Python's
# json module held to the same rules, tests/lib/json_oracle.py) on the
# fuzz corpus and on a few hundred one-byte mutations of a vendor page:
# a rule pcj drops or invents shows up as a disagreement.
. "$(dirname "$0")/../lib/common.sh"
V="$BUILD/bin/pcj-validate"
mkdir -p "$TMP/m"
python3 - "$TMP/m" <<'PY'
import random, sys
out = sys.argv[1]
page = (b'{"links":[{"href":"https://cloud.mongodb.com/api/atlas/v2/orgs",'
        b'"rel":"self"}],"results":[{"id":"5f1a2b3c4d5e6f7a8b9c0d1e",'
        b'"username":"l\\u00e9a@example.com","roles":{"orgRoles":["ORG_MEMBER"]},'
        b'"teamIds":[],"n":-12.5e+3,"ok":true,"x":null,"s":"\\ud83d\\ude00 \xc3\xa9"}],'
        b'"totalCount":1}')
alphabet = b',:[]{}"\\ \t\n0123456789-+.eEtfnulrsa\x00\x1f\x7f\x80\xc3\xed\xf4\xff'
rnd = random.Random(20261130)
cases = [page]
for i in range(600):
    b = bytearray(page)
    at = rnd.randrange(len(b))
    op = rnd.randrange(3)
    if op == 0:
        del b[at]
    elif op == 1:
        b.insert(at, rnd.choice(alphabet))
    else:
        b[at] = rnd.choice(alphabet)
    cases.append(bytes(b))
for i, c in enumerate(cases):
    open("%s/m%03d.json" % (out, i), "wb").write(c)
PY
python3 "$TOP/tests/lib/json_oracle.py" "$V" "$TMP/m"/*.json > "$TMP/mut" 2>&1
t_eq "mutations: pcj and the reference agree" "$?" 0
t_grep "mutations: all judged" '^601 files, 0 disagreements' "$TMP/mut"
acc=0
rej=0
for f in "$TMP/m"/*.json; do
	if "$V" "$f" >/dev/null 2>&1; then acc=$((acc + 1)); else rej=$((rej + 1)); fi
done
t_check "mutations: some accepted (control)" test "$acc" -gt 20
t_check "mutations: some rejected (control)" test "$rej" -gt 100
python3 "$TOP/tests/lib/json_oracle.py" "$V" "$TOP"/fuzz/corpus/pcj_parse/* \
	> "$TMP/corp" 2>&1
t_eq "fuzz corpus: pcj and the reference agree" "$?" 0
[ "$T_FAIL" = 0 ] || { cat "$TMP/mut" "$TMP/corp" | grep -v '^[0-9]' | head -20; }
t_done
