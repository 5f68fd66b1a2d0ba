#!/bin/sh
# The filter each fetcher loads equals the exported one checked in under
# policy/seccomp/ (regenerate with `make policy` and review the diff).
. "$(dirname "$0")/../lib/common.sh"
if [ "${SAN:-0}" = 1 ]; then
	t_skip "exported filters" "sanitizer builds add runtime rows"
	t_done; exit 0
fi
n=0
for f in "$BUILD"/bin/portcullis-fetch-*; do
	b=$(basename "$f")
	case "$b" in *sbxtest) continue ;; esac
	n=$((n + 1))
	if [ ! -f "$TOP/policy/seccomp/$b.pfc" ]; then
		t_fail "$b" "policy/seccomp/$b.pfc missing (run make policy)"
		continue
	fi
	"$f" --export-seccomp > "$TMP/$b.pfc"
	if cmp -s "$TMP/$b.pfc" "$TOP/policy/seccomp/$b.pfc"; then
		t_ok "$b"
	else
		t_fail "$b" "live filter differs from policy/seccomp/$b.pfc"
		diff "$TOP/policy/seccomp/$b.pfc" "$TMP/$b.pfc" | head -10
	fi
	t_grep "$b: default action kills the process" 'action KILL_PROCESS;' \
		"$TMP/$b.pfc"
	t_nogrep "$b: no rule for openat" 'syscall "openat"' "$TMP/$b.pfc"
	t_nogrep "$b: no rule for execve" 'syscall "execve"' "$TMP/$b.pfc"
done
t_check "at least one fetcher exported" test "$n" -gt 0
t_done
