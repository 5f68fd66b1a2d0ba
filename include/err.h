/*
 * Error codes shared by every process. Functions return 0 or a negative
 * PC_E_* value; err_str() gives one fixed sentence per code (ssherr.h).
 */
#ifndef PC_ERR_H
#define PC_ERR_H

#if defined(__GNUC__)
#define PC_WUR		__attribute__((warn_unused_result))
#define PC_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define PC_NORETURN	__attribute__((noreturn))
#else
#define PC_WUR
#define PC_PRINTF(a, b)
#define PC_NORETURN
#endif

enum pc_err {
	PC_E_OK		=   0,
	PC_E_SHORT	=  -1,	/* input ends before a field does */
	PC_E_TOOBIG	=  -2,	/* a length is over its declared maximum */
	PC_E_TAG	=  -3,	/* unknown TLV tag */
	PC_E_DUPTAG	=  -4,	/* TLV tag present twice */
	PC_E_MISSING	=  -5,	/* a required field is absent */
	PC_E_TRAILING	=  -6,	/* bytes left after the last field */
	PC_E_TYPE	=  -7,	/* unknown message type */
	PC_E_DIR	=  -8,	/* message type not allowed on this channel */
	PC_E_ORDER	=  -9,	/* chunk out of order or interleaved */
	PC_E_NOMEM	= -10,	/* allocation failed */
	PC_E_SYS	= -11,	/* system call failed, see errno */
	PC_E_POLICY	= -12,	/* refused by policy */
	PC_E_SYNTAX	= -13,	/* text does not parse */
	PC_E_RANGE	= -14,	/* number out of range */
	PC_E_EOF	= -15,	/* peer closed the channel */
	PC_E_VALUE	= -16,	/* field value is malformed */
	PC_E_STATE	= -17,	/* message not allowed in this state */
	PC_E_HTTP	= -18,	/* HTTP transfer failed */
	PC_E_TLS	= -19,	/* TLS or certificate failure */
	PC_E_DEPTH	= -20,	/* nesting too deep */
	PC_E_UTF8	= -21,	/* invalid UTF-8 */
	PC_E_NOTFOUND	= -22,	/* lookup found nothing */
	PC_E_CRYPTO	= -23,	/* cryptographic operation failed */
	PC_E_REMOTE	= -24,	/* the peer reported an error */
	PC_E_TIMEOUT	= -25,	/* operation timed out */
	PC_E_CONFIG	= -26,	/* configuration is invalid */
	PC_E_DRYRUN	= -27,	/* dry run: the write was printed, not sent */
	PC_E_AGAIN	= -28,	/* nothing yet: try again when ready */
	PC_E_LIMIT	= -29,	/* a run's cap was reached (records, bytes) */
	PC_E_AMBIGUOUS	= -30,	/* a write may or may not have taken effect */
	PC_E_LAST	= -31
};

/*
 * Return a fixed sentence for code e. Never NULL; unknown codes give
 * "unknown error". The string is static and must not be freed.
 */
const char	*err_str(int e);

#endif /* PC_ERR_H */
