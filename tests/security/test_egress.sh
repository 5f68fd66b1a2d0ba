#!/bin/sh
# Egress: a path outside the app's rules is refused before any connection.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\n' > "$TMP/egress.rules"
for p in /secret /hello/../secret /hello/%2e%2e/x //hello; do
	t_conf "$TMP/c.conf" demo "https://127.0.0.1:$PORT_m" \
		"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
		"path = $p"
	"$PORTCULLIS" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
	t_eq "$p: run fails" "$?" 1
	t_grep "$p: refused by egress rules" 'egress rules refuse GET' "$TMP/err"
done
t_eq "no connection was made" "$(t_count m)" 0
# Control: the rule's own path passes.
t_conf "$TMP/c.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules"
"$PORTCULLIS" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "allowed path succeeds" "$?" 0
# Policy file errors name file:line.
printf 'GET $base /hello\nPATCHX $base /x\n' > "$TMP/bad.rules"
t_conf "$TMP/c.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/bad.rules"
"$PORTCULLIS" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "bad rules file is a usage error" "$?" 2
t_grep "bad rules file names file:line" 'bad.rules:2:' "$TMP/err"
t_done
