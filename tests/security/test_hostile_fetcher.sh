#!/bin/sh
# The hostile world, part 1: a compromised fetcher (portcullis-fetch-
# sbxtest driven by options) tries what the attack review did. Every
# header and request-line injection form is refused by the broker and
# nothing extra reaches the server (its raw request log shows only the
# controls); signals anywhere but at itself are killed by the filter;
# half frames, floods, over-size and wrong-direction frames end that
# fetcher only, the other app of the run is still served; garbage
# records end the sync with the previous .c1z untouched; a fetcher that
# stalls is killed and named.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1 --raw-log "$TMP/raw.log"
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\nPOST $base /data/*\nGET $other /data/* other\n' \
	> "$TMP/egress.rules"
hex() { printf "$1" | od -An -tx1 | tr -d ' \n'; }
CRLF=$(hex '\r\n')

# conf FILE [lines for sbxtest]: sbxtest and demo in one run.
conf() {
	f=$1
	shift
	t_conf "$f" sbxtest "https://127.0.0.1:$PORT_m" \
		"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
		"other-base-url = https://127.0.0.1:$PORT_m" "$@"
	cat >> "$f" <<CONF
[app demo]
base-url = https://127.0.0.1:$PORT_m
ca-file = $CA/ca.pem
auth = none
allow-file = $TMP/allow.cidr
egress-file = $TMP/egress.rules
CONF
}
run() {		# name, sbxtest option lines...
	n=$1
	shift
	conf "$TMP/$n.conf" "$@"
	BATON_OTHER_TOKEN=tok2 timeout 60 "$PORTCULLIS" --config "$TMP/$n.conf" \
		--provisioning --app sbxtest --app demo >"$TMP/$n.out" 2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}
served() {	# name: the other app of the run got its answer
	t_grep "$1: the other app is still served" '^demo: GET /hello: HTTP 200' \
		"$TMP/$1.out"
}

# --- item 1: every field that becomes part of a request ------------------
inject() {	# name, expected refusal, option lines...
	n=$1 want=$2
	shift 2
	run "$n" "action = raw" "$@"
	t_eq "$n: the run fails" "$(cat "$TMP/$n.rc")" 1
	t_grep "$n: refused, saying why" "$want" "$TMP/$n.err"
}
inject acc-crlf "Accept is not a list of media types" \
	"accept = hex:$(hex 'application/json\r\nX-Injected: 1')"
inject acc-lf "Accept is not a list of media types" \
	"accept = hex:$(hex 'application/json\nX-Injected: 1')"
inject acc-cr "Accept is not a list of media types" \
	"accept = hex:$(hex 'application/json\rX-Injected: 1')"
inject acc-c1 "Accept is not a list of media types" \
	"accept = hex:$(hex 'application/json\302\233')"
inject acc-del "Accept is not a list of media types" \
	"accept = hex:$(hex 'application/json\177')"
inject ct-crlf "Content-Type is not a media type" "method = POST" \
	"path = /data/x" "body = {}" \
	"ctype = hex:$(hex 'application/json\r\nX-Injected: 1')"
inject ct-list "Content-Type is not a media type" "method = POST" \
	"path = /data/x" "body = {}" "ctype = application/json, text/plain"
inject body-no-ct "a body needs a Content-Type" "method = POST" \
	"path = /data/x" "body = {}"
inject path-smuggle "path: byte 0x20 at offset 6" \
	"path = hex:$(hex '/hello HTTP/1.1\r\nHost: x\r\n\r\nDELETE /admin/all')"
inject path-crlf "path: byte 0x0d at offset 6" \
	"path = hex:$(hex '/hello\r\nX-Injected: 1')"
inject path-lf "path: byte 0x0a at offset 6" "path = hex:$(hex '/hello\nX: 1')"
inject path-tab "path: byte 0x09 at offset 6" "path = hex:$(hex '/hello\tx')"
inject path-utf8 "path: byte 0xc3 at offset 6" "path = hex:$(hex '/hello\303\251')"
inject path-frag "path: byte 0x23 at offset 6" "path = /hello#x"
inject path-rel "path: byte 0x68 at offset 0" "path = hello"
inject path-pct "path: byte 0x25 at offset 6" "path = /hello%zz"
inject method-line 'method "[?]" is not allowed' \
	"method = hex:$(hex 'GET\r\nX:')"
inject method-lower 'method "get" is not allowed' "method = get"
inject method-trace 'method "TRACE" is not allowed' "method = TRACE"
inject target-crlf "target and slot must be text" "method = POST" \
	"path = /data/x" "body = {}" "ctype = application/json" \
	"target = hex:$(hex 'bob\r\nresult=refused')"
inject op-case "credential and operation names are" "operation = Grant"
inject cred-case "credential and operation names are" "cred = OTHER"
inject cred-path "credential and operation names are" "cred = ../api"
inject mark-path "a secret placeholder is allowed only in the request body" \
	"path = /hello/{{secret:pw}}"
inject mark-accept "a secret placeholder is allowed only in the request body" \
	"accept = text/{{secret:pw}}"
inject cred-unknown 'credential "nosuch" is not configured for sbxtest' "cred = nosuch"
inject cred-confused "egress rules refuse GET /hello" "cred = other"
# Controls: a media range list and quoted parameters are fine.
run ctl-accept "action = raw" \
	"accept = application/json, text/plain;q=0.5; x=\"a b\""
t_eq "control: a list of media ranges passes" "$(cat "$TMP/ctl-accept.rc")" 0
t_grep "control: it was answered" '^sbxtest: HTTP 200' "$TMP/ctl-accept.out"
run ctl-other "action = raw" "cred = other" "path = /data/y"
t_eq "control: the second credential on its own rule" \
	"$(cat "$TMP/ctl-other.rc")" 0
# What the server saw: the controls and the demo app's GETs, nothing else.
t_eq "the server parsed no request it was not meant to" \
	"$(grep -c -v -E '^\{"method": "GET", "path": "/(hello|data/y)"' "$TMP/raw.log")" 0
t_nogrep "no injected header reached the server" 'x-injected|"host": "x"' \
	"$TMP/raw.log"
t_nogrep "no smuggled request reached the server" 'DELETE|admin|"bad"' \
	"$TMP/raw.log"
t_eq "every run's demo GET and the two controls, no more" \
	"$(grep -c . "$TMP/raw.log")" \
	"$(($(ls "$TMP"/*.conf | wc -l) + 2))"

# --- item 2: signals only at itself ------------------------------------------
for how in kill-parent kill-all kill-self tkill tgkill-other tgkill-sigkill; do
	run "sig-$how" "action = signal" "how = $how"
	t_eq "signal $how: the fetcher is killed" "$(cat "$TMP/sig-$how.rc")" 3
	t_grep "signal $how: by the filter" \
		'fetcher sbxtest killed by SIGSYS \(seccomp violation\)' \
		"$TMP/sig-$how.err"
	served "sig-$how"
done
run sig-abort "action = signal" "how = abort"
t_eq "abort() still ends the fetcher (control)" "$(cat "$TMP/sig-abort.rc")" 3
if [ "$SAN" = 1 ]; then
	# The sanitizer's runtime catches abort and opens files to report it,
	# which the filter kills: the control holds for release builds only.
	t_skip "abort() is not a seccomp kill (control)" "sanitizer build"
	t_skip "abort() is reported as a crash (control)" "sanitizer build"
else
	t_nogrep "abort() is not a seccomp kill (control)" 'SIGSYS' "$TMP/sig-abort.err"
	t_grep "abort() is reported as a crash (control)" \
		'fetcher sbxtest killed by SIG(ABRT|SEGV)' "$TMP/sig-abort.err"
fi

# --- item 4: frames and floods end one fetcher, never the run's others -----
start=$(date +%s)
conf "$TMP/half.conf" "action = halfframe"
sed -i '1i msg-timeout = 2' "$TMP/half.conf"
BATON_OTHER_TOKEN=tok2 timeout 60 "$PORTCULLIS" --config "$TMP/half.conf" \
	--app sbxtest --app demo >"$TMP/half.out" 2>"$TMP/half.err"
t_eq "half a frame: the run fails" "$?" 1
t_grep "half a frame: named, with its deadline" \
	'fetcher sbxtest: half a message for [0-9]+s \(msg-timeout\)' "$TMP/half.err"
served half
t_check "half a frame: ended within its deadline" test $(($(date +%s) - start)) -lt 30
conf "$TMP/flood.conf" "action = flood" "count = 20000"
sed -i '1i msg-timeout = 2' "$TMP/flood.conf"
start=$(date +%s)
BATON_OTHER_TOKEN=tok2 timeout 90 "$PORTCULLIS" --config "$TMP/flood.conf" \
	--app sbxtest --app demo >"$TMP/flood.out" 2>"$TMP/flood.err"
t_eq "a flood that reads nothing: the run fails" "$?" 1
t_grep "a flood: named" 'fetcher sbxtest: answers not read for [0-9]+s' \
	"$TMP/flood.err"
served flood
t_check "a flood: ended in bounded time" test $(($(date +%s) - start)) -lt 60
run big "action = bigframe"
t_eq "an over-size frame: the run fails" "$(cat "$TMP/big.rc")" 1
t_grep "an over-size frame: named" 'frame over [0-9]+ bytes' "$TMP/big.err"
served big
run dir "action = wrongdir"
t_grep "a broker's message from a fetcher: named" \
	'AUDIT not allowed from fetcher to broker' "$TMP/dir.err"
served dir
run bad "action = badframe"
t_grep "a frame whose length lies: named" 'frame length 9999 != 16' \
	"$TMP/bad.err"
served bad

# --- garbage records: the sync fails, the previous file stays -------------
printf 'previous file\n' > "$TMP/keep.c1z"
old=$(sha256sum < "$TMP/keep.c1z")
for how in kind noslug mismatch profile emails; do
	t_conf "$TMP/r.conf" sbxsync "https://127.0.0.1:$PORT_m" \
		"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
		"action = records" "how = $how"
	"$PORTCULLIS" --config "$TMP/r.conf" --app sbxsync \
		--file "$TMP/keep.c1z" >"$TMP/r.out" 2>"$TMP/r.err"
	t_eq "record $how: the sync fails" "$?" 1
	t_grep "record $how: the agent names the record" 'RECORD 1: ' "$TMP/r.err"
	t_eq "record $how: the previous file is untouched" \
		"$(sha256sum < "$TMP/keep.c1z")" "$old"
	t_eq "record $how: no temporary left" \
		"$(ls -a "$TMP" | grep -c '^\.keep\.c1z\.')" 0
done

# --- a fetcher that never finishes is killed and named -------------------
t_conf "$TMP/st.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"action = hold"
sed -i '1i stall-timeout = 10\nretry-after-max = 5' "$TMP/st.conf"
start=$(date +%s)
timeout 60 "$PORTCULLIS" --config "$TMP/st.conf" --app sbxtest \
	>"$TMP/st.out" 2>"$TMP/st.err"
t_eq "a stalled fetcher: the run fails" "$?" 1
t_grep "a stalled fetcher: named, with its deadline" \
	'fetcher sbxtest: no progress for [0-9]+s \(stall-timeout\)' "$TMP/st.err"
t_check "a stalled fetcher: killed near its deadline" \
	test $(($(date +%s) - start)) -lt 30
t_done
