# Helpers for the Confluence tests: start the mock, write a config, run.
# Needs common.sh sourced first.
FXC="$TOP/tests/mock/confluence-dc/fixtures/small.json"
# Tokens and passwords of tests/mock/confluence-dc/fixtures/small.json.
C_ADMIN_PAT=NDUee3ccec4765527755617475b7819566a79005d3b2
C_BOB_PAT=NDUbc515fd709eb34fa92785e090e7c492b6f118b7c1
C_ADMIN_PW=pw-d033e22a-7f3a
K_ADMIN=9c0583eaab14bfb299820ada2bbc66cc
K_ALICE=da540e9f8505cc57090c11a26dd4c6d2
K_BOB=7e0fb93ee07a09619f64c63a60e86d9c
K_CAROL=cbb128dc0959c7e0b59ec93da9635b64
K_JOSE=9695ee06b43db109ef373ac55186c91b
K_DAVE=6cbe2c537ef576446faeb792fb10fea5
K_ONEIL=5c960ecfc985165111089d716ea875ba
K_PCT=a6ef93edf202c78aee1d1d3cee60c120

conf_mock() {		# fixture [extra args]
	fx=$1
	shift
	t_pymock conf confluence-dc/server.py --fixture "$fx" "$@"
	CONF_PID=$MOCK_PID CPORT=$MOCK_PORT
	echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
	conf_config "https://127.0.0.1:$CPORT/confluence"
}

conf_config() {		# hostname [more lines]
	h=$1
	shift
	{
		echo "policy-dir = $TOP/policy"
		echo "[app confluence]"
		echo "hostname = $h"
		echo "ca-file = $CA/ca.pem"
		echo "allow-file = $TMP/lo.cidr"
		echo "connect-timeout = 5"
		echo "timeout = 30"
		for l in "$@"; do echo "$l"; done
	} > "$TMP/conf.conf"
}

conf_stop() {
	kill "$CONF_PID" 2>/dev/null
	wait "$CONF_PID" 2>/dev/null
}

# confl NAME [flags...]: run portcullis with the admin's PAT; out/err/rc
# in $TMP/NAME.*
confl() {
	n=$1
	shift
	BATON_ACCESS_TOKEN=${PAT:-$C_ADMIN_PAT} "$PORTCULLIS" --config \
		"$TMP/conf.conf" --app confluence "$@" >"$TMP/$n.out" \
		2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

cmockget() {		# control path
	curl -s --cacert "$CA/ca.pem" "https://127.0.0.1:$CPORT/__mock/$1"
}

cmockpost() {		# control path, json
	curl -s --cacert "$CA/ca.pem" -X POST -d "$2" \
		"https://127.0.0.1:$CPORT/__mock/$1"
}

# JSON queries of the mock state: cmockq 'python expression on s'
cmockq() {
	cmockget state | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# The grant ids a full sync must give, from the mock's state alone:
# members by userKey, space permissions per space, anonymous marked.
conf_expected() {	# > sorted grant ids
	cmockget state | python3 -c '
import json, sys
s = json.load(sys.stdin)
key = {u["username"]: u["userKey"] for u in s["users"]}
out = set()
for g in s["groups"]:
    for m in g["members"]:
        out.add("group:%s:member:user:%s" % (g["name"], key[m]))
    if "/" not in g["name"] and "\\" not in g["name"]:
        for ch in g["children"]:
            out.add("group:%s:member:group:%s" % (g["name"], ch))
for sp in s["spaces"]:
    for p in sp["permissions"]:
        e = "space:%s:%s-%s" % (sp["key"], p["operationKey"], p["targetType"])
        who = {"user": lambda: "user:" + p["userKey"],
               "group": lambda: "group:" + p["name"],
               "anonymous": lambda: "anonymous:anonymous"}[p["type"]]()
        out.add(e + ":" + who)
for x in sorted(out):
    print(x)
' | LC_ALL=C sort
}

# The grant ids of a .c1z, sorted.
conf_grants() {		# file
	"$PORTCULLIS" c1z show "$1" grants | tail -n +2 | cut -f1 | LC_ALL=C sort
}
