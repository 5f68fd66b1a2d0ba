/*
 * Runs in: the fuzzer. Input: none (the fed harnesses' broker).
 *
 * What broker/fed.c and broker/req.c need of the broker around them:
 * the Atlas app as the broker holds it (its descriptor, credential and
 * the egress rules of its reads), the scheduler's head of the queue
 * (the last request put there is kept in ffa_queued) and refusals
 * (counted in ffa_refused); audit records are checked for their fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "egress.h"
#include "fed_stub.h"

struct breq	*ffa_queued;
int		 ffa_refused;

void
sched_add_front(struct breq *r)
{
	ffa_queued = r;
}

void
broker_audit(struct broker *b, struct broker_app *a,
    const struct broker_write *w, long status, const char *reqid,
    const char *result, int with_body)
{
	(void)b, (void)a, (void)status, (void)with_body;
	if (w->method == NULL || w->path == NULL || reqid == NULL ||
	    result == NULL || strlen(result) == 0)
		abort();	/* an audit record without its fields */
}

static int
ffa_fail(const char *fmt, va_list ap)
{
	char	line[MSG_TEXT_MAX];

	(void)vsnprintf(line, sizeof(line), fmt, ap);
	ffa_refused++;
	return 0;
}

int
broker_refuse(struct broker_app *a, uint32_t id, int code, const char *fmt,
    ...)
{
	va_list	ap;
	int	e;

	(void)a, (void)id, (void)code;
	va_start(ap, fmt);
	e = ffa_fail(fmt, ap);
	va_end(ap);
	return e;
}

int
broker_fail(struct broker_app *a, uint32_t id, int code,
    const struct fail_msg *f, const char *fmt, ...)
{
	va_list	ap;
	int	e;

	(void)a, (void)id, (void)code, (void)f;
	va_start(ap, fmt);
	e = ffa_fail(fmt, ap);
	va_end(ap);
	return e;
}

struct broker_cred *
broker_cred_find(struct broker_app *a, const char *name)
{
	(void)name;
	return &a->creds[0];
}

/* The Atlas rules the broker's reads must pass (policy/egress/atlas.rules). */
static const char ffa_rules[] =
    "GET  $base /api/atlas/v2/groups/*\n"
    "GET  $base /api/atlas/v2/orgs/*/federationSettings\n"
    "GET  $base /api/atlas/v2/federationSettings/*/connectedOrgConfigs/*\n"
    "POST $base /api/atlas/v2/orgs/*/users\n"
    "POST $base /api/atlas/v2/groups/*/users\n";

static struct app_conf		ffa_ac;
static struct egress_rules	ffa_eg;
struct broker_app		ffa_app;
struct broker			ffa_b;

void
ffa_setup(void)
{
	char	err[128];

	if (ffa_ac.def != NULL)
		return;
	if ((ffa_ac.def = apps_find("atlas")) == NULL ||
	    egress_rules_parse(&ffa_eg, ffa_rules, sizeof(ffa_rules) - 1,
	    "atlas.rules", err, sizeof(err)) != 0)
		abort();
	ffa_ac.creds[0].def = &ffa_ac.def->creds[0];
	(void)snprintf(ffa_ac.creds[0].host, sizeof(ffa_ac.creds[0].host),
	    "cloud.mongodb.com");
	ffa_ac.ncreds = 1;
	ffa_ac.egress = &ffa_eg;
	ffa_app.conf = &ffa_ac;
	ffa_app.name = "atlas";
	ffa_app.creds[0].conf = &ffa_ac.creds[0];
	ffa_app.creds[0].name = "api";
	ffa_app.ncreds = 1;
}
