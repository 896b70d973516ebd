/*
 * Fuzzes the option values and the option parser.  Half of the inputs are
 * one value given to each value parser (sizes, durations, --halt,
 * --termseq, the -j and --load forms, --semaphore-timeout, -j FILE) and to
 * one option chosen by a byte; the other half are a whole command line
 * (its words ended by NUL bytes), parsed as main() parses it: getopt,
 * $PARALLEL's words, the settings applied over the config's, then the
 * command and the ::: sources split apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fuzz.h"
#include "options.h"
#include "util.h"

#define MAX_WORDS 64

/* Every value parser on s; an option chosen by `which` gets it too. */
static void values(const char *s, uint8_t which)
{
	struct termseq ts;
	struct halt h;
	unsigned long long size;
	double d;
	long l;
	char *cause = NULL;
	struct options o;
	size_t n_options = 0;

	if (termseq_parse(s, &ts, &cause) < 0) {
		free(cause);
		cause = NULL;
	} else if (ts.n > TERMSEQ_MAX) {
		abort();
	}
	if (halt_parse(s, &h, &cause) < 0) {
		free(cause);
		cause = NULL;
	}
	(void)size_parse(s, &size);
	(void)parse_duration(s, &d);
	(void)parse_seconds(s, &d);
	(void)parse_long(s, -5, 1000, &l);
	if (options_sem_timeout(s, &d, &cause) < 0) {
		free(cause);
		cause = NULL;
	}
	if (options_jobs_spec(s, 4, &cause) < 0) {
		free(cause);
		cause = NULL;
	}
	if (options_load(s, 4, &cause) < 0) {
		free(cause);
		cause = NULL;
	}
	/* -j FILE: the file holds the spec. */
	if (options_jobs(fuzz_file((const uint8_t *)s, strlen(s)), 4,
			 &cause) < 0) {
		free(cause);
		cause = NULL;
	}

	while (options_name(n_options, NULL)) {
		n_options++;
	}
	bool takes;
	const char *name = options_name(which % n_options, &takes);
	options_init(&o);
	if (options_set(&o, name, takes ? s : NULL, &cause) == 0) {
		char *got = options_get(&o, name);
		free(got);
	}
	free(cause);
	options_finish(&o);
}

/* The words as a command line, through the whole option parser. */
static void command_line(int argc, char **argv, const char *env)
{
	struct cli c;
	struct config *cfg;
	char *cause = NULL;

	if (cli_parse(&c, argc, argv, &cause) < 0) {
		free(cause);
		cli_finish(&c);
		return;
	}
	if (env && cli_add_words(&c, env, "$PARALLEL", &cause) < 0) {
		free(cause);
		cli_finish(&c);
		return;
	}
	cfg = config_create();
	for (size_t i = 0; i < c.n_options; i++) {
		config_add(cfg, c.options[i].name, c.options[i].value,
			   c.options[i].origin);
	}
	if (config_apply(cfg, &c.opts, &cause) == 0) {
		cli_split(&c);
	}
	free(cause);
	config_destroy(cfg);
	cli_finish(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_byte(&in);
	char *copy = xmemdup((const char *)in.p, in.n);

	/* --help, --version and --shell-completion print on stdout. */
	if (!quiet) {
		if (!freopen("/dev/null", "w", stdout)) {
			abort();
		}
		quiet = true;
	}
	if (!(mode & 1)) {
		values(copy, mode >> 1);
		free(copy);
		return 0;
	}
	/* argv[0], the words, and the last part as $PARALLEL if wanted. */
	char *argv[MAX_WORDS + 2] = {"prun"};
	int argc = 1;
	size_t at = 0;
	while (at < in.n && argc <= MAX_WORDS) {
		argv[argc++] = copy + at;
		at += strlen(copy + at) + 1;
	}
	const char *env = NULL;
	if ((mode & 2) && argc > 1) {
		env = argv[--argc];
	}
	argv[argc] = NULL;
	command_line(argc, argv, env);
	free(copy);
	return 0;
}
