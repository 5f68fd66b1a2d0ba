/*
 * The live progress line on a terminal: one line per app on stderr
 * (requests, records by type, rate-limit waits, elapsed), redrawn in
 * place at most four times a second, only when stderr is a TTY and
 * --quiet is not given (nor json, nor debug, whose broker lines would
 * run into it); cleared before any log line and at the end.
 */
#ifndef PC_PROGRESS_H
#define PC_PROGRESS_H

struct agent;

/* On when stderr is a terminal and quiet is 0; hooks into log.c. */
void	progress_init(struct agent *ag, int quiet);
/* Redraw if on and 250 ms have passed since the last drawing. */
void	progress_tick(struct agent *ag, long long now_ms);
/* Clear the lines and unhook: the run is over. */
void	progress_end(void);

#endif /* PC_PROGRESS_H */
