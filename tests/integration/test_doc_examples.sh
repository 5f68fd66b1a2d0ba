#!/bin/sh
# Every shell example of README.md and the man pages is exercised (issue
# 19): run against the demo stand-in, run for real where it needs no
# vendor, or parsed by the same checks a run makes before it connects;
# what an example is and how each kind is checked is in
# tests/lib/doc_examples.py. A wrong example fails (control below).
. "$(dirname "$0")/../lib/common.sh"
if [ -n "$SAN" ] && [ "$SAN" != 0 ]; then
	# Once, in the release run, is enough: the examples ran in the build without SAN (the programs are covered here by every other test).
	t_skip "test_doc_examples" "ran in the build without SAN"
	t_done
	exit
fi
. "$TOP/tests/lib/atlas.sh"
t_ca
t_mock m 127.0.0.1
# A .c1z for the `c1z show` examples: a sync of the Atlas stand-in.
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
mkdir -p "$TMP/w"
atlas sample --file "$TMP/w/sample.c1z"
t_eq "a sample .c1z to show" "$(cat "$TMP/sample.rc")" 0
atlas_stop
DOCS="$TOP/README.md $TOP/doc/portcullis.8 $TOP/doc/portcullis.conf.5 $TOP/doc/pcj-validate.1"
PATH=$BUILD/bin:$PATH
export PATH
examples() {	# docs...: one PASS/FAIL line per example
	python3 "$TOP/tests/lib/doc_examples.py" "$TOP" "$PORTCULLIS" "$CA" \
		"$PORT_m" "$TMP/w" "$@"
}
examples $DOCS > "$TMP/ex.out" 2>&1
while IFS= read -r l; do
	case $l in
	PASS*) t_ok "$l" ;;
	FAIL*) t_fail "${l#FAIL }" "" ;;
	*) t_fail "runner" "$l" ;;
	esac
done < "$TMP/ex.out"
t_check "examples were found in every document (control)" test \
	"$(grep -c '^PASS README' "$TMP/ex.out")" -gt 40 -a \
	"$(grep -c '^PASS portcullis.8' "$TMP/ex.out")" -ge 3 -a \
	"$(grep -c '^PASS portcullis.conf.5' "$TMP/ex.out")" -ge 3 -a \
	"$(grep -c '^PASS pcj-validate.1' "$TMP/ex.out")" -gt 0
t_grep "the quick start ran against the demo stand-in" \
	'^PASS README.md:[0-9]+: portcullis --app demo$' "$TMP/ex.out"

# Controls: a wrong example fails.
wrong() {	# name, sed expression: the README with one example broken
	sed "$2" "$TOP/README.md" > "$TMP/wrong.md"
	rm -rf "$TMP/w2"
	mkdir -p "$TMP/w2"
	cp "$TMP/w/sample.c1z" "$TMP/w2/"
	python3 "$TOP/tests/lib/doc_examples.py" "$TOP" "$PORTCULLIS" "$CA" \
		"$PORT_m" "$TMP/w2" "$TMP/wrong.md" > "$TMP/wrong.out" 2>&1
	t_grep "control: $1 fails" '^FAIL ' "$TMP/wrong.out"
}
wrong "a misspelt flag" 's/--revoke-grant ID/--revoke-grnt ID/'
wrong "a missing operand" 's/--grant-principal-type user  # grant/  # grant/'
wrong "an unknown app" 's/--app confluence --file/--app confluense --file/'
wrong "a wrong output line" 's/^demo: GET \/hello: HTTP 200: .*/demo: GET \/hello: HTTP 201/'
wrong "a config with a typo" 's/^approved-domains = example.com/aproved-domains = example.com/'
wrong "a make target that does not exist" 's/^make check$/make chek/'
wrong "an unknown program" 's/^\$ portcullis c1z show atlas.c1z stats/$ portculis c1z show atlas.c1z stats/'
wrong "a c1z table that does not exist" 's/c1z show atlas.c1z stats/c1z show atlas.c1z statz/'
t_done
