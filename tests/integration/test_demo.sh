#!/bin/sh
# make demo works from a clean build: the README's first command.
. "$(dirname "$0")/../lib/common.sh"
sh "$TOP/dist/demo.sh" "$BUILD" 200 > "$TMP/demo.out" 2>&1
t_eq "demo exits 0" "$?" 0
t_grep "demo: synced through the fetcher" '^atlas: synced \([0-9]+ API calls\)' "$TMP/demo.out"
t_grep "demo: stats shown" '^resources:user	200$' "$TMP/demo.out"
t_grep "demo: grants shown" '^(database|organization|project|team):' "$TMP/demo.out"
t_check "demo: its .c1z exists" test -s "$BUILD/demo/atlas.c1z"
sleep 0.2
t_eq "demo: its mock is gone" "$(pgrep -f 'demo/org[.]json' | wc -l)" 0
t_done
