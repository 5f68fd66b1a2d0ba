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
. "$TOP/tests/lib/confluence.sh"
. "$TOP/tests/lib/ironclad.sh"
t_ca

# Atlas (its mock, Digest auth through the proxy).
atlas_mock "$TOP/tests/mock/atlas/fixtures/small.json"
hostile_start "$APORT" atlas
sed -i -e "s|^base-url = .*|base-url = https://127.0.0.1:$HPORT|" \
	-e 's|^timeout = 30$|timeout = 2|' "$TMP/atlas.conf"
sed -i '1i max-records = 20000' "$TMP/atlas.conf"
hostile_suite atlas "$TMP/atlas.conf" BATON_PRIVATE_KEY=priv-5e3c-4b2a

# Confluence DC (its mock under /confluence, a PAT, through the proxy).
conf_mock "$FXC"
rm -f "$TMP/hostile.port"	# the Atlas proxy's: wait for the new one
hostile_start "$CPORT" confluence
sed -i -e "s|^hostname = .*|hostname = https://127.0.0.1:$HPORT/confluence|" \
	-e 's|^timeout = 30$|timeout = 2|' "$TMP/conf.conf"
sed -i '1i max-records = 20000' "$TMP/conf.conf"
hostile_suite confluence "$TMP/conf.conf" BATON_ACCESS_TOKEN=$C_ADMIN_PAT
# Ironclad (its mock, OAuth client credentials through the proxy: the
# token endpoint passes, SCIM list pages are corrupted).
ic_mock "$TOP/tests/mock/ironclad/fixtures/small.json"
rm -f "$TMP/hostile.port"
hostile_start "$ICPORT" scim
hostile_set '{"path_regex": "^/scim/"}'
sed -i -e "s|^base-url = .*|base-url = https://127.0.0.1:$HPORT|" \
	-e 's|^timeout = 30$|timeout = 2|' "$TMP/ic.conf"
sed -i '1i max-records = 20000' "$TMP/ic.conf"
# SCIM has no next marker: the pager asks for the pages the first
# totalResults declares and no more, so invented fresh pages end there
# (bounded, exit 0 allowed); that run is last, as its file is larger.
hv_modes=$HOSTILE_MODES
HOSTILE_MODES="$(printf '%s\n' $HOSTILE_MODES | grep -v -e '^fresh_pages:' \
	-e '^empty_tenant:') fresh_pages:0|1 empty_tenant:1"
hostile_suite ironclad "$TMP/ic.conf" BATON_IC_CLIENT_SECRET=$IC_PROV_SECRET
HOSTILE_MODES=$hv_modes
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
