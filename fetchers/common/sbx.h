/*
 * The fetcher sandbox: rlimits, no_new_privs and a libseccomp filter
 * whose default is to kill the process. The rules are data
 * (sbx_rules.c); sbx_enter() installs them and nothing else.
 */
#ifndef PC_SBX_H
#define PC_SBX_H

#include <stdint.h>
#include <seccomp.h>

struct sbx_rule {
	int			 nr;		/* SCMP_SYS(...) */
	uint32_t		 action;	/* SCMP_ACT_ALLOW or ERRNO */
	unsigned		 nargs;
	struct scmp_arg_cmp	 arg[3];
	const char		*why;
};

/*
 * An argument value that is the fetcher's own pid (= its tid: fetchers
 * have one thread), put in by sbx_enter(). sbx_export() writes 1: what a
 * fetcher is in the pid namespace of its own it runs in.
 */
#define SBX_SELF	0xfffffffe5e1fULL

extern const struct sbx_rule	sbx_fetcher_rules[];
extern const unsigned		sbx_fetcher_nrules;

/*
 * Confine the calling process for good. Must be the first thing a
 * fetcher's main() does, before it reads a byte. Fatal on any failure:
 * a fetcher never runs unconfined.
 */
void	sbx_enter(void);

/* 1 once sbx_enter() has loaded the filter in this process. */
int	sbx_entered(void);

/* Write the filter sbx_enter() would load, as libseccomp PFC, to fd. */
int	sbx_export(int fd);

#endif /* PC_SBX_H */
