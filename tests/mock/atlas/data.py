"""Organizations, projects, API keys, database users, custom database
roles, clusters and the databases their processes list."""
import hashlib

from core import ApiError, Route, V2023, V2024, PAGED, LINKS, arr, obj, page, host_of
from views import Base

AUTH_TYPES = {"awsIAMType": ("NONE", "USER", "ROLE"), "ldapAuthType": ("NONE", "GROUP", "USER"),
              "oidcAuthType": ("NONE", "IDP_GROUP", "USER"), "x509Type": ("NONE", "CUSTOMER", "MANAGED")}
DB_ROLE = obj({"databaseName": "str", "roleName": "str", "collectionName": "str"},
              req=["databaseName", "roleName"])
# CloudDatabaseUser: the PATCH body is the whole user, like the POST one.
DB_USER = obj(dict({"databaseName": ("admin", "$external"), "groupId": "str", "username": "str",
                    "password": "str", "description": "str", "deleteAfterDate": "str",
                    "roles": arr(DB_ROLE),
                    "scopes": arr(obj({"name": "name", "type": ("CLUSTER", "DATA_LAKE", "STREAM")},
                                      req=["name", "type"])),
                    "labels": arr(obj({"key": "str", "value": "str"})), "links": LINKS},
                   **AUTH_TYPES), req=["databaseName", "groupId", "roles", "username"])
NOT_RUNNING = ("CREATING",)     # no process answers yet


class DataApi(Base):
    def data_routes(self):
        OM, GR, GD = ("org", "member"), ("group", "read"), ("group", "dbadmin")
        named = dict(PAGED, name="str")
        return [
            Route("GET", "/orgs", "listOrgs", V2023, self.list_orgs, named),
            Route("GET", "/orgs/{orgId}/groups", "getOrgGroups", V2023, self.list_org_groups,
                  named, need=OM),
            Route("GET", "/orgs/{orgId}/apiKeys", "listOrgApiKeys", V2023, self.list_apikeys,
                  PAGED, need=OM),
            Route("GET", "/groups", "listGroups", V2023, self.list_groups, PAGED),
            Route("GET", "/groups/{groupId}", "getGroup", V2023, self.get_group, need=GR),
            Route("GET", "/groups/{groupId}/apiKeys", "listGroupApiKeys", V2023,
                  self.list_group_apikeys, PAGED, need=GR),
            Route("GET", "/groups/{groupId}/databaseUsers", "listDatabaseUsers", V2023,
                  self.list_dbusers, PAGED, need=GR),
            Route("POST", "/groups/{groupId}/databaseUsers", "createDatabaseUser", V2023,
                  self.create_dbuser, body=DB_USER, need=GD),
            Route("GET", "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
                  "getDatabaseUser", V2023, self.get_dbuser, need=GR),
            Route("PATCH", "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
                  "updateDatabaseUser", V2023, self.patch_dbuser, body=DB_USER, need=GD),
            Route("DELETE", "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
                  "deleteDatabaseUser", V2023, self.delete_dbuser, need=GD),
            Route("GET", "/groups/{groupId}/customDBRoles/roles", "listCustomDbRoles", V2023,
                  self.list_custom_roles, need=GR),
            Route("GET", "/groups/{groupId}/customDBRoles/roles/{roleName}", "getCustomDbRole",
                  V2023, self.get_custom_role, need=GR),
            Route("GET", "/groups/{groupId}/clusters", "listClusters", V2024, self.list_clusters,
                  dict(PAGED, includeDeletedWithRetainedBackups="bool"), need=GR),
            Route("GET", "/groups/{groupId}/processes/{processId}/databases", "listDatabases",
                  V2023, self.list_dbs, PAGED, need=GR),
        ]

    # -- organizations and projects -------------------------------------------
    def list_orgs(self, m, q, body):
        # "all organizations to which the requesting ... API Key has access"
        prefix = q.get("name", [""])[0].lower()
        orgs = [o for o in self.st.orgs.values() if o["name"].lower().startswith(prefix)
                and (self.may_org(o["id"], "member") or any(
                    self.may_group(p["id"], "read") for p in self.index().org_projects.get(o["id"], [])))]
        return 200, page([{"id": o["id"], "name": o["name"], "isDeleted": False} for o in orgs], q)

    def group_view(self, p):
        return {"id": p["id"], "name": p["name"], "orgId": p["orgId"],
                "clusterCount": len(self.index().group_clusters.get(p["id"], [])),
                "created": "2024-01-01T00:00:00Z", "links": []}

    def list_org_groups(self, m, q, body):
        self.org(m[0])
        prefix = q.get("name", [""])[0].lower()
        ps = self.index().org_projects.get(m[0], [])
        if prefix:
            ps = [p for p in ps if p["name"].lower().startswith(prefix)]
        return 200, page(ps, q, view=self.group_view)

    def list_groups(self, m, q, body):
        ps = self.index().projects
        if self.cred is not None and self.cred["roles"] is not None:
            ps = [p for p in ps if self.may_group(p["id"], "read")]
        return 200, page(ps, q, view=self.group_view)

    def get_group(self, m, q, body):
        return 200, self.group_view(self.group(m[0]))

    # -- API keys ---------------------------------------------------------------
    def apikey_view(self, k):
        # "The resource returns all project and organization roles assigned
        # to the API key"; each role names its organization or its project.
        return {"id": k["id"], "desc": k["desc"], "publicKey": k["publicKey"],
                "roles": k.get("roles") or [{"orgId": k["orgId"], "roleName": "ORG_MEMBER"}],
                "links": [{"href": "https://cloud.mongodb.com/api/atlas/v2/orgs/%s/apiKeys/%s"
                                   % (k["orgId"], k["id"]), "rel": "self"}]}

    def list_apikeys(self, m, q, body):
        self.org(m[0])
        return 200, page([k for k in self.st.apikeys if k["orgId"] == m[0]], q, view=self.apikey_view)

    def list_group_apikeys(self, m, q, body):
        self.group(m[0])
        keys = [k for k in self.st.apikeys if any(r.get("groupId") == m[0] for r in k.get("roles", []))]
        return 200, page(keys, q, view=self.apikey_view)

    # -- database users -----------------------------------------------------------
    def dbuser_view(self, d):
        v = {"databaseName": d["databaseName"], "username": d["username"],
             "roles": d["roles"], "scopes": d.get("scopes", []), "labels": d.get("labels", []),
             "awsIAMType": d.get("awsIAMType", "NONE"), "x509Type": d.get("x509Type", "NONE"),
             "ldapAuthType": d.get("ldapAuthType", "NONE"), "oidcAuthType": d.get("oidcAuthType", "NONE"),
             "links": [{"href": "https://cloud.mongodb.com/x", "rel": "self"}]}
        if "description" in d:
            v["description"] = d["description"]
        return v

    def dbuser(self, gid, db, name):
        self.group(gid)
        d = self.st.dbusers.get((gid, db, name))
        if d is None:
            raise ApiError(404, "USERNAME_NOT_FOUND", "No user with username %s exists." % name)
        return d

    def list_dbusers(self, m, q, body):
        self.group(m[0])
        return 200, page(self.index().group_dbusers.get(m[0], []), q, view=self.dbuser_view)

    def check_dbuser(self, gid, body):
        if body["groupId"] != gid:
            raise ApiError(400, "INVALID_ATTRIBUTE", "groupId or databaseName is invalid.", contract=True)
        # CloudDatabaseUser.databaseName: SCRAM and OIDC Workforce (IDP_GROUP)
        # users authenticate against admin, every other method $external.
        methods = [k for k in AUTH_TYPES if body.get(k, "NONE") != "NONE"]
        want = "admin" if not methods or body.get("oidcAuthType") == "IDP_GROUP" else "$external"
        if len(methods) > 1 or body["databaseName"] != want:
            raise ApiError(400, "INVALID_ATTRIBUTE", "A %s user authenticates against %s."
                           % ("/".join(methods) or "SCRAM", want), contract=True)

    def create_dbuser(self, m, q, body):
        self.group(m[0])
        self.check_dbuser(m[0], body)
        key = (m[0], body["databaseName"], body["username"])
        if key in self.st.dbusers:
            raise ApiError(409, "USER_ALREADY_EXISTS", "The user %s already exists." % body["username"])
        if body["databaseName"] == "admin":
            pw = body.get("password", "")
            if len(pw) < 8 or "{{" in pw:
                raise ApiError(400, "INVALID_ATTRIBUTE", "A SCRAM user needs a password.", contract=True)
        d = {k: v for k, v in body.items() if k not in ("password", "links")}
        if body.get("password"):
            d["passwordSha256"] = hashlib.sha256(body["password"].encode()).hexdigest()
        self.st.dbusers[key] = d
        return 201, self.dbuser_view(d)

    def get_dbuser(self, m, q, body):
        return 200, self.dbuser_view(self.dbuser(m[0], m[1], m[2]))

    def patch_dbuser(self, m, q, body):
        d = self.dbuser(m[0], m[1], m[2])
        self.check_dbuser(m[0], body)
        d["roles"] = body["roles"]
        for k in ("awsIAMType", "x509Type", "ldapAuthType", "oidcAuthType", "scopes", "labels", "description"):
            if k in body:
                d[k] = body[k]
        return 200, self.dbuser_view(d)

    def delete_dbuser(self, m, q, body):
        self.dbuser(m[0], m[1], m[2])
        del self.st.dbusers[(m[0], m[1], m[2])]
        return 204, None

    # -- custom database roles (UserCustomDBRole) -----------------------------------
    def list_custom_roles(self, m, q, body):
        self.group(m[0])
        return 200, list(self.st.custom_roles.get(m[0], []))      # a bare array, not a page

    def get_custom_role(self, m, q, body):
        self.group(m[0])
        for r in self.st.custom_roles.get(m[0], []):
            if r["roleName"] == m[1]:
                return 200, r
        raise ApiError(404, "ATLAS_CUSTOM_ROLE_NOT_FOUND", "The custom role %s does not exist." % m[1])

    # -- clusters and databases -------------------------------------------------------
    def cluster_view(self, c):
        host = host_of(c)
        size = c.get("instanceSize", "M10")
        provider = "TENANT" if size in ("M0", "M2", "M5") else c.get("providerName", "AWS")
        region = {"providerName": provider, "regionName": c.get("regionName", "US_EAST_1"),
                  "priority": 7, "electableSpecs": {"instanceSize": size}}
        if provider == "TENANT":
            region["backingProviderName"] = c.get("backingProviderName", "AWS")
        else:
            region["electableSpecs"]["nodeCount"] = 3
        return {"id": c["id"], "name": c["name"], "groupId": c["groupId"],
                "stateName": c["stateName"], "paused": bool(c.get("paused", False)),
                "clusterType": c.get("clusterType", "REPLICASET"),
                "mongoDBMajorVersion": "8.0", "mongoDBVersion": "8.0.4",
                "createDate": "2024-01-01T00:00:00Z",
                "replicationSpecs": [{"id": c["id"], "zoneName": "Zone 1", "regionConfigs": [region]}],
                "connectionStrings": {"standard": "mongodb://%s:27017,%s:27017/?ssl=true" %
                                      (host, host.replace("-00-00", "-00-01")),
                                      "standardSrv": "mongodb+srv://%s.ab12c.mongodb.net" % c["name"]}}

    def list_clusters(self, m, q, body):
        self.group(m[0])
        return 200, page(self.index().group_clusters.get(m[0], []), q, view=self.cluster_view)

    def list_dbs(self, m, q, body):
        self.group(m[0])
        c = self.index().hosts.get((m[0], m[1]))
        # A paused cluster or one still being created runs no process.
        if c is None or c.get("paused") or c["stateName"] in NOT_RUNNING:
            raise ApiError(404, "PROCESS_NOT_FOUND", "No process %s in project %s." % (m[1], m[0]))
        return 200, page([{"databaseName": d} for d in c["databases"]], q)
