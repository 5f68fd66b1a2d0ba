#!/bin/sh
# make bench (privsep rows): what the process boundary costs (fetcher ->
# broker -> libcurl -> answer back to the fetcher) over a plain libcurl
# client doing the same requests. One Atlas sync of a generated org
# through
# portcullis, with the mock logging every request (BENCH_PRIVSEP_SIZES,
# default "1000:20 10000:200": each size is a block of rows); then that log is
# replayed twice, gated the same way (tests/bench/replay_plan.c: a
# request starts once the ids in its path were seen in an answer):
#   direct   tests/bench/direct_curl, one process (libcurl multi, same
#            max-in-flight, Digest, CA and Accept), no broker
#   broker   the test app "replay" (tests/bench/replay_fetch.c, never
#            installed): the same requests from a sandboxed fetcher
#            through the broker, Atlas's egress rules, allowlist and
#            Digest credential in force; no JSON parsed, no records,
#            no .c1z. The privsep overhead row: its span over direct's
#   sync     the full sync the log came from: informational, it adds
#            the Atlas fetcher's parsing and the agent's records and
#            .c1z write to the same transport
# At 0 ms and at 20 ms (BENCH_LATENCY_MS) per answer.
#   span       first request arriving to last answer sent, at the mock
#              (process start, the replay's list download and the final
#              .c1z write are outside it)
#   vs direct  span / direct span - 1; the broker row has the target
#              (<= 5 % at 20 ms, <= 25 % at 0 ms)
#   wall       each client's own wall time, process start to exit
#   mock ms/r  the mock's cost per request: the direct span at 0 ms over
#              the requests (the Python mock is the bottleneck there)
#   infl       answers in flight at the mock on average over the span
#              (between a request's answer being made and sent)
#   cpu ms     user + system time of each client (portcullis: the agent,
#              the broker and the fetcher together)
# With two CPUs or more the mock runs on CPU 0 and the clients on CPU 1
# (BENCH_PIN=0 to not pin): on a small machine the clients' CPU time
# would otherwise be taken from the mock and show as latency.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
. "$TOP/tests/lib/atlas.sh"
SIZES=${BENCH_PRIVSEP_SIZES:-${BENCH_PRIVSEP_SIZE:-"1000:20 10000:200"}}
LAT=${BENCH_LATENCY_MS:-20}
MIF=8
DIRECT=${BENCH_DIRECT:-$BUILD/tests/direct_curl}
REPLAY_DIR=${BENCH_REPLAY_DIR:-$BUILD/tests/libexec}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] || PIN=0
CLIENT=
[ "$PIN" = 1 ] && CLIENT="taskset -c 1"
# pin_mock: the mock just started gets CPU 0 to itself (as far as we can).
pin_mock() {
	[ "$PIN" = 1 ] && taskset -pc 0 "$ATLAS_PID" >/dev/null
}
# cpu FILE: user + system ms from /usr/bin/time -f "%U %S" (its last
# line: a failed command's status line comes first).
cpu() {
	awk 'END { printf "%d\n", ($1 + $2) * 1000 }' "$1"
}
t_ca

# span LOG: ms from the first request to the last answer, at the mock,
# and the answers in flight on average over it.
span() {
	awk '$1 == "S" && !s { s = $3 } $1 == "E" { e = $3 }
	    { if (s) a += n * ($3 - t); t = $3; n += ($1 == "S") ? 1 : -1 }
	    END { printf "%d %.1f\n", e - s, a / (e - s + 0.001) }' "$1"
}

# statuses LOG: how many answers had each status ("200:1234 404:1").
statuses() {
	awk '$1 == "E" { n[$4]++ } END { for (s in n) print s ":" n[s] }' \
		"$1" | sort | tr '\n' ' '
}

# run LATENCY: one row "lat requests pc_span pc_wall dc_span dc_wall".
run() {
	atlas_mock "$TMP/fx.json" --latency-ms "$1" --request-log "$TMP/pc.log"
	pin_mock
	sed -i 's/^timeout = 30$/timeout = 600/' "$TMP/atlas.conf"
	echo "max-in-flight = $MIF" >> "$TMP/atlas.conf"
	rm -f "$TMP/big.c1z"
	r_start=$(date +%s%N)
	BATON_PRIVATE_KEY=priv-5e3c-4b2a $CLIENT /usr/bin/time -f "%U %S" \
		-o "$TMP/pc.cpu" "$PORTCULLIS" --config "$TMP/atlas.conf" \
		--app atlas --file "$TMP/big.c1z" >"$TMP/out" 2>"$TMP/err"
	r_rc=$?
	r_pc=$((($(date +%s%N) - r_start) / 1000000))
	t_eq "$1 ms: portcullis sync exits 0" "$r_rc" 0
	atlas_stop
	atlas_mock "$TMP/fx.json" --latency-ms "$1" --request-log "$TMP/dc.log"
	pin_mock
	r_start=$(date +%s%N)
	DC_USERPWD=pubkey01:priv-5e3c-4b2a $CLIENT /usr/bin/time -f "%U %S" \
		-o "$TMP/dc.cpu" "$DIRECT" "https://127.0.0.1:$APORT" \
		"$CA/ca.pem" "$TMP/pc.log" "$MIF" > "$TMP/dc.out" 2>&1
	r_rc=$?
	r_dc=$((($(date +%s%N) - r_start) / 1000000))
	t_eq "$1 ms: direct replay exits 0" "$r_rc" 0
	atlas_stop
	run_broker "$1"
	r_n=$(grep -c '^S ' "$TMP/pc.log")
	t_eq "$1 ms: the replay sent the same requests" \
		"$(grep -c '^S ' "$TMP/dc.log")" "$r_n"
	t_eq "$1 ms: the replay through the broker sent the same requests" \
		"$(grep -c '^S ' "$TMP/rp.log")" "$r_n"
	r_s=$(statuses "$TMP/pc.log")
	t_eq "$1 ms: direct got the sync's statuses" "$(statuses "$TMP/dc.log")" \
		"$r_s"
	t_eq "$1 ms: the broker replay got the sync's statuses" \
		"$(statuses "$TMP/rp.log")" "$r_s"
	read -r r_ps r_pi <<-EOF
	$(span "$TMP/pc.log")
	EOF
	read -r r_ds r_di <<-EOF
	$(span "$TMP/dc.log")
	EOF
	read -r r_rs r_ri <<-EOF
	$(span "$TMP/rp.log")
	EOF
	echo "$1 $r_n $r_ps $r_pc $r_ds $r_dc $(cpu "$TMP/pc.cpu")" \
		"$(cpu "$TMP/dc.cpu") $r_pi $r_di $r_rs $r_rp" \
		"$(cpu "$TMP/rp.cpu") $r_ri $U" >> "$TMP/rows"
}

# run_broker LATENCY: the sync's requests again, by the replay fetcher
# through the broker; the mock hands it the list (--replay-list).
run_broker() {
	atlas_mock "$TMP/fx.json" --latency-ms "$1" --request-log "$TMP/rp.log" \
		--replay-list "$TMP/pc.log"
	pin_mock
	cat > "$TMP/rp.conf" <<-CONF
	policy-dir = $TOP/policy
	libexec = $REPLAY_DIR
	[app replay]
	base-url = https://127.0.0.1:$APORT
	ca-file = $CA/ca.pem
	allow-file = $TMP/lo.cidr
	egress-file = $TOP/policy/egress/atlas.rules
	public-key = pubkey01
	connect-timeout = 5
	timeout = 600
	max-in-flight = $MIF
	CONF
	r_start=$(date +%s%N)
	BATON_PRIVATE_KEY=priv-5e3c-4b2a $CLIENT /usr/bin/time -f "%U %S" \
		-o "$TMP/rp.cpu" "$PORTCULLIS" --config "$TMP/rp.conf" \
		--app replay >"$TMP/rp.out" 2>"$TMP/rp.err"
	r_rc=$?
	r_rp=$((($(date +%s%N) - r_start) / 1000000))
	t_eq "$1 ms: replay through the broker exits 0" "$r_rc" 0
	[ "$r_rc" = 0 ] || tail -3 "$TMP/rp.err"
	atlas_stop
}

: > "$TMP/rows"
for SIZE in $SIZES; do
	U=${SIZE%%:*}
	python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users "$U" \
		--projects "${SIZE#*:}" --out "$TMP/fx.json" >/dev/null
	for l in ${BENCH_PRIVSEP_LATS:-0 $LAT}; do
		run "$l"
	done
done
# The target rows are the largest size's: at 1k users a span is ~20
# answers deep and one answer's jitter is 5 %; the smaller sizes are
# shown for what the ideal client reaches there.
BIG=${SIZES##* }; BIG=${BIG%%:*}
echo "privsep: max-in-flight $MIF, pinned: $PIN;" \
	"$(uptime | sed 's/.*load/load/')"
awk -v lat="$LAT" -v big="$BIG" '
function row(lat, what, n, span, wall, cpu, infl, d, tgt,   ov) {
	ov = d > 0 ? (span / d - 1) * 100 : 0
	printf "%-6d %-5s %-26s %8d %8d %8d %8d %5.1f ", users, lat, what, n,
	    span, wall, cpu, infl
	if (tgt == "")
		printf "%9s\n", "-"
	else if (tgt == "info")
		printf "%8.1f%%\n", ov
	else
		printf "%8.1f%% %s\n", ov, ((span > 0 && ov <= tgt) ? "PASS" : "FAIL")
}
BEGIN { printf "%-6s %-5s %-26s %8s %8s %8s %8s %5s %9s\n", "users", "lat", "client",
    "requests", "span", "wall", "cpu ms", "infl", "vs direct" }
{
	l = $1 "ms"; users = $15
	row(l, "direct (libcurl, 1 proc)", $2, $5, $6, $8, $10, 0, "")
	row(l, "broker (replay fetcher)", $2, $11, $12, $13, $14, $5,
	    users != big ? "info" : $1 == 0 ? 25 : 5)
	row(l, "sync (+parse, +.c1z)", $2, $3, $4, $7, $9, $5, "info")
	if ($1 == 0)
		printf "%-6d %-5s mock ms/request %.2f\n", users, l, $5 / ($2 + 0.001)
}' "$TMP/rows"
echo "targets (broker rows of $BIG users): <= 25 % over direct at 0 ms, <= 5 % at $LAT ms" \
	"(spans in ms at the mock; walls from process start to exit)"
while read -r l n ps pw ds dw pcpu dcpu pi di rs rw rcpu ri u; do
	[ "$u" = "$BIG" ] || continue
	lim=$([ "$l" = 0 ] && echo 125 || echo 105)
	bench_target "$u users, $l ms: privsep overhead (broker replay) within target" \
		awk "BEGIN { exit !($rs > 0 && $rs * 100 <= $lim * $ds) }"
done < "$TMP/rows"
t_done
