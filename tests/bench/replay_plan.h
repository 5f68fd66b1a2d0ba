/*
 * Runs in: make bench, the privsep replays (tests/bench/direct_curl, one
 * process; tests/bench/replay_fetch, a sandboxed fetcher). Input: the
 * Atlas mock's request log lines ("S seq ms METHOD target accept").
 *
 * The request plan both replays share, so they gate the same way: a
 * request may start once a client could know it (see replay_plan.c).
 */
#ifndef PC_REPLAY_PLAN_H
#define PC_REPLAY_PLAN_H

#include <stddef.h>

#define DC_LINE		8192
#define DC_TOKS		4
#define DC_NONE		((size_t)-1)

struct dc_req {
	char	*method, *target, *accept;
	size_t	 tok[DC_TOKS], ntok;	/* ids it needs (dc_ids) */
	size_t	 list;			/* its list (path): dc_lists */
	size_t	 page1;			/* page 1 of its list, or DC_NONE */
	size_t	 hosts;			/* the clusters list it needs */
	int	 started, done;
};

extern struct dc_req	*dc_req;
extern size_t		 dc_nreq;

/* Report what went wrong and exit 2 (bench tools: no recovery). */
void	dc_die(const char *what);
/* One "S seq ms METHOD target accept" line into the plan. */
void	dc_parse_start(char *line);
/* Every line read: count each list's requests. */
void	dc_plan_done(void);
/* 1 when what r needs has been received. */
int	dc_ready(const struct dc_req *r);
/* An answer to request idx received: its ids seen, its list further. */
void	dc_answered(size_t idx, const char *body, size_t len);

#endif /* PC_REPLAY_PLAN_H */
