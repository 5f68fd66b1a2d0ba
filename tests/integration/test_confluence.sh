#!/bin/sh
# Confluence Data Center end to end against the stateful mock (context
# path /confluence, a server-side limit cap, userKeys unlike usernames,
# names needing escaping, a permission set per space, anonymous access):
# a full sync equals the grant set computed from the mock's own state,
# every grant's principal is a synced resource, entitlements are per
# space; PAT and Basic auth; a non-admin token; 429s; the allowlist.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/confluence.sh"
t_ca
conf_mock "$FXC"

# --- sync -------------------------------------------------------------------
confl sync --file "$TMP/a.c1z"
t_eq "sync exits 0" "$(cat "$TMP/sync.rc")" 0
conf_grants "$TMP/a.c1z" > "$TMP/grants"
conf_expected > "$TMP/want"
if [ -s "$TMP/want" ] && cmp -s "$TMP/grants" "$TMP/want"; then
	t_ok "grant set"
else
	t_fail "grant set" "differs from the mock's state:"
	diff "$TMP/want" "$TMP/grants" | head
fi
"$PORTCULLIS" c1z show "$TMP/a.c1z" resources | tail -n +2 > "$TMP/res"
"$PORTCULLIS" c1z show "$TMP/a.c1z" grants | tail -n +2 | cut -f3 | sort -u \
	> "$TMP/principals"
t_check "every grant's principal is a synced user, group or anonymous" \
	python3 -c '
import sys
res = {tuple(l.split("\t")[:2]) for l in open(sys.argv[1]) if l.strip()}
for p in open(sys.argv[2]):
    t, _, i = p.strip().partition(":")
    assert t in ("user", "group", "anonymous") and (t, i) in res, p
' "$TMP/res" "$TMP/principals"
t_grep "users are keyed by userKey" "^user	$K_ALICE	Alice Anders" "$TMP/res"
t_nogrep "no user is keyed by username" '^user	(alice|bob|admin)	' "$TMP/res"
t_grep "a deactivated user is disabled" 'Gone User' "$TMP/res"
t_grep "anonymous access is a grant to the anonymous holder" \
	'^space:DOCS:read-space:anonymous:anonymous$' "$TMP/grants"
t_grep "the anonymous holder is marked" \
	'^anonymous	anonymous	Anonymous \(anyone, without signing in\)' "$TMP/res"
t_grep "personal spaces are synced" '^space:~bob:delete_mail-space:user:' \
	"$TMP/grants"
"$PORTCULLIS" c1z show "$TMP/a.c1z" entitlements | tail -n +2 | cut -f1 | \
	LC_ALL=C sort > "$TMP/ents"
cmockget state | python3 -c '
import json, sys
s = json.load(sys.stdin)
out = {"group:%s:member" % g["name"] for g in s["groups"]}
for sp in s["spaces"]:
    out |= {"space:%s:%s-%s" % (sp["key"], p["operationKey"], p["targetType"])
            for p in sp["permissions"]}
print("\n".join(sorted(out)))' | LC_ALL=C sort > "$TMP/ents.want"
if cmp -s "$TMP/ents" "$TMP/ents.want"; then
	t_ok "entitlements are computed per space"
else
	t_fail "entitlements are computed per space" "differ:"
	diff "$TMP/ents.want" "$TMP/ents" | head
fi
t_nogrep "OPS holds no permission only ENG has" '^space:OPS:export-space$' \
	"$TMP/ents"
for g in 'team a' 'qa?#1' '100% sure' 'c++;dev' 'développeurs' 'ops/infra'; do
	t_check "members of \"$g\" synced" grep -q "^group:$g:member:user:" \
		"$TMP/grants"
done
t_eq "\"team\" holds its own members only (not \"team a\"'s)" \
	"$(grep -c '^group:team:member:user:' "$TMP/grants")" 2
t_grep "a nested group is a grant to the child group" \
	'^group:team:member:group:développeurs$' "$TMP/grants"
t_grep "the log says how '/' groups were listed" \
	"hold '/' or .*GET /rest/api/user/memberof" "$TMP/sync.err"
cmockget stats > "$TMP/stats"
t_check "the mock saw no contract violation" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["violations"] == [] and s["mock_errors"] == 0, s["violations"]
r = s["by_route"]
assert r["GET /rest/api/space/{spaceKey}/permissions"] == 5, r
assert r["GET /rest/api/group/{groupName}/member"] == 9, r
' "$TMP/stats"
t_grep "the result counts the calls" 'synced \([0-9]+ API calls\)' "$TMP/sync.out"

# --- paging: a server maximum of 3 items a page ------------------------------
cmockpost reset-stats '{}' >/dev/null
cmockpost config '{"max_limit": 3}' >/dev/null
confl page --file "$TMP/p.c1z"
t_eq "capped pages: sync exits 0" "$(cat "$TMP/page.rc")" 0
conf_grants "$TMP/p.c1z" > "$TMP/pgrants"
t_check "capped pages: the same grant set" cmp -s "$TMP/pgrants" "$TMP/want"
t_check "capped pages: users came in 4 pages, no violation" python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["by_route"]["GET /rest/api/user/list"] == 4, s["by_route"]
assert s["violations"] == [], s["violations"]' <<EOF2
$(cmockget stats)
EOF2
cmockpost reset-stats '{}' >/dev/null
cmockpost config '{"max_limit": 2, "hidden_spaces": ["ENG"]}' >/dev/null
confl hidden --file "$TMP/h.c1z"
"$PORTCULLIS" c1z show "$TMP/h.c1z" resources | cut -f1,2 | grep '^space' | \
	cut -f2 | LC_ALL=C sort | tr '\n' ' ' > "$TMP/hspaces"
t_eq "a page cut short by Confluence: every other space synced" \
	"$(cat "$TMP/hspaces")" "DOCS OLD OPS ~bob "
t_eq "a page cut short: the next link's start is followed (3 pages, not 4)" \
	"$(cmockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["by_route"]["GET /rest/api/space"])')" 3
cmockpost config '{"max_limit": 200, "hidden_spaces": []}' >/dev/null

# --- a mid-size instance: 2k users, 200 spaces, the fan-out and the sandbox ---
conf_stop
python3 "$TOP/tests/mock/confluence-dc/gen_fixture.py" --users 2000 --groups 60 \
	--spaces 200 --out "$TMP/mid.json"
conf_mock "$TMP/mid.json"
confl mid --file "$TMP/mid.c1z"
t_eq "mid-size: sync exits 0" "$(cat "$TMP/mid.rc")" 0
conf_grants "$TMP/mid.c1z" > "$TMP/midg"
conf_expected > "$TMP/midw"
t_check "mid-size: the grant set" cmp -s "$TMP/midg" "$TMP/midw"
t_check "mid-size: a few calls per user at most" python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["violations"] == [], s["violations"][:3]
assert s["api_requests"] < 2 * 2010 + 2 * 205 + 200, s["by_route"]' <<EOF2
$(cmockget stats)
EOF2
conf_stop
conf_mock "$FXC"

# --- auth ---------------------------------------------------------------------
cmockpost reset-stats '{}' >/dev/null
BATON_USERNAME=admin BATON_PASSWORD=$C_ADMIN_PW "$PORTCULLIS" --config \
	"$TMP/conf.conf" --app confluence --file "$TMP/b.c1z" \
	>"$TMP/basic.out" 2>"$TMP/basic.err"
t_eq "Basic auth: sync exits 0" "$?" 0
t_check "Basic auth: every request was Basic" python3 -c '
import json, sys
s = json.load(sys.stdin)["auth_seen"]
kinds = {k for r in s.values() for k in r}
assert kinds == {"basic"}, s' <<EOF2
$(cmockget stats)
EOF2
t_nogrep "Basic auth: the password is not logged" "$C_ADMIN_PW" "$TMP/basic.err"
BATON_USERNAME=admin BATON_PASSWORD=wrong "$PORTCULLIS" --config \
	"$TMP/conf.conf" --app confluence --file "$TMP/b2.c1z" \
	>"$TMP/basic2.out" 2>"$TMP/basic2.err"
t_eq "wrong password: fails" "$?" 1
t_grep "wrong password: the vendor's error, one line" \
	'HTTP 401 Unauthorized: This request requires authentication' \
	"$TMP/basic2.err"
PAT=$C_BOB_PAT confl bob --file "$TMP/bob.c1z"
t_eq "non-admin token: sync fails" "$(cat "$TMP/bob.rc")" 1
t_grep "non-admin token: the 403 is named" \
	'HTTP 403 Forbidden: User bob does not have permission' "$TMP/bob.err"
t_nogrep "the token is never logged" "$C_ADMIN_PAT|$C_BOB_PAT" "$TMP/bob.err"
"$PORTCULLIS" --config "$TMP/conf.conf" --app confluence \
	--file "$TMP/none.c1z" >"$TMP/none.out" 2>"$TMP/none.err"
t_eq "no credentials: fails" "$?" 1
t_grep "no credentials: names the token to set" \
	'no access-token: set BATON_ACCESS_TOKEN' "$TMP/none.err"

# --- 429s and the kit's retries ---------------------------------------------
cmockpost reset-stats '{}' >/dev/null
cmockpost config '{"inject_429": 4, "retry_after": 0}' >/dev/null
confl rl --file "$TMP/rl.c1z"
t_eq "sync through 429s succeeds" "$(cat "$TMP/rl.rc")" 0
t_check "sync through 429s: the same grant set" cmp -s "$TMP/want" \
	"$(conf_grants "$TMP/rl.c1z" > "$TMP/rlg"; echo "$TMP/rlg")"
t_check "429s were injected" test "$(cmockget stats | python3 -c \
	'import json,sys;print(json.load(sys.stdin)["rate_limited"])')" -gt 3
cmockpost config '{"inject_429": 0, "rate_limit": {"capacity": 5, "fill_rate": 5, "interval_seconds": 1}}' >/dev/null
confl rl2 --file "$TMP/rl2.c1z"
t_eq "sync under the token bucket (5/s) succeeds" "$(cat "$TMP/rl2.rc")" 0
cmockpost config '{"rate_limit": null}' >/dev/null

# --- base URL: context path forms --------------------------------------------
conf_config "https://127.0.0.1:$CPORT/confluence/"
confl slash --file "$TMP/s.c1z"
t_eq "hostname with a trailing slash works" "$(cat "$TMP/slash.rc")" 0
conf_config "https://127.0.0.1:$CPORT"
confl noctx --file "$TMP/n.c1z"
t_eq "hostname without the context path: fails" "$(cat "$TMP/noctx.rc")" 1
t_grep "hostname without the context path: the 404 is named" 'HTTP 404' \
	"$TMP/noctx.err"
conf_stop
conf_mock "$FXC" --context ""
conf_config "https://127.0.0.1:$CPORT"
confl root --file "$TMP/r.c1z"
t_eq "Confluence at the root: sync exits 0" "$(cat "$TMP/root.rc")" 0

# --- allowlist: none by default, the operator's CIDRs -------------------------
conf_config "https://127.0.0.1:$CPORT"
sed -i '/^allow-file/d' "$TMP/conf.conf"
cmockpost reset-stats '{}' >/dev/null
confl noallow --file "$TMP/x.c1z"
t_eq "no allowlist: refused before running" "$(cat "$TMP/noallow.rc")" 2
t_grep "no allowlist: one line naming allow-file" \
	'^portcullis: confluence: no IP allowlist: .*set allow-file = FILE' \
	"$TMP/noallow.err"
t_eq "no allowlist: the mock saw nothing" \
	"$(cmockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["api_requests"])')" 0
echo "allow 10.20.0.0/24" > "$TMP/corp.cidr"
conf_config "https://wiki.example:$CPORT" "allow-file = $TMP/corp.cidr" \
	"resolve = wiki.example:$CPORT:127.0.0.1"
sed -i "/^allow-file = .*lo.cidr/d" "$TMP/conf.conf"
confl outside --file "$TMP/o.c1z"
t_eq "host resolving outside the operator's CIDRs: fails" \
	"$(cat "$TMP/outside.rc")" 1
t_grep "host resolving outside the operator's CIDRs: refused" \
	'127.0.0.1 is not in the IP allowlist' "$TMP/outside.err"
t_eq "host resolving outside the operator's CIDRs: no request" \
	"$(cmockget stats | python3 -c 'import json,sys;print(json.load(sys.stdin)["api_requests"])')" 0
"$PORTCULLIS" --config "$TMP/conf.conf" policy --explain --app confluence \
	>"$TMP/explain.out" 2>&1
t_grep "policy --explain shows the operator's CIDRs" '10\.20\.0\.0/24' \
	"$TMP/explain.out"
t_grep "policy --explain shows the egress rules" \
	'GET .*/rest/api/space/\*/permissions' "$TMP/explain.out"
t_done
