/*
 * What the fuzz targets share: libFuzzer's entry point, a private temp
 * directory for targets whose parser reads a file, and a reader that hands
 * out the fuzz input's bytes piece by piece (choices first, then text).
 */
#ifndef PRUN_FUZZ_H
#define PRUN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz input, consumed from the front. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* The next byte, or 0 when the input is used up. */
static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	if (!in->n) {
		return 0;
	}
	in->n--;
	return *in->p++;
}

/*
 * Writes data to a file in a temp directory made once per process (and
 * removed at exit), and returns its path (the same every time).
 */
const char *fuzz_file(const uint8_t *data, size_t size);

/* A second path in that directory, for a file the target writes itself. */
const char *fuzz_other_file(void);

#endif
