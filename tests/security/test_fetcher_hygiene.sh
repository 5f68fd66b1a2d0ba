#!/bin/sh
# A running fetcher: empty environment, no fd besides 0-4 (0-2 on
# /dev/null), not running as root when we are, in user, pid, network and
# IPC namespaces of its own, and the broker's key is nowhere in its
# memory (read through /proc/PID/mem while it is stopped).
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\n' > "$TMP/egress.rules"
KEY=pc-hygiene-key-$$-Zq81
t_conf "$TMP/c.conf" sbxtest "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"action = hold"
sed -i 's/^auth = none/auth = bearer/' "$TMP/c.conf"
BATON_API_TOKEN=$KEY "$PORTCULLIS" --config "$TMP/c.conf" --app sbxtest \
	>"$TMP/out" 2>"$TMP/err" &
AG=$!
T_PIDS="$T_PIDS $AG"
# The fetcher is the agent's child, or (in namespaces of its own) the
# child of a parent left outside that holds nothing and only waits.
find_fetcher() {
	FP=$(t_fetcher "$AG" portcullis-fetch-sbxtest)
	MID=$(ps -o ppid= -p "${FP:-1}" | tr -d ' ')
	[ "$MID" = "$AG" ] && MID=
}
i=0
while [ $i -lt 100 ]; do
	find_fetcher
	[ -n "$FP" ] && [ "$(t_count m)" = 1 ] && break
	sleep 0.1; i=$((i + 1))
done
BP=$(pgrep -P "$AG" | grep -v -x -e "$FP" -e "${MID:-none}" | head -n 1)
if [ -z "$FP" ]; then
	t_fail "fetcher found" "no fetcher process"; t_done; exit 1
fi
sleep 0.3
kill -STOP "$FP"
t_eq "fetcher environment is empty" "$(wc -c < /proc/$FP/environ)" 0
fds=$(ls /proc/$FP/fd | sort -n | tr '\n' ' ')
t_eq "fetcher holds only fds 0-4" "$fds" "0 1 2 3 4 "
for n in 0 1 2; do
	t_eq "fd $n is /dev/null" "$(readlink /proc/$FP/fd/$n)" /dev/null
done
if [ "$(id -u)" = 0 ]; then
	t_check "fetcher does not run as root" \
		test "$(awk '/^Uid:/ {print $2}' /proc/$FP/status)" != 0
	t_eq "fetcher has no capabilities" \
		"$(awk '/^CapEff:/ {print $2}' /proc/$FP/status)" 0000000000000000
	t_check "broker does not run as root" \
		test "$(awk '/^Uid:/ {print $2}' /proc/$BP/status)" != 0
else
	t_skip "fetcher uid" "not root"
fi
t_eq "fetcher is in seccomp filter mode" \
	"$(awk '/^Seccomp:/ {print $2}' /proc/$FP/status)" 2
t_eq "fetcher has no_new_privs" \
	"$(awk '/^NoNewPrivs:/ {print $2}' /proc/$FP/status)" 1
if grep -q "runs without namespaces" "$TMP/err"; then
	t_skip "fetcher namespaces" "the kernel refused them here"
else
	t_check "parent left outside holds no fd" test -z "$(ls /proc/$MID/fd)"
	t_eq "fetcher is pid 1 of a pid namespace of its own" \
		"$(awk '/^NSpid:/ {print $NF}' /proc/$FP/status)" 1
	for ns in user pid net ipc; do
		t_check "fetcher has a $ns namespace of its own" test \
			"$(readlink /proc/$FP/ns/$ns)" != "$(readlink /proc/$AG/ns/$ns)"
	done
	t_eq "fetcher's uid is the same outside and in" \
		"$(awk '{print $1 "=" $2}' /proc/$FP/uid_map)" \
		"$(awk '/^Uid:/ {print $2 "=" $2}' /proc/$FP/status)"
fi
python3 "$TOP/tests/lib/memscan.py" "$FP" "$KEY" > "$TMP/scan.f"
t_eq "key not in fetcher memory" "$(cat "$TMP/scan.f")" "absent"
# Control: the scanner does find the key where it is, in the broker.
python3 "$TOP/tests/lib/memscan.py" "$BP" "$KEY" > "$TMP/scan.b"
t_eq "scanner finds the key in the broker (control)" "$(cat "$TMP/scan.b")" \
	"present"
t_eq "agent environment no longer holds the key" \
	"$(tr '\0' '\n' < /proc/$AG/environ | grep -c "$KEY")" 0
kill -KILL "$FP"
wait "$AG" 2>/dev/null
# Control: with namespaces = off the same checks see the agent's own.
sed -i '1i namespaces = off' "$TMP/c.conf"
BATON_API_TOKEN=$KEY "$PORTCULLIS" --config "$TMP/c.conf" --app sbxtest \
	>"$TMP/out2" 2>"$TMP/err2" &
AG=$!
T_PIDS="$T_PIDS $AG"
i=0
while [ $i -lt 100 ]; do
	find_fetcher
	[ -n "$FP" ] && break
	sleep 0.1; i=$((i + 1))
done
t_eq "namespaces = off: the fetcher is the agent's child (control)" \
	"$(ps -o ppid= -p "${FP:-1}" | tr -d ' ')" "$AG"
t_eq "namespaces = off: the agent's pid namespace (control)" \
	"$(readlink /proc/${FP:-1}/ns/pid)" "$(readlink /proc/$AG/ns/pid)"
[ -n "$FP" ] && kill -KILL "$FP"
wait "$AG" 2>/dev/null
sed "1i namespaces = maybe" "$TMP/c.conf" | grep -v "^namespaces = off" > "$TMP/bad.conf"
"$PORTCULLIS" --config "$TMP/bad.conf" --app sbxtest > /dev/null 2> "$TMP/bad.err"
t_grep "namespaces: a bad value is named" \
	'namespaces: "maybe" is not auto, require or off' "$TMP/bad.err"
t_done
