"""The grant set a sync of the mock's state must give, computed from the
state alone (GET /__mock/state on stdin), one grant id a line, sorted.
Every assignment the state holds is here, and nothing else:

  org roles of users (ACTIVE or PENDING) and API keys, teams and projects of an org, team
  members, project roles of users, teams and API keys, database users
  as project members, roles on admin as project roles (built-in or
  custom), every other database role (collection-scoped ones as
  <role>@<collection>) on that database of every cluster of the project
  the user's scopes reach (DELETING clusters have none). Federation
  (unless --no-federation: a key that may not read it): each connected
  org's post-authentication org roles granted to its login IdP, and each
  role mapping's org roles (on that org) and project roles granted to
  its IdP group (the mapping's id).

python3 expect.py < state.json
"""
import json
import sys

ORG = {"ORG_OWNER": "owner", "ORG_GROUP_CREATOR": "project-creator",
       "ORG_BILLING_ADMIN": "billing-admin", "ORG_BILLING_READ_ONLY": "billing-viewer",
       "ORG_READ_ONLY": "read-only", "ORG_MEMBER": "member"}
GROUP = {"GROUP_OWNER": "owner", "GROUP_CLUSTER_MANAGER": "cluster-manager",
         "GROUP_STREAM_PROCESSING_OWNER": "group-stream-processing-owner",
         "GROUP_DATA_ACCESS_ADMIN": "data-access-admin",
         "GROUP_DATA_ACCESS_READ_WRITE": "data-access-read-and-write",
         "GROUP_DATA_ACCESS_READ_ONLY": "data-access-read-only",
         "GROUP_READ_ONLY": "read-only", "GROUP_SEARCH_INDEX_EDITOR": "search-index-editor",
         "GROUP_BACKUP_MANAGER": "group-backup-manager",
         "GROUP_OBSERVABILITY_VIEWER": "group-observability-viewer",
         "GROUP_DATABASE_ACCESS_ADMIN": "group-database-access-admin"}
GONE = ("DELETING", "DELETED")


def federation(s):
    out = set()
    for f in s.get("federations", []):
        okta = {i["oktaIdpId"]: i["id"] for i in f["identityProviders"]}
        for c in f["connectedOrgConfigs"]:
            idp = okta.get(c.get("identityProviderId"))
            for r in c.get("postAuthRoleGrants", []) if idp else []:
                out.add("organization:%s:%s:identity_provider:%s" % (c["orgId"], ORG[r], idp))
            for m in c.get("roleMappings", []):
                for a in m["roleAssignments"]:
                    if "groupId" in a:
                        out.add("project:%s:%s:idp_group:%s" % (a["groupId"], GROUP[a["role"]], m["id"]))
                    elif a.get("orgId") == c["orgId"]:
                        out.add("organization:%s:%s:idp_group:%s" % (c["orgId"], ORG[a["role"]], m["id"]))
    return out


def expect(s, sync_dbs=True, feds=True):
    out = set()
    g2org = {p["id"]: p["orgId"] for p in s["projects"]}
    # An invitation expired or rejected holds nothing (the listings
    # default to ACTIVE and PENDING members).
    live = {u["id"] for u in s["users"] if u["orgMembershipStatus"] in ("ACTIVE", "PENDING")}
    for u in s["users"]:
        if u["id"] not in live:
            continue
        for r in u["orgRoles"]:
            out.add("organization:%s:%s:user:%s" % (u["orgId"], ORG[r], u["id"]))
    for t in s["teams"]:
        tid = "%s/%s" % (t["orgId"], t["id"])
        out.add("organization:%s:team:team:%s" % (t["orgId"], tid))
        for uid in t["users"]:
            if uid in live:
                out.add("team:%s:member:user:%s" % (tid, uid))
    for p in s["projects"]:
        out.add("organization:%s:project:project:%s" % (p["orgId"], p["id"]))
    for gid, mem in s["projectUsers"].items():
        for uid, roles in mem.items():
            for r in roles if uid in live else []:
                out.add("project:%s:%s:user:%s" % (gid, GROUP[r], uid))
    for gid, mem in s.get("projectTeams", {}).items():
        for tid, roles in mem.items():
            for r in roles:
                out.add("project:%s:%s:team:%s/%s" % (gid, GROUP[r], g2org[gid], tid))
    for k in s["apiKeys"]:
        for r in k.get("roles") or [{"orgId": k["orgId"], "roleName": "ORG_MEMBER"}]:
            if "groupId" in r:
                out.add("project:%s:%s:org_api_key:%s" % (r["groupId"], GROUP[r["roleName"]], k["id"]))
            else:
                out.add("organization:%s:%s:org_api_key:%s" % (r["orgId"], ORG[r["roleName"]], k["id"]))
    for d in s["databaseUsers"]:
        gid = d["groupId"]
        pid = "%s/%s/%s" % (gid, d["databaseName"], d["username"])
        out.add("project:%s:member:database_user:%s" % (gid, pid))
        reach = [c["name"] for c in s["clusters"] if c["groupId"] == gid and c["stateName"] not in GONE]
        if d.get("scopes"):
            names = [x["name"] for x in d["scopes"] if x["type"] == "CLUSTER"]
            reach = [n for n in reach if n in names]
        for r in d["roles"]:
            coll = r.get("collectionName", "")
            if r["databaseName"] == "admin" and not coll:
                out.add("project:%s:admin-%s:database_user:%s" % (gid, r["roleName"], pid))
                continue
            if not sync_dbs:
                continue
            slug = r["roleName"] + ("@" + coll if coll else "")
            for n in reach:
                out.add("database:%s/%s/%s:%s:database_user:%s" % (gid, n, r["databaseName"], slug, pid))
    if feds:
        out |= federation(s)
    return sorted(out)


if __name__ == "__main__":
    for g in expect(json.load(sys.stdin), "--no-databases" not in sys.argv,
                    "--no-federation" not in sys.argv):
        print(g)
