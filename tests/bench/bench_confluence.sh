#!/bin/sh
# make bench: a full Confluence DC sync of a large generated instance
# against the loopback mock with 20 ms per request (default 20,000 users
# and 2,000 spaces; BENCH_USERS, BENCH_SPACES, BENCH_LATENCY_MS to
# change): wall time against the transport limit (requests x latency /
# max-in-flight), API calls, requests per call, and the peak RSS of each
# process (agent, broker, fetcher; tests/bench/runwatch.py), each with its
# target and PASS or FAIL.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
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
BATON_ACCESS_TOKEN=$C_ADMIN_PAT bench_run "$TMP/rss" "$TMP/wall" \
	"$PORTCULLIS" --config \
	"$TMP/conf.conf" --app confluence --file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$(cat "$TMP/wall")
t_eq "sync exits 0" "$rc" 0
calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
cmockget stats | python3 -c 'import json,sys; s = json.load(sys.stdin)
print(s.get("api_requests", 0), s.get("late", 0))' > "$TMP/wire"
read -r wire late < "$TMP/wire"
MIF=8
read -r ra rb rf <<EOF
$(bench_rss "$TMP/rss")
EOF
awk -v u="$U" -v sp="$S" -v l="$L" -v ms="$ms" -v c="${calls:-0}" -v w="$wire" \
    -v m="$MIF" -v a="$ra" -v b="$rb" -v f="$rf" -v late="$late" 'BEGIN {
	lim = c * l / m
	rss = a > b ? a : b; rss = rss > f ? rss : f
	printf "%-6s %-6s %-5s %8s %8s %6s %-4s %7s %6s %-4s %6s %6s %6s %-4s %5s\n",
	    "users", "spaces", "lat", "wall ms", "limit", "ratio", "", "calls",
	    "req/c", "", "agent", "broker", "fetch", "RSS", "late"
	printf "%-6d %-6d %-5s %8d %8d %6.2f %-4s %7d %6.3f %-4s %6.1f %6.1f %6.1f %-4s %5d\n",
	    u, sp, l "ms", ms, lim, (lim > 0 ? ms / lim : 0),
	    (lim > 0 && ms <= 1.2 * lim ? "PASS" : "FAIL"), c, w / (c + 0.001),
	    (c > 0 && w <= 1.05 * c ? "PASS" : "FAIL"), a / 1024, b / 1024,
	    f / 1024, (rss <= 65536 ? "PASS" : "FAIL"), late }'
echo "targets: wall <= 1.2 x (API calls x latency / $MIF in flight)," \
	"requests/call <= 1.05, peak RSS (MiB) of each process <= 64 MiB;" \
	"late: answers the mock sent after their latency"
bench_target "$U users at $L ms: within 1.2x of the transport limit" \
	awk "BEGIN { exit !(${calls:-0} > 0 && $ms <= 1.2 * ${calls:-0} * $L / $MIF) }"
bench_target "$U users at $L ms: requests/call <= 1.05" \
	awk "BEGIN { exit !(${calls:-0} > 0 && $wire <= 1.05 * ${calls:-0}) }"
for r in $ra $rb $rf; do
	bench_target "$U users at $L ms: peak RSS $r KiB <= 64 MiB" test "$r" -le 65536
done
t_done
