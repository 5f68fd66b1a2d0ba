#!/bin/sh
# MongoDB Atlas end to end against the stateful mock: a full sync equals
# the expected grant set; every provisioning path, idempotency, auth
# (Digest MD5/SHA-256 with nonce reuse, stale nonces, OAuth2), 429s,
# Atlas errors, create account and delete.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
FX="$TOP/tests/mock/atlas/fixtures/small.json"
atlas_mock "$FX"

# --- sync ---------------------------------------------------------------
atlas sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
"$PORTCULLIS" c1z show "$TMP/a.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/grants"
if cmp -s "$TMP/grants" "$TOP/tests/integration/atlas_small.grants"; then
	t_ok "grant set"
else
	t_fail "grant set" "differs from atlas_small.grants:"
	diff "$TOP/tests/integration/atlas_small.grants" "$TMP/grants" | head
fi
"$PORTCULLIS" c1z show "$TMP/a.c1z" entitlements | tail -n +2 | cut -f1 | sort > "$TMP/ents"
t_eq "entitlement ids are unique" "$(uniq -d "$TMP/ents" | wc -l)" 0
t_grep "org roles: six" 'organization:a00000000000000000000001:billing-viewer' "$TMP/ents"
t_eq "project roles: eleven per project" \
	"$(grep -c "^project:$P0:" "$TMP/ents")" 22
t_nogrep "a collection role is not a database role" 'billing:read:' "$TMP/grants"
t_nogrep "roles stay on the database they name" 'billing:readWrite' "$TMP/grants"
t_nogrep "a DELETING cluster lists no databases" '/old/' "$TMP/ents"
t_grep "\$external users are synced" '\$external/arn:aws:iam::123456789012:role/etl' "$TMP/grants"
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources > "$TMP/res"
t_grep "database user ids are <group>/<db>/<name>" \
	"database_user	$P1/admin/app	app	project:$P1" "$TMP/res"
mockget stats > "$TMP/stats"
t_check "pages were 1-based with 500 items" grep -q '"api_requests"' "$TMP/stats"

# --- provisioning ---------------------------------------------------------
atlas g1 --provisioning --grant-entitlement "organization:$ORG:billing-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_grep "org role granted" '^atlas: granted organization:' "$TMP/g1.out"
t_eq "PATCH kept the other org role" \
	"$(mockq "sorted(u['orgRoles'] for u in s['users'] if u['id']=='$U_BOB')[0]")" \
	"['ORG_MEMBER', 'ORG_BILLING_ADMIN']"
atlas g2 --provisioning --grant-entitlement "organization:$ORG:billing-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_grep "granting again: already granted" '^atlas: already granted' "$TMP/g2.out"
t_eq "already granted is success" "$(cat "$TMP/g2.rc")" 0
atlas r1 --provisioning --revoke-grant \
	"organization:$ORG:billing-admin:user:$U_BOB"
t_eq "org role revoked" \
	"$(mockq "[u['orgRoles'] for u in s['users'] if u['id']=='$U_BOB'][0]")" \
	"['ORG_MEMBER']"
atlas r2 --provisioning --revoke-grant \
	"organization:$ORG:billing-admin:user:$U_BOB"
t_grep "revoking again: already revoked" '^atlas: already revoked' "$TMP/r2.out"
atlas r3 --provisioning --revoke-grant "organization:$ORG:member:user:$U_ERIN"
t_eq "last org role: refused without the policy" "$(cat "$TMP/r3.rc")" 1
t_grep "last org role: says why" 'remove-org-user-on-last-role' "$TMP/r3.err"
atlas r4 --provisioning --remove-org-user-on-last-role --revoke-grant \
	"organization:$ORG:member:user:$U_ERIN"
t_eq "last org role with the policy: user removed" \
	"$(mockq "len([u for u in s['users'] if u['id']=='$U_ERIN'])")" 0
atlas r5 --provisioning --revoke-grant "organization:$ORG:member:user:$U_ERIN"
t_eq "revoking from a removed org user is success" "$(cat "$TMP/r5.rc")" 0
t_grep "revoking from a removed org user: already revoked" \
	'^atlas: already revoked' "$TMP/r5.out"

atlas t1 --provisioning --grant-entitlement "team:$ORG/$T2:member" \
	--grant-principal "$U_FRANK" --grant-principal-type user
t_eq "team member added" "$(mockq "'$U_FRANK' in [t for t in s['teams'] if t['id']=='$T2'][0]['users']")" True
atlas t2 --provisioning --grant-entitlement "team:$ORG/$T2:member" \
	--grant-principal "$U_FRANK" --grant-principal-type user
t_grep "team grant again: already granted" '^atlas: already granted' "$TMP/t2.out"
atlas t3 --provisioning --revoke-grant "team:$ORG/$T2:member:user:$U_FRANK"
atlas t4 --provisioning --revoke-grant "team:$ORG/$T2:member:user:$U_FRANK"
t_grep "team revoke again: already revoked" '^atlas: already revoked' "$TMP/t4.out"
t_eq "team member removed" "$(mockq "'$U_FRANK' in [t for t in s['teams'] if t['id']=='$T2'][0]['users']")" False

atlas p1 --provisioning --grant-entitlement "project:$P0:read-only" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_eq "project role: a new member is added with it" \
	"$(mockq "s['projectUsers']['$P0'].get('$U_CAROL')")" "['GROUP_READ_ONLY']"
atlas p2 --provisioning --grant-entitlement "project:$P0:cluster-manager" \
	--grant-principal "$U_BOB" --grant-principal-type user
atlas p3 --provisioning --revoke-grant "project:$P0:read-only:user:$U_BOB"
t_eq "project revoke removes only that role" \
	"$(mockq "s['projectUsers']['$P0'].get('$U_BOB')")" \
	"['GROUP_DATA_ACCESS_READ_ONLY', 'GROUP_CLUSTER_MANAGER']"
atlas p4 --provisioning --revoke-grant "project:$P0:read-only:user:$U_CAROL"
t_eq "revoking a member's only project role removes the member" \
	"$(mockq "'$U_CAROL' in s['projectUsers']['$P0']")" False

D="database_user:$P0/admin/app"
atlas d1 --provisioning --grant-entitlement "database:$P0/Cluster0/billing:read" \
	--grant-principal "$P0/admin/app" --grant-principal-type database_user
t_eq "database role added, others kept" \
	"$(mockq "[sorted((r['databaseName'],r['roleName']) for r in d['roles']) for d in s['databaseUsers'] if d['username']=='app' and d['groupId']=='$P0'][0]")" \
	"[('admin', 'read'), ('billing', 'read'), ('orders', 'readWrite')]"
atlas d2 --provisioning --revoke-grant "database:$P0/Cluster0/orders:readWrite:$D"
atlas d3 --provisioning --revoke-grant "database:$P0/Cluster0/billing:read:$D"
t_eq "revoked database roles leave read@admin" \
	"$(mockq "[d['roles'] for d in s['databaseUsers'] if d['username']=='app' and d['groupId']=='$P0'][0]")" \
	"[{'databaseName': 'admin', 'roleName': 'read'}]"
atlas d4 --provisioning --grant-entitlement "database:$P0/Cluster0/orders:read" \
	--grant-principal "$P0/admin/app" --grant-principal-type database_user
atlas d5 --provisioning --delete-database-user-with-read-only \
	--revoke-grant "database:$P0/Cluster0/orders:read:$D"
t_eq "only read@admin left with the flag: user deleted" \
	"$(mockq "len([d for d in s['databaseUsers'] if d['username']=='app' and d['groupId']=='$P0'])")" 0
X="database_user:$P0/\$external/arn:aws:iam::123456789012:role/etl"
atlas d6 --provisioning --revoke-grant "database:$P0/Cluster0/billing:dbAdmin:$X"
t_eq "\$external user with no role left is deleted" \
	"$(mockq "len([d for d in s['databaseUsers'] if d['username'].startswith('arn:')])")" 0
atlas d7 --provisioning --revoke-grant "database:$P0/Cluster0/billing:dbAdmin:$X"
t_grep "revoking from a deleted user: already revoked" '^atlas: already revoked' "$TMP/d7.out"
atlas d8 --provisioning --grant-entitlement "project:$P0:admin-readAnyDatabase" \
	--grant-principal "$P1/admin/app" --grant-principal-type database_user
t_eq "a principal of another project is refused" "$(cat "$TMP/d8.rc")" 1

atlas e1 --provisioning --grant-entitlement "organization:$ORG:owner" \
	--grant-principal ffffffffffffffffffffffff --grant-principal-type user
t_grep "Atlas errors are named" 'HTTP 404 USER_NOT_FOUND: No user with ID' "$TMP/e1.err"

# --- create and delete ---------------------------------------------------
atlas c1 --provisioning --create-account-login "arn:aws:iam::1:user/new" \
	--create-account-email "new@example.com" --create-account-profile \
	"{\"organizationId\":\"$ORG\",\"groupId\":\"$P1\",\"authType\":\"AWS_IAM_USER\",\"roles\":[\"ORG_READ_ONLY\"]}"
t_eq "create account: exit 0" "$(cat "$TMP/c1.rc")" 0
t_eq "create account: invitation sent" \
	"$(mockq "[(u['orgMembershipStatus'],u['orgRoles']) for u in s['users'] if u['username']=='new@example.com'][0]")" \
	"('PENDING', ['ORG_READ_ONLY'])"
t_eq "create account: IAM user in \$external with read@admin" \
	"$(mockq "[(d['databaseName'],d.get('awsIAMType'),d['roles']) for d in s['databaseUsers'] if d['username']=='arn:aws:iam::1:user/new'][0]")" \
	"('\$external', 'USER', [{'databaseName': 'admin', 'roleName': 'read'}])"
atlas c2 --provisioning --create-account-login "arn:aws:iam::1:user/new" \
	--create-account-email "new@example.com" --create-account-profile \
	"{\"organizationId\":\"$ORG\",\"groupId\":\"$P1\",\"authType\":\"AWS_IAM_USER\"}"
t_grep "create again: 409s handled, already exists" 'already exists' "$TMP/c2.out"
atlas c3 --provisioning --create-account-login x --create-account-profile \
	"{\"groupId\":\"$P1\",\"authType\":\"KERBEROS\"}"
t_grep "unknown authType refused" 'authType "KERBEROS" is not one of' "$TMP/c3.err"
# SCRAM: the broker generates the password, Atlas gets it, the operator
# gets it sealed; the fetcher and every output never see it.
mkdir -p "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null
atlas s1 --provisioning --vault "spool:$TMP/spool" --vault-key "$TMP/op.pub.jwk" \
	--create-account-login appuser --create-account-profile \
	"{\"groupId\":\"$P1\",\"authType\":\"SCRAM-SHA\"}"
t_eq "SCRAM create: exit 0" "$(cat "$TMP/s1.rc")" 0
t_grep "SCRAM create: secret sealed" \
	'^atlas: secret of "appuser" sealed to .*/spool/atlas-appuser-' "$TMP/s1.out"
SF=$(ls "$TMP"/spool/atlas-appuser-*.jwe 2>/dev/null | head -n 1)
SPW=$("$PORTCULLIS" vault open "$SF" --key "$TMP/op.jwk" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
t_eq "SCRAM: Atlas holds the sealed password" \
	"$(mockq "[d['passwordSha256'] for d in s['databaseUsers'] if d['username']=='appuser'][0]")" \
	"$(printf '%s' "$SPW" | sha256sum | cut -d' ' -f1)"
t_check "SCRAM: 24 characters of the atlas-scram set" sh -c \
	"printf '%s' '$SPW' | grep -qE '^[A-Za-z0-9._~!*+=-]{24}\$'"
t_nogrep "SCRAM: password not in the output" "$SPW" "$TMP/s1.out"
t_nogrep "SCRAM: password not in the log" "$SPW" "$TMP/s1.err"
atlas s2 --provisioning --create-account-login appuser2 --create-account-profile \
	"{\"groupId\":\"$P1\",\"authType\":\"SCRAM-SHA\"}"
t_grep "SCRAM without a vault key: refused before creating" \
	'no vault-key is configured' "$TMP/s2.err"
t_eq "SCRAM without a vault key: no user" \
	"$(mockq "len([d for d in s['databaseUsers'] if d['username']=='appuser2'])")" 0
atlas x1 --provisioning --delete-resource "$P1/\$external/arn:aws:iam::1:user/new" \
	--delete-resource-type database_user
t_grep "delete database user" 'deleted database_user' "$TMP/x1.out"
atlas x2 --provisioning --delete-resource "$P1/\$external/arn:aws:iam::1:user/new" \
	--delete-resource-type database_user
t_grep "delete again: already deleted" 'already deleted' "$TMP/x2.out"
atlas x3 --provisioning --delete-resource "$U_DAVE" --delete-resource-type user
t_eq "delete org user" "$(mockq "len([u for u in s['users'] if u['id']=='$U_DAVE'])")" 0

# --- transport: Digest reuse, stale nonces, 429, OAuth2 ---------------------
mockpost reset-stats '{}'
mockpost config '{"inject_429": 4, "retry_after": 0}'
atlas rl --file "$TMP/rl.c1z"
t_eq "sync through 429s succeeds" "$(cat "$TMP/rl.rc")" 0
t_check "429s were injected" test "$(mockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["rate_limited"])')" -gt 2
mockpost config '{"inject_429": 0, "nonce_max_uses": 1}'
atlas stale --file "$TMP/stale.c1z"
t_eq "every nonce stale: still succeeds" "$(cat "$TMP/stale.rc")" 0
t_check "stale nonces were re-challenged" test "$(mockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["stale"])')" -gt 3
atlas_stop

python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users 2000 --projects 30 --out "$TMP/mid.json"
for algo in MD5 SHA-256; do
	atlas_mock "$TMP/mid.json" --digest-algorithm $algo
	atlas wire --file "$TMP/mid.c1z"
	t_eq "$algo: mid-size sync exits 0" "$(cat "$TMP/wire.rc")" 0
	mockget stats > "$TMP/st"
	t_check "$algo: requests on the wire <= 1.05 x API calls" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
# One challenge per connection in use at once (max-in-flight 8): each
# keeps its own nonce, so nc only grows on the wire for each nonce.
assert s["requests"] <= 1.05 * s["api_requests"] + 8, s
assert s["challenges"] <= 8 + 0.05 * s["api_requests"], s
assert s["api_requests"] > 100, s
' "$TMP/st"
	atlas_stop
done

atlas_mock "$FX"
sed -i 's/^public-key = pubkey01/auth = oauth2\nclient-id = mdb_sa_id_test/' "$TMP/atlas.conf"
BATON_CLIENT_SECRET=mdb_sa_sk_test "$PORTCULLIS" --config "$TMP/atlas.conf" \
	--app atlas --file "$TMP/o.c1z" > "$TMP/oauth.out" 2>"$TMP/oauth.err"
t_eq "OAuth2 service account: sync exits 0" "$?" 0
t_eq "one token for the whole sync" \
	"$(mockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["tokens_issued"])')" 1
BATON_CLIENT_SECRET=wrong "$PORTCULLIS" --config "$TMP/atlas.conf" \
	--app atlas --file "$TMP/o2.c1z" > "$TMP/oauth2.out" 2>"$TMP/oauth2.err"
t_eq "bad client secret fails" "$?" 1
t_grep "bad client secret is named" 'token endpoint answered HTTP 401' "$TMP/oauth2.err"
t_nogrep "client secret never logged" 'mdb_sa_sk_test|wrong' "$TMP/oauth2.err"
t_done
