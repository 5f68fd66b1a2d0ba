/*
 * The agent's one-line failure diagnostics (agent/diag.c) for the causes
 * a run on a loopback mock does not reach in reasonable time: a timeout
 * (a read is retried six times with backoff, ~30 s) and a name that does
 * not resolve (it would need DNS). Each line names the request, the
 * place, what to change (the options with their values), and the
 * broker's detail cleaned of control bytes before it reaches a terminal.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "cidr.h"
#include "diag.h"
#include "t.h"

static struct app_conf		ac;
static struct agent_app		aa;
static struct cidr_list		allow;

static void
contains(const char *what, const char *line, const char *want)
{
	t_ok(strstr(line, want) != NULL, what, "\"%s\" lacks \"%s\"", line,
	    want);
}

static void
fail(struct fail_msg *f, unsigned cause, const char *detail)
{
	memset(f, 0, sizeof(*f));
	f->cause = cause;
	(void)snprintf(f->method, sizeof(f->method), "GET");
	(void)snprintf(f->path, sizeof(f->path), "/api/atlas/v2/orgs");
	(void)snprintf(f->host, sizeof(f->host), "cloud.example.com");
	f->port = 443;
	(void)snprintf(f->addr, sizeof(f->addr), "192.0.2.7");
	(void)snprintf(f->detail, sizeof(f->detail), "%s", detail);
}

static void
test_timeout(void)
{
	struct fail_msg	f;
	char		line[1024];

	fail(&f, FAIL_TIMEOUT, "Connection timed out after 3001 milliseconds");
	diag_line(&aa, &f, "fallback", line, sizeof(line));
	contains("timeout: the request", line, "GET /api/atlas/v2/orgs: no "
	    "answer from cloud.example.com:443 (address 192.0.2.7");
	contains("timeout: the allowlist that admitted it", line,
	    "admitted by the IP allowlist /etc/portcullis/atlas.cidr");
	contains("timeout: both options with their values", line,
	    "raise connect-timeout (3s) or timeout (40s)");
	contains("timeout: libcurl's words", line, "after 3001 milliseconds");
}

static void
test_dns(void)
{
	struct fail_msg	f;
	char		line[1024];

	fail(&f, FAIL_DNS, "Could not resolve host: cloud.example.com");
	f.addr[0] = '\0';
	diag_line(&aa, &f, "fallback", line, sizeof(line));
	contains("dns: the request and place", line, "GET /api/atlas/v2/orgs: "
	    "cannot resolve cloud.example.com:443");
	contains("dns: what to change", line, "check base-url (or pin it: "
	    "resolve = HOST:PORT:ADDR)");
}

static void
test_hostile_detail(void)
{
	struct fail_msg	f;
	char		line[1024];
	size_t		i;
	int		ctl = 0;

	fail(&f, FAIL_TIMEOUT, "late\x1b]0;owned\x07\r\nportcullis: fake");
	(void)snprintf(f.path, sizeof(f.path), "/x\x1b[2J");
	diag_line(&aa, &f, "fallback", line, sizeof(line));
	for (i = 0; line[i] != '\0'; i++)
		ctl |= (unsigned char)line[i] < 0x20 || line[i] == 0x7f;
	t_int("hostile detail: no control byte reaches the line", ctl, 0);
	t_ok(strstr(line, "owned") != NULL, "hostile detail: its text is kept",
	    "%s", line);
}

static void
test_unknown_cause(void)
{
	struct fail_msg	f;
	char		line[256];

	fail(&f, 999, "x");
	diag_line(&aa, &f, "the broker's own words", line, sizeof(line));
	t_str("unknown cause: the text as given", line,
	    "the broker's own words");
}

int
main(void)
{
	t_init("test_diag");
	(void)snprintf(allow.src, sizeof(allow.src),
	    "/etc/portcullis/atlas.cidr");
	ac.name = "atlas";
	ac.connect_timeout = 3;
	ac.timeout = 40;
	ac.allow = &allow;
	aa.ac = &ac;
	test_timeout();
	test_dns();
	test_hostile_detail();
	test_unknown_cause();
	return t_done();
}
