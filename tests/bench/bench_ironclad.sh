#!/bin/sh
# make bench (Ironclad rows): full syncs of generated companies against
# the loopback mock with 20 ms per answer (BENCH_LATENCY_MS), at 1k and
# 20k users (BENCH_IC_SIZES="users:groups ..."), and the largest at 0 ms.
#   wall / limit  the sync's wall time over the transport limit: API calls
#                 x latency / max-in-flight (SCIM pages after the first go
#                 out together; the token and the first page are serial)
#   req / call    requests at the mock per API call (the token included)
#   peak RSS      of the agent, the broker and the fetcher (<= 64 MiB)
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/ironclad.sh"
LAT=${BENCH_LATENCY_MS:-20}
SIZES=${BENCH_IC_SIZES:-"1000:20 20000:200"}
MIF=8
t_ca

# Largest VmHWM (KiB) of the agent, its broker and its fetcher while pid runs.
ic_peak() {
	while kill -0 "$1" 2>/dev/null; do
		for p in $(t_tree "$1"); do
			h=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null)
			[ -n "$h" ] || continue
			case "$(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ')" in
			*portcullis-fetch-*) echo "fetcher $h" ;;
			*) if [ "$p" = "$1" ]; then echo "agent $h"; else echo "broker $h"; fi ;;
			esac
		done
		sleep 0.05
	done | awk '{ if ($2 > m[$1]) m[$1] = $2 }
	    END { printf "%d %d %d\n", m["agent"], m["broker"], m["fetcher"] }'
}

printf "%-6s %-5s %8s %7s %6s %7s %7s %7s %7s\n" users lat "wall ms" limit \
	ratio req/c "agent" "broker" "fetch"
bench() {
	python3 "$TOP/tests/mock/ironclad/gen_fixture.py" --users "$1" \
		--groups "$2" --out "$TMP/fx.json"
	ic_mock "$TMP/fx.json" --latency-ms "$3"
	sed -i -e "s/^as-user-email = .*/as-user-email = u000000@example.com/" \
		-e 's/^timeout = 30$/timeout = 600/' "$TMP/ic.conf"
	echo "max-in-flight = $MIF" >> "$TMP/ic.conf"
	b_start=$(date +%s%N)
	BATON_IC_CLIENT_SECRET=$IC_SECRET "$PORTCULLIS" --config "$TMP/ic.conf" \
		--app ironclad --file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err" &
	b_pid=$!
	ic_peak "$b_pid" > "$TMP/rss"
	wait "$b_pid"
	b_rc=$?
	b_ms=$((($(date +%s%N) - b_start) / 1000000))
	t_eq "$1 users at $3 ms: sync exits 0" "$b_rc" 0
	b_calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
	b_req=$(icstat 's["api_requests"]')
	t_eq "$1 users at $3 ms: no 429" "$(icstat 's["rate_limited"]')" 0
	ic_stop
	read -r ra rb rf < "$TMP/rss"
	awk -v u="$1" -v l="$3" -v ms="$b_ms" -v c="${b_calls:-0}" -v q="$b_req" \
	    -v m="$MIF" -v a="$ra" -v b="$rb" -v f="$rf" 'BEGIN {
		lim = c * l / m
		printf "%-6d %-5s %8d %7s %6s %7.2f %7.1f %7.1f %7.1f\n", u, l "ms",
		    ms, (lim > 0 ? sprintf("%d", lim) : "-"),
		    (lim > 0 ? sprintf("%.2f", ms / lim) : "-"), q / (c + 0.001),
		    a / 1024, b / 1024, f / 1024 }'
	for r in $ra $rb $rf; do
		t_check "$1 users at $3 ms: peak RSS $r KiB <= 64 MiB" test "$r" -le 65536
	done
}
for sz in $SIZES; do
	bench "${sz%%:*}" "${sz#*:}" "$LAT"
done
last=${SIZES##* }
bench "${last%%:*}" "${last#*:}" 0
echo "peak RSS in MiB; limit: API calls x latency / $MIF in flight"
t_done
