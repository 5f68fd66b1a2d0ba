#!/bin/sh
# The strict JSON layer accepts every example response in the vendors'
# own specs (Atlas, Atlassian, Ironclad, Confluence DC), and rejects each
# of them once broken (a trailing comma, a cut end, a duplicated key).
. "$(dirname "$0")/../lib/common.sh"
V="$BUILD/bin/pcj-validate"
if [ ! -d "$SHARED/specs" ]; then
	t_skip "vendor spec examples" "../shared/specs is absent"
	t_done; exit 0
fi
python3 "$TOP/tests/lib/spec_examples.py" "$SHARED/specs" "$TMP/ex" > "$TMP/counts"
for vendor in mongodb-atlas atlassian ironclad confluence-dc; do
	n=$(awk -v v="$vendor" '$1 == v {print $2}' "$TMP/counts")
	t_check "$vendor: has examples" test "${n:-0}" -gt 0
	if "$V" "$TMP/ex/$vendor"/*.json > "$TMP/out" 2>&1; then
		t_ok "$vendor: all $n examples accepted"
	else
		t_fail "$vendor: all examples accepted" "$(cat "$TMP/out")"
	fi
	"$V" -d "$TMP/ex/$vendor"/*.json > "$TMP/dump"
	t_check "$vendor: every example round-trips to the same value" \
	    python3 -c '
import glob, json, sys
files = sorted(glob.glob(sys.argv[1] + "/*.json"))
dumps = open(sys.argv[2]).read().splitlines()
assert len(files) == len(dumps), (len(files), len(dumps))
for f, d in zip(files, dumps):
    assert json.load(open(f)) == json.loads(d), f
' "$TMP/ex/$vendor" "$TMP/dump"
	bad=0
	for f in "$TMP/ex/$vendor"/*.json; do
		case "$(head -c 1 "$f")" in
		"{")	printf '%s' "$(sed 's/}$/,}/' "$f")" > "$TMP/m1" ;;
		*)	printf '%s' "$(sed 's/]$/,]/' "$f")" > "$TMP/m1" ;;
		esac
		head -c $(($(wc -c < "$f") - 1)) "$f" > "$TMP/m2"
		"$V" "$TMP/m1" > /dev/null 2>&1 && bad=$((bad + 1))
		"$V" "$TMP/m2" > /dev/null 2>&1 && bad=$((bad + 1))
	done
	t_eq "$vendor: every broken example rejected" "$bad" 0
done
# The tool's own contract: exit 1 and "FILE: offset N: reason".
printf '{"a":1,"a":2}' > "$TMP/dup.json"
"$V" "$TMP/ex/mongodb-atlas/0000.json" "$TMP/dup.json" > "$TMP/out"
t_eq "pcj-validate exits 1 on a rejected file" "$?" 1
t_grep "pcj-validate names file, offset and reason" \
	"dup.json: offset 8: duplicate object key" "$TMP/out"
t_done
