/*
 * The IP allowlist as the broker applies it: on the address a socket is
 * about to connect to, after resolution, for every connection.
 */
#ifndef PC_ALLOW_H
#define PC_ALLOW_H

#include <sys/socket.h>
#include <stddef.h>

#include "err.h"

struct cidr_list;

/*
 * 0 when l allows sa; PC_E_POLICY otherwise (also for an unknown family
 * or a NULL list: fail closed), with the address text in addr and an
 * audit line logged.
 */
int	allow_check(const struct cidr_list *l, const struct sockaddr *sa,
	    socklen_t salen, char *addr, size_t addrsz) PC_WUR;

#endif /* PC_ALLOW_H */
