/*
 * Runs in: agent. Input: policy files (operator's; every error names
 * file:line).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "apps.h"
#include "cidr.h"
#include "config.h"
#include "egress.h"
#include "log.h"
#include "policyfile.h"

#define POLICYFILE_MAX	(1024 * 1024)

const char *
policyfile_dir(struct config *cfg)
{
	static char	 dev[PATH_MAX];
	const char	*d = config_get(cfg, NULL, "policy-dir", NULL);
	char		*slash;
	ssize_t		 n;

	if (d != NULL)
		return d;
	/* A build tree: build/bin/portcullis -> ../../policy */
	n = readlink("/proc/self/exe", dev, sizeof(dev) - 16);
	dev[n > 0 ? n : 0] = '\0';
	if ((slash = strrchr(dev, '/')) != NULL) {
		(void)snprintf(slash, sizeof(dev) - (size_t)(slash - dev),
		    "/../../policy");
		if (access(dev, R_OK) == 0)
			return dev;
	}
	return PC_POLICYDIR;
}

static char *
policyfile_read(const char *path, size_t *len)
{
	struct stat	 st;
	char		*text;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warnx("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > POLICYFILE_MAX) {
		log_warnx("%s: not a regular file of at most %d bytes", path,
		    POLICYFILE_MAX);
		close(fd);
		return NULL;
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL)
		fatal("policy: %s", path);
	while (got < (size_t)st.st_size &&
	    (r = read(fd, text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	text[got] = '\0';
	*len = got;
	return text;
}

static int
policyfile_path(struct config *cfg, const char *app, const char *opt,
    const char *sub, const char *ext, char *dst, size_t dstsz)
{
	const char	*v = config_get(cfg, app, opt, NULL);

	if (v != NULL)
		return snprintf(dst, dstsz, "%s", v) < (int)dstsz ? 0 : -1;
	return snprintf(dst, dstsz, "%s/%s/%s.%s", policyfile_dir(cfg), sub,
	    app, ext) < (int)dstsz ? 0 : -1;
}

/*
 * A self-hosted app (APP_NO_ALLOW) has no default allowlist: the shipped
 * file lists nothing, and a run with nothing listed fails closed here,
 * before any connection, naming the option to set. An allow-file the
 * operator names is taken as given (an empty one refuses every address).
 */
static int
policyfile_no_allow(struct config *cfg, const char *app,
    const struct cidr_list *allow, const char *path)
{
	const struct app_def	*d = apps_find(app);

	if (d == NULL || !(d->flags & APP_NO_ALLOW) || allow->n > 0 ||
	    allow->public || config_get(cfg, app, "allow-file", NULL) != NULL)
		return EXIT_OK;
	log_warnx("%s: no IP allowlist: %s lists nothing; set allow-file = "
	    "FILE listing the addresses of your %s server as `allow CIDR` "
	    "lines (see policy/README.md)", app, path, app);
	return EXIT_USAGE;
}

int
policyfile_load(struct config *cfg, const char *app,
    struct cidr_list **allow, struct egress_rules **egress)
{
	char	path[PATH_MAX], err[512], *text;
	size_t	len;
	int	e;

	*allow = NULL;
	*egress = NULL;
	if (policyfile_path(cfg, app, "allow-file", "allow", "cidr", path,
	    sizeof(path)) != 0 || (text = policyfile_read(path, &len)) == NULL)
		return EXIT_USAGE;
	if ((*allow = calloc(1, sizeof(**allow))) == NULL)
		fatal("policy");
	e = cidr_list_parse(*allow, text, len, path, err, sizeof(err));
	free(text);
	if (e != 0) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	if ((e = policyfile_no_allow(cfg, app, *allow, path)) != EXIT_OK)
		return e;
	if (policyfile_path(cfg, app, "egress-file", "egress", "rules", path,
	    sizeof(path)) != 0 || (text = policyfile_read(path, &len)) == NULL)
		return EXIT_USAGE;
	if ((*egress = calloc(1, sizeof(**egress))) == NULL)
		fatal("policy");
	e = egress_rules_parse(*egress, text, len, path, err, sizeof(err));
	free(text);
	if (e != 0) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
policyfile_explain(struct config *cfg, struct agent *ag)
{
	size_t	i;

	(void)cfg;
	for (i = 0; i < ag->napps; i++) {
		const struct app_conf *ac = &ag->conf.apps[i];

		printf("[app %s] base %s (host %s)\n", ac->name,
		    ac->creds[0].base_url, ac->creds[0].host);
		printf("# IP allowlist, checked on every connection:\n");
		cidr_list_explain(ac->allow, stdout);
		printf("# egress rules, checked on every request:\n");
		egress_rules_explain(ac->egress, stdout);
	}
	return EXIT_OK;
}
