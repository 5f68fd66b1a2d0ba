/*
 * Egress rules: which requests an app's fetcher may have the broker
 * send. One rule per line, `METHOD HOST PATH-PATTERN [CREDENTIALS]`:
 *   METHOD	GET HEAD POST PUT PATCH DELETE, or POST/read: a POST that
 *		only reads (a search): not a write to the provisioning switches
 *		or the audit log
 *   HOST	a host name or address; $base: the host of the app's
 *		configured base-url (so --base-url overrides keep working);
 *		$NAME: the host of credential NAME's own base URL
 *   CREDENTIALS the credentials a request may use on this rule,
 *		comma-separated (`scim`, `api,other`); `-` only for the
 *		broker's own calls (an OAuth token). Absent: the app's
 *		primary credential.
 *   PATTERN	/-separated segments: a literal, `*` (exactly one
 *		non-empty segment), `*SUFFIX` (a segment ending in SUFFIX,
 *		e.g. `*:addRole`), or a final `**` (zero or more segments).
 * The query string is not matched, only checked for bad bytes. Paths
 * with dot segments (also %2e), `//`, `\`, `#`, bad escapes, control or
 * non-ASCII bytes never match. %2F inside a segment does not split it.
 */
#ifndef PC_EGRESS_H
#define PC_EGRESS_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define EGRESS_MAX_RULES	512
#define EGRESS_MAX_LINE		1024
#define EGRESS_MAX_PATH		8192	/* MSG_PATH_MAX plus a base path */
#define EGRESS_MAX_SEGS		32

struct egress_rule {
	char		 method[8];
	int		 read;		/* POST/read */
	char		 host[256];	/* "$base", "$NAME" or a literal */
	char		 pattern[EGRESS_MAX_LINE];
	char		 creds[128];	/* "" (the primary), or a list */
	unsigned	 line;
};

/* A request as the rules see it. */
struct egress_req {
	const char	*method;
	const char	*host;		/* where it goes */
	const char	*cred;		/* its credential's name */
	const char	*host_token;	/* "$base" or "$NAME" for that host */
	int		 primary;	/* cred is the app's first */
	const char	*path;		/* path and query */
};

struct egress_rules {
	struct egress_rule	*r;
	size_t			 n;
	char			 src[256];
};

int	egress_rules_parse(struct egress_rules *r, const char *text,
	    size_t len, const char *fname, char *errbuf, size_t errlen) PC_WUR;
void	egress_rules_clear(struct egress_rules *r);
/*
 * 0 when a rule allows q (method, host, path and credential), *hit (when
 * not NULL) the rule; PC_E_POLICY otherwise, and for a NULL rule set
 * (fail closed). With a refusal, *hit is the rule that matched all but
 * the credential (the operator's nearest rule), or NULL.
 */
int	egress_check(const struct egress_rules *r, const struct egress_req *q,
	    const struct egress_rule **hit) PC_WUR;
/*
 * The rule nearest to a refused q, to name in the refusal: among those
 * for its host, the same method first, then the most leading path
 * segments in common; the first of equals. NULL when none is for it.
 */
const struct egress_rule *egress_rule_nearest(const struct egress_rules *r,
	    const struct egress_req *q);
/* 0 when path is clean (see above), else PC_E_VALUE. */
int	egress_path_check(const char *path, size_t len) PC_WUR;
void	egress_rules_explain(const struct egress_rules *r, FILE *fp);

#endif /* PC_EGRESS_H */
