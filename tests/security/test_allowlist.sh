#!/bin/sh
# IP allowlist: a listener on 127.0.0.2 that is not allowlisted receives
# zero connections whether the app names it by IP or by a host name that
# resolves to it; 0.0.0.0, [::] and [::ffff:127.0.0.1] are refused unless
# explicitly allowed; http:// and a redirect to a denied host are refused.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock ok 127.0.0.1
t_mock denied 127.0.0.2
printf 'GET $base /hello\nGET $base /redirect\n' > "$TMP/egress.rules"
echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
echo "default public" > "$TMP/public.cidr"

run() {		# name, base-url, allow file, [extra config lines]
	n=$1 url=$2 allow=$3
	shift 3
	t_conf "$TMP/c.conf" demo "$url" "allow-file = $allow" \
		"egress-file = $TMP/egress.rules" "$@"
	"$PORTCULLIS" --config "$TMP/c.conf" --app demo >"$TMP/$n.out" \
		2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

run byip "https://127.0.0.2:$PORT_denied" "$TMP/lo.cidr"
t_eq "127.0.0.2 by IP: run fails" "$(cat "$TMP/byip.rc")" 1
t_grep "127.0.0.2 by IP: refused by the allowlist" \
	'127.0.0.2 is not in the IP allowlist' "$TMP/byip.err"
run byname "https://denied.test:$PORT_denied" "$TMP/lo.cidr" \
	"resolve = denied.test:$PORT_denied:127.0.0.2"
t_grep "127.0.0.2 by name: refused by the allowlist" \
	'127.0.0.2 is not in the IP allowlist' "$TMP/byname.err"
t_eq "127.0.0.2 listener saw zero connections" "$(t_count denied)" 0

run any4 "https://0.0.0.0:$PORT_ok" "$TMP/public.cidr"
t_grep "0.0.0.0 refused" '0.0.0.0 is not in the IP allowlist' "$TMP/any4.err"
run any6 "https://[::]:$PORT_ok" "$TMP/public.cidr"
t_grep "[::] refused" ':: is not in the IP allowlist' "$TMP/any6.err"
run mapped "https://[::ffff:127.0.0.1]:$PORT_ok" "$TMP/public.cidr"
t_grep "[::ffff:127.0.0.1] refused" \
	'::ffff:127.0.0.1 is not in the IP allowlist' "$TMP/mapped.err"
run lo "https://127.0.0.1:$PORT_ok" "$TMP/public.cidr"
t_grep "loopback refused under default public" \
	'127.0.0.1 is not in the IP allowlist' "$TMP/lo.err"
t_eq "local listener saw zero connections" "$(t_count ok)" 0

echo "allow 0.0.0.0/32" > "$TMP/any.cidr"
run any4ok "https://0.0.0.0:$PORT_ok" "$TMP/any.cidr"
t_nogrep "0.0.0.0 explicitly allowed is not refused" \
	'not in the IP allowlist' "$TMP/any4ok.err"
t_eq "explicitly allowed 0.0.0.0 reached the listener" "$(t_count ok)" 1

run plain "http://127.0.0.1:$PORT_ok" "$TMP/lo.cidr"
t_eq "http:// is a configuration error" "$(cat "$TMP/plain.rc")" 2
t_grep "http:// refused" 'only https:// is allowed' "$TMP/plain.err"

# A redirect to the denied listener is never followed.
kill $T_PIDS 2>/dev/null
wait 2>/dev/null
T_PIDS=
rm -f "$TMP"/*.port
t_mock denied 127.0.0.2
t_mock ok 127.0.0.1 --redirect "https://127.0.0.2:$PORT_denied/hello"
run redir "https://127.0.0.1:$PORT_ok" "$TMP/lo.cidr" "path = /redirect"
t_grep "redirect refused" 'redirect to "127.0.0.2" refused' "$TMP/redir.err"
t_eq "redirect target saw zero connections" "$(t_count denied)" 0
t_done
