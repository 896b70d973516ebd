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
	OPT_GROUP,
	OPT_LINE_BUFFER,
	OPT_TAG,
	OPT_TAGSTRING,
	OPT_COLOR,
	OPT_FILES,
	OPT_TMPDIR,
	OPT_DRY_RUN,
	OPT_SHELL,
	OPT_ARG_SEP,
	OPT_ARG_FILE_SEP,
	OPT_XARGS,
	OPT_PLUS,
	OPT_SHUF,
	OPT_LINK,
	OPT_HEADER,
	OPT_TRIM,
	OPT_ER,
	OPT_BNR,
	OPT_DNR,
	OPT_BNER,
	OPT_SEQREPLACE,
	OPT_SLOTREPLACE,
	OPT_RPL,
	OPT_TIMEOUT,
	OPT_TERMSEQ,
	OPT_HALT,
	OPT_RETRIES,
	OPT_DELAY,
	OPT_LOAD,
	OPT_MEMFREE,
	OPT_NICE,
	OPT_JOBLOG,
	OPT_RESUME,
	OPT_RESUME_FAILED,
	OPT_RETRY_FAILED,
	OPT_SHOW_CONFIG,
	OPT_RESULTS,
	OPT_BAR,
	OPT_ETA,
	OPT_PROGRESS,
	OPT_TOTAL_JOBS,
};

static const struct option longopts[] = {
	{"jobs", required_argument, NULL, 'j'},
	{"keep-order", no_argument, NULL, 'k'},
	{"group", no_argument, NULL, OPT_GROUP},
	{"ungroup", no_argument, NULL, 'u'},
	{"line-buffer", no_argument, NULL, OPT_LINE_BUFFER},
	{"lb", no_argument, NULL, OPT_LINE_BUFFER},
	{"tag", no_argument, NULL, OPT_TAG},
	{"tagstring", required_argument, NULL, OPT_TAGSTRING},
	{"color", no_argument, NULL, OPT_COLOR},
	{"files", no_argument, NULL, OPT_FILES},
	{"tmpdir", required_argument, NULL, OPT_TMPDIR},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"dryrun", no_argument, NULL, OPT_DRY_RUN},
	{"print-commands", no_argument, NULL, 'v'},
	{"verbose", no_argument, NULL, 't'},
	{"no-run-if-empty", no_argument, NULL, 'r'},
	{"null", no_argument, NULL, '0'},
	{"delimiter", required_argument, NULL, 'd'},
	{"max-args", required_argument, NULL, 'n'},
	{"max-replace-args", required_argument, NULL, 'N'},
	{"max-lines", required_argument, NULL, 'L'},
	{"max-chars", required_argument, NULL, 's'},
	{"xargs", no_argument, NULL, OPT_XARGS},
	{"multi", no_argument, NULL, 'm'},
	{"context-replace", no_argument, NULL, 'X'},
	{"quote", no_argument, NULL, 'q'},
	{"plus", no_argument, NULL, OPT_PLUS},
	{"shuf", no_argument, NULL, OPT_SHUF},
	{"link", no_argument, NULL, OPT_LINK},
	{"xapply", no_argument, NULL, OPT_LINK},
	{"eof", required_argument, NULL, 'E'},
	{"colsep", required_argument, NULL, 'C'},
	{"header", required_argument, NULL, OPT_HEADER},
	{"trim", required_argument, NULL, OPT_TRIM},
	{"replace", required_argument, NULL, 'I'},
	{"extensionreplace", required_argument, NULL, OPT_ER},
	{"er", required_argument, NULL, OPT_ER},
	{"basenamereplace", required_argument, NULL, OPT_BNR},
	{"bnr", required_argument, NULL, OPT_BNR},
	{"dirnamereplace", required_argument, NULL, OPT_DNR},
	{"dnr", required_argument, NULL, OPT_DNR},
	{"basenameextensionreplace", required_argument, NULL, OPT_BNER},
	{"bner", required_argument, NULL, OPT_BNER},
	{"seqreplace", required_argument, NULL, OPT_SEQREPLACE},
	{"slotreplace", required_argument, NULL, OPT_SLOTREPLACE},
	{"rpl", required_argument, NULL, OPT_RPL},
	{"arg-file", required_argument, NULL, 'a'},
	{"shell", required_argument, NULL, OPT_SHELL},
	{"arg-sep", required_argument, NULL, OPT_ARG_SEP},
	{"arg-file-sep", required_argument, NULL, OPT_ARG_FILE_SEP},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"termseq", required_argument, NULL, OPT_TERMSEQ},
	{"term-seq", required_argument, NULL, OPT_TERMSEQ},
	{"halt", required_argument, NULL, OPT_HALT},
	{"halt-on-error", required_argument, NULL, OPT_HALT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"delay", required_argument, NULL, OPT_DELAY},
	{"load", required_argument, NULL, OPT_LOAD},
	{"memfree", required_argument, NULL, OPT_MEMFREE},
	{"nice", required_argument, NULL, OPT_NICE},
	{"joblog", required_argument, NULL, OPT_JOBLOG},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"resume-failed", no_argument, NULL, OPT_RESUME_FAILED},
	{"retry-failed", no_argument, NULL, OPT_RETRY_FAILED},
	{"profile", required_argument, NULL, 'J'},
	{"show-config", no_argument, NULL, OPT_SHOW_CONFIG},
	{"results", required_argument, NULL, OPT_RESULTS},
	{"result", required_argument, NULL, OPT_RESULTS},
	{"res", required_argument, NULL, OPT_RESULTS},
	{"bar", no_argument, NULL, OPT_BAR},
	{"eta", no_argument, NULL, OPT_ETA},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"total-jobs", required_argument, NULL, OPT_TOTAL_JOBS},
	{"totaljobs", required_argument, NULL, OPT_TOTAL_JOBS},
	{"total", required_argument, NULL, OPT_TOTAL_JOBS},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

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
	for (const struct option *o = longopts; o->name; o++) {
		if (o->val == code) {
			return o->name;
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

	opterr = 0;
	optind = 1;
	int code;
	while ((code = getopt_long(argc, argv,
				   "+:j:kuvtr0d:n:N:I:a:L:s:mXqE:C:J:",
				   longopts, NULL)) != -1) {
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
		case OPT_RPL:
			*cause = xasprintf("--rpl is not supported: it defines "
					   "replacement strings in perl; use "
					   "--plus or a shell command");
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
	return r;
}

void cli_finish(struct cli *c)
{
	free(c->options);
	free(c->profiles);
	free(c->sources);
	options_finish(&c->opts);
}
