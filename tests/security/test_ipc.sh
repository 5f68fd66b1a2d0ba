#!/bin/sh
# IPC: a fetcher that sends a malformed frame has its run ended with a
# clear error; the broker keeps serving the other fetcher of the run.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\n' > "$TMP/egress.rules"
cat > "$TMP/c.conf" <<CONF
[app demo]
base-url = https://127.0.0.1:$PORT_m
ca-file = $CA/ca.pem
auth = none
allow-file = $TMP/allow.cidr
egress-file = $TMP/egress.rules
[app sbxtest]
base-url = https://127.0.0.1:$PORT_m
ca-file = $CA/ca.pem
auth = none
allow-file = $TMP/allow.cidr
egress-file = $TMP/egress.rules
action = badframe
CONF
"$PORTCULLIS" --config "$TMP/c.conf" --app sbxtest --app demo \
	>"$TMP/out" 2>"$TMP/err"
t_eq "run with a bad fetcher fails" "$?" 1
t_grep "broker names the bad frame" \
	'broker: fetcher sbxtest: frame length 9999 != 16 received; channel closed' \
	"$TMP/err"
t_grep "the other fetcher still got its answer" \
	'^demo: GET /hello: HTTP 200' "$TMP/out"
t_done
