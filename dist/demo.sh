#!/bin/sh
# make demo: a first sync with nothing to set up. A throw-away CA, the
# bundled Atlas stand-in (tests/mock/atlas) on loopback with a generated
# organization, and a real run: agent, broker and the sandboxed fetcher,
# Digest auth, egress rules and the allowlist, the .c1z written to
# build/demo/atlas.c1z. Then its stats and a few grants.
#   dist/demo.sh BUILD [USERS]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
users=${2:-500}
d=$build/demo
mkdir -p "$d"
# A new organization each time: start from no file (the shrink guard
# would keep a larger previous one).
rm -f "$d/atlas.c1z"
sh "$top/tests/lib/testca.sh" "$d/ca" >/dev/null
python3 "$top/tests/mock/atlas/gen_fixture.py" --users "$users" \
	--projects 10 --out "$d/org.json" >/dev/null
rm -f "$d/port"
python3 "$top/tests/mock/atlas/server.py" --cert "$d/ca/server.pem" \
	--key "$d/ca/server.key" --port-file "$d/port" \
	--fixture "$d/org.json" >"$d/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$d/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$d/port")
echo "allow 127.0.0.1/32" > "$d/loopback.cidr"
# The stand-in's key pair; a real tenant's goes in private-key-file.
printf 'priv-5e3c-4b2a\n' > "$d/private-key"
chmod 600 "$d/private-key"
cat > "$d/portcullis.conf" <<CONF
# The demo's configuration. For your Atlas organization: drop base-url,
# ca-file and allow-file (the defaults are cloud.mongodb.com, the system
# CAs and policy/allow/atlas.cidr) and give your API key pair.
policy-dir = $top/policy
libexec = $build/bin
audit-log = $d/audit.log
[app atlas]
base-url = https://127.0.0.1:$port
ca-file = $d/ca/ca.pem
allow-file = $d/loopback.cidr
public-key = pubkey01
private-key-file = $d/private-key
file = $d/atlas.c1z
CONF
echo "demo: syncing a generated Atlas organization ($users users) from a loopback stand-in"
"$build/bin/portcullis" --config "$d/portcullis.conf" --app atlas
echo
"$build/bin/portcullis" c1z show "$d/atlas.c1z" stats
echo
"$build/bin/portcullis" c1z show "$d/atlas.c1z" grants | head -6
echo
echo "demo: the file is $d/atlas.c1z, the configuration $d/portcullis.conf"
echo "demo: try: $build/bin/portcullis c1z show $d/atlas.c1z resources --json | head"
