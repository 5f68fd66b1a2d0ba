#!/bin/sh
# The systemd unit and what it needs on a fresh box: its exposure by
# `systemd-analyze security --offline=yes` is at most 2.0 and
# `systemd-analyze verify` has nothing to say; ExecStart follows PREFIX;
# a sync runs under the unit's system call filter as an unprivileged
# user (the filter emulated with libseccomp: there is no systemd here);
# every credential is optional (its default, one newline, counts as not
# given); sysusers.d and tmpfiles.d make the user and the directories the
# unit names; the example configuration parses, with every commented
# option too, and has every connector.
. "$(dirname "$0")/../lib/common.sh"
SAN=${SAN:-0}
U=$BUILD/dist/portcullis.service
mk() { MAKEFLAGS= make -s -C "$TOP" SAN="$SAN" "$@" >"$TMP/make.out" 2>&1; }

# --- the unit follows PREFIX ---------------------------------------------
mk unit PREFIX=/opt/pc
t_grep "PREFIX=/opt/pc: ExecStart=/opt/pc/bin/portcullis" \
	'^ExecStart=/opt/pc/bin/portcullis service ' "$U"
mk unit
t_eq "make unit exits 0" "$?" 0
t_grep "default: ExecStart=/usr/local/bin/portcullis" \
	'^ExecStart=/usr/local/bin/portcullis service ' "$U"
t_nogrep "no placeholder left" '@[A-Z]+@' "$U"

# --- systemd-analyze ------------------------------------------------------
exposure() {	# unit file: the overall exposure, e.g. 1.7
	systemd-analyze security --offline=yes "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
if command -v systemd-analyze >/dev/null; then
	x=$(exposure "$U")
	echo "exposure: $x"
	t_check "systemd-analyze security: exposure $x <= 2.0" \
		awk -v x="$x" 'BEGIN { exit !(x != "" && x <= 2.0) }'
	# Control: the same unit running as root with its capabilities back.
	mkdir "$TMP/root"
	sed -e '/^User=/d; /^Group=/d; /^PrivateUsers=/d' \
	    -e 's/^CapabilityBoundingSet=$/CapabilityBoundingSet=CAP_SETUID CAP_SETGID/' \
	    "$U" > "$TMP/root/portcullis.service"
	x=$(exposure "$TMP/root/portcullis.service")
	t_check "control: as root with CAP_SETUID it scores above 2.0 ($x)" \
		awk -v x="$x" 'BEGIN { exit !(x != "" && x > 2.0) }'
	# verify checks ExecStart is executable: point it at this build.
	mkdir "$TMP/v"
	sed "s|@BINDIR@|$BUILD/bin|" "$TOP/dist/portcullis.service.in" \
		> "$TMP/v/portcullis.service"
	systemd-analyze verify --man=no "$TMP/v/portcullis.service" \
		>"$TMP/verify.out" 2>&1
	t_eq "systemd-analyze verify exits 0" "$?" 0
	t_eq "and has nothing to say" "$(cat "$TMP/verify.out")" ""
	# Control: verify does speak up (an empty SetCredential= value is
	# refused by systemd 252, which is why the defaults are a newline).
	sed 's/^SetCredential=vault-token:.*/SetCredential=vault-token:/' \
		"$TMP/v/portcullis.service" > "$TMP/v/bad.service"
	systemd-analyze verify --man=no "$TMP/v/bad.service" >"$TMP/verify.bad" 2>&1
	t_grep "control: verify reports a bad line" 'Invalid syntax' "$TMP/verify.bad"
else
	t_skip "systemd-analyze security and verify" "systemd-analyze is not installed"
fi

# --- what the fetchers and the broker need stays allowed -------------------
t_grep "fetchers may make their namespaces" \
	'^RestrictNamespaces=user pid net ipc$' "$U"
t_grep "socketpairs, sd_notify and HTTPS" \
	'^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$' "$U"
t_grep "runs as the user sysusers.d makes" '^User=portcullis$' "$U"
t_grep "sysusers.d makes that user" '^u portcullis ' "$TOP/dist/portcullis.sysusers"
t_grep "output files land in the state directory" \
	'^WorkingDirectory=/var/lib/portcullis$' "$U"
t_grep "the default vault spool is a state directory" \
	'^StateDirectory=portcullis portcullis/secrets$' "$U"
t_grep "which is the compiled-in default" \
	'VAULT_DEFAULT_SPOOL[[:space:]]+"/var/lib/portcullis/secrets"' \
	"$TOP/include/runconf.h"

# A sync under the unit's system call filter (SystemCallFilter= lines,
# expanded by systemd-analyze, EPERM for the rest as
# SystemCallErrorNumber=), as nobody with no capability, as the unit runs.
# syscalls.py FILTER-LINES...: the allowed names, one a line.
cat > "$TMP/syscalls.py" <<'PY'
import subprocess, sys
def expand(name, seen):
    if not name.startswith("@"):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if w and not w.startswith("#"):
            names |= expand(w, seen)
    return names
allowed = None
for spec in sys.argv[1:]:
    deny = spec.startswith("~")
    items = set()
    for w in spec.lstrip("~").split():
        items |= expand(w, set())
    if allowed is None:
        allowed = set() if deny else items
    elif deny:
        allowed -= items
    else:
        allowed |= items
print("\n".join(sorted(allowed or ())))
PY
cat > "$TMP/sysfilter.c" <<'C'
/* sysfilter NAMES-FILE UID PROGRAM ARGS...: drop to UID with no
 * capability, allow the listed system calls, EPERM for every other,
 * exec PROGRAM (what SystemCallFilter= and User= do). */
#include <errno.h>
#include <grp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
	char line[128];
	FILE *f;
	uid_t id;
	scmp_filter_ctx c;
	if (argc < 4 || (f = fopen(argv[1], "r")) == NULL) return 126;
	id = (uid_t)strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) return 125;
	if ((c = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) return 124;
	while (fgets(line, sizeof(line), f) != NULL) {
		int nr;
		line[strcspn(line, "\n")] = '\0';
		if ((nr = seccomp_syscall_resolve_name(line)) != __NR_SCMP_ERROR)
			(void)seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 0);
	}
	fclose(f);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_load(c)) return 123;
	execv(argv[3], argv + 3);
	return 127;
}
C
if ! command -v systemd-analyze >/dev/null; then
	t_skip "a sync under the unit's system call filter" "no systemd-analyze"
elif [ "$(id -u)" != 0 ]; then
	t_skip "a sync under the unit's system call filter" "not root (it drops to nobody)"
elif ! cc -o "$TMP/sysfilter" "$TMP/sysfilter.c" -lseccomp 2>"$TMP/cc.err"; then
	t_skip "a sync under the unit's system call filter" "no C compiler or libseccomp"
else
	sed -n 's/^SystemCallFilter=//p' "$U" > "$TMP/filters"
	# LeakSanitizer stops the world with ptrace, which no unit allows.
	lsan=
	[ "$SAN" != 0 ] && lsan=detect_leaks=0
	run_filtered() {	# names file, name of the run
		nb=$(id -u nobody)
		ASAN_OPTIONS=$lsan "$TMP/sysfilter" "$1" "$nb" "$PORTCULLIS" \
			--config "$TMP/c.conf" --app demo --namespaces require \
			>"$TMP/$2.out" 2>"$TMP/$2.err"
	}
	set --
	while IFS= read -r l; do set -- "$@" "$l"; done < "$TMP/filters"
	python3 "$TMP/syscalls.py" "$@" > "$TMP/allowed"
	t_check "the filter allows seccomp(2) (the fetchers' own filter)" \
		grep -qx seccomp "$TMP/allowed"
	t_check "and setrlimit(2) (the fetchers' limits)" \
		grep -qx setrlimit "$TMP/allowed"
	t_check "and not setuid(2) (nothing to change to)" \
		test -z "$(grep -x setuid "$TMP/allowed")"
	t_ca
	t_mock m 127.0.0.1
	echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
	t_conf "$TMP/c.part" demo "https://127.0.0.1:$PORT_m" \
		"allow-file = $TMP/allow.cidr"
	{ echo "libexec = $BUILD/bin"; cat "$TMP/c.part"; } > "$TMP/c.conf"
	chmod 0644 "$TMP/c.conf" "$CA/ca.pem" "$TMP/allow.cidr"
	run_filtered "$TMP/allowed" ok
	rc=$?
	if [ "$rc" = 0 ]; then
		t_ok "a sync under the unit's filter, as nobody, fetchers in namespaces"
	elif grep -q 'namespaces' "$TMP/ok.err"; then
		t_skip "a sync under the unit's filter" "this kernel refuses unprivileged namespaces"
	else
		t_fail "a sync under the unit's filter" "exit $rc: $(head -n 3 "$TMP/ok.err")"
	fi
	t_grep "and prints the answer" '^demo: GET /hello: HTTP 200' "$TMP/ok.out"
	# Control: without seccomp(2) (the unit before this fix), no fetcher
	# can load its filter and nothing is synced.
	grep -vx seccomp "$TMP/allowed" > "$TMP/noseccomp"
	run_filtered "$TMP/noseccomp" bad
	t_eq "control: without seccomp(2) in the filter the run fails" "$?" 1
	t_grep "control: the fetcher ended without a result" \
		'fetcher demo ended without a result' "$TMP/bad.err"
fi

# --- credentials ---------------------------------------------------------
# Every LoadCredential= has a SetCredential= default of the same ID (so a
# missing file does not stop the unit), and names a real secret.
sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$U" > "$TMP/creds"
: > "$TMP/empty.conf"
t_check "the unit loads credentials" test -s "$TMP/creds"
while IFS= read -r id; do
	t_grep "credential $id is optional" "^SetCredential=$id:\\\\n\$" "$U"
	case "$id" in
	*.*)	app=${id%%.*} name=${id#*.} ;;
	*)	app=atlas name=$id ;;
	esac
	"$PORTCULLIS" config --config "$TMP/empty.conf" --app "$app" \
		>"$TMP/cfg.out" 2>&1
	t_grep "credential $id: $name is a secret of $app" \
		"^$name +\\(not set\\)" "$TMP/cfg.out"
done < "$TMP/creds"

# What the broker does with them, as the unit hands them over.
if [ -z "$PORT_m" ]; then
	t_ca
	t_mock m 127.0.0.1
	echo "allow 127.0.0.1/32" > "$TMP/allow.cidr"
fi
printf 'GET $base /echo-auth\n' > "$TMP/echo.rules"
t_conf "$TMP/cred.conf" demo "https://127.0.0.1:$PORT_m" \
	"allow-file = $TMP/allow.cidr" "egress-file = $TMP/echo.rules" \
	"auth = bearer" "path = /echo-auth"
sed -i '/^auth = none$/d' "$TMP/cred.conf"
D=$TMP/creddir
mkdir -m 0700 "$D"
cred_run() {	# name of the run
	CREDENTIALS_DIRECTORY=$D "$PORTCULLIS" --config "$TMP/cred.conf" \
		--app demo >"$TMP/$1.out" 2>"$TMP/$1.err"
}
printf 'tok-from-dir\n' > "$D/api-token"
chmod 0400 "$D/api-token"
cred_run c1
t_grep "a credential is used" 'Bearer tok-from-dir' "$TMP/c1.out"
printf '\n' > "$D/demo.api-token"
chmod 0400 "$D/demo.api-token"
cred_run c2
t_grep "the unit's default (one newline) is not given: the next name is used" \
	'Bearer tok-from-dir' "$TMP/c2.out"
rm -f "$D/api-token"
cred_run c3
t_check "only the default: the run fails" test -s "$TMP/c3.err"
t_grep "saying the credential is missing" 'no api-token: set BATON_API_TOKEN' \
	"$TMP/c3.err"
t_nogrep "not that it is malformed" 'malformed' "$TMP/c3.err"
printf 'real-token\n' > "$TMP/tok"
chmod 0600 "$TMP/tok"
echo "api-token-file = $TMP/tok" >> "$TMP/cred.conf"
cred_run c4
t_grep "a -file setting still wins over the default" \
	'Bearer real-token' "$TMP/c4.out"
# Outside the credentials directory an empty secret file stays an error.
: > "$TMP/tok"
cred_run c5
t_eq "an empty api-token-file is refused" "$?" 1
t_nogrep "and nothing is sent with it" 'HTTP 200' "$TMP/c5.out"

# --- sysusers.d and tmpfiles.d on a fresh root ------------------------------
if command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
	R=$TMP/fresh
	mkdir -p "$R/etc"
	: > "$R/etc/passwd"; : > "$R/etc/group"
	systemd-sysusers --root="$R" - < "$TOP/dist/portcullis.sysusers" \
		>/dev/null 2>&1
	t_grep "sysusers: the portcullis user" \
		'^portcullis:x:[0-9]+:[0-9]+:.*:/var/lib/portcullis:/usr/sbin/nologin$' \
		"$R/etc/passwd"
	uid=$(awk -F: '$1 == "portcullis" { print $3 }' "$R/etc/passwd")
	gid=$(awk -F: '$1 == "portcullis" { print $3 }' "$R/etc/group")
	t_check "a system user" test "${uid:-0}" -gt 0 -a "${uid:-1000}" -lt 1000
	install -d "$R/etc/portcullis"
	install -m 0644 "$TOP/dist/portcullis.conf.example" \
		"$R/etc/portcullis/portcullis.conf"
	systemd-tmpfiles --root="$R" --create - < "$TOP/dist/portcullis.tmpfiles" \
		>"$TMP/tmpfiles.out" 2>&1
	t_eq "tmpfiles --create exits 0" "$?" 0
	for d in /var/lib/portcullis /var/lib/portcullis/secrets /var/log/portcullis; do
		t_eq "tmpfiles: $d, 700, the user's" \
			"$(stat -c '%a %u %g' "$R$d" 2>&1)" "700 $uid $gid"
	done
	t_eq "tmpfiles: /etc/portcullis/credentials, root's alone" \
		"$(stat -c '%a %u %g' "$R/etc/portcullis/credentials" 2>&1)" "700 0 0"
	t_eq "tmpfiles: the configuration, readable by the service's group" \
		"$(stat -c '%a %u %g' "$R/etc/portcullis/portcullis.conf" 2>&1)" \
		"640 0 $gid"
	# Every directory the unit's *Directory= settings name is made.
	for d in $(sed -n 's/^StateDirectory=//p' "$U"); do
		t_check "StateDirectory $d is made by tmpfiles" test -d "$R/var/lib/$d"
	done
	for d in $(sed -n 's/^LogsDirectory=//p' "$U"); do
		t_check "LogsDirectory $d is made by tmpfiles" test -d "$R/var/log/$d"
	done
else
	t_skip "sysusers.d and tmpfiles.d" "systemd-sysusers or systemd-tmpfiles is not installed"
fi

# --- the example configuration ---------------------------------------------
X=$TOP/dist/portcullis.conf.example
"$PORTCULLIS" config --config "$X" >"$TMP/x.out" 2>&1
t_eq "the example parses" "$?" 0
sed -E 's/^#([a-z][a-z-]* = )/\1/' "$X" > "$TMP/all.conf"
t_check "it has commented options" test "$(grep -c -E '^#[a-z][a-z-]* = ' "$X")" -gt 10
"$PORTCULLIS" config --config "$TMP/all.conf" >"$TMP/all.out" 2>&1
t_eq "with every commented option set, it parses" "$?" 0
MAKEFLAGS= make -s -C "$TOP" connector-list > "$TMP/connectors" 2>/dev/null
t_check "connectors listed" test -s "$TMP/connectors"
while IFS='|' read -r app rest; do
	t_grep "the example has [app $app]" "^\\[app $app\\]\$" "$X"
	"$PORTCULLIS" config --config "$TMP/all.conf" --app "$app" \
		>"$TMP/x.$app" 2>&1
	t_eq "[app $app]: every option in it is one of the app's" "$?" 0
	t_grep "[app $app]: its output file is relative (the state directory)" \
		"^file +$app\\.c1z " "$TMP/x.$app"
done < "$TMP/connectors"
# Control: a misspelt option in it would be caught.
sed 's/^public-key = /publik-key = /' "$X" > "$TMP/typo.conf"
"$PORTCULLIS" config --config "$TMP/typo.conf" --app atlas >/dev/null 2>&1
t_eq "control: a misspelt option fails the parse" "$?" 2
t_done
