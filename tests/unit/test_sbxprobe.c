/*
 * Sandbox probes generated from the seccomp table itself: every syscall
 * of this architecture that no rule allows, and every allowed one with
 * each of its argument conditions broken, is called in a child that has
 * entered the fetchers' sandbox (the same sbx.c and sbx_rules.c) and must
 * die by SIGSYS; each allowed call with its conditions met must not (the
 * control that shows the probe can tell).
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sbx.h"
#include "t.h"

#define PROBE_NR_MAX	600	/* beyond every x86_64 / aarch64 number */

/* Arguments that meet every condition of rule r (SBX_SELF: self). */
static void
probe_args(const struct sbx_rule *r, long a[6], long self)
{
	unsigned	j;

	memset(a, 0, 6 * sizeof(a[0]));
	for (j = 0; j < r->nargs; j++) {
		const struct scmp_arg_cmp *c = &r->arg[j];

		if (c->op == SCMP_CMP_MASKED_EQ)
			a[c->arg] = (long)c->datum_b;
		else
			a[c->arg] = c->datum_a == SBX_SELF ? self :
			    (long)c->datum_a;
	}
}

/* The same with condition k broken (k < 0: none). */
static void
probe_fill(const struct sbx_rule *r, int k, long a[6], long self)
{
	const struct scmp_arg_cmp	*c;

	probe_args(r, a, self);
	if (k < 0)
		return;
	c = &r->arg[k];
	if (c->op == SCMP_CMP_MASKED_EQ)
		a[c->arg] = (long)(c->datum_b ^ c->datum_a);	/* masked bits */
	else
		a[c->arg] += 1;
}

/*
 * A fault (rt_sigreturn without a frame) kills the child plainly: the
 * sanitizer's handler would make syscalls of its own and die by SIGSYS.
 * The raw call, as its sigaction interceptor would not let go.
 */
static void
probe_plain_faults(void)
{
	struct { void *h; unsigned long flags; void *restorer;
	    unsigned long mask; } ksa = { SIG_DFL, 0, NULL, 0 };

	(void)syscall(SYS_rt_sigaction, SIGSEGV, &ksa, NULL, sizeof(ksa.mask));
	(void)syscall(SYS_rt_sigaction, SIGBUS, &ksa, NULL, sizeof(ksa.mask));
}

/*
 * Run nr in a child that entered the sandbox; its arguments are made
 * there (r, k: probe_fill, so SBX_SELF is the child's own pid), or all
 * zero when r is NULL. 1: killed by SIGSYS, 0: not, -1: hung.
 */
static int
probe(long nr, const struct sbx_rule *r, int k)
{
	struct timespec	ts = { 0, 5 * 1000 * 1000 };
	long		a[6] = { 0 };
	pid_t		pid;
	int		st, i;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (r != NULL)
			probe_fill(r, k, a, (long)getpid());
		probe_plain_faults();
		sbx_enter();
		(void)syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		_exit(0);
	}
	/* A call that blocks (pause, select) is let through; 2 s at most. */
	for (i = 0; i < 400; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
		(void)nanosleep(&ts, NULL);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &st, 0);
	return -1;
}

static int
allowed(long nr)
{
	unsigned	i;

	for (i = 0; i < sbx_fetcher_nrules; i++)
		if (sbx_fetcher_rules[i].nr == nr)
			return 1;
	return 0;
}

/* Another rule for the same call that a allows too (self never matches). */
static int
other_allows(const struct sbx_rule *r, const long a[6])
{
	unsigned	i, j, ok;

	for (i = 0; i < sbx_fetcher_nrules; i++) {
		const struct sbx_rule *o = &sbx_fetcher_rules[i];

		if (o == r || o->nr != r->nr)
			continue;
		for (j = 0, ok = 1; j < o->nargs && ok; j++) {
			const struct scmp_arg_cmp *c = &o->arg[j];

			if (c->op == SCMP_CMP_MASKED_EQ)
				ok = ((uint64_t)a[c->arg] & c->datum_a) ==
				    c->datum_b;
			else
				ok = c->datum_a != SBX_SELF &&
				    (uint64_t)a[c->arg] == c->datum_a;
		}
		if (ok)
			return 1;
	}
	return 0;
}

/* Every number the kernel knows that no rule names: must die. */
static void
probe_denied(void)
{
	unsigned	n = 0, bad = 0;
	long		nr;
	char		*name;

	for (nr = 0; nr < PROBE_NR_MAX; nr++) {
		if ((name = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, (int)nr)) == NULL)
			continue;
		if (!allowed(nr)) {
			n++;
			if (probe(nr, NULL, -1) != 1) {
				bad++;
				t_ok(0, name, "not killed by the filter");
			}
		}
		free(name);
	}
	t_ok(n > 250 && bad == 0, "every syscall no rule allows is killed",
	    "%u of %u survived", bad, n);
}

/* Each allowed call: lives with its conditions met, dies with one broken. */
static void
probe_rules(void)
{
	char		 what[200], *name;
	unsigned	 i, n = 0;
	long		 a[6];
	int		 k;

	for (i = 0; i < sbx_fetcher_nrules; i++) {
		const struct sbx_rule *r = &sbx_fetcher_rules[i];

		if (r->action != SCMP_ACT_ALLOW)
			continue;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);
		(void)snprintf(what, sizeof(what), "%s (%s) with its conditions "
		    "met is allowed (control)", name, r->why);
		t_ok(probe(r->nr, r, -1) == 0, what, "killed");
		for (k = 0; k < (int)r->nargs; k++) {
			probe_fill(r, k, a, -1);
			/* write(2) breaks "fd 3" of write(3): another rule's. */
			if (other_allows(r, a))
				continue;
			n++;
			(void)snprintf(what, sizeof(what), "%s (%s) with condition "
			    "%d broken is killed", name, r->why, k);
			t_ok(probe(r->nr, r, k) == 1, what, "it lived");
		}
		free(name);
	}
	t_ok(n >= 10, "argument conditions probed", "only %u", n);
}

int
main(void)
{
	t_init("test_sbxprobe");
	probe_denied();
	probe_rules();
	return t_done();
}
