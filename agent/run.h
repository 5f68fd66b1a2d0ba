/*
 * A run once every child is started: send each fetcher its task, route
 * what comes back (records, logs, results, audit lines), then collect
 * every child and say how each ended.
 */
#ifndef PC_RUN_H
#define PC_RUN_H

struct agent;
struct agent_app;
struct app_def;
struct task_msg;

/*
 * The --action / --arg flags into t (nothing when --action is not
 * given): the action and argument names must be d's. 0, or an error
 * already said.
 */
int	run_action(struct agent *ag, const struct app_def *d,
	    struct task_msg *t);

void	run_task_send(struct agent *ag, struct agent_app *aa);
/* Until every fetcher channel and the broker channel are closed. */
void	run_loop(struct agent *ag);
/* Wait for children, print results; returns an EXIT_* code. */
int	run_finish(struct agent *ag);

#endif /* PC_RUN_H */
