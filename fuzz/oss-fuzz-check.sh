#!/bin/sh
# Part of make fuzz-smoke: build the harnesses the way OSS-Fuzz would
# (fuzz/oss-fuzz-build.sh into a scratch $OUT) and check every one is
# there with its seed corpus and runs its seeds.
set -u
OUT=$(mktemp -d /tmp/pc-ossout.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
P=0 F=0
if CC=clang CXX=clang++ CFLAGS="-O1 -g -fsanitize=address,undefined" \
    CXXFLAGS="-fsanitize=address,undefined" \
    LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT="$OUT" \
    sh fuzz/oss-fuzz-build.sh > "$OUT/build.log" 2>&1; then
	P=$((P + 1))
else
	F=$((F + 1)); echo "oss-fuzz build: FAILED"; tail -n 20 "$OUT/build.log"
fi
for name in $(MAKEFLAGS= make -s fuzz-list | cut -d'|' -f1); do
	if [ -x "$OUT/$name" ] && { [ ! -d "fuzz/corpus/$name" ] ||
	    [ -s "$OUT/${name}_seed_corpus.zip" ]; } &&
	    "$OUT/$name" -runs=0 "fuzz/corpus/$name" > /dev/null 2>&1; then
		P=$((P + 1))
	else
		F=$((F + 1)); echo "oss-fuzz $name: missing or failing"
	fi
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
