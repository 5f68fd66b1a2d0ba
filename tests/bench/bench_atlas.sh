#!/bin/sh
# make bench: full Atlas syncs of generated orgs against the loopback mock
# with 20 ms per answer (BENCH_LATENCY_MS), at 1k, 10k and 100k users
# (BENCH_SIZES="users:projects ..."), and one at 0 ms for the write path.
# One table: each figure with its target and PASS or FAIL.
#   wall / limit  the sync's wall time over the transport limit: API calls
#                 x latency / max-in-flight (target <= 1.2)
#   wire / calls  requests on the wire per API call (Digest challenges
#                 included; target <= 1.05)
#   span, +ends   first request to last answer at the mock (its request
#                 log); the rest of the wall time: start (processes, TLS,
#                 the first challenge) and end (the .c1z finished)
#   mock ms/r     at 0 ms: the span over the requests, an upper bound of
#                 the mock's cost per request (bench_privsep.sh measures
#                 it with a direct client)
#   records/s     records into the .c1z; the file's size
#   peak RSS      of the agent, the broker and the fetcher (<= 64 MiB)
#   curl+jq       the same inventory by tests/bench/atlas_curl_jq.sh, up to
#                 BENCH_PEER_MAX_USERS (1000) users (target: 5x slower)
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
. "$TOP/tests/lib/atlas.sh"
LAT=${BENCH_LATENCY_MS:-20}
SIZES=${BENCH_SIZES:-"1000:20 10000:200 100000:2000"}
MIF=8
t_ca
ROWS=$TMP/rows

# bench USERS PROJECTS LATENCY: one sync, one row of figures.
bench() {
	b_u=$1 b_p=$2 b_l=$3
	python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users "$b_u" \
		--projects "$b_p" --out "$TMP/fx.json" >/dev/null
	atlas_mock "$TMP/fx.json" --latency-ms "$b_l" --request-log "$TMP/req.log"
	sed -i 's/^timeout = 30$/timeout = 600/' "$TMP/atlas.conf"
	echo "max-in-flight = $MIF" >> "$TMP/atlas.conf"
	rm -f "$TMP/big.c1z"
	BATON_PRIVATE_KEY=priv-5e3c-4b2a bench_run "$TMP/rss" "$TMP/wall" \
		"$PORTCULLIS" --config "$TMP/atlas.conf" \
		--app atlas --file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err"
	b_rc=$?
	b_ms=$(cat "$TMP/wall")
	t_eq "$b_u users at $b_l ms: sync exits 0" "$b_rc" 0
	"$PORTCULLIS" c1z show "$TMP/big.c1z" stats > "$TMP/stats"
	# Only the four record tables: the per-type lines repeat them.
	b_recs=$(awk '$1 ~ /^(resource-types|resources|entitlements|grants)$/ \
		{ s += $NF } END { print s + 0 }' "$TMP/stats")
	b_calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
	# Requests on the wire (less this stats request, which counts
	# itself), and how many answers overlapped on average.
	mockget stats | python3 -c 'import json,sys; s = json.load(sys.stdin)
print(s.get("requests", 0) - 1, "%.1f" % (s.get("in_flight_sum", 0) /
      max(1, s.get("api_requests", 0))), s.get("late", 0))' > "$TMP/wire"
	read -r b_wire b_inf b_late < "$TMP/wire"
	b_span=$(awk '$1 == "S" && !s { s = $3 } $1 == "E" { e = $3 }
	    END { printf "%d\n", e - s }' "$TMP/req.log")
	# The peer, where it finishes in reasonable time: the same inventory
	# scripted with curl and jq, sequential, against the same mock.
	b_peer=0
	if [ "$b_u" -le "${BENCH_PEER_MAX_USERS:-1000}" ]; then
		b_start=$(date +%s%N)
		sh "$TOP/tests/bench/atlas_curl_jq.sh" "https://127.0.0.1:$APORT" \
			"$CA/ca.pem" pubkey01 priv-5e3c-4b2a > "$TMP/peer" 2>&1
		b_peer=$((($(date +%s%N) - b_start) / 1000000))
	fi
	atlas_stop
	b_size=$(($(stat -c %s "$TMP/big.c1z") / 1024))
	echo "$b_u $b_p $b_l $b_ms ${b_calls:-0} $b_wire $b_recs $b_size" \
		"$(bench_rss "$TMP/rss") $b_inf $b_peer $b_span $b_late" \
		>> "$ROWS"
}

: > "$ROWS"
for sz in $SIZES; do
	bench "${sz%%:*}" "${sz#*:}" "$LAT"
done
last=${SIZES##* }
bench "${last%%:*}" "${last#*:}" 0

# The table (rss columns: agent broker fetcher, as sort put them).
awk -v mif="$MIF" '
function verdict(ok) { return ok ? "PASS" : "FAIL" }
BEGIN {
	printf "%-7s %-5s %8s %8s %6s %-4s %8s %6s %5s %6s %-4s %9s %8s %6s %6s %6s %-4s %8s %6s %-4s %6s %5s\n",
	    "users", "lat", "wall ms", "limit", "ratio", "", "span", "+ends",
	    "infl", "wire/c", "", "records/s", "c1z KiB", "agent", "broker",
	    "fetch", "RSS", "curl+jq", "x", "", "mock", "late"
}
{
	limit = $3 > 0 ? $5 * $3 / mif : 0
	ratio = limit > 0 ? $4 / limit : 0
	wc = $5 > 0 ? $6 / $5 : 0
	rss = ($9 > $10 ? $9 : $10); rss = (rss > $11 ? rss : $11)
	peer = $13 > 0 ? $13 / $4 : 0
	printf "%-7d %-5s %8d %8s %6s %-4s %8d %6d %5.1f %6.3f %-4s %9d %8d %6.1f %6.1f %6.1f %-4s %8s %6s %-4s %6s %5d\n",
	    $1, $3 "ms", $4, (limit > 0 ? sprintf("%d", limit) : "-"),
	    (limit > 0 ? sprintf("%.2f", ratio) : "-"),
	    (limit > 0 ? verdict(ratio <= 1.2) : ""), $14, $4 - $14,
	    $12, wc, verdict(wc <= 1.05), $7 * 1000 / ($4 + 1), $8,
	    $9 / 1024, $10 / 1024, $11 / 1024, verdict(rss <= 65536),
	    ($13 > 0 ? $13 : "-"), ($13 > 0 ? sprintf("%.1f", peer) : "-"),
	    ($13 > 0 && $3 > 0 ? verdict(peer >= 5) : ""),
	    ($3 == 0 ? sprintf("%.2f", $14 / ($5 + 0.001)) : "-"), $15
}' "$ROWS"
echo "targets: wall <= 1.2 x (API calls x latency / $MIF in flight)," \
	"wire/calls <= 1.05, peak RSS of each process <= 64 MiB"
echo "infl: answers in flight at the mock, on average, as each arrived;" \
	"curl+jq: the same inventory scripted (tests/bench/atlas_curl_jq.sh)," \
	"x: how many times faster portcullis is (target >= 5 at $LAT ms);" \
	"mock: ms per request at 0 ms (an upper bound);" \
	"late: answers the mock sent after their latency (its work took longer);" \
	"$(uptime | sed 's/.*load/load/')"
while read -r u p l ms calls wire recs size ra rb rf inf peer span late; do
	if [ "$peer" -gt 0 ] && [ "$l" != 0 ]; then
		bench_target "$u users at $l ms: >= 5x faster than curl+jq" \
			test "$peer" -ge $((5 * ms))
	fi
	if [ "$l" != 0 ]; then
		bench_target "$u users at $l ms: within 1.2x of the transport limit" \
			awk "BEGIN { exit !($ms <= 1.2 * $calls * $l / $MIF) }"
	fi
	bench_target "$u users at $l ms: wire/calls <= 1.05" \
		awk "BEGIN { exit !($wire <= 1.05 * $calls) }"
	for r in $ra $rb $rf; do
		bench_target "$u users at $l ms: peak RSS $r KiB <= 64 MiB" test "$r" -le 65536
	done
done < "$ROWS"
t_done
