#!/bin/sh
# Logs and progress: --log-format json lines, journald <N> priorities when
# JOURNAL_STREAM names our stderr, the live progress line on a terminal
# only (and not with --quiet), the summary line, --log-level debug request
# and retry lines without a secret, and service STATUS= with the reason.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
# Its runs write no --file: into the scratch directory, not the tree.
cd "$TMP" || exit 1
GOOD="$TMP/good.conf"
cp "$TMP/atlas.conf" "$GOOD"
echo "allow 10.0.0.0/8" > "$TMP/ten.cidr"
sed "s#^allow-file = .*#allow-file = $TMP/ten.cidr#" "$GOOD" > "$TMP/bad.conf"
SECRET=priv-5e3c-4b2a

# --- JSON lines -----------------------------------------------------------
atlas json --log-format json
t_eq "json: the run succeeds" "$(cat "$TMP/json.rc")" 0
cp "$TMP/bad.conf" "$TMP/atlas.conf"
atlas jsonbad --log-format json
cp "$GOOD" "$TMP/atlas.conf"
python3 - "$TMP/json.err" "$TMP/jsonbad.err" > "$TMP/json.check" 2>&1 <<'PY'
import json, sys
ok, bad = ([json.loads(l) for l in open(f)] for f in sys.argv[1:3])
for o in ok + bad:
    for k in ("time", "level", "proc", "event", "msg"):
        assert k in o, (k, o)
    assert o["time"].endswith("Z") and "T" in o["time"], o
s = [o for o in ok if o["event"] == "summary"]
assert len(s) == 1 and s[0]["exit"] == 0 and s[0]["records"] == 172, s
assert s[0]["requests"] > 0, s
f = [o for o in bad if o["event"] == "failed"]
assert len(f) == 1, bad
f = f[0]
assert f["app"] == "atlas" and f["level"] == "error", f
assert f["cause"] == "allowlist" and f["addr"] == "127.0.0.1", f
assert f["path"] == "/api/atlas/v2/orgs" and f["method"] == "GET", f
assert "ten.cidr" in f["msg"], f
print("ok")
PY
t_grep "json: every line parses and carries time, level, app, event, fields" \
	'^ok$' "$TMP/json.check"
BATON_LOG_FORMAT=json BATON_PRIVATE_KEY=$SECRET "$PORTCULLIS" \
	--config "$TMP/atlas.conf" --app atlas >/dev/null 2>"$TMP/env.err"
t_grep "json: BATON_LOG_FORMAT works too" '^\{"time":' "$TMP/env.err"
"$PORTCULLIS" --config "$TMP/atlas.conf" --app atlas --log-format xml \
	>/dev/null 2>"$TMP/xml.err"
t_eq "json: an unknown format is a usage error" "$?" 2
t_grep "json: ... naming the choices" 'is not console or json' "$TMP/xml.err"

# --- journald -------------------------------------------------------------
cp "$TMP/bad.conf" "$TMP/atlas.conf"
: > "$TMP/jr.err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$TMP/jr.err") BATON_PRIVATE_KEY=$SECRET \
	"$PORTCULLIS" --config "$TMP/atlas.conf" --app atlas >/dev/null 2>>"$TMP/jr.err"
t_grep "journald: the failure is priority 3 (err)" \
	'^<3>portcullis: atlas: failed: ' "$TMP/jr.err"
t_grep "journald: the summary is priority 6 (info)" \
	'^<6>portcullis: run failed' "$TMP/jr.err"
t_nogrep "journald: every line has a priority" '^[^<]' "$TMP/jr.err"
JOURNAL_STREAM=1:1 BATON_PRIVATE_KEY=$SECRET "$PORTCULLIS" \
	--config "$TMP/atlas.conf" --app atlas >/dev/null 2>"$TMP/jn.err"
t_nogrep "journald: another stream's JOURNAL_STREAM: no prefix" '^<' \
	"$TMP/jn.err"
t_grep "journald: ... plain lines" '^portcullis: atlas: failed: ' "$TMP/jn.err"
cp "$GOOD" "$TMP/atlas.conf"

# --- progress on a terminal only ------------------------------------------
mockpost config '{"latency_ms": 60}'
pty() {		# name, flags...: run with stderr on a pty, its bytes to NAME.pty
	n=$1
	shift
	BATON_PRIVATE_KEY=$SECRET python3 - "$TMP/$n.pty" "$PORTCULLIS" \
		--config "$TMP/atlas.conf" --app atlas --file "$TMP/$n.c1z" "$@" <<'PY'
import os, pty, sys
out, argv = sys.argv[1], sys.argv[2:]
m, s = pty.openpty()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.dup2(s, 2)
    os.execv(argv[0], argv)
os.close(s)
got = b""
while True:
    try:
        b = os.read(m, 4096)
    except OSError:
        break
    if not b:
        break
    got += b
os.waitpid(pid, 0)
open(out, "wb").write(got)
PY
}
pty tty
t_check "progress: drawn in place on a tty" grep -q "$(printf '\r\033\\[K')atlas [0-9]*:[0-9]* [0-9]* requests" "$TMP/tty.pty"
t_grep "progress: records by type and waits" \
	'atlas [0-9]+:[0-9]+ [0-9]+ requests, [0-9]+ types [0-9]+ resources [0-9]+ entitlements [0-9]+ grants, [0-9]+ rate' \
	"$TMP/tty.pty"
t_grep "progress: the summary follows" 'portcullis: run done in' "$TMP/tty.pty"
pty quiet --quiet
t_nogrep "progress: none with --quiet" "$(printf '\033')" "$TMP/quiet.pty"
t_grep "progress: --quiet keeps the summary" 'portcullis: run done in' "$TMP/quiet.pty"
atlas notty
t_nogrep "progress: none off a tty" "$(printf '\r\033')" "$TMP/notty.err"
t_grep "summary: off a tty too" '^portcullis: run done in [0-9.]+s: 1 of 1 app ok, [1-9][0-9]* requests, 172 records' "$TMP/notty.err"
atlas errlvl --log-level error
t_grep "summary: at every log level" '^portcullis: run done in' "$TMP/errlvl.err"
mockpost config '{"latency_ms": 0}'

# --- debug ----------------------------------------------------------------
mockpost config '{"inject_429": 7, "retry_after": 1}'
atlas debug --log-level debug
mockpost config '{"inject_429": 0}'
t_eq "debug: the run succeeds through 429s" "$(cat "$TMP/debug.rc")" 0
t_grep "debug: each request line (method, origin, path)" \
	"^broker: atlas: request GET https://127.0.0.1:$APORT/api/atlas/v2/orgs" \
	"$TMP/debug.err"
t_grep "debug: each retry with reason and delay" \
	'fetcher atlas: retry GET /api/atlas/v2/.*: HTTP 429; try 2 of [0-9]+ in [0-9]+s' \
	"$TMP/debug.err"
t_grep "debug: record counts" 'atlas: [0-9]+ records so far' "$TMP/debug.err"
t_nogrep "debug: never the secret or an auth header" \
	"$SECRET|Authorization|Digest |pubkey01:" "$TMP/debug.err"
t_nogrep "info: no request lines" 'request GET' "$TMP/notty.err"

# --- service STATUS= carries the last failure's reason ----------------------
{ echo "interval = 1"; echo "app = atlas"; sed 's/^public-key.*/public-key = pubkey01/' "$TMP/bad.conf"
  echo "private-key-file = $TMP/pk"; } > "$TMP/s.conf"
printf '%s' "$SECRET" > "$TMP/pk"
chmod 600 "$TMP/pk"
t_notify "$TMP/notify.sock" "$TMP/notify.log"
NOTIFY_SOCKET="$TMP/notify.sock" "$PORTCULLIS" service --config "$TMP/s.conf" \
	>"$TMP/sv.out" 2>"$TMP/sv.err" &
SV=$!
T_PIDS="$T_PIDS $SV"
i=0
while ! grep -q 'STATUS=run 1 at' "$TMP/notify.log" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM "$SV" 2>/dev/null
wait "$SV" 2>/dev/null
t_grep "service: STATUS carries the failure's reason" \
	"^STATUS=run 1 at .*: 0 of 1 apps synced; last failure: atlas: GET /api/atlas/v2/orgs: 127.0.0.1:$APORT: address 127.0.0.1 is not in the IP allowlist $TMP/ten.cidr" \
	"$TMP/notify.log"
t_done
