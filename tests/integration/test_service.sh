#!/bin/sh
# portcullis service: READY, STATUS and WATCHDOG to $NOTIFY_SOCKET, one run
# per interval, SIGHUP re-reads the configuration (a bad one is kept out),
# SIGTERM exits 0 with STOPPING; secrets and policy paths in BATON_* are
# refused.
. "$(dirname "$0")/../lib/common.sh"
t_ca
t_mock m 127.0.0.1
echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
printf 'GET $base /hello\nGET $base /count\n' > "$TMP/egress.rules"
t_conf "$TMP/app.part" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/egress.rules" \
	"path = /hello"
{ echo "interval = 1"; echo "app = demo"; cat "$TMP/app.part"; } > "$TMP/s.conf"
t_notify "$TMP/notify.sock" "$TMP/notify.log"
NOTIFY_SOCKET="$TMP/notify.sock" "$PORTCULLIS" service --config "$TMP/s.conf" \
	>"$TMP/out" 2>"$TMP/err" &
SV=$!
T_PIDS="$T_PIDS $SV"
wait_for() {	# pattern, file, tenths of a second
	i=0
	while ! grep -q -E -- "$1" "$2" 2>/dev/null && [ $i -lt "$3" ]; do
		sleep 0.1; i=$((i + 1))
	done
}
wait_for 'run 2 at' "$TMP/notify.log" 150
t_grep "READY=1 sent" '^READY=1$' "$TMP/notify.log"
t_grep "STATUS names the app" '^STATUS=run 1: syncing demo$' "$TMP/notify.log"
t_grep "STATUS after a run" '^STATUS=run [0-9]+ at .*: 1 of 1 apps synced$' \
	"$TMP/notify.log"
t_check "one request per run, at least two runs" test "$(t_count m)" -ge 2
t_grep "each run's result printed" '^demo: GET /hello: HTTP 200' "$TMP/out"

# SIGHUP with a broken file: kept out, still running.
cp "$TMP/s.conf" "$TMP/good.conf"
echo "no-such-option = 1" >> "$TMP/s.conf"
kill -HUP "$SV"
wait_for 'reload failed' "$TMP/err" 50
t_grep "bad reload refused" 'reload failed; keeping the running configuration' \
	"$TMP/err"
wait_for '^RELOADING=1$' "$TMP/notify.log" 50
t_grep "RELOADING sent" '^RELOADING=1$' "$TMP/notify.log"
# SIGHUP with a good one: a new path takes effect.
sed 's|^path = /hello|path = /count|' "$TMP/good.conf" > "$TMP/s.conf"
kill -HUP "$SV"
wait_for 'GET /count: HTTP 404' "$TMP/err" 80
t_grep "reloaded config used (its path is a 404 here)" \
	'demo: failed: GET /count: HTTP 404' "$TMP/err"
t_grep "a failed run is reported in STATUS" '^STATUS=run [0-9]+ at .*: 0 of 1' \
	"$TMP/notify.log"
t_check "still running" kill -0 "$SV"

kill -TERM "$SV"
wait "$SV"
t_eq "SIGTERM: exit 0" "$?" 0
wait_for '^STOPPING=1$' "$TMP/notify.log" 50
t_grep "STOPPING=1 sent" '^STOPPING=1$' "$TMP/notify.log"
t_grep "says it stops" 'service: stopping after [0-9]+ runs' "$TMP/err"

BATON_API_TOKEN=x "$PORTCULLIS" service --config "$TMP/good.conf" \
	>/dev/null 2>"$TMP/env.err"
t_eq "BATON_* secret: refused" "$?" 2
t_grep "BATON_* secret: says why" 'a service reads secrets from files' \
	"$TMP/env.err"
for v in BATON_LIBEXEC=/tmp BATON_EGRESS_FILE=/dev/null BATON_POLICY_DIR=/tmp \
    BATON_ALLOW_FILE=/dev/null BATON_CONFIG=/dev/null; do
	env "$v" "$PORTCULLIS" service --config "$TMP/good.conf" \
		>/dev/null 2>"$TMP/penv.err"
	t_eq "${v%%=*}: refused in service mode" "$?" 2
	t_grep "${v%%=*}: says why" "service: ${v%%=*} is set; a service takes" \
		"$TMP/penv.err"
done
BATON_LOG_LEVEL=debug BATON_INTERVAL=0 "$PORTCULLIS" service \
	--config "$TMP/good.conf" >/dev/null 2>"$TMP/penv.err"
t_grep "a BATON_* that is not policy still applies (control)" \
	'interval' "$TMP/penv.err"
sed 's/^interval = 1$/interval = 0/' "$TMP/good.conf" > "$TMP/bad.conf"
"$PORTCULLIS" service --config "$TMP/bad.conf" >/dev/null 2>"$TMP/iv.err"
t_eq "interval 0: refused" "$?" 2
t_done
