/*
 * Runs in: every fetcher, first thing in main(). Input: none; the rules
 * are compiled in (sbx_rules.c).
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <unistd.h>

#include "sbx.h"

#if defined(SBX_DEBUG) && !defined(PC_DEBUG_BUILD)
#error "SBX_DEBUG traps instead of killing: debug builds only"
#endif

static int	sbx_done;

/* Die without libc's help: stdio may already be refused. */
static void
sbx_die(const char *step)
{
	static const char	pre[] = "fetcher: sandbox: ";
	size_t			n = 0;

	while (step[n] != '\0')
		n++;
	(void)!write(2, pre, sizeof(pre) - 1);
	(void)!write(2, step, n);
	(void)!write(2, "\n", 1);
	_exit(70);
}

static void
sbx_limit(int resource, rlim_t v, const char *step)
{
	struct rlimit	rl = { v, v };

	if (setrlimit(resource, &rl) == -1)
		sbx_die(step);
}

static scmp_filter_ctx
sbx_build(uint64_t self)
{
	scmp_filter_ctx	 ctx;
	struct scmp_arg_cmp arg[3];
	unsigned	 i, j;
	uint32_t	 deflt = SCMP_ACT_KILL_PROCESS;

#ifdef SBX_DEBUG
	deflt = SCMP_ACT_TRAP;
#endif
	/* Native arch only: a foreign-arch syscall (x32, i386) is killed. */
	if ((ctx = seccomp_init(deflt)) == NULL)
		return NULL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) != 0)
		goto fail;
	for (i = 0; i < sbx_fetcher_nrules; i++) {
		const struct sbx_rule	*r = &sbx_fetcher_rules[i];

		for (j = 0; j < r->nargs && j < 3; j++) {
			arg[j] = r->arg[j];
			if (arg[j].datum_a == SBX_SELF)
				arg[j].datum_a = self;
		}
		if (seccomp_rule_add_array(ctx, r->action, r->nr, r->nargs,
		    arg) != 0)
			goto fail;
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

void
sbx_enter(void)
{
	scmp_filter_ctx	ctx;

	/* NOFILE 5: fds 0-4 exist; poll(2) fails if nfds > NOFILE. */
	sbx_limit(RLIMIT_NOFILE, 5, "RLIMIT_NOFILE");
	sbx_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC");
	sbx_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE");
	sbx_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sbx_die("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sbx_die("PR_SET_DUMPABLE");
	/* One thread: its tid is its pid, both fixed from here on. */
	if ((ctx = sbx_build((uint64_t)getpid())) == NULL)
		sbx_die("seccomp filter build");
	if (seccomp_load(ctx) != 0)
		sbx_die("seccomp_load");
	seccomp_release(ctx);
	sbx_done = 1;
}

int
sbx_entered(void)
{
	return sbx_done;
}

int
sbx_export(int fd)
{
	scmp_filter_ctx	ctx;
	int		r;

	if ((ctx = sbx_build(1)) == NULL)
		return -1;
	r = seccomp_export_pfc(ctx, fd);
	seccomp_release(ctx);
	return r == 0 ? 0 : -1;
}
