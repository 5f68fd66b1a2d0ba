/*
 * Secret slots: spec parsing, the placeholder scanner, generation (length,
 * charset, every class, every character reachable), substitution and
 * scrubbing.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "secret.h"
#include "t.h"

static const struct {
	const char	*spec;
	int		 ok;
	unsigned	 len;
} slot_rows[] = {
	{ "new_password:atlas-scram", 1, 0 },
	{ "pw:default:32", 1, 32 },
	{ "pw:confluence:128", 1, 128 },
	{ "pw:default:129", 0, 0 },
	{ "pw:default:0", 0, 0 },
	{ "pw:default:08", 0, 0 },
	{ "pw:default:", 0, 0 },
	{ "pw:default:12x", 0, 0 },
	{ "pw:nope", 0, 0 },
	{ "pw", 0, 0 },
	{ ":default", 0, 0 },
	{ "PW:default", 0, 0 },
	{ "p-w:default", 0, 0 },
	{ "a234567890123456789012345678901234:default", 0, 0 },
};

static const struct {
	const char	*name, *body;
	int		 want;
} scan_rows[] = {
	{ "no placeholder", "{\"a\":\"b\"}", 0 },
	{ "one", "{\"p\":\"{{secret:pw}}\"}", 1 },
	{ "two", "{{secret:a}}{{secret:b}}", 2 },
	{ "unclosed", "{\"p\":\"{{secret:pw\"}", PC_E_VALUE },
	{ "empty name", "{{secret:}}", PC_E_VALUE },
	{ "upper case name", "{{secret:PW}}", PC_E_VALUE },
	{ "space in name", "{{secret:p w}}", PC_E_VALUE },
	{ "single brace close", "{{secret:pw}", PC_E_VALUE },
	{ "other marks are text", "{{other:pw}} {secret:pw}", 0 },
};

static void
test_slots(void)
{
	struct secret_slot	s;
	char			why[256], what[128];
	size_t			i;
	int			e;

	for (i = 0; i < sizeof(slot_rows) / sizeof(slot_rows[0]); i++) {
		e = secret_slot_parse(slot_rows[i].spec, &s, why, sizeof(why));
		(void)snprintf(what, sizeof(what), "slot \"%s\" %s",
		    slot_rows[i].spec, slot_rows[i].ok ? "parses" : "refused");
		t_ok((e == 0) == slot_rows[i].ok && (e != 0 ||
		    s.len == slot_rows[i].len), what, "got %d (%s)", e, why);
	}
	for (i = 0; i < sizeof(scan_rows) / sizeof(scan_rows[0]); i++) {
		struct secret_hit h[4];

		t_int(scan_rows[i].name, secret_scan((const uint8_t *)
		    scan_rows[i].body, strlen(scan_rows[i].body), h, 4),
		    scan_rows[i].want);
	}
	t_int("mark in a path", secret_mark_in("/users/{{secret:pw}}"), 1);
	t_int("no mark in a path", secret_mark_in("/users/{secret}"), 0);
}

static int
classes(const char *v)
{
	int	lo = 0, up = 0, dg = 0, sy = 0;

	for (; *v; v++) {
		if (*v >= 'a' && *v <= 'z') lo = 1;
		else if (*v >= 'A' && *v <= 'Z') up = 1;
		else if (*v >= '0' && *v <= '9') dg = 1;
		else sy = 1;
	}
	return lo + up + dg + sy;
}

static void
test_fill(void)
{
	const char		 body[] = "{\"u\":\"bob\",\"p\":\"{{secret:pw}}\"}";
	struct secret_slot	 s;
	struct secret_hit	 h;
	const uint8_t		*out;
	char			 why[128], got[256], v1[SECRET_LEN_MAX + 1];
	uint8_t			 echo[512];
	size_t			 len, n;

	t_int("scan finds the slot", secret_scan((const uint8_t *)body,
	    strlen(body), &h, 1), 1);
	t_int("parse", secret_slot_parse("pw:atlas-scram", &s, why,
	    sizeof(why)), 0);
	t_int("fill", secret_fill(&s, 24, (const uint8_t *)body, strlen(body),
	    &h, &out, &len), 0);
	t_int("value is 24 long", (long long)strlen(secret_value()), 24);
	t_int("every class present", classes(secret_value()), 4);
	t_int("atlas-scram: only its charset", (long long)strspn(
	    secret_value(), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZ0123456789-_.~!*+="), 24);
	(void)snprintf(got, sizeof(got), "%.*s", (int)len, (const char *)out);
	(void)snprintf(why, sizeof(why), "{\"u\":\"bob\",\"p\":\"%s\"}",
	    secret_value());
	t_str("the body holds the value in place of the mark", got, why);
	(void)snprintf(v1, sizeof(v1), "%s", secret_value());
	n = (size_t)snprintf((char *)echo, sizeof(echo), "{\"x\":\"%s\",\"y\":"
	    "\"%s\"}", v1, v1);
	n = secret_scrub(echo, n);
	(void)snprintf(got, sizeof(got), "%.*s", (int)n, (const char *)echo);
	t_str("scrub replaces every copy", got,
	    "{\"x\":\"[redacted]\",\"y\":\"[redacted]\"}");
	t_ok(memmem(echo, sizeof(echo), v1, strlen(v1)) == NULL,
	    "scrub leaves no copy in the buffer's tail", "it does");
	secret_forget();
	t_ok(secret_value() == NULL, "forget wipes the value", "still there");
	t_int("slot length over the minimum wins", secret_slot_parse(
	    "pw:alnum:60", &s, why, sizeof(why)), 0);
	t_int("fill 60", secret_fill(&s, 24, (const uint8_t *)body,
	    strlen(body), &h, &out, &len), 0);
	t_int("value is 60 long", (long long)strlen(secret_value()), 60);
	t_int("alnum: letters and digits", (long long)strspn(secret_value(),
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
	    60);
	t_ok(strcmp(v1, secret_value()) != 0, "a new value each time", "same");
	secret_forget();
}

/* 100 values of 128: every character of the set shows up. */
static void
test_coverage(void)
{
	const char		 body[] = "{{secret:pw}}";
	const char		*set = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
				    "RSTUVWXYZ0123456789!#$%()*+,-.:;=?@[]^_{|}~";
	struct secret_slot	 s;
	struct secret_hit	 h;
	const uint8_t		*out;
	char			 why[128], seen[256];
	size_t			 len, i, missing = 0, outside = 0;
	const char		*v;

	memset(seen, 0, sizeof(seen));
	(void)secret_scan((const uint8_t *)body, strlen(body), &h, 1);
	(void)!secret_slot_parse("pw:confluence:128", &s, why, sizeof(why));
	for (i = 0; i < 100; i++) {
		if (secret_fill(&s, 24, (const uint8_t *)body, strlen(body), &h,
		    &out, &len) != 0)
			break;
		for (v = secret_value(); *v; v++) {
			seen[(unsigned char)*v] = 1;
			outside += strchr(set, *v) == NULL;
		}
	}
	for (v = set; *v; v++)
		missing += !seen[(unsigned char)*v];
	t_int("confluence: every character drawn", (long long)missing, 0);
	t_int("confluence: nothing outside the set", (long long)outside, 0);
	t_ok(!seen['"'] && !seen['\\'] && !seen['/'] && !seen['<'] &&
	    !seen['&'], "no character JSON servers escape", "found one");
	secret_forget();
}

int
main(void)
{
	t_init("test_secret");
	log_init("test_secret", LOG_L_ERR);
	secret_init();
	test_slots();
	test_fill();
	test_coverage();
	secret_clear();
	return t_done();
}
