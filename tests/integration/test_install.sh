#!/bin/sh
# make install: programs, fetchers, policy, man pages and the systemd unit
# land under DESTDIR with their modes, the rule-breaking test fetcher does
# not, and the installed programs run a sync with the installed fetcher
# and the installed policy files.
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
    share/portcullis/policy/allow/atlas.cidr \
    share/portcullis/policy/egress/atlas.rules \
    share/portcullis/policy/seccomp/portcullis-fetch-atlas.pfc; do
	t_eq "$f: mode 644" "$(stat -c %a "$P/$f" 2>&1)" 644
done
t_check "the test fetcher is not installed" \
	test ! -e "$P/libexec/portcullis/portcullis-fetch-sbxtest"
t_check "installed egress rules are the tree's" \
	diff -r "$TOP/policy/egress" "$P/share/portcullis/policy/egress"
t_check "installed allowlists are the tree's" \
	diff -r "$TOP/policy/allow" "$P/share/portcullis/policy/allow"
t_grep "the unit starts the installed program" \
	'^ExecStart=/usr/local/bin/portcullis service' \
	"$P/lib/systemd/system/portcullis.service"
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
t_done
