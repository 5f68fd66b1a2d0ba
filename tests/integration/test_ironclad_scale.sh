#!/bin/sh
# Ironclad at 20k users: a sync at the published limits gets no 429 and
# costs one token and a page per 1000 users; with the mock's budgets cut
# to a third and pages of 96 users (more pages than one minute's budget)
# the broker's token buckets, set to the same budgets, still keep every
# request under the server's limits. About 40 s.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/ironclad.sh"
t_ca
python3 "$TOP/tests/mock/ironclad/gen_fixture.py" --users 20000 --groups 40 \
	--out "$TMP/20k.json"
ic_mock "$TMP/20k.json"
sed -i "s/^as-user-email = .*/as-user-email = u000000@example.com/" "$TMP/ic.conf"

t0=$(date +%s)
ic big --file "$TMP/big.c1z"
t1=$(date +%s)
t_eq "20k users: sync exits 0" "$(cat "$TMP/big.rc")" 0
t_eq "20k users: every user" "$("$PORTCULLIS" c1z show "$TMP/big.c1z" resources | grep -c '^user	')" 20000
t_eq "20k users: no 429" "$(icstat 's["rate_limited"]')" 0
t_eq "20k users: one token, 20 user pages, 1 group page" \
	"$(icstat 'sorted(s["by_route"].items())')" \
	"[('GET /scim/v2/Groups', 1), ('GET /scim/v2/Users', 20), ('POST /oauth/token', 1)]"
echo "ironclad: 20k users, 40 groups: $((t1 - t0)) s, $(icstat 's["api_requests"]') requests"

# The limiter: a third of every budget at both ends.
icpost config '{"rate_scale": 0.3333334, "page_cap": 96}'
icpost reset-stats '{}'
sed -i '/^\[app ironclad\]/a rate-limit = users-read:200\nrate-limit = groups:200\nrate-limit = other:266' "$TMP/ic.conf"
t0=$(date +%s)
ic lim --file "$TMP/lim.c1z"
t1=$(date +%s)
t_eq "limited: sync exits 0" "$(cat "$TMP/lim.rc")" 0
t_eq "limited: every user" "$("$PORTCULLIS" c1z show "$TMP/lim.c1z" resources | grep -c '^user	')" 20000
t_check "limited: more pages than a minute's budget" \
	test "$(icstat 's["by_route"]["GET /scim/v2/Users"]')" -gt 200
t_eq "limited: the server never answered 429" "$(icstat 's["rate_limited"]')" 0
echo "ironclad: 20k users in pages of 96 at 200/min: $((t1 - t0)) s"

ic_stop
t_done
