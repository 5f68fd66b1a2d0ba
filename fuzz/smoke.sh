#!/bin/sh
# make fuzz-smoke: each harness runs FUZZ_SECONDS under libFuzzer on a
# scratch copy of its seed corpus (new inputs never land in the tree),
# then its seeds replay under the plain ASan/UBSan driver. Any crash,
# leak or sanitizer report fails the run. FUZZ_JOBS harnesses at once
# (default: the number of CPUs).
set -u
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
out=$(mktemp -d /tmp/pc-smoke.XXXXXX)

# One harness; its lines in $out/NAME.out, "P F" in $out/NAME.n.
smoke_one() {
	h=$1 p=0 f=0
	work=$(mktemp -d /tmp/pc-fuzz.XXXXXX)
	mkdir -p "$work/corpus"
	[ -d "fuzz/corpus/$h" ] && cp -r "fuzz/corpus/$h/." "$work/corpus/"
	dict=
	[ -f "fuzz/dict/$h.dict" ] && dict="-dict=fuzz/dict/$h.dict"
	case "$h" in pcj_*|*json*) dict="-dict=fuzz/dict/json.dict" ;; esac
	if build-fuzz/fuzz_$h -max_total_time="$FUZZ_SECONDS" -max_len=65536 \
	    -rss_limit_mb=2048 -artifact_prefix="$work/" $dict \
	    "$work/corpus" > "$work/log" 2>&1; then
		p=$((p + 1))
		echo "fuzz $h: $(grep -oE '#[0-9]+' "$work/log" | tail -n 1 | tr -d '#') runs, clean"
	else
		f=$((f + 1))
		echo "fuzz $h: FAILED"; tail -n 30 "$work/log"
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
	fi
	if [ -d "fuzz/corpus/$h" ]; then
		if build-fuzz/replay_$h "fuzz/corpus/$h" > "$work/replay" 2>&1; then
			p=$((p + 1))
		else
			f=$((f + 1)); echo "replay $h: FAILED"; tail -n 20 "$work/replay"
		fi
	fi
	rm -rf "$work"
	echo "$p $f" > "$out/$h.n"
}

n=0
for h in $FUZZERS; do
	smoke_one "$h" > "$out/$h.out" 2>&1 &
	n=$((n + 1))
	if [ "$n" -ge "$JOBS" ]; then
		wait
		n=0
	fi
done
wait
P=0 F=0
for h in $FUZZERS; do
	cat "$out/$h.out"
	if [ -f "$out/$h.n" ]; then
		read -r p f < "$out/$h.n"
	else
		p=0 f=1; echo "fuzz $h: no result"
	fi
	P=$((P + p)) F=$((F + f))
done
rm -rf "$out"
echo "$P passed, $F failed"
[ "$F" = 0 ]
