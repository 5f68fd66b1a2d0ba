#!/bin/sh
# The manuals keep up with the code: every option of lib/config.c and of
# each app descriptor (lib/app_*.c, test apps aside) is named in
# portcullis.conf(5) or portcullis(8); every app is in the README.
. "$(dirname "$0")/../lib/common.sh"
MAN="$TOP/doc/portcullis.conf.5 $TOP/doc/portcullis.8"
opts() {	# file: the option names of its opt_def tables
	sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)",[[:space:]]*[A-Z].*/\1/p' "$1"
}
for f in "$TOP/lib/config.c" "$TOP"/lib/app_*.c; do
	case $f in */app_test.c) continue ;; esac
	[ "$f" = "$TOP/lib/config.c" ] && src=config.c || src=$(basename "$f")
	for o in $(opts "$f"); do
		# In mdoc an option is ".Cm name", ".Fl -name" or in a list.
		if grep -q -E -- "(Cm |Fl -?|, )$o( |,|$)|[ ,]$o[ ,.]" $MAN; then
			t_ok "$src: $o documented"
		else
			t_fail "$src: $o" "named in neither portcullis.conf.5 nor portcullis.8"
		fi
	done
done
t_check "the option list is read (control)" test "$(opts "$TOP/lib/config.c" | wc -l)" -gt 40
for a in $(sed -n 's/^const struct app_def app_\([a-z]*\) = {/\1/p' "$TOP"/lib/app_*.c); do
	case $a in demo|vault|sbx*) continue ;; esac
	t_grep "README: $a has its section" "^## .*\\($a\\)|$a" "$TOP/README.md"
done
t_done
