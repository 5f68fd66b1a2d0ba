# Shared helpers for the shell tests. Source it; it sets $TOP, $BUILD,
# $PORTCULLIS, $TMP (removed on exit) and counts checks. Every script ends
# with `t_done`, which prints "N passed, N failed[, N skipped]".
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
PORTCULLIS="$BUILD/bin/portcullis"
case "$BUILD" in *-san) SAN=1 ;; esac
SHARED="$TOP/../shared"
T_PASS=0 T_FAIL=0 T_SKIP=0
T_PIDS=
TMP=$(mktemp -d /tmp/pc-test.XXXXXX)
chmod 0755 "$TMP"

t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap t_cleanup EXIT INT TERM

t_ok() {		# name
	T_PASS=$((T_PASS + 1))
}
t_fail() {		# name, why
	T_FAIL=$((T_FAIL + 1))
	echo "$(basename "$0" .sh): $1: $2"
}
t_skip() {		# name, why
	T_SKIP=$((T_SKIP + 1))
	echo "$(basename "$0" .sh): $1: skipped ($2)"
}
t_check() {		# name, command...: passes when the command succeeds
	n=$1
	shift
	if "$@"; then t_ok "$n"; else t_fail "$n" "command failed: $*"; fi
}
t_grep() {		# name, pattern, file
	if grep -q -E -- "$2" "$3"; then t_ok "$1"; else
		t_fail "$1" "no \"$2\" in output:"; sed 's/^/    /' "$3" | head -20
	fi
}
t_nogrep() {		# name, pattern, file
	if grep -q -E -- "$2" "$3"; then
		t_fail "$1" "unexpected \"$2\" in output:"; grep -E -- "$2" "$3" | head -5
	else t_ok "$1"; fi
}
t_eq() {		# name, got, want
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got \"$2\", want \"$3\""; fi
}
t_tree() {		# pid: it and every descendant, one per line
	echo "$1"
	for c in $(pgrep -P "$1"); do t_tree "$c"; done
}
t_fetcher() {		# agent pid, fetcher name: the fetcher's pid (it may be
			# a grandchild: the child of the parent left outside
			# its namespaces)
	for p in $(t_tree "$1"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$(echo "$2" | cut -c1-15)" ] &&
			{ echo "$p"; return; }
	done
}
t_done() {
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
	[ "$T_FAIL" = 0 ]
}

# Test CA and server certificate, shared by the scripts of one run.
t_ca() {
	CA="$BUILD/tests/ca"
	sh "$TOP/tests/lib/testca.sh" "$CA" >/dev/null
}

# A vendor stand-in on loopback TLS: t_pymock NAME SCRIPT [args] runs
# tests/mock/SCRIPT with the test CA's server certificate, logs to
# $TMP/NAME.log and waits for its port: MOCK_PID, MOCK_PORT.
t_pymock() {
	pm_n=$1 pm_s=$2
	shift 2
	rm -f "$TMP/$pm_n.port"
	python3 "$TOP/tests/mock/$pm_s" --cert "$CA/server.pem" \
		--key "$CA/server.key" --port-file "$TMP/$pm_n.port" "$@" \
		>"$TMP/$pm_n.log" 2>&1 &
	MOCK_PID=$!
	T_PIDS="$T_PIDS $MOCK_PID"
	pm_i=0
	while [ ! -s "$TMP/$pm_n.port" ] && [ $pm_i -lt 100 ]; do
		sleep 0.1; pm_i=$((pm_i + 1))
	done
	MOCK_PORT=$(cat "$TMP/$pm_n.port")
}

# The control API of the Atlas or Atlassian stand-in at $APORT:
# mockget PATH, mockpost PATH JSON, mockq 'python expression on state s'.
mockget() {
	curl -s --cacert "$CA/ca.pem" "https://127.0.0.1:$APORT/__mock/$1"
}
mockpost() {
	curl -s --cacert "$CA/ca.pem" -X POST -d "$2" \
		"https://127.0.0.1:$APORT/__mock/$1" >/dev/null
}
mockq() {
	mockget state | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# Start the demo mock: t_mock NAME BIND [extra args]; sets PORT_<NAME>.
t_mock() {
	name=$1 bind=$2
	shift 2
	python3 "$TOP/tests/mock/demo/server.py" --cert "$CA/server.pem" \
		--key "$CA/server.key" --bind "$bind" \
		--port-file "$TMP/$name.port" --count-file "$TMP/$name.count" \
		"$@" >"$TMP/$name.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	i=0
	while [ ! -s "$TMP/$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	eval "PORT_$name=$(cat "$TMP/$name.port")"
}

# Connections a mock accepted.
t_count() { cat "$TMP/$1.count"; }

# A config file for app NAME: t_conf FILE NAME BASEURL [more lines...]
t_conf() {
	f=$1 app=$2 url=$3
	shift 3
	{
		echo "policy-dir = $TOP/policy"
		echo "[app $app]"
		echo "base-url = $url"
		echo "ca-file = $CA/ca.pem"
		echo "auth = none"
		echo "connect-timeout = 5"
		echo "timeout = 20"
		for l in "$@"; do echo "$l"; done
	} > "$f"
}

# t_notify SOCKET LOG: a stand-in for systemd's notify socket; every
# datagram the service sends (READY=1, STATUS=...) becomes a line of LOG.
t_notify() {
	python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode() + "\n")
PY
	T_PIDS="$T_PIDS $!"
	_i=0
	while [ ! -S "$1" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}
