/*
 * Runs in: every vendor fetcher. Input: the task from the agent (ids
 * the operator gave: taken apart against the app's descriptor here,
 * checked by each handler) and, through the connector, vendor answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kit.h"
#include "log.h"

static const struct conn_def	*kit_def;

/* The app's resource types, but those an option turned off. */
static int
kit_rtypes(struct conn *c)
{
	const struct app_rtype	*r;
	int			 e;

	for (r = c->app->rtypes; r != NULL && r->id != NULL; r++) {
		if (r->enable_opt != NULL && !conn_opt_bool(c, r->enable_opt,
		    1))
			continue;
		if ((e = emit_rtype(c->f, r->id, r->name, r->traits, NULL)) != 0)
			return e;
	}
	return 0;
}

static int
kit_sync(struct conn *c)
{
	int	e;

	if ((e = kit_rtypes(c)) != 0 || (e = kit_def->sync(c)) != 0)
		return e;
	if ((e = conn_run(c)) != 0)
		return e;
	if (c->f->result[0] == '\0')
		fetch_result(c->f, "synced (%u API calls)", c->calls);
	return 0;
}

int
kit_ent_id(const struct kit_op *o, char *dst, size_t dstsz)
{
	return fetch_fmt(dst, dstsz, "%s:%s:%s", o->g.ent.rtype, o->g.ent.rid,
	    o->g.ent.slug);
}

int
kit_done(struct kit_op *o, int already)
{
	fetch_result(o->c->f, "%s%s %s:%s:%s %s %s:%s", already ? "already " :
	    "", o->revoke ? "revoked" : "granted", o->g.ent.rtype,
	    o->g.ent.rid, o->g.ent.slug, o->revoke ? "from" : "to",
	    o->g.ptype, o->g.pid);
	return 0;
}

int
kit_bad_principal(struct kit_op *o, const char *want)
{
	(void)fetch_fmt(o->c->err, sizeof(o->c->err), "%s:%s:%s is granted to "
	    "%s principals, not \"%s\"", o->g.ent.rtype, o->g.ent.rid,
	    o->g.ent.slug, want, o->g.ptype);
	return PC_E_VALUE;
}

/* The ids of the task, against the app's own types and slug rules. */
static int
kit_op_parse(struct conn *c, struct kit_op *o)
{
	const struct task_msg	*t = &c->f->task;

	if (o->revoke) {
		if (record_grant_parse(c->app, t->grant, &o->g) != 0)
			return conn_fail(c, PC_E_VALUE, "--revoke-grant: \"%.200s\" "
			    "is not a grant id of %s", t->grant, c->app->name);
		if (buf_scopy(o->target, sizeof(o->target), t->grant) != 0)
			return conn_fail(c, PC_E_TOOBIG, "grant id too long");
		return 0;
	}
	if (record_ent_parse(c->app, t->ent, &o->g.ent) != 0)
		return conn_fail(c, PC_E_VALUE, "--grant-entitlement: \"%.200s\" "
		    "is not an entitlement id of %s", t->ent, c->app->name);
	if (!record_type_ok(t->ptype) || t->pid[0] == '\0' ||
	    strlen(t->ptype) >= sizeof(o->g.ptype))
		return conn_fail(c, PC_E_VALUE, "--grant-principal-type and "
		    "--grant-principal name the principal");
	/* Length checked above; copy with the terminator. */
	memcpy(o->g.ptype, t->ptype, strlen(t->ptype) + 1);
	(void)snprintf(o->g.pid, sizeof(o->g.pid), "%s", t->pid);
	if (fetch_fmt(o->target, sizeof(o->target), "%s:%s:%s", t->ent,
	    t->ptype, t->pid) != 0)
		return conn_fail(c, PC_E_TOOBIG, "grant id too long");
	return 0;
}

static int
kit_grant(struct conn *c, int revoke)
{
	const struct kit_grant	*g;
	struct kit_op		 o;
	int			 e;

	memset(&o, 0, sizeof(o));
	o.c = c;
	o.revoke = revoke;
	if ((e = kit_op_parse(c, &o)) != 0)
		return e;
	for (g = kit_def->grants; g != NULL && g->rtype != NULL; g++)
		if (strcmp(g->rtype, o.g.ent.rtype) == 0)
			break;
	if (g == NULL || g->rtype == NULL)
		return conn_fail(c, PC_E_NOTFOUND, "%s:%s:%s is not an "
		    "entitlement %s can %s", o.g.ent.rtype, o.g.ent.rid,
		    o.g.ent.slug, c->app->name, revoke ? "revoke" : "grant");
	e = g->fn(&o);
	if (e == PC_E_NOTFOUND && c->err[0] == '\0')
		(void)conn_fail(c, e, "%s:%s:%s is not an entitlement %s can %s",
		    o.g.ent.rtype, o.g.ent.rid, o.g.ent.slug, c->app->name,
		    revoke ? "revoke" : "grant");
	else if (e == PC_E_VALUE && c->err[0] == '\0')
		(void)conn_fail(c, e, "malformed id in %s", o.target);
	return e;
}

static int
kit_action(struct conn *c)
{
	const struct kit_action	*a;
	const char		*name = c->f->task.action;

	for (a = kit_def->actions; a != NULL && a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a->fn(c);
	return conn_fail(c, PC_E_NOTFOUND, "%s has no action \"%.64s\"",
	    c->app->name, name);
}

static int
kit_unsupported(struct conn *c, const char *what)
{
	return conn_fail(c, PC_E_STATE, "%s does not %s (see `portcullis "
	    "capabilities`)", c->app->name, what);
}

static int
kit_task(struct conn *c)
{
	switch (c->f->task.op) {
	case TASK_SYNC:
		return kit_sync(c);
	case TASK_GRANT:
		return kit_grant(c, 0);
	case TASK_REVOKE:
		return kit_grant(c, 1);
	case TASK_CREATE_ACCOUNT:
		return kit_def->create != NULL ? kit_def->create(c) :
		    kit_unsupported(c, "create accounts");
	case TASK_DELETE_RESOURCE:
		return kit_def->remove != NULL ? kit_def->remove(c) :
		    kit_unsupported(c, "delete resources");
	case TASK_ACTION:
		return kit_action(c);
	default:
		return kit_unsupported(c, "know this operation");
	}
}

static long
kit_opt_long(struct fetch *f, const char *key, long dflt, long lo, long hi)
{
	char	v[32], *end;
	long	n;

	if (fetch_opt(f, key, v, sizeof(v)) == NULL)
		return dflt;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= lo && n <= hi ? n : dflt;
}

/*
 * A dry run that printed writes succeeded: its result says so, never
 * "created" or "granted". A step after a write that needed the write's
 * answer (an id the vendor makes) stops it; the line names why.
 */
static int
kit_dry_done(struct conn *c, int e)
{
	const char	*why = c->err[0] ? c->err : c->last[0] ? c->last :
			    err_str(e);

	fetch_result(c->f, "dry run: %u write%s printed, none sent%s%s",
	    c->dry_writes, c->dry_writes == 1 ? "" : "s", e != 0 ?
	    "; stopped where the next step needs an answer: " : "",
	    e != 0 ? why : "");
	return 0;
}

static int
kit_run(struct fetch *f)
{
	static struct conn	c;
	struct timespec		ts;
	int			e;

	memset(&c, 0, sizeof(c));
	c.f = f;
	c.def = kit_def;
	if ((c.app = apps_find(kit_def->app)) == NULL) {
		fetch_result(f, "no descriptor for %s", kit_def->app);
		return PC_E_STATE;
	}
	c.max_inflight = (unsigned)kit_opt_long(f, "max-in-flight", 8, 1, 64);
	f->max_records = (unsigned long)kit_opt_long(f, "max-records", 0, 1,
	    1000000000);
	c.retry_max_ms = kit_opt_long(f, "retry-after-max", 300, 1, 86400) *
	    1000LL;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	c.jitter = (uint64_t)ts.tv_nsec * 2654435761U + 1;
	if ((e = kit_def->start != NULL ? kit_def->start(&c) : 0) == 0)
		e = kit_task(&c);
	if (c.dry_writes > 0)
		return kit_dry_done(&c, e);
	if (e != 0 && f->result[0] == '\0') {
		fetch_result(f, "%s", c.err[0] ? c.err : c.last[0] ? c.last :
		    err_str(e));
		f->fail = c.err[0] ? c.err_fail : c.last_fail;
	}
	return e;
}

int
kit_main(const struct conn_def *def)
{
	kit_def = def;
	return fetch_main(kit_run);
}
