#!/usr/bin/env python3
"""Deterministic Atlas fixtures for the mock.

gen_fixture.py --small              a small org for correctness tests
gen_fixture.py --users N --projects M [--seed S]   large orgs for benchmarks
Writes JSON to stdout (or --out FILE)."""
import argparse, json, random

ORG_ROLES = ["ORG_OWNER", "ORG_GROUP_CREATOR", "ORG_BILLING_ADMIN",
             "ORG_BILLING_READ_ONLY", "ORG_READ_ONLY", "ORG_MEMBER"]
GROUP_ROLES = ["GROUP_OWNER", "GROUP_CLUSTER_MANAGER", "GROUP_STREAM_PROCESSING_OWNER",
               "GROUP_DATA_ACCESS_ADMIN", "GROUP_DATA_ACCESS_READ_WRITE",
               "GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY", "GROUP_SEARCH_INDEX_EDITOR",
               "GROUP_BACKUP_MANAGER", "GROUP_OBSERVABILITY_VIEWER",
               "GROUP_DATABASE_ACCESS_ADMIN"]


def hexid(prefix, n):
    return "%s%0*x" % (prefix, 24 - len(prefix), n)


def small():
    org = hexid("a0", 1)
    users = []
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    for i, n in enumerate(names):
        users.append({
            "id": hexid("b0", i + 1), "username": "%s@example.com" % n,
            "firstName": n.capitalize(), "lastName": "Test", "country": "US",
            "orgMembershipStatus": "PENDING" if n == "heidi" else "ACTIVE",
            "orgId": org,
            "orgRoles": [["ORG_OWNER"], ["ORG_MEMBER"], ["ORG_MEMBER", "ORG_READ_ONLY"],
                         ["ORG_BILLING_ADMIN"], ["ORG_MEMBER"], ["ORG_GROUP_CREATOR"],
                         ["ORG_BILLING_READ_ONLY"], ["ORG_MEMBER"]][i],
        })
    projects = [
        {"id": hexid("c0", 1), "name": "prod", "orgId": org},
        {"id": hexid("c0", 2), "name": "staging", "orgId": org},
        {"id": hexid("c0", 3), "name": "empty", "orgId": org},
    ]
    project_users = {
        projects[0]["id"]: {users[0]["id"]: ["GROUP_OWNER"],
                            users[1]["id"]: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]},
        projects[1]["id"]: {users[2]["id"]: ["GROUP_CLUSTER_MANAGER"]},
        projects[2]["id"]: {},
    }
    teams = [
        {"id": hexid("d0", 1), "name": "admins", "orgId": org, "users": [users[0]["id"], users[3]["id"]]},
        {"id": hexid("d0", 2), "name": "devs", "orgId": org, "users": [users[1]["id"], users[2]["id"], users[4]["id"]]},
    ]
    p0, p1 = projects[0]["id"], projects[1]["id"]
    dbusers = [
        {"groupId": p0, "databaseName": "admin", "username": "app",
         "roles": [{"databaseName": "orders", "roleName": "readWrite"},
                   {"databaseName": "admin", "roleName": "read"}]},
        {"groupId": p0, "databaseName": "admin", "username": "reporter",
         "roles": [{"databaseName": "orders", "roleName": "read"},
                   {"databaseName": "billing", "roleName": "read", "collectionName": "invoices"},
                   {"databaseName": "admin", "roleName": "readAnyDatabase"}]},
        {"groupId": p0, "databaseName": "$external", "awsIAMType": "ROLE",
         "username": "arn:aws:iam::123456789012:role/etl",
         "roles": [{"databaseName": "billing", "roleName": "dbAdmin"}]},
        {"groupId": p0, "databaseName": "$external", "x509Type": "CUSTOMER",
         "username": "CN=svc,OU=ops,O=example", "roles": [{"databaseName": "admin", "roleName": "atlasAdmin"}]},
        {"groupId": p1, "databaseName": "admin", "username": "app",
         "roles": [{"databaseName": "orders", "roleName": "read"}]},
        {"groupId": p1, "databaseName": "$external", "oidcAuthType": "USER",
         "username": "idp1/worker", "roles": [{"databaseName": "admin", "roleName": "read"}]},
    ]
    clusters = [
        {"groupId": p0, "id": hexid("e0", 1), "name": "Cluster0", "stateName": "IDLE",
         "databases": ["orders", "billing", "admin", "local"]},
        {"groupId": p0, "id": hexid("e0", 2), "name": "old", "stateName": "DELETING",
         "databases": ["orders"]},
        {"groupId": p1, "id": hexid("e0", 3), "name": "stage-1", "stateName": "IDLE",
         "databases": ["orders"]},
    ]
    apikeys = [{"id": hexid("f0", 1), "desc": "ci key", "publicKey": "abcdefgh", "orgId": org}]
    return {"orgs": [{"id": org, "name": "Example Org"}], "users": users,
            "projects": projects, "projectUsers": project_users, "teams": teams,
            "databaseUsers": dbusers, "clusters": clusters, "apiKeys": apikeys,
            "credentials": [{"publicKey": "pubkey01", "privateKey": "priv-5e3c-4b2a"}],
            "serviceAccounts": [{"clientId": "mdb_sa_id_test", "clientSecret": "mdb_sa_sk_test"}]}


def big(nusers, nprojects, seed):
    rnd = random.Random(seed)
    org = hexid("a0", 1)
    users = [{"id": hexid("b", i), "username": "u%d@example.com" % i, "firstName": "U",
              "lastName": str(i), "country": "US", "orgMembershipStatus": "ACTIVE",
              "orgId": org, "orgRoles": [rnd.choice(ORG_ROLES)]} for i in range(nusers)]
    projects = [{"id": hexid("c", i), "name": "p%d" % i, "orgId": org} for i in range(nprojects)]
    pu = {}
    for p in projects:
        pu[p["id"]] = {users[rnd.randrange(nusers)]["id"]: [rnd.choice(GROUP_ROLES)]
                       for _ in range(5)}
    teams = [{"id": hexid("d", i), "name": "t%d" % i, "orgId": org,
              "users": [users[rnd.randrange(nusers)]["id"] for _ in range(20)]}
             for i in range(max(1, nusers // 1000))]
    dbusers = [{"groupId": p["id"], "databaseName": "admin", "username": "app%d" % j,
                "roles": [{"databaseName": "db%d" % (j % 3), "roleName": "readWrite"}]}
               for p in projects for j in range(3)]
    clusters = [{"groupId": p["id"], "id": hexid("e", i), "name": "c%d" % i,
                 "stateName": "IDLE", "databases": ["db0", "db1", "db2"]}
                for i, p in enumerate(projects)]
    return {"orgs": [{"id": org, "name": "Big Org"}], "users": users, "projects": projects,
            "projectUsers": pu, "teams": teams, "databaseUsers": dbusers,
            "clusters": clusters, "apiKeys": [],
            "credentials": [{"publicKey": "pubkey01", "privateKey": "priv-5e3c-4b2a"}],
            "serviceAccounts": [{"clientId": "mdb_sa_id_test", "clientSecret": "mdb_sa_sk_test"}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--users", type=int, default=100000)
    ap.add_argument("--projects", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = small() if a.small else big(a.users, a.projects, a.seed)
    s = json.dumps(doc, indent=None if not a.small else 1)
    if a.out:
        open(a.out, "w").write(s)
    else:
        print(s)


if __name__ == "__main__":
    main()
