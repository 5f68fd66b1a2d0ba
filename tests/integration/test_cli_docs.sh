#!/bin/sh
# Docs = binary (issue 19, item 2): --help lists every option of the
# option table (lib/config.c and each app descriptor) with its default,
# its BATON_* variable and whether it is a secret; portcullis(8)'s
# OPTIONS and dist/portcullis.bash-completion are what the binary prints
# (tools/gen-docs.sh --check, and a stale copy is caught); the bash
# completion completes from the table; man FILES paths follow PREFIX.
. "$(dirname "$0")/../lib/common.sh"
opts() {	# file: the option names of its opt_def tables (as test_docs,
		# without the rate-limit classes, whose second field is NULL)
	grep -v -E '^[[:space:]]*\{ "[a-z0-9-]+",[[:space:]]*NULL,' "$1" |
	sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)",[[:space:]]*[A-Z].*/\1/p'
}
secret() {	# file, option: is it declared S (a secret)?
	grep -q -E "^[[:space:]]*\{ \"$2\",[[:space:]]*S," "$1"
}
"$PORTCULLIS" --help > "$TMP/help" 2>&1
t_eq "--help exits 0" "$?" 0
n=0
for f in "$TOP/lib/config.c" "$TOP"/lib/app_*.c; do
	case $f in */app_test.c) continue ;; esac
	for o in $(opts "$f"); do
		n=$((n + 1))
		var=BATON_$(echo "$o" | tr 'a-z-' 'A-Z_')
		if secret "$f" "$o"; then
			t_grep "--help: $o is a secret, with its variable and -file" \
				"^  $o \\(secret\\)" "$TMP/help"
			grep -A2 "^  $o (secret)" "$TMP/help" > "$TMP/one"
			t_grep "--help: $o: $var, $o-file" "from $var, $o-file" "$TMP/one"
		else
			grep -A1 -E "^  --$o( |$)" "$TMP/help" > "$TMP/one"
			t_grep "--help: --$o listed" "^  --$o( |$)" "$TMP/one"
			t_grep "--help: --$o: default and $var" "\\(default [^;]+; $var; " "$TMP/one"
		fi
	done
done
t_check "the option tables were read (control)" test "$n" -gt 60
t_grep "--help: a default is shown" '^        output .c1z path \(default sync.c1z; BATON_FILE;' "$TMP/help"

# --help --app NAME: that app's options only.
"$PORTCULLIS" --help --app atlas > "$TMP/h.atlas" 2>&1
t_grep "--help --app atlas: its options" '^  --public-key VALUE' "$TMP/h.atlas"
t_nogrep "--help --app atlas: not Confluence's" '^  --hostname' "$TMP/h.atlas"
t_grep "--help --app atlas: the generic ones too" '^  --max-writes N' "$TMP/h.atlas"
"$PORTCULLIS" --help --app nosuch > "$TMP/h.bad" 2>&1
t_eq "--help --app nosuch: exit 2" "$?" 2
# Per command.
"$PORTCULLIS" service --help > "$TMP/h.svc" 2>&1
t_grep "service --help: its usage" '^usage: portcullis service' "$TMP/h.svc"
t_grep "service --help: the options it reads" '^  --interval N' "$TMP/h.svc"
"$PORTCULLIS" capabilities --help > "$TMP/h.caps" 2>&1
t_grep "capabilities --help: --json" 'capabilities \[--json\]' "$TMP/h.caps"
# --help works with a broken config, as --version does.
printf 'bogus\n' > "$TMP/broken.conf"
"$PORTCULLIS" --config "$TMP/broken.conf" --help > /dev/null 2>&1
t_eq "--help with a broken config file: exit 0" "$?" 0

# The generated docs are current, and a stale one is caught.
t_check "portcullis(8) OPTIONS and the completion are current" \
	sh "$TOP/tools/gen-docs.sh" "$BUILD" --check
mkdir -p "$TMP/tree/doc" "$TMP/tree/dist" "$TMP/tree/tools"
cp "$TOP/doc/portcullis.8" "$TMP/tree/doc/"
cp "$TOP/dist/portcullis.bash-completion" "$TMP/tree/dist/"
cp "$TOP/tools/gen-docs.sh" "$TMP/tree/tools/"
sed -i '/^\.It Fl -max-writes/,+1d' "$TMP/tree/doc/portcullis.8"
sh "$TMP/tree/tools/gen-docs.sh" "$BUILD" --check > "$TMP/stale" 2>&1
t_eq "control: an option dropped from the man page is caught" "$?" 1
t_grep "control: the stale file is named" 'doc/portcullis.8 is stale' "$TMP/stale"
grep -n '^\.Sh OPTIONS' "$TOP/doc/portcullis.8" > /dev/null
t_eq "portcullis(8) has an OPTIONS section" "$?" 0
t_grep "portcullis(8) has SIGNALS, with SIGHUP" '^\.It SIGHUP' "$TOP/doc/portcullis.8"

# The bash completion: valid, every option from the table, completes.
if command -v bash > /dev/null; then
	t_check "completion: bash -n" bash -n "$TOP/dist/portcullis.bash-completion"
	comp() {	# words...: what completing the last word offers
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
			_portcullis; printf "%s\n" "${COMPREPLY[@]}"' \
			sh "$TOP/dist/portcullis.bash-completion" "$@"
	}
	t_eq "completion: --app offers the apps" \
		"$(comp portcullis --app a | tr '\n' ' ')" "atlas atlassian "
	t_eq "completion: --max-w" "$(comp portcullis --max-w)" "--max-writes"
	t_eq "completion: a boolean takes true/false" \
		"$(comp portcullis --provisioning f)" "false"
	t_eq "completion: commands" "$(comp portcullis capa)" "capabilities"
	t_eq "completion: an app option" "$(comp portcullis --remove-org)" \
		"--remove-org-user-on-last-role"
	t_eq "completion: secrets are not flags" "$(comp portcullis --private-key)" \
		"--private-key-file"
	t_eq "completion: test apps' options are not offered" \
		"$(comp portcullis --bod)" ""
else
	t_skip "completion" "no bash"
fi
t_grep "make install installs the completion" \
	'dist/portcullis.bash-completion' "$TOP/GNUmakefile"

# man FILES follow PREFIX, as make install writes them.
MAKEFLAGS= make -s -C "$TOP" man-prefix PREFIX=/opt/pc MAN8_OUT="$TMP/p.8" \
	> "$TMP/mk.out" 2>&1
t_eq "make man-prefix exits 0" "$?" 0
t_grep "FILES: policy under PREFIX" '^\.It Pa /opt/pc/share/portcullis/policy/' "$TMP/p.8"
t_grep "FILES: fetchers under PREFIX" '^\.It Pa /opt/pc/libexec/portcullis/' "$TMP/p.8"
t_grep "FILES: unit under PREFIX" '^\.It Pa /opt/pc/lib/systemd/system/' "$TMP/p.8"
t_nogrep "FILES: no /usr/local left" '/usr/local' "$TMP/p.8"
t_done
