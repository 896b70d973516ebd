/*
 * Fuzzes the config file reader: the file is read as $PRUN_CONFIG (inih,
 * the section headers, each setting checked by options_set()), with none,
 * one or two -J profiles, then applied to the options and shown as
 * --show-config shows them.
 *
 * Input: a byte choosing the profiles, then the file's bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "fuzz.h"
#include "options.h"

static const char *const profiles[] = {"a", "b c", "defaults"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct fuzz_in in = {data, size};
	uint8_t choice = fuzz_byte(&in);
	bool elsewhere[] = {choice & 4, choice & 8, choice & 16};
	struct config *c = config_create();
	struct options o;
	char *cause = NULL;

	if (!null && !(null = fopen("/dev/null", "w"))) {
		abort();
	}
	setenv("PRUN_CONFIG", fuzz_file(in.p, in.n), 1);
	options_init(&o);
	if (config_load(c, profiles, choice % 4, elsewhere, &cause) == 0) {
		if (choice & 32) {
			config_add(c, "jobs", "3", NULL);
		}
		if (config_apply(c, &o, &cause) == 0) {
			config_show(c, &o, null);
		}
	}
	free(cause);
	options_finish(&o);
	config_destroy(c);
	return 0;
}
