/*
 * The option tables as text: `--help`, the OPTIONS section of
 * portcullis(8) (mdoc) and the bash completion, all from config_opts and
 * the app descriptors, so the docs cannot drift from the parser.
 */
#ifndef PC_CONFDOC_H
#define PC_CONFDOC_H

#include <stdio.h>

/* Every option with its default, variable and scope; app NULL: all apps. */
void	confdoc_help(FILE *f, const char *app);
/* The body of portcullis(8)'s OPTIONS section. */
void	confdoc_man(FILE *f);
/* dist/portcullis.bash-completion. */
void	confdoc_bash(FILE *f);

#endif /* PC_CONFDOC_H */
