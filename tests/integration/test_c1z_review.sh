#!/bin/sh
# The reviewer tools on files the connectors wrote and on baton's own
# sample: each filter of `c1z show` (checked against SQL on the file),
# --json in baton's -o json layout checked field by field against the
# baton protos (protojson names, enum names, nesting), syncs, access and
# principals through one- and two-level expansions (Atlas team roles,
# Confluence nested groups) and a cycle, `c1z diff` catching one added
# and one removed grant and the access that follows, CSV export read
# back with Python's csv module, unfinished and v3 files.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
C1Z() { "$PORTCULLIS" c1z "$@"; }
unpack() { tail -c +6 "$1" | zstd -dc > "$2"; }
repack() { { printf 'C1ZF\0'; zstd -q -c "$1"; } > "$2"; }

# An org where team admins (alice, dave) holds read-only on project P1,
# and carol's first name needs CSV quoting.
python3 - "$TOP/tests/mock/atlas/fixtures/small.json" "$TMP/fx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["projectTeams"] = {"c00000000000000000000002":
                     {"d00000000000000000000001": ["GROUP_READ_ONLY"]}}
for u in d["users"]:
    if u["firstName"] == "Carol":
        u["firstName"] = 'Ca,rol "the" C'
json.dump(d, open(sys.argv[2], "w"))
PY
atlas_mock "$TMP/fx.json"
atlas sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
unpack "$TMP/a.c1z" "$TMP/a.db"
q() { sqlite3 "$TMP/a.db" "$1"; }

# --- filters: each against the same question asked in SQL ----------------
rows() { C1Z show "$TMP/a.c1z" "$@" | tail -n +2 | wc -l; }
t_eq "resources -t user" "$(rows resources -t user)" \
	"$(q "select count(*) from v1_resources where resource_type_id='user'")"
t_eq "resources -r TYPE:ID" "$(rows resources -r "user:$U_ALICE")" 1
t_eq "resources -t TYPE -r ID" "$(rows resources -t user -r "$U_ALICE")" 1
t_eq "entitlements -t project" "$(rows entitlements -t project)" \
	"$(q "select count(*) from v1_entitlements where resource_type_id='project'")"
t_eq "entitlements -r project:P1" "$(rows entitlements -r "project:$P1")" \
	"$(q "select count(*) from v1_entitlements where resource_id='$P1'")"
t_eq "entitlements -e one" "$(rows entitlements -e "project:$P1:read-only")" 1
t_eq "grants -t team" "$(rows grants -t team)" \
	"$(q "select count(*) from v1_grants where resource_type_id='team'")"
t_eq "grants -r team:ORG/T1" "$(rows grants -r "team:$ORG/$T1")" 2
t_eq "grants -e" "$(rows grants -e "organization:$ORG:member")" \
	"$(q "select count(*) from v1_grants where entitlement_id='organization:$ORG:member'")"
t_eq "grants -p user:ID" "$(rows grants -p "user:$U_ALICE")" \
	"$(q "select count(*) from v1_grants where principal_resource_id='$U_ALICE'")"
C1Z show "$TMP/a.c1z" grants -p "user:$U_ALICE" | tail -n +2 | cut -f3 | sort -u \
	> "$TMP/p.principals"
t_eq "grants -p: only that principal" "$(cat "$TMP/p.principals")" "user:$U_ALICE"
t_eq "grants -e and -p together" \
	"$(rows grants -e "organization:$ORG:owner" -p "user:$U_ALICE")" 1
C1Z show "$TMP/a.c1z" resources -e x > /dev/null 2>"$TMP/f.err"
t_eq "a filter a table does not take: usage error" "$?" 2
t_grep "and says which" 'takes no -e' "$TMP/f.err"
C1Z show "$TMP/a.c1z" grants -p "$U_ALICE" > /dev/null 2>&1
t_eq "-p without TYPE: refused" "$?" 2

# --- text: what a reviewer needs of a user ---------------------------------
C1Z show "$TMP/a.c1z" resources -t user > "$TMP/users.txt"
t_grep "header has email, status, login, profile" \
	'^resource_type	id	display_name	parent	email	status	login	profile$' \
	"$TMP/users.txt"
t_grep "alice: e-mail, status and login in the text form" \
	"^user	$U_ALICE	alice@example.com	organization:$ORG	alice@example.com	enabled	alice@example.com	{" \
	"$TMP/users.txt"
t_grep "profile in the text form" "^user	$U_ALICE	.*\"Alice\"" "$TMP/users.txt"

# --- JSON: baton's layout, field by field ----------------------------------
# The schema is baton's: outputs.proto (baton.v1) and the c1.connector.v2
# messages, names as protojson writes them (lowerCamelCase).
cat > "$TMP/shape.py" <<'PY'
import json, re, sys
M = {
 "GrantOutput": {"grant": "Grant", "entitlement": "Entitlement",
   "resource": "Resource", "resourceType": "ResourceType",
   "principal": "Resource"},
 "ResourceOutput": {"resource": "Resource", "resourceType": "ResourceType",
   "parent": "Resource"},
 "EntitlementOutput": {"entitlement": "Entitlement", "resource": "Resource",
   "resourceType": "ResourceType"},
 "ResourceTypeOutput": {"resourceType": "ResourceType"},
 "Grant": {"entitlement": "Entitlement", "principal": "Resource", "id": "str",
   "sources": "GrantSources", "annotations": ["Any"]},
 "GrantSources": {"sources": {"*": {"isDirect": "bool"}}},
 "Entitlement": {"resource": "Resource", "id": "str", "displayName": "str",
   "description": "str", "grantableTo": ["ResourceType"],
   "annotations": ["Any"], "purpose": "enum:PURPOSE_VALUE_", "slug": "str"},
 "Resource": {"id": "ResourceId", "parentResourceId": "ResourceId",
   "displayName": "str", "annotations": ["Any"], "description": "str",
   "batonResource": "bool", "externalId": "any", "creationSource":
   "enum:CREATION_SOURCE_", "profile": "obj", "icon": "any", "status":
   {"status": "enum:RESOURCE_STATUS_", "details": "str"}, "createdAt": "time"},
 "ResourceId": {"resourceType": "str", "resource": "str",
   "batonResource": "bool"},
 "ResourceType": {"id": "str", "displayName": "str", "traits":
   ["enum:TRAIT_"], "annotations": ["Any"], "description": "str",
   "sourcedExternally": "bool"},
 "UserTrait": {"emails": [{"address": "str", "isPrimary": "bool"}],
   "status": {"status": "enum:STATUS_", "details": "str"}, "profile": "obj",
   "icon": "any", "accountType": "enum:ACCOUNT_TYPE_", "login": "str",
   "loginAliases": ["str"], "createdAt": "time", "lastLogin": "time",
   "mfaStatus": "any", "ssoStatus": "any", "structuredName": "any",
   "employeeIds": ["str"]},
 "GroupTrait": {"icon": "any", "profile": "obj", "groupSourceType": "str",
   "rawGroupSourceType": "str"},
 "RoleTrait": {"profile": "obj"},
 "AppTrait": {"helpUrl": "str", "icon": "any", "logo": "any", "profile":
   "obj", "flags": ["enum:APP_FLAG_"], "appSourceType": "str",
   "rawAppSourceType": "str"},
 "GrantExpandable": {"entitlementIds": ["str"], "shallow": "bool",
   "resourceTypeIds": ["str"]},
 "GrantImmutable": {"sourceId": "str", "metadata": "obj"},
}
seen = set()
def check(v, t, where):
    if isinstance(t, list):
        assert isinstance(v, list) and v, where + ": not a non-empty list"
        for i, x in enumerate(v): check(x, t[0], "%s[%d]" % (where, i))
        return
    if isinstance(t, dict) and "*" in t:
        assert isinstance(v, dict), where
        for k, x in v.items(): check(x, t["*"], where + "." + k)
        return
    if isinstance(t, dict) or t in M:
        fields = t if isinstance(t, dict) else M[t]
        assert isinstance(v, dict), where + ": not an object"
        for k, x in v.items():
            assert k in fields, "%s: %r is no field of %s" % (where, k, t)
            seen.add(k)
            check(x, fields[k], where + "." + k)
        return
    if t == "Any":
        url = v["@type"]
        assert url.startswith("type.googleapis.com/c1.connector.v2."), url
        name = url.rsplit(".", 1)[1]
        rest = {k: x for k, x in v.items() if k != "@type"}
        if name in M: check(rest, name, where + "<" + name + ">")
        return
    if t == "str": assert isinstance(v, str) and v != "", where; return
    if t == "bool": assert v is True, where + ": false is left out"; return
    if t == "obj": assert isinstance(v, dict), where; return
    if t == "time":
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", v), v
        return
    if t.startswith("enum:"):
        assert isinstance(v, str) and v.startswith(t[5:]), (where, v)
        assert not v.endswith("_UNSPECIFIED"), where + ": zero is left out"
        return
    assert t == "any", t
doc = json.load(open(sys.argv[1]))
list_key, item = sys.argv[2], sys.argv[3]
assert list(doc) == [list_key], list(doc)
for i, x in enumerate(doc[list_key]):
    check(x, item, "%s[%d]" % (list_key, i))
for need in sys.argv[4:]:
    assert need in seen, need + " never seen"
PY
shape() {	# name, file, list, item type, fields that must appear...
	n=$1
	shift
	t_check "$n" python3 "$TMP/shape.py" "$@"
}
C1Z show "$TMP/a.c1z" grants -p "user:$U_ALICE" --json > "$TMP/g.json"
shape "grants --json: baton's GrantOutput layout" "$TMP/g.json" grants \
	GrantOutput grant entitlement resource resourceType principal \
	displayName purpose slug grantableTo traits emails isPrimary accountType \
	login
t_eq "jq-style path .grants[].principal.id.resource" "$(python3 -c '
import json, sys
print(" ".join(sorted({g["principal"]["id"]["resource"]
    for g in json.load(open(sys.argv[1]))["grants"]})))' "$TMP/g.json")" "$U_ALICE"
t_eq "one list element per line (line-oriented tools still work)" \
	"$(($(wc -l < "$TMP/g.json") - 2))" "$(rows grants -p "user:$U_ALICE")"
t_check "a grant's own message is as stored: a principal stub" python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["grants"][0]["grant"]
assert g["principal"] == {"id": {"resourceType": "user", "resource": sys.argv[2]}}, g
assert g["id"].endswith(":user:" + sys.argv[2])' "$TMP/g.json" "$U_ALICE"
t_check "enums by name: TRAIT_USER, STATUS_ENABLED, ACCOUNT_TYPE_HUMAN" \
	python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["grants"][0]
assert g["principal"]["annotations"][0]["status"]["status"] == "STATUS_ENABLED"
assert g["principal"]["annotations"][0]["accountType"] == "ACCOUNT_TYPE_HUMAN"
assert json.load(open(sys.argv[2]))["resourceTypes"][0]["resourceType"]["id"]
' "$TMP/g.json" "$(C1Z show "$TMP/a.c1z" resource-types -t user --json > "$TMP/rt.json"; echo "$TMP/rt.json")"
t_grep "resource type traits as names" '"traits":\["TRAIT_USER"\]' "$TMP/rt.json"
C1Z show "$TMP/a.c1z" resources --json > "$TMP/r.json"
shape "resources --json: ResourceOutput with parent" "$TMP/r.json" \
	resources ResourceOutput resource resourceType parent parentResourceId
C1Z show "$TMP/a.c1z" entitlements --json > "$TMP/e.json"
shape "entitlements --json: EntitlementOutput" "$TMP/e.json" entitlements \
	EntitlementOutput entitlement resource resourceType purpose slug
C1Z show "$TMP/a.c1z" grants -e nothing:here --json > "$TMP/empty.json"
t_eq "no rows: {} as protojson prints an empty list" "$(cat "$TMP/empty.json")" "{}"
C1Z show "$TMP/a.c1z" stats --json > "$TMP/stats.json"
t_check "stats --json: counts are numbers" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert all(type(s[k]) is int for k in ("resource_types", "resources", "entitlements", "grants")), s
assert type(s["resources_by_resource_type"]["user"]) is int' "$TMP/stats.json"
C1Z show "$TMP/a.c1z" syncs > "$TMP/syncs.txt"
t_eq "syncs: one run" "$(tail -n +2 "$TMP/syncs.txt" | wc -l)" 1
t_grep "syncs: id, start, end, type" "^$(q 'select sync_id from v1_sync_runs')	[0-9-]* [0-9:.]*	[0-9-]* [0-9:.]*	full	$" "$TMP/syncs.txt"
C1Z show "$TMP/a.c1z" syncs --json > "$TMP/syncs.json"
t_check "syncs --json: baton's SyncOutput" python3 -c '
import json, re, sys
s = json.load(open(sys.argv[1]))["syncs"]
assert len(s) == 1 and len(s[0]["id"]) == 27 and s[0]["syncType"] == "full"
assert set(s[0]) <= {"id", "startedAt", "endedAt", "syncToken", "syncType", "parentSyncId"}
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", s[0]["endedAt"])
' "$TMP/syncs.json"

# --- access and principals through a team ----------------------------------
C1Z show "$TMP/a.c1z" access -p "user:$U_DAVE" > "$TMP/dave.acc"
t_grep "access: dave holds P1 read-only via team admins" \
	"^project	$P1	project:$P1:read-only	via team admins$" "$TMP/dave.acc"
t_grep "access: his direct grants too" \
	"^team	$ORG/$T1	team:$ORG/$T1:member	direct$" "$TMP/dave.acc"
C1Z show "$TMP/a.c1z" access -p "user:$U_BOB" > "$TMP/bob.acc"
t_nogrep "access: bob is in no team with P1" "project:$P1:read-only" "$TMP/bob.acc"
C1Z show "$TMP/a.c1z" access -p "user:$U_DAVE" --json > "$TMP/dave.json"
t_check "access --json: baton's ResourceAccessListOutput, paths beside" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["principal"]["id"]["resource"] == sys.argv[2]
hit = 0
for a in d["access"]:
    assert set(a) == {"resourceType", "resource", "entitlements", "via"}
    assert len(a["entitlements"]) == len(a["via"])
    for e, v in zip(a["entitlements"], a["via"]):
        assert e["resource"]["id"] == a["resource"]["id"]
        if e["id"].endswith(":read-only"):
            assert v == {"path": [{"resourceType": "team", "resource":
                sys.argv[3], "displayName": "admins"}]}, v
            hit += 1
assert hit == 1' "$TMP/dave.json" "$U_DAVE" "$ORG/$T1"
C1Z show "$TMP/a.c1z" principals -e "project:$P1:read-only" > "$TMP/ro.pr"
t_eq "principals -e: the team and its two members" \
	"$(tail -n +2 "$TMP/ro.pr" | cut -f1,2,4 | sort)" \
	"$(printf 'team\t%s\tdirect\nuser\t%s\tvia team admins\nuser\t%s\tvia team admins' \
	"$ORG/$T1" "$U_ALICE" "$U_DAVE" | sort)"
t_eq "writer: every grant to a team is expandable" \
	"$(q "select count(*) from v1_grants where principal_resource_type_id='team' and resource_type_id='project' and expansion is null")" 0

# --- diff: one grant added, one removed -----------------------------------
C1Z diff "$TMP/a.c1z" "$TMP/a.c1z" > "$TMP/same.diff"
t_eq "diff of a file with itself: exit 0" "$?" 0
t_check "and prints nothing" test ! -s "$TMP/same.diff"
atlas g --provisioning --grant-entitlement "organization:$ORG:billing-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
atlas r --provisioning --revoke-grant "team:$ORG/$T1:member:user:$U_DAVE"
t_eq "grant and revoke ran" "$(cat "$TMP/g.rc") $(cat "$TMP/r.rc")" "0 0"
atlas sync2 --file "$TMP/b.c1z"
C1Z diff "$TMP/a.c1z" "$TMP/b.c1z" > "$TMP/ab.diff"
t_eq "diff: exit 1 when different" "$?" 1
t_grep "diff: the added grant" \
	"^[+] grant organization:$ORG:billing-admin:user:$U_BOB$" "$TMP/ab.diff"
t_grep "diff: the removed grant" \
	"^[-] grant team:$ORG/$T1:member:user:$U_DAVE$" "$TMP/ab.diff"
t_eq "diff: no other grant" "$(grep -c ' grant ' "$TMP/ab.diff")" 2
t_grep "diff: access lost through the team" \
	"^[-] access user:$U_DAVE project:$P1:read-only via team admins$" "$TMP/ab.diff"
t_grep "diff: access gained" \
	"^[+] access user:$U_BOB organization:$ORG:billing-admin direct$" "$TMP/ab.diff"
t_nogrep "diff: alice's access did not change" "access user:$U_ALICE" "$TMP/ab.diff"
C1Z diff "$TMP/a.c1z" "$TMP/b.c1z" --json > "$TMP/ab.json"
t_check "diff --json: baton's C1ZDiffOutput plus access" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"grants", "access"}, set(d)
assert [g["id"] for g in d["grants"]["created"]] == ["organization:%s:billing-admin:user:%s" % (sys.argv[2], sys.argv[3])]
assert [g["id"] for g in d["grants"]["deleted"]] == ["team:%s/%s:member:user:%s" % (sys.argv[2], sys.argv[5], sys.argv[4])]
who = {a["principal"]["resource"]: a for a in d["access"]}
assert [x["entitlement"] for x in who[sys.argv[4]]["removed"]] == ["project:c00000000000000000000002:read-only", "team:%s/%s:member" % (sys.argv[2], sys.argv[5])]
' "$TMP/ab.json" "$ORG" "$U_BOB" "$U_DAVE" "$T1"
printf 'garbage' > "$TMP/bad.c1z"
C1Z diff "$TMP/a.c1z" "$TMP/bad.c1z" > /dev/null 2>&1
t_eq "diff: exit 2 on an error" "$?" 2

# --- CSV export -------------------------------------------------------------
C1Z export "$TMP/a.c1z" --csv "$TMP/csv"
t_eq "export exits 0" "$?" 0
t_check "one file per table, 0600" test "$(stat -c %a "$TMP/csv/grants.csv")" = 600
C1Z show "$TMP/a.c1z" resources -t user --json > "$TMP/u.json"
t_check "CSV round-trips through Python's csv module" python3 -c '
import csv, json, sqlite3, sys
d, db = sys.argv[1], sqlite3.connect(sys.argv[2])
for f, t in (("resource_types", "v1_resource_types"), ("resources", "v1_resources"),
             ("entitlements", "v1_entitlements"), ("grants", "v1_grants"),
             ("sync_runs", "v1_sync_runs")):
    raw = open("%s/%s.csv" % (d, f), "rb").read()
    assert raw.endswith(b"\r\n"), f
    rows = list(csv.reader(open("%s/%s.csv" % (d, f), newline="", encoding="utf-8")))
    assert len(rows) - 1 == db.execute("select count(*) from " + t).fetchone()[0], f
    assert all(len(r) == len(rows[0]) for r in rows), f
gr = list(csv.DictReader(open(d + "/grants.csv", newline="")))
ids = {r[0] for r in db.execute("select external_id from v1_grants")}
assert {r["id"] for r in gr} == ids
# Carol: a comma and quotes survive, and the profile is the same JSON.
users = {u["resource"]["id"]["resource"]: u for u in json.load(open(sys.argv[3]))["resources"]}
res = [r for r in csv.DictReader(open(d + "/resources.csv", newline="")) if r["resource_type"] == "user"]
assert any(json.loads(r["profile"]).get("first_name") == "Ca,rol \"the\" C" for r in res)
for r in res:
    u = users[r["id"]]["resource"]["annotations"][0]
    assert json.loads(r["profile"]) == u["profile"], r
    st = u.get("status", {}).get("status", "STATUS_")[7:].lower()
    assert r["email"] == u["emails"][0]["address"] and r["status"] == st, r
' "$TMP/csv" "$TMP/a.db" "$TMP/u.json"
t_grep "a field with a comma and quotes is quoted, quotes doubled" \
	'Ca,rol \\""the\\"" C' "$TMP/csv/resources.csv"
t_grep "grants.csv: an expandable grant names its sources" \
	"^project:$P1:read-only:team:$ORG/$T1,.*,team:$ORG/$T1:member.$" \
	"$TMP/csv/grants.csv"
cp "$TMP/csv/grants.csv" "$TMP/grants.before"
C1Z export "$TMP/b.c1z" --csv "$TMP/csv" 2>"$TMP/csv.err"
t_eq "export: refuses to overwrite (exit 2)" "$?" 2
t_grep "and names the file" 'exists; export refuses to overwrite' "$TMP/csv.err"
t_check "nothing was touched" cmp -s "$TMP/grants.before" "$TMP/csv/grants.csv"
atlas_stop

# --- two levels and a cycle: Confluence nested groups ----------------------
. "$TOP/tests/lib/confluence.sh"
conf_mock "$FXC"
confl csync --file "$TMP/c.c1z"
t_eq "confluence sync exits 0" "$(cat "$TMP/csync.rc")" 0
C1Z show "$TMP/c.c1z" access -p "user:$K_JOSE" > "$TMP/jose.acc"
t_grep "two levels: space ENG through développeurs, then team" \
	"^space	ENG	space:ENG:create-page	via group développeurs > group team$" \
	"$TMP/jose.acc"
t_grep "one level: team's membership through développeurs" \
	"^group	team	group:team:member	via group développeurs$" "$TMP/jose.acc"
C1Z show "$TMP/c.c1z" principals -e space:ENG:create-page > "$TMP/eng.pr"
t_grep "principals: jose, two levels down" \
	"^user	$K_JOSE	.*	via group développeurs > group team$" "$TMP/eng.pr"
t_eq "writer: every group's space permission is expandable" \
	"$(unpack "$TMP/c.c1z" "$TMP/c.db"; sqlite3 "$TMP/c.db" "select count(*) from v1_grants where principal_resource_type_id='group' and expansion is null")" 0
# A cycle: team also a member of développeurs (as some directories allow).
python3 - "$TMP/c.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
src = "group:team:member".encode()
db.execute("""insert into v1_grants (resource_type_id, resource_id,
  entitlement_id, principal_resource_type_id, principal_resource_id,
  external_id, expansion, needs_expansion, data, sync_id, discovered_at)
  select 'group', 'développeurs', 'group:développeurs:member', 'group', 'team',
  'group:développeurs:member:group:team', ?, 1, data, sync_id, discovered_at
  from v1_grants limit 1""", (b"\x0a" + bytes([len(src)]) + src,))
db.commit()
PY
repack "$TMP/c.db" "$TMP/cyc.c1z"
C1Z show "$TMP/cyc.c1z" access -p "user:$K_JOSE" > "$TMP/cyc.acc"
t_eq "a cycle ends: access exits 0" "$?" 0
t_eq "each entitlement once" "$(tail -n +2 "$TMP/cyc.acc" | cut -f3 | sort | uniq -d)" ""
C1Z show "$TMP/cyc.c1z" principals -e space:ENG:create-page > /dev/null
t_eq "a cycle ends: principals exits 0" "$?" 0
conf_stop

# --- Atlassian: a group's workspace roles reach its members --------------
. "$TOP/tests/lib/atlassian.sh"
atl_mock "$TOP/tests/mock/atlassian/fixtures/small.json"
atl async --file "$TMP/w.c1z"
t_eq "atlassian sync exits 0" "$(cat "$TMP/async.rc")" 0
unpack "$TMP/w.c1z" "$TMP/w.db"
wq() { sqlite3 "$TMP/w.db" "$1"; }
t_check "atlassian: groups hold workspace roles (control)" test "$(wq "select count(*) from v1_grants where principal_resource_type_id='group' and resource_type_id='workspace'")" -gt 0
t_eq "writer: every group workspace role is expandable" \
	"$(wq "select count(*) from v1_grants where principal_resource_type_id='group' and resource_type_id='workspace' and expansion is null")" 0
W=$(wq "select m.principal_resource_id from v1_grants g join v1_grants m on m.entitlement_id = 'group:' || g.principal_resource_id || ':member' where g.principal_resource_type_id='group' and g.resource_type_id='workspace' and m.principal_resource_type_id='user' limit 1")
C1Z show "$TMP/w.c1z" access -p "user:$W" > "$TMP/w.acc"
t_grep "atlassian: a member holds the role via the group" \
	'^workspace	.*	via group ' "$TMP/w.acc"
atl_stop

# --- baton's own file -----------------------------------------------------
S="$SHARED/samples/baton-finished-sync.c1z"
if [ -f "$S" ]; then
	unpack "$S" "$TMP/s.db"
	sq() { sqlite3 "$TMP/s.db" "$1"; }
	srows() { C1Z show "$S" "$@" | tail -n +2 | wc -l; }
	t_eq "sample: resources -t user" "$(srows resources -t user)" 1000
	t_eq "sample: entitlements -r project:project-0000001" \
		"$(srows entitlements -r project:project-0000001)" \
		"$(sq "select count(*) from v1_entitlements where resource_id='project-0000001'")"
	t_eq "sample: grants -e" "$(srows grants -e group:group-0000001:member)" \
		"$(sq "select count(*) from v1_grants where entitlement_id='group:group-0000001:member'")"
	t_eq "sample: grants -p" "$(srows grants -p user:user-0000007)" \
		"$(sq "select count(*) from v1_grants where principal_resource_id='user-0000007'")"
	t_eq "sample: grants -t role" "$(srows grants -t role)" \
		"$(sq "select count(*) from v1_grants where resource_type_id='role'")"
	C1Z show "$S" grants -p user:user-0000000 --json > "$TMP/sg.json"
	shape "sample: grants --json in baton's layout (sources, GrantExpandable)" \
		"$TMP/sg.json" grants GrantOutput sources creationSource employeeIds
	C1Z show "$S" grants -t group --json > "$TMP/sgg.json"
	shape "sample: group grants carry GrantExpandable" "$TMP/sgg.json" \
		grants GrantOutput entitlementIds
	C1Z show "$S" resources --json > "$TMP/sr.json"
	shape "sample: resources --json" "$TMP/sr.json" resources ResourceOutput \
		profile
	C1Z show "$S" access -p user:user-0000000 > "$TMP/s.acc"
	t_grep "sample: access shows what baton expanded" \
		'^project	project-0000001	project:project-0000001:access	expanded from group:' \
		"$TMP/s.acc"
	# A sync that never finished: read, with a warning.
	cp "$TMP/s.db" "$TMP/u.db"
	sqlite3 "$TMP/u.db" "update v1_sync_runs set ended_at = NULL"
	repack "$TMP/u.db" "$TMP/u.c1z"
	C1Z show "$TMP/u.c1z" stats > "$TMP/u.stats" 2>"$TMP/u.err"
	t_eq "unfinished sync: readable" "$?" 0
	t_grep "unfinished sync: all of it" '^grants	14981$' "$TMP/u.stats"
	t_grep "unfinished sync: one warning line" \
		'warning: no finished full sync; reading sync 36zfOAoWMxQdISbixanQCRBiX7E, unfinished' \
		"$TMP/u.err"
	C1Z show "$TMP/u.c1z" syncs > "$TMP/u.syncs" 2>/dev/null
	t_grep "syncs: says unfinished" '	unfinished	full	' "$TMP/u.syncs"
else
	t_skip "baton sample" "../shared/samples is absent"
fi
{ printf 'C1Z3\0'; printf '\0\0\0\2xx'; } > "$TMP/v3.c1z"
C1Z show "$TMP/v3.c1z" stats > /dev/null 2>"$TMP/v3.err"
t_eq "v3 (Pebble): refused" "$?" 1
t_eq "v3: one line" "$(wc -l < "$TMP/v3.err")" 1
t_grep "v3: says only v1 is read and how to convert" \
	'v3 \(Pebble\) .c1z; only v1 \(SQLite\) is read: re-run the connector with --storage-engine sqlite' \
	"$TMP/v3.err"
t_done
