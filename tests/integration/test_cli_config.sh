#!/bin/sh
# Startup errors say what and where (issue 19, items 2, 3 and 6): missing
# or unsafe secret and CA files exit 2 naming the option and file:line;
# unknown [app NAME] sections and options of another app are errors with
# file:line (or the flag); a boolean followed by a word "expects
# true/false"; a service with no app refuses to start; BATON_APP works;
# `config` says where each secret comes from, never its value; a one-shot
# write implies provisioning unless provisioning = false or read-only =
# true was set (refused, naming where); `capabilities --json`.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
run() {		# name, args...: rc in $TMP/name.rc, output in .out/.err
	n=$1
	shift
	"$PORTCULLIS" "$@" > "$TMP/$n.out" 2> "$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}
rc() { cat "$TMP/$1.rc"; }
cd "$TMP" || exit 1
printf 'k3y\n' > key
chmod 600 key

# --- files named by options -------------------------------------------------
printf '[app atlas]\npublic-key = p\nprivate-key-file = /nonexistent/k\n' > a.conf
run nokey --config a.conf --app atlas
t_eq "missing secret file: exit 2" "$(rc nokey)" 2
t_grep "missing secret file: option and file:line" \
	'a.conf:3: private-key-file /nonexistent/k: No such file or directory' "$TMP/nokey.err"
printf '[app atlas]\npublic-key = p\nprivate-key-file = %s/key\nca-file = /nonexistent/ca.pem\n' \
	"$TMP" > b.conf
run noca --config b.conf --app atlas
t_eq "missing CA file: exit 2" "$(rc noca)" 2
t_grep "missing CA file: option and file:line" 'b.conf:4: ca-file /nonexistent/ca.pem: No such' "$TMP/noca.err"
sed -i '/^ca-file/d' b.conf
chmod 640 key
run modekey --config b.conf --app atlas
t_eq "group-readable secret file: exit 2" "$(rc modekey)" 2
t_grep "group-readable secret file: chmod 600, file:line" \
	'b.conf:3: private-key-file .*/key: readable by group or others \(mode 0640\): run chmod 600 ' \
	"$TMP/modekey.err"
chmod 600 key
mkdir kdir
sed "s|$TMP/key|$TMP/kdir|" b.conf > c.conf
run dirkey --config c.conf --app atlas
t_grep "a directory as a secret file" 'c.conf:3: private-key-file .*/kdir: not a regular file' "$TMP/dirkey.err"
BATON_PRIVATE_KEY=x "$PORTCULLIS" --config a.conf --app atlas --base-url https://127.0.0.1:1 \
	--connect-timeout 1 > /dev/null 2> "$TMP/envkey.err"
t_nogrep "the environment's secret wins: its file is not looked at" 'private-key-file' "$TMP/envkey.err"
run explain --config a.conf policy --explain --app atlas
t_eq "policy --explain needs no secret file" "$(rc explain)" 0

# --- sections and options --------------------------------------------------------
printf '[app nosuch]\n' > d.conf
run nosect --config d.conf --app atlas
t_eq "unknown [app NAME]: exit 2" "$(rc nosect)" 2
t_grep "unknown [app NAME]: file:line" 'd.conf:1: unknown app "nosuch"' "$TMP/nosect.err"
printf '[app atlas]\nhostname = https://x\n' > e.conf
run other --config e.conf --app atlas
t_grep "another app's option: file:line" 'e.conf:2: "hostname" is not an option of app atlas' "$TMP/other.err"
printf 'public-key = p\n' > f.conf
run global --config f.conf --app atlas
t_grep "an app option outside a section: file:line" 'f.conf:1: "public-key" belongs in an \[app NAME\] section' "$TMP/global.err"
run flagother --app atlas --hostname https://x
t_eq "another app's option as a flag: exit 2" "$(rc flagother)" 2
t_grep "another app's option as a flag: named" '\-\-hostname: not an option of app atlas' "$TMP/flagother.err"
run maybe --app atlas --provisioning maybe
t_eq "--provisioning maybe: exit 2" "$(rc maybe)" 2
t_grep "--provisioning maybe: expects true/false" '\-\-provisioning expects true/false, not "maybe"' "$TMP/maybe.err"
run maybe2 --app atlas --provisioning=maybe
t_grep "--provisioning=maybe: expects true/false" '\-\-provisioning expects true/false' "$TMP/maybe2.err"
printf '[app atlas]\nread-only = sometimes\n' > g.conf
run maybe3 --config g.conf --app atlas
t_grep "read-only = sometimes: file:line, expects true/false" \
	'g.conf:2: read-only expects true/false, not "sometimes"' "$TMP/maybe3.err"
run booltrue config --app atlas --provisioning false
t_grep "--provisioning false: the word is its value" '^provisioning +false +# --provisioning' "$TMP/booltrue.out"
run boolcmd --dry-run config --app atlas
t_eq "a boolean before the command word: true" "$(rc boolcmd)" 0

# --- service with no app -----------------------------------------------------------
printf 'interval = 60\n' > s.conf
run noapp --config s.conf service
t_eq "service with no app: exit 2" "$(rc noapp)" 2
t_grep "service with no app: one clear line" 'service: no app configured: add "app = NAME" to s.conf' "$TMP/noapp.err"

# --- BATON_APP, and config's view of secrets -------------------------------------------
BATON_APP=atlas "$PORTCULLIS" config > "$TMP/envapp.out" 2>&1
t_grep "BATON_APP is read" '^\[app atlas\]' "$TMP/envapp.out"
t_grep "BATON_APP named as the source" '^app +atlas +# BATON_APP' "$TMP/envapp.out"
BATON_APP=atlas "$PORTCULLIS" config --app confluence > "$TMP/flagapp.out" 2>&1
t_grep "--app beats BATON_APP" '^app +confluence +# --app' "$TMP/flagapp.out"
printf 'app = atlas\n' > h.conf
BATON_APP=confluence "$PORTCULLIS" --config h.conf config > "$TMP/fileapp.out" 2>&1
t_grep "BATON_APP beats app = in the file" '^\[app confluence\]' "$TMP/fileapp.out"
t_nogrep "... and replaces it" '^\[app atlas\]' "$TMP/fileapp.out"
run envrun --config h.conf --app demo --base-url https://127.0.0.1:1 --connect-timeout 1
t_nogrep "--app demo with app = atlas in the file: one app" 'one app per file' "$TMP/envrun.err"

run cfgfile --config b.conf config --app atlas
t_grep "config: a secret from its -file, with file:line" \
	"^private-key +\\(set, from private-key-file = $TMP/key, b.conf:3\\)" "$TMP/cfgfile.out"
t_nogrep "config: never the value" 'k3y' "$TMP/cfgfile.out"
run cfgmiss --config a.conf config --app atlas
t_grep "config: a missing secret file is flagged" '^private-key +\(set, from private-key-file = /nonexistent/k, a.conf:3; MISSING\)' "$TMP/cfgmiss.out"
mkdir creds
printf 'sekrit\n' > creds/atlas.client-secret
CREDENTIALS_DIRECTORY=$TMP/creds "$PORTCULLIS" config --app atlas > "$TMP/cfgcred.out" 2>&1
t_grep "config: a LoadCredential= secret" "^client-secret +\\(set, credential $TMP/creds/atlas.client-secret\\)" "$TMP/cfgcred.out"
BATON_CLIENT_SECRET=sekrit "$PORTCULLIS" config --app atlas > "$TMP/cfgenv.out" 2>&1
t_grep "config: a secret from the environment" '^client-secret +\(set, from BATON_CLIENT_SECRET\)' "$TMP/cfgenv.out"
t_nogrep "config: never its value" 'sekrit' "$TMP/cfgenv.out"
t_grep "config: an unset secret" '^private-key +\(not set\)' "$TMP/cfgenv.out"
t_nogrep "config --app atlas: not Confluence's options" '^hostname|^notify-via-email' "$TMP/cfgenv.out"
run cfgop config --app atlas --grant-entitlement x
t_eq "config checks the operation as a run does" "$(rc cfgop)" 2
t_grep "... naming what is missing" '\-\-grant-entitlement needs --grant-principal' "$TMP/cfgop.err"

# --- one-shot writes imply provisioning (baton) -------------------------------------------
run impl config --app atlas --revoke-grant x
t_grep "a one-shot write implies provisioning" '^provisioning +true +# implied by --revoke-grant' "$TMP/impl.out"
printf '[app atlas]\nprovisioning = false\n' > p.conf
run pfalse --config p.conf --app atlas --revoke-grant x
t_eq "provisioning = false in the file: refused (exit 1)" "$(rc pfalse)" 1
t_grep "... naming the setting and where" 'atlas: --revoke-grant refused: provisioning = false \(p.conf:2\)' "$TMP/pfalse.err"
run ro --app atlas --read-only --delete-resource x --delete-resource-type user
t_grep "--read-only: refused, named" 'atlas: --delete-resource refused: read-only = true \(--read-only\)' "$TMP/ro.err"
BATON_READ_ONLY=true "$PORTCULLIS" --app atlas --create-account-login x > /dev/null 2> "$TMP/roenv.err"
t_grep "BATON_READ_ONLY: refused, the variable named" 'read-only = true \(BATON_READ_ONLY\)' "$TMP/roenv.err"
run noimpl config --app atlas
t_grep "a sync implies nothing" '^provisioning +false +# default' "$TMP/noimpl.out"

t_ca
# BATON_APP picks the app of a real run.
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
t_conf "$TMP/demo.conf" demo "https://127.0.0.1:$PORT_m" "allow-file = $TMP/allow.cidr"
BATON_APP=demo "$PORTCULLIS" --config "$TMP/demo.conf" > "$TMP/envdemo.out" 2>&1
t_grep "BATON_APP=demo runs the demo app" '^demo: GET /hello: HTTP 200' "$TMP/envdemo.out"
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
atlas grant --grant-entitlement "project:$P0:read-only" \
	--grant-principal "$U_CAROL" --grant-principal-type user
t_eq "a grant without --provisioning: exit 0" "$(rc grant)" 0
t_grep "... it was made" "^atlas: granted project:$P0:read-only to user:$U_CAROL" "$TMP/grant.out"
echo "provisioning = false" >> "$TMP/atlas.conf"
before=$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
atlas grant2 --grant-entitlement "project:$P0:read-only" \
	--grant-principal "$U_DAVE" --grant-principal-type user
t_eq "with provisioning = false: refused" "$(rc grant2)" 1
t_eq "... before any request" \
	"$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')" \
	"$((before + 1))"	# the stats call itself
atlas_stop

# --- capabilities --json ------------------------------------------------------------------
run caps capabilities --json
t_eq "capabilities --json: exit 0" "$(rc caps)" 0
"$PORTCULLIS" capabilities > "$TMP/caps.txt" 2>&1
t_check "capabilities --json: baton's shape, one object per app, as the text" python3 - \
	"$TMP/caps.out" "$TMP/caps.txt" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
apps = re.findall(r"^([a-z]+): sync ", text, re.M)
assert [a["app"] for a in doc] == apps, ([a["app"] for a in doc], apps)
by = {a["app"]: a for a in doc}
for a in doc:
    assert a["@type"].endswith("c1.connector.v2.ConnectorCapabilities")
    assert "CAPABILITY_SYNC" in a["connectorCapabilities"]
    for r in a["resourceTypeCapabilities"]:
        assert r["resourceType"]["id"] and r["resourceType"]["displayName"]
        assert "CAPABILITY_SYNC" in r["capabilities"]
def caps(app, rt):
    return [r["capabilities"] for r in by[app]["resourceTypeCapabilities"]
            if r["resourceType"]["id"] == rt][0]
assert "CAPABILITY_ACCOUNT_PROVISIONING" in caps("atlas", "user")
assert "CAPABILITY_RESOURCE_DELETE" in caps("atlas", "database_user")
assert "CAPABILITY_PROVISION" in caps("atlas", "project")
assert "CAPABILITY_PROVISION" not in caps("atlas", "mongo_cluster")
assert "CAPABILITY_RESOURCE_DELETE" not in by["confluence"]["connectorCapabilities"]
assert by["atlas"]["resourceTypeCapabilities"][1]["resourceType"]["traits"] == ["TRAIT_USER"]
assert {x["name"] for x in by["atlassian"]["actions"]} == {"disable_user", "enable_user"}
assert "CAPABILITY_ACTIONS" in by["atlassian"]["connectorCapabilities"]
PY
run capsbad capabilities --yaml
t_eq "capabilities --yaml: exit 2" "$(rc capsbad)" 2
t_done
