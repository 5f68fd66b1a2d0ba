/* Runs in: every process. Input: error codes (trusted). */
#include "err.h"

static const char *const err_sentences[] = {
	[0]			= "success",
	[-PC_E_SHORT]		= "input is truncated",
	[-PC_E_TOOBIG]		= "length is over its maximum",
	[-PC_E_TAG]		= "unknown field tag",
	[-PC_E_DUPTAG]		= "duplicate field tag",
	[-PC_E_MISSING]		= "required field is missing",
	[-PC_E_TRAILING]	= "trailing bytes after the last field",
	[-PC_E_TYPE]		= "unknown message type",
	[-PC_E_DIR]		= "message type not allowed on this channel",
	[-PC_E_ORDER]		= "chunk out of order",
	[-PC_E_NOMEM]		= "out of memory",
	[-PC_E_SYS]		= "system call failed",
	[-PC_E_POLICY]		= "refused by policy",
	[-PC_E_SYNTAX]		= "syntax error",
	[-PC_E_RANGE]		= "number out of range",
	[-PC_E_EOF]		= "channel closed by peer",
	[-PC_E_VALUE]		= "malformed value",
	[-PC_E_STATE]		= "message not allowed in this state",
	[-PC_E_HTTP]		= "HTTP transfer failed",
	[-PC_E_TLS]		= "TLS failure",
	[-PC_E_DEPTH]		= "nesting too deep",
	[-PC_E_UTF8]		= "invalid UTF-8",
	[-PC_E_NOTFOUND]	= "not found",
	[-PC_E_CRYPTO]		= "cryptographic operation failed",
	[-PC_E_REMOTE]		= "peer reported an error",
	[-PC_E_TIMEOUT]		= "operation timed out",
	[-PC_E_CONFIG]		= "invalid configuration",
	[-PC_E_DRYRUN]		= "dry run: not sent",
	[-PC_E_AGAIN]		= "not ready yet",
	[-PC_E_LIMIT]		= "a limit of the run was reached",
	[-PC_E_AMBIGUOUS]	= "the outcome of a write is unknown",
};

const char *
err_str(int e)
{
	if (e > 0 || e <= PC_E_LAST)
		return "unknown error";
	return err_sentences[-e];
}
