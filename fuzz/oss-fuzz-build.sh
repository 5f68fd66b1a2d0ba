#!/bin/sh
# OSS-Fuzz build script: builds every harness `make fuzz` knows with the
# pipeline's compilers and engine, and writes next to each binary in $OUT
# its seed corpus (<harness>_seed_corpus.zip) and dictionary
# (<harness>.dict). Honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE
# $OUT; run from anywhere, e.g. from OSS-Fuzz's build.sh:
#   $SRC/portcullis/fuzz/oss-fuzz-build.sh
set -eu
cd "$(dirname "$0")/.."
: "${CC:=clang}" "${CXX:=clang++}" "${CFLAGS:=}" "${CXXFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"
WORK=$(mktemp -d /tmp/pc-ossfuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
DEFS="-std=c11 -D_GNU_SOURCE -DPC_LIBEXEC=\"/nonexistent\" \
-DPC_POLICYDIR=\"/nonexistent\""

zipdir() {	# zip, dir: stored with plain names, as OSS-Fuzz expects
	python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n in sorted(os.listdir(sys.argv[2])):
        z.write(os.path.join(sys.argv[2], n), n)
PY
}

# Generated sources some harnesses build on (protoc-c: c1z_row).
MAKEFLAGS= make -s fuzz-gen
MAKEFLAGS= make -s fuzz-list | while IFS='|' read -r name srcs libs inc; do
	o="$WORK/$name"
	mkdir -p "$o"
	objs=
	for s in "fuzz/fuzz_$name.c" lib/*.c $srcs; do
		# Every harness has the same flags: a source is compiled once.
		obj="$WORK/$(echo "$inc $s" | tr ' /' '__').o"
		# shellcheck disable=SC2086
		[ -f "$obj" ] || $CC $CFLAGS $DEFS $inc -c "$s" -o "$obj"
		objs="$objs $obj"
	done
	# shellcheck disable=SC2086
	$CXX $CXXFLAGS $LIB_FUZZING_ENGINE $objs -o "$OUT/$name" $libs
	[ -d "fuzz/corpus/$name" ] && zipdir "$OUT/${name}_seed_corpus.zip" \
		"fuzz/corpus/$name"
	d=fuzz/dict/$name.dict
	case "$name" in pcj_*) d=fuzz/dict/json.dict ;; esac
	[ -f "$d" ] && cp "$d" "$OUT/$name.dict"
	echo "built $OUT/$name"
done
