/*
 * Replay driver: runs a harness over files and directories given as
 * arguments, so every corpus is a regression test in an ordinary
 * sanitized build (no libFuzzer needed). Prints "N passed, 0 failed";
 * a crash aborts under the sanitizer with a non-zero status.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REPLAY_MAX	(64 * 1024 * 1024)

static int
replay_file(const char *path)
{
	FILE	*fp;
	uint8_t	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    n > REPLAY_MAX || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return -1;
	}
	/* An exact-size heap copy lets ASan catch a read one past the end. */
	if ((p = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(p, (size_t)n);
	free(p);
	return 0;
}

static int
replay_path(const char *path, unsigned *count)
{
	struct dirent	*de;
	struct stat	 st;
	char		 sub[4096];
	DIR		*d;

	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path) != 0)
			return -1;
		(*count)++;
		return 0;
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
		    (int)sizeof(sub) || replay_path(sub, count) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned	count = 0;
	int		i;

	for (i = 1; i < argc; i++) {
		if (replay_path(argv[i], &count) != 0) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			printf("%u passed, 1 failed\n", count);
			return 1;
		}
	}
	printf("%u passed, 0 failed\n", count);
	return 0;
}
