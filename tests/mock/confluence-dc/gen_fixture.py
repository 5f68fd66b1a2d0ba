#!/usr/bin/env python3
"""Deterministic fixtures for the Confluence Data Center mock.

gen_fixture.py --small [--out F]                 the committed fixtures/small.json
gen_fixture.py --users N --groups G --spaces S [--seed S] [--out F]
                                                 the small fixture plus N users,
                                                 G groups and S spaces (up to 20k
                                                 users / 2k spaces) for benchmarks

Fixture keys (what server.py reads):
  users          [{username, userKey, displayName, email, password, active}]
                 usernames are lower case (Confluence folds them); userKeys are
                 32 hex digits derived from the name, never equal to it.
  groups         [{name, members: [username...], children: [group name...]}]
                 names are lower case, as Confluence stores them; children are
                 nested groups (listed by .../groupmember, not in .../member).
  admin_groups   groups whose members are Confluence administrators
  default_groups groups a user created through POST /rest/api/admin/user joins
  spaces         [{id, key, name, type global|personal, status current|archived,
                   description, labels, permissions: [{subject, operation}]}]
                 subject {type: user, userKey} | {type: group, name} |
                 {type: anonymous}; operation {operationKey, targetType}.
  tokens         [{token, username, expired?}] personal access tokens (Bearer)
  settings       {max_limit, license_limit} server defaults (see server.py)

What the small fixture holds, and the client bug each item catches:
  - 10 users: an admin (member of confluence-administrators) and a non-admin
    (bob), each with a PAT; an expired PAT; a deactivated user (gone.user) who
    still has a PAT, a group membership and a space permission; odd usernames
    that need escaping: josé (non-ASCII), dave+ops@example.com ('+' must be
    %2B in a query, or it becomes a space), o'neil, pct%user ('%' must be %25),
    carol.smith.
  - 10 groups: confluence-administrators, confluence-users, "team" and "team a"
    (a name that is a prefix of another: a truncating client hits the wrong
    one), "ops/infra" (a '/' cannot be addressed in a path at all: Tomcat
    rejects %2F, so members come only from user/memberof), "qa?#1", "100% sure",
    "c++;dev" (';' unencoded is a Tomcat path parameter), "développeurs"
    (non-ASCII, nested inside "team") and "empty-group" (no members).
  - 5 spaces with different permission sets each: ENG, DOCS (anonymous read),
    OPS, a personal space ~bob (key starts with '~', anonymous read), and OLD
    (archived, with a permission of the deactivated user). Bob, not an admin,
    cannot view OPS.
The large mode adds users user00001.. (2% deactivated, each in 1-3 of the
groups group-0001..), groups with random members, and spaces SP0001.. (10%
personal spaces ~userNNNNN, 5% archived, 10% with anonymous read), each with
its own random permission set. Every generated user is in confluence-users.
"""
import argparse, hashlib, json, random

SPACE_OPS = [("read", "space"), ("administer", "space"), ("export", "space"),
             ("restrict", "space"), ("delete_own", "space"), ("delete_mail", "space"),
             ("create", "page"), ("delete", "page"), ("create", "blogpost"),
             ("delete", "blogpost"), ("create", "comment"), ("delete", "comment"),
             ("create", "attachment"), ("delete", "attachment")]


def user_key(name):
    # Real keys are 32 hex digits (e.g. 2c9580839013...), unrelated to the name.
    return hashlib.md5(("userkey:" + name).encode()).hexdigest()


def token_for(name):
    # PATs are 44 base64-ish characters in real Confluence.
    return "NDU" + hashlib.sha256(("pat:" + name).encode()).hexdigest()[:41]


def user(name, display, active=True):
    return {"username": name, "userKey": user_key(name), "displayName": display,
            "email": "%s@mail.example.com" % name.replace("@", ".").replace("%", "pct"),
            "password": "pw-%s-7f3a" % hashlib.sha1(name.encode()).hexdigest()[:8],
            "active": active}


def perm(subject, op):
    return {"subject": subject, "operation": {"operationKey": op[0], "targetType": op[1]}}


def U(name):
    return {"type": "user", "userKey": user_key(name)}


def G(name):
    return {"type": "group", "name": name}


ANON = {"type": "anonymous"}


def perms(subject, ops):
    return [perm(subject, o) for o in ops]


READ, ADMIN = ("read", "space"), ("administer", "space")


def small_users():
    return [user("admin", "Ada Admin"), user("alice", "Alice Anders"), user("bob", "Bob Brown"),
            user("carol.smith", "Carol Smith"), user("josé", "José Álvarez"),
            user("dave+ops@example.com", "Dave Ops"), user("o'neil", "Pat O'Neil"),
            user("pct%user", "Percy Cent"), user("gone.user", "Gone User", active=False),
            user("svc-sync", "Sync Service")]


def small_groups():
    everyone = [u["username"] for u in small_users()]
    return [
        {"name": "confluence-administrators", "members": ["admin"], "children": []},
        {"name": "confluence-users", "members": everyone, "children": []},
        {"name": "team", "members": ["alice", "gone.user"], "children": ["développeurs"]},
        {"name": "team a", "members": ["bob", "dave+ops@example.com"], "children": []},
        {"name": "ops/infra", "members": ["carol.smith", "dave+ops@example.com"], "children": []},
        {"name": "qa?#1", "members": ["josé", "pct%user"], "children": []},
        {"name": "100% sure", "members": ["carol.smith", "o'neil"], "children": []},
        {"name": "c++;dev", "members": ["bob", "o'neil"], "children": []},
        {"name": "développeurs", "members": ["alice", "josé"], "children": []},
        {"name": "empty-group", "members": [], "children": []},
    ]


def space(i, key, name, kind="global", status="current", labels=(), permissions=()):
    return {"id": 98305 + i, "key": key, "name": name, "type": kind, "status": status,
            "description": "%s space" % name, "labels": list(labels),
            "permissions": list(permissions)}


def small_spaces():
    adm = G("confluence-administrators")
    return [
        space(0, "ENG", "Engineering", labels=["eng"], permissions=(
            perms(adm, [READ, ADMIN]) + perms(G("confluence-users"), [READ]) +
            perms(G("team"), [READ, ("create", "page"), ("create", "comment")]) +
            perms(U("alice"), [READ, ADMIN, ("export", "space")]))),
        space(1, "DOCS", "Documentation", labels=["docs"], permissions=(
            perms(adm, [READ, ADMIN]) + perms(ANON, [READ]) +
            perms(G("confluence-users"), [READ, ("create", "comment")]) +
            perms(G("développeurs"), [READ, ("create", "page"), ("delete", "page")]) +
            perms(U("dave+ops@example.com"), [READ, ("create", "attachment")]))),
        space(2, "OPS", "Operations", permissions=(
            perms(adm, [READ, ADMIN]) + perms(G("ops/infra"), [READ, ADMIN]) +
            perms(G("100% sure"), [READ]) + perms(U("carol.smith"), [READ, ("restrict", "space")]) +
            perms(G("qa?#1"), [READ, ("create", "blogpost")]))),
        space(3, "~bob", "Bob Brown", kind="personal", permissions=(
            perms(U("bob"), SPACE_OPS) + perms(G("c++;dev"), [READ]) + perms(ANON, [READ]))),
        space(4, "OLD", "Old Archive", status="archived", permissions=(
            perms(adm, [READ, ADMIN]) + perms(G("team a"), [READ]) +
            perms(U("josé"), [READ, ("delete_own", "space")]) + perms(U("gone.user"), [READ]))),
    ]


def small():
    return {"users": small_users(), "groups": small_groups(),
            "admin_groups": ["confluence-administrators"], "default_groups": ["confluence-users"],
            "spaces": small_spaces(),
            "tokens": [{"token": token_for("admin"), "username": "admin"},
                       {"token": token_for("bob"), "username": "bob"},
                       {"token": token_for("alice"), "username": "alice", "expired": True},
                       {"token": token_for("gone.user"), "username": "gone.user"}],
            "settings": {"max_limit": 200, "license_limit": 0}}


def random_perms(rnd, groups, users):
    out = perms(G("confluence-administrators"), [READ, ADMIN])
    for g in rnd.sample(groups, min(len(groups), rnd.randint(1, 3))):
        out += perms(G(g), [READ] + rnd.sample(SPACE_OPS[1:], rnd.randint(0, 4)))
    for u in rnd.sample(users, min(len(users), rnd.randint(0, 4))):
        out += perms(U(u), [READ] + rnd.sample(SPACE_OPS[1:], rnd.randint(0, 3)))
    if rnd.random() < 0.10:
        out += perms(ANON, [READ])
    return out


def big(nusers, ngroups, nspaces, seed):
    rnd = random.Random(seed)
    fx = small()
    names = ["user%05d" % i for i in range(1, nusers + 1)]
    fx["users"] += [user(n, "User %s" % n[4:], active=rnd.random() >= 0.02) for n in names]
    gnames = ["group-%04d" % i for i in range(1, ngroups + 1)]
    members = {g: [] for g in gnames}
    for n in names:
        for g in rnd.sample(gnames, min(len(gnames), rnd.randint(1, 3))):
            members[g].append(n)
    fx["groups"][1]["members"] += names
    fx["groups"] += [{"name": g, "members": members[g], "children": []} for g in gnames]
    owners = set()
    for i in range(nspaces):
        p = random_perms(rnd, gnames or ["confluence-users"], names or ["alice"])
        owner = rnd.choice(names) if names and rnd.random() < 0.10 else None
        if owner and owner not in owners:
            owners.add(owner)   # one personal space per user, keyed ~username
            sp = space(10 + i, "~" + owner, "User %s" % owner, kind="personal",
                       permissions=perms(U(owner), SPACE_OPS) + p[2:])
        else:
            sp = space(10 + i, "SP%04d" % (i + 1), "Space %d" % (i + 1),
                       status="archived" if rnd.random() < 0.05 else "current", permissions=p)
        fx["spaces"].append(sp)
    return fx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--spaces", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = small() if a.small else big(a.users, a.groups, a.spaces, a.seed)
    s = json.dumps(doc, indent=1 if a.small else None, ensure_ascii=False) + "\n"
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(s)
    else:
        print(s, end="")


if __name__ == "__main__":
    main()
