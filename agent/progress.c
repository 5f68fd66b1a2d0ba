/*
 * Runs in: agent. Input: counts the agent keeps (records it decoded,
 * the broker's PROGRESS figures): numbers only, and app names from the
 * descriptors; nothing a fetcher wrote reaches the terminal here.
 */
#include <sys/ioctl.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "msg.h"
#include "log.h"
#include "progress.h"
#include "record.h"

#define PROGRESS_MS	250	/* at most four redraws a second */

static int		 progress_on;
static size_t		 progress_drawn;	/* lines on the screen now */
static long long	 progress_at;

/* Erase what we drew: the cursor ends where the first line was. */
static void
progress_clear(void)
{
	char	seq[32];
	int	n;

	if (progress_drawn == 0)
		return;
	if (progress_drawn > 1) {
		n = snprintf(seq, sizeof(seq), "\033[%zuA", progress_drawn - 1);
		if (n > 0 && (size_t)n < sizeof(seq))
			(void)!write(2, seq, (size_t)n);
	}
	(void)!write(2, "\r\033[J", 4);
	progress_drawn = 0;
}

void
progress_init(struct agent *ag, int quiet)
{
	(void)ag;
	/* At debug the broker writes lines of its own, which would run
	 * into ours: the lines are the progress then. */
	progress_on = !quiet && isatty(2) && log_format() == LOG_F_CONSOLE &&
	    log_level() < LOG_L_DEBUG;
	progress_drawn = 0;
	progress_at = 0;
	if (progress_on)
		log_set_hook(progress_clear);
}

static int
progress_fmt(const struct agent *ag, const struct agent_app *aa,
    long long now, char *dst, size_t dstsz)
{
	long long	s = (now - ag->started_ms) / 1000;

	/* Elapsed first: a narrow terminal cuts the end, not the clock. */
	return snprintf(dst, dstsz, "%s %lld:%02lld%s %u requests, %lu types "
	    "%lu resources %lu entitlements %lu grants, %u rate-limit waits%s",
	    aa->def->name, s / 60, s % 60, aa->live ? "" : " done,", aa->bdone,
	    aa->nrec[REC_RESOURCE_TYPE], aa->nrec[REC_RESOURCE],
	    aa->nrec[REC_ENTITLEMENT], aa->nrec[REC_GRANT], aa->bwaits,
	    aa->bwait[0] ? " (waiting)" : "");
}

void
progress_tick(struct agent *ag, long long now)
{
	char		line[320], out[AGENT_MAX_APPS * 330];
	struct winsize	ws;
	size_t		i, o = 0, cols = 80;
	int		n;

	if (!progress_on || now - progress_at < PROGRESS_MS)
		return;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		cols = ws.ws_col < sizeof(line) ? ws.ws_col : sizeof(line);
	progress_at = now;
	for (i = 0; i < ag->napps; i++) {
		n = progress_fmt(ag, &ag->apps[i], now, line, sizeof(line));
		if (n < 0)
			continue;
		/* A line wider than the terminal would wrap: cut it. */
		if ((size_t)n >= cols)
			line[cols - 1] = '\0';
		n = snprintf(out + o, sizeof(out) - o, "%s\r\033[K%s",
		    i > 0 ? "\n" : "", line);
		if (n < 0 || (size_t)n >= sizeof(out) - o)
			break;
		o += (size_t)n;
	}
	progress_clear();
	(void)!write(2, out, o);
	progress_drawn = ag->napps;
}

void
progress_end(void)
{
	if (!progress_on)
		return;
	progress_clear();
	log_set_hook(NULL);
	progress_on = 0;
}
