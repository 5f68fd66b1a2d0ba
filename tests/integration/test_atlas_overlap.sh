#!/bin/sh
# MongoDB Atlas, one project's listings side by side (issue 13): its
# clusters, custom roles and database users go out together, and a
# cluster's databases as soon as the cluster is listed, not after the
# last database user. Shown in the mock's request log at max-in-flight 8
# and 30 ms an answer, each project's database users held back 1 s by a
# 429 (Retry-After: 1) so the order cannot come by chance: its clusters
# and their databases reach the mock before its database users' answer
# leaves it; the output is the same. An error in any of the parallel
# listings still ends the sync, with the failed call's one line, and
# writes nothing.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
FX="$TOP/tests/mock/atlas/fixtures/small.json"

atlas_mock "$FX" --latency-ms 30 --request-log "$TMP/req.log"
echo "max-in-flight = 8" >> "$TMP/atlas.conf"
mockpost config '{"limit_routes": {"listDatabaseUsers": [3, 1]}}'
atlas ov --file "$TMP/ov.c1z"
t_eq "sync exits 0" "$(cat "$TMP/ov.rc")" 0
"$PORTCULLIS" c1z show "$TMP/ov.c1z" grants | tail -n +2 | cut -f1 | sort > "$TMP/grants"
t_check "the grants are the expected set" \
	cmp -s "$TMP/grants" "$TOP/tests/integration/atlas_small.grants"
t_eq "each project's database users were held back once" \
	"$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["rate_limited"])')" 3
atlas_stop

# For each project with a cluster whose databases are listed: the line
# numbers of its clusters request, of its databases requests and of the
# last answer (2xx) to its database users.
python3 - "$TMP/req.log" > "$TMP/order" <<'PY'
import re, sys
seq, first, last_users = {}, {}, {}
for n, line in enumerate(open(sys.argv[1])):
    f = line.split()
    if f[0] == "S":
        seq[f[1]] = f[4]
        m = re.match(r"/api/atlas/v2/groups/([0-9a-f]{24})/(clusters|processes/[^/]+/databases)", f[4])
        if m:
            first.setdefault((m.group(1), m.group(2).split("/")[0]), n)
    elif f[0] == "E" and f[3].startswith("2"):
        m = re.match(r"/api/atlas/v2/groups/([0-9a-f]{24})/databaseUsers", seq.get(f[1], ""))
        if m:
            last_users[m.group(1)] = n
for (g, kind), n in sorted(first.items()):
    if (g, "processes") in first:
        print(g, kind, n, last_users.get(g, -1))
PY
t_eq "two projects list a cluster's databases (control)" \
	"$(cut -d' ' -f1 "$TMP/order" | sort -u | wc -l | tr -d ' ')" 2
while read -r g kind n u; do
	t_check "$g: its $kind listing reaches the mock before its database users' answer" \
		test "$n" -lt "$u"
done < "$TMP/order"

# --- fail closed: an error in one listing while the others are in flight
atlas_mock "$FX" --latency-ms 30
echo "max-in-flight = 8" >> "$TMP/atlas.conf"
for route in listClusters:clusters listDatabaseUsers:databaseUsers \
    listCustomDbRoles:customDBRoles/roles listDatabases:processes/[^/]+/databases; do
	op=${route%%:*} path=${route#*:}
	mockpost config "{\"fail_routes\": {\"$op\": 404}}"
	rm -f "$TMP/f.c1z"
	atlas "f-$op" --file "$TMP/f.c1z"
	t_eq "$op fails: the sync fails" "$(cat "$TMP/f-$op.rc")" 1
	t_grep "$op fails: the failed call's one line" \
		"^portcullis: atlas: failed: atlas GET /api/atlas/v2/groups/[0-9a-f]{24}/$path: HTTP 404 UNEXPECTED_ERROR: Injected failure" \
		"$TMP/f-$op.err"
	t_check "$op fails: nothing written" test ! -e "$TMP/f.c1z"
done
# The database users fail after the clusters' databases are in: those
# clusters wait on the project when the listing ends (SAN=1: no double
# free, no use after free when they are let go).
mockpost reset-stats '{}'
mockpost config '{"fail_routes": {"listDatabaseUsers": 404},
    "limit_routes": {"listDatabaseUsers": [3, 1]}}'
atlas late --file "$TMP/f.c1z"
t_eq "database users fail late: the sync fails" "$(cat "$TMP/late.rc")" 1
t_grep "database users fail late: the failed call's one line" \
	"^portcullis: atlas: failed: atlas GET /api/atlas/v2/groups/[0-9a-f]{24}/databaseUsers: HTTP 404" \
	"$TMP/late.err"
t_check "database users fail late: the databases were listed first (control)" \
	test "$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_route"].get("GET listDatabases", 0))')" -ge 2
t_check "database users fail late: nothing written" test ! -e "$TMP/f.c1z"
atlas_stop
t_done
