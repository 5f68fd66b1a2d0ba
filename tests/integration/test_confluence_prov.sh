#!/bin/sh
# Confluence Data Center provisioning against the stateful mock: group
# membership add/remove and space permission grant/revoke for users,
# groups and anonymous, each idempotent (already granted / revoked sends
# no write); names needing escaping, a group name that is a prefix of
# another, a '/' group; Confluence errors as one line; account creation
# with the broker's sealed password, opened here and used to log in;
# no deprovisioning.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/confluence.sh"
t_ca
conf_mock "$FXC"
writes() {	# PUT/POST/DELETE requests the mock saw since the last reset
	cmockget stats | python3 -c '
import json, sys
r = json.load(sys.stdin)["by_route"]
print(sum(v for k, v in r.items() if not k.startswith("GET ")))'
}
members() {	# group: its usernames
	cmockq "sorted([g for g in s['groups'] if g['name']=='$1'][0]['members'])"
}
perms() {	# space, python filter on p: sorted "op-target" pairs
	cmockq "sorted(p['operationKey']+'-'+p['targetType'] for sp in s['spaces'] if sp['key']=='$1' for p in sp['permissions'] if $2)"
}

# --- group membership ---------------------------------------------------------
confl g1 --provisioning --grant-entitlement "group:team a:member" \
	--grant-principal "$K_CAROL" --grant-principal-type user
t_grep "member added" '^confluence: granted group:team a:member to user:' "$TMP/g1.out"
t_eq "carol is in \"team a\"" "$(members 'team a')" "['bob', 'carol.smith', 'dave+ops@example.com']"
t_eq "\"team\" is untouched" "$(members team)" "['alice', 'gone.user']"
cmockpost reset-stats '{}' >/dev/null
confl g2 --provisioning --grant-entitlement "group:team a:member" \
	--grant-principal "$K_CAROL" --grant-principal-type user
t_grep "granting again: already granted" '^confluence: already granted' "$TMP/g2.out"
t_eq "granting again: exit 0" "$(cat "$TMP/g2.rc")" 0
t_eq "granting again: no write sent" "$(writes)" 0
confl g3 --provisioning --grant-entitlement "group:team:member" \
	--grant-principal "$K_BOB" --grant-principal-type user
t_eq "a member of \"team a\" is not taken for one of \"team\"" \
	"$(members team)" "['alice', 'bob', 'gone.user']"
confl g4 --provisioning --revoke-grant "group:team:member:user:$K_DAVE"
t_grep "revoking from \"team\" a member of \"team a\" only: already revoked" \
	'^confluence: already revoked' "$TMP/g4.out"
t_eq "\"team a\" keeps dave" "$(members 'team a')" "['bob', 'carol.smith', 'dave+ops@example.com']"
confl g5 --provisioning --revoke-grant "group:team a:member:user:$K_CAROL"
t_eq "member removed" "$(members 'team a')" "['bob', 'dave+ops@example.com']"
cmockpost reset-stats '{}' >/dev/null
confl g6 --provisioning --revoke-grant "group:team a:member:user:$K_CAROL"
t_grep "revoking again: already revoked" '^confluence: already revoked' "$TMP/g6.out"
t_eq "revoking again: no write sent" "$(writes)" 0
# Names that need escaping, in the group and in the username.
for g in 'qa?#1' '100% sure' 'c++;dev' 'développeurs'; do
	confl odd --provisioning --grant-entitlement "group:$g:member" \
		--grant-principal "$K_PCT" --grant-principal-type user
	t_check "\"$g\" gets pct%user" sh -c "test \"\$(cat '$TMP/odd.rc')\" = 0"
	t_eq "\"$g\": pct%user is a member" \
		"$(cmockq "'pct%user' in [g for g in s['groups'] if g['name']=='$g'][0]['members']")" True
done
confl odd2 --provisioning --grant-entitlement "group:c++;dev:member" \
	--grant-principal "$K_DAVE" --grant-principal-type user
t_eq "dave+ops@example.com joins \"c++;dev\"" \
	"$(members 'c++;dev')" "['bob', 'dave+ops@example.com', \"o'neil\", 'pct%user']"
confl odd3 --provisioning --revoke-grant "group:qa?#1:member:user:$K_JOSE"
t_eq "josé leaves \"qa?#1\"" "$(members 'qa?#1')" "['pct%user']"
confl slash --provisioning --grant-entitlement "group:ops/infra:member" \
	--grant-principal "$K_ALICE" --grant-principal-type user
t_eq "a '/' group: refused" "$(cat "$TMP/slash.rc")" 1
t_grep "a '/' group: says why" 'holds .*Tomcat refuses' "$TMP/slash.err"
t_eq "a '/' group: untouched" "$(members 'ops/infra')" "['carol.smith', 'dave+ops@example.com']"
confl nouser --provisioning --grant-entitlement "group:team:member" \
	--grant-principal ffffffffffffffffffffffffffffffff --grant-principal-type user
t_grep "an unknown userKey is named" 'no user with userKey ffff' "$TMP/nouser.err"
confl gone --provisioning --revoke-grant \
	"group:team:member:user:ffffffffffffffffffffffffffffffff"
t_grep "revoking from a user that is gone: already revoked" \
	'^confluence: already revoked' "$TMP/gone.out"
confl nogroup --provisioning --grant-entitlement "group:no such group:member" \
	--grant-principal "$K_BOB" --grant-principal-type user
t_grep "an unknown group: Confluence's error in one line" \
	'HTTP 404 Not Found: Group not found: no such group' "$TMP/nogroup.err"
# A one-shot grant implies provisioning (as baton), unless it is set false.
confl ro --provisioning=false --grant-entitlement "group:team:member" \
	--grant-principal "$K_CAROL" --grant-principal-type user
t_eq "provisioning=false: refused" "$(cat "$TMP/ro.rc")" 1
t_eq "provisioning=false: nothing changed" "$(members team)" "['alice', 'bob', 'gone.user']"

# --- space permissions ----------------------------------------------------------
confl s1 --provisioning --grant-entitlement "space:OPS:create-page" \
	--grant-principal "$K_ALICE" --grant-principal-type user
t_eq "user granted create-page on OPS" \
	"$(perms OPS "p['type']=='user' and p['userKey']=='$K_ALICE'")" "['create-page']"
cmockpost reset-stats '{}' >/dev/null
confl s2 --provisioning --grant-entitlement "space:OPS:create-page" \
	--grant-principal "$K_ALICE" --grant-principal-type user
t_grep "space grant again: already granted" '^confluence: already granted' "$TMP/s2.out"
t_eq "space grant again: no write" "$(writes)" 0
confl s3 --provisioning --revoke-grant "space:OPS:create-page:user:$K_ALICE"
t_eq "user's space permission revoked" \
	"$(perms OPS "p['type']=='user' and p['userKey']=='$K_ALICE'")" "[]"
confl s4 --provisioning --revoke-grant "space:OPS:create-page:user:$K_ALICE"
t_grep "space revoke again: already revoked" '^confluence: already revoked' "$TMP/s4.out"
confl s5 --provisioning --grant-entitlement "space:ENG:export-space" \
	--grant-principal "team a" --grant-principal-type group
t_eq "group granted export-space on ENG" \
	"$(perms ENG "p['type']=='group' and p['name']=='team a'")" "['export-space']"
t_eq "\"team\" keeps its own on ENG" \
	"$(perms ENG "p['type']=='group' and p['name']=='team'")" \
	"['create-comment', 'create-page', 'read-space']"
confl s6 --provisioning --grant-entitlement "space:~bob:create-comment" \
	--grant-principal "qa?#1" --grant-principal-type group
t_eq "odd group on a personal space" \
	"$(perms '~bob' "p['type']=='group' and p['name']=='qa?#1'")" "['create-comment']"
confl s7 --provisioning --grant-entitlement "space:OPS:create-page" \
	--grant-principal "ops/infra" --grant-principal-type group
t_eq "a '/' group gets its permission (POST, whole list)" \
	"$(perms OPS "p['type']=='group' and p['name']=='ops/infra'")" \
	"['administer-space', 'create-page', 'read-space']"
t_grep "a '/' group: the log says which way" 'set with POST' "$TMP/s7.err"
confl s8 --provisioning --revoke-grant "space:OPS:administer-space:group:ops/infra"
t_eq "a '/' group loses only the revoked one" \
	"$(perms OPS "p['type']=='group' and p['name']=='ops/infra'")" \
	"['create-page', 'read-space']"
confl s9 --provisioning --grant-entitlement "space:OPS:read-space" \
	--grant-principal anonymous --grant-principal-type anonymous
t_eq "anonymous read granted" "$(perms OPS "p['type']=='anonymous'")" "['read-space']"
confl s10 --provisioning --revoke-grant "space:DOCS:read-space:anonymous:anonymous"
t_eq "anonymous read revoked" "$(perms DOCS "p['type']=='anonymous'")" "[]"
confl s11 --provisioning --grant-entitlement "space:OPS:edit-space" \
	--grant-principal "$K_ALICE" --grant-principal-type user
t_eq "an unsupported permission: refused" "$(cat "$TMP/s11.rc")" 1
t_grep "an unsupported permission: says so" 'space:OPS:edit-space is not an entitlement' \
	"$TMP/s11.err"
confl s12 --provisioning --grant-entitlement "space:NOPE:read-space" \
	--grant-principal "$K_ALICE" --grant-principal-type user
t_grep "an unknown space: Confluence's error in one line" \
	'HTTP 404 Not Found: No space with key : NOPE' "$TMP/s12.err"
confl s13 --provisioning --grant-entitlement "space:OPS:read-space" \
	--grant-principal "ffffffffffffffffffffffffffffffff" --grant-principal-type user
t_grep "an unknown userKey: Confluence's error" 'HTTP 404 Not Found: No user found with key' \
	"$TMP/s13.err"
confl s14 --provisioning --grant-entitlement "space:OPS:read-space" \
	--grant-principal "$K_ALICE" --grant-principal-type space
t_grep "a principal of the wrong type: refused" 'not "space"' "$TMP/s14.err"
PAT=$C_BOB_PAT confl s15 --provisioning --grant-entitlement "space:ENG:read-space" \
	--grant-principal "$K_BOB" --grant-principal-type user
t_grep "not a space admin: the 403 is named" 'HTTP 403 Forbidden' "$TMP/s15.err"

# --- a fresh sync shows every change ---------------------------------------------
confl sync --file "$TMP/a.c1z"
conf_grants "$TMP/a.c1z" > "$TMP/grants"
conf_expected > "$TMP/want"
t_check "after provisioning a sync equals the mock's state" cmp -s "$TMP/grants" "$TMP/want"

# --- create account ------------------------------------------------------------------
mkdir -p "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null
mk() {		# name, login, email, profile JSON [flags]
	n=$1 l=$2 m=$3 p=$4
	shift 4
	confl "$n" --provisioning --vault "spool:$TMP/spool" --vault-key \
		"$TMP/op.pub.jwk" --create-account-login "$l" \
		--create-account-email "$m" --create-account-profile "$p" "$@"
}
mk c1 new.user new.user@example.com '{"fullName":"New User"}'
t_eq "create: exit 0" "$(cat "$TMP/c1.rc")" 0
t_grep "create: read back by userKey" '^confluence: created user new.user \(userKey [0-9a-f]{32}\)' "$TMP/c1.out"
t_grep "create: secret sealed" '^confluence: secret of "new.user" sealed to .*/spool/confluence-new.user-' "$TMP/c1.out"
SF=$(ls "$TMP"/spool/confluence-new.user-*.jwe 2>/dev/null | head -n 1)
SPW=$("$PORTCULLIS" vault open "$SF" --key "$TMP/op.jwk" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
t_check "create: the password is at least 24 characters" \
	test "${#SPW}" -ge 24
t_eq "create: the sealed password logs in to Confluence" \
	"$(cmockpost login "{\"username\":\"new.user\",\"password\":\"$SPW\"}")" '{"ok":true}'
t_eq "create: full name and e-mail as given" \
	"$(cmockq "[(u['displayName'],u['email']) for u in s['users'] if u['username']=='new.user'][0]")" \
	"('New User', 'new.user@example.com')"
t_eq "create: (another password does not log in)" \
	"$(cmockpost login '{"username":"new.user","password":"x"}')" '{"ok":false}'
for f in "$TMP/c1.out" "$TMP/c1.err"; do
	t_nogrep "create: password not in $(basename "$f")" "$SPW" "$f"
done
mk c2 new.user new.user@example.com '{"fullName":"New User"}'
t_grep "create again: already exists" '^confluence: already exists: user new.user' "$TMP/c2.out"
cmockpost reset-stats '{}' >/dev/null
for bad in 'New.User' 'new user' 'new,user' 'new+user' 'new<user' "o'x" 'anonymous' ''; do
	mk cv "$bad" x@example.com '{"fullName":"X"}'
	t_eq "create: userName \"$bad\" refused" "$(cat "$TMP/cv.rc")" 1
done
mk cf okname ok@example.com '{"fullName":"a <b>"}'
t_grep "create: a bad full name refused" 'fullName must not contain' "$TMP/cf.err"
mk ce okname not-an-email '{"fullName":"Ok Name"}'
t_grep "create: a bad e-mail refused" 'valid e-mail' "$TMP/ce.err"
t_eq "create: invalid input sends nothing" "$(writes)" 0
confl c3 --provisioning --notify-via-email --create-account-login mailed.user \
	--create-account-email mailed@example.com --create-account-profile '{"fullName":"Mailed User"}'
t_eq "create with notify-via-email: exit 0" "$(cat "$TMP/c3.rc")" 0
t_grep "create with notify-via-email: no password" 'Confluence mails the user' "$TMP/c3.out"
cmockpost config '{"license_limit": 1}' >/dev/null
mk c4 one.more one.more@example.com '{"fullName":"One More"}'
t_grep "no licence left: Confluence's 402 in one line" \
	'HTTP 402 Payment Required: No more licenses available' "$TMP/c4.err"
cmockpost config '{"license_limit": 0}' >/dev/null
PAT=$C_BOB_PAT mk c5 by.bob bob2@example.com '{"fullName":"By Bob"}'
t_grep "a non-admin token cannot create: 403" 'HTTP 403 Forbidden' "$TMP/c5.err"

# --- no deprovisioning -----------------------------------------------------------------
confl d1 --provisioning --delete-resource "$K_BOB" --delete-resource-type user
t_eq "delete: refused" "$(cat "$TMP/d1.rc")" 1
t_grep "delete: says to do it in Confluence" 'not deprovisioned by portcullis' "$TMP/d1.err"
t_eq "delete: bob is still there" \
	"$(cmockq "len([u for u in s['users'] if u['username']=='bob'])")" 1
t_done
