#!/bin/sh
# Atlassian Cloud end to end against the stateful mock: a full sync
# equals the expected grant set with every status; each provisioning
# path (workspace roles for users and groups, org-admin, group
# membership), SCIM create (new and linked), delete and the two actions,
# with idempotency; the two keys each only on their own API; the error
# envelopes as one line with the vendor code; 429s through the kit.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlassian.sh"
t_ca
FX="$TOP/tests/mock/atlassian/fixtures/small.json"
atl_mock "$FX"

# --- sync ---------------------------------------------------------------
atl sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
"$PORTCULLIS" c1z show "$TMP/a.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/grants"
if cmp -s "$TMP/grants" "$TOP/tests/integration/atlassian_small.grants"; then
	t_ok "grant set"
else
	t_fail "grant set" "differs from atlassian_small.grants:"
	diff "$TOP/tests/integration/atlassian_small.grants" "$TMP/grants" | head
fi
t_eq "the mock saw no contract violation" "$(statq 's["violations"]')" "[]"
t_eq "no deprecated or removed endpoint" \
	"$(statq '[k for k in s["by_route"] if k.split()[1] in ("users.list","groups.list") or "removed" in k]')" "[]"
"$PORTCULLIS" c1z show "$TMP/a.c1z" entitlements | tail -n +2 | cut -f1 | sort > "$TMP/ents"
t_eq "entitlement ids are unique" "$(uniq -d "$TMP/ents" | wc -l)" 0
t_eq "ten roles per workspace" "$(grep -c "^workspace:$WS_JIRA:role:" "$TMP/ents")" 10
t_grep "org roles" "^organization:$ORG:role:atlassian/ai-access\$" "$TMP/ents"
t_grep "group member entitlement" "^group:$G_EMPTY:member\$" "$TMP/ents"
t_nogrep "project/goal owner roles are not granted" 'townsquare' "$TMP/grants"
t_nogrep "a role held through a group is not a user grant" \
	"workspace:$WS_JIRA:role:atlassian/user:user:" "$TMP/grants"
t_grep "owner roles counted in the log" '3 project/goal owner role' "$TMP/sync.err"
# Statuses: the raw status is the user trait's detail (in its blob).
tail -c +6 "$TMP/a.c1z" | zstd -dc > "$TMP/a.db" 2>/dev/null
blob() {	# account id: the user's resource record, as text
	sqlite3 "$TMP/a.db" "select hex(data) from v1_resources where
	    resource_type_id='user' and external_id like '%$1'" |
	    python3 -c 'import sys; print(bytes.fromhex(sys.stdin.read().strip()).decode("latin-1"))'
}
has_status() {	# name, account id, status
	if blob "$2" | grep "$3" >/dev/null; then t_ok "$1"; else t_fail "$1" "no $3"; fi
}
if command -v sqlite3 >/dev/null; then
	has_status "suspended user: raw status kept" "$U_DAVE" suspended
	has_status "deactivated user: raw status kept" "$U_ERIN" deactivated
	has_status "for_deletion user: raw status kept" "$U_FRANK" for_deletion
	has_status "a managed account in no directory: not_invited" "$(acc 7)" not_invited
	if blob "$U_ALICE" | grep -E 'suspended|deactivated|not_invited' >/dev/null; then
		t_fail "active user: no status detail" "has one"
	else
		t_ok "active user: no status detail"
	fi
else
	t_skip "user statuses" "no sqlite3"
fi
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources > "$TMP/res"
t_grep "API tokens owned by their user" "^api_token	.*	ci pipeline	user:$U_ALICE" "$TMP/res"
t_grep "workspace display is type: name" "	jira-software: Example Jira	" "$TMP/res"

# The two keys: each only where it belongs (the SCIM key is used below).
auth_ok() {
	mockget stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
bad = []
for r, a in s["auth_seen"].items():
    if r.startswith("scim.") and (a["admin"] or a["other"] or a["none"]): bad.append(r)
    if not r.startswith("scim.") and (a["scim"] or a["other"] or a["none"]): bad.append(r)
print(bad)'
}
t_eq "sync: admin key only on admin routes" "$(auth_ok)" "[]"

# --- cursors with '+', '/' and '.' over many pages --------------------------
atl_stop
python3 "$TOP/tests/mock/atlassian/gen_fixture.py" --users 450 --groups 120 \
	--workspaces 130 --out "$TMP/mid.json"
atl_mock "$TMP/mid.json"
atl mid --file "$TMP/mid.c1z"
t_eq "mid-size sync exits 0" "$(cat "$TMP/mid.rc")" 0
t_eq "mid-size: no violation (cursors encoded, sent alone)" "$(statq 's["violations"]')" "[]"
t_check "mid-size: several pages of users, groups and workspaces" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["by_route"]
assert s["POST groups.search"] >= 2 and s["POST workspaces.search"] >= 2, s
' "$(mockget stats > "$TMP/mst"; echo "$TMP/mst")"
t_eq "mid-size: every user synced (once)" \
	"$("$PORTCULLIS" c1z show "$TMP/mid.c1z" resources | grep -c '^user	')" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for u in d["users"] if (u["memberships"] or u["claimStatus"]=="managed") and u["accountType"]=="atlassian"))' "$TMP/mid.json")"
atl_stop

# --- provisioning ---------------------------------------------------------
atl_mock "$FX"
mockpost reset-stats '{}'
mockpost config '{"inject_429": 4, "retry_after": 0}'
atl rl --file "$TMP/rl.c1z"
t_eq "sync through 429s (Retry-After) succeeds" "$(cat "$TMP/rl.rc")" 0
[ "$(cat "$TMP/rl.rc")" = 0 ] || grep -v audit: "$TMP/rl.err" | tail -n 5
t_check "429s were injected" test "$(statq 's["rate_limited"]')" -gt 3
mockpost config '{"inject_429": 4, "retry_after": 0, "retry_style": "reset"}'
atl rl2 --file "$TMP/rl2.c1z"
t_eq "sync through 429s (X-RateLimit-Reset) succeeds" "$(cat "$TMP/rl2.rc")" 0
"$PORTCULLIS" c1z show "$TMP/rl2.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/g2"
t_check "the same grants through 429s" cmp -s "$TMP/grants" "$TMP/g2"
mockpost config '{"inject_429": 0}'
mockpost reset-stats '{}'
uroles() {	# account, resource
	mockq "[u['roles'].get('$2', []) for u in s['users'] if u['accountId']=='$1'][0]"
}
atl w1 --provisioning --grant-entitlement "workspace:$WS_JIRA:role:atlassian/user" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_grep "workspace role granted" '^atlassian: granted workspace:' "$TMP/w1.out"
t_eq "workspace role held" "$(uroles "$U_CAROL" "$WS_JIRA")" "['atlassian/user']"
atl w2 --provisioning --grant-entitlement "workspace:$WS_JIRA:role:atlassian/user" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_eq "granting again succeeds" "$(cat "$TMP/w2.rc")" 0
t_eq "granting again: held once" "$(uroles "$U_CAROL" "$WS_JIRA")" "['atlassian/user']"
t_grep "granting again: already granted" '^atlassian: already granted workspace:' "$TMP/w2.out"
atl w3 --provisioning --revoke-grant "workspace:$WS_JIRA:role:atlassian/user:user:$U_CAROL"
t_eq "workspace role revoked" "$(uroles "$U_CAROL" "$WS_JIRA")" "[]"
atl w4 --provisioning --revoke-grant "workspace:$WS_JIRA:role:atlassian/user:user:$U_CAROL"
t_eq "revoking again succeeds" "$(cat "$TMP/w4.rc")" 0
t_grep "revoking again: already revoked" '^atlassian: already revoked workspace:' "$TMP/w4.out"
atl w4b --provisioning --grant-entitlement "workspace:$WS_JIRA:role:atlassian/user" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_grep "a role held only through a group is granted directly" '^atlassian: granted workspace:' "$TMP/w4b.out"
atl w4c --provisioning --revoke-grant "workspace:$WS_JIRA:role:atlassian/user:user:$U_BOB"
groles() {	# group, resource
	mockq "[g['roles'].get('$2', []) for g in s['groups'] if g['id']=='$1'][0]"
}
atl w5 --provisioning --grant-entitlement "workspace:$WS_CONF:role:atlassian/user" \
	--grant-principal "$G_EMPTY" --grant-principal-type group
t_eq "group workspace role through the group role API" "$(groles "$G_EMPTY" "$WS_CONF")" "['atlassian/user']"
atl w5b --provisioning --grant-entitlement "workspace:$WS_CONF:role:atlassian/user" \
	--grant-principal "$G_EMPTY" --grant-principal-type group
t_grep "group workspace role again: already granted" '^atlassian: already granted' "$TMP/w5b.out"
atl w6 --provisioning --revoke-grant "workspace:$WS_CONF:role:atlassian/user:group:$G_EMPTY"
t_eq "group workspace role revoked" "$(groles "$G_EMPTY" "$WS_CONF")" "[]"
atl w7 --provisioning --grant-entitlement "workspace:$WS_CONF:role:atlassian/site-admin" \
	--grant-principal "$G_EMPTY" --grant-principal-type group
t_grep "site-admin to a group refused clearly" 'cannot be given to a group' "$TMP/w7.err"
mockpost config '{"role_api_enabled": false}'
atl w8 --provisioning --grant-entitlement "workspace:$WS_JIRA:role:atlassian/user" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_grep "role API 403 names the support request" \
	'Atlassian support must enable the roles/assign, roles/revoke and invite' "$TMP/w8.err"
t_grep "role API 403 keeps the vendor code" 'ADMIN-UAM-403-1' "$TMP/w8.err"
mockpost config '{"role_api_enabled": true}'

platform() {	# account
	mockq "[u['platformRoles'] for u in s['users'] if u['accountId']=='$1'][0]"
}
atl o1 --provisioning --grant-entitlement "organization:$ORG:role:atlassian/org-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_eq "org-admin granted" "$(platform "$U_BOB")" "['atlassian/org-admin']"
atl o2 --provisioning --revoke-grant "organization:$ORG:role:atlassian/org-admin:user:$U_BOB"
t_eq "org-admin revoked" "$(platform "$U_BOB")" "[]"
atl o3 --provisioning --grant-entitlement "organization:$ORG:role:atlassian/ai-access" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_grep "an org role without an API is refused clearly" 'has no API to grant' "$TMP/o3.err"

members() {	# group
	mockq "sorted([g['members'] for g in s['groups'] if g['id']=='$1'][0])"
}
atl m1 --provisioning --grant-entitlement "group:$G_CONFADM:member" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_grep "group member added" '^atlassian: granted group:' "$TMP/m1.out"
t_check "group member held" sh -c "echo \"$(members "$G_CONFADM")\" | grep -q '$U_CAROL'"
atl m2 --provisioning --grant-entitlement "group:$G_CONFADM:member" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_grep "ADMIN-UAM-409-2: already a member" '^atlassian: already granted' "$TMP/m2.out"
atl m3 --provisioning --revoke-grant "group:$G_CONFADM:member:user:$U_CAROL"
t_check "group member removed" sh -c "! echo \"$(members "$G_CONFADM")\" | grep -q '$U_CAROL'"
atl m4 --provisioning --revoke-grant "group:$G_CONFADM:member:user:$U_CAROL"
t_grep "removing again: already revoked" '^atlassian: already revoked' "$TMP/m4.out"
atl m5 --provisioning --grant-entitlement "group:$G_OKTA:member" \
	--grant-principal "$U_IVAN" --grant-principal-type user
t_eq "IdP-managed group: refused" "$(cat "$TMP/m5.rc")" 1
t_grep "IdP-managed group: one clear line" 'synced from an identity provider.*ADMIN-UAM-403-1' "$TMP/m5.err"
mockpost config '{"seat_limit": 1}'
atl m6 --provisioning --grant-entitlement "group:$G_JIRA:member" \
	--grant-principal "$U_OSCAR" --grant-principal-type user
t_grep "seat limit: one clear line with the code" 'licence .seat. limit.*ADMIN-UAM-409-3' "$TMP/m6.err"
mockpost config '{"seat_limit": 25}'
atl m7 --provisioning --grant-entitlement "group:9f000000-0000-4000-8000-00000000ffff:member" \
	--grant-principal "$U_PEGGY" --grant-principal-type user
t_grep "admin API error envelope: one line with the code" 'HTTP 404 ADMIN-404-10' "$TMP/m7.err"

# --- create, delete, actions ----------------------------------------------
atl c1 --provisioning --create-account-login "newbie@example.com" \
	--create-account-email "newbie@example.com" --create-account-profile \
	'{"givenName":"New","familyName":"Bie","displayName":"New Bie"}'
t_eq "SCIM create: exit 0" "$(cat "$TMP/c1.rc")" 0
t_grep "SCIM create: new account" '^atlassian: created account 712020:' "$TMP/c1.out"
t_eq "SCIM create: in the directory, active" \
	"$(mockq "[(x['active'], x['linked']) for x in s['scimUsers'] if x['userName']=='newbie@example.com'][0]")" \
	"(True, False)"
atl c2 --provisioning --create-account-login "newbie@example.com" \
	--create-account-email "newbie@example.com"
t_grep "SCIM create again: already exists" '^atlassian: already exists: newbie@example.com is account 712020:' "$TMP/c2.out"
atl c3 --provisioning --create-account-login "carol+jira@example.com" \
	--create-account-email "carol+jira@example.com"
t_grep "SCIM create of a managed account: linked" \
	"^atlassian: linked existing managed account $U_CAROL to SCIM user" "$TMP/c3.out"
mockpost reset-stats '{}'
atl c4 --provisioning --approved-domains example.com \
	--create-account-login "mallory@evil.test" --create-account-email "mallory@evil.test"
t_grep "approved-domains: refused" 'not in approved-domains' "$TMP/c4.err"
t_eq "approved-domains: nothing sent" "$(statq 's["api_requests"]')" 0
atl c5 --provisioning --create-account-login "x@example.net" \
	--create-account-email "x@example.net"
t_grep "SCIM error envelope: one line" 'HTTP 400 invalidValue: x@example.net is not on a verified domain' "$TMP/c5.err"
t_eq "create: the SCIM key only on SCIM, the admin key only elsewhere" "$(auth_ok)" "[]"

atl x1 --provisioning --delete-resource "$U_DAVE" --delete-resource-type user
t_grep "delete user" "^atlassian: deleted user $U_DAVE" "$TMP/x1.out"
t_eq "deleted user is for_deletion" "$(mockq "[u['forDeletion'] for u in s['users'] if u['accountId']=='$U_DAVE'][0]")" True
atl x2 --provisioning --delete-resource "$U_DAVE" --delete-resource-type user
t_grep "delete again: already deleted" '^atlassian: already deleted' "$TMP/x2.out"
atl x3 --provisioning --delete-resource "712020:ffffffff-0000-4000-8000-000000000000" \
	--delete-resource-type user
t_grep "accountNotFound: already deleted" '^atlassian: already deleted' "$TMP/x3.out"
atl x4 --provisioning --delete-resource "5b10ac8d82e05b22cc7d4ef5" --delete-resource-type user
t_grep "user management envelope: one line with the key" 'HTTP 403 forbidden: Error: Caller must be a verified org admin' "$TMP/x4.err"

ms() {	# account
	mockq "sorted([u['memberships'] for u in s['users'] if u['accountId']=='$1'][0].items())"
}
atl a1 --provisioning --action disable_user --arg "user_id=$U_IVAN"
t_grep "disable_user: suspended in both directories" 'suspended user .* in 2 directories' "$TMP/a1.out"
t_eq "disable_user: suspended everywhere" "$(ms "$U_IVAN")" \
	"[('$D1', 'suspended'), ('$D2', 'suspended')]"
atl a2 --provisioning --action disable_user --arg "user_id=$U_IVAN"
t_eq "disable_user again succeeds" "$(cat "$TMP/a2.rc")" 0
atl a3 --provisioning --action enable_user --arg "user_id=$U_IVAN"
t_eq "enable_user: restored everywhere" "$(ms "$U_IVAN")" \
	"[('$D1', 'active'), ('$D2', 'active')]"
atl a4 --provisioning --action disable_user --arg "user_id=$U_ALICE"
t_grep "suspending an org admin: explained" 'refuses to suspend an organization admin' "$TMP/a4.err"
atl a5 --provisioning --action disable_user
t_grep "an action without user_id is refused" 'needs --arg user_id' "$TMP/a5.err"
atl a6 --provisioning --action drop_tables --arg "user_id=$U_IVAN"
t_eq "an unknown action: usage error" "$(cat "$TMP/a6.rc")" 2
t_grep "an unknown action is named" 'has no action "drop_tables"' "$TMP/a6.err"
atl a7 --provisioning --action enable_user --arg "user_id=$U_IVAN" --arg "force=1"
t_grep "an unknown argument is refused" 'enable_user takes user_id' "$TMP/a7.err"
atl a8 --provisioning --arg "user_id=$U_IVAN"
t_grep "--arg without --action is refused" 'goes with --action' "$TMP/a8.err"
t_eq "actions: no removed v1 endpoint" "$(statq '[k for k in s["by_route"] if "removed" in k]')" "[]"
"$PORTCULLIS" capabilities > "$TMP/caps" 2>&1
t_grep "capabilities list the actions with their argument" \
	'actions disable_user.user_id., enable_user.user_id.' "$TMP/caps"

t_check "egress rules: the SCIM key only on \$scim, the admin key only on \$base" \
	python3 -c '
import sys
for line in open(sys.argv[1]):
    f = line.split("#")[0].split()
    if not f:
        continue
    host, creds = f[1], (f[3] if len(f) > 3 else "")
    assert (host == "$scim") == (creds == "scim"), line
    assert host in ("$base", "$scim"), line
' "$TOP/policy/egress/atlassian.rules"

# --- configuration: baton's older names, a wrong key ------------------------
sed -i '/^organization-id/d' "$TMP/atl.conf"
BATON_API_TOKEN=$ADMIN_KEY BATON_ORG=$ORG "$PORTCULLIS" --config "$TMP/atl.conf" \
	--app atlassian --file "$TMP/al.c1z" > "$TMP/al.out" 2>"$TMP/al.err"
t_eq "BATON_API_TOKEN and BATON_ORG are aliases" "$?" 0
BATON_ACCESS_TOKEN=wrong-key BATON_ORG=$ORG "$PORTCULLIS" --config "$TMP/atl.conf" \
	--app atlassian --file "$TMP/bad.c1z" > "$TMP/bad.out" 2>"$TMP/bad.err"
t_eq "a wrong key fails" "$?" 1
t_grep "gateway envelope: one line with the code" 'HTTP 401 401: Unauthorized' "$TMP/bad.err"
t_nogrep "keys never logged" "$ADMIN_KEY|$SCIM_KEY|wrong-key" "$TMP/bad.err"
atl_stop
t_done
