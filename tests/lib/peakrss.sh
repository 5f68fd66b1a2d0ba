# peak_rss PID OUT: until PID ends, sample VmHWM (peak RSS, KiB) of it and
# of every descendant by command name; write "name kib" lines, the
# largest per name, to OUT. Needs common.sh (t_tree).
peak_rss() {
	pr_root=$1 pr_out=$2
	: > "$pr_out.raw"
	while kill -0 "$pr_root" 2>/dev/null; do
		for pr_p in $(t_tree "$pr_root"); do
			pr_c=$(cat "/proc/$pr_p/comm" 2>/dev/null) || continue
			pr_h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' \
				"/proc/$pr_p/status" 2>/dev/null)
			[ -n "$pr_h" ] && echo "$pr_c $pr_p $pr_h" >> "$pr_out.raw"
		done
		sleep 0.05
	done
	# The agent and the broker share a name: the root is the agent.
	awk -v root="$pr_root" '{ n = ($2 == root) ? "agent" : \
		($1 == "portcullis" ? "broker" : "fetcher") }
		$3 > m[n] { m[n] = $3 } END { for (k in m) print k, m[k] }' \
		"$pr_out.raw" | sort > "$pr_out"
}
