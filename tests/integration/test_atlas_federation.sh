#!/bin/sh
# MongoDB Atlas federation (issue 18). Sync, read-only: the federation,
# its identity providers (bypass SAML mode in the profile), the org's
# connected-org config (domain restriction, approved domains, the
# post-authentication role as a grant to the login IdP) and its role
# mappings as IdP-group grants expandable to the group's members.
# Provisioning: an invitation outside Atlas's approved domains is refused
# by the broker, which reads them itself, and reaches no invite endpoint;
# the local approved-domains list refuses on its own too, each refusal
# naming its list. A project add (addProjectUser can invite) is checked
# against its project's org, read by the broker (getProject). The
# broker's reads are requests of the app: a 429 with Retry-After pauses
# them (bounded tries, then fail closed), the egress rules refuse them,
# and a dry run makes them and prints Atlas's refusal. Not federated, or
# a key without the right: one warning, the sync goes on.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
EXPECT="$TOP/tests/mock/atlas/expect.py"
RICH="$TOP/tests/mock/atlas/fixtures/rich.json"
ACME=a10000000000000000000001 PLAIN=a10000000000000000000002
FED=f10000000000000000000001
SAML=f20000000000000000000001 OIDC=f20000000000000000000002
RP0=c10000000000000000000001 RP1=c10000000000000000000002
M_ADM=f30000000000000000000001 M_DEV=f30000000000000000000002

stat() {	# one counter of the mock's stats
	mockget stats | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
route() {	# "METHOD operationId": calls the mock answered
	mockget stats | python3 -c "import json,sys; print(json.load(sys.stdin)['by_route'].get('$1', 0))"
}
c1z_db() {	# the raw sqlite of a .c1z (magic, then zstd)
	tail -c +6 "$1" | zstd -dq > "$2"
}
sq() {		# one sqlite query on the synced db
	sqlite3 "$TMP/fed.db" "$1"
}

# --- sync against the expected set ---------------------------------------
atlas_mock "$RICH"
atlas fed --file "$TMP/fed.c1z"
t_eq "sync exits 0" "$(cat "$TMP/fed.rc")" 0
"$PORTCULLIS" c1z show "$TMP/fed.c1z" grants | tail -n +2 | cut -f1 | sort \
	> "$TMP/fed.got"
mockget state | python3 "$EXPECT" > "$TMP/fed.want"
if cmp -s "$TMP/fed.want" "$TMP/fed.got"; then
	t_ok "the grants are the mock's assignments and federation, no more"
else
	t_fail "grants" "differ from the mock's state (< missing, > extra):"
	diff "$TMP/fed.want" "$TMP/fed.got" | head -20
fi
G=$TMP/fed.got
t_grep "post-auth role: anyone through the SAML IdP is an org member" \
	"^organization:$ACME:member:identity_provider:$SAML\$" "$G"
t_grep "role mapping: IdP group atlas-admins -> org owner" \
	"^organization:$ACME:owner:idp_group:$M_ADM\$" "$G"
t_grep "role mapping: IdP group atlas-devs -> project role" \
	"^project:$RP0:data-access-read-and-write:idp_group:$M_DEV\$" "$G"
t_eq "role-mapping grants number the mock's role assignments" \
	"$(grep -c ':idp_group:' "$G" | tr -d ' ')" \
	"$(mockq "sum(len(m['roleAssignments']) for f in s['federations'] for c in f['connectedOrgConfigs'] for m in c['roleMappings'])")"
c1z_db "$TMP/fed.c1z" "$TMP/fed.db"
t_eq "an IdP group's grant is expandable to the group's members" \
	"$(sq "select count(*) from v1_grants where external_id = 'project:$RP1:read-only:idp_group:$M_DEV' and needs_expansion = 1 and instr(expansion, cast('idp_group:$M_DEV:member' as blob)) > 0")" 1
t_eq "the post-auth grant is expandable to the IdP's users" \
	"$(sq "select count(*) from v1_grants where external_id = 'organization:$ACME:member:identity_provider:$SAML' and needs_expansion = 1 and instr(expansion, cast('identity_provider:$SAML:user' as blob)) > 0")" 1
"$PORTCULLIS" c1z show "$TMP/fed.c1z" resources > "$TMP/fed.rows"
"$PORTCULLIS" c1z show "$TMP/fed.c1z" resources --json > "$TMP/fed.res"
t_eq "resources: one federation, two IdPs, one connected org, 3 IdP groups" \
	"$(cut -f1 "$TMP/fed.rows" | grep -cE '^(federation|identity_provider|connected_org|idp_group)' | tr -d ' ')" 7
t_grep "the SAML IdP shows bypass SAML mode" \
	"\"bypass_saml_mode\":true" "$TMP/fed.res"
t_grep "the SAML IdP shows protocol, status and associated domains" \
	'"protocol":"SAML".*"status":"ACTIVE".*"associated_domains":\["acme.example","eng.acme.example"\]' \
	"$TMP/fed.res"
t_grep "the OIDC IdP is synced too (protocol and idpType asked for)" \
	'"protocol":"OIDC","idp_type":"WORKFORCE"' "$TMP/fed.res"
t_grep "the connected org: restriction, approved list, data-access IdP" \
	"\"domain_restriction_enabled\":true,\"approved_domains\":\\[\"acme.example\",\"eng.acme.example\",\"partner.example\"\\].*\"data_access_identity_providers\":\\[\"$OIDC\"\\]" \
	"$TMP/fed.res"
t_eq "the mock saw no contract break" \
	"$(mockget stats | python3 -c "import json,sys; print(len(json.load(sys.stdin)['violations']))")" 0
t_eq "one identityProviders call with both protocols" \
	"$(route 'GET listIdentityProviders')" 1
t_grep "the org without federation is one warning" \
	"warning: organization $PLAIN: federationSettings: not federated \\(404" \
	"$TMP/fed.err"
t_eq "... and only one line about it" \
	"$(grep -c "$PLAIN.*federation" "$TMP/fed.err" | tr -d ' ')" 1

# --- a key without the right: a skip, not a failure -----------------------
# (the mock answers getFederationSettings as it does a key that is not
# Organization Owner: 403; that key's other reads would fail the sync)
mockpost config '{"fail_routes":{"getFederationSettings":403}}'
atlas ro --file "$TMP/ro.c1z"
mockpost config '{"fail_routes":{}}'
t_eq "no federation right: sync exits 0" "$(cat "$TMP/ro.rc")" 0
t_grep "no federation right: one clear warning" \
	"warning: organization $ACME: federationSettings: the key may not read federation settings \\(403" \
	"$TMP/ro.err"
t_check "no federation right: no federation records" sh -c \
	"! '$PORTCULLIS' c1z show '$TMP/ro.c1z' grants | grep -q ':idp_group:'"

# --- invitations: Atlas's list, checked by the broker -------------------------
invite() {	# name email [extra flags]
	n=$1 mail=$2
	shift 2
	atlas "$n" --provisioning --create-account-login "arn:aws:iam::1:user/$mail" \
		--create-account-email "$mail" --create-account-profile \
		"{\"organizationId\":\"$ACME\",\"groupId\":\"$RP0\",\"authType\":\"AWS_IAM_USER\"}" "$@"
}
mockpost reset-stats '{}'
invite i1 eve@outside.example
t_check "outside Atlas's approved domains: refused (exit non-zero)" \
	test "$(cat "$TMP/i1.rc")" -ne 0
t_grep "the refusal names Atlas's list" \
	"e-mail domain \"outside.example\" is not in Atlas's approved domains of organization $ACME" \
	"$TMP/i1.err"
t_eq "zero requests reached the invite endpoint" \
	"$(route 'POST createOrgUser')" 0
t_eq "... and no database user was made either" \
	"$(mockq "len([d for d in s['databaseUsers'] if d['username']=='eve@outside.example'])")" 0
t_eq "the broker read the org's settings and config itself" \
	"$(route 'GET getFederationSettings') $(route 'GET getConnectedOrgConfig')" "1 1"
invite i2 pat@partner.example
t_eq "on Atlas's allow list: invited" "$(cat "$TMP/i2.rc")" 0
t_eq "... the invitation reached Atlas" "$(route 'POST createOrgUser')" 1
invite i3 new@eng.acme.example
t_eq "a domain mapped to the IdP is approved too" "$(cat "$TMP/i3.rc")" 0

# both lists must allow: the local approved-domains refuses on its own
sed -i 's/^public-key = pubkey01/&\napproved-domains = eng.acme.example, outside.example/' \
	"$TMP/atlas.conf"
mockpost reset-stats '{}'
invite l1 sam@partner.example
t_grep "local list refusal names approved-domains" \
	'e-mail domain "partner.example" is not in approved-domains' "$TMP/l1.err"
invite l2 eve2@outside.example
t_grep "locally approved, but Atlas's list refuses" \
	"\"outside.example\" is not in Atlas's approved domains" "$TMP/l2.err"
t_eq "neither reached the invite endpoint" \
	"$(route 'POST createOrgUser')" 0
invite l3 kim@eng.acme.example
t_eq "both lists allow: invited" "$(cat "$TMP/l3.rc")" 0

# the Atlas list is read fresh: restriction turned off, then allowed
mockpost mutate "{\"op\":\"set_domain_restriction\",\"orgId\":\"$ACME\",\"enabled\":false}"
invite r1 eve3@outside.example
t_eq "restriction off in Atlas: the local list alone decides" \
	"$(cat "$TMP/r1.rc")" 0
atlas_stop

# --- two orgs in one federation (gen_fixture --federation shared) ----------
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --rich --federation shared \
	--out "$TMP/shared.json"
atlas_mock "$TMP/shared.json"
atlas sh --file "$TMP/sh.c1z"
t_eq "shared federation: sync exits 0" "$(cat "$TMP/sh.rc")" 0
"$PORTCULLIS" c1z show "$TMP/sh.c1z" grants | tail -n +2 | cut -f1 | sort \
	> "$TMP/sh.got"
mockget state | python3 "$EXPECT" > "$TMP/sh.want"
t_check "shared federation: the grants are the mock's, no more" \
	cmp -s "$TMP/sh.want" "$TMP/sh.got"
t_grep "shared federation: Plain's post-auth role through the same IdP" \
	"^organization:$PLAIN:read-only:identity_provider:$SAML\$" "$TMP/sh.got"
"$PORTCULLIS" c1z show "$TMP/sh.c1z" resources | cut -f1 > "$TMP/sh.rows"
t_eq "shared federation: one federation and its IdPs once, two orgs" \
	"$(grep -c '^federation' "$TMP/sh.rows") $(grep -c '^identity_provider' "$TMP/sh.rows") $(grep -c '^connected_org' "$TMP/sh.rows")" \
	"1 2 2"
atlas sp --provisioning --create-account-login "arn:aws:iam::1:user/x" \
	--create-account-email eve@outside.example --create-account-profile \
	"{\"organizationId\":\"$PLAIN\",\"groupId\":\"c10000000000000000000008\",\"authType\":\"AWS_IAM_USER\"}"
t_eq "an org of the federation without restriction: invited" \
	"$(cat "$TMP/sp.rc")" 0
atlas_stop

# --- the broker fails closed when it cannot read Atlas's list -------------
atlas_mock "$RICH"
mockpost config '{"fail_routes":{"getConnectedOrgConfig":500}}'
invite f1 pat@partner.example
t_grep "unreadable approved domains: refused, named" \
	"cannot read Atlas's approved domains of organization $ACME" "$TMP/f1.err"
t_eq "... and nothing was sent" "$(route 'POST createOrgUser')" 0
mockpost config '{"fail_routes":{}}'
# A 404 is "not federated" only for the settings read: for the connected-
# org config (or a project's org) it leaves the list unknown, so it refuses.
mockpost config '{"fail_routes":{"getConnectedOrgConfig":404}}'
invite f2 eve@outside.example
t_grep "connected-org config 404: refused, named" \
	"cannot read Atlas's approved domains of organization $ACME .*HTTP 404" \
	"$TMP/f2.err"
t_eq "... and nothing was sent" "$(route 'POST createOrgUser')" 0
mockpost config '{"fail_routes":{}}'

# --- project adds: addProjectUser invites, so the project's org's list holds
# (user151@contractor.example is an Acme member outside Atlas's list; the
# broker cannot take the fetcher's word that an address is a member's)
CONTRA=b10000000000000000000097 U001=b10000000000000000000001
mockpost reset-stats '{}'
atlas pa1 --provisioning --grant-entitlement "project:$RP0:read-only" \
	--grant-principal "$CONTRA" --grant-principal-type user
t_check "project add outside Atlas's list: refused (exit non-zero)" \
	test "$(cat "$TMP/pa1.rc")" -ne 0
t_grep "the refusal names Atlas's list, the org and the project" \
	"e-mail domain \"contractor.example\" is not in Atlas's approved domains of organization $ACME \\(domain restriction, project $RP0's\\)" \
	"$TMP/pa1.err"
t_eq "zero requests reached the project add endpoint" \
	"$(route 'POST addGroupUsers')" 0
t_eq "the broker read the project's org (getProject), then its list" \
	"$(route 'GET getGroup') $(route 'GET getFederationSettings') $(route 'GET getConnectedOrgConfig')" \
	"2 1 1"
atlas pa2 --provisioning --grant-entitlement "project:$RP0:read-only" \
	--grant-principal "$U001" --grant-principal-type user
t_eq "project add on Atlas's list: added" "$(cat "$TMP/pa2.rc") $(route 'POST addGroupUsers')" "0 1"
t_eq "... with the role" "$(mockq "s['projectUsers']['$RP0'].get('$U001')")" \
	"['GROUP_READ_ONLY']"

# --- the reads are requests like any other: a 429 pauses them -------------
mockpost reset-stats '{}'
mockpost config '{"limit_routes":{"getFederationSettings":[1,2]}}'
invite rl1 pat2@partner.example
t_eq "settings read rate-limited once: invited after the wait" \
	"$(cat "$TMP/rl1.rc") $(route 'POST createOrgUser')" "0 1"
t_eq "... the settings read was asked again, the 429 counted" \
	"$(route 'GET getFederationSettings') $(stat rate_limited)" "2 1"
waited() {	# 1 when operation $2's call $3 came >= $4 s after $1's first
	mockget stats | python3 -c "import json,sys; t=json.load(sys.stdin)['route_times']; print(int(t['$2'][$3] - t['$1'][0] >= $4))"
}
t_eq "... not before its Retry-After (2 s), nor the config read" \
	"$(waited 'GET getFederationSettings' 'GET getFederationSettings' 1 1.95) $(waited 'GET getFederationSettings' 'GET getConnectedOrgConfig' 0 1.95)" \
	"1 1"
mockpost reset-stats '{}'
mockpost config '{"limit_routes":{"getConnectedOrgConfig":[9,1]}}'
invite rl2 pat3@partner.example
t_grep "rate-limited on every try: refused, fail closed" \
	"cannot read Atlas's approved domains of organization $ACME .*HTTP 429" "$TMP/rl2.err"
t_eq "... after a bounded number of tries, nothing sent" \
	"$(route 'GET getConnectedOrgConfig') $(route 'POST createOrgUser')" "4 0"
mockpost config '{"limit_routes":{}}'

# --- ... and pass the egress rules like any other --------------------------
cp -R "$TOP/policy" "$TMP/pol"
sed -i '/connectedOrgConfigs\/\*$/d' "$TMP/pol/egress/atlas.rules"
cp "$TMP/atlas.conf" "$TMP/atlas.keep"
sed -i "s|^policy-dir = .*|policy-dir = $TMP/pol|" "$TMP/atlas.conf"
mockpost reset-stats '{}'
invite eg1 pat4@partner.example
cp "$TMP/atlas.keep" "$TMP/atlas.conf"
t_grep "a read the egress rules refuse: the invitation is refused, named" \
	"cannot read Atlas's approved domains of organization $ACME \\(egress rules .*atlas.rules refuse GET /api/atlas/v2/federationSettings/$FED/connectedOrgConfigs/$ACME\\)" \
	"$TMP/eg1.err"
t_eq "... the read never left, nor the invitation" \
	"$(route 'GET getFederationSettings') $(route 'GET getConnectedOrgConfig') $(route 'POST createOrgUser')" \
	"1 0 0"

# --- --dry-run: the reads (GETs) are made, so Atlas's refusal shows ---------
mockpost reset-stats '{}'
invite d1 eve@outside.example --dry-run
t_check "dry run outside Atlas's list: exit non-zero" test "$(cat "$TMP/d1.rc")" -ne 0
t_grep "dry run: Atlas's refusal is printed" \
	"refused \\(dry run\\): e-mail domain \"outside.example\" is not in Atlas's approved domains of organization $ACME" \
	"$TMP/d1.err"
invite d2 pat5@partner.example --dry-run
t_eq "dry run on Atlas's list: exit 0" "$(cat "$TMP/d2.rc")" 0
t_grep "... the invitation is printed, not sent" \
	"^dry-run: POST /api/atlas/v2/orgs/$ACME/users" "$TMP/d2.out"
t_eq "dry runs read settings and config, sent no invitation" \
	"$(route 'GET getFederationSettings') $(route 'GET getConnectedOrgConfig') $(route 'POST createOrgUser')" \
	"2 2 0"
t_eq "... and changed nothing" "$(stat mutations)" 0
atlas_stop
t_done
