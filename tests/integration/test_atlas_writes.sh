#!/bin/sh
# MongoDB Atlas writes (issue 14, items 7 and 8): org roles and team
# members change by the atomic operations only. With a slow vendor,
# another admin changes the same user between our read and our write;
# that change must stay (a read-modify-write PATCH would undo it). No
# deprecated (x-sunset) operation is called.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json" --latency-ms 600

route() {	# "METHOD operationId": calls the mock answered
	mockget stats | python3 -c "import json,sys; print(json.load(sys.stdin)['by_route'].get('$1', 0))"
}

# Run "atlas NAME ARGS..." in the background; once the mock has answered
# the read (getOrgUser / listTeamUsers), mutate as another admin would.
race() {	# read-operation mutation-json name args...
	op=$1 mut=$2
	shift 2
	before=$(route "$op")
	atlas "$@" &
	bg=$!
	i=0
	while [ "$(route "$op")" = "$before" ] && [ $i -lt 200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	# The read is answered, our write not sent yet: the other admin's turn.
	t_check "$3: the other admin came between read and write" test $i -lt 200
	mockpost mutate "$mut"
	wait $bg
}

# Bob: ORG_MEMBER, in team devs (T2). We grant billing-admin while the
# other admin takes Bob out of devs and gives him read-only.
mockpost mutate "{\"op\":\"team_add_user\",\"org\":\"$ORG\",\"team\":\"$T1\",\"user\":\"$U_BOB\"}"
race 'GET getOrgUser' "{\"op\":\"team_remove_user\",\"org\":\"$ORG\",\"team\":\"$T2\",\"user\":\"$U_BOB\"}" \
	g1 --provisioning --grant-entitlement "organization:$ORG:billing-admin" \
	--grant-principal "$U_BOB" --grant-principal-type user
t_eq "org grant: exit 0" "$(cat "$TMP/g1.rc")" 0
t_eq "org grant: the role is added" \
	"$(mockq "'ORG_BILLING_ADMIN' in [u for u in s['users'] if u['id']=='$U_BOB'][0]['orgRoles']")" True
t_eq "org grant: the other admin's team removal stays" \
	"$(mockq "'$U_BOB' in [t for t in s['teams'] if t['id']=='$T2'][0]['users']")" False
race 'GET getOrgUser' "{\"op\":\"org_add_role\",\"org\":\"$ORG\",\"user\":\"$U_BOB\",\"role\":\"ORG_READ_ONLY\"}" \
	r1 --provisioning --revoke-grant "organization:$ORG:billing-admin:user:$U_BOB"
t_eq "org revoke: exit 0" "$(cat "$TMP/r1.rc")" 0
t_eq "org revoke: only that role goes, the concurrent one stays" \
	"$(mockq "sorted([u for u in s['users'] if u['id']=='$U_BOB'][0]['orgRoles'])")" \
	"['ORG_MEMBER', 'ORG_READ_ONLY']"
t_eq "org revoke: the team kept" \
	"$(mockq "'$U_BOB' in [t for t in s['teams'] if t['id']=='$T1'][0]['users']")" True

# Team membership while the other admin adds Frank to another team.
race 'GET listTeamUsers' "{\"op\":\"team_add_user\",\"org\":\"$ORG\",\"team\":\"$T1\",\"user\":\"$U_FRANK\"}" \
	t1 --provisioning --grant-entitlement "team:$ORG/$T2:member" \
	--grant-principal "$U_FRANK" --grant-principal-type user
t_eq "team grant: exit 0" "$(cat "$TMP/t1.rc")" 0
t_eq "team grant: both memberships hold" \
	"$(mockq "[ '$U_FRANK' in t['users'] for t in sorted(s['teams'], key=lambda t: t['id'])]")" \
	"[True, True]"
atlas t2 --provisioning --revoke-grant "team:$ORG/$T2:member:user:$U_FRANK"
t_eq "team revoke: out of that team only" \
	"$(mockq "[ '$U_FRANK' in t['users'] for t in sorted(s['teams'], key=lambda t: t['id'])]")" \
	"[True, False]"
atlas t3 --provisioning --revoke-grant "team:$ORG/$T2:member:user:$U_FRANK"
t_grep "team revoke again: already revoked" '^atlas: already revoked' "$TMP/t3.out"

mockget stats > "$TMP/stats"
t_check "the atomic operations were used" python3 -c '
import json, sys
r = {k.split()[1]: v for k, v in json.load(open(sys.argv[1]))["by_route"].items()}
assert r.get("addOrgRole") and r.get("removeOrgRole"), r
assert r.get("addOrgTeamUser") and r.get("removeOrgTeamUser"), r
for op in ("updateOrgUser", "updateOrgUserRoles", "addTeamUsers", "removeUserFromTeam"):
    assert not r.get(op), (op, r)
' "$TMP/stats"
t_check "no deprecated operation, no contract violation" python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["violations"]
assert not v, v
' "$TMP/stats"
atlas_stop
t_done
