#!/bin/sh
# --dry-run through a kit connector (Atlas): a create with an invitation
# prints both writes, in order, with the password placeholder unfilled,
# sends nothing, audits both as dry-run and exits 0 with a result that
# says nothing was sent (never "created"); a grant likewise.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
echo "audit-log = $TMP/audit.log" | cat - "$TMP/atlas.conf" > "$TMP/c" &&
	mv "$TMP/c" "$TMP/atlas.conf"
before=$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["mutations"])')
atlas d1 --provisioning --dry-run --create-account-login dryuser \
	--create-account-email "dry@example.com" --create-account-profile \
	"{\"organizationId\":\"$ORG\",\"groupId\":\"$P1\",\"authType\":\"SCRAM-SHA\"}"
t_eq "dry-run create: exit 0" "$(cat "$TMP/d1.rc")" 0
grep '^dry-run: ' "$TMP/d1.out" | cut -d' ' -f2,3 > "$TMP/d1.req"
printf 'POST /api/atlas/v2/orgs/%s/users\nPOST /api/atlas/v2/groups/%s/databaseUsers\n' \
	"$ORG" "$P1" > "$TMP/d1.want"
t_check "dry-run create: the invitation, then the database user" cmp -s "$TMP/d1.req" "$TMP/d1.want"
t_grep "dry-run create: the placeholder, not a password" '\{\{secret:new_password\}\}' "$TMP/d1.out"
t_grep "dry-run create: the result says none was sent" \
	'^atlas: dry run: 2 writes printed, none sent$' "$TMP/d1.out"
t_nogrep "dry-run create: never says created" 'created|sealed' "$TMP/d1.out"
t_eq "dry-run create: both writes audited as dry-run" \
	"$(grep -c 'result=dry-run' "$TMP/audit.log")" 2
atlas d2 --provisioning --dry-run --grant-entitlement "organization:$ORG:billing-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_eq "dry-run grant: exit 0" "$(cat "$TMP/d2.rc")" 0
t_grep "dry-run grant: the write is printed" '^dry-run: (POST|PATCH|PUT) /api/atlas/v2/orgs/' "$TMP/d2.out"
t_grep "dry-run grant: result" '^atlas: dry run: 1 write printed, none sent$' "$TMP/d2.out"
t_eq "nothing reached the vendor" \
	"$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["mutations"])')" "$before"
t_done
