#!/bin/sh
# doc/CONNECTOR.md stays true: every connector the makefile builds has
# its descriptor (a capabilities row), its policy files (allowlist,
# egress rules that parse, an exported seccomp filter), at least one
# fuzz harness per response decoder with its seeds, an integration test,
# a mock with a self-test and its lines in the hostile-world suite.
. "$(dirname "$0")/../lib/common.sh"
make -s -C "$TOP" connector-list > "$TMP/list" 2>/dev/null
t_check "the makefile lists its connectors (control)" grep -q '^atlas|' "$TMP/list"
"$PORTCULLIS" capabilities > "$TMP/caps" 2>&1
while IFS='|' read -r app harnesses; do
	t_grep "$app: a capabilities row" "^$app: sync " "$TMP/caps"
	t_check "$app: allowlist" test -s "$TOP/policy/allow/$app.cidr"
	t_check "$app: egress rules" test -s "$TOP/policy/egress/$app.rules"
	# A base URL and an allowlist, for apps whose operator must give them.
	: > "$TMP/none.cidr"
	printf 'policy-dir = %s\n[app %s]\nbase-url = https://vendor.example\nallow-file = %s\n' \
		"$TOP/policy" "$app" "$TMP/none.cidr" > "$TMP/$app.conf"
	"$PORTCULLIS" policy --explain --app "$app" --config "$TMP/$app.conf" \
		> "$TMP/$app.explain" 2>&1
	t_grep "$app: its egress rules parse" '^(GET|POST|PUT|PATCH|DELETE) ' \
		"$TMP/$app.explain"
	t_check "$app: exported seccomp filter" \
		test -s "$TOP/policy/seccomp/portcullis-fetch-$app.pfc"
	t_check "$app: at least one fuzz harness" test -n "$harnesses"
	for h in $harnesses; do
		t_check "$app: fuzz/fuzz_${app}_$h.c" test -f "$TOP/fuzz/fuzz_${app}_$h.c"
		t_check "$app: seeds for ${app}_$h" \
			test -n "$(ls "$TOP/fuzz/corpus/${app}_$h" 2>/dev/null)"
	done
	t_check "$app: fuzz/${app}_stub.c" test -f "$TOP/fuzz/${app}_stub.c"
	t_check "$app: an integration test" \
		test -n "$(ls "$TOP"/tests/integration/test_${app}*.sh 2>/dev/null)"
	t_check "$app: fetcher status checked" \
		grep -q -E "^check $app " "$TOP/tests/security/test_fetcher_status.sh"
	t_check "$app: in the hostile vendor suite" \
		grep -q -E "hostile_suite $app " "$TOP/tests/faults/test_hostile_vendor.sh"
done < "$TMP/list"
t_done
