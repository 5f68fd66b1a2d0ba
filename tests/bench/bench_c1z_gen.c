/*
 * Runs in: make bench (a test tool). Input: its arguments.
 *
 * bench_c1z_gen USERS VARIANT OUT: a .c1z of an Atlas-shaped org written
 * through the agent's own writer (c1z_writer_*) in about a second, so
 * `c1z show` and `c1z diff` can be timed on 100k users without a 100k
 * user sync. Every user is an org member, in one team of 100, with two
 * direct project roles; each team holds a role on two projects (grants
 * expandable to the team's members). VARIANT 1 is the same org with one
 * grant added and one removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c1z.h"

static char	e[] = "";

static void
gen_init(struct record *r, uint32_t kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->rtype = r->id = r->name = r->desc = r->ptype = r->pid = e;
	r->login = r->emails = r->profile = r->detail = r->slug = e;
	r->grantable = r->ent = r->prtype = r->prid = r->expand = e;
}

static int
gen_add(struct c1z_writer *w, struct record *r)
{
	if (r->kind == REC_ENTITLEMENT)
		(void)snprintf(r->ent_id, sizeof(r->ent_id), "%s:%s:%s",
		    r->rtype, r->id, r->slug);
	if (r->kind == REC_GRANT)
		(void)snprintf(r->grant_id, sizeof(r->grant_id), "%s:%s:%s",
		    r->ent, r->prtype, r->prid);
	if (c1z_writer_add(w, r) != 0) {
		fprintf(stderr, "bench_c1z_gen: %s\n", w->err);
		return -1;
	}
	return 0;
}

static int
gen_type(struct c1z_writer *w, const char *id, uint32_t traits)
{
	struct record	r;

	gen_init(&r, REC_RESOURCE_TYPE);
	r.rtype = (char *)(uintptr_t)id;
	r.traits = traits;
	return gen_add(w, &r);
}

static int
gen_res(struct c1z_writer *w, const char *type, const char *id,
    uint32_t traits, const char *slug)
{
	struct record	r;
	char		name[64], mail[96], prof[160];

	gen_init(&r, REC_RESOURCE);
	r.rtype = (char *)(uintptr_t)type;
	r.id = (char *)(uintptr_t)id;
	(void)snprintf(name, sizeof(name), "%s %s", type, id);
	r.name = name;
	r.traits = traits;
	if (strcmp(type, "organization") != 0) {
		r.ptype = (char *)"organization";
		r.pid = (char *)"org";
	}
	if (traits & REC_TRAIT_USER) {
		(void)snprintf(mail, sizeof(mail), "[\"%s@example.com\"]", id);
		(void)snprintf(prof, sizeof(prof), "{\"first_name\":\"F%s\","
		    "\"last_name\":\"L\",\"country\":\"US\"}", id);
		r.login = r.name;
		r.emails = mail;
		r.profile = prof;
		r.status = REC_STATUS_ENABLED;
	}
	if (gen_add(w, &r) != 0)
		return -1;
	gen_init(&r, REC_ENTITLEMENT);
	r.rtype = (char *)(uintptr_t)type;
	r.id = (char *)(uintptr_t)id;
	r.slug = (char *)(uintptr_t)slug;
	r.purpose = REC_PURPOSE_ASSIGNMENT;
	r.grantable = (char *)"[\"user\",\"team\"]";
	return slug[0] != '\0' ? gen_add(w, &r) : 0;
}

static int
gen_grant(struct c1z_writer *w, const char *ent, const char *pt,
    const char *pid, const char *expand)
{
	struct record	r;

	gen_init(&r, REC_GRANT);
	r.ent = (char *)(uintptr_t)ent;
	r.prtype = (char *)(uintptr_t)pt;
	r.prid = (char *)(uintptr_t)pid;
	r.expand = (char *)(uintptr_t)(expand ? expand : "");
	/* The entitlement's resource: "<type>:<id>:<slug>". */
	(void)snprintf(r.ent_id, sizeof(r.ent_id), "%s", ent);
	r.rtype = r.ent_id;
	r.id = strchr(r.ent_id, ':') + 1;
	r.id[-1] = '\0';
	*strrchr(r.id, ':') = '\0';
	return gen_add(w, &r);
}

static int
gen_org(struct c1z_writer *w, long users, int variant)
{
	long	teams = users / 100 > 0 ? users / 100 : 1;
	long	projs = users / 50 > 0 ? users / 50 : 1, i;
	char	id[64], ent[160], exp[200];

	if (gen_type(w, "organization", 0) || gen_type(w, "user",
	    REC_TRAIT_USER) || gen_type(w, "team", REC_TRAIT_GROUP) ||
	    gen_type(w, "project", 0) || gen_res(w, "organization", "org", 0,
	    "member"))
		return -1;
	for (i = 0; i < projs; i++) {
		(void)snprintf(id, sizeof(id), "p%06ld", i);
		if (gen_res(w, "project", id, 0, "owner") ||
		    gen_res(w, "project", id, 0, "read-only"))
			return -1;
	}
	for (i = 0; i < teams; i++) {
		(void)snprintf(id, sizeof(id), "t%05ld", i);
		(void)snprintf(exp, sizeof(exp), "[\"team:%s:member\"]", id);
		if (gen_res(w, "team", id, REC_TRAIT_GROUP, "member"))
			return -1;
		(void)snprintf(ent, sizeof(ent), "project:p%06ld:read-only",
		    (i * 2) % projs);
		if (gen_grant(w, ent, "team", id, exp))
			return -1;
		(void)snprintf(ent, sizeof(ent), "project:p%06ld:owner",
		    (i * 2 + 1) % projs);
		if (gen_grant(w, ent, "team", id, exp))
			return -1;
	}
	for (i = 0; i < users; i++) {
		(void)snprintf(id, sizeof(id), "u%07ld", i);
		if (gen_res(w, "user", id, REC_TRAIT_USER, ""))
			return -1;
		if (gen_grant(w, "organization:org:member", "user", id, NULL))
			return -1;
		(void)snprintf(ent, sizeof(ent), "team:t%05ld:member",
		    i % teams);
		/* Variant 1: user 1 left their team, user 2 got a role. */
		if (!(variant == 1 && i == 1) && gen_grant(w, ent, "user", id,
		    NULL))
			return -1;
		(void)snprintf(ent, sizeof(ent), "project:p%06ld:owner",
		    (i * 7) % projs);
		if (gen_grant(w, ent, "user", id, NULL))
			return -1;
		(void)snprintf(ent, sizeof(ent), "project:p%06ld:read-only",
		    (i * 13) % projs);
		if (gen_grant(w, ent, "user", id, NULL))
			return -1;
		if (variant == 1 && i == 2 && gen_grant(w,
		    "project:p000003:owner", "user", id, NULL))
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct c1z_writer	 w;
	char			*end;
	long			 users;

	if (argc != 4 || (users = strtol(argv[1], &end, 10)) < 1 ||
	    *end != '\0' || users > 10000000) {
		fprintf(stderr, "usage: bench_c1z_gen USERS 0|1 OUT\n");
		return 2;
	}
	if (c1z_writer_open(&w, argv[3], 16ULL << 30) != 0 ||
	    gen_org(&w, users, argv[2][0] == '1') != 0 ||
	    c1z_writer_finish(&w) != 0) {
		fprintf(stderr, "bench_c1z_gen: %s\n", w.err);
		c1z_writer_abort(&w);
		return 1;
	}
	return 0;
}
