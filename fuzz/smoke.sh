#!/bin/sh
# make fuzz-smoke: each harness runs FUZZ_SECONDS under libFuzzer on a
# scratch copy of its seed corpus (new inputs never land in the tree),
# then its seeds replay under the plain ASan/UBSan driver. Any crash,
# leak or sanitizer report fails the run.
set -u
P=0 F=0
for h in $FUZZERS; do
	work=$(mktemp -d /tmp/pc-fuzz.XXXXXX)
	mkdir -p "$work/corpus"
	[ -d "fuzz/corpus/$h" ] && cp -r "fuzz/corpus/$h/." "$work/corpus/"
	dict=
	[ -f "fuzz/dict/$h.dict" ] && dict="-dict=fuzz/dict/$h.dict"
	case "$h" in pcj_*|*json*) dict="-dict=fuzz/dict/json.dict" ;; esac
	if build-fuzz/fuzz_$h -max_total_time="$FUZZ_SECONDS" -max_len=65536 \
	    -rss_limit_mb=2048 -artifact_prefix="$work/" $dict \
	    "$work/corpus" > "$work/log" 2>&1; then
		P=$((P + 1))
		echo "fuzz $h: $(grep -oE '#[0-9]+' "$work/log" | tail -n 1 | tr -d '#') runs, clean"
	else
		F=$((F + 1))
		echo "fuzz $h: FAILED"; tail -n 30 "$work/log"
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
	fi
	if [ -d "fuzz/corpus/$h" ]; then
		if build-fuzz/replay_$h "fuzz/corpus/$h" > "$work/replay" 2>&1; then
			P=$((P + 1))
		else
			F=$((F + 1)); echo "replay $h: FAILED"; tail -n 20 "$work/replay"
		fi
	fi
	rm -rf "$work"
done
echo "$P passed, $F failed"
[ "$F" = 0 ]
