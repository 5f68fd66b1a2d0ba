# What the benchmark scripts share. Source after common.sh.
#
# bench_run RSS WALL CMD [ARG...]: run CMD (its stdio as given) under
# tests/bench/runwatch.py: its wall time in ms into WALL (taken when
# waitpid returns), the peak RSS (KiB) of the agent, the broker and the
# fetcher into RSS; the status is CMD's.
bench_run() {
	br_rss=$1 br_wall=$2
	shift 2
	python3 "$TOP/tests/bench/runwatch.py" --rss "$br_rss" \
		--wall "$br_wall" -- "$@"
}

# bench_rss RSS: "agent broker fetcher" peak KiB, one line.
bench_rss() {
	awk '{ m[$1] = $2 } END { printf "%d %d %d\n", m["agent"],
	    m["broker"], m["fetcher"] }' "$1"
}

# bench_target NAME CMD [ARG...]: a target check (t_check), also written
# to $BENCH_SUMMARY when make bench set it, so the run ends with every
# target of every script in one table.
bench_target() {
	bt_name=$1
	shift
	if "$@"; then bt_v=PASS; else bt_v=FAIL; fi
	[ -n "${BENCH_SUMMARY:-}" ] &&
		printf '%-4s %-16s %s\n' "$bt_v" "$(basename "$0" .sh)" \
			"$bt_name" >> "$BENCH_SUMMARY"
	if [ "$bt_v" = PASS ]; then t_ok "$bt_name"; else
		t_fail "$bt_name" "command failed: $*"; fi
}
