#!/usr/bin/env python3
"""Deterministic Ironclad fixtures for tests/mock/ironclad/server.py.

  gen_fixture.py --small [--out F]                            fixtures/small.json
  gen_fixture.py --users N --groups G [--seed S] [--out F]    a large company

Without --out the JSON goes to stdout. The same arguments give the same bytes.

Fixture keys (the server reads exactly these):
  company  {id, name, saml}: saml true means the company has a SAML
           configuration, so POST /Users needs no password
           (UserCreateRequestBody.password); /__mock/config {"saml": ...} flips it.
  clients  [{clientId (a UUID: the OAuth spec's "expected type UUID"),
           clientSecret, allowedScopes[]}]: client-credentials apps; a token
           gets the requested scopes that are also allowed.
  users    [{id (24 hex digits; ascending = creation order, the spec's
           StartIndex order), userName (an email), name {givenName,
           familyName}, title?, displayName?, nickName?, emails? [{value, type,
           primary}] (absent: userName as the primary work email),
           enterprise? {department, employeeNumber, costCenter, organization,
           manager {value: user id}}, ironclad? {departmentHead (an email),
           allowProviderConversion}, provider (local|magicLink|saml|google),
           admin (may be named in x-as-user-email / x-as-user-id: an Ironclad
           admin), password? (plain test password, hashed at load, checked by
           POST /__mock/login; never returned), created (ISO-8601)}]
  groups   [{id (a UUID; ascending = creation order), displayName,
           externalId?, members [user ids]}]

--small (the committed fixture, for correctness tests):
  - 12 users with odd names: accents (José Ñúñez), an apostrophe in the
    userName (o'brien@), a '+' in the userName (dave+ops@: tests URL
    encoding), upper case in the userName, CJK, an empty familyName, quotes,
    a backslash and an emoji outside the BMP in names and titles, a long
    title, a user without a title, an extra home email, every provider, one
    allowProviderConversion, managers and department heads;
  - admins ada.admin@example.com (password "Adm1n!Example-Passw0rd") and
    carmen.legal@example.com; bob.smith@example.com is not an admin;
  - 4 groups with overlapping members (one with an externalId, names with
    '&' and '"'), and one empty group;
  - client "reader" (users, groups and schemas read scopes) and client
    "provisioner" (every scim.* scope).
--users N --groups G --seed S (benchmarks; tested to 50k users):
  - users u000000@example.com..., the first two admins (u000000 has the
    small fixture's admin password), random titles, departments, providers,
    managers among earlier users;
  - group 0 "All Staff" holds every third user, the last group is empty, the
    others hold 0..200 random users; the same two clients as --small.
"""
import argparse, json, random

COMPANY = {"id": "6013609108b8f070cee94fc1", "name": "Example Company Inc.", "saml": False}
READ = ["scim.users.readUsers", "scim.groups.readGroups", "scim.schemas.readSchemas"]
WRITE = ["scim.users.createUsers", "scim.users.updateUsers", "scim.users.deleteUsers",
         "scim.groups.createGroups", "scim.groups.updateGroups", "scim.groups.deleteGroups"]
CLIENTS = [
    {"clientId": "2f9d1c7e-4b8a-4c3e-9a51-6d0e7f3b2a10", "clientSecret": "ic-read-7f3b2a10-secret",
     "allowedScopes": READ},
    {"clientId": "8c1e5a3d-2b7f-4e9a-b6d4-0f1a2c3e4d5b", "clientSecret": "ic-prov-0f1a2c3e-secret",
     "allowedScopes": READ + WRITE},
]
ADMIN_PASSWORD = "Adm1n!Example-Passw0rd"


def uid(n):
    return "64a0%020x" % n


def gid(n):
    return "%08x-6c0a-4d1e-9b7f-%012x" % (0xa0000000 + n, 0xa0000000 + n)


def created(n):
    return "2024-%02d-%02dT09:%02d:00.000Z" % (1 + n // 280 % 12, 1 + n // 10 % 28, n % 60)


def person(n, user, given, family, **kw):
    u = {"id": uid(n), "userName": user, "name": {"givenName": given, "familyName": family},
         "provider": "local", "admin": False, "created": created(n)}
    u.update(kw)
    return u


def small():
    users = [
        person(1, "ada.admin@example.com", "Ada", "Admin", title="IT Administrator", admin=True,
               password=ADMIN_PASSWORD, enterprise={"department": "IT"}),
        person(2, "bob.smith@example.com", "Bob", "Smith", title="Counsel", provider="saml",
               enterprise={"department": "Legal", "manager": {"value": uid(11)}}),
        person(3, "jose.nunez@example.com", "José", "Ñúñez", title="Contract Manager",
               enterprise={"department": "Legal", "employeeNumber": "E-0003"},
               ironclad={"departmentHead": "carmen.legal@example.com"}),
        person(4, "o'brien@example.com", "Siobhán", "O'Brien", title="VP, Sales & Marketing",
               provider="google", ironclad={"allowProviderConversion": True}),
        person(5, "dave+ops@example.com", 'Dave "DJ"', "Okafor", title="Operations Lead",
               provider="magicLink", nickName="DJ"),
        person(6, "Erin.Upper@Example.COM", "Erin", "Upper"),
        person(7, "li.xiaolong@example.com", "小龍", "李", displayName="李小龍", title="Engineer",
               enterprise={"department": "Engineering", "manager": {"value": uid(1)}}),
        person(8, "zoe.astrom-lindqvist@example.com", "Zoë", "Åström-Lindqvist",
               title="Senior Director of Global Commercial Contract Operations, Procurement "
                     "Excellence and Strategic Vendor Relationships (EMEA & APAC)",
               enterprise={"department": "Procurement", "costCenter": "CC-42",
                           "organization": "Example EU", "employeeNumber": "E-0008"}),
        person(9, "teller@example.com", "Teller", "", title="Magician"),
        person(10, "x@example.com", "X", "Y", title="Intern",
               emails=[{"value": "x@example.com", "type": "work", "primary": True},
                       {"value": "x.home@example.net", "type": "home", "primary": False}]),
        person(11, "carmen.legal@example.com", "Carmen", "Legal", title="General Counsel",
               admin=True, enterprise={"department": "Legal"}),
        person(12, "noah.back@example.com", "Noah \\ Back", "Slash", title="Chief \U0001F680 Officer",
               provider="google"),
    ]
    groups = [
        {"id": gid(1), "displayName": "Admins", "members": [uid(1), uid(11)]},
        {"id": gid(2), "displayName": "Legal Ops Group", "externalId": "okta-00g1legal",
         "members": [uid(1), uid(2), uid(3), uid(11)]},
        {"id": gid(3), "displayName": "Sales & Marketing", "members": [uid(1), uid(4), uid(5)]},
        {"id": gid(4), "displayName": 'Finance "Core" Team', "members": [uid(3), uid(5), uid(8), uid(10)]},
        {"id": gid(5), "displayName": "Empty Group", "members": []},
    ]
    return {"company": COMPANY, "clients": CLIENTS, "users": users, "groups": groups}


GIVEN = ["Alex", "Sam", "Maria", "Jürgen", "Aoife", "Chloé", "Dmitri", "Fatima", "Kenji", "Lars",
         "Noor", "Priya", "Tomás", "Wei", "Zoë", "Ōtani", "Beyoncé", "Mary-Jane", "D'Angelo", "Ngozi"]
FAMILY = ["Smith", "García", "Müller", "O'Neil", "Nguyen", "Kowalski", "Søren", "Ivanova", "Tanaka",
          "Okafor", "de la Cruz", "Van Der Berg", "Łukasz", "Ng", "Al-Hassan", "Brown"]
TITLES = ["Counsel", "Paralegal", "Sales Rep", "Account Executive", "Engineer", "Director", "VP",
          "Procurement Lead", "Contract Manager", None]
DEPTS = ["Legal", "Sales", "Engineering", "Finance", "Procurement", "HR", "IT"]
PROVIDERS = ["local"] * 6 + ["saml"] * 2 + ["google", "magicLink"]


def big(nusers, ngroups, seed):
    rnd = random.Random(seed)
    users = []
    for i in range(nusers):
        u = person(i + 1, "u%06d@example.com" % i, rnd.choice(GIVEN), rnd.choice(FAMILY),
                   provider=rnd.choice(PROVIDERS), admin=i < 2)
        title = rnd.choice(TITLES)
        if title:
            u["title"] = title
        ent = {"department": rnd.choice(DEPTS)}
        if i and rnd.random() < 0.5:
            ent["manager"] = {"value": uid(rnd.randrange(i) + 1)}
        u["enterprise"] = ent
        if i and rnd.random() < 0.2:
            u["ironclad"] = {"departmentHead": "u%06d@example.com" % rnd.randrange(i)}
        users.append(u)
    users[0]["password"] = ADMIN_PASSWORD
    groups = []
    for g in range(ngroups):
        if g == 0:
            members = [users[i]["id"] for i in range(0, nusers, 3)]
        elif g == ngroups - 1:
            members = []
        else:
            members = sorted(users[i]["id"] for i in rnd.sample(range(nusers), min(nusers, rnd.randrange(201))))
        groups.append({"id": gid(g + 1), "displayName": "All Staff" if g == 0 else "Group %d" % g,
                       "members": members})
    return {"company": COMPANY, "clients": CLIENTS, "users": users, "groups": groups}


def main():
    ap = argparse.ArgumentParser(description="Deterministic Ironclad mock fixtures")
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--users", type=int, default=20000)
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out")
    a = ap.parse_args()
    doc = small() if a.small else big(a.users, max(2, a.groups), a.seed)
    text = json.dumps(doc, indent=1 if a.small else None, ensure_ascii=False) + "\n"
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
