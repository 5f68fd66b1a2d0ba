"""Lookups, role checks and response views every route area uses. The
dispatcher runs one request at a time under st.lock, so self.cred (the
calling credential) is the current request's."""
from core import ApiError, Index

ROLE_DENIED = ("USER_UNAUTHORIZED", "Current user is not authorized to perform this action.")
# x-rolesRequirements as the role names that meet them. Organization Member:
# any org role (None); Project Read Only: any role on the project, or Org
# Owner / Read Only (they see every project); Project Access Manager and
# Project Owner: GROUP_OWNER; Project Database Access Admin: "dbadmin".
ORG_LEVELS = {"member": None, "owner": {"ORG_OWNER"}}
GROUP_LEVELS = {"read": (None, {"ORG_OWNER", "ORG_READ_ONLY"}),
                "owner": ({"GROUP_OWNER"}, {"ORG_OWNER"}),
                "dbadmin": ({"GROUP_OWNER", "GROUP_DATABASE_ACCESS_ADMIN",
                             "GROUP_STREAM_PROCESSING_OWNER"}, {"ORG_OWNER"})}


class Base:
    def __init__(self, st):
        self.st = st
        self.cred = None
        self._index, self._index_gen = None, None

    def index(self):
        if self._index_gen != self.st.generation:
            self._index, self._index_gen = Index(self.st), self.st.generation
        return self._index

    # -- access ------------------------------------------------------------
    def roles_in(self, key, value):
        return {r["roleName"] for r in self.cred["roles"] if r.get(key) == value}

    def may_org(self, oid, level):
        if self.cred is None or self.cred["roles"] is None:
            return True
        have = self.roles_in("orgId", oid)
        want = ORG_LEVELS[level]
        return bool(have) if want is None else bool(have & want)

    def may_group(self, gid, level):
        if self.cred is None or self.cred["roles"] is None:
            return True
        direct, via_org = GROUP_LEVELS[level]
        have = self.roles_in("groupId", gid)
        if have if direct is None else have & direct:
            return True
        p = self.st.projects.get(gid)
        return p is not None and bool(self.roles_in("orgId", p["orgId"]) & via_org)

    def require(self, need, ident):
        kind, level = need
        if not (self.may_org(ident, level) if kind == "org" else self.may_group(ident, level)):
            raise ApiError(403, *ROLE_DENIED)

    # -- lookups -------------------------------------------------------------
    def org(self, oid):
        if oid not in self.st.orgs:
            raise ApiError(404, "ORG_NOT_FOUND", "Organization %s does not exist." % oid)
        return self.st.orgs[oid]

    def group(self, gid):
        if gid not in self.st.projects:
            raise ApiError(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % gid)
        return self.st.projects[gid]

    def org_member(self, oid, uid, sts=None):
        """sts: the membership states that count; every state by default
        (writes), ACTIVE and PENDING for reads that take no filter."""
        self.org(oid)
        u = self.st.users.get(uid)
        if u is None or u["orgId"] != oid or (sts and u["orgMembershipStatus"] not in sts):
            raise ApiError(404, "USER_NOT_FOUND", "No user with ID %s exists." % uid)
        return u

    def team(self, oid, tid):
        self.org(oid)
        t = self.st.teams.get(tid)
        if t is None or t["orgId"] != oid:
            raise ApiError(404, "TEAM_NOT_FOUND", "Team %s does not exist." % tid)
        return t

    # -- views ---------------------------------------------------------------
    def org_user_view(self, u):
        """OrgUserResponse. groupRoleAssignments are the user's own project
        roles only: roles through a team show in the team's project
        assignment (GET /groups/{groupId}/teams), not here."""
        ix = self.index()
        v = {"id": u["id"], "username": u["username"], "orgMembershipStatus": u["orgMembershipStatus"],
             "roles": {"orgRoles": list(u["orgRoles"]), "groupRoleAssignments": list(ix.gra.get(u["id"], []))},
             "teamIds": list(ix.teams_of.get(u["id"], []))}
        v.update(self.status_fields(u))
        return v

    def status_fields(self, u):
        # x-xgen-discriminator on orgMembershipStatus: which fields go with it.
        if u["orgMembershipStatus"] == "ACTIVE":
            return {"firstName": u.get("firstName", ""), "lastName": u.get("lastName", ""),
                    "country": u.get("country", ""), "createdAt": "2024-01-01T00:00:00Z"}
        out = {"invitationCreatedAt": "2026-11-01T00:00:00Z", "inviterUsername": "admin@example.com"}
        if u["orgMembershipStatus"] != "INVITATION_REJECTED":
            out["invitationExpiresAt"] = "2026-12-01T00:00:00Z"
        return out

    def group_user_view(self, gid, uid, roles=None):
        u = self.st.users[uid]
        v = {"id": uid, "username": u["username"], "orgMembershipStatus": u["orgMembershipStatus"],
             "roles": list(self.st.project_users[gid][uid] if roles is None else roles)}
        v.update(self.status_fields(u))
        return v
