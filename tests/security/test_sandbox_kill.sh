#!/bin/sh
# Sandbox: a fetcher that tries open("/etc/passwd"), socket(), execve,
# ptrace, mprotect(PROT_EXEC) or an executable mmap is killed by SIGSYS,
# and the agent exits non-zero naming it.
. "$(dirname "$0")/../lib/common.sh"
t_ca
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\n' > "$TMP/egress.rules"
for a in open socket execve ptrace mprotect mmapexec; do
	t_conf "$TMP/c.conf" sbxtest "https://127.0.0.1:9" \
		"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
		"action = $a"
	"$PORTCULLIS" --config "$TMP/c.conf" --app sbxtest >"$TMP/out" 2>"$TMP/err"
	t_eq "$a: exit status names a kill" "$?" 3
	t_grep "$a: killed by SIGSYS" \
		'fetcher sbxtest killed by SIGSYS \(seccomp violation\)' "$TMP/err"
done
# Control: the same fetcher doing nothing wrong is not killed.
t_mock m 127.0.0.1
t_conf "$TMP/c.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"action = hello"
"$PORTCULLIS" --config "$TMP/c.conf" --app sbxtest >"$TMP/out" 2>"$TMP/err"
t_eq "well-behaved fetcher exits 0" "$?" 0
t_grep "well-behaved fetcher got its answer" 'HTTP 200' "$TMP/out"
t_done
