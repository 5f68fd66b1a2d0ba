#!/bin/sh
# make demo [APP=atlas|atlassian|ironclad|confluence]: a first sync with
# nothing to set up. A throw-away CA, the app's bundled stand-in
# (tests/mock/...) on loopback, and a real run: agent, broker and the
# sandboxed fetcher, the app's auth, egress rules and the allowlist, the
# .c1z written to build/demo/APP.c1z. Then its stats and a few grants.
#   dist/demo.sh BUILD [USERS] [APP]
# Atlas's organization is generated (USERS users); the other stand-ins
# serve their small fixture, whose credentials are the demo's.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
users=${2:-500}
app=${3:-atlas}
d=$build/demo
case "$app" in
atlas|atlassian|ironclad|confluence) ;;
*)	echo "demo: no demo for app \"$app\" (atlas, atlassian, ironclad, confluence)" >&2
	exit 2 ;;
esac
mkdir -p "$d"
# A new organization each time: start from no file (the shrink guard
# would keep a larger previous one).
rm -f "$d/$app.c1z"
sh "$top/tests/lib/testca.sh" "$d/ca" >/dev/null
echo "allow 127.0.0.1/32" > "$d/loopback.cidr"

# secret NAME VALUE: the stand-in's credential in a file of mode 0600,
# as a real tenant's goes in NAME-file (or a systemd credential).
secret() {
	printf '%s\n' "$2" > "$d/$app.$1"
	chmod 600 "$d/$app.$1"
	echo "$1-file = $d/$app.$1"
}

# Each app: its stand-in, its fixture, and the lines of its [app] section.
case "$app" in
atlas)
	python3 "$top/tests/mock/atlas/gen_fixture.py" --users "$users" \
		--projects 10 --out "$d/org.json" >/dev/null
	mock="atlas/server.py --fixture $d/org.json"
	what="a generated Atlas organization ($users users)"
	hint="drop base-url, ca-file and allow-file (the defaults are
# cloud.mongodb.com, the system CAs and policy/allow/atlas.cidr) and give
# your API key pair."
	lines() {
		echo "public-key = pubkey01"
		secret private-key priv-5e3c-4b2a
	} ;;
atlassian)
	fx=$top/tests/mock/atlassian/fixtures/small.json
	mock="atlassian/server.py --fixture $fx"
	what="the Atlassian stand-in's organization"
	hint="drop base-url, ca-file and allow-file, set your
# organization-id and the organization API key (access-token-file)."
	lines() {
		echo "organization-id = a0a0a0a0-0000-4000-8000-000000000001"
		secret access-token atl-org-key-5e3c4b2a9d
	} ;;
ironclad)
	fx=$top/tests/mock/ironclad/fixtures/small.json
	mock="ironclad/server.py --fixture $fx --token-limit 0"
	what="the Ironclad stand-in's company"
	hint="drop base-url, ca-file and allow-file, set environment
# (na1, eu1 or demo), your OAuth app's ic-client-id and its secret."
	lines() {
		echo "ic-client-id = 8c1e5a3d-2b7f-4e9a-b6d4-0f1a2c3e4d5b"
		echo "as-user-email = ada.admin@example.com"
		secret ic-client-secret ic-prov-0f1a2c3e-secret
	} ;;
confluence)
	fx=$top/tests/mock/confluence-dc/fixtures/small.json
	mock="confluence-dc/server.py --fixture $fx"
	what="the Confluence Data Center stand-in"
	hint="set hostname to your server's URL, drop ca-file and
# allow-file if the system CAs and policy/allow/confluence.cidr fit, and give
# a personal access token of an administrator."
	lines() {
		secret access-token NDUee3ccec4765527755617475b7819566a79005d3b2
	} ;;
esac

rm -f "$d/port"
# shellcheck disable=SC2086 # $mock is the script and its arguments
python3 "$top/tests/mock/"$mock --cert "$d/ca/server.pem" \
	--key "$d/ca/server.key" --port-file "$d/port" >"$d/mock.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$d/port")
url=https://127.0.0.1:$port
[ "$app" = confluence ] && urlopt="hostname = $url/confluence" ||
	urlopt="base-url = $url"
{
	echo "# The demo's configuration. For your own tenant: $hint"
	echo "policy-dir = $top/policy"
	echo "libexec = $build/bin"
	echo "audit-log = $d/audit.log"
	echo "[app $app]"
	echo "$urlopt"
	echo "ca-file = $d/ca/ca.pem"
	echo "allow-file = $d/loopback.cidr"
	lines
	echo "file = $d/$app.c1z"
} > "$d/$app.conf"
echo "demo: syncing $what from a loopback stand-in"
"$build/bin/portcullis" --config "$d/$app.conf" --app "$app"
echo
"$build/bin/portcullis" c1z show "$d/$app.c1z" stats
echo
"$build/bin/portcullis" c1z show "$d/$app.c1z" grants | head -6
echo
echo "demo: the file is $d/$app.c1z, the configuration $d/$app.conf"
echo "demo: try: $build/bin/portcullis c1z show $d/$app.c1z resources --json | head"
echo "demo: other apps: make demo APP=atlas|atlassian|ironclad|confluence"
