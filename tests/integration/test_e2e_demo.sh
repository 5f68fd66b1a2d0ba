#!/bin/sh
# End to end: agent -> broker -> loopback HTTPS mock (test CA, 127.0.0.1
# allowlisted here only) -> the demo fetcher gets the body and the agent
# prints it. Also checks auth injection (bearer, basic) by the broker.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\nGET $base /data/*\n' > "$TMP/egress.rules"

t_conf "$TMP/c.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules"
"$PORTCULLIS" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "demo run exits 0" "$?" 0
t_grep "demo prints the body through the agent" \
	'^demo: GET /hello: HTTP 200: \{"hello": "world"' "$TMP/out"
t_eq "mock saw one connection" "$(t_count m)" 1

"$PORTCULLIS" --config "$TMP/c.conf" --app demo --path /data/xyz \
	>"$TMP/out" 2>"$TMP/err"
t_grep "flag overrides nothing set in file (--path)" '"data": "xyz"' "$TMP/out"
BATON_PATH=/data/fromenv "$PORTCULLIS" --config "$TMP/c.conf" --app demo \
	>"$TMP/out" 2>"$TMP/err"
t_grep "BATON_PATH is read" '"data": "fromenv"' "$TMP/out"
BATON_PATH=/data/fromenv "$PORTCULLIS" --config "$TMP/c.conf" --app demo \
	--path /data/fromflag >"$TMP/out" 2>"$TMP/err"
t_grep "flag beats environment" '"data": "fromflag"' "$TMP/out"

# Bearer: the token comes from the environment, reaches the server as a
# Bearer header, and is not in the agent's output.
t_conf "$TMP/b.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules"
sed -i 's/^auth = none/auth = bearer/' "$TMP/b.conf"
BATON_API_TOKEN=tok-e2e-4711 "$PORTCULLIS" --config "$TMP/b.conf" --app demo \
	>"$TMP/out" 2>"$TMP/err"
t_grep "bearer auth injected by the broker" '"auth": "Bearer"' "$TMP/out"
t_nogrep "token not printed" 'tok-e2e-4711' "$TMP/out"
t_nogrep "token not logged" 'tok-e2e-4711' "$TMP/err"
"$PORTCULLIS" --config "$TMP/b.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "missing token fails the run" "$?" 1
t_grep "missing token is named" 'no api-token: set BATON_API_TOKEN' "$TMP/err"
"$PORTCULLIS" --config "$TMP/b.conf" --app demo --api-token x \
	>"$TMP/out" 2>"$TMP/err"
t_eq "secret on argv is a usage error" "$?" 2
t_grep "secret on argv is refused" 'not taken from the command line' "$TMP/err"

# Basic: user from the config, password from a file.
printf 'pw-e2e-0815\n' > "$TMP/pw"
chmod 600 "$TMP/pw"
t_conf "$TMP/p.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"username = alice" "password-file = $TMP/pw"
sed -i 's/^auth = none/auth = basic/' "$TMP/p.conf"
"$PORTCULLIS" --config "$TMP/p.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_grep "basic auth injected by the broker" '"auth": "Basic"' "$TMP/out"
# A secret file others can read is refused, as OpenSSH refuses such a key.
chmod 640 "$TMP/pw"
t_count_before=$(t_count m)
"$PORTCULLIS" --config "$TMP/p.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_check "a group-readable secret file fails the run" test "$?" -ne 0
t_grep "and says what to do" "pw: readable by group or others \(mode 0640\): run chmod 600 " "$TMP/err"
t_eq "nothing was sent with it" "$(t_count m)" "$t_count_before"
chmod 600 "$TMP/pw"

# Config errors carry file:line.
printf '[app demo]\nbase-url = https://x\nbogus = 1\n' > "$TMP/bad.conf"
"$PORTCULLIS" --config "$TMP/bad.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "bad config exits 2" "$?" 2
t_grep "bad config names file:line" "bad.conf:3: unknown option \"bogus\"" "$TMP/err"
t_done
