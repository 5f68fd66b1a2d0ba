/*
 * The agent: turns the configuration into a run (one broker, one fetcher
 * per app), feeds each fetcher its task, collects records, logs and
 * results, supervises every child and reports how each ended.
 */
#ifndef PC_AGENT_H
#define PC_AGENT_H

#include <sys/types.h>

#include "config.h"
#include "msg.h"
#include "msgs.h"
#include "runconf.h"

#define AGENT_MAX_APPS	RUN_MAX_APPS
#define AGENT_OUT_MAX	(1024 * 1024)	/* tasks and acks not yet taken */

/* Exit codes, documented in the README. */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* an operation failed or was refused */
#define EXIT_USAGE	2	/* command line, configuration or policy */
#define EXIT_KILLED	3	/* a child died by a signal (sandbox kill) */

struct c1z_writer;

struct agent_app {
	const struct app_def	*def;
	struct app_conf		*ac;		/* in the agent's run_conf */
	char			 fetcher[4096];
	int			 fb[2];		/* fetcher <-> broker */
	int			 fa[2];		/* fetcher <-> agent */
	pid_t			 pid;
	struct chan		 ch;
	int			 live;
	int			 done;		/* DONE received */
	int			 ended;		/* its run ended by us: failed */
	uint32_t		 status;	/* from DONE */
	char			 result[MSG_TEXT_MAX + 1];
	unsigned long		 records;
	struct c1z_writer	*out;		/* the agent's, when syncing */
	long long		 active_ms;	/* last sign of progress */
	uint32_t		 bdone, binflight, bwaits;	/* broker's */
	char			 bwait[TAGMAX_PROGRESS_WAIT + 1];
	unsigned long		 nrec[5];	/* records by kind (REC_*) */
	struct fail_msg		 fail;		/* DONE's: why, as fields */
	struct refused_msg	 refused;	/* the broker's last refusal */
	unsigned		 nrefused;
};

struct agent {
	struct config		*cfg;
	uint32_t		 op;		/* enum task_op, 0: app default */
	struct agent_app	 apps[AGENT_MAX_APPS];
	size_t			 napps;
	struct run_conf		 conf;		/* what the broker is given */
	pid_t			 broker_pid;
	int			 bfd[2];	/* agent <-> broker */
	struct chan		 bch;
	int			 broker_live;
	struct c1z_writer	*out;		/* a sync's .c1z, or NULL */
	const char		*out_path;
	unsigned		 sealed, unsure;	/* secrets: created, not */
	unsigned long		 max_records;
	unsigned long long	 max_scratch;	/* bytes of the .c1z scratch */
	unsigned		 shrink_limit;	/* percent */
	int			 accept_shrink;
	long long		 started_ms, progress_ms;
	long long		 msg_timeout_ms, stall_timeout_ms;
	long long		 run_timeout_ms;
	int			 quiet;		/* --quiet: no progress line */
	char			 lastfail[512];	/* the last failure's line */
	/* service: about once a second, with the last sign of progress */
	void			(*tick)(long long progress_ms);
};

/* Set up every app named by --app / app = (errors logged). EXIT_*. */
int	agent_setup(struct agent *ag, struct config *cfg, uint32_t op);
/* The same for the n apps in names (service mode: one at a time). */
int	agent_setup_apps(struct agent *ag, struct config *cfg, uint32_t op,
	    const char *const *names, size_t n);
/* Free what agent_setup and agent_run allocated. */
void	agent_clear(struct agent *ag);
/* Start the broker and fetchers, run to the end, report. EXIT_*. */
int	agent_run(struct agent *ag);

#endif /* PC_AGENT_H */
