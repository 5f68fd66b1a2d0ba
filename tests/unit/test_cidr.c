/* IP allowlist: parsing and decisions, one property per row. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "t.h"

static const struct {
	const char	*name, *in;
	int		 want;
} parse_rows[] = {
	{ "accepts 10.0.0.0/8", "10.0.0.0/8", 0 },
	{ "accepts a bare IPv4 address", "192.0.2.1", 0 },
	{ "accepts 2001:db8::/32", "2001:db8::/32", 0 },
	{ "accepts [::1]", "[::1]", 0 },
	{ "accepts /0", "0.0.0.0/0", 0 },
	{ "rejects host bits set", "10.0.0.1/8", PC_E_VALUE },
	{ "rejects v6 host bits set", "2001:db8::1/32", PC_E_VALUE },
	{ "rejects 010.0.0.1 (leading zero)", "010.0.0.1", PC_E_SYNTAX },
	{ "rejects prefix 33", "10.0.0.0/33", PC_E_RANGE },
	{ "rejects prefix 129", "::/129", PC_E_RANGE },
	{ "rejects prefix with a sign", "10.0.0.0/+8", PC_E_SYNTAX },
	{ "rejects prefix 08", "10.0.0.0/08", PC_E_SYNTAX },
	{ "rejects empty prefix", "10.0.0.0/", PC_E_SYNTAX },
	{ "rejects three octets", "10.0.0", PC_E_SYNTAX },
	{ "rejects octet 256", "10.0.0.256", PC_E_SYNTAX },
	{ "rejects a name", "localhost", PC_E_SYNTAX },
	{ "rejects an empty string", "", PC_E_SYNTAX },
	{ "rejects an unclosed bracket", "[::1", PC_E_SYNTAX },
	{ "rejects a zone id", "fe80::1%eth0", PC_E_SYNTAX },
};

static const char lo_list[] = "allow 127.0.0.1/32\nallow ::1\n";
static const char pub_list[] = "default public\n";
static const char mix_list[] =
    "# lift loopback, but keep one host out\n"
    "default public\nallow 127.0.0.0/8\ndeny 127.0.0.9\n"
    "allow 0.0.0.0/32\n";

static const struct {
	const char	*name, *list, *addr;
	int		 want;
} check_rows[] = {
	{ "allows listed 127.0.0.1", lo_list, "127.0.0.1", 0 },
	{ "refuses unlisted 127.0.0.2", lo_list, "127.0.0.2", PC_E_POLICY },
	{ "allows listed ::1", lo_list, "::1", 0 },
	{ "refuses 8.8.8.8 when not listed", lo_list, "8.8.8.8", PC_E_POLICY },
	{ "allows 8.8.8.8 under default public", pub_list, "8.8.8.8", 0 },
	{ "allows 2606:4700::1 under default public", pub_list,
	    "2606:4700::1", 0 },
	{ "refuses 0.0.0.0", pub_list, "0.0.0.0", PC_E_POLICY },
	{ "refuses [::]", pub_list, "::", PC_E_POLICY },
	{ "refuses 127.0.0.1", pub_list, "127.0.0.1", PC_E_POLICY },
	{ "refuses ::1", pub_list, "::1", PC_E_POLICY },
	{ "refuses ::ffff:127.0.0.1", pub_list, "::ffff:127.0.0.1",
	    PC_E_POLICY },
	{ "refuses ::ffff:10.1.2.3", pub_list, "::ffff:10.1.2.3", PC_E_POLICY },
	{ "refuses ::127.0.0.1 (compatible)", pub_list, "::127.0.0.1",
	    PC_E_POLICY },
	{ "refuses 64:ff9b::7f00:1 (NAT64 loopback)", pub_list,
	    "64:ff9b::7f00:1", PC_E_POLICY },
	{ "refuses 64:ff9b:1::a00:1 (local NAT64 RFC 1918)", pub_list,
	    "64:ff9b:1::a00:1", PC_E_POLICY },
	{ "refuses 2002:7f00:1:: (6to4 loopback)", pub_list, "2002:7f00:1::",
	    PC_E_POLICY },
	{ "refuses 2002:c0a8:101:: (6to4 192.168)", pub_list,
	    "2002:c0a8:101::", PC_E_POLICY },
	{ "allows 2002:808:808:: (6to4 public)", pub_list, "2002:808:808::",
	    0 },
	{ "refuses 2001:0:: Teredo", pub_list, "2001:0:4136:e378::1",
	    PC_E_POLICY },
	{ "refuses 10.0.0.1", pub_list, "10.0.0.1", PC_E_POLICY },
	{ "refuses 172.16.5.4", pub_list, "172.16.5.4", PC_E_POLICY },
	{ "refuses 192.168.1.1", pub_list, "192.168.1.1", PC_E_POLICY },
	{ "refuses 100.64.0.1 (CGNAT)", pub_list, "100.64.0.1", PC_E_POLICY },
	{ "refuses 169.254.169.254 (link-local, metadata)", pub_list,
	    "169.254.169.254", PC_E_POLICY },
	{ "refuses fd00::1 (ULA)", pub_list, "fd00::1", PC_E_POLICY },
	{ "refuses fe80::1 (link-local)", pub_list, "fe80::1", PC_E_POLICY },
	{ "refuses ff02::1 (multicast)", pub_list, "ff02::1", PC_E_POLICY },
	{ "refuses 224.0.0.1 (multicast)", pub_list, "224.0.0.1",
	    PC_E_POLICY },
	{ "refuses 255.255.255.255", pub_list, "255.255.255.255",
	    PC_E_POLICY },
	{ "explicit allow lifts the built-in loopback denial", mix_list,
	    "127.0.0.5", 0 },
	{ "deny wins over allow", mix_list, "127.0.0.9", PC_E_POLICY },
	{ "deny wins for the mapped form too", mix_list, "::ffff:127.0.0.9",
	    PC_E_POLICY },
	{ "explicitly allowed 0.0.0.0", mix_list, "0.0.0.0", 0 },
	{ "empty list refuses everything", "", "8.8.8.8", PC_E_POLICY },
};

static const struct {
	const char	*name, *text, *err;
} file_rows[] = {
	{ "error names file:line", "allow 1.2.3.4\nallow 1.2.3.4/40\n",
	    "f.cidr:2: \"1.2.3.4/40\": prefix length out of range" },
	{ "unknown directive is named", "permit 1.2.3.4\n",
	    "f.cidr:1: unknown directive \"permit\" (allow, deny, default "
	    "public)" },
	{ "default needs public", "default private\n",
	    "f.cidr:1: expected \"default public\"" },
	{ "one CIDR per line", "allow 1.2.3.4 5.6.7.8\n",
	    "f.cidr:1: allow needs one CIDR" },
	{ "host bits are named", "deny 10.0.0.1/8\n",
	    "f.cidr:1: \"10.0.0.1/8\": host bits set past the prefix" },
};

static int
check(const char *list, const char *addr)
{
	struct cidr_list	l = { 0 };
	uint8_t			a[16];
	char			err[256];
	int			af = strchr(addr, ':') ? AF_INET6 : AF_INET, e;

	if (cidr_list_parse(&l, list, strlen(list), "t", err,
	    sizeof(err)) != 0 || inet_pton(af, addr, a) != 1)
		return -999;
	e = cidr_list_check_addr(&l, af, a);
	cidr_list_clear(&l);
	return e;
}

int
main(void)
{
	struct cidr_list	l = { 0 };
	struct sockaddr_in	sin;
	struct cidr		c;
	char			err[256];
	size_t			i;

	t_init("test_cidr");
	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++)
		t_int(parse_rows[i].name, cidr_parse(parse_rows[i].in, &c),
		    parse_rows[i].want);
	for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++)
		t_int(check_rows[i].name, check(check_rows[i].list,
		    check_rows[i].addr), check_rows[i].want);
	for (i = 0; i < sizeof(file_rows) / sizeof(file_rows[0]); i++) {
		memset(&l, 0, sizeof(l));
		t_ok(cidr_list_parse(&l, file_rows[i].text,
		    strlen(file_rows[i].text), "f.cidr", err, sizeof(err)) != 0 &&
		    strcmp(err, file_rows[i].err) == 0, file_rows[i].name,
		    "got \"%s\"", err);
		cidr_list_clear(&l);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	t_int("NULL list fails closed", cidr_list_check(NULL,
	    (struct sockaddr *)&sin, sizeof(sin)), PC_E_POLICY);
	if (cidr_list_parse(&l, lo_list, strlen(lo_list), "t", err,
	    sizeof(err)) == 0) {
		t_int("listed address through a sockaddr",
		    cidr_list_check(&l, (struct sockaddr *)&sin, sizeof(sin)), 0);
		t_int("short sockaddr fails closed", cidr_list_check(&l,
		    (struct sockaddr *)&sin, 4), PC_E_POLICY);
		sin.sin_family = AF_UNIX;
		t_int("unknown family fails closed", cidr_list_check(&l,
		    (struct sockaddr *)&sin, sizeof(sin)), PC_E_POLICY);
	}
	cidr_list_clear(&l);
	return t_done();
}
