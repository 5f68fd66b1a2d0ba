#!/bin/sh
# The vendor stand-ins are held to their specs too: each mock's own
# self-test (paths, paging, error bodies, contract violations it must
# flag) runs here, its checks counted with ours. A mock that drifts from
# its spec would make every connector test against it worthless.
. "$(dirname "$0")/../lib/common.sh"
if [ -n "$SAN" ] && [ "$SAN" != 0 ]; then
	# Once, in the release run, is enough: the stand-ins are Python: their self-tests ran in the build without SAN.
	t_skip "test_mocks" "ran in the build without SAN"
	t_done
	exit
fi
for m in atlas atlassian ironclad confluence-dc hostile; do
	st="$TOP/tests/mock/$m/selftest.py"
	if [ ! -f "$st" ]; then
		t_fail "$m mock" "no selftest.py"
		continue
	fi
	python3 "$st" > "$TMP/$m.out" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TMP/$m.out" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	if [ -z "$line" ] || [ "$rc" != 0 ] || [ "$f" != 0 ]; then
		t_fail "$m mock self-test" "exit $rc, \"$line\":"
		tail -n 20 "$TMP/$m.out" | sed 's/^/    /'
		continue
	fi
	T_PASS=$((T_PASS + p))
done
t_done
