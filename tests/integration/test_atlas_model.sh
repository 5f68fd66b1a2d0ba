#!/bin/sh
# MongoDB Atlas, the access model (issue 14, items 3-6): every assignment
# in the mock's state is a grant in the .c1z and nothing else is
# (tests/mock/atlas/expect.py computes them from the state alone), on
# the small fixture and on the rich one (teams on projects, custom and
# collection-scoped roles, scoped users, a paused and a creating cluster,
# API keys with org and project roles). A team's project role is
# expandable to the team's members; a cluster without a process is a
# warning and the sync goes on.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
EXPECT="$TOP/tests/mock/atlas/expect.py"

# grants of a .c1z, one id a line, sorted
c1z_grants() {
	"$PORTCULLIS" c1z show "$1" grants | tail -n +2 | cut -f1 | sort
}

# the raw sqlite of a .c1z (magic, then zstd)
c1z_db() {
	tail -c +6 "$1" | zstd -dq > "$2"
}

model() {	# name fixture
	atlas_mock "$2"
	atlas "$1" --file "$TMP/$1.c1z"
	t_eq "$1: sync exits 0" "$(cat "$TMP/$1.rc")" 0
	c1z_grants "$TMP/$1.c1z" > "$TMP/$1.got"
	mockget state | python3 "$EXPECT" > "$TMP/$1.want"
	if cmp -s "$TMP/$1.want" "$TMP/$1.got"; then
		t_ok "$1: the grants are the mock's assignments, no more, no less"
	else
		t_fail "$1: grants" "differ from the mock's state (< missing, > extra):"
		diff "$TMP/$1.want" "$TMP/$1.got" | head -20
	fi
}

# --- small fixture: also the checked-in expected set --------------------
model small "$TOP/tests/mock/atlas/fixtures/small.json"
t_check "small: atlas_small.grants is the mock's state" \
	cmp -s "$TMP/small.want" "$TOP/tests/integration/atlas_small.grants"
atlas_stop

# --- rich fixture ---------------------------------------------------------
RP0=c10000000000000000000001 RP2=c10000000000000000000002
RP4=c10000000000000000000004 RORG=a10000000000000000000001
RT1=d10000000000000000000001
model rich "$TOP/tests/mock/atlas/fixtures/rich.json"
G=$TMP/rich.got
# item 3: teams on projects
t_grep "a team holds a project role" \
	"^project:$RP0:cluster-manager:team:$RORG/$RT1\$" "$G"
t_check "rich: the team grants number the mock's team roles" test \
	"$(grep -c ':team:a1' "$G" | tr -d ' ')" -eq \
	"$(mockq "sum(len(r) for m in s['projectTeams'].values() for r in m.values()) + len(s['teams'])")"
c1z_db "$TMP/rich.c1z" "$TMP/rich.db"
t_eq "a team's project role is expandable to the team's members" \
	"$(sqlite3 "$TMP/rich.db" "select count(*) from v1_grants where external_id = 'project:$RP0:cluster-manager:team:$RORG/$RT1' and needs_expansion = 1 and instr(expansion, cast('team:$RORG/$RT1:member' as blob)) > 0")" 1
t_eq "a user's direct grant is not expandable" \
	"$(sqlite3 "$TMP/rich.db" "select count(*) from v1_grants where external_id like 'organization:%:user:%' and (needs_expansion != 0 or expansion is not null)")" 0
"$PORTCULLIS" c1z show "$TMP/rich.c1z" entitlements > "$TMP/rich.ents"
t_grep "project roles are grantable to teams" \
	"^project:$RP0:cluster-manager	.*team" "$TMP/rich.ents"
# item 5: org API keys
t_grep "an ORG_OWNER key holds the owner grant" \
	"^organization:$RORG:owner:org_api_key:f00000000000000000000001\$" "$G"
t_grep "a key's project role" \
	"^project:$RP0:owner:org_api_key:f00000000000000000000002\$" "$G"
# item 6: no process for a paused or creating cluster
t_grep "a paused cluster is a warning" \
	"warning: cluster $RP0/prod-archive has no monitoring process" "$TMP/rich.err"
t_grep "a creating cluster is a warning" \
	"warning: cluster $RP4/analytics-new has no monitoring process" "$TMP/rich.err"
t_grep "the paused cluster's databases come from role references" \
	"^database:$RP0/prod-archive/archive:readWrite:database_user:$RP0/admin/archivist\$" "$G"
# item 4: database roles
t_grep "a database no cluster lists is made from the role" \
	"^database:$RP0/prod-main/orders:read:database_user:$RP0/admin/reporter\$" "$G"
t_grep "a collection-scoped role is its own entitlement" \
	"^database:$RP0/prod-main/billing:readWrite@drafts:database_user:$RP0/admin/reporter\$" "$G"
t_grep "a custom role is a grant" \
	"^project:$RP0:admin-ordersAuditor:database_user:$RP0/admin/order-auditor\$" "$G"
t_eq "a custom role's privileges are in its description" \
	"$(sqlite3 "$TMP/rich.db" "select count(*) from v1_entitlements where external_id = 'project:$RP0:admin-ordersAuditor' and instr(data, cast('FIND on orders,billing.invoices; LIST_COLLECTIONS on orders; inherits clusterMonitor@admin' as blob)) > 0")" 1
t_nogrep "a user scoped to one cluster has nothing on another" \
	"^database:$RP0/prod-main/[^:]*:[^:]*:database_user:$RP0/admin/archivist\$" "$G"
t_nogrep "a DATA_LAKE scope reaches no cluster" \
	"^database:$RP4/analytics-new/.*:database_user:$RP4/admin/analyst\$" "$G"
t_eq "entitlement ids are unique" \
	"$(tail -n +2 "$TMP/rich.ents" | cut -f1 | sort | uniq -d | wc -l)" 0
atlas_stop

# --- a generated org: teams on every other project, many users ------------
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users 2000 --projects 30 --out "$TMP/mid.json"
model mid "$TMP/mid.json"
t_check "mid: team roles are synced" grep -q ':team:' "$TMP/mid.got"
atlas_stop

# --- a collection-scoped role is granted and revoked as synced ---------------
atlas_mock "$TOP/tests/mock/atlas/fixtures/rich.json"
CE="database:$RP0/prod-main/billing:read@invoices"
roles_of() {	# username in RP0: its roles as (db, role, collection)
	mockq "[sorted((r['databaseName'], r['roleName'], r.get('collectionName', '')) for r in d['roles']) for d in s['databaseUsers'] if d['groupId']=='$RP0' and d['username']=='$1'][0]"
}
atlas cg1 --provisioning --grant-entitlement "$CE" \
	--grant-principal "$RP0/admin/orders-app" --grant-principal-type database_user
t_eq "collection role grant: exit 0" "$(cat "$TMP/cg1.rc")" 0
t_eq "collection role grant: added on that collection, others kept" \
	"$(roles_of orders-app)" \
	"[('admin', 'read', ''), ('billing', 'read', 'invoices'), ('orders', 'readWrite', '')]"
atlas cg2 --provisioning --grant-entitlement "$CE" \
	--grant-principal "$RP0/admin/orders-app" --grant-principal-type database_user
t_grep "collection role grant again: already granted" '^atlas: already granted' "$TMP/cg2.out"
atlas cg3 --provisioning --revoke-grant "$CE:database_user:$RP0/admin/reporter"
t_eq "collection role revoke: only that collection's role goes" \
	"$(roles_of reporter)" \
	"[('admin', 'readAnyDatabase', ''), ('billing', 'readWrite', 'drafts'), ('orders', 'read', '')]"
atlas cg4 --provisioning --revoke-grant "database:$RP0/prod-main/orders:read:database_user:$RP0/admin/reporter"
t_eq "a whole-database revoke leaves the collection roles" \
	"$(roles_of reporter)" \
	"[('admin', 'readAnyDatabase', ''), ('billing', 'readWrite', 'drafts')]"
atlas cg5 --file "$TMP/cg5.c1z"
c1z_grants "$TMP/cg5.c1z" > "$TMP/cg5.got"
mockget state | python3 "$EXPECT" > "$TMP/cg5.want"
t_check "after the writes: the grants are still the mock's state" cmp -s \
	"$TMP/cg5.want" "$TMP/cg5.got"
atlas_stop

# --- enable-sync-databases = false: the rest of the model -------------------
atlas_mock "$TOP/tests/mock/atlas/fixtures/rich.json"
sed -i 's/^public-key = pubkey01/&\nenable-sync-databases = false/' "$TMP/atlas.conf"
atlas nodb --file "$TMP/nodb.c1z"
t_eq "without databases: sync exits 0" "$(cat "$TMP/nodb.rc")" 0
c1z_grants "$TMP/nodb.c1z" > "$TMP/nodb.got"
mockget state | python3 "$EXPECT" --no-databases > "$TMP/nodb.want"
t_check "without databases: the rest of the model" cmp -s \
	"$TMP/nodb.want" "$TMP/nodb.got"
atlas_stop
t_done
