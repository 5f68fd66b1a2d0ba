#!/bin/sh
# vault = vault:URL: a generated secret goes to a KV v2 mount (mock that
# checks X-Vault-Token and keeps versions) through the broker, under the
# pseudo-app "vault"'s IP allowlist and egress rules. It is written
# there first (state pending) and only then is the create sent; the
# answer then marks it created (a second version). When Vault refuses
# or cannot be reached, the create is refused before anything is sent.
. "$(dirname "$0")/../lib/common.sh"
t_ca
touch "$TMP/posts"
t_mock m 127.0.0.1 --post-log "$TMP/posts"
TOKEN=hvs.kv-test-$$-Xk2
printf '%s\n' "$TOKEN" > "$TMP/token"
chmod 0600 "$TMP/token"
python3 "$TOP/tests/mock/vault/server.py" --cert "$CA/server.pem" \
	--key "$CA/server.key" --port-file "$TMP/vault.port" \
	--token-file "$TMP/token" --log "$TMP/vault.log" >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
i=0
while [ ! -s "$TMP/vault.port" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
VPORT=$(cat "$TMP/vault.port")
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'POST $base /echo\n' > "$TMP/egress.rules"
mkdir -p "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null

conf() {	# file, vault URL, token file, vault allow file
	{
		echo "policy-dir = $TOP/policy"
		echo "vault = $2"
		echo "vault-key = $TMP/op.pub.jwk"
		echo "vault-token-file = $3"
		echo "vault-spool = $TMP/spool"
		echo "audit-log = $TMP/audit.log"
		echo "[app vault]"
		echo "ca-file = $CA/ca.pem"
		echo "allow-file = $4"
		echo "connect-timeout = 5"
		echo "[app sbxtest]"
		echo "base-url = https://127.0.0.1:$PORT_m"
		echo "ca-file = $CA/ca.pem"
		echo "auth = none"
		echo "allow-file = $TMP/allow.cidr"
		echo "egress-file = $TMP/egress.rules"
		echo "provisioning = true"
		echo "action = post"
		echo "path = /echo"
		echo "target = carol@example.com"
		echo 'body = {"user":"carol","password":"{{secret:pw}}"}'
		echo "slot = pw:default"
	} > "$1"
}
run() {		# name, config
	"$PORTCULLIS" --config "$2" --app sbxtest >"$TMP/$1.out" 2>"$TMP/$1.err"
	echo $? > "$TMP/$1.rc"
}
lastpw() {
	tail -n 1 "$TMP/posts" | python3 -c '
import json, sys
print(json.loads(json.loads(sys.stdin.read())["body"])["password"])'
}
kv() {		# GET the latest version as the operator would
	curl -s --cacert "$CA/ca.pem" -H "X-Vault-Token: $TOKEN" \
		"https://127.0.0.1:$VPORT/v1/secret/data/portcullis/sbxtest/$1"
}
URL="vault:https://127.0.0.1:$VPORT/secret/portcullis"

conf "$TMP/ok.conf" "$URL" "$TMP/token" "$TMP/allow.cidr"
run ok "$TMP/ok.conf"
t_eq "create with KV: exit 0" "$(cat "$TMP/ok.rc")" 0
PW=$(lastpw)
t_grep "says where: mount, path, version" \
	'^sbxtest: secret of "carol@example.com" sealed to vault:secret/portcullis/sbxtest/carol%40example\.com version 2$' \
	"$TMP/ok.out"
kv carol%40example.com > "$TMP/kv1.json"
t_check "Vault holds the record with the password, marked created" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]
r = d["data"]
assert r["secret"] == sys.argv[2] and r["login"] == "carol@example.com"
assert r["app"] == "sbxtest" and d["metadata"]["version"] == 2
assert r["state"] == "created" and r["status"] == "201"
' "$TMP/kv1.json" "$PW"
t_check "the write-ahead record came first (version 1, pending)" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[0]["version"] == 1 and rows[0]["data"]["state"] == "pending"
assert rows[0]["data"]["secret"] == sys.argv[2]
assert rows[1]["version"] == 2 and rows[1]["data"]["state"] == "created"
' "$TMP/vault.log" "$PW"
t_eq "nothing in the spool" "$(ls -A "$TMP/spool" | wc -l)" 0
run ok2 "$TMP/ok.conf"
PW2=$(lastpw)
kv carol%40example.com > "$TMP/kv2.json"
t_check "second create: version 4 with the new password" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]
assert d["metadata"]["version"] == 4 and d["data"]["secret"] == sys.argv[2]
' "$TMP/kv2.json" "$PW2"
for f in "$TMP/ok.out" "$TMP/ok.err" "$TMP/audit.log"; do
	t_nogrep "token not in $(basename "$f")" "$TOKEN" "$f"
	t_nogrep "password not in $(basename "$f")" "$PW" "$f"
done
t_grep "audit: seal line" 'op=seal .*target=carol@example.com .*result=sealed' \
	"$TMP/audit.log"

# Wrong token: Vault says 403 to the write-ahead record, so the create is
# refused before anything is sent: no account exists without its secret.
printf 'not-the-token\n' > "$TMP/bad"
chmod 600 "$TMP/bad"
conf "$TMP/bad.conf" "$URL" "$TMP/bad" "$TMP/allow.cidr"
before=$(grep -c . "$TMP/posts")
run bad "$TMP/bad.conf"
t_eq "Vault refuses: exit 1" "$(cat "$TMP/bad.rc")" 1
t_grep "Vault refuses: the create is refused first" \
	'refused before anything was sent: the secret could not be stored first' \
	"$TMP/bad.err"
t_grep "Vault refuses: the reason" 'HTTP 403' "$TMP/bad.err"
t_eq "Vault refuses: the app got nothing" "$(grep -c . "$TMP/posts")" "$before"

# Vault's address not in its allowlist (the shipped one lists nothing).
conf "$TMP/ip.conf" "$URL" "$TMP/token" "$TOP/policy/allow/vault.cidr"
run ip "$TMP/ip.conf"
t_eq "Vault address not allowed: exit 1" "$(cat "$TMP/ip.rc")" 1
t_grep "Vault address not allowed: says so" \
	'127.0.0.1 is not in the IP allowlist' "$TMP/ip.err"
t_eq "Vault address not allowed: the app got nothing" \
	"$(grep -c . "$TMP/posts")" "$before"
t_eq "nothing fell back to the spool" "$(ls -A "$TMP/spool" | wc -l)" 0

# Unknown mount: Vault's 404, refused the same way.
conf "$TMP/mnt.conf" "vault:https://127.0.0.1:$VPORT/nomount/x" "$TMP/token" \
	"$TMP/allow.cidr"
run mnt "$TMP/mnt.conf"
t_grep "unknown mount: HTTP 404" 'HTTP 404' "$TMP/mnt.err"
t_eq "unknown mount: the app got nothing" "$(grep -c . "$TMP/posts")" \
	"$before"

# Config errors.
conf "$TMP/http.conf" "vault:http://127.0.0.1:$VPORT/secret" "$TMP/token" \
	"$TMP/allow.cidr"
run http "$TMP/http.conf"
t_eq "vault:http:// refused" "$(cat "$TMP/http.rc")" 2
t_grep "vault:http:// says why" 'only https:// is allowed' "$TMP/http.err"
conf "$TMP/nomount.conf" "vault:https://127.0.0.1:$VPORT/" "$TMP/token" \
	"$TMP/allow.cidr"
run nomount "$TMP/nomount.conf"
t_grep "no mount: says why" 'names no KV mount' "$TMP/nomount.err"
before=$(grep -c . "$TMP/posts")
conf "$TMP/notok.conf" "$URL" "$TMP/missing-token" "$TMP/allow.cidr"
run notok "$TMP/notok.conf"
t_check "no token file: fails" test "$(cat "$TMP/notok.rc")" != 0
t_eq "no token file: nothing was created" "$(grep -c . "$TMP/posts")" "$before"
# Refused before anything starts, naming the option and its file:line.
t_grep "no token file: says so" \
	'notok.conf:[0-9]+: vault-token-file .*/missing-token: No such file' \
	"$TMP/notok.err"
t_eq "no token file: a configuration error (exit 2)" "$(cat "$TMP/notok.rc")" 2
t_done
