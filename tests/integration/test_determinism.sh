#!/bin/sh
# Concurrency changes nothing in the output: the same org synced with
# max-in-flight = 1 and = 8 (answers delayed at random so they complete
# out of order) gives byte-identical `c1z show --json` tables.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
t_ca
python3 "$TOP/tests/mock/atlas/gen_fixture.py" --users 1200 --projects 30 \
	--out "$TMP/fx.json" >/dev/null
atlas_mock "$TMP/fx.json" --latency-ms 3
for k in 1 8; do
	sed -i '/^max-in-flight/d' "$TMP/atlas.conf"
	echo "max-in-flight = $k" >> "$TMP/atlas.conf"
	atlas "mif$k" --file "$TMP/mif$k.c1z"
	t_eq "max-in-flight $k: sync exits 0" "$(cat "$TMP/mif$k.rc")" 0
	for tb in resource-types resources entitlements grants; do
		"$PORTCULLIS" c1z show "$TMP/mif$k.c1z" $tb --json > "$TMP/mif$k.$tb"
	done
done
for tb in resource-types resources entitlements grants; do
	if cmp -s "$TMP/mif1.$tb" "$TMP/mif8.$tb"; then
		t_ok "$tb: identical at 1 and 8 in flight"
	else
		t_fail "$tb: identical at 1 and 8 in flight" "first differences:"
		diff "$TMP/mif1.$tb" "$TMP/mif8.$tb" | head -6 | cut -c1-300
	fi
	t_check "$tb: not empty (control)" test -s "$TMP/mif1.$tb"
done
t_check "grants: thousands (control)" test "$(wc -l < "$TMP/mif1.grants")" -gt 1000
t_done
