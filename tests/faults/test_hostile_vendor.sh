#!/bin/sh
# The hostile world, part 2: every app's sync through a vendor that
# corrupts its answers (tests/mock/hostile: truncated, 50 MB, endless,
# 100k deep, bad UTF-8, duplicate keys, wrong types, pagination loops,
# slow-loris, resets, wrong media type, redirects, a wrong certificate,
# absurd Retry-After, 5xx storms, an empty tenant). Each run ends in
# bounded time and memory with a clear error, the previous .c1z kept.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
. "$TOP/tests/lib/hostile.sh"
t_ca

# Atlas (its mock, Digest auth through the proxy).
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
hostile_start "$APORT" atlas
sed -i -e "s|^base-url = .*|base-url = https://127.0.0.1:$HPORT|" \
	-e 's|^timeout = 30$|timeout = 2|' "$TMP/atlas.conf"
sed -i '1i max-records = 20000' "$TMP/atlas.conf"
hostile_suite atlas "$TMP/atlas.conf" BATON_PRIVATE_KEY=priv-5e3c-4b2a
atlas_stop

# Atlassian (its mock; cursor pages in the query and in POST bodies).
. "$TOP/tests/lib/atlassian.sh"
atl_mock "$TOP/tests/mock/atlassian/fixtures/small.json"
rm -f "$TMP/hostile.port"
hostile_start "$APORT" atlassian
sed -i -e "s|^base-url = .*|base-url = https://127.0.0.1:$HPORT|" \
	-e 's|^timeout = 30$|timeout = 2|' "$TMP/atl.conf"
sed -i '1i max-records = 20000' "$TMP/atl.conf"
hostile_suite atlassian "$TMP/atl.conf" "BATON_ACCESS_TOKEN=$ADMIN_KEY"
t_done
