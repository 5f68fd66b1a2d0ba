/* Runs in: broker. Input: resolved addresses (from DNS: untrusted). */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "allow.h"
#include "cidr.h"
#include "log.h"

static void
allow_addr_text(const struct sockaddr *sa, char *dst, size_t dstsz)
{
	const void	*a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, dst, (socklen_t)dstsz) ==
	    NULL)
		(void)snprintf(dst, dstsz, "(family %d)", sa->sa_family);
}

int
allow_check(const struct cidr_list *l, const struct sockaddr *sa,
    socklen_t salen, char *addr, size_t addrsz)
{
	allow_addr_text(sa, addr, addrsz);
	if (l != NULL && cidr_list_check(l, sa, salen) == 0)
		return 0;
	/* The request's failure names it once (agent/diag.c). */
	log_debug("refused connection to %s: not in the IP allowlist %s",
	    addr, l != NULL ? l->src : "(none)");
	return PC_E_POLICY;
}
