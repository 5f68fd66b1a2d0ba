/*
 * The agent: turns the configuration into a run (one broker, one fetcher
 * per app), feeds each fetcher its task, collects records, logs and
 * results, supervises every child and reports how each ended.
 */
#ifndef PC_AGENT_H
#define PC_AGENT_H

#include <sys/types.h>

#include "broker.h"
#include "config.h"
#include "spawn.h"

#define AGENT_MAX_APPS	8

/* Exit codes, documented in the README. */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* an operation failed or was refused */
#define EXIT_USAGE	2	/* command line, configuration or policy */
#define EXIT_KILLED	3	/* a child died by a signal (sandbox kill) */

struct cidr_list;
struct egress_rules;
struct c1z_writer;

struct agent_app {
	const struct app_def	*def;
	struct broker_app	*ba;
	char			 fetcher[4096];
	int			 fb[2];		/* fetcher <-> broker */
	int			 fa[2];		/* fetcher <-> agent */
	pid_t			 pid;
	struct chan		 ch;
	int			 live;
	int			 done;		/* DONE received */
	uint32_t		 status;	/* from DONE */
	char			 result[MSG_TEXT_MAX + 1];
	unsigned long		 records;
	struct c1z_writer	*out;		/* the agent's, when syncing */
	struct cidr_list	*allow;
	struct egress_rules	*egress;
};

struct agent {
	struct config		*cfg;
	uint32_t		 op;		/* enum task_op, 0: app default */
	struct agent_app	 apps[AGENT_MAX_APPS];
	struct broker_app	 bapps[AGENT_MAX_APPS];
	size_t			 napps;
	struct broker		 broker;
	struct spawn_id		 id;
	pid_t			 broker_pid;
	int			 bfd[2];	/* agent <-> broker */
	struct chan		 bch;
	int			 broker_live;
	int			 rc;
	struct c1z_writer	*out;		/* a sync's .c1z, or NULL */
	const char		*out_path;
	struct broker_app	 vault_ba;	/* vault:URL transport */
	struct cidr_list	*vault_allow;
	struct egress_rules	*vault_egress;
	unsigned		 sealed, lost;	/* secrets delivered, not */
	void			(*tick)(void);	/* service: about once a second */
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
