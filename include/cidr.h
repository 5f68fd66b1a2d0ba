/*
 * IP allowlists: CIDR entries (IPv4 and IPv6), `allow` and `deny`, deny
 * wins. `default public` adds the built-in set of non-public ranges as
 * denials and allows every other unicast address. IPv6 forms that embed
 * an IPv4 address (mapped, compatible, NAT64, 6to4) are checked as that
 * IPv4 address as well, so ::ffff:127.0.0.1 is loopback.
 */
#ifndef PC_CIDR_H
#define PC_CIDR_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define CIDR_MAX_ENTRIES	1024	/* a vendor's ranges fit many times */
#define CIDR_MAX_LINE		256

struct cidr {
	uint8_t		af;		/* AF_INET or AF_INET6 */
	uint8_t		bits;
	uint8_t		addr[16];	/* IPv4 in the first 4 bytes */
};

struct cidr_entry {
	struct cidr	net;
	uint8_t		allow;		/* 1 allow, 0 deny */
	uint8_t		builtin;	/* from `default public` */
	unsigned	line;
};

struct cidr_list {
	struct cidr_entry	*e;
	size_t			 n;
	int			 public;	/* `default public` given */
	char			 src[256];	/* file name */
};

/*
 * Parse "10.0.0.0/8", "2001:db8::/32", a bare address (/32 or /128) or
 * "[::1]". Strict: no leading zeros in IPv4 octets, prefix in range, no
 * host bits set past the prefix. 0 or PC_E_SYNTAX / PC_E_RANGE.
 */
int	cidr_parse(const char *s, struct cidr *out) PC_WUR;
/*
 * Parse an allowlist file's text into l (caller-owned, zeroed). Errors
 * are one line "fname:line: what" in errbuf. 0 or a PC_E_* code.
 */
int	cidr_list_parse(struct cidr_list *l, const char *text, size_t len,
	    const char *fname, char *errbuf, size_t errlen) PC_WUR;
void	cidr_list_clear(struct cidr_list *l);
/* 0 when l allows sa, PC_E_POLICY otherwise (fail closed). */
int	cidr_list_check(const struct cidr_list *l, const struct sockaddr *sa,
	    socklen_t salen) PC_WUR;
/* Same decision for a raw address (af, 4 or 16 bytes). */
int	cidr_list_check_addr(const struct cidr_list *l, int af,
	    const uint8_t *addr) PC_WUR;
/* One line per entry, for `portcullis policy --explain`. */
void	cidr_list_explain(const struct cidr_list *l, FILE *fp);

#endif /* PC_CIDR_H */
