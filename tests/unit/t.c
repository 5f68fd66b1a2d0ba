/* Unit-test counters and the closing line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "t.h"

static const char	*t_name = "test";
static int		 t_pass, t_fail, t_skipped;

void
t_init(const char *name)
{
	t_name = name;
}

void
t_ok(int ok, const char *what, const char *fmt, ...)
{
	va_list	ap;

	if (ok) {
		t_pass++;
		return;
	}
	t_fail++;
	printf("%s: %s: ", t_name, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void
t_int(const char *what, long long got, long long want)
{
	t_ok(got == want, what, "got %lld, want %lld", got, want);
}

void
t_str(const char *what, const char *got, const char *want)
{
	int	ok;

	ok = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;
	t_ok(ok, what, "got \"%s\", want \"%s\"", got ? got : "(null)",
	    want ? want : "(null)");
}

void
t_skip(const char *what, const char *why)
{
	t_skipped++;
	printf("%s: %s: skipped (%s)\n", t_name, what, why);
}

int
t_done(void)
{
	if (t_skipped)
		printf("%d passed, %d failed, %d skipped\n", t_pass, t_fail,
		    t_skipped);
	else
		printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail == 0 ? 0 : 1;
}
