#!/bin/sh
# Service mode `keep = 2`: after each published run the previous output
# is FILE.1 and the one before FILE.2 (no FILE.3), every name a whole
# file that `c1z show` reads, no temporary left; `c1z diff FILE.1 FILE`
# of two runs of an unchanged org exits 0. A bad value is refused.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
printf 'priv-5e3c-4b2a' > "$TMP/pk"
chmod 600 "$TMP/pk"
{ echo "interval = 1"; echo "app = atlas"; echo "keep = 2"
  echo "file = $TMP/out/k.c1z"; cat "$TMP/atlas.conf"
  echo "private-key-file = $TMP/pk"; } > "$TMP/k.conf"
mkdir "$TMP/out"
"$PORTCULLIS" service --config "$TMP/k.conf" >"$TMP/sv.out" 2>"$TMP/sv.err" &
SV=$!
T_PIDS="$T_PIDS $SV"
# (sv.err may not exist yet: the background job opens it.)
runs() { cat "$TMP/sv.err" 2>/dev/null | grep -c 'apps synced'; }
i=0
while [ "$(runs)" -lt 4 ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$SV"
wait "$SV"
t_eq "service: four runs, exit 0" "$(runs) $?" "4 0"
for f in k.c1z k.c1z.1 k.c1z.2; do
	t_check "$f kept and readable" "$PORTCULLIS" c1z show "$TMP/out/$f" stats
done
t_check "no FILE.3 (keep = 2)" test ! -e "$TMP/out/k.c1z.3"
t_eq "no temporary left beside them" "$(ls -A "$TMP/out" | grep -c '^\.')" 0
t_check "three different files" test "$(stat -c %i "$TMP/out/k.c1z" \
	"$TMP/out/k.c1z.1" "$TMP/out/k.c1z.2" | sort -u | wc -l)" = 3
"$PORTCULLIS" c1z diff "$TMP/out/k.c1z.1" "$TMP/out/k.c1z" > "$TMP/d"
t_eq "diff of the last two runs of an unchanged org: exit 0" "$?" 0
t_check "FILE.1 is the older sync" python3 -c '
import subprocess, sys
def sync(f):
    out = subprocess.run([sys.argv[1], "c1z", "show", f, "syncs"], capture_output=True, text=True).stdout
    return out.splitlines()[1].split("\t")[2]
assert sync(sys.argv[2]) < sync(sys.argv[3]) < sync(sys.argv[4])' "$PORTCULLIS" \
	"$TMP/out/k.c1z.2" "$TMP/out/k.c1z.1" "$TMP/out/k.c1z"
sed -i 's/^keep = 2$/keep = lots/' "$TMP/k.conf"
"$PORTCULLIS" service --config "$TMP/k.conf" >/dev/null 2>"$TMP/bad.err"
t_eq "keep = lots: refused" "$?" 2
t_done
