/*
 * The temp directory of the fuzz targets that read files: one per process,
 * under $TMPDIR, removed when the process exits, so that a run leaves
 * nothing behind however many inputs it tried.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[4096];
static char path[4200];
static char other[4200];

static void cleanup(void)
{
	unlink(path);
	unlink(other);
	rmdir(dir);
}

static void make_dir(void)
{
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/prun-fuzz-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("prun-fuzz: mkdtemp");
			abort();
		}
		snprintf(path, sizeof(path), "%s/input", dir);
		snprintf(other, sizeof(other), "%s/other", dir);
		atexit(cleanup);
	}
}

const char *fuzz_other_file(void)
{
	make_dir();
	return other;
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
	make_dir();
	FILE *f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror("prun-fuzz: writing the input file");
		abort();
	}
	return path;
}
