"""Organization users, teams, project users and team role assignments on
projects, with the atomic role/member operations (2025-02-19) and the
deprecated ones they replace (served, but each call is a violation)."""
import secrets

from core import (ApiError, Route, V2023, V2025, PAGED, PAGED_NO_COUNT, ORG_ROLES, GROUP_ROLES,
                  STATUSES, DEFAULT_STATUSES, LINKS, arr, obj, page, statuses, flag)
from views import Base

SUNSET = "2027-07-01"           # x-sunset of every deprecated operation used here
STATUS_ONE, STATUS_MANY = frozenset(STATUSES), STATUSES
USER_FILTERS = {"username": "email", "orgMembershipStatus": STATUS_ONE,
                "orgMembershipStatuses": STATUS_MANY}
GRA = obj({"groupId": "hex24", "groupRoles": arr(GROUP_ROLES, unique=True)})
ORG_ROLES_REQ = obj({"orgRoles": arr(ORG_ROLES, 1, True), "groupRoleAssignments": arr(GRA)},
                    req=["orgRoles"])
ORG_USER_REQ = obj({"username": "email", "roles": ORG_ROLES_REQ, "teamIds": arr("hex24", unique=True)},
                   req=["username", "roles"])
ORG_USER_UPDATE = obj({"roles": ORG_ROLES_REQ, "teamIds": arr("hex24", unique=True)})
GROUP_USER_REQ = obj({"username": "email", "roles": arr(GROUP_ROLES, 1, True)},
                     req=["username", "roles"])
TEAM_ROLE = obj({"teamId": "hex24", "roleNames": arr(GROUP_ROLES, unique=True), "links": LINKS},
                req=["teamId", "roleNames"])
# PATCH names the team in its path; SDK clients send only roleNames.
TEAM_ROLE_UPDATE = obj(TEAM_ROLE["props"], req=["roleNames"])
# Organization Owner / Read Only see every project (includeOrgUsers).
IMPLIED = {"ORG_OWNER": "GROUP_OWNER", "ORG_READ_ONLY": "GROUP_READ_ONLY"}


class UsersApi(Base):
    def user_routes(self):
        OM, OO, GR, GO = ("org", "member"), ("org", "owner"), ("group", "read"), ("group", "owner")
        one = {"orgMembershipStatuses": STATUS_MANY}
        return [
            Route("GET", "/orgs/{orgId}/users", "listOrgUsers", V2025, self.list_org_users,
                  dict(PAGED, **USER_FILTERS), need=OM),
            Route("POST", "/orgs/{orgId}/users", "createOrgUser", V2025, self.invite,
                  body=ORG_USER_REQ, need=OO),
            Route("GET", "/orgs/{orgId}/users/{userId}", "getOrgUser", V2025, self.get_org_user,
                  one, need=OM),
            Route("PATCH", "/orgs/{orgId}/users/{userId}", "updateOrgUser", V2025,
                  self.patch_org_user, body=ORG_USER_UPDATE, need=OO),
            Route("DELETE", "/orgs/{orgId}/users/{userId}", "removeOrgUser", V2025,
                  self.delete_org_user, need=OO),
            Route("POST", "/orgs/{orgId}/users/{userId}:addRole", "addOrgRole", V2025,
                  self.org_add_role, body=obj({"orgRole": ORG_ROLES}, ["orgRole"]), need=OO),
            Route("POST", "/orgs/{orgId}/users/{userId}:removeRole", "removeOrgRole", V2025,
                  self.org_remove_role, body=obj({"orgRole": ORG_ROLES}, ["orgRole"]), need=OO),
            Route("PUT", "/orgs/{orgId}/users/{userId}/roles", "updateOrgUserRoles", V2023,
                  self.put_org_roles, body=obj({"orgRoles": arr(ORG_ROLES, 1, True),
                                                "links": LINKS}), need=OO, sunset=SUNSET),
            Route("GET", "/orgs/{orgId}/teams", "listOrgTeams", V2023, self.list_teams, PAGED,
                  need=OM),
            Route("GET", "/orgs/{orgId}/teams/{teamId}/users", "listTeamUsers", V2025,
                  self.team_users, dict(PAGED_NO_COUNT, userId="hex24", **USER_FILTERS), need=OM),
            Route("POST", "/orgs/{orgId}/teams/{teamId}/users", "addTeamUsers", V2023,
                  self.team_add, body=arr(obj({"id": "hex24"}, ["id"]), 1), need=OO, sunset=SUNSET),
            Route("DELETE", "/orgs/{orgId}/teams/{teamId}/users/{userId}", "removeUserFromTeam",
                  V2023, self.team_remove, need=OO, sunset=SUNSET),
            Route("POST", "/orgs/{orgId}/teams/{teamId}:addUser", "addOrgTeamUser", V2025,
                  self.team_add_user, body=obj({"id": "hex24"}, ["id"]), need=OO),
            Route("POST", "/orgs/{orgId}/teams/{teamId}:removeUser", "removeOrgTeamUser", V2025,
                  self.team_remove_user, body=obj({"id": "hex24"}, ["id"]), need=OO),
            Route("GET", "/groups/{groupId}/users", "listGroupUsers", V2025, self.list_group_users,
                  dict(PAGED, flattenTeams="bool", includeOrgUsers="bool", **USER_FILTERS), need=GR),
            Route("POST", "/groups/{groupId}/users", "addGroupUsers", V2025, self.add_group_user,
                  body=GROUP_USER_REQ, need=GO),
            Route("GET", "/groups/{groupId}/users/{userId}", "getGroupUser", V2025,
                  self.get_group_user, one, need=GR),
            Route("DELETE", "/groups/{groupId}/users/{userId}", "removeGroupUser", V2025,
                  self.remove_group_user, need=GO),
            Route("POST", "/groups/{groupId}/users/{userId}:addRole", "addGroupUserRole", V2025,
                  self.group_add_role, body=obj({"groupRole": GROUP_ROLES}, ["groupRole"]), need=GO),
            Route("POST", "/groups/{groupId}/users/{userId}:removeRole", "removeGroupUserRole", V2025,
                  self.group_remove_role, body=obj({"groupRole": GROUP_ROLES}, ["groupRole"]), need=GO),
            Route("PUT", "/groups/{groupId}/users/{userId}/roles", "updateGroupUserRoles", V2023,
                  self.put_group_roles, body=obj({"groupRoles": arr(GROUP_ROLES, 1, True),
                                                  "links": LINKS}), need=GO, sunset=SUNSET),
            Route("GET", "/groups/{groupId}/teams", "listGroupTeams", V2023, self.list_group_teams,
                  PAGED, need=GR),
            Route("POST", "/groups/{groupId}/teams", "addGroupTeams", V2023, self.add_group_teams,
                  body=arr(TEAM_ROLE, 1), need=GO),
            Route("GET", "/groups/{groupId}/teams/{teamId}", "getGroupTeam", V2023,
                  self.get_group_team, need=GR),
            Route("PATCH", "/groups/{groupId}/teams/{teamId}", "updateGroupTeam", V2023,
                  self.patch_group_team, body=TEAM_ROLE_UPDATE, need=GO),
            Route("DELETE", "/groups/{groupId}/teams/{teamId}", "removeGroupTeam", V2023,
                  self.remove_group_team, need=GO),
        ]

    # -- organization users ----------------------------------------------------
    def list_org_users(self, m, q, body):
        self.org(m[0])
        ix, sts = self.index(), statuses(q)
        if "username" in q:
            u = ix.by_name.get((m[0], q["username"][0].lower()))
            us = [u] if u is not None and u["orgMembershipStatus"] in sts else []
        else:
            us = ix.users_with("org", m[0], sts, ix.org_users.get(m[0], []))
        return 200, page(us, q, view=self.org_user_view)

    def invite(self, m, q, body):
        self.org(m[0])
        name = body["username"]
        self.domain_refusal(m[0], name)
        for t in body.get("teamIds", []):
            self.team(m[0], t)
        for a in body["roles"].get("groupRoleAssignments", []):
            if self.st.projects.get(a.get("groupId"), {}).get("orgId") != m[0]:
                raise ApiError(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % a.get("groupId"))
        u = self.index().by_name.get((m[0], name.lower()))
        if u is not None and u["orgMembershipStatus"] in ("ACTIVE", "PENDING"):
            raise ApiError(409, "USER_ALREADY_IN_ORG", "User %s is already in the organization." % name)
        if u is None:
            # A user whose invitation expired or was rejected is re-invited
            # under the same id (addOrgTeamUser's description).
            u = {"id": secrets.token_hex(12), "username": name, "orgId": m[0]}
            self.st.users[u["id"]] = u
        u.update(orgMembershipStatus="PENDING", orgRoles=list(body["roles"]["orgRoles"]))
        for t in body.get("teamIds", []):
            if u["id"] not in self.st.teams[t]["users"]:
                self.st.teams[t]["users"].append(u["id"])
        for a in body["roles"].get("groupRoleAssignments", []):
            if a.get("groupRoles"):
                self.st.project_users.setdefault(a["groupId"], {})[u["id"]] = list(a["groupRoles"])
        self.st.generation += 1     # the view below must see the new user
        return 201, self.org_user_view(u)

    def get_org_user(self, m, q, body):
        return 200, self.org_user_view(self.org_member(m[0], m[1], statuses(q)))

    def patch_org_user(self, m, q, body):
        u = self.org_member(m[0], m[1])
        roles = body.get("roles", {})
        if "orgRoles" in roles:
            u["orgRoles"] = list(roles["orgRoles"])
        if "groupRoleAssignments" in roles:
            for mem in self.st.project_users.values():
                mem.pop(u["id"], None)
            for a in roles["groupRoleAssignments"]:
                if a.get("groupRoles"):
                    self.st.project_users.setdefault(a["groupId"], {})[u["id"]] = list(a["groupRoles"])
        if "teamIds" in body:
            for t in self.st.teams.values():
                if u["id"] in t["users"] and t["id"] not in body["teamIds"]:
                    t["users"].remove(u["id"])
                elif u["id"] not in t["users"] and t["id"] in body["teamIds"]:
                    t["users"].append(u["id"])
        self.st.generation += 1
        return 200, self.org_user_view(u)

    def delete_org_user(self, m, q, body):
        u = self.org_member(m[0], m[1])
        del self.st.users[u["id"]]
        for mem in self.st.project_users.values():
            mem.pop(u["id"], None)
        for t in self.st.teams.values():
            if u["id"] in t["users"]:
                t["users"].remove(u["id"])
        return 204, None

    def org_add_role(self, m, q, body):
        u = self.org_member(m[0], m[1])
        if body["orgRole"] not in u["orgRoles"]:      # atomic: adding a held role changes nothing
            u["orgRoles"].append(body["orgRole"])
        return 200, self.org_user_view(u)

    def org_remove_role(self, m, q, body):
        u = self.org_member(m[0], m[1])
        remove_role(u["orgRoles"], body["orgRole"], "an organization")
        return 200, self.org_user_view(u)

    def put_org_roles(self, m, q, body):
        u = self.org_member(m[0], m[1])
        if "orgRoles" in body:
            u["orgRoles"] = list(body["orgRoles"])
        return 200, {"orgRoles": list(u["orgRoles"]), "links": []}

    # -- teams -----------------------------------------------------------------
    def list_teams(self, m, q, body):
        self.org(m[0])
        return 200, page(self.index().org_teams.get(m[0], []), q,
                         view=lambda t: {"id": t["id"], "name": t["name"]})

    def team_users(self, m, q, body):
        t = self.team(m[0], m[1])
        sts = statuses(q)
        us = [self.st.users[u] for u in t["users"] if u in self.st.users]
        us = [u for u in us if u["orgMembershipStatus"] in sts
              and ("username" not in q or u["username"].lower() == q["username"][0].lower())
              and ("userId" not in q or u["id"] == q["userId"][0])]
        return 200, page(us, q, count=False, view=self.org_user_view)

    def team_add(self, m, q, body):
        t = self.team(m[0], m[1])
        for e in body:
            self.org_member(m[0], e["id"])
            if e["id"] in t["users"]:
                raise ApiError(409, "USER_ALREADY_IN_TEAM", "User %s is already in team %s." % (e["id"], t["id"]))
            t["users"].append(e["id"])
        self.st.generation += 1
        return 200, page([self.org_user_view(self.st.users[u]) for u in t["users"]], {}, True)

    def team_remove(self, m, q, body):
        t = self.team(m[0], m[1])
        if m[2] not in t["users"]:
            raise ApiError(404, "USER_NOT_IN_TEAM", "User %s is not in team %s." % (m[2], t["id"]))
        t["users"].remove(m[2])
        return 204, None

    def team_member_for(self, oid, tid, uid):
        """The team and the user; a user whose only invitation expired or
        was rejected is not in the organization (addOrgTeamUser)."""
        t = self.team(oid, tid)
        u = self.st.users.get(uid)
        if u is None or u["orgId"] != oid or u["orgMembershipStatus"] not in DEFAULT_STATUSES:
            raise ApiError(404, "USER_NOT_IN_ORG", "User %s is not in organization %s." % (uid, oid))
        return t, u

    def team_add_user(self, m, q, body):
        t, u = self.team_member_for(m[0], m[1], body["id"])
        if u["id"] not in t["users"]:
            t["users"].append(u["id"])
        self.st.generation += 1
        return 200, self.org_user_view(u)

    def team_remove_user(self, m, q, body):
        t, u = self.team_member_for(m[0], m[1], body["id"])
        if u["id"] not in t["users"]:
            raise ApiError(404, "USER_NOT_IN_TEAM", "User %s is not in team %s." % (u["id"], t["id"]))
        t["users"].remove(u["id"])
        self.st.generation += 1
        return 200, self.org_user_view(u)

    # -- project users -----------------------------------------------------------
    def group_members(self, gid, q):
        """(uid, roles) of the project: direct members, then with
        flattenTeams the members of its teams, then with includeOrgUsers
        the owners and read-only users of its organization."""
        ix, sts = self.index(), statuses(q)
        key = (gid, flag(q, "flattenTeams"), flag(q, "includeOrgUsers"), q.get("username", [""])[0].lower())
        out = ix.filtered.get(("group",) + key + (sts,))
        if out is not None:
            return out
        roles = {u: list(r) for u, r in self.st.project_users.get(gid, {}).items() if u in self.st.users}
        if key[1]:
            for tid, troles in self.st.project_teams.get(gid, {}).items():
                for uid in self.st.teams.get(tid, {}).get("users", []):
                    merge(roles.setdefault(uid, []), troles)
        if key[2]:
            for uid, implied in self.implied_members(self.st.projects[gid]["orgId"]):
                merge(roles.setdefault(uid, []), implied)
        out = [(uid, r) for uid, r in roles.items() if uid in self.st.users
               and self.st.users[uid]["orgMembershipStatus"] in sts
               and (not key[3] or self.st.users[uid]["username"].lower() == key[3])]
        ix.filtered[("group",) + key + (sts,)] = out
        return out

    def implied_members(self, org):
        """(uid, implied project roles) of an org's owners and read-only
        users, once per org and generation: every project shares it."""
        ix = self.index()
        key = ("implied", org)
        if key not in ix.filtered:
            ix.filtered[key] = [(u["id"], [IMPLIED[r] for r in u["orgRoles"] if r in IMPLIED])
                                for u in ix.org_users.get(org, []) if set(u["orgRoles"]) & set(IMPLIED)]
        return ix.filtered[key]

    def list_group_users(self, m, q, body):
        self.group(m[0])
        return 200, page(self.group_members(m[0], q), q,
                         view=lambda e: self.group_user_view(m[0], e[0], e[1]))

    def group_member(self, gid, uid, sts=None):
        self.group(gid)
        u = self.st.users.get(uid)
        if uid not in self.st.project_users.get(gid, {}) or u is None or (
                sts and u["orgMembershipStatus"] not in sts):
            raise ApiError(404, "USER_NOT_FOUND", "No user with ID %s exists in project %s." % (uid, gid))

    def get_group_user(self, m, q, body):
        self.group_member(m[0], m[1], statuses(q))
        return 200, self.group_user_view(m[0], m[1])

    def add_group_user(self, m, q, body):
        """addProjectUser: "If the user doesn't have an invitation to join
        the organization, MongoDB Cloud sends a new invitation that grants
        the user organization and project access" (an invitation, so the
        org's domain restriction holds); an expired or rejected one is
        replaced under the same id."""
        p = self.group(m[0])
        name = body["username"]
        u = self.index().by_name.get((p["orgId"], name.lower()))
        if u is None or u["orgMembershipStatus"] not in ("ACTIVE", "PENDING"):
            self.domain_refusal(p["orgId"], name)
            if u is None:
                u = {"id": secrets.token_hex(12), "username": name, "orgId": p["orgId"]}
                self.st.users[u["id"]] = u
            u.update(orgMembershipStatus="PENDING", orgRoles=["ORG_MEMBER"])
            self.st.generation += 1     # the view below must see the new user
        mem = self.st.project_users.setdefault(m[0], {})
        if u["id"] in mem:
            raise ApiError(409, "USER_ALREADY_IN_GROUP", "User is already in the project.")
        mem[u["id"]] = list(body["roles"])
        return 201, self.group_user_view(m[0], u["id"])

    def remove_group_user(self, m, q, body):
        self.group_member(m[0], m[1])
        del self.st.project_users[m[0]][m[1]]
        return 204, None

    def group_add_role(self, m, q, body):
        self.group_member(m[0], m[1])
        roles = self.st.project_users[m[0]][m[1]]
        if body["groupRole"] not in roles:
            roles.append(body["groupRole"])
        return 200, self.group_user_view(m[0], m[1])

    def group_remove_role(self, m, q, body):
        self.group_member(m[0], m[1])
        remove_role(self.st.project_users[m[0]][m[1]], body["groupRole"], "a project")
        return 200, self.group_user_view(m[0], m[1])

    def put_group_roles(self, m, q, body):
        self.group_member(m[0], m[1])
        if "groupRoles" in body:
            self.st.project_users[m[0]][m[1]] = list(body["groupRoles"])
        return 200, {"groupRoles": list(self.st.project_users[m[0]][m[1]]), "links": []}

    # -- teams on projects -----------------------------------------------------
    def team_role_view(self, tid, roles):
        return {"teamId": tid, "roleNames": list(roles),
                "links": [{"href": "https://cloud.mongodb.com/api/atlas/v2/orgs/teams/%s" % tid,
                           "rel": "self"}]}

    def group_teams_page(self, gid, q):
        mem = self.st.project_teams.get(gid, {})
        return page(list(mem.items()), q, view=lambda e: self.team_role_view(*e))

    def list_group_teams(self, m, q, body):
        self.group(m[0])
        return 200, self.group_teams_page(m[0], q)

    def group_team(self, gid, tid):
        p = self.group(gid)
        self.team(p["orgId"], tid)
        if tid not in self.st.project_teams.get(gid, {}):
            raise ApiError(404, "TEAM_NOT_FOUND", "Team %s is not assigned to project %s." % (tid, gid))

    def add_group_teams(self, m, q, body):
        p = self.group(m[0])
        mem = self.st.project_teams.setdefault(m[0], {})
        for e in body:              # all checked before any is applied
            self.team(p["orgId"], e["teamId"])
            if e["teamId"] in mem:
                raise ApiError(400, "TEAM_ALREADY_IN_GROUP",
                               "Team %s is already in project %s." % (e["teamId"], m[0]))
            if not e["roleNames"]:
                raise ApiError(400, "INVALID_ATTRIBUTE", "A team needs at least one role.", contract=True)
        for e in body:
            mem[e["teamId"]] = list(e["roleNames"])
        return 200, self.group_teams_page(m[0], {})

    def get_group_team(self, m, q, body):
        self.group_team(m[0], m[1])
        return 200, self.team_role_view(m[1], self.st.project_teams[m[0]][m[1]])

    def patch_group_team(self, m, q, body):
        self.group_team(m[0], m[1])
        if body.get("teamId", m[1]) != m[1]:
            raise ApiError(400, "INVALID_ATTRIBUTE", "teamId does not match the path.", contract=True)
        if not body["roleNames"]:
            raise ApiError(400, "INVALID_ATTRIBUTE", "A team needs at least one role.", contract=True)
        self.st.project_teams[m[0]][m[1]] = list(body["roleNames"])
        return 200, self.group_teams_page(m[0], {})

    def remove_group_team(self, m, q, body):
        self.group_team(m[0], m[1])
        del self.st.project_teams[m[0]][m[1]]
        return 204, None

    # -- another administrator (POST /__mock/mutate) ------------------------------
    def mutate(self, op):
        """Change the state directly, as a concurrent admin would. Adding a
        held role or member and removing an absent one change nothing; an
        org user keeps one role (as the API insists); a project member
        whose last role goes leaves the project."""
        kind = op.get("op")
        if kind in ("team_add_user", "team_remove_user"):
            t = self.team(op.get("org", ""), op.get("team", ""))
            self.org_member(t["orgId"], op.get("user", ""))
            if kind == "team_add_user" and op["user"] not in t["users"]:
                t["users"].append(op["user"])
            elif kind == "team_remove_user" and op["user"] in t["users"]:
                t["users"].remove(op["user"])
        elif kind in ("org_add_role", "org_remove_role"):
            u = self.org_member(op.get("org", ""), op.get("user", ""))
            check_role(op.get("role"), ORG_ROLES)
            if kind == "org_add_role" and op["role"] not in u["orgRoles"]:
                u["orgRoles"].append(op["role"])
            elif kind == "org_remove_role" and op["role"] in u["orgRoles"]:
                remove_role(u["orgRoles"], op["role"], "an organization")
        elif kind in ("project_add_role", "project_remove_role"):
            self.mutate_project(kind == "project_add_role", op)
        elif kind == "set_domain_restriction":
            self.mutate_domain_restriction(op)
        else:
            raise ApiError(400, "INVALID_OP", "Unknown mutate op %r." % kind)
        self.st.stats["mutations"] += 1

    def mutate_project(self, add, op):
        gid = op.get("group") or op.get("project") or ""
        self.group(gid)
        if op.get("user") not in self.st.users:
            raise ApiError(404, "USER_NOT_FOUND", "No user with ID %s exists." % op.get("user"))
        check_role(op.get("role"), GROUP_ROLES)
        mem = self.st.project_users.setdefault(gid, {})
        roles = mem.setdefault(op["user"], [])
        if add and op["role"] not in roles:
            roles.append(op["role"])
        elif not add and op["role"] in roles:
            roles.remove(op["role"])
        if not roles:
            del mem[op["user"]]


def check_role(role, allowed):
    if role not in allowed:
        raise ApiError(400, "INVALID_ENUM_VALUE", "An invalid enumeration value %s was specified." % role)


def remove_role(roles, role, where):
    # "A user must have at least one role at all times." (removeOrgRole,
    # removeGroupUserRole): add the new role before removing the old one.
    if role not in roles:
        raise ApiError(400, "ROLE_NOT_FOUND", "The user does not have role %s." % role)
    if len(roles) == 1:
        raise ApiError(400, "CANNOT_REMOVE_LAST_ROLE", "A user must keep at least one role in %s." % where)
    roles.remove(role)


def merge(into, roles):
    into.extend(r for r in roles if r not in into)
