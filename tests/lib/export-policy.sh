#!/bin/sh
# make policy: export each fetcher's live seccomp filter (libseccomp PFC)
# into policy/seccomp/<binary>.pfc, so a change shows in review.
set -e
BUILD=${1:-build}
for f in "$BUILD"/bin/portcullis-fetch-*; do
	n=$(basename "$f")
	case "$n" in *sbxtest) continue ;; esac
	"$f" --export-seccomp > "policy/seccomp/$n.pfc"
	echo "policy/seccomp/$n.pfc"
done
