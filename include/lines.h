/*
 * Policy files are read line by line the same way: one directive per
 * line, '#' starts a comment, blank lines are skipped, and a line that
 * is too long or holds a NUL is an error naming its number.
 */
#ifndef PC_LINES_H
#define PC_LINES_H

#include <stddef.h>

struct lines {
	const char	*p, *end;
	unsigned	 lineno;	/* of the line last returned */
};

void	lines_init(struct lines *lr, const char *text, size_t len);
/*
 * Copy the next directive into line (linesz bytes) with comment and
 * surrounding blanks removed; *s points at it. 1 for a directive, 0 at
 * the end, -1 for a line too long or not text (lr->lineno names it).
 */
int	lines_next(struct lines *lr, char *line, size_t linesz, char **s);

#endif /* PC_LINES_H */
