#!/bin/sh
# Every fetcher, as the agent starts it, while it waits for its first
# answer (the vendor is a tarpit that accepts and never speaks): seccomp
# filter mode, no_new_privs, no capability at all, and pid 1 of a pid
# namespace of its own. A new connector gets a line in APPS below.
. "$(dirname "$0")/../lib/common.sh"
t_ca
python3 - "$TMP/tarpit.port" "$TMP/tarpit.count" <<'PY' &
import socket, sys, threading, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held, n = [], 0
while True:
    c, _ = s.accept()
    held.append(c)
    n += 1
    open(sys.argv[2], "w").write(str(n))
PY
T_PIDS="$T_PIDS $!"
i=0
while [ ! -s "$TMP/tarpit.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
TP=$(cat "$TMP/tarpit.port")
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"

# app, env assignments, extra config lines
check() {
	app=$1 envs=$2
	shift 2
	t_conf "$TMP/$app.conf" "$app" "https://127.0.0.1:$TP" \
		"allow-file = $TMP/allow.cidr" "$@"
	sed -i 's/^timeout = 20$/timeout = 30/' "$TMP/$app.conf"
	env $envs "$PORTCULLIS" --config "$TMP/$app.conf" --app "$app" \
		--file "$TMP/$app.c1z" >"$TMP/$app.out" 2>"$TMP/$app.err" &
	ag=$!
	i=0 fp=
	while [ $i -lt 100 ]; do
		fp=$(t_fetcher "$ag" "portcullis-fetch-$app")
		[ -n "$fp" ] && [ -s "$TMP/tarpit.count" ] &&
			[ "$(cat "$TMP/tarpit.count")" -gt "${seen:-0}" ] && break
		sleep 0.1; i=$((i + 1))
	done
	seen=$(cat "$TMP/tarpit.count" 2>/dev/null)
	if [ -z "$fp" ]; then
		t_fail "$app: fetcher found" "no fetcher process"
		sed 's/^/    /' "$TMP/$app.err" | head -5
	else
		st=/proc/$fp/status
		t_eq "$app: seccomp filter mode" "$(awk '/^Seccomp:/ {print $2}' $st)" 2
		t_eq "$app: no_new_privs" "$(awk '/^NoNewPrivs:/ {print $2}' $st)" 1
		t_eq "$app: no effective capability" \
			"$(awk '/^CapEff:/ {print $2}' $st)" 0000000000000000
		t_eq "$app: no permitted capability" \
			"$(awk '/^CapPrm:/ {print $2}' $st)" 0000000000000000
		if grep -q "runs without namespaces" "$TMP/$app.err"; then
			t_skip "$app: own pid namespace" "the kernel refused it"
		else
			t_eq "$app: pid 1 of its own pid namespace" \
				"$(awk '/^NSpid:/ {print $NF}' $st)" 1
		fi
		[ "$(id -u)" = 0 ] && t_check "$app: not root" \
			test "$(awk '/^Uid:/ {print $2}' $st)" != 0
	fi
	kill "$ag" 2>/dev/null
	for p in $(t_tree "$ag"); do kill -9 "$p" 2>/dev/null; done
	wait "$ag" 2>/dev/null
}
check demo "X=1"
check atlas "BATON_PRIVATE_KEY=k" "public-key = p" "auth = digest"
check confluence "BATON_ACCESS_TOKEN=k" "auth = bearer"
check ironclad "BATON_IC_CLIENT_SECRET=s" "ic-client-id = c" \
	"as-user-email = a@example.com" "auth = oauth2"
check atlassian "BATON_ACCESS_TOKEN=k" "auth = bearer" "organization-id = a0a0a0a0-0000-4000-8000-000000000001"
t_done
