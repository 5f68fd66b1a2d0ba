#!/bin/sh
# make bench: a full Confluence DC sync of a large generated instance
# against the loopback mock with 20 ms per request (default 20,000 users
# and 2,000 spaces; BENCH_USERS, BENCH_SPACES, BENCH_LATENCY_MS to
# change): wall time against the transport limit (requests x latency /
# max-in-flight), API calls, requests per call, and the peak RSS of each
# process (agent, broker, fetcher), sampled from /proc while it runs.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/confluence.sh"
U=${BENCH_USERS:-20000}
S=${BENCH_SPACES:-2000}
L=${BENCH_LATENCY_MS:-20}
t_ca
echo "bench_confluence: generating $U users, $S spaces..."
python3 "$TOP/tests/mock/confluence-dc/gen_fixture.py" --users "$U" \
	--groups $((U / 40 + 10)) --spaces "$S" --out "$TMP/big.json"
conf_mock "$TMP/big.json" --latency-ms "$L"
sed -i 's/^timeout = 30$/timeout = 600/' "$TMP/conf.conf"
start=$(date +%s%N)
BATON_ACCESS_TOKEN=$C_ADMIN_PAT "$PORTCULLIS" --config "$TMP/conf.conf" \
	--app confluence --file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err" &
ag=$!
: > "$TMP/hwm"
while kill -0 "$ag" 2>/dev/null; do
	for p in $(t_tree "$ag"); do
		awk -v c="$(cat /proc/$p/comm 2>/dev/null)" \
			'/^VmHWM:/ { print c, $2 }' /proc/$p/status 2>/dev/null
	done >> "$TMP/hwm"
	sleep 0.5
done
wait "$ag"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_eq "sync exits 0" "$rc" 0
calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
wire=$(cmockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin).get("api_requests", 0))')
inflight=8
limit=$((wire * L / inflight))
rss=$(sort -k2 -n "$TMP/hwm" | awk '{ m[$1] = $2 } END { for (c in m) printf "%s %d KiB, ", c, m[c] }')
echo "bench_confluence: $U users, $S spaces at $L ms: ${ms} ms wall," \
	"transport limit ${limit} ms ($wire requests x $L ms / $inflight)," \
	"$calls API calls ($(python3 -c "print(round($wire / max(1, ${calls:-0}), 2))") requests per call)," \
	"peak RSS: ${rss%, }"
t_done
