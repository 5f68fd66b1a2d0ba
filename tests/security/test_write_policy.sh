#!/bin/sh
# Writes: refused before any connection without --provisioning, in
# read-only mode, to an unapproved e-mail domain, or past max-writes;
# --dry-run prints them and sends nothing; each gets an audit line
# (text or JSON lines) that never holds the token.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'POST $base /data/*\n' > "$TMP/egress.rules"
TOKEN=tok-audit-$$-q7
t_conf "$TMP/c.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"action = post" 'body = {"email":"bob@evil.example","role":"x"}'
sed -i 's/^auth = none/auth = bearer/' "$TMP/c.conf"
echo "audit-log = $TMP/audit.log" | cat - "$TMP/c.conf" > "$TMP/c2.conf"
run() {		# name, flags...
	n=$1
	shift
	BATON_API_TOKEN=$TOKEN "$PORTCULLIS" --config "$TMP/c2.conf" \
		--app sbxtest "$@" >"$TMP/$n.out" 2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

run noprov
t_eq "without --provisioning: fails" "$(cat "$TMP/noprov.rc")" 1
t_grep "without --provisioning: refused" \
	'provisioning is not enabled for sbxtest' "$TMP/noprov.err"
run ro --provisioning --read-only
t_grep "read-only: refused" 'read-only mode refuses every write' "$TMP/ro.err"
run dom --provisioning --approved-domains example.com
t_grep "unapproved domain: refused, domain named" \
	'e-mail domain "evil.example" is not in approved-domains' "$TMP/dom.err"
run cap --provisioning --max-writes 0
t_grep "max-writes: refused" 'maximum of 0 writes per run' "$TMP/cap.err"
run dry --provisioning --dry-run
t_grep "dry-run: prints the request" '^dry-run: POST /data/x$' "$TMP/dry.out"
t_grep "dry-run: prints the body" '"email":"bob@evil.example"' "$TMP/dry.out"
t_eq "nothing reached the server" "$(t_count m)" 0

run ok --provisioning --approved-domains "example.com, evil.example"
t_eq "approved write: exit 0" "$(cat "$TMP/ok.rc")" 0
t_grep "approved write: sent" 'sbxtest: HTTP 201' "$TMP/ok.out"
t_eq "approved write reached the server" "$(t_count m)" 1

# Five refused or printed writes, and the sent one twice: "sending" is on
# disk before the request leaves, "sent" records what came back.
t_eq "one audit line per refused write, two per sent one" \
	"$(wc -l < "$TMP/audit.log")" 7
t_grep "audit: the write is recorded before it is sent" \
	'op=create_account .*target=user:bob .*result=sending status=0' \
	"$TMP/audit.log"
t_check "audit: sending comes before sent" sh -c "grep -n 'result=sending' \
	'$TMP/audit.log' | cut -d: -f1 | head -n 1 | xargs -I{} sh -c \
	'test {} -lt \$(grep -n result=sent\  \"$TMP/audit.log\" | cut -d: -f1)'"
t_grep "audit: refusal recorded" 'result=read-only_mode_refuses_every_write' \
	"$TMP/audit.log"
t_grep "audit: dry run recorded" 'method=POST path=/data/x .*result=dry-run' \
	"$TMP/audit.log"
t_grep "audit: sent write with status" 'op=create_account .*target=user:bob .*result=sent status=201' \
	"$TMP/audit.log"
t_nogrep "audit never holds the token" "$TOKEN" "$TMP/audit.log"
t_check "audit log is 0600" test "$(stat -c %a "$TMP/audit.log")" = 600

sed -i "s|^audit-log = .*|audit-log = $TMP/audit.json\naudit-format = json|" "$TMP/c2.conf"
run json --provisioning
run json2 --provisioning --read-only
t_check "JSON lines parse" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 3, len(rows)
assert rows[0]["result"] == "sending" and rows[1]["status"] == 201
assert rows[1]["peer"] == "127.0.0.1" and rows[2]["result"].startswith("read-only")
' "$TMP/audit.json"
# An inviting write the broker checks against the vendor's own domain
# list (broker/fed.c, Atlas's guards, given to this hidden app too): a
# compromised fetcher that puts something other than an id where the
# org id goes is refused before any read, and nothing reaches the server.
printf 'POST $base /api/atlas/v2/orgs/*/users\nGET $base /api/atlas/v2/orgs/*/federationSettings\n' \
	> "$TMP/fed.rules"
t_conf "$TMP/fed.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/fed.rules" \
	"action = raw" "method = POST" "ctype = application/json" 'body = {"username":"bob@example.com","roles":["ORG_MEMBER"]}'
fed() {		# name, org id segment
	sed "s|^action = raw|action = raw\npath = /api/atlas/v2/orgs/$2/users|" \
		"$TMP/fed.conf" > "$TMP/$1.conf"
	"$PORTCULLIS" --config "$TMP/$1.conf" --app sbxtest --provisioning \
		--approved-domains example.com >"$TMP/$1.out" 2>"$TMP/$1.err"
	echo $? > "$TMP/$1.rc"
}
b0=$(t_count m)
long=$(printf 'a%.0s' $(seq 1 70))
fed fedlong "$long"
t_eq "guarded write, 70-char org segment: fails" "$(cat "$TMP/fedlong.rc")" 1
t_grep "guarded write, 70-char org segment: not an id" \
	'organization id "" is not an id' "$TMP/fedlong.err"
fed fedhex 'zzzzzzzzzzzzzzzzzzzzzzzz'
t_grep "guarded write, 24 non-hex characters: not an id" \
	'organization id "zzzzzzzzzzzzzzzzzzzzzzzz" is not an id' "$TMP/fedhex.err"
fed fedesc '0123456789abcdef0123456%1b'
t_grep "guarded write, an escape in the segment: not an id, cleaned" \
	'organization id "0123456789abcdef0123456%1b" is not an id' "$TMP/fedesc.err"
t_eq "guarded writes with a bad id: nothing reached the server" \
	"$(t_count m)" "$b0"
# Control: a real id passes the id check; the broker reads the org's
# federation settings itself first (this server has none: 404, so only
# the local approved-domains apply, and the write is sent).
sed 's|^action = raw|action = raw\npath = /api/atlas/v2/orgs/0123456789abcdef01234567/users|' \
	"$TMP/fed.conf" > "$TMP/fedok.conf"
"$PORTCULLIS" --config "$TMP/fedok.conf" --app sbxtest --provisioning \
	--approved-domains example.com --log-level debug >"$TMP/fedok.out" 2>"$TMP/fedok.err"
t_eq "guarded write, a real id: sent" "$?" 0
t_nogrep "guarded write, a real id: past the id check" 'is not an id' \
	"$TMP/fedok.err"
t_check "guarded write, a real id: the broker read the settings before the write" \
	sh -c "grep -n 'request GET .*/orgs/0123456789abcdef01234567/federationSettings' \
	'$TMP/fedok.err' | head -n 1 | cut -d: -f1 > '$TMP/l1' &&
	grep -n 'result=sending' '$TMP/fedok.err' | head -n 1 | cut -d: -f1 > '$TMP/l2' &&
	test -s '$TMP/l1' && test \$(cat '$TMP/l1') -lt \$(cat '$TMP/l2')"
t_done
