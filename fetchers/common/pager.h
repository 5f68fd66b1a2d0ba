/*
 * The connector kit, listings: every page of a vendor list, each item
 * handed to the connector. Four shapes cover the apps: numbered pages
 * with a total (Atlas), a cursor in the query or in a POST body
 * (Atlassian), an offset with a next link (Confluence), and SCIM's
 * startIndex/count with totalResults. Where the page count is known
 * from the first page, the rest go out together (bounded by
 * max-in-flight); a cursor list goes page after page. A listing that
 * never ends fails clearly: a repeated cursor or page, more pages than
 * the declared total allows, or more than PAGER_PAGES_MAX pages.
 */
#ifndef PC_PAGER_H
#define PC_PAGER_H

#include "conn.h"

#define PAGER_PAGES_MAX		100000	/* one listing's pages at most:
					 * 50 M items at 500 a page */
#define PAGER_SEEN_MAX		4096	/* page fingerprints kept */
#define PAGER_AHEAD_QUEUED	16384	/* jobs queued, past which no page
					 * goes ahead of them */
#define PAGER_START_MAX		(1LL << 40)	/* an offset link at most */
#define PAGER_ITEMS_TRACKED	(4 * 1024 * 1024)	/* item fingerprints
					 * kept per listing (32 MiB at most) */

enum pager_kind {
	PAGER_NUMBERED = 1,	/* pageNum=N&itemsPerPage=K, 1-based, total */
	PAGER_CURSOR,		/* limit=K, then cursor=C alone */
	PAGER_BODY_CURSOR,	/* POST {first body}, then {"cursor": C} */
	PAGER_OFFSET,		/* start=N&limit=K, size, _links.next */
	PAGER_SCIM		/* startIndex=N&count=K, totalResults */
};

/* One item of a page: obj is the object in d. */
typedef int (*pager_item_fn)(struct conn *c, const struct pcj_doc *d,
	    int obj, void *arg);
/* After the last page (not called when the listing failed). */
typedef int (*pager_end_fn)(struct conn *c, void *arg);
/*
 * The first page failed (r: its non-2xx answer): 1 when the connector
 * takes that as a listing with nothing in it (it logs why; end still
 * runs), 0 to fail the run as usual. A vendor's "not there" for one
 * sub-resource need not end the whole sync.
 */
typedef int (*pager_miss_fn)(struct conn *c, const struct conn_resp *r,
	    void *arg);

struct pager_list {
	enum pager_kind	 kind;
	const char	*path;		/* path and query, without paging */
	const char	*accept;
	const char	*cred;		/* NULL: the primary */
	const char	*items;		/* member holding the items, or NULL:
					 * the answer is the array */
	const char	*total;		/* member holding the total, or NULL */
	const char	*next;		/* cursor / link member, "a.b" paths */
	unsigned	 per_page;
	const char	*body;		/* PAGER_BODY_CURSOR: first body */
	const char	*ctype;		/* of that body */
	pager_item_fn	 item;
	pager_end_fn	 end;
	pager_miss_fn	 miss;		/* or NULL: every failure fails */
	void		*arg;
	struct conn_ref	*ref;		/* held while the listing runs */
};

/*
 * Start listing l (its strings are copied); pages arrive as conn_run
 * drives the calls. 0, or an error (nothing was queued).
 */
int	pager_list(struct conn *c, const struct pager_list *l) PC_WUR;
/* Value at a dotted member path ("links.next") of obj, or -1. */
int	pager_path(const struct pcj_doc *d, int obj, const char *path);

#endif /* PC_PAGER_H */
