/* Runs in: agent (policy files). Input: operator's files, checked. */
#include <string.h>

#include "lines.h"

void
lines_init(struct lines *lr, const char *text, size_t len)
{
	lr->p = text;
	lr->end = text + len;
	lr->lineno = 0;
}

int
lines_next(struct lines *lr, char *line, size_t linesz, char **s)
{
	const char	*eol;
	char		*hash;
	size_t		 n;

	while (lr->p < lr->end) {
		lr->lineno++;
		eol = memchr(lr->p, '\n', (size_t)(lr->end - lr->p));
		n = (size_t)((eol != NULL ? eol : lr->end) - lr->p);
		if (n >= linesz || memchr(lr->p, '\0', n) != NULL)
			return -1;
		memcpy(line, lr->p, n);
		line[n] = '\0';
		lr->p += n + (eol != NULL);
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		*s = line + strspn(line, " \t\r");
		n = strlen(*s);
		while (n > 0 && strchr(" \t\r", (*s)[n - 1]) != NULL)
			(*s)[--n] = '\0';
		if (**s != '\0')
			return 1;
	}
	return 0;
}
