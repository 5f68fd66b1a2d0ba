#!/bin/sh
# A .c1z we write, checked without our own reader: the 5-byte header,
# zstd of the rest, baton's table and index names, the sync run row, id
# formats and protobuf field numbers (protoc --decode_raw). Also: our
# reader reads baton's own sample, and both files have the same shape.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
atlas sync --file "$TMP/a.c1z"
t_eq "sync wrote a file" "$(cat "$TMP/sync.rc")" 0
t_eq "header is C1ZF\\0" "$(head -c 5 "$TMP/a.c1z" | od -An -c | tr -s ' ')" " C 1 Z F \\0"
t_check "file is 0600" test "$(stat -c %a "$TMP/a.c1z")" = 600
tail -c +6 "$TMP/a.c1z" | zstd -dc > "$TMP/a.db" 2>"$TMP/zerr"
t_eq "the rest is one zstd stream" "$?" 0
q() { sqlite3 "$TMP/a.db" "$1"; }
for t in v1_resource_types v1_resources v1_entitlements v1_grants \
    v1_sync_runs v1_assets v1_connector_sessions; do
	t_eq "table $t" "$(q "select count(*) from sqlite_master where type='table' and name='$t'")" 1
done
for i in idx_resources_parent_resource_id_v1 idx_grants_external_sync_v1 \
    idx_grants_sync_needs_expansion_v1 idx_entitlements_external_sync_v1; do
	t_eq "index $i" "$(q "select count(*) from sqlite_master where type='index' and name='$i'")" 1
done
t_eq "one finished full sync, grants backfilled" \
	"$(q "select count(*) from v1_sync_runs where sync_type='full' and ended_at is not null and grants_backfilled=1 and length(sync_id)=27")" 1
t_eq "rows belong to that sync" \
	"$(q "select count(*) from v1_grants where sync_id != (select sync_id from v1_sync_runs)")" 0
t_eq "resource external ids are <type>:<id>" \
	"$(q "select count(*) from v1_resources where external_id != resource_type_id || ':' || (select 1) and external_id not like resource_type_id || ':%'")" 0
t_eq "grant ids are <entitlement>:<ptype>:<pid>" \
	"$(q "select count(*) from v1_grants where external_id != entitlement_id || ':' || principal_resource_type_id || ':' || principal_resource_id")" 0
t_eq "every grant's principal exists (baton readers need it)" \
	"$(q "select count(*) from v1_grants g where not exists (select 1 from v1_resources r where r.external_id = g.principal_resource_type_id || ':' || g.principal_resource_id)")" 0
t_eq "every grant's entitlement exists" \
	"$(q "select count(*) from v1_grants g where not exists (select 1 from v1_entitlements e where e.external_id = g.entitlement_id)")" 0
t_eq "timestamps in baton's layout" \
	"$(q "select count(*) from v1_grants where discovered_at not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'")" 0
# Field numbers, decoded without our .proto.
q "select hex(data) from v1_resources where external_id = 'user:$U_ALICE'" |
	xxd -r -p | protoc --decode_raw > "$TMP/user.pb"
t_grep "Resource.id (1) holds ResourceId{1 type, 2 id}" '^1 \{' "$TMP/user.pb"
t_grep "ResourceId.resource_type is field 1" '^  1: "user"' "$TMP/user.pb"
t_grep "Resource.display_name is field 3" '^3: "alice@example.com"' "$TMP/user.pb"
t_grep "trait Any in annotations (4) with its type URL" \
	'1: "type.googleapis.com/c1.connector.v2.UserTrait"' "$TMP/user.pb"
t_grep "UserTrait.login is field 6" '^    6: "alice@example.com"' "$TMP/user.pb"
q "select hex(data) from v1_entitlements limit 1" | xxd -r -p |
	protoc --decode_raw > "$TMP/ent.pb"
t_grep "Entitlement.id is field 2" '^2: "' "$TMP/ent.pb"
t_grep "Entitlement.slug is field 8" '^8: "' "$TMP/ent.pb"
t_grep "Entitlement.purpose is field 7" '^7: [12]$' "$TMP/ent.pb"
q "select hex(data) from v1_grants where entitlement_id like 'team:%' limit 1" |
	xxd -r -p | protoc --decode_raw > "$TMP/grant.pb"
t_grep "Grant.entitlement (1) carries its id (2)" '^  2: "team:' "$TMP/grant.pb"
t_grep "Grant.principal is field 2" '^2 \{' "$TMP/grant.pb"
t_grep "Grant.id is field 3" '^3: "team:' "$TMP/grant.pb"
"$PORTCULLIS" c1z show "$TMP/a.c1z" stats > "$TMP/stats"
t_grep "our reader reads it: as many grants as atlas_small.grants" \
	"^grants	$(wc -l < "$TOP/tests/integration/atlas_small.grants")$" "$TMP/stats"
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources --json > "$TMP/res.json"
t_check "JSON in baton's layout, one resource per line" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [r["resource"]["id"] for r in doc["resources"]]
ids = [r["resourceType"] + ":" + r["resource"] for r in rows]
# Ordered by baton external id, so the output does not depend on timing.
assert len(rows) == 29 and ids == sorted(ids) and \
    rows[0]["resourceType"] == "database"
assert len(open(sys.argv[1]).read().splitlines()) == 29 + 2' "$TMP/res.json"
printf 'garbage' > "$TMP/bad.c1z"
"$PORTCULLIS" c1z show "$TMP/bad.c1z" stats > /dev/null 2>"$TMP/bad.err"
t_eq "a non-c1z is refused" "$?" 1
t_grep "and named" 'not a v1 .c1z' "$TMP/bad.err"

S="$SHARED/samples/baton-finished-sync.c1z"
if [ -f "$S" ]; then
	"$PORTCULLIS" c1z show "$S" stats > "$TMP/s.stats"
	t_grep "reads baton's own file" '^grants	14981$' "$TMP/s.stats"
	tail -c +6 "$S" | zstd -dc > "$TMP/s.db"
	for t in v1_resource_types v1_resources v1_entitlements v1_grants v1_sync_runs; do
		ours=$(sqlite3 "$TMP/a.db" "select group_concat(name) from pragma_table_info('$t')")
		theirs=$(sqlite3 "$TMP/s.db" "select group_concat(name) from pragma_table_info('$t')")
		# Newer baton schemas add columns (grant expansion, sync
		# run fields); the sample's must all be there, in order.
		t_check "$t: baton's columns, in baton's order" python3 -c '
import sys
ours, theirs = sys.argv[1].split(","), sys.argv[2].split(",")
it = iter(ours)
assert all(c in it for c in theirs), (ours, theirs)' "$ours" "$theirs"
	done
	sqlite3 "$TMP/s.db" "select hex(data) from v1_grants limit 1" | xxd -r -p |
		protoc --decode_raw > "$TMP/sg.pb"
	for f in '^1 \{' '^2 \{' '^3: "'; do
		t_grep "baton's grant has the shape ours has ($f)" "$f" "$TMP/sg.pb"
	done
else
	t_skip "baton sample" "../shared/samples is absent"
fi
t_done
