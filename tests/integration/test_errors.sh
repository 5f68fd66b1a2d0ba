#!/bin/sh
# Runtime failures are one line, once: the app, the request line, host:port,
# the cause, and a hint naming the file or option to look at (the allowlist
# that admitted the address, ca-file, the allowlist that refused it, the
# egress rules file and its nearest rule, the credential option).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
GOOD="$TMP/good.conf"
cp "$TMP/atlas.conf" "$GOOD"

conf() {	# sed expression on the good config
	sed "$1" "$GOOD" > "$TMP/atlas.conf"
}
# The failure line, once; nothing from libcurl or the broker besides it.
once() {	# name, what the line must say
	t_eq "$1: exit 1" "$(cat "$TMP/$1.rc")" 1
	t_eq "$1: one failure line" "$(grep -c ': failed: ' "$TMP/$1.err")" 1
	t_grep "$1: the line names app, request and what to do" \
		"^portcullis: atlas: failed: .*$2" "$TMP/$1.err"
	t_nogrep "$1: no broker or fetcher lines" '^broker: |fetcher atlas:' \
		"$TMP/$1.err"
	t_nogrep "$1: no query string" 'itemsPerPage' "$TMP/$1.err"
}

# A port nobody listens on: connection refused (retried, said once).
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
conf "s#^base-url = .*#base-url = https://127.0.0.1:$DEAD#"
atlas refused
once refused "GET /api/atlas/v2/orgs: cannot connect to 127.0.0.1:$DEAD \\(address 127.0.0.1, admitted by the IP allowlist $TMP/lo.cidr\\): Connection refused; check base-url"
t_eq "refused: libcurl's reason said once" \
	"$(grep -c -i 'refused\|connect' "$TMP/refused.err")" 1

# A CA that did not sign the server's certificate.
sh "$TOP/tests/lib/testca.sh" "$TMP/otherca" >/dev/null
conf "s#^ca-file = .*#ca-file = $TMP/otherca/ca.pem#"
atlas tls
once tls "TLS verification of 127.0.0.1:$APORT failed: .*certificate.*; set ca-file to .*\\(now: $TMP/otherca/ca.pem\\)"

# An address outside the allowlist: refused before connecting.
echo "allow 10.0.0.0/8" > "$TMP/ten.cidr"
conf "s#^allow-file = .*#allow-file = $TMP/ten.cidr#"
atlas allow
once allow "127.0.0.1:$APORT: address 127.0.0.1 is not in the IP allowlist $TMP/ten.cidr; add it there \\(allow-file\\)"

# A request no egress rule allows: the file and its nearest rule named.
grep -v 'orgs/\*/teams$' "$TOP/policy/egress/atlas.rules" > "$TMP/eg.rules"
NEAR=$(grep -n 'orgs/\*/teams/\*/users$' "$TMP/eg.rules" | cut -d: -f1)
conf "\$a egress-file = $TMP/eg.rules"
atlas egress
once egress "egress rules refuse GET /api/atlas/v2/orgs/$ORG/teams: no rule in $TMP/eg.rules matches; nearest is line $NEAR \"GET [\$]base /api/atlas/v2/orgs/[*]/teams/[*]/users\""

# A key the vendor refuses: which options hold the credential.
cp "$GOOD" "$TMP/atlas.conf"
BATON_PRIVATE_KEY=wrong-key "$PORTCULLIS" --config "$TMP/atlas.conf" \
	--app atlas >"$TMP/unauth.out" 2>"$TMP/unauth.err"
echo $? > "$TMP/unauth.rc"
once unauth "GET /api/atlas/v2/orgs: HTTP 401 .*127.0.0.1:$APORT did not accept the credential: check private-key \\(and public-key\\)"
t_nogrep "unauth: the key is not in the line" 'wrong-key' "$TMP/unauth.err"

# The same run succeeds with the good config (the failures were the edits).
cp "$GOOD" "$TMP/atlas.conf"
atlas good
t_eq "good config: exit 0" "$(cat "$TMP/good.rc")" 0
t_nogrep "good config: no failure line" 'failed' "$TMP/good.err"

# A fetcher that keeps a policy refusal to itself: the broker tells the
# agent, which says it and fails the run (fail closed).
t_mock m 127.0.0.1
printf 'GET $base /hello\n' > "$TMP/sbx.rules"
t_conf "$TMP/sbx.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/lo.cidr" "egress-file = $TMP/sbx.rules" \
	"action = raw" "path = /secret" "how = hide"
"$PORTCULLIS" --config "$TMP/sbx.conf" --app sbxtest >"$TMP/hide.out" \
	2>"$TMP/hide.err"
t_eq "hidden refusal: the run fails all the same" "$?" 1
t_grep "hidden refusal: the fetcher claims success" '^sbxtest: all is well' \
	"$TMP/hide.out"
t_grep "hidden refusal: said by the agent from the broker's report" \
	"^portcullis: sbxtest: the broker refused 1 request; the last: egress rules refuse GET /secret: .*$TMP/sbx.rules.*nearest is line 1" \
	"$TMP/hide.err"
t_eq "hidden refusal: that line once" \
	"$(grep -c 'egress rules refuse' "$TMP/hide.err")" 1
t_done
