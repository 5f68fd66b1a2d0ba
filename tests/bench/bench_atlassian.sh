#!/bin/sh
# make bench (Atlassian rows): a full sync of a generated organization
# against the loopback mock with 20 ms per answer (BENCH_LATENCY_MS), at
# 50k users / 2k groups (BENCH_ATL_SIZES="users:groups ...", the mock's
# largest fixture by default), and the largest again at 0 ms.
#   wall / limit  the sync's wall time over the transport limit: requests
#                 at the mock x latency / max-in-flight (target <= 1.2)
#   req / call    requests at the mock per API call (target <= 1.05)
#   peak RSS      of the agent, the broker and the fetcher (<= 64 MiB)
#   mock ms/r     at 0 ms: the wall time over the requests, an upper bound
#                 of the mock's cost per request (it is then the bottleneck)
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
. "$TOP/tests/lib/atlassian.sh"
LAT=${BENCH_LATENCY_MS:-20}
SIZES=${BENCH_ATL_SIZES:-"50000:2000"}
MIF=8
t_ca
: > "$TMP/rows"

# bench USERS GROUPS LATENCY: one sync, one row of figures.
bench() {
	python3 "$TOP/tests/mock/atlassian/gen_fixture.py" --users "$1" \
		--groups "$2" --out "$TMP/fx.json" >/dev/null
	atl_mock "$TMP/fx.json" --latency-ms "$3"
	sed -i 's/^timeout = 30$/timeout = 600/' "$TMP/atl.conf"
	echo "max-in-flight = $MIF" >> "$TMP/atl.conf"
	rm -f "$TMP/big.c1z"
	BATON_ACCESS_TOKEN=$ADMIN_KEY BATON_SCIM_TOKEN=$SCIM_KEY \
		bench_run "$TMP/rss" "$TMP/wall" \
		"$PORTCULLIS" --config "$TMP/atl.conf" --app atlassian \
		--file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err"
	b_rc=$?
	b_ms=$(cat "$TMP/wall")
	t_eq "$1 users at $3 ms: sync exits 0" "$b_rc" 0
	b_calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
	b_req=$(statq 's["api_requests"]')
	b_late=$(statq 's.get("late", 0)')
	t_eq "$1 users at $3 ms: no 429, no mock error" \
		"$(statq 's["rate_limited"] + s["server_errors"]')" 0
	atl_stop
	echo "$1 $2 $3 $b_ms ${b_calls:-0} $b_req $(bench_rss "$TMP/rss") $b_late" >> "$TMP/rows"
}

for sz in $SIZES; do
	bench "${sz%%:*}" "${sz#*:}" "$LAT"
done
last=${SIZES##* }
bench "${last%%:*}" "${last#*:}" 0

echo "atlassian: max-in-flight $MIF; $(uptime | sed 's/.*load/load/')"
awk -v mif="$MIF" '
function verdict(ok) { return ok ? "PASS" : "FAIL" }
BEGIN { printf "%-6s %-6s %-5s %8s %8s %6s %-4s %7s %7s %-4s %6s %6s %6s %-4s %9s %5s\n",
    "users", "groups", "lat", "wall ms", "limit", "ratio", "", "calls",
    "req/c", "", "agent", "broker", "fetch", "RSS", "mock ms/r", "late" }
{
	lim = $6 * $3 / mif
	rc = $5 > 0 ? $6 / $5 : 0
	rss = ($7 > $8 ? $7 : $8); rss = (rss > $9 ? rss : $9)
	printf "%-6d %-6d %-5s %8d %8s %6s %-4s %7d %7.3f %-4s %6.1f %6.1f %6.1f %-4s %9s %5d\n",
	    $1, $2, $3 "ms", $4, (lim > 0 ? sprintf("%d", lim) : "-"),
	    (lim > 0 ? sprintf("%.2f", $4 / lim) : "-"),
	    (lim > 0 ? verdict($4 <= 1.2 * lim) : ""), $5, rc,
	    verdict(rc <= 1.05), $7 / 1024, $8 / 1024, $9 / 1024,
	    verdict(rss <= 65536),
	    ($3 == 0 ? sprintf("%.2f", $4 / ($6 + 0.001)) : "-"), $10
}' "$TMP/rows"
echo "targets: wall <= 1.2 x (requests x latency / $MIF in flight)," \
	"req/call <= 1.05, peak RSS of each process <= 64 MiB (MiB shown);" \
	"late: answers the mock sent after their latency"
while read -r u g l ms calls req ra rb rf late; do
	if [ "$l" != 0 ]; then
		bench_target "$u users at $l ms: within 1.2x of the transport limit" \
			awk "BEGIN { exit !($ms <= 1.2 * $req * $l / $MIF) }"
	fi
	bench_target "$u users at $l ms: requests/call <= 1.05" \
		awk "BEGIN { exit !($req <= 1.05 * $calls) }"
	for r in $ra $rb $rf; do
		bench_target "$u users at $l ms: peak RSS $r KiB <= 64 MiB" test "$r" -le 65536
	done
done < "$TMP/rows"
t_done
