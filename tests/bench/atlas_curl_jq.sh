#!/bin/sh
# The peer of make bench: the same Atlas inventory as an administrator
# would script it with curl (HTTP Digest) and jq, one request after the
# other, every page of every list. Prints the number of API calls.
#   atlas_curl_jq.sh BASE CAFILE PUBLIC PRIVATE
B=$1/api/atlas/v2 CA=$2 AUTH=$3:$4
N=0
get() {		# path [accept version]: the body on stdout
	N=$((N + 1))
	curl -s --fail --digest -u "$AUTH" --cacert "$CA" \
		-H "Accept: application/vnd.atlas.${2:-2023-01-01}+json" "$B$1"
}
# Every page of a list: its results, one JSON object per line.
pages() {	# path [version]
	p=1
	while :; do
		get "$1?pageNum=$p&itemsPerPage=500&includeCount=true" "$2" > page.json ||
			return 1
		jq -c '.results[]' page.json
		total=$(jq '.totalCount // 0' page.json)
		[ $((p * 500)) -lt "$total" ] || break
		p=$((p + 1))
	done
}
tmp=$(mktemp -d)
cd "$tmp" || exit 1
for org in $(pages /orgs | jq -r .id); do
	pages "/orgs/$org/users" 2025-02-19 > "users.$org"
	for team in $(pages "/orgs/$org/teams" | jq -r .id); do
		pages "/orgs/$org/teams/$team/users" 2025-02-19 > "team.$team"
	done
	pages "/orgs/$org/apiKeys" > "keys.$org"
	for g in $(pages "/orgs/$org/groups" | jq -r .id); do
		pages "/groups/$g/users" 2025-02-19 > "pu.$g"
		pages "/groups/$g/databaseUsers" > "du.$g"
		pages "/groups/$g/clusters" 2024-08-05 > "cl.$g"
		for h in $(jq -r 'select(.paused != true) | .connectionStrings.standard
		    // empty' "cl.$g" | sed -n 's|^mongodb://\([^,/]*\).*|\1|p'); do
			pages "/groups/$g/processes/$h/databases" > "db.$g.$h" || true
		done
	done
done
cd / && rm -rf "$tmp"
echo "$N"
