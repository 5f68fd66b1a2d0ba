#!/bin/sh
# make lint: the calls STYLE.md bans (curl's checksrc list) and includes
# that climb out of a process's room, in product sources. One line per
# hit, file:line: what; exit 1 when there is any.
# usage: lint.sh "BANNED WORDS" FILE...
banned=$1
shift
rc=0
for w in $banned; do
	# A call: the word, optional blanks, "(" -- not a longer name.
	hits=$(grep -n -E "(^|[^A-Za-z0-9_>.])$w[[:space:]]*\\(" "$@" 2>/dev/null |
	    grep -v -E '^[^:]+:[0-9]+:[[:space:]]*(/?\*|\*/)' )
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s/\$/   <- banned: $w/"
		rc=1
	fi
done
hits=$(grep -n -E '#[[:space:]]*include[[:space:]]+"\.\./' "$@" 2>/dev/null)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/$/   <- include outside the room/'
	rc=1
fi
[ $rc = 0 ] && echo "lint: clean ($# files)"
exit $rc
