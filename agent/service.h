/*
 * `portcullis service`: periodic syncs under systemd (see service.c).
 */
#ifndef PC_SERVICE_H
#define PC_SERVICE_H

struct cli;
struct config;

/* Run until SIGTERM; EXIT_* code. cfg may be replaced on SIGHUP. */
int	service_main(struct cli *cli, struct config *cfg);

#endif /* PC_SERVICE_H */
