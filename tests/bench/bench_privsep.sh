#!/bin/sh
# make bench (privsep rows): what the broker, the fetcher and the agent
# cost over a plain libcurl client doing the same requests. One Atlas sync
# of a generated org (BENCH_PRIVSEP_SIZE, users:projects, default
# 10000:200) through portcullis, with the mock logging every request;
# then tests/bench/direct_curl replays that log in one process (libcurl
# multi, same max-in-flight, Digest, CA and Accept; each request waits for
# the answers that were sent before it arrived in the sync, so the
# dependency chain is kept). At 0 ms and at 20 ms (BENCH_LATENCY_MS) per
# answer.
#   span       first request arriving to last answer sent, at the mock
#              (process start and the final .c1z write are outside it)
#   overhead   portcullis span / direct span - 1 (target <= 5 % at 20 ms,
#              <= 25 % at 0 ms)
#   wall       each client's own wall time, process start to exit
#   mock ms/r  the mock's cost per request: the direct span at 0 ms over
#              the requests (the Python mock is the bottleneck there)
#   infl       answers in flight at the mock on average over the span
#              (between a request's answer being made and sent; below
#              max-in-flight by the time each slot spends between two
#              requests: the client's turnaround and the mock's own work)
#   cpu ms     user + system time of each client (portcullis: the agent,
#              the broker and the fetcher together)
# With two CPUs or more the mock runs on CPU 0 and the clients on CPU 1
# (BENCH_PIN=0 to not pin): on a small machine the clients' CPU time
# (portcullis parses every answer and writes the .c1z, the replay does
# neither) would otherwise be taken from the mock and show as latency.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
SIZE=${BENCH_PRIVSEP_SIZE:-"10000:200"}
LAT=${BENCH_LATENCY_MS:-20}
MIF=8
DIRECT=${BENCH_DIRECT:-$BUILD/tests/direct_curl}
PIN=${BENCH_PIN:-1}
[ "$(nproc)" -ge 2 ] || PIN=0
CLIENT=
[ "$PIN" = 1 ] && CLIENT="taskset -c 1"
# pin_mock: the mock just started gets CPU 0 to itself (as far as we can).
pin_mock() {
	[ "$PIN" = 1 ] && taskset -pc 0 "$ATLAS_PID" >/dev/null
}
# cpu FILE: user + system ms from /usr/bin/time -f "%U %S".
cpu() {
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$1"
}
t_ca
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users "${SIZE%%:*}" \
	--projects "${SIZE#*:}" --out "$TMP/fx.json" >/dev/null

# span LOG: ms from the first request to the last answer, at the mock,
# and the answers in flight on average over it.
span() {
	awk '$1 == "S" && !s { s = $3 } $1 == "E" { e = $3 }
	    { if (s) a += n * ($3 - t); t = $3; n += ($1 == "S") ? 1 : -1 }
	    END { printf "%d %.1f\n", e - s, a / (e - s + 0.001) }' "$1"
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
	t_eq "$1 ms: direct replay exits 0 (every answer 200)" "$r_rc" 0
	atlas_stop
	r_n=$(grep -c '^S ' "$TMP/pc.log")
	t_eq "$1 ms: the replay sent the same requests" \
		"$(grep -c '^S ' "$TMP/dc.log")" "$r_n"
	read -r r_ps r_pi <<-EOF
	$(span "$TMP/pc.log")
	EOF
	read -r r_ds r_di <<-EOF
	$(span "$TMP/dc.log")
	EOF
	echo "$1 $r_n $r_ps $r_pc $r_ds $r_dc $(cpu "$TMP/pc.cpu")" \
		"$(cpu "$TMP/dc.cpu") $r_pi $r_di" >> "$TMP/rows"
}

: > "$TMP/rows"
for l in ${BENCH_PRIVSEP_LATS:-0 $LAT}; do
	run "$l"
done
echo "privsep: ${SIZE%%:*} users, max-in-flight $MIF, pinned: $PIN;" \
	"$(uptime | sed 's/.*load/load/')"
awk -v lat="$LAT" '
BEGIN { printf "%-5s %8s %8s %8s %8s %8s %8s %8s %5s %5s %9s %-4s %9s\n",
    "lat", "requests", "pc span", "direct", "pc wall", "dc wall", "pc cpu",
    "dc cpu", "infl", "dinfl", "overhead", "", "mock ms/r" }
{
	ov = $5 > 0 ? ($3 / $5 - 1) * 100 : 0
	lim = $1 == 0 ? 25 : 5
	printf "%-5s %8d %8d %8d %8d %8d %8d %8d %5.1f %5.1f %8.1f%% %-4s %9s\n",
	    $1 "ms", $2, $3, $5, $4, $6, $7, $8, $9, $10, ov,
	    (ov <= lim ? "PASS" : "FAIL"),
	    ($1 == 0 ? sprintf("%.2f", $5 / ($2 + 0.001)) : "-")
}' "$TMP/rows"
echo "targets: overhead <= 25 % at 0 ms, <= 5 % at $LAT ms" \
	"(spans in ms at the mock; walls from process start to exit)"
while read -r l n ps pw ds dw pcpu dcpu pi di; do
	lim=$([ "$l" = 0 ] && echo 125 || echo 105)
	t_check "$l ms: privsep overhead within target" \
		awk "BEGIN { exit !($ps * 100 <= $lim * $ds) }"
done < "$TMP/rows"
t_done
