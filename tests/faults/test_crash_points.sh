#!/bin/sh
# Crash points: kill -9 of the agent, the broker or the fetcher at seeded
# random moments of a sync and of a provisioning run that creates an
# account with a generated password (8 of each here, 50 of each in make
# check-long; PC_SEED=N replays a run). After every kill: the output is
# the old file or a complete new one, nothing half-written is visible,
# every write the vendor received has its audit line, every account the
# vendor holds with a generated password has its sealed record (and it
# opens to that password), no process is left behind, and the next run
# succeeds.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
SEED=${PC_SEED:-$(date +%s)}
N=8
[ -n "$PC_LONG" ] && N=50
echo "crash points: seed $SEED, $N per kind (PC_SEED=$SEED replays)"
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users 600 --projects 12 \
	--out "$TMP/fx.json"
atlas_mock "$TMP/fx.json" --latency-ms 15
mkdir -p "$TMP/out" "$TMP/spool"
[ "$(id -u)" = 0 ] &&
	chown "$(id -u portcullis 2>/dev/null || id -u nobody)" "$TMP/spool"
"$PORTCULLIS" vault keygen --out "$TMP/op" >/dev/null
sed -i "1i audit-log = $TMP/audit.log\nvault = spool:$TMP/spool\nvault-key = $TMP/op.pub.jwk" \
	"$TMP/atlas.conf"

# The i-th pseudo-random number in [0, n) of this seed.
# (A CRC of "seed:i": awk's srand takes few bits of a large seed.)
rnd() { echo $(($(printf '%s:%s' "$SEED" "$1" | cksum | cut -d' ' -f1) % $2)); }

# Run in the background, kill one process of it after ms milliseconds.
crash() {	# label, victim draw, ms, flags...
	ci=$1 cv=$2 ms=$3
	shift 3
	BATON_PRIVATE_KEY=priv-5e3c-4b2a "$PORTCULLIS" --config "$TMP/atlas.conf" \
		--app atlas "$@" >"$TMP/crash.out" 2>"$TMP/crash.err" &
	ag=$!
	sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	fp=$(t_fetcher "$ag" portcullis-fetch-atlas)
	bp=
	for c in $(pgrep -P "$ag"); do
		[ "$(cat /proc/$c/comm 2>/dev/null)" = portcullis ] &&
			[ -z "$(pgrep -P "$c")" ] && bp=$c
	done
	case $(rnd "$cv" 3) in
	0) who=agent victim=$ag ;;
	1) who=broker victim=${bp:-$ag} ;;
	2) who=fetcher victim=${fp:-$ag} ;;
	esac
	kill -9 "$victim" 2>/dev/null
	echo "$who" >> "$TMP/victims"
	# What the agent does not reap when it is the one killed goes too.
	i=0
	while [ $i -lt 100 ] && [ -n "$(t_tree "$ag" | tail -n +2)$(kill -0 "$ag" 2>/dev/null && echo up)" ]; do
		sleep 0.05; i=$((i + 1))
	done
	wait "$ag" 2>/dev/null
	left=$(t_tree "$ag" | tail -n +2 | wc -l)
	t_eq "crash $ci ($who at ${ms}ms): no process left behind" "$left" 0
	for p in $(t_tree "$ag"); do kill -9 "$p" 2>/dev/null; done
}

# --- syncs ---------------------------------------------------------------------
atlas first --file "$TMP/out/a.c1z"
t_eq "first sync exits 0" "$(cat "$TMP/first.rc")" 0
start=$(date +%s%N)
atlas timed --file "$TMP/out/b.c1z"
dur=$((($(date +%s%N) - start) / 1000000))
old=$(sha256sum < "$TMP/out/a.c1z")
k=0 kept=0 newer=0
while [ $k -lt $N ]; do
	crash "$k" $((k * 2 + 1)) "$(rnd $((k * 2)) $((dur * 12 / 10 + 1)))" --file "$TMP/out/a.c1z"
	now=$(sha256sum < "$TMP/out/a.c1z")
	if [ "$now" = "$old" ]; then
		t_ok "sync crash $k: old file intact"
		kept=$((kept + 1))
	elif "$PORTCULLIS" c1z show "$TMP/out/a.c1z" stats > "$TMP/st" 2>&1 &&
	    grep -q '^grants' "$TMP/st"; then
		t_ok "sync crash $k: complete new file"
		old=$now
		newer=$((newer + 1))
	else
		t_fail "sync crash $k" "the output is neither the old nor a complete file"
	fi
	t_eq "sync crash $k: nothing half-written visible" \
	    "$(ls "$TMP/out" | grep -v -E '^[ab]\.c1z$' | wc -l)" 0
	k=$((k + 1))
done
atlas next --file "$TMP/out/a.c1z"
t_eq "after the sync crashes: the next sync succeeds" "$(cat "$TMP/next.rc")" 0
t_eq "and sweeps what the dead runs left" \
	"$(ls -a "$TMP/out" | grep -c '^\.a\.c1z\.')" 0

# --- creates with a generated password -------------------------------------
create() {	# login: the flags of a SCRAM database user create
	echo --provisioning --create-account-login "$1" --create-account-profile \
		"{\"groupId\":\"$P1\",\"authType\":\"SCRAM-SHA\"}"
}
atlas ctimed $(create timed)
t_eq "a create runs (control)" "$(cat "$TMP/ctimed.rc")" 0
start=$(date +%s%N)
atlas ctimed2 $(create timed2)
cdur=$((($(date +%s%N) - start) / 1000000))
k=0
while [ $k -lt $N ]; do
	crash "c$k" $((k * 2 + 100001)) "$(rnd $((k * 2 + 100000)) $((cdur * 12 / 10 + 1)))" $(create "crash$k")
	k=$((k + 1))
done
# Every account the vendor holds with a password has its sealed record.
mockq "' '.join(d['username'] + '=' + d.get('passwordSha256', '') for d in s['databaseUsers'] if d['username'].startswith('crash'))" \
	> "$TMP/held"
for kv in $(cat "$TMP/held"); do
	login=${kv%%=*} sha=${kv#*=}
	ok=0
	for f in "$TMP"/spool/atlas-"$login"-*.jwe; do
		[ -f "$f" ] || continue
		pw=$("$PORTCULLIS" vault open "$f" --key "$TMP/op.jwk" 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' 2>/dev/null)
		[ "$(printf '%s' "$pw" | sha256sum | cut -d' ' -f1)" = "$sha" ] && ok=1
	done
	t_eq "$login: the vendor's password is in a sealed record" "$ok" 1
done
t_check "some crashed creates did reach the vendor (the check above ran)" \
	test -s "$TMP/held"
# Every write the vendor received has its audit line (written before).
sent=$(mockget stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_route"].get("POST createDatabaseUser", 0))')
t_check "every write the vendor received is in the audit log" test \
	"$(grep -c 'path=/api/atlas/v2/groups/[0-9a-f]*/databaseUsers.*result=sending' "$TMP/audit.log")" -ge "$sent"
echo "syncs: $kept kept the old file, $newer published a new one;" \
	"creates: $(wc -w < "$TMP/held") of $N reached the vendor; killed:" \
	"$(sort "$TMP/victims" | uniq -c | tr -s ' \n' ' ')"
k=0
while [ $k -lt $N ]; do
	atlas "again$k" $(create "crash$k")
	t_eq "crash$k: the create run again succeeds" "$(cat "$TMP/again$k.rc")" 0
	k=$((k + 1))
done
t_done
