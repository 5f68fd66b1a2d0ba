#!/bin/sh
# The Debian package: dpkg-buildpackage builds it from a copy of the tree
# (never in the tree's build/ directories), lintian finds no error, it
# installs under /usr with the fetchers in /usr/libexec/portcullis, the
# policy, man pages, the unit with its sysusers.d and tmpfiles.d entries
# and the example configuration as a conffile; extracted into a scratch
# root, its programs, fetchers and policy run a sync against the Atlas
# stand-in.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/atlas.sh"
if [ -n "$SAN" ] && [ "$SAN" != 0 ]; then
	# The package is built with Debian's flags whatever SAN says: once,
	# in the release run, is enough.
	t_skip "the Debian package" "built in the run without SAN"
	t_done
	exit
fi
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null ||
    ! command -v fakeroot >/dev/null; then
	t_skip "the Debian package" "dpkg-buildpackage, debhelper or fakeroot is not installed (make deps)"
	t_done
	exit
fi
S=$TMP/src
mkdir -p "$S"
# The working tree as it is (edits included), without build output.
tar -C "$TOP" --exclude=./build --exclude='./build-*' --exclude=./.git \
	--exclude=./debian/portcullis --exclude=./debian/.debhelper \
	-cf - . | tar -C "$S" -xf -
(cd "$S" && DEB_BUILD_OPTIONS="nocheck parallel=${PC_DEB_JOBS:-2}" \
	dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1
t_eq "dpkg-buildpackage -us -uc -b exits 0" "$?" 0
DEB=$(ls "$TMP"/portcullis_*.deb 2>/dev/null | head -n 1)
t_check "a .deb is built" test -f "$DEB"
if [ ! -f "$DEB" ]; then
	tail -n 20 "$TMP/build.log"
	t_done
	exit
fi
t_check "the tree's own build directories are not touched" \
	test ! -e "$TOP/debian/portcullis"

# lintian: no error (warnings and notes are the maintainers' to weigh).
if command -v lintian >/dev/null; then
	lintian --fail-on error "$DEB" >"$TMP/lintian.out" 2>&1
	t_eq "lintian: no error" "$?" 0
	grep '^E:' "$TMP/lintian.out" | head
	# Control: the check tells a package that has one (no copyright).
	mkdir "$TMP/bad"
	dpkg-deb -R "$DEB" "$TMP/bad/p"
	rm "$TMP/bad/p/usr/share/doc/portcullis/copyright"
	sed -i '/copyright$/d' "$TMP/bad/p/DEBIAN/md5sums"
	dpkg-deb -b "$TMP/bad/p" "$TMP/bad/portcullis_0.1.0_amd64.deb" \
		>/dev/null 2>&1
	lintian --fail-on error "$TMP/bad/portcullis_0.1.0_amd64.deb" \
		>"$TMP/lintian.bad" 2>&1
	t_check "control: lintian fails a package without a copyright file" \
		test "$?" != 0
	t_grep "control: naming the error" '^E: portcullis: no-copyright-file' \
		"$TMP/lintian.bad"
else
	t_skip "lintian" "lintian is not installed (make deps)"
fi

# What it installs, and where.
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' > "$TMP/list"
for f in /usr/bin/portcullis /usr/bin/pcj-validate \
    /usr/libexec/portcullis/portcullis-fetch-atlas \
    /usr/libexec/portcullis/portcullis-fetch-atlassian \
    /usr/libexec/portcullis/portcullis-fetch-confluence \
    /usr/libexec/portcullis/portcullis-fetch-ironclad \
    /usr/share/portcullis/policy/allow/atlas.cidr \
    /usr/share/portcullis/policy/egress/atlas.rules \
    /usr/share/portcullis/policy/seccomp/portcullis-fetch-atlas.pfc \
    /usr/share/man/man8/portcullis.8.gz /usr/share/man/man5/portcullis.conf.5.gz \
    /usr/share/man/man1/pcj-validate.1.gz \
    /usr/lib/systemd/system/portcullis.service \
    /usr/lib/sysusers.d/portcullis.conf /usr/lib/tmpfiles.d/portcullis.conf \
    /etc/portcullis/portcullis.conf /usr/share/doc/portcullis/copyright; do
	t_check "ships $f" grep -qx -- "$f" "$TMP/list"
done
if [ -f "$TOP/dist/portcullis.bash-completion" ]; then
	t_check "ships the bash completion" grep -qx \
		/usr/share/bash-completion/completions/portcullis "$TMP/list"
else
	t_skip "ships the bash completion" "dist/portcullis.bash-completion is absent"
fi
t_nogrep "not the rule-breaking test fetcher" 'sbxtest' "$TMP/list"
t_nogrep "nothing under /usr/local" '^/usr/local' "$TMP/list"
mkdir "$TMP/ctl"
dpkg-deb -e "$DEB" "$TMP/ctl"
t_grep "the configuration is a conffile" '^/etc/portcullis/portcullis.conf$' \
	"$TMP/ctl/conffiles"
t_grep "postinst makes the user" 'systemd-sysusers.*portcullis.conf' \
	"$TMP/ctl/postinst"
t_grep "postinst makes the directories" 'systemd-tmpfiles.*--create portcullis.conf' \
	"$TMP/ctl/postinst"
t_nogrep "the unit is not started before it is configured" \
	'deb-systemd-invoke' "$TMP/ctl/postinst"

# Extracted into a scratch root: its files, as the postinst would see them.
R=$TMP/root
dpkg -x "$DEB" "$R"
t_grep "the unit starts /usr/bin/portcullis" \
	'^ExecStart=/usr/bin/portcullis service ' \
	"$R/usr/lib/systemd/system/portcullis.service"
t_check "the conffile is the example" \
	cmp "$R/etc/portcullis/portcullis.conf" "$TOP/dist/portcullis.conf.example"
"$R/usr/bin/portcullis" config --config "$R/etc/portcullis/portcullis.conf" \
	>"$TMP/config.out" 2>&1
t_eq "the packaged binary parses the packaged configuration" "$?" 0
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$R/etc"
	: > "$R/etc/passwd"; : > "$R/etc/group"
	systemd-sysusers --root="$R" >/dev/null 2>&1
	t_grep "sysusers (the postinst's) makes the user" '^portcullis:' "$R/etc/passwd"
	systemd-tmpfiles --root="$R" --create >/dev/null 2>&1
	uid=$(awk -F: '$1 == "portcullis" { print $3 }' "$R/etc/passwd")
	gid=$(awk -F: '$1 == "portcullis" { print $3 }' "$R/etc/group")
	t_eq "tmpfiles (the postinst's): the spool, mode 700, the user's" \
		"$(stat -c '%a %u %g' "$R/var/lib/portcullis/secrets" 2>&1)" \
		"700 $uid $gid"
	t_eq "tmpfiles: the credentials directory, root's alone" \
		"$(stat -c '%a %u' "$R/etc/portcullis/credentials" 2>&1)" "700 0"
	t_eq "tmpfiles: the configuration readable by the service's group" \
		"$(stat -c '%a %u %g' "$R/etc/portcullis/portcullis.conf" 2>&1)" \
		"640 0 $gid"
else
	t_skip "sysusers and tmpfiles in the scratch root" "no systemd-sysusers"
fi

# A sync with the packaged program, fetcher and policy. The root is not
# /, so the config says where the fetchers and the policy are.
t_ca
t_pymock atlas atlas/server.py --fixture "$TOP/tests/mock/atlas/fixtures/small.json"
echo "allow 127.0.0.1/32" > "$TMP/lo.cidr"
cat > "$TMP/deb.conf" <<CONF
libexec = $R/usr/libexec/portcullis
policy-dir = $R/usr/share/portcullis/policy
[app atlas]
base-url = https://127.0.0.1:$MOCK_PORT
ca-file = $CA/ca.pem
allow-file = $TMP/lo.cidr
public-key = pubkey01
connect-timeout = 5
timeout = 30
CONF
BATON_PRIVATE_KEY=priv-5e3c-4b2a "$R/usr/bin/portcullis" --config "$TMP/deb.conf" \
	--app atlas --file "$TMP/a.c1z" >"$TMP/sync.out" 2>"$TMP/sync.err"
t_eq "the packaged portcullis syncs Atlas with the packaged fetcher" "$?" 0
t_grep "and says so" '^atlas: synced' "$TMP/sync.out"
"$R/usr/bin/portcullis" c1z show "$TMP/a.c1z" grants | tail -n +2 | cut -f1 |
	sort > "$TMP/grants"
t_check "the grant set is the fixture's" \
	cmp "$TMP/grants" "$TOP/tests/integration/atlas_small.grants"
# The packaged egress rules apply: a path they do not list is refused.
mv "$R/usr/share/portcullis/policy/egress/atlas.rules" "$TMP/atlas.rules"
printf 'GET $base /orgs\n' > "$R/usr/share/portcullis/policy/egress/atlas.rules"
BATON_PRIVATE_KEY=priv-5e3c-4b2a "$R/usr/bin/portcullis" --config "$TMP/deb.conf" \
	--app atlas --file "$TMP/b.c1z" >"$TMP/sync2.out" 2>"$TMP/sync2.err"
t_eq "control: with the packaged rules cut down, the sync fails" "$?" 1
t_grep "refused by the egress rules" 'egress' "$TMP/sync2.err"
t_done
