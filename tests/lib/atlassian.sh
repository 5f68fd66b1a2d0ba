# Helpers for the Atlassian tests: start the mock, write a config, run.
# Needs common.sh sourced first. Ids are those of the mock's small
# fixture (tests/mock/atlassian/gen_fixture.py).
ORG=a0a0a0a0-0000-4000-8000-000000000001
D1=d1000000-0000-4000-8000-000000000001
D2=d2000000-0000-4000-8000-000000000002
C1=c1000000-0000-4000-8000-000000000001
ADMIN_KEY=atl-org-key-5e3c4b2a9d
SCIM_KEY=scim-d2-7f3e91c0aa
acc() { echo "712020:5a1f0000-0000-4000-8000-$(printf %012d "$1")"; }
U_ALICE=$(acc 1) U_BOB=$(acc 2) U_CAROL=$(acc 3) U_DAVE=$(acc 4)
U_ERIN=$(acc 5) U_FRANK=$(acc 6) U_HEIDI=$(acc 8) U_IVAN=$(acc 9)
U_OSCAR=$(acc 11) U_PEGGY=$(acc 12)
grp() { echo "9f000000-0000-4000-8000-$(printf %012d "$1")"; }
G_JIRA=$(grp 1) G_CONFADM=$(grp 2) G_JSM=$(grp 3) G_OKTA=$(grp 4)
G_EMPTY=$(grp 6)
WS_JIRA="ari:cloud:jira-software::site/$C1"
WS_CONF="ari:cloud:confluence::site/$C1"

atl_mock() {		# fixture [extra args]
	fx=$1
	shift
	t_pymock atl atlassian/server.py --fixture "$fx" "$@"
	ATL_PID=$MOCK_PID APORT=$MOCK_PORT
	echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
	cat > "$TMP/atl.conf" <<CONF
policy-dir = $TOP/policy
[app atlassian]
base-url = https://127.0.0.1:$APORT
scim-base-url = https://127.0.0.1:$APORT/scim/directory/$D2
organization-id = $ORG
ca-file = $CA/ca.pem
allow-file = $TMP/lo.cidr
connect-timeout = 5
timeout = 30
CONF
}

atl_stop() {
	kill "$ATL_PID" 2>/dev/null
	wait "$ATL_PID" 2>/dev/null
}

# atl NAME [flags...]: run portcullis; out/err/rc in $TMP/NAME.*
atl() {
	n=$1
	shift
	BATON_ACCESS_TOKEN=$ADMIN_KEY BATON_SCIM_TOKEN=$SCIM_KEY \
		"$PORTCULLIS" --config "$TMP/atl.conf" --app atlassian "$@" \
		>"$TMP/$n.out" 2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

# statq 'python expression on s': the stand-in's stats (mockq, mockget: common.sh).
statq() {
	mockget stats | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}
