/*
 * Runs in: agent. `portcullis service`: sync every configured app, one
 * run (one broker, one fetcher) at a time, then sleep `interval`
 * seconds, until SIGTERM. Under systemd (Type=notify) it reports READY,
 * STATUS and WATCHDOG through $NOTIFY_SOCKET; SIGHUP re-reads the
 * configuration between runs; SIGTERM lets the current run finish its
 * write, then exits 0.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "c1z.h"
#include "cli.h"
#include "log.h"
#include "service.h"

#define SERVICE_PING	20	/* seconds between watchdog pings */

static volatile sig_atomic_t	service_hup, service_term;
static time_t			service_pinged;
static long long		service_stall_ms = 300000;
static char			service_lastfail[400];	/* for STATUS= */

static void
service_sig(int sig)
{
	if (sig == SIGHUP)
		service_hup = 1;
	else
		service_term = 1;
}

/* sd_notify(3), without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void
service_notify(const char *fmt, ...) PC_PRINTF(1, 2);

static void
service_notify(const char *fmt, ...)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	char			 msg[768];
	socklen_t		 len;
	va_list			 ap;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';		/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	(void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	close(fd);
}

static time_t
service_now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
service_ping(void)
{
	time_t	now = service_now();

	if (now - service_pinged >= SERVICE_PING) {
		service_notify("WATCHDOG=1");
		service_pinged = now;
	}
}

/*
 * Called by the run loop: WATCHDOG only while the run makes progress
 * (a record, a log line, an answer from the vendor, a wait the vendor
 * asked for). A run stuck past stall-timeout stops the pings, so a
 * hung agent is noticed by systemd even if our own deadlines failed.
 */
static void
service_tick(long long progress_ms)
{
	if (chan_now_ms() - progress_ms <= service_stall_ms)
		service_ping();
}

static int
service_run_one(struct config *cfg, const char *name)
{
	struct agent	ag;
	struct c1z_keep	keep;
	int		rc;

	if (c1z_keep_begin(&keep, config_get(cfg, name, "file", NULL),
	    config_get(cfg, name, "keep", NULL)) != 0)
		log_warnx("service: %s: keep: previous file not kept", name);
	if ((rc = agent_setup_apps(&ag, cfg, 0, &name, 1)) == EXIT_OK) {
		ag.tick = service_tick;
		service_stall_ms = ag.stall_timeout_ms;
		rc = agent_run(&ag);
		/* STATUS= shows the last failure's reason, until a good run. */
		if (rc != EXIT_OK && ag.lastfail[0] != '\0')
			(void)snprintf(service_lastfail,
			    sizeof(service_lastfail), "%.*s",
			    (int)sizeof(service_lastfail) - 1, ag.lastfail);
	}
	agent_clear(&ag);
	if (c1z_keep_end(&keep) != 0)
		log_warnx("service: %s: keep: rotating the previous files "
		    "failed", name);
	return rc;
}

static void
service_round(struct config *cfg, unsigned long round)
{
	const char	*names[AGENT_MAX_APPS + 1];
	char		 status[640], stamp[32];
	size_t		 i, n, failed = 0;
	time_t		 t = time(NULL);
	struct tm	 tm;

	n = config_list(cfg, NULL, "app", names, AGENT_MAX_APPS + 1);
	for (i = 0; i < n && !service_term; i++) {
		service_notify("STATUS=run %lu: syncing %s", round, names[i]);
		if (service_run_one(cfg, names[i]) != EXIT_OK) {
			failed++;
			log_warnx("service: run %lu: %s failed", round,
			    names[i]);
		}
	}
	(void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime_r(&t, &tm));
	if (failed == 0)
		service_lastfail[0] = '\0';
	(void)snprintf(status, sizeof(status), "run %lu at %s: %zu of %zu "
	    "apps synced%s%.400s", round, stamp, n - failed, n,
	    service_lastfail[0] ? "; last failure: " : "", service_lastfail);
	log_info("service: %s", status);
	service_notify("STATUS=%s", status);
}

/* Re-read flags and file; on an error keep the running configuration. */
static void
service_reload(struct cli *cli, struct config *cfg)
{
	struct config	nc;
	struct cli	nl;

	service_notify("RELOADING=1");
	config_init(&nc);
	if (cli_parse(&nl, &nc, cli->all_argc, cli->all_argv) != EXIT_OK) {
		log_warnx("service: reload failed; keeping the running "
		    "configuration");
		config_clear(&nc);
	} else {
		config_clear(cfg);
		*cfg = nc;
		log_info("service: configuration reloaded");
	}
	service_notify("READY=1");
}

static void
service_sleep(long secs)
{
	struct timespec	ts = { 1, 0 };
	time_t		until = service_now() + secs;

	while (!service_term && !service_hup && service_now() < until) {
		(void)nanosleep(&ts, NULL);
		service_ping();	/* idle between runs is healthy */
	}
}

static int
service_interval(struct config *cfg, long *secs)
{
	const char	*v = config_get(cfg, NULL, "interval", NULL);
	char		*end;

	*secs = strtol(v, &end, 10);
	if (*end != '\0' || *secs < 1 || *secs > 7 * 86400) {
		log_warnx("interval must be 1..604800 seconds");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * BATON_* secrets are wiped from our memory once the first broker has
 * them, so a second run could not read them: a service takes its secrets
 * from files or LoadCredential= only.
 */
static int
service_env_secrets(void)
{
	const struct opt_def	*d;
	const char		*var;
	size_t			 i = 0;

	while ((d = config_opt_next(&i)) != NULL) {
		if (!(d->flags & OPT_SECRET))
			continue;
		if (config_env_value(d->name, &var) != NULL) {
			log_warnx("service: %s is set; a service reads secrets "
			    "from files (%s-file) or LoadCredential= only", var,
			    d->name);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

int
service_main(struct cli *cli, struct config *cfg)
{
	struct sigaction	sa;
	unsigned long		round = 0;
	long			secs;
	int			rc;

	if ((rc = service_env_secrets()) != EXIT_OK ||
	    (rc = service_interval(cfg, &secs)) != EXIT_OK)
		return rc;
	if (c1z_keep_check(config_get(cfg, NULL, "keep", NULL)) != 0) {
		log_warnx("keep must be 0..%d files", C1Z_KEEP_MAX);
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = service_sig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");
	service_notify("READY=1");
	service_pinged = service_now();
	while (!service_term) {
		service_round(cfg, ++round);
		service_sleep(secs);
		if (service_hup && !service_term) {
			service_hup = 0;
			service_reload(cli, cfg);
			if (service_interval(cfg, &secs) != EXIT_OK)
				secs = 3600;
		}
	}
	service_notify("STOPPING=1");
	log_info("service: stopping after %lu runs", round);
	return EXIT_OK;
}
