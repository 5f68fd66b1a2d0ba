# Helpers for the Ironclad tests: start the mock, write a config, run.
# Needs common.sh sourced first.
IC_READER=2f9d1c7e-4b8a-4c3e-9a51-6d0e7f3b2a10
IC_READER_SECRET=ic-read-7f3b2a10-secret
IC_PROV=8c1e5a3d-2b7f-4e9a-b6d4-0f1a2c3e4d5b
IC_PROV_SECRET=ic-prov-0f1a2c3e-secret
IC_ADMIN=ada.admin@example.com
U_ADA=64a000000000000000000001 U_BOB=64a000000000000000000002
U_JOSE=64a000000000000000000003 U_DAVE=64a000000000000000000005
U_TELLER=64a000000000000000000009
G_ADMINS=a0000001-6c0a-4d1e-9b7f-0000a0000001
G_LEGAL=a0000002-6c0a-4d1e-9b7f-0000a0000002
G_EMPTY=a0000005-6c0a-4d1e-9b7f-0000a0000005

ic_mock() {		# fixture [extra args]
	fx=$1
	shift
	t_pymock ic ironclad/server.py --fixture "$fx" --token-limit 0 "$@"
	IC_PID=$MOCK_PID ICPORT=$MOCK_PORT
	echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
	IC_SECRET=$IC_PROV_SECRET
	cat > "$TMP/ic.conf" <<CONF
policy-dir = $TOP/policy
[app ironclad]
base-url = https://127.0.0.1:$ICPORT
ca-file = $CA/ca.pem
allow-file = $TMP/lo.cidr
ic-client-id = $IC_PROV
as-user-email = $IC_ADMIN
connect-timeout = 5
timeout = 30
CONF
}

ic_stop() {
	kill "$IC_PID" 2>/dev/null
	wait "$IC_PID" 2>/dev/null
}

# ic NAME [flags...]: run portcullis; out/err/rc in $TMP/NAME.*
ic() {
	n=$1
	shift
	BATON_IC_CLIENT_SECRET=$IC_SECRET "$PORTCULLIS" --config "$TMP/ic.conf" \
		--app ironclad "$@" >"$TMP/$n.out" 2>"$TMP/$n.err"
	echo $? > "$TMP/$n.rc"
}

icget() {		# control path
	curl -s --cacert "$CA/ca.pem" "https://127.0.0.1:$ICPORT/__mock/$1"
}

icpost() {		# control path, json
	curl -s --cacert "$CA/ca.pem" -X POST -d "$2" \
		"https://127.0.0.1:$ICPORT/__mock/$1" >/dev/null
}

# Python expression on the mock's state s: icq 'len(s["users"])'
icq() {
	icget state | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# Python expression on the mock's stats s.
icstat() {
	icget stats | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# The strings of resource TYPE:ID's record in c1z FILE, each with the next
# ("key=value" for its profile): ic_blob FILE TYPE:ID
ic_blob() {
	python3 - "$1" "$2" <<'PY'
import re, sqlite3, subprocess, sys, tempfile
b = open(sys.argv[1], "rb").read()
i = b.find(b"\x28\xb5\x2f\xfd")
db = subprocess.run(["zstd", "-dcq"], input=b[i:], capture_output=True).stdout
with tempfile.NamedTemporaryFile(suffix=".db") as f:
    f.write(db)
    f.flush()
    row = sqlite3.connect(f.name).execute(
        "select data from v1_resources where external_id = ?", (sys.argv[2],)).fetchone()
if row:
    xs = [x.decode("utf-8", "replace") for x in re.findall(rb"[\x20-\x7e\x80-\xff]{2,}", row[0])]
    for a, b in zip(xs, xs[1:]):
        print("%s=%s" % (a, b))
PY
}

# ic_absent NAME STRING FILE...: STRING (taken literally) is in none of them.
ic_absent() {
	n=$1 s=$2
	shift 2
	if [ -z "$s" ]; then
		t_fail "$n" "nothing to look for"
	elif grep -q -F -- "$s" "$@"; then
		t_fail "$n" "found in $(grep -l -F -- "$s" "$@" | head -3)"
	else
		t_ok "$n"
	fi
}
