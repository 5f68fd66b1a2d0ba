#!/bin/sh
# Generated secrets: the broker fills a {{secret:NAME}} slot, the server
# gets a fresh password of the app's charset policy, the operator gets it
# sealed (JWE, opened by `portcullis vault open` and by `jose jwe dec`),
# and it never reaches the fetcher (not in its answer, not in its memory),
# the logs, the audit log, or any child's argv or environment. Slot misuse
# is refused before anything is sent.
. "$(dirname "$0")/../lib/common.sh"
t_ca
touch "$TMP/posts"
t_mock m 127.0.0.1 --post-log "$TMP/posts"
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'POST $base /echo\nPOST $base /fail\nPOST $base /echo/*\n' \
	> "$TMP/egress.rules"
mkdir -p "$TMP/spool"
if [ "$(id -u)" = 0 ]; then
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
fi
chmod 0700 "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" > "$TMP/keygen.out"
t_check "keygen: private key is 0600" test "$(stat -c %a "$TMP/op.jwk")" = 600
t_grep "keygen: prints the kid" '^kid: [A-Za-z0-9_-]{43}$' "$TMP/keygen.out"
t_eq "keygen: kid is the RFC 7638 thumbprint (jose)" \
	"$(sed -n 's/^kid: //p' "$TMP/keygen.out")" \
	"$(jose jwk thp -i "$TMP/op.pub.jwk")"

BODY='{"name":"bob","password":"{{secret:pw}}"}'
conf() {	# file, extra app lines...
	cf_out=$1
	shift
	t_conf "$TMP/app.part" sbxtest "https://127.0.0.1:$PORT_m" \
		"allow-file = $TMP/allow.cidr" \
		"egress-file = $TMP/egress.rules" "provisioning = true" \
		"action = post" "path = /echo" "target = bob" "$@"
	{
		echo "vault = spool:$TMP/spool"
		echo "vault-key = $TMP/op.pub.jwk"
		echo "audit-log = $TMP/audit.log"
		cat "$TMP/app.part"
	} > "$cf_out"
}
run() {		# name, config, flags...
	n=$1 c=$2
	shift 2
	"$PORTCULLIS" --config "$c" --app sbxtest "$@" >"$TMP/$n.out" \
		2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}
posts() { wc -l < "$TMP/posts" | tr -d ' '; }
lastpw() {
	tail -n 1 "$TMP/posts" | python3 -c '
import json, sys
print(json.loads(json.loads(sys.stdin.read())["body"])["password"])' \
	2>/dev/null
}

conf "$TMP/ok.conf" "body = $BODY" "slot = pw:default"
run ok "$TMP/ok.conf"
t_eq "create: exit 0" "$(cat "$TMP/ok.rc")" 0
t_eq "create: the server got one request" "$(posts)" 1
PW=$(lastpw)
t_eq "password is 24 characters" "${#PW}" 24
t_check "password uses the default charset" sh -c \
	"printf '%s' '$PW' | grep -qE '^[A-Za-z0-9._~!#%*+=^@:,;?-]+\$'"
t_check "password has every class" sh -c "printf '%s' '$PW' |
	grep '[a-z]' | grep '[A-Z]' | grep '[0-9]' | grep -q '[^A-Za-z0-9]'"
t_grep "create: says where the secret went" \
	"^sbxtest: secret of \"bob\" sealed to $TMP/spool/sbxtest-bob-[0-9]{8}T[0-9]{6}Z-r[0-9]+-[0-9a-f]{8}\\.jwe\$" \
	"$TMP/ok.out"
F=$(ls "$TMP"/spool/*.jwe)
t_eq "one sealed file, nothing else in the spool" "$(ls -A "$TMP/spool" | wc -l)" 1
t_check "sealed file is 0600" test "$(stat -c %a "$F")" = 600
"$PORTCULLIS" vault open "$F" --key "$TMP/op.jwk" > "$TMP/open.json"
t_check "vault open: the record" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["secret"] == sys.argv[2], "secret"
assert r["app"] == "sbxtest" and r["login"] == "bob", "who"
assert r["created_at"].endswith("Z") and r["request_id"].startswith("r")
assert r["url"].endswith("/echo")
' "$TMP/open.json" "$PW"
jose jwe dec -i "$F" -k "$TMP/op.jwk" > "$TMP/jose.json" 2>&1
t_check "jose jwe dec opens our file (interop)" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["secret"] == sys.argv[2]
' "$TMP/jose.json" "$PW"
t_grep "the fetcher's answer is scrubbed" '\[redacted\]' "$TMP/ok.out"
for f in "$TMP/ok.out" "$TMP/ok.err" "$TMP/audit.log" "$F"; do
	t_nogrep "password not in $(basename "$f")" "$PW" "$f"
done
t_grep "audit: the create" 'op=create_account .*target=bob .*status=201' \
	"$TMP/audit.log"
t_grep "audit: the seal" 'op=seal .*target=bob .*result=sealed' \
	"$TMP/audit.log"

# Wrong key: refused, nothing printed.
"$PORTCULLIS" vault keygen --out "$TMP/other" >/dev/null
"$PORTCULLIS" vault open "$F" --key "$TMP/other.jwk" >"$TMP/wrong.out" \
	2>"$TMP/wrong.err"
t_eq "vault open with another key: fails" "$?" 1
t_grep "vault open with another key: says why" 'authentication failed' \
	"$TMP/wrong.err"
t_eq "vault open with another key: prints nothing" "$(wc -c < "$TMP/wrong.out")" 0
# A tampered file is refused.
python3 - "$F" "$TMP/bad.jwe" <<'PY'
import sys
p = open(sys.argv[1]).read().strip().split(".")
c = list(p[3]); c[5] = "A" if c[5] != "A" else "B"; p[3] = "".join(c)
open(sys.argv[2], "w").write(".".join(p))
PY
"$PORTCULLIS" vault open "$TMP/bad.jwe" --key "$TMP/op.jwk" >/dev/null 2>&1
t_eq "tampered file: refused" "$?" 1
# jose's own JWE opens with our tool.
printf '{"x":"from-jose"}' > "$TMP/pt"
jose jwe enc -i '{"protected":{"alg":"ECDH-ES","enc":"A256GCM"}}' \
	-I "$TMP/pt" -k "$TMP/op.pub.jwk" -c -o "$TMP/jose.jwe"
t_eq "jose jwe enc: opened by portcullis vault open" \
	"$("$PORTCULLIS" vault open "$TMP/jose.jwe" --key "$TMP/op.jwk")" \
	'{"x":"from-jose"}'
# A private key as vault-key is refused at start.
sed "s|^vault-key = .*|vault-key = $TMP/op.jwk|" "$TMP/ok.conf" > "$TMP/priv.conf"
run priv "$TMP/priv.conf"
t_eq "private vault-key: usage error" "$(cat "$TMP/priv.rc")" 2
t_grep "private vault-key: says why" 'holds a private key' "$TMP/priv.err"

# Second run: a new password, a second file.
run ok2 "$TMP/ok.conf"
PW2=$(lastpw)
t_check "each account gets a fresh password" test "$PW2" != "$PW"
t_eq "two sealed files" "$(ls "$TMP"/spool/*.jwe | wc -l)" 2

# Length is configurable, never below 16.
conf "$TMP/len.conf" "body = $BODY" "slot = pw:default" "secret-length = 40"
run len "$TMP/len.conf"
PW3=$(lastpw)
t_eq "secret-length = 40" "${#PW3}" 40
conf "$TMP/short.conf" "body = $BODY" "slot = pw:default" "secret-length = 8"
run short "$TMP/short.conf"
t_eq "secret-length = 8: usage error" "$(cat "$TMP/short.rc")" 2

# A failed create: its write-ahead record is marked failed (the account
# never existed), and the answer is still scrubbed.
conf "$TMP/fail.conf" "body = $BODY" "slot = pw:default" "path = /fail"
n0=$(ls "$TMP"/spool/*.jwe | wc -l)
run fail "$TMP/fail.conf"
PW4=$(lastpw)
t_eq "HTTP 400: its record is kept" "$(ls "$TMP"/spool/*.jwe | wc -l)" \
	"$((n0 + 1))"
F4=$(ls -t "$TMP"/spool/*.jwe | head -n 1)
t_eq "HTTP 400: the record says failed" "$("$PORTCULLIS" vault open "$F4" \
	--key "$TMP/op.jwk" | python3 -c 'import json,sys; r=json.load(sys.stdin)
print(r["state"], r["status"])')" "failed 400"
t_nogrep "HTTP 400: password not echoed to the fetcher" "$PW4" "$TMP/fail.err"
t_nogrep "HTTP 400: password not in the output" "$PW4" "$TMP/fail.out"

# Misuse: refused before anything is sent.
before=$(posts)
misuse() {	# name, pattern, app lines...
	n=$1 pat=$2
	shift 2
	conf "$TMP/$n.conf" "$@"
	run "$n" "$TMP/$n.conf"
	t_eq "$n: fails" "$(cat "$TMP/$n.rc")" 1
	t_grep "$n: says why" "$pat" "$TMP/$n.err"
}
misuse noslot 'unknown secret slot "pw": the request names no slot' \
	"body = $BODY"
misuse unknown 'unknown secret slot "other"' \
	'body = {"password":"{{secret:other}}"}' "slot = pw:default"
misuse twice 'secret slot pw is used more than once' \
	'body = {"a":"{{secret:pw}}","b":"{{secret:pw}}"}' "slot = pw:default"
misuse second 'unknown secret slot "zz"' \
	'body = {"a":"{{secret:pw}}","b":"{{secret:zz}}"}' "slot = pw:default"
misuse inpath 'allowed only in the request body' "body = $BODY" \
	"slot = pw:default" "path = /echo/{{secret:pw}}"
misuse inheader 'allowed only in the request body' "body = $BODY" \
	"slot = pw:default" "accept = {{secret:pw}}"
misuse intarget 'allowed only in the request body' "body = $BODY" \
	"slot = pw:default" "target = {{secret:pw}}"
misuse unused 'secret slot pw is not used in the body' \
	'body = {"password":"x"}' "slot = pw:default"
misuse policy 'sbxtest may not generate secrets of policy atlas-scram' \
	"body = $BODY" "slot = pw:atlas-scram"
misuse badpolicy 'unknown charset policy "nope"' "body = $BODY" \
	"slot = pw:nope"
misuse malformed 'malformed secret placeholder' \
	'body = {"password":"{{secret:PW}}"}' "slot = pw:default"
t_eq "misuse: nothing reached the server" "$(posts)" "$before"

# No key, or no usable spool: refused before the account exists.
conf "$TMP/nokey.conf" "body = $BODY" "slot = pw:default"
sed -i '/^vault-key/d' "$TMP/nokey.conf"
run nokey "$TMP/nokey.conf"
t_grep "no vault-key: refused" 'no vault-key is configured' "$TMP/nokey.err"
sed "s|^vault = .*|vault = spool:$TMP/nonexistent|" "$TMP/ok.conf" \
	> "$TMP/nospool.conf"
run nospool "$TMP/nospool.conf"
t_grep "no spool: refused" 'spool .* cannot be opened' "$TMP/nospool.err"
t_eq "no key / no spool: nothing sent" "$(posts)" "$before"

# A spool the broker cannot write: the secret is sealed write-ahead, so
# the create is refused before anything is sent (nothing is ever lost).
before=$(posts)
chmod 0500 "$TMP/spool"
run lost "$TMP/ok.conf"
chmod 0700 "$TMP/spool"
t_eq "unwritable spool: exit 1" "$(cat "$TMP/lost.rc")" 1
t_grep "unwritable spool: refused before anything was sent" \
	'refused before anything was sent: the secret could not be stored first' \
	"$TMP/lost.err"
t_eq "unwritable spool: the server got nothing" "$(posts)" "$before"
t_grep "unwritable spool: the refusal is audited" \
	'op=create_account .*target=bob .*result=the_secret_could_not_be_stored' \
	"$TMP/audit.log"
t_nogrep "unwritable spool: no LOST anywhere" 'LOST' "$TMP/audit.log"

# Dry run: the body with its placeholder, nothing generated or sent.
run dry "$TMP/ok.conf" --dry-run
t_grep "dry run prints the placeholder" '\{\{secret:pw\}\}' "$TMP/dry.out"
t_eq "dry run: nothing sent" "$(posts)" "$before"

# A held fetcher: the value is nowhere in its memory, and no process
# of the run has it in argv or environment.
conf "$TMP/hold.conf" "body = $BODY" "slot = pw:default"
sed -i 's/^action = post$/action = post-hold/' "$TMP/hold.conf"
"$PORTCULLIS" --config "$TMP/hold.conf" --app sbxtest >"$TMP/hold.out" \
	2>"$TMP/hold.err" &
AG=$!
T_PIDS="$T_PIDS $AG"
i=0
while [ $i -lt 100 ] && ! grep -q holding "$TMP/hold.err"; do
	sleep 0.1; i=$((i + 1))
done
FP=$(t_fetcher "$AG" portcullis-fetch-sbxtest)
PW5=$(lastpw)
if [ -n "$FP" ] && grep -q holding "$TMP/hold.err"; then
	kill -STOP "$FP"
	t_eq "password not in the fetcher's memory" \
		"$(python3 "$TOP/tests/lib/memscan.py" "$FP" "$PW5")" absent
	t_eq "the fetcher's memory holds its placeholder (control)" \
		"$(python3 "$TOP/tests/lib/memscan.py" "$FP" '{{secret:pw}}')" \
		present
	leak=0
	for p in $(t_tree "$AG"); do
		if tr '\0' '\n' < /proc/$p/cmdline | grep -qF "$PW5" ||
		    tr '\0' '\n' < /proc/$p/environ | grep -qF "$PW5"; then
			leak=1
		fi
	done
	t_eq "password in no child's argv or environment" "$leak" 0
	kill -KILL "$FP"
else
	t_fail "held fetcher" "it did not reach its hold"
fi
wait "$AG" 2>/dev/null
t_nogrep "held run: password not logged" "$PW5" "$TMP/hold.err"
t_done
