/*
 * pcj-validate [-d] FILE...: run each file through the strict JSON layer.
 * With -d, print each accepted document as compact JSON (pcj_dump).
 * Exits 0 when every file is accepted; otherwise prints
 * "FILE: offset N: reason" for the first rejected one and exits 1
 * (2 when a file cannot be read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcj.h"

#define PCJV_MAX	(64 * 1024 * 1024)

static char *
pcjv_read(const char *path, size_t *len)
{
	FILE	*fp;
	char	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    n > PCJV_MAX || fseek(fp, 0, SEEK_SET) != 0 ||
	    (p = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	if (fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return p;
}

int
main(int argc, char **argv)
{
	struct pcj_doc	d;
	struct buf	out;
	char		*js;
	size_t		 len;
	int		 i = 1, dump = 0;

	if (argc > 1 && strcmp(argv[1], "-d") == 0)
		dump = i++;
	if (argc <= i) {
		fprintf(stderr, "usage: pcj-validate [-d] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if ((js = pcjv_read(argv[i], &len)) == NULL) {
			fprintf(stderr, "%s: cannot read (or over %d bytes)\n",
			    argv[i], PCJV_MAX);
			return 2;
		}
		if (pcj_parse(&d, js, len, NULL) != 0) {
			printf("%s: offset %zu: %s\n", argv[i], d.off,
			    d.why != NULL ? d.why : err_str(d.err));
			free(js);
			return 1;
		}
		buf_init(&out, 2 * len + 16, 0);
		if (dump && pcj_dump(&d, pcj_root(&d), &out) == 0)
			printf("%.*s\n", (int)out.len, (const char *)out.p);
		buf_clear(&out);
		pcj_free(&d);
		free(js);
	}
	return 0;
}
