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
