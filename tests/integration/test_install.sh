#!/bin/sh
# make install: programs, fetchers, policy, man pages, the systemd unit
# and its sysusers.d/tmpfiles.d entries land under DESTDIR with their
# modes, the rule-breaking test fetcher does not, the example
# configuration is installed where there is none and never over one, the
# installed programs run a sync with the installed fetcher and the
# installed policy files; make uninstall removes exactly what install put.
. "$(dirname "$0")/../lib/common.sh"
R=$TMP/root
P=$R/usr/local
MAKEFLAGS= make -s -C "$TOP" install SAN="${SAN:-0}" DESTDIR="$R" \
	>"$TMP/make.out" 2>&1
t_eq "make install exits 0" "$?" 0
for f in bin/portcullis bin/pcj-validate \
    libexec/portcullis/portcullis-fetch-demo \
    libexec/portcullis/portcullis-fetch-atlas; do
	t_eq "$f: mode 755" "$(stat -c %a "$P/$f" 2>&1)" 755
done
for f in share/man/man8/portcullis.8 share/man/man5/portcullis.conf.5 \
    share/man/man1/pcj-validate.1 \
    lib/systemd/system/portcullis.service \
    lib/sysusers.d/portcullis.conf lib/tmpfiles.d/portcullis.conf \
    share/doc/portcullis/portcullis.conf.example \
    share/portcullis/policy/allow/atlas.cidr \
    share/portcullis/policy/egress/atlas.rules \
    share/portcullis/policy/seccomp/portcullis-fetch-atlas.pfc; do
	t_eq "$f: mode 644" "$(stat -c %a "$P/$f" 2>&1)" 644
done
t_check "the test fetcher is not installed" \
	test ! -e "$P/libexec/portcullis/portcullis-fetch-sbxtest"
t_check "the bench's replay fetcher is not installed" \
	test -z "$(find "$R" -name '*replay*')"
t_check "installed egress rules are the tree's" \
	diff -r "$TOP/policy/egress" "$P/share/portcullis/policy/egress"
t_check "installed allowlists are the tree's" \
	diff -r "$TOP/policy/allow" "$P/share/portcullis/policy/allow"
t_grep "the unit starts the installed program" \
	'^ExecStart=/usr/local/bin/portcullis service' \
	"$P/lib/systemd/system/portcullis.service"
t_check "sysusers.d entry is dist's" \
	cmp "$TOP/dist/portcullis.sysusers" "$P/lib/sysusers.d/portcullis.conf"
t_check "tmpfiles.d entry is dist's" \
	cmp "$TOP/dist/portcullis.tmpfiles" "$P/lib/tmpfiles.d/portcullis.conf"
C=$R/etc/portcullis/portcullis.conf
t_check "the example is the configuration where there was none" \
	cmp "$TOP/dist/portcullis.conf.example" "$C"
t_eq "the configuration: mode 640" "$(stat -c %a "$C" 2>&1)" 640
echo "# mine" >> "$C"
MAKEFLAGS= make -s -C "$TOP" install SAN="${SAN:-0}" DESTDIR="$R" \
	>"$TMP/make2.out" 2>&1
t_eq "make install again exits 0" "$?" 0
t_grep "a changed configuration is kept" '^# mine$' "$C"
t_grep "and install says so" 'portcullis.conf exists, left as it is' \
	"$TMP/make2.out"
if [ -f "$TOP/dist/portcullis.bash-completion" ]; then
	t_check "bash completion installed" \
		test -f "$P/share/bash-completion/completions/portcullis"
else
	t_skip "bash completion installed" "dist/portcullis.bash-completion is absent"
fi
if command -v man >/dev/null; then
	for m in man8/portcullis.8 man5/portcullis.conf.5 man1/pcj-validate.1; do
		man --warnings -l "$P/share/man/$m" >/dev/null 2>"$TMP/man.err"
		t_eq "$m renders without warnings" "$(cat "$TMP/man.err")" ""
	done
else
	t_skip "man pages render" "man is not installed"
fi

# Hardening of every installed program: PIE, full RELRO, BIND_NOW, NX,
# stack canary and FORTIFY (the last left out of sanitizer builds).
. "$TOP/tests/lib/checksec.sh"
for f in "$P"/bin/* "$P"/libexec/portcullis/*; do
	lack=$(checksec "$f" | tr '\n' ' ')
	[ -n "$SAN" ] && [ "$SAN" != 0 ] && lack=$(echo "$lack" | sed 's/fortify //')
	t_eq "${f#$P/}: hardened" "$lack" ""
done
# Control: the check tells a binary built without any of it.
printf 'int main(void) { return 0; }\n' > "$TMP/soft.c"
if cc -O0 -no-pie -fno-stack-protector -U_FORTIFY_SOURCE -Wl,-z,norelro \
    -Wl,-z,lazy -Wl,-z,execstack -o "$TMP/soft" "$TMP/soft.c" 2>/dev/null; then
	t_eq "control: an unhardened binary lacks every feature" \
		"$(checksec "$TMP/soft" | tr '\n' ' ')" \
		"pie relro now nx canary fortify "
else
	t_skip "control: an unhardened binary" "no C compiler"
fi

"$P/bin/portcullis" --version > "$TMP/ver" 2>&1
t_eq "installed portcullis --version exits 0" "$?" 0
t_grep "and names itself and a version" '^portcullis [0-9]+\.[0-9]+\.[0-9]+$' \
	"$TMP/ver"
"$P/bin/portcullis" --config "$TMP/missing.conf" --version >/dev/null 2>&1
t_eq "--version does not need a readable config file" "$?" 0

# The installed programs work together. DESTDIR is not /, so the config
# says where the fetchers and the policy are.
t_ca
t_mock m 127.0.0.1
cat > "$TMP/c.conf" <<CONF
libexec = $P/libexec/portcullis
policy-dir = $P/share/portcullis/policy
[app demo]
base-url = https://127.0.0.1:$PORT_m
ca-file = $CA/ca.pem
auth = none
CONF
"$P/bin/portcullis" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "installed portcullis runs the installed demo fetcher" "$?" 0
t_grep "and prints the body" '^demo: GET /hello: HTTP 200' "$TMP/out"
"$P/bin/portcullis" --config "$TMP/c.conf" --app demo --path /secret \
	>"$TMP/out" 2>"$TMP/err"
t_eq "the installed egress rules apply" "$?" 1
t_grep "refused by the egress rules" "egress" "$TMP/err"
# What the agent executes must be as trusted as itself.
F="$P/libexec/portcullis/portcullis-fetch-demo"
chmod g+w "$F"
"$P/bin/portcullis" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "a group-writable fetcher: refused" "$?" 2
t_grep "a group-writable fetcher: says which and why" \
	"fetcher refused: $F: writable by group or others" "$TMP/err"
chmod g-w "$F"
chmod o+w "$P/libexec"
"$P/bin/portcullis" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_grep "a world-writable directory above it: refused" \
	"fetcher refused: $P/libexec: writable by group or others" "$TMP/err"
chmod o-w "$P/libexec"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$F"
	"$P/bin/portcullis" --config "$TMP/c.conf" --app demo >"$TMP/out" \
		2>"$TMP/err"
	t_grep "a fetcher owned by another user: refused" \
		"fetcher refused: $F: owned by uid [0-9]+, not root" "$TMP/err"
	chown 0 "$F"
else
	t_skip "a fetcher owned by another user" "not root"
fi
"$P/bin/portcullis" --config "$TMP/c.conf" --app demo >"$TMP/out" 2>"$TMP/err"
t_eq "put back: runs again (control)" "$?" 0
printf '{"a": [1, 2]}' > "$TMP/ok.json"
printf '{"a": [1, 2,]}' > "$TMP/bad.json"
t_check "installed pcj-validate accepts" "$P/bin/pcj-validate" "$TMP/ok.json"
"$P/bin/pcj-validate" "$TMP/bad.json" >"$TMP/pv" 2>&1
t_eq "installed pcj-validate rejects" "$?" 1

# make uninstall: every file install put is gone, and its own directories;
# the changed configuration stays. A file of someone else's stays too.
echo keep > "$P/bin/someone-elses"
MAKEFLAGS= make -s -C "$TOP" uninstall SAN="${SAN:-0}" DESTDIR="$R" \
	>"$TMP/un.out" 2>&1
t_eq "make uninstall exits 0" "$?" 0
find "$R" ! -type d | sed "s|^$R||" | sort > "$TMP/left"
t_eq "only the changed configuration and the stranger are left" \
	"$(tr '\n' ' ' < "$TMP/left")" \
	"/etc/portcullis/portcullis.conf /usr/local/bin/someone-elses "
t_grep "and uninstall says why the configuration stays" \
	'portcullis.conf was changed, left as it is' "$TMP/un.out"
for d in libexec/portcullis share/portcullis share/doc/portcullis; do
	t_check "$d is gone" test ! -e "$P/$d"
done
t_check "shared directories stay" test -d "$P/bin" -a -d "$P/share/man/man8"
rm "$P/bin/someone-elses"
# Unchanged, the configuration goes with the rest: nothing is left.
MAKEFLAGS= make -s -C "$TOP" install SAN="${SAN:-0}" DESTDIR="$TMP/r2" \
	>/dev/null 2>&1
MAKEFLAGS= make -s -C "$TOP" uninstall SAN="${SAN:-0}" DESTDIR="$TMP/r2" \
	>/dev/null 2>&1
t_eq "install then uninstall leaves no file" \
	"$(find "$TMP/r2" ! -type d | wc -l)" 0
t_check "nor /etc/portcullis" test ! -e "$TMP/r2/etc/portcullis"
t_done
