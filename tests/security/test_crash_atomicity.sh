#!/bin/sh
# Crash atomicity: kill -9 of the agent at several moments of a large
# sync never leaves a partial output: the name holds the old file or a
# complete new one, no temporary is visible under the output's name,
# and the next run sweeps the hidden temporaries of the dead one.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users 4000 --projects 30 \
	--out "$TMP/big.json"
atlas_mock "$TMP/big.json"
mkdir -p "$TMP/out"
atlas first --file "$TMP/out/a.c1z"
t_eq "first sync exits 0" "$(cat "$TMP/first.rc")" 0
old=$(sha256sum < "$TMP/out/a.c1z")
start=$(date +%s%N)
atlas timed --file "$TMP/out/b.c1z"
dur=$((($(date +%s%N) - start) / 1000000))
[ -n "$PC_VERBOSE" ] && echo "timed sync: ${dur}ms" >&2
for frac in 10 30 50 70 85 95 99; do
	BATON_PRIVATE_KEY=priv-5e3c-4b2a "$PORTCULLIS" --config "$TMP/atlas.conf" \
		--app atlas --file "$TMP/out/a.c1z" >/dev/null 2>&1 &
	ag=$!
	sleep "$(awk -v d="$dur" -v f="$frac" 'BEGIN { printf "%.3f", d * f / 100000 }')"
	kids=$(t_tree "$ag")
	kill -9 "$ag" $kids 2>/dev/null
	wait "$ag" 2>/dev/null
	now=$(sha256sum < "$TMP/out/a.c1z")
	if [ "$now" = "$old" ]; then
		t_ok "killed at ${frac}%: old file intact"
	elif "$PORTCULLIS" c1z show "$TMP/out/a.c1z" stats > "$TMP/st" 2>&1 &&
	    grep -q '^grants' "$TMP/st"; then
		t_ok "killed at ${frac}%: complete new file"
		old=$now
	else
		t_fail "killed at ${frac}%" "output is neither the old nor a complete file"
	fi
	t_eq "killed at ${frac}%: no visible temporary" \
	    "$(ls "$TMP/out" | grep -v '^\.' | grep -v -E '^[ab]\.c1z$' | wc -l)" 0
done
# One kill that surely lands mid-write: as soon as this run's own
# temporary shows (one left by an earlier kill would be swept by it).
BATON_PRIVATE_KEY=priv-5e3c-4b2a "$PORTCULLIS" --config "$TMP/atlas.conf" \
	--app atlas --file "$TMP/out/a.c1z" >/dev/null 2>&1 &
ag=$!
i=0
while [ ! -e "$TMP/out/.a.c1z.$ag.db" ] && [ $i -lt 3000 ]; do
	sleep 0.01; i=$((i + 1))
done
kids=$(t_tree "$ag")
kill -9 "$ag" $kids 2>/dev/null
wait "$ag" 2>/dev/null
t_eq "killed while its temporary exists: old file intact" \
	"$(sha256sum < "$TMP/out/a.c1z")" "$old"
ls -a "$TMP/out" > "$TMP/before"
atlas next --file "$TMP/out/a.c1z"
t_eq "next run exits 0" "$(cat "$TMP/next.rc")" 0
t_eq "next run swept the dead runs' temporaries" \
	"$(ls -a "$TMP/out" | grep -c '^\.a\.c1z\.')" 0
t_check "the killed run's temporary was there to sweep (control)" \
	grep -qx "\\.a\\.c1z\\.$ag\\.db" "$TMP/before"
t_done
