#!/bin/sh
# make bench: a full Atlas sync of a large generated org against the
# loopback mock (default 100,000 users and 2,000 projects; BENCH_USERS,
# BENCH_PROJECTS to change): wall time, records per second, API calls,
# requests on the wire (Digest reuse) and the agent's peak memory.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
U=${BENCH_USERS:-100000}
P=${BENCH_PROJECTS:-2000}
t_ca
echo "bench_atlas: generating $U users, $P projects..."
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users "$U" --projects "$P" \
	--out "$TMP/big.json"
atlas_mock "$TMP/big.json"
sed -i 's/^timeout = 30$/timeout = 600/' "$TMP/atlas.conf"
start=$(date +%s%N)
BATON_PRIVATE_KEY=priv-5e3c-4b2a /usr/bin/time -v "$PORTCULLIS" \
	--config "$TMP/atlas.conf" --app atlas --file "$TMP/big.c1z" \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_eq "sync exits 0" "$rc" 0
"$PORTCULLIS" c1z show "$TMP/big.c1z" stats > "$TMP/stats"
recs=$(awk '{ s += $NF } END { print s + 0 }' "$TMP/stats")
calls=$(sed -n 's/.*synced (\([0-9]*\) API calls).*/\1/p' "$TMP/out")
wire=$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin).get("requests", 0))')
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/err")
echo "bench_atlas: $U users, $P projects: ${ms} ms, $recs records" \
	"($((recs * 1000 / (ms + 1))) records/s), $calls API calls," \
	"$wire requests on the wire, agent peak RSS ${rss} KiB"
t_done
