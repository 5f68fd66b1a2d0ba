#!/bin/sh
# Ironclad end to end against the stateful mock (OAuth token endpoint and
# SCIM v2): a full sync equals the expected grant set, profiles carry the
# extension attributes; group membership both ways and repeated; create
# account with a broker-made password sealed to the vault and proven by a
# login; SAML companies get none; scopes per mode, read-only refused in
# the broker; token refresh on expiry and on 401; SCIM errors named; no
# deprovisioning.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/ironclad.sh"
t_ca
FX="$TOP/tests/mock/ironclad/fixtures/small.json"
ic_mock "$FX"

# --- sync ---------------------------------------------------------------
ic sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
"$PORTCULLIS" c1z show "$TMP/a.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/grants"
if cmp -s "$TMP/grants" "$TOP/tests/integration/ironclad_small.grants"; then
	t_ok "grant set"
else
	t_fail "grant set" "differs from ironclad_small.grants:"
	diff "$TOP/tests/integration/ironclad_small.grants" "$TMP/grants" | head
fi
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources | tail -n +2 > "$TMP/res"
t_eq "twelve users" "$(grep -c '^user	' "$TMP/res")" 12
t_eq "five groups, the empty one too" "$(grep -c '^group	' "$TMP/res")" 5
t_grep "names from name.givenName/familyName" "^user	$U_JOSE	José Ñúñez" "$TMP/res"
"$PORTCULLIS" c1z show "$TMP/a.c1z" entitlements | tail -n +2 | cut -f1 > "$TMP/ents"
t_eq "one member entitlement per group" "$(grep -c ':member$' "$TMP/ents")" 5
ic_blob "$TMP/a.c1z" "user:$U_JOSE" > "$TMP/jose"
t_grep "profile: department (enterprise extension)" '^department=Legal$' "$TMP/jose"
t_grep "profile: employee number" '^employee_number=E-0003$' "$TMP/jose"
t_grep "profile: department head (Ironclad extension)" '^department_head=carmen.legal@example.com$' "$TMP/jose"
t_grep "profile: title" '^title=Contract Manager$' "$TMP/jose"
t_grep "profile: provider" '^provider=local$' "$TMP/jose"
ic_blob "$TMP/a.c1z" user:64a00000000000000000000a > "$TMP/x"
t_grep "every e-mail, the home one too" 'x.home@example.net' "$TMP/x"
icget stats > "$TMP/st"
t_eq "no contract violation at the mock" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["violations"])' "$TMP/st")" "[]"
t_eq "one token, users and groups listed once each" \
	"$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))["by_route"].items()))' "$TMP/st")" \
	"[('GET /scim/v2/Groups', 1), ('GET /scim/v2/Users', 1), ('POST /oauth/token', 1)]"
t_eq "the token request is JSON, the client in HTTP Basic" \
	"$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["token_content_types"], s["auth_seen"]["/oauth/token"])' "$TMP/st")" \
	"{'application/json': 1} {'basic': 1}"
t_eq "every SCIM call named the acting user" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["acting_users"])' "$TMP/st")" \
	"{'x-as-user-email': {'$IC_ADMIN': 2}}"
ic_absent "the client secret is in no output or log" "$IC_PROV_SECRET" \
	"$TMP/sync.out" "$TMP/sync.err"

# Small pages: the SCIM indexes (1-based, by what the server gives).
icpost config '{"page_cap": 5}'
ic paged --file "$TMP/p.c1z"
"$PORTCULLIS" c1z show "$TMP/p.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/pgrants"
t_check "short pages: the same grants" cmp -s "$TMP/pgrants" "$TOP/tests/integration/ironclad_small.grants"
t_eq "short pages: every user" "$("$PORTCULLIS" c1z show "$TMP/p.c1z" resources | grep -c '^user	')" 12
icpost config '{"page_cap": 0}'

# --- acting user, environment, scopes -----------------------------------
sed '/^as-user-email/d' "$TMP/ic.conf" > "$TMP/noact.conf"
BATON_IC_CLIENT_SECRET=$IC_PROV_SECRET "$PORTCULLIS" --config "$TMP/noact.conf" \
	--app ironclad --file "$TMP/n.c1z" > "$TMP/noact.out" 2>&1
t_grep "no acting user: the option is named" 'set as-user-email or as-user-id' "$TMP/noact.out"
sed -e '/^as-user-email/d' -e '/^\[app/a as-user-id = 64a00000000000000000000b' \
	"$TMP/ic.conf" > "$TMP/byid.conf"
icpost reset-stats '{}'
BATON_IC_CLIENT_SECRET=$IC_PROV_SECRET "$PORTCULLIS" --config "$TMP/byid.conf" \
	--app ironclad --file "$TMP/i.c1z" > "$TMP/byid.out" 2>&1
t_eq "x-as-user-id works as well" "$(icstat 'list(s["acting_users"])')" "['x-as-user-id']"
BATON_AS_USER_EMAIL="$(printf 'a@example.com\r\nX-Evil: 1')" BATON_IC_CLIENT_SECRET=$IC_PROV_SECRET \
	"$PORTCULLIS" --config "$TMP/noact.conf" --app ironclad --file "$TMP/n.c1z" > "$TMP/crlf.out" 2>&1
t_eq "a header value with CR LF is refused" "$?" 2
t_grep "a header value with CR LF: says which" 'as-user-email' "$TMP/crlf.out"
sed -e '/^base-url/d' -e '/^\[app/a environment = moon' "$TMP/ic.conf" > "$TMP/env.conf"
BATON_IC_CLIENT_SECRET=x "$PORTCULLIS" --config "$TMP/env.conf" --app ironclad \
	--file "$TMP/n.c1z" > "$TMP/env.out" 2>&1
t_grep "an unknown environment is refused" '"moon" is not one of' "$TMP/env.out"
BATON_IC_CLIENT_SECRET=x BATON_ENVIRONMENT=eu1 "$PORTCULLIS" --config "$TMP/env.conf" \
	--app ironclad policy > "$TMP/eu.out" 2>&1
t_grep "BATON_ENVIRONMENT=eu1 picks eu1.ironcladapp.com" 'base https://eu1.ironcladapp.com ' "$TMP/eu.out"

# The reader client may not provision: the broker names the missing scope.
sed "s/^ic-client-id = .*/ic-client-id = $IC_READER/" "$TMP/ic.conf" > "$TMP/reader.conf"
BATON_IC_CLIENT_SECRET=$IC_READER_SECRET "$PORTCULLIS" --config "$TMP/reader.conf" \
	--app ironclad --file "$TMP/r.c1z" > "$TMP/rd.out" 2>&1
t_eq "reader client: sync (read scopes only requested)" "$?" 0
icpost reset-stats '{}'
BATON_IC_CLIENT_SECRET=$IC_READER_SECRET "$PORTCULLIS" --config "$TMP/reader.conf" \
	--app ironclad --provisioning --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal "$U_BOB" --grant-principal-type user > "$TMP/rdp.out" 2>&1
t_grep "reader client provisioning: the missing scope is named" \
	'lacks scope scim.groups.updateGroups' "$TMP/rdp.out"
t_eq "reader client provisioning: nothing sent past the token" \
	"$(icstat 'sorted(s["by_route"])')" "['POST /oauth/token']"
BATON_IC_CLIENT_SECRET=$IC_READER_SECRET "$PORTCULLIS" --config "$TMP/reader.conf" \
	--app ironclad --provisioning --read-only --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal "$U_BOB" --grant-principal-type user > "$TMP/ro.out" 2>&1
t_grep "read-only: the broker refuses the write" 'read-only mode refuses every write' "$TMP/ro.out"
t_eq "read-only: no PATCH reached the server" "$(icstat 's["by_route"].get("PATCH /scim/v2/Groups/{groupId}", 0)')" 0
t_eq "read-only: the group is unchanged" \
	"$(icq "[g['members'] for g in s['groups'] if g['id']=='$G_EMPTY'][0]")" "[]"

# --- group membership ----------------------------------------------------
icpost reset-stats '{}'
ic g1 --provisioning --grant-entitlement "group:$G_LEGAL:member" \
	--grant-principal "$U_TELLER" --grant-principal-type user
t_grep "member added" '^ironclad: granted group:' "$TMP/g1.out"
t_eq "the mock has the member" \
	"$(icq "'$U_TELLER' in [g['members'] for g in s['groups'] if g['id']=='$G_LEGAL'][0]")" True
ic g2 --provisioning --grant-entitlement "group:$G_LEGAL:member" \
	--grant-principal "$U_TELLER" --grant-principal-type user
t_grep "adding again: already granted" '^ironclad: already granted' "$TMP/g2.out"
t_eq "adding again is success" "$(cat "$TMP/g2.rc")" 0
t_eq "adding again sent no PATCH" "$(icstat 's["by_route"]["PATCH /scim/v2/Groups/{groupId}"]')" 1
ic r1 --provisioning --revoke-grant "group:$G_LEGAL:member:user:$U_TELLER"
t_grep "member removed" '^ironclad: revoked group:' "$TMP/r1.out"
t_eq "the mock lost the member, the others stay" \
	"$(icq "[g['members'] for g in s['groups'] if g['id']=='$G_LEGAL'][0]")" \
	"['$U_ADA', '$U_BOB', '$U_JOSE', '64a00000000000000000000b']"
ic r2 --provisioning --revoke-grant "group:$G_LEGAL:member:user:$U_TELLER"
t_grep "removing again: already revoked" '^ironclad: already revoked' "$TMP/r2.out"
t_eq "removing again is success" "$(cat "$TMP/r2.rc")" 0
ic r3 --provisioning --revoke-grant "group:$G_EMPTY:member:user:$U_ADA"
t_grep "removing a non-member: already revoked" '^ironclad: already revoked' "$TMP/r3.out"
ic g3 --provisioning --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal "$U_DAVE" --grant-principal-type user
ic r4 --provisioning --revoke-grant "group:$G_EMPTY:member:user:$U_DAVE"
t_eq "add then remove on the empty group: empty again" \
	"$(icq "[g['members'] for g in s['groups'] if g['id']=='$G_EMPTY'][0]")" "[]"
t_eq "PATCH bodies were what the spec wants" "$(icstat 's["violations"]')" "[]"
ic r5 --provisioning --revoke-grant "group:a0000009-6c0a-4d1e-9b7f-0000a0000009:member:user:$U_ADA"
t_grep "removing from a group that is gone: already revoked" '^ironclad: already revoked' "$TMP/r5.out"
icpost config '{"group_patch_status": 204}'
ic g4 --provisioning --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_grep "a 204 answer to PATCH is success" '^ironclad: granted group:' "$TMP/g4.out"
icpost config '{"group_patch_status": 200}'

# SCIM errors: one line, with the vendor's scimType.
ic e1 --provisioning --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal ffffffffffffffffffffffff --grant-principal-type user
t_grep "SCIM errors are named" 'HTTP 400 invalidValue: User ffffffffffffffffffffffff not found' "$TMP/e1.err"
ic e2 --provisioning --grant-entitlement "group:a0000009-6c0a-4d1e-9b7f-0000a0000009:member" \
	--grant-principal "$U_ADA" --grant-principal-type user
t_grep "a missing group: its 404 detail" 'HTTP 404 Resource a0000009-6c0a-4d1e-9b7f-0000a0000009 not found' "$TMP/e2.err"
ic e3 --provisioning --grant-entitlement "group:../Users:member" \
	--grant-principal "$U_ADA" --grant-principal-type user
t_eq "an id that is not one is refused" "$(cat "$TMP/e3.rc")" 1
ic e4 --provisioning --grant-entitlement "group:$G_EMPTY:member" \
	--grant-principal "$G_LEGAL" --grant-principal-type group
t_grep "only users are members" 'granted to user principals' "$TMP/e4.err"

# --- create account ------------------------------------------------------
mkdir -p "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null
PROF='{"givenName":"Nia","familyName":"Okoye","title":"Paralegal","department":"Legal","departmentHead":"carmen.legal@example.com"}'
ic c1 --provisioning --vault "spool:$TMP/spool" --vault-key "$TMP/op.pub.jwk" \
	--create-account-login nia.okoye@example.com --create-account-email nia.okoye@example.com \
	--create-account-profile "$PROF"
t_eq "create account: exit 0" "$(cat "$TMP/c1.rc")" 0
t_grep "create account: created" '^ironclad: created user [0-9a-f]* nia.okoye@example.com' "$TMP/c1.out"
t_grep "create account: the secret was sealed" 'sealed to .*/spool/ironclad-' "$TMP/c1.out"
t_eq "create account: the user with name, title and extensions" \
	"$(icq "[(u['name'], u.get('title'), u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'], u['urn:ietf:params:scim:schemas:extension:ironclad:2.0:User']['departmentHead'], u['active'], u['hasPassword']) for u in s['users'] if u['userName']=='nia.okoye@example.com'][0]")" \
	"({'givenName': 'Nia', 'familyName': 'Okoye'}, 'Paralegal', {'department': 'Legal'}, 'carmen.legal@example.com', True, True)"
SF=$(ls "$TMP"/spool/ironclad-*.jwe 2>/dev/null | head -n 1)
PW=$("$PORTCULLIS" vault open "$SF" --key "$TMP/op.jwk" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' 2>/dev/null)
printf '{"userName":"nia.okoye@example.com","password":%s}' \
	"$(printf '%s' "$PW" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')" > "$TMP/login.json"
t_eq "the sealed password logs in at the mock" "$(curl -s -o /dev/null -w '%{http_code}' \
	--cacert "$CA/ca.pem" -X POST --data-binary @"$TMP/login.json" \
	"https://127.0.0.1:$ICPORT/__mock/login")" 200
t_check "the password meets Ironclad's rule" python3 -c '
import sys
p = sys.argv[1]
sp = set("!\"#$%&'"'"'()*+,-./:;<=>?@[\\]^_`{|}~")
assert len(p) >= 16 and any(c.islower() for c in p) and any(c.isupper() for c in p)
assert any(c.isdigit() for c in p) and any(c in sp for c in p)
assert all(c.isalnum() or c in sp for c in p)' "$PW"
ic_absent "the password is in no output or log" "$PW" "$TMP/c1.out" "$TMP/c1.err" "$TMP/ic.log"
ic c2 --provisioning --vault "spool:$TMP/spool" --vault-key "$TMP/op.pub.jwk" \
	--create-account-email nia.okoye@example.com --create-account-profile "$PROF"
t_grep "create again: already exists" 'already exists: user nia.okoye@example.com' "$TMP/c2.out"
t_eq "create again is success" "$(cat "$TMP/c2.rc")" 0
ic c3 --provisioning --create-account-email noah.new@example.com \
	--create-account-profile '{"givenName":"Noah","familyName":"New"}'
t_grep "no vault key: refused before creating" 'no vault-key is configured' "$TMP/c3.err"
t_eq "no vault key: no user" "$(icq "len([u for u in s['users'] if u['userName']=='noah.new@example.com'])")" 0
ic c4 --provisioning --approved-domains example.com --vault "spool:$TMP/spool" \
	--vault-key "$TMP/op.pub.jwk" --create-account-email eve@evil.example \
	--create-account-profile '{"givenName":"Eve","familyName":"Evil"}'
t_grep "approved domains: another domain is refused" 'not in approved-domains' "$TMP/c4.err"
t_eq "approved domains: no user" "$(icq "len([u for u in s['users'] if u['userName']=='eve@evil.example'])")" 0
ic c5 --provisioning --create-account-email someone@example.com --create-account-profile '{}'
t_grep "a name is required" 'needs "givenName" and "familyName"' "$TMP/c5.err"
icpost config '{"saml": true}'
NSEALED=$(ls "$TMP"/spool | wc -l)
ic c6 --provisioning --create-account-email sam.l@example.com \
	--create-account-profile '{"givenName":"Sam","familyName":"L","saml":true}'
t_grep "SAML company: created" '^ironclad: created user .* .SAML: no password.$' "$TMP/c6.out"
t_eq "SAML company: no password stored" "$(icq "[u['hasPassword'] for u in s['users'] if u['userName']=='sam.l@example.com'][0]")" False
t_eq "SAML company: nothing sealed" "$(ls "$TMP"/spool | wc -l)" "$NSEALED"
icpost config '{"saml": false}'
t_eq "no create sent active" "$(icstat 's["violations"]')" "[]"

# --- no deprovisioning ---------------------------------------------------
icpost reset-stats '{}'
ic d1 --provisioning --delete-resource "$U_BOB" --delete-resource-type user
t_eq "delete: refused" "$(cat "$TMP/d1.rc")" 1
t_grep "delete: says why" 'does not deprovision accounts' "$TMP/d1.err"
t_eq "delete: nothing reached the server" "$(icstat 's["api_requests"]')" 0

# --- tokens: refresh before expiry, and once more on a 401 ---------------
# A token of 61 s is refreshed 60 s early: every second.
icpost config '{"expires_in": 61, "latency_ms": 400, "page_cap": 3}'
icpost reset-stats '{}'
ic exp --max-in-flight 1 --file "$TMP/e.c1z"
t_eq "short-lived tokens: sync exits 0" "$(cat "$TMP/exp.rc")" 0
t_check "short-lived tokens: refreshed before they expire" \
	test "$(icstat 's["tokens_issued"]')" -ge 2
t_eq "short-lived tokens: never used expired" "$(icstat 's["auth_seen"]["/scim/v2/Users"].get("bearer")==s["by_route"]["GET /scim/v2/Users"]')" True
icpost config '{"expires_in": 3600}'
icpost reset-stats '{}'
( sleep 1.5; icpost config '{"revoke_tokens": true}' ) &
RP=$!
ic rev --max-in-flight 1 --file "$TMP/rv.c1z"
wait "$RP"
t_eq "token revoked mid-sync: sync exits 0" "$(cat "$TMP/rev.rc")" 0
t_eq "token revoked mid-sync: one fresh token" "$(icstat 's["tokens_issued"]')" 2
"$PORTCULLIS" c1z show "$TMP/rv.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/rvgrants"
"$PORTCULLIS" c1z show "$TMP/e.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/egrants"
t_check "token revoked mid-sync: the same grants" cmp -s "$TMP/rvgrants" "$TMP/egrants"
icpost config '{"latency_ms": 0, "page_cap": 0}'

# Token issuance is limited per client: said so, not blamed on the secret.
icpost config '{"token_limit_per_min": 1}'
ic tl1 --file "$TMP/tl1.c1z"
ic tl2 --file "$TMP/tl2.c1z"
t_grep "token issuance limit: named as such" 'HTTP 429: token issuance is rate-limited' "$TMP/tl2.err"
icpost config '{"token_limit_per_min": 0}'

# A company without groups may answer a ListResponse without Resources
# (RFC 7644 3.4.2: required only when totalResults > 0).
ic_stop
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["groups"]=[]
json.dump(d, open(sys.argv[2], "w"))' "$FX" "$TMP/nogroups.json"
ic_mock "$TMP/nogroups.json"
icpost config '{"omit_empty_resources": true}'
ic nog --file "$TMP/nog.c1z"
t_eq "no groups, no Resources: sync exits 0" "$(cat "$TMP/nog.rc")" 0
t_eq "no groups, no Resources: the users are there" \
	"$("$PORTCULLIS" c1z show "$TMP/nog.c1z" resources | grep -c '^user	')" 12

# --- 429s: the kit waits and retries ---------------------------------------
icpost reset-stats '{}'
icpost config '{"inject_429": 2, "retry_after": 1}'
ic rl --file "$TMP/rl.c1z"
t_eq "sync through 429s succeeds" "$(cat "$TMP/rl.rc")" 0
t_check "429s were injected" test "$(icstat 's["injected_429"]')" -ge 1
icpost config '{"inject_429": 0, "retry_after": 0}'
ic_stop
t_done
