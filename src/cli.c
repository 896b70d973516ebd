/*
 * Command-line parsing.  Options come first and stop at the first word
 * that is not one (the command may have options of its own); each option
 * goes through options_set(), the funnel the config file uses too.
 */
#define _GNU_SOURCE /* getopt_long */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_SHOW_CONFIG,
	/* An option that options_set() knows: this plus its index there. */
	OPT_SET = 512,
};

/* The short options, and the long ones they stand for. */
static const struct {
	char c;
	const char *name;
} shorts[] = {
	{'j', "jobs"},
	{'k', "keep-order"},
	{'u', "ungroup"},
	{'v', "print-commands"},
	{'t', "verbose"},
	{'r', "no-run-if-empty"},
	{'0', "null"},
	{'d', "delimiter"},
	{'n', "max-args"},
	{'N', "max-replace-args"},
	{'I', "replace"},
	{'a', "arg-file"},
	{'L', "max-lines"},
	{'s', "max-chars"},
	{'m', "multi"},
	{'X', "context-replace"},
	{'q', "quote"},
	{'E', "eof"},
	{'C', "colsep"},
};

/* Options of the command line alone, not of the config files. */
static const struct option own[] = {
	{"profile", required_argument, NULL, 'J'},
	{"show-config", no_argument, NULL, OPT_SHOW_CONFIG},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
};

/* getopt's entry for `name`, option i of options_set() or an alias. */
static struct option set_entry(const char *name, size_t i)
{
	bool value = false;

	options_name(i, &value);
	return (struct option){name, value ? required_argument : no_argument,
			       NULL, OPT_SET + (int)i};
}

/*
 * getopt's tables: every option of options_set(), under its name and its
 * aliases, and the command line's own.  The caller frees both.
 */
static void make_tables(struct option **longopts, char **shortopts)
{
	size_t n_set = 0, n_alias = 0, n_own = sizeof(own) / sizeof(own[0]);
	size_t n_short = sizeof(shorts) / sizeof(shorts[0]);
	const char *to;

	while (options_name(n_set, NULL)) {
		n_set++;
	}
	while (options_alias(n_alias, &to)) {
		n_alias++;
	}
	struct option *l = xcalloc(n_set + n_alias + n_own + 1, sizeof(*l));
	size_t k = 0;
	for (size_t i = 0; i < n_set; i++) {
		l[k++] = set_entry(options_name(i, NULL), i);
	}
	for (size_t i = 0; i < n_alias; i++) {
		const char *alias = options_alias(i, &to);
		l[k++] = set_entry(alias, (size_t)options_index(to));
	}
	for (size_t i = 0; i < n_own; i++) {
		l[k++] = own[i];
	}
	/* "+:" (stop at the command; report a missing value), then J:. */
	char *s = xmalloc(2 * n_short + 6);
	char *p = s;
	*p++ = '+';
	*p++ = ':';
	for (size_t i = 0; i < n_short; i++) {
		*p++ = shorts[i].c;
		if (options_takes_value(shorts[i].name)) {
			*p++ = ':';
		}
	}
	strcpy(p, "J:");
	*longopts = l;
	*shortopts = s;
}

/* --help, a line per string (C limits the length of one literal). */
static const char *const usage[] = {
	"Usage: prun [OPTION]... [COMMAND [ARG]...] [::: ARG... | :::: FILE...]...\n",
	"Run COMMAND once per argument, many at a time.  With no ::: or ::::,\n",
	"arguments are read from standard input, one per line.  {} in COMMAND is\n",
	"replaced by the argument; without it the argument is appended.\n",
	"\n",
	"Jobs:\n",
	"  -j, --jobs=N              run N jobs at once (default: one per CPU);\n",
	"                              +N, -N, N% relative to the CPUs; 0: no limit\n",
	"      --shell=PATH          run commands that need a shell with PATH\n",
	"                              (default: $PRUN_SHELL or /bin/sh)\n",
	"\n",
	"Input:\n",
	"  -a, --arg-file=FILE       read arguments from FILE (repeatable)\n",
	"  -d, --delimiter=CHAR      arguments end at CHAR, not newline (\\n \\t \\0)\n",
	"  -0, --null                arguments end at NUL\n",
	"  -E, --eof=STR             stop reading input at a line that is STR\n",
	"  -C, --colsep=REGEX        split each line into columns {1} {2}...\n",
	"      --header=REGEX        the first line names the columns: {name};\n",
	"                              ':' for the first line as it is\n",
	"      --trim=n|l|r|lr|rl    remove white space around arguments\n",
	"  -r, --no-run-if-empty     skip empty arguments\n",
	"      --shuf                run the jobs in random order\n",
	"      --link, --xapply      take one argument from each source, the\n",
	"                              shorter sources wrapping round\n",
	"      --arg-sep=SEP         use SEP instead of :::\n",
	"      --arg-file-sep=SEP    use SEP instead of ::::\n",
	"\n",
	"Arguments per job:\n",
	"  -n, --max-args=N          give each job up to N arguments\n",
	"  -N, --max-replace-args=N  the same; {1}..{N} name them\n",
	"  -L, --max-lines=N         the same, counting input lines\n",
	"  -m, --multi               as many arguments as fit on a command line,\n",
	"                              spread evenly over the job slots\n",
	"      --xargs               as many arguments as fit, not spread\n",
	"  -X, --context-replace     as -m, repeating the word around {} for each\n",
	"  -s, --max-chars=N         command lines shorter than N characters\n",
	"\n",
	"Command:\n",
	"  -I, --replace=STR         use STR instead of {} for the arguments\n",
	"      --er, --extensionreplace=STR             instead of {.}\n",
	"      --bnr, --basenamereplace=STR             instead of {/}\n",
	"      --dnr, --dirnamereplace=STR              instead of {//}\n",
	"      --bner, --basenameextensionreplace=STR   instead of {/.}\n",
	"      --seqreplace=STR                         instead of {#}\n",
	"      --slotreplace=STR                        instead of {%}\n",
	"      --plus                also {+/} {+.} {..} {...} {/..} {/...} {##}\n",
	"  -q, --quote               quote the command, so it runs without a shell\n",
	"                              reading it again\n",
	"      --rpl='TAG EXPR'      TAG stands for the perl expression EXPR, as\n",
	"                              {= EXPR =} does (repeatable)\n",
	"      --parens=LR           write perl expressions as L EXPR R, not {= =}\n",
	"      --filter=EXPR         run only the jobs for which the perl\n",
	"                              expression EXPR (after replacement) is true\n",
	"                              (repeatable)\n",
	"\n",
	"Supervision:\n",
	"      --timeout=SECS        kill a job that runs longer than SECS; N%:\n",
	"                              N% of the median runtime of successful jobs\n",
	"      --termseq=SEQ         how to kill a job's process group (default:\n",
	"                              TERM,200,TERM,100,TERM,50,KILL,25)\n",
	"      --halt=WHEN[,WHAT=N]  stop after failures: WHEN is never, soon\n",
	"                              (start no more jobs) or now (kill them too);\n",
	"                              WHAT is fail, success or done; N or N%\n",
	"      --retries=N           try a failing job up to N times\n",
	"      --delay=SECS          wait SECS between job starts\n",
	"      --load=MAX            start jobs only while the load is below MAX\n",
	"      --memfree=SIZE        start jobs only while SIZE memory is free\n",
	"      --nice=N              run the jobs (and prun) at niceness N\n",
	"      --joblog=[+]FILE      log each job to FILE (+: append)\n",
	"      --resume              run only jobs not in the job log\n",
	"      --resume-failed       also run again the jobs the log says failed\n",
	"      --retry-failed        run the failed commands of the job log again\n",
	"\n",
	"Output:\n",
	"      --group               print each job's output whole when it ends\n",
	"                              (default)\n",
	"  -k, --keep-order          print outputs in the order of the input; the\n",
	"                              oldest running job's output streams live\n",
	"      --line-buffer, --lb   print whole lines as jobs write them\n",
	"  -u, --ungroup             let jobs write straight to the output\n",
	"      --tag                 start each line with the job's arguments\n",
	"      --tagstring=STR       start each line with STR ({} etc. replaced)\n",
	"      --color               colour the tags on a terminal (not if NO_COLOR)\n",
	"      --files               print the names of files that hold the output\n",
	"      --tmpdir=DIR          keep spooled output in DIR (default: $TMPDIR\n",
	"                              or /tmp)\n",
	"  -v, --print-commands      print each command before its output\n",
	"  -t, --verbose             print each command on standard error\n",
	"      --dry-run, --dryrun   print the commands instead of running them\n",
	"      --results=DIR         save each job's stdout, stderr and seq in\n",
	"                              DIR/1/ARG/...; NAME.csv, NAME.tsv, NAME.json:\n",
	"                              one row per job (-.csv: on stdout); nothing\n",
	"                              is printed\n",
	"\n",
	"Progress (on a terminal, on standard error):\n",
	"      --bar                 show a progress bar\n",
	"      --eta                 show the estimated time left\n",
	"      --progress            show jobs running and done\n",
	"      --total-jobs=N        the number of jobs, for input that is read\n",
	"                              as it comes\n",
	"\n",
	"Configuration:\n",
	"  -J, --profile=NAME        apply the config files' [profile NAME] too\n",
	"                              (repeatable)\n",
	"      --show-config         show the settings in effect and where each\n",
	"                              was made, and exit\n",
	"\n",
	"Other:\n",
	"      --help                show this help and exit\n",
	"      --version             show the version and exit\n",
	"\n",
	"Exit status: 0 if every job succeeded, else the number of failed jobs\n",
	"(101 for more than 100), 255 for errors of prun itself.\n",
	NULL,
};

/* The long name options_set() knows for a getopt code. */
static const char *long_name(int code)
{
	if (code >= OPT_SET) {
		return options_name((size_t)(code - OPT_SET), NULL);
	}
	for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
		if (shorts[i].c == code) {
			return shorts[i].name;
		}
	}
	return NULL;
}

static void add_source(struct cli *c, struct source_spec spec)
{
	c->sources = xreallocarray(c->sources, c->n_sources + 1,
				   sizeof(*c->sources));
	c->sources[c->n_sources++] = spec;
}

/* What kind of separator a word is: 0 none, 1 :::, 2 ::::; +10 if linked. */
static int separator(const struct options *o, const char *w)
{
	size_t as = strlen(o->arg_sep), fs = strlen(o->arg_file_sep);

	if (strcmp(w, o->arg_sep) == 0) {
		return 1;
	}
	if (strcmp(w, o->arg_file_sep) == 0) {
		return 2;
	}
	if (strncmp(w, o->arg_sep, as) == 0 && strcmp(w + as, "+") == 0) {
		return 11;
	}
	if (strncmp(w, o->arg_file_sep, fs) == 0 &&
	    strcmp(w + fs, "+") == 0) {
		return 12;
	}
	return 0;
}

void cli_split(struct cli *c)
{
	char **w = c->words;
	size_t n = c->n_words;

	for (size_t i = 0; i < c->opts.n_arg_files; i++) {
		add_source(c, (struct source_spec){
			.path = c->opts.arg_files[i]});
	}
	size_t i = 0;
	while (i < n && separator(&c->opts, w[i]) == 0) {
		i++;
	}
	c->command = w;
	c->n_command = i;
	while (i < n) {
		int kind = separator(&c->opts, w[i++]);
		size_t start = i;
		while (i < n && separator(&c->opts, w[i]) == 0) {
			i++;
		}
		if (kind % 10 == 1) {
			add_source(c, (struct source_spec){
				.values = (const char *const *)&w[start],
				.n = i - start,
				.linked = kind > 10});
			continue;
		}
		/* Each file after :::: is a source of its own. */
		for (size_t k = start; k < i; k++) {
			add_source(c, (struct source_spec){
				.path = w[k],
				.linked = kind > 10 && k == start});
		}
	}
}

int cli_parse(struct cli *c, int argc, char **argv, char **cause)
{
	/* The values are checked here, in argv's order, and set later. */
	struct options check;
	int r = -1;

	memset(c, 0, sizeof(*c));
	options_init(&c->opts);
	options_init(&check);

	struct option *longopts;
	char *shortopts;
	make_tables(&longopts, &shortopts);
	opterr = 0;
	optind = 1;
	int code;
	while ((code = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		const char *name;
		switch (code) {
		case OPT_HELP:
			for (size_t i = 0; usage[i]; i++) {
				fputs(usage[i], stdout);
			}
			c->done = true;
			r = 0;
			goto out;
		case OPT_VERSION:
			printf("prun %s\n", PRUN_VERSION);
			c->done = true;
			r = 0;
			goto out;
		case '?':
			if (optopt) {
				*cause = xasprintf("unknown option '-%c' "
						   "(try --help)", optopt);
			} else {
				*cause = xasprintf("unknown option '%s' "
						   "(try --help)",
						   argv[optind - 1]);
			}
			goto out;
		case ':':
			*cause = xasprintf("option '%s' needs a value",
					   argv[optind - 1]);
			goto out;
		case 'J':
			c->profiles = xreallocarray(c->profiles,
						    c->n_profiles + 1,
						    sizeof(char *));
			c->profiles[c->n_profiles++] = optarg;
			continue;
		case OPT_SHOW_CONFIG:
			c->show_config = true;
			continue;
		default:
			name = long_name(code);
			break;
		}
		if (options_set(&check, name, optarg, cause) < 0) {
			goto out;
		}
		c->options = xreallocarray(c->options, c->n_options + 1,
					   sizeof(*c->options));
		c->options[c->n_options++] = (struct cli_option){
			.name = name, .value = optarg};
	}
	c->words = argv + optind;
	c->n_words = (size_t)(argc - optind);
	r = 0;
out:
	options_finish(&check);
	free(longopts);
	free(shortopts);
	return r;
}

void cli_finish(struct cli *c)
{
	free(c->options);
	free(c->profiles);
	free(c->sources);
	options_finish(&c->opts);
}
