/*
 * Runs in: every fetcher, compiled into its seccomp filter. The table is
 * the whole of what a fetcher may ask of the kernel: talk on fds 3 and 4,
 * manage memory it cannot make executable, read clocks, sleep, exit.
 * Everything else kills the process (SCMP_ACT_KILL_PROCESS). A change
 * here changes the policy/seccomp/ exports, which a test compares.
 */
#include <sys/mman.h>
#include <signal.h>

#include "sbx.h"

#define FD_BROKER	3
#define FD_AGENT	4
#define FD_STDERR	2

#define ARG_EQ(i, v)		{ (i), SCMP_CMP_EQ, (v), 0 }
#define ARG_MASKED_EQ(i, m, v)	{ (i), SCMP_CMP_MASKED_EQ, (m), (v) }
#define NOARG			{ ARG_EQ(0, 0) }

#define ALLOW(sys, why) \
	{ SCMP_SYS(sys), SCMP_ACT_ALLOW, 0, NOARG, why }
#define ALLOW_ARG(sys, a, why) \
	{ SCMP_SYS(sys), SCMP_ACT_ALLOW, 1, { a }, why }
#define ALLOW_ARG3(sys, a, b, c, why) \
	{ SCMP_SYS(sys), SCMP_ACT_ALLOW, 3, { a, b, c }, why }

const struct sbx_rule sbx_fetcher_rules[] = {
	/* Channels: the broker on 3, the agent on 4, nothing else. */
	ALLOW_ARG(sendmsg,  ARG_EQ(0, FD_BROKER),	"broker channel"),
	ALLOW_ARG(sendmsg,  ARG_EQ(0, FD_AGENT),	"agent channel"),
	ALLOW_ARG(recvmsg,  ARG_EQ(0, FD_BROKER),	"broker channel"),
	ALLOW_ARG(recvmsg,  ARG_EQ(0, FD_AGENT),	"agent channel"),
	ALLOW_ARG(read,     ARG_EQ(0, FD_BROKER),	"broker channel"),
	ALLOW_ARG(read,     ARG_EQ(0, FD_AGENT),	"agent channel"),
	ALLOW_ARG(write,    ARG_EQ(0, FD_BROKER),	"broker channel"),
	ALLOW_ARG(write,    ARG_EQ(0, FD_AGENT),	"agent channel"),
	/* libc's fatal messages (fortify, abort) go to /dev/null. */
	ALLOW_ARG(write,    ARG_EQ(0, FD_STDERR),	"libc fatal message"),
	ALLOW_ARG(writev,   ARG_EQ(0, FD_STDERR),	"libc fatal message"),
	ALLOW(close,					"channel shutdown"),
	/* Memory: never executable, so no injected code can run. */
	ALLOW(brk,					"malloc"),
	ALLOW_ARG(mmap,     ARG_MASKED_EQ(2, PROT_EXEC, 0), "malloc, no exec"),
	ALLOW_ARG(mprotect, ARG_MASKED_EQ(2, PROT_EXEC, 0), "guard pages, no exec"),
	ALLOW(munmap,					"free"),
	ALLOW(mremap,					"realloc"),
	ALLOW_ARG(madvise,  ARG_EQ(2, MADV_DONTNEED),	"free"),
	ALLOW_ARG(madvise,  ARG_EQ(2, MADV_FREE),	"free"),
	/* Time: backoff between retries and timestamps. */
	ALLOW(clock_gettime,				"vDSO fallback"),
	ALLOW(gettimeofday,				"vDSO fallback"),
	ALLOW(clock_nanosleep,				"retry backoff"),
	ALLOW(nanosleep,				"retry backoff"),
	/*
	 * Signals: abort() must be able to raise SIGABRT on itself, and on
	 * nothing else: tgkill only with its own process and thread id
	 * (SBX_SELF, put in when the filter is built) and only SIGABRT.
	 */
	ALLOW(rt_sigprocmask,				"abort, sleep"),
	ALLOW(rt_sigreturn,				"signal return"),
#ifndef PC_SAN	/* (the sanitizer's runtime needs it for every signal) */
	ALLOW_ARG(rt_sigaction, ARG_EQ(0, SIGABRT),	"abort resets its handler"),
#endif
	ALLOW(getpid,					"abort"),
	ALLOW(gettid,					"abort"),
	ALLOW_ARG3(tgkill,  ARG_EQ(0, SBX_SELF), ARG_EQ(1, SBX_SELF),
	    ARG_EQ(2, SIGABRT),				"abort, on itself only"),
	ALLOW(exit,					"exit"),
	ALLOW(exit_group,				"exit"),
#ifdef PC_SAN
	/* Sanitizer runtime only: never in a release build. */
	ALLOW(sigaltstack,				"sanitizer"),
	ALLOW(madvise,					"sanitizer allocator"),
	ALLOW(getrandom,				"sanitizer"),
	ALLOW(sched_yield,				"sanitizer"),
	ALLOW(prctl,					"sanitizer"),
	ALLOW(futex,					"sanitizer"),
	ALLOW(rt_sigaction,				"sanitizer"),
	ALLOW(fstat,					"sanitizer"),
	ALLOW(newfstatat,				"sanitizer"),
#endif
};

const unsigned sbx_fetcher_nrules =
    sizeof(sbx_fetcher_rules) / sizeof(sbx_fetcher_rules[0]);
