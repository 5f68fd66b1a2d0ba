#!/bin/sh
# Runs every unit test binary and every integration/security script, and
# sums their closing "N passed, N failed[, N skipped]" lines into one.
# A runner that dies without a closing line counts as one failure.
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$BUILD/tests/logs
mkdir -p "$log"
: > "$log/times"
P=0 F=0 S=0
limit=600			# seconds per script; make check-long: two hours
[ -n "$PC_LONG" ] && limit=7200

tally() {		# name, output file, exit code
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $1: no closing line (exit $3), see $2"
		F=$((F + 1))
		return
	fi
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
	s=${s:-0}
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $1: exit $3 with no failed check, see $2"
		f=1
	fi
	[ "$f" != 0 ] && { echo "---- $1"; grep -v -E '^[0-9]+ passed' "$2" | tail -n 40; }
	printf '%-34s %s\n' "$1" "$line"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	"$t" > "$log/$n.out" 2>&1
	tally "$n" "$log/$n.out" $?
done
for t in tests/integration/*.sh tests/security/*.sh tests/faults/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case "$ONLY" in ''|*"$n"*) ;; *) continue ;; esac
	t0=$(date +%s)
	timeout "$limit" sh "$t" > "$log/$n.out" 2>&1
	rc=$?
	# Each script's seconds, to keep CI's 20 minutes in sight.
	echo "$(($(date +%s) - t0)) $n" >> "$log/times"
	tally "$n" "$log/$n.out" $rc
done
if [ "$S" != 0 ]; then
	echo "$P passed, $F failed, $S skipped"
else
	echo "$P passed, $F failed"
fi
[ "$F" = 0 ]
