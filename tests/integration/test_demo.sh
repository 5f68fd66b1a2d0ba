#!/bin/sh
# make demo works from a clean build: the README's first command, and
# `make demo APP=...` for every other connector on its stand-in.
. "$(dirname "$0")/../lib/common.sh"
sh "$TOP/dist/demo.sh" "$BUILD" 200 > "$TMP/demo.out" 2>&1
t_eq "demo exits 0" "$?" 0
t_grep "demo: synced through the fetcher" '^atlas: synced \([0-9]+ API calls\)' "$TMP/demo.out"
t_grep "demo: stats shown" '^resources:user	200$' "$TMP/demo.out"
t_grep "demo: grants shown" '^(database|organization|project|team):' "$TMP/demo.out"
t_check "demo: its .c1z exists" test -s "$BUILD/demo/atlas.c1z"
sleep 0.2
t_eq "demo: its mock is gone" "$(pgrep -f 'demo/org[.]json' | wc -l)" 0

# Every other connector: a real sync of its stand-in, grants in the file,
# the secret in a file of mode 0600 (never in the config), mock gone.
for app in atlassian ironclad confluence; do
	sh "$TOP/dist/demo.sh" "$BUILD" 0 "$app" > "$TMP/$app.out" 2>&1
	t_eq "demo $app exits 0" "$?" 0
	t_grep "demo $app: synced" "^$app: synced \\([0-9]+ API calls\\)" "$TMP/$app.out"
	t_grep "demo $app: users in the stats" '^resources:user	[1-9]' "$TMP/$app.out"
	t_grep "demo $app: grants shown" '^[a-z_]+:' "$TMP/$app.out"
	t_check "demo $app: its .c1z exists" test -s "$BUILD/demo/$app.c1z"
	t_eq "demo $app: the secret file is 0600" \
		"$(stat -c %a "$BUILD"/demo/$app.*-* 2>/dev/null | sort -u)" 600
	t_nogrep "demo $app: no secret in its config" 'token = |secret = ' \
		"$BUILD/demo/$app.conf"
done
sleep 0.2
t_eq "demo: no stand-in left running" \
	"$(pgrep -f 'tests/mock/[a-z-]+/server[.]py .*demo' | wc -l)" 0
sh "$TOP/dist/demo.sh" "$BUILD" 0 nosuch > "$TMP/bad.out" 2>&1
t_eq "demo of an unknown app exits 2" "$?" 2
t_grep "demo of an unknown app names the choices" 'no demo for app "nosuch"' "$TMP/bad.out"
t_done
