/*
 * Command-line parsing.  Options come first and stop at the first word
 * that is not one (the command may have options of its own); each option
 * goes through options_set(), the funnel the config file uses too.
 */
#define _GNU_SOURCE /* getopt_long */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "completions.h"
#include "cpus.h"
#include "quote.h"
#include "util.h"

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_SHOW_CONFIG,
	OPT_SHEBANG,
	OPT_NUMBER_OF,
	OPT_MINVERSION,
	OPT_SHELL_COMPLETION,
	/* GNU parallel's options that prun lacks: this plus the index. */
	OPT_UNSUPPORTED = 384,
	/* An option that options_set() knows: this plus its index there. */
	OPT_SET = 512,
};

/* Options of the command line alone, not of the config files. */
static const struct option own[] = {
	{"profile", required_argument, NULL, 'J'},
	{"show-config", no_argument, NULL, OPT_SHOW_CONFIG},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	/* Print something about prun or the machine, and exit. */
	{"number-of-threads", no_argument, NULL, OPT_NUMBER_OF},
	{"numberofthreads", no_argument, NULL, OPT_NUMBER_OF},
	{"number-of-cores", no_argument, NULL, OPT_NUMBER_OF},
	{"numberofcores", no_argument, NULL, OPT_NUMBER_OF},
	{"number-of-cpus", no_argument, NULL, OPT_NUMBER_OF},
	{"numberofcpus", no_argument, NULL, OPT_NUMBER_OF},
	{"number-of-sockets", no_argument, NULL, OPT_NUMBER_OF},
	{"numberofsockets", no_argument, NULL, OPT_NUMBER_OF},
	{"minversion", required_argument, NULL, OPT_MINVERSION},
	{"min-version", required_argument, NULL, OPT_MINVERSION},
	{"shell-completion", required_argument, NULL, OPT_SHELL_COMPLETION},
	{"shellcompletion", required_argument, NULL, OPT_SHELL_COMPLETION},
	/* Only the first argument (cli_shebang()); anywhere else, an error. */
	{"shebang", no_argument, NULL, OPT_SHEBANG},
	{"hashbang", no_argument, NULL, OPT_SHEBANG},
	{"shebang-wrap", no_argument, NULL, OPT_SHEBANG},
	{"shebangwrap", no_argument, NULL, OPT_SHEBANG},
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
 * aliases, GNU parallel's that prun lacks, and the command line's own.
 * The caller frees both.
 */
static void make_tables(struct option **longopts, char **shortopts)
{
	size_t n_set = 0, n_alias = 0, n_own = sizeof(own) / sizeof(own[0]);
	size_t n_unsup = 0, n_short = 0;
	const char *to, *letters;

	while (options_name(n_set, NULL)) {
		if ((letters = options_shorts(n_set))) {
			n_short += strlen(letters);
		}
		n_set++;
	}
	while (options_alias(n_alias, &to)) {
		n_alias++;
	}
	while (options_unsupported(n_unsup)) {
		n_unsup++;
	}
	struct option *l = xcalloc(n_set + n_alias + n_unsup + n_own + 1,
				   sizeof(*l));
	size_t k = 0;
	for (size_t i = 0; i < n_set; i++) {
		l[k++] = set_entry(options_name(i, NULL), i);
	}
	for (size_t i = 0; i < n_alias; i++) {
		const char *alias = options_alias(i, &to);
		l[k++] = set_entry(alias, (size_t)options_index(to));
	}
	/* Either form, --opt or --opt=VALUE, gets the same answer. */
	for (size_t i = 0; i < n_unsup; i++) {
		l[k++] = (struct option){options_unsupported(i),
					 optional_argument, NULL,
					 OPT_UNSUPPORTED + (int)i};
	}
	for (size_t i = 0; i < n_own; i++) {
		l[k++] = own[i];
	}
	/* "+:" (stop at the command; report a missing value), then J:. */
	char *s = xmalloc(2 * n_short + 6);
	char *p = s;
	*p++ = '+';
	*p++ = ':';
	for (size_t i = 0; i < n_set; i++) {
		bool value = false;
		options_name(i, &value);
		for (letters = options_shorts(i); letters && *letters;
		     letters++) {
			*p++ = *letters;
			if (value) {
				*p++ = ':';
			}
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
	"  -j, -P, --jobs, --max-procs=N\n",
	"                            run N jobs at once (default: one per CPU);\n",
	"                              +N, -N, N% relative to the CPUs; 0: no limit;\n",
	"                              FILE: read from FILE, again when it changes\n",
	"      --shell=PATH          run commands that need a shell with PATH\n",
	"                              (default: $PRUN_SHELL or /bin/sh)\n",
	"      --no-jobserver        inside make -jN, run -j jobs, not make's share;\n",
	"                              give jobs no jobserver of prun's slots\n",
	"      --jobserver-style=STYLE  the jobserver jobs get: pipe (make 4.3,\n",
	"                              default) or fifo (make 4.4, ninja)\n",
	"      --env=VAR[,VAR]...    copy VAR to the jobs (they get the whole\n",
	"                              environment); _: all but --record-env's\n",
	"      --tty                 jobs read the terminal; -j1 -u unless -j, -k\n",
	"                              or --line-buffer say otherwise\n",
	"  -o, --open-tty            jobs read the terminal\n",
	"  -p, --interactive         ask on the terminal before each job\n",
	"      --tmux                run each job in a window of a tmux session\n",
	"      --tmuxpane            run each job in a pane of a tmux window\n",
	"      --record-env, --recordenv\n",
	"                            record the names of the environment now for\n",
	"                              --env _, and run nothing\n",
	"      --session             for env_parallel; no effect\n",
	"      --use-cores-instead-of-threads, --use-cpus-instead-of-cores\n",
	"                            count physical cores for -j N% (+N, -N)\n",
	"      --use-sockets-instead-of-threads\n",
	"                            count filled CPU sockets for -j N% (+N, -N)\n",
	"      --process-slot-var=NAME  set NAME to the job slot minus one\n",
	"      --workdir, --wd=DIR   run each job in DIR ({} etc. replaced), made\n",
	"                              if missing; ...: a new directory per job,\n",
	"                              removed after it; on a host, relative to\n",
	"                              the login directory\n",
	"      --tmpl, --template=FILE=REPL\n",
	"                            before each job, write FILE to REPL with\n",
	"                              the replacement strings of both replaced\n",
	"\n",
	"Input:\n",
	"  -a, --arg-file=FILE       read arguments from FILE (repeatable)\n",
	"  -d, --delimiter=CHAR      arguments end at CHAR, not newline (\\n \\t \\0)\n",
	"  -0, --null                arguments end at NUL\n",
	"  -E, --eof=STR             stop reading input at a line that is STR\n",
	"  -C, --colsep=REGEX        split each line into columns {1} {2}...\n",
	"      --csv                 the columns are CSV fields (quoted with \"\");\n",
	"                              -C gives the separator (default: ,)\n",
	"      --header=REGEX        the first line names the columns: {name};\n",
	"                              ':' for the first line as it is\n",
	"      --trim=n|l|r|lr|rl    remove white space around arguments\n",
	"  -r, --no-run-if-empty     skip empty arguments\n",
	"      --shuf                run the jobs in random order\n",
	"      --link, --xapply      take one argument from each source, the\n",
	"                              shorter sources wrapping round\n",
	"      --skip-first-line, --skipfirstline\n",
	"                            leave out the first line of the first source\n",
	"      --arg-sep, --argsep=SEP   use SEP instead of :::\n",
	"      --arg-file-sep, --argfilesep=SEP\n",
	"                            use SEP instead of ::::\n",
	"\n",
	"Data as input:\n",
	"      --pipe, --spreadstdin\n",
	"                            cut stdin into chunks of whole records, one\n",
	"                              per job, on the job's stdin\n",
	"      --pipepart, --pipe-part  the same for the file of -a, each job\n",
	"                              reading its own byte range\n",
	"      --block, --block-size=SIZE  about SIZE bytes a chunk (default: 1M);\n",
	"                              -N with --pipepart: N chunks a job slot\n",
	"      --recend=STR          records end with STR (default: \\n)\n",
	"      --recstart=STR        records start with STR\n",
	"      --regexp, --regex     --recstart and --recend are Perl regexes\n",
	"      --remove-rec-sep, --rrs  leave out --recend and --recstart\n",
	"      --cat                 the chunk in a temp file named by {}\n",
	"      --fifo                the chunk through a named pipe named by {}\n",
	"      --tee                 all of the data to a job for each argument\n",
	"      --shard=COL [EXPR]    each line to one of -j jobs by column COL\n",
	"      --bin=COL             the same, COL's value modulo -j naming it\n",
	"      --group-by, --groupby=VAL  chunks end only where VAL changes (a\n",
	"                              column, a perl expression, or both)\n",
	"      --block-timeout, --bt=SECS  cut a chunk from what came in SECS\n",
	"      --round-robin, --round  chunks to at most -j jobs, whichever is\n",
	"                              ready; each gets many chunks\n",
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
	"      --shell-quote         print each command quoted for a shell instead\n",
	"                              of running it (twice: quoted twice)\n",
	"\n",
	"Supervision:\n",
	"      --timeout=SECS        kill a job that runs longer than SECS; N%:\n",
	"                              N% of the median runtime of successful jobs\n",
	"      --termseq, --term-seq=SEQ\n",
	"                            how to kill a job's process group (default:\n",
	"                              TERM,200,TERM,100,TERM,50,KILL,25)\n",
	"      --halt=WHEN[,WHAT=N]  stop after failures: WHEN is never, soon\n",
	"                              (start no more jobs) or now (kill them too);\n",
	"                              WHAT is fail, success or done; N or N%\n",
	"      --retries=N           try a failing job up to N times\n",
	"      --delay=SECS          wait SECS between job starts\n",
	"      --load=MAX            start jobs only while the load is below MAX\n",
	"      --memfree=SIZE        start jobs only while SIZE memory is free\n",
	"      --memsuspend=SIZE     below SIZE free memory, stop the newest jobs\n",
	"      --noswap              start no job while the machine swaps\n",
	"      --limit=CMD           start a job only if CMD exits 0 (else look\n",
	"                              again soon; 2: kill the newest job too)\n",
	"      --nice=N              run the jobs (and prun) at niceness N\n",
	"      --joblog, --jl=[+]FILE  log each job to FILE (+: append; -: stdout)\n",
	"      --resume              run only jobs not in the job log\n",
	"      --resume-failed       also run again the jobs the log says failed\n",
	"      --retry-failed        run the failed commands of the job log again\n",
	"\n",
	"Remote hosts:\n",
	"  -S, --sshlogin=[@GRP/][N/]LOGIN[,...]\n",
	"                            run jobs on these hosts over ssh (LOGIN:\n",
	"                              [user@]host[:port], an ssh command line,\n",
	"                              or : for this machine; N/: its CPUs)\n",
	"      --sshloginfile, --slf=FILE  the hosts of -S, one a line (read\n",
	"                              again when it changes; ..: the user's)\n",
	"      --ssh=CMD             reach hosts with CMD instead of ssh\n",
	"      --ssh-delay=SECS      wait SECS between new ssh connections\n",
	"  -M, --controlmaster       accepted: prun always shares one connection\n",
	"                              per host (ControlMaster)\n",
	"      --filter-hosts        drop a host that does not answer at once\n",
	"      --nonall              run the command, without arguments, once on\n",
	"                              each host\n",
	"      --onall               run every job on each host\n",
	"      --hostgroups, --hgrp  ARG@GRP runs ARG's job on a host of group GRP\n",
	"      --transferfile, --tf=FILE  copy FILE to the host before the job\n",
	"                              ({} etc. replaced; repeatable)\n",
	"      --transfer            --transferfile {}\n",
	"      --return=FILE         copy FILE back from the host after the job\n",
	"                              ({} etc. replaced; repeatable)\n",
	"      --cleanup             then remove both from the host\n",
	"      --trc=FILE            --transfer --return=FILE --cleanup\n",
	"      --basefile, --bf=FILE  copy FILE to each host before its first\n",
	"                              job (repeatable)\n",
	"      --rsync-opts=OPTS     rsync's options (default: -rlDzR)\n",
	"\n",
	"Clusters:\n",
	"      --slurm               inside a Slurm allocation, run each job as a\n",
	"                              job step (srun) on its nodes' CPUs\n",
	"      --slurm-auto          --slurm inside an allocation, else nothing\n",
	"      --cpus-per-job=N      the CPUs of each job step (default 1)\n",
	"\n",
	"Semaphores (prun-sem is prun --semaphore):\n",
	"      --semaphore           run COMMAND once in a slot of a semaphore\n",
	"                              (-j N: N slots; default 1, a mutex)\n",
	"      --semaphore-name, --semaphorename, --id=NAME\n",
	"                            the semaphore's name (default: the terminal's)\n",
	"      --semaphore-timeout, --semaphoretimeout, --st=SECS\n",
	"                            after SECS waiting, run anyway; -SECS: give up\n",
	"                              with status 1\n",
	"      --bg                  return once COMMAND has a slot; it runs in\n",
	"                              the background (default)\n",
	"      --fg                  wait for COMMAND and exit with its status\n",
	"      --wait                wait until every COMMAND of the semaphore is\n",
	"                              done, and run nothing\n",
	"\n",
	"Output:\n",
	"      --group               print each job's output whole when it ends\n",
	"                              (default)\n",
	"  -k, --keep-order          print outputs in the order of the input; the\n",
	"                              oldest running job's output streams live\n",
	"      --no-keep-order, --nok  undo -k, wherever it was given\n",
	"      --line-buffer, --lb, --linebuffer\n",
	"                            print whole lines as jobs write them\n",
	"  -u, --ungroup             let jobs write straight to the output\n",
	"      --latest-line, --ll   show one line per job: its latest output line\n",
	"      --tag                 start each line with the job's arguments\n",
	"      --tagstring=STR       start each line with STR ({} etc. replaced)\n",
	"      --color, --colour     colour the tags on a terminal (not if NO_COLOR)\n",
	"      --ctag                --tag --color\n",
	"      --color-failed, --cf  print the lines of failed jobs white on red\n",
	"      --ctagstring=STR      --tagstring=STR --color\n",
	"      --files, --output-as-files, --outputasfiles\n",
	"                            print the names of files that hold the output\n",
	"      --tmpdir=DIR          keep spooled output in DIR (default: $TMPDIR\n",
	"                              or /tmp)\n",
	"      --compress            compress held output that goes to disk\n",
	"      --compress-program=PRG\n",
	"                            compress it with PRG (implies --compress)\n",
	"      --decompress-program=PRG\n",
	"                            read it back with PRG (default: PRG -dc)\n",
	"  -v, --print-commands      print each command before its output\n",
	"  -t, --verbose             print each command on standard error\n",
	"      --silent              undo -v, wherever it was given\n",
	"      --dry-run, --dryrun   print the commands instead of running them\n",
	"      --results, --res=DIR  save each job's stdout, stderr and seq in\n",
	"                              DIR/1/ARG/...; NAME.csv, NAME.tsv, NAME.json:\n",
	"                              one row per job (-.csv: on stdout); nothing\n",
	"                              is printed\n",
	"\n",
	"Progress (on a terminal, on standard error):\n",
	"      --bar                 show a progress bar\n",
	"      --eta                 show the estimated time left\n",
	"      --progress            show jobs running and done\n",
	"      --total-jobs, --total=N  the number of jobs, for input that is read\n",
	"                              as it comes\n",
	"\n",
	"Scripts (only as the first argument, as on a #! line):\n",
	"      --shebang, --hashbang\n",
	"                            #!/usr/bin/prun --shebang [OPTION]... COMMAND\n",
	"                              runs COMMAND once per line of the script\n",
	"      --shebang-wrap, --shebangwrap\n",
	"                            #!/usr/bin/prun --shebang-wrap [OPTION]... PROG\n",
	"                              runs PROG SCRIPT once per argument given to\n",
	"                              the script (or line of its input)\n",
	"\n",
	"Configuration:\n",
	"  -J, --profile=NAME        apply the config files' [profile NAME] too\n",
	"                              (repeatable)\n",
	"      --show-config         show the settings in effect and where each\n",
	"                              was made, and exit\n",
	"      --plain               read no config file, profile file or $PARALLEL\n",
	"\n",
	"Other:\n",
	"      --help                show this help and exit\n",
	"      --version             show the version and exit\n",
	"      --show-limits         print the longest command lines, then run\n",
	"      --max-line-length-allowed\n",
	"                            print the longest command line and exit\n",
	"      --minversion=VERSION  print the GNU parallel version prun follows;\n",
	"                              exit 255 if it is older than VERSION\n",
	"      --number-of-threads   print the number of CPU threads and exit\n",
	"      --number-of-cores, --number-of-cpus\n",
	"                            print the number of physical cores and exit\n",
	"      --number-of-sockets   print the number of filled sockets and exit\n",
	"      --shell-completion=SHELL  print prun's completion code for SHELL\n",
	"                              (bash, zsh, fish, or auto: the calling\n",
	"                              shell's) and exit\n",
	"      --gnu                 accepted for GNU parallel; does nothing\n",
	"\n",
	"Exit status: 0 if every job succeeded, else the number of failed jobs\n",
	"(101 for more than 100), 255 for errors of prun itself.\n",
	NULL,
};

/*
 * The version of GNU parallel whose behaviour prun follows: --minversion
 * compares with it, as scripts written for GNU parallel expect.
 */
#define GNU_VERSION 20221122L

/* --number-of-cores and its siblings: the unit their name counts. */
static enum cpu_unit unit_of(const char *word)
{
	if (strstr(word, "socket")) {
		return CPU_SOCKETS;
	}
	if (strstr(word, "core") || strstr(word, "cpus")) {
		return CPU_CORES;
	}
	return CPU_THREADS;
}

/* --minversion V: exits 0 if prun does what GNU parallel V does. */
static int min_version(struct cli *c, const char *v, char **cause)
{
	long want;

	if (parse_long(v, 0, 99999999, &want) < 0) {
		*cause = xasprintf("bad value for --minversion: '%s' (want a "
				   "GNU parallel version such as 20170422)",
				   v);
		return -1;
	}
	printf("%ld\n", GNU_VERSION);
	c->status = want > GNU_VERSION ? 255 : 0;
	return 0;
}

/*
 * The shell prun was called from, for --shell-completion auto: the
 * parent process's name, else $SHELL's last part.
 */
static char *parent_shell(void)
{
	char path[64];
	char name[64] = "";
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)getppid());
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(name, sizeof(name), f)) {
			name[0] = '\0';
		}
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
	}
	for (size_t i = 0; completions[i].shell; i++) {
		if (strcmp(name, completions[i].shell) == 0) {
			return xstrdup(name);
		}
	}
	const char *sh = getenv("SHELL");
	const char *slash = sh ? strrchr(sh, '/') : NULL;
	return xstrdup(slash ? slash + 1 : sh ? sh : "");
}

/* --shell-completion SHELL: prints prun's completion file for SHELL. */
static int shell_completion(const char *shell, char **cause)
{
	char *want = strcmp(shell, "auto") == 0 ? parent_shell()
						: xstrdup(shell);

	for (size_t i = 0; completions[i].shell; i++) {
		if (strcmp(want, completions[i].shell) == 0) {
			fwrite(completions[i].text, 1, completions[i].len,
			       stdout);
			free(want);
			return 0;
		}
	}
	*cause = xasprintf("bad value for --shell-completion: '%s' (want "
			   "bash, zsh, fish or auto)", want);
	free(want);
	return -1;
}

/* The long name options_set() knows for a getopt code. */
static const char *long_name(int code)
{
	const char *letters;

	if (code >= OPT_SET) {
		return options_name((size_t)(code - OPT_SET), NULL);
	}
	for (size_t i = 0; options_name(i, NULL); i++) {
		if ((letters = options_shorts(i)) && strchr(letters, code)) {
			return options_name(i, NULL);
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
		/*
		 * Each file after :::: is a source of its own; after ::::+
		 * each is linked to the one before it, as GNU parallel does.
		 */
		for (size_t k = start; k < i; k++) {
			add_source(c, (struct source_spec){
				.path = w[k],
				.linked = kind > 10});
		}
	}
}

/*
 * Parses the options at the start of argv[1..argc) into c->options, at
 * index c->n_early if `origin` is not NULL (options of $PARALLEL or a
 * profile file, which the command line's override), else at the end.
 * Returns the index of the first word that is not an option, or -1 with
 * *cause.
 */
static int parse_options(struct cli *c, int argc, char **argv,
			 const char *origin, char **cause)
{
	/* The values are checked here, in argv's order, and set later. */
	struct options check;
	struct option *longopts;
	char *shortopts;
	int r = -1, code;
	size_t first = c->n_options;

	options_init(&check);
	make_tables(&longopts, &shortopts);
	opterr = 0;
	optind = 0; /* glibc: start afresh, as for a new argv */
	while ((code = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		const char *name;
		switch (code) {
		case OPT_HELP:
			for (size_t i = 0; usage[i]; i++) {
				fputs(usage[i], stdout);
			}
			c->done = true;
			r = optind;
			goto out;
		case OPT_VERSION:
			printf("prun %s\n", PRUN_VERSION);
			c->done = true;
			r = optind;
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
			if (origin) {
				*cause = xasprintf("-J/--profile is only "
						   "allowed on the command "
						   "line");
				goto out;
			}
			c->profiles = xreallocarray(c->profiles,
						    c->n_profiles + 1,
						    sizeof(char *));
			c->profiles[c->n_profiles++] = optarg;
			continue;
		case OPT_SHOW_CONFIG:
			c->show_config = true;
			continue;
		case OPT_NUMBER_OF:
			printf("%ld\n", cpus_count(unit_of(argv[optind - 1])));
			c->done = true;
			r = optind;
			goto out;
		case OPT_MINVERSION:
			if (min_version(c, optarg, cause) < 0) {
				goto out;
			}
			c->done = true;
			r = optind;
			goto out;
		case OPT_SHELL_COMPLETION:
			if (shell_completion(optarg, cause) < 0) {
				goto out;
			}
			c->done = true;
			r = optind;
			goto out;
		case OPT_SHEBANG:
			*cause = xasprintf("%s must be the first argument (on "
					   "a script's #! line)",
					   argv[optind - 1]);
			goto out;
		default:
			if (code >= OPT_UNSUPPORTED && code < OPT_SET) {
				*cause = xasprintf("--%s is not supported",
						   options_unsupported(
						   (size_t)(code -
							    OPT_UNSUPPORTED)));
				goto out;
			}
			name = long_name(code);
			break;
		}
		if (options_set(&check, name, optarg, cause) < 0) {
			goto out;
		}
		c->options = xreallocarray(c->options, c->n_options + 1,
					   sizeof(*c->options));
		c->options[c->n_options++] = (struct cli_option){
			.name = name, .value = optarg, .origin = origin};
	}
	r = optind;
out:
	if (r >= 0 && origin && c->n_options > first) {
		/*
		 * Move the new options in front of the command line's (with
		 * none, c->options may be NULL, which no offset may touch).
		 */
		size_t n = c->n_options - first;
		struct cli_option *moved = xcalloc(n + 1, sizeof(*moved));
		memcpy(moved, c->options + first, n * sizeof(*moved));
		memmove(c->options + c->n_early + n, c->options + c->n_early,
			(first - c->n_early) * sizeof(*moved));
		memcpy(c->options + c->n_early, moved, n * sizeof(*moved));
		c->n_early += n;
		free(moved);
	}
	options_finish(&check);
	free(longopts);
	free(shortopts);
	return r;
}

/* Keeps an allocation until cli_finish(). */
static void *keep(struct cli *c, void *p)
{
	c->kept = xreallocarray(c->kept, c->n_kept + 1, sizeof(void *));
	c->kept[c->n_kept++] = p;
	return p;
}

int cli_parse(struct cli *c, int argc, char **argv, char **cause)
{
	memset(c, 0, sizeof(*c));
	options_init(&c->opts);
	int used = parse_options(c, argc, argv, NULL, cause);
	if (used < 0) {
		return -1;
	}
	c->n_words = (size_t)(argc - used);
	c->words = xcalloc(c->n_words + 1, sizeof(char *));
	memcpy(c->words, argv + used, c->n_words * sizeof(char *));
	return 0;
}

int cli_add_words(struct cli *c, const char *text, const char *origin,
		  char **cause)
{
	char **words, *why = NULL;
	long n = quote_split(text, &words, &why);

	origin = keep(c, xstrdup(origin));
	if (n < 0) {
		*cause = xasprintf("%s: %s", origin, why);
		free(why);
		return -1;
	}
	c->splits = xreallocarray(c->splits, c->n_splits + 1,
				  sizeof(*c->splits));
	c->splits[c->n_splits++] = words;
	char **argv = keep(c, xcalloc((size_t)n + 2, sizeof(char *)));
	argv[0] = "prun";
	memcpy(argv + 1, words, (size_t)n * sizeof(char *));
	int used = parse_options(c, (int)n + 1, argv, origin, &why);
	if (used < 0) {
		*cause = xasprintf("%s: %s", origin, why);
		free(why);
		return -1;
	}
	/*
	 * Words after the options go before the command line's words, after
	 * those of earlier files, as GNU parallel does ("nice" in $PARALLEL
	 * runs each command under nice).
	 */
	size_t extra = (size_t)(n + 1 - used);
	c->words = xreallocarray(c->words, c->n_words + extra + 1,
				 sizeof(char *));
	memmove(c->words + c->n_prefix + extra, c->words + c->n_prefix,
		(c->n_words - c->n_prefix + 1) * sizeof(char *));
	memcpy(c->words + c->n_prefix, argv + used, extra * sizeof(char *));
	c->n_prefix += extra;
	c->n_words += extra;
	return 0;
}

int cli_add_file(struct cli *c, const char *path, char **cause)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	struct buf text;
	int r = 0;

	if (!f) {
		*cause = xasprintf("cannot read %s: %s", path,
				   strerror(errno));
		return -1;
	}
	/*
	 * The lines' words make one list, as in GNU parallel: an option's
	 * value may be on the next line.  Lines whose first non-blank is #
	 * are left out.
	 */
	buf_init(&text);
	while (getline(&line, &cap, f) >= 0) {
		if (line[strspn(line, " \t")] != '#') {
			buf_adds(&text, line);
			buf_addc(&text, '\n');
		}
	}
	if (ferror(f)) {
		*cause = xasprintf("cannot read %s: %s", path,
				   strerror(errno));
		r = -1;
	} else {
		r = cli_add_words(c, text.data ? text.data : "", path, cause);
	}
	buf_finish(&text);
	free(line);
	fclose(f);
	return r;
}

/* The rest of `word` if it starts with option `name` and a blank or end. */
static const char *after_name(const char *word, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(word, name, n) != 0 || (word[n] && word[n] != ' ')) {
		return NULL;
	}
	return word + n + strspn(word + n, " ");
}

/*
 * The words are one allocation of pointers: the first holds quote_split()'s
 * list (to free), the others point into it or into argv.
 */
int cli_shebang(int argc, char **argv, char ***out, char **cause)
{
	const char *rest = NULL;
	bool wrap = false;
	static const char *const wraps[] = {"--shebang-wrap", "--shebangwrap",
					    "--hashbang-wrap", NULL};
	static const char *const plain[] = {"--shebang", "--hashbang", NULL};

	if (argc < 2) {
		return 0;
	}
	for (size_t i = 0; !rest && wraps[i]; i++) {
		rest = after_name(argv[1], wraps[i]);
		wrap = rest != NULL;
	}
	for (size_t i = 0; !rest && plain[i]; i++) {
		rest = after_name(argv[1], plain[i]);
	}
	if (!rest) {
		return 0;
	}
	char **split, *why = NULL;
	long n = quote_split(rest, &split, &why);
	if (n < 0) {
		*cause = xasprintf("%s: %s", argv[1], why);
		free(why);
		return -1;
	}
	/*
	 * Typed by hand (`prun --shebang -r echo FILE`), the script is the
	 * last word, as in GNU parallel; from a #! line it is the word after
	 * the options, and the script's own arguments follow.
	 */
	bool by_hand = rest[0] == '\0' && !wrap;
	int script = by_hand ? argc - 1 : 2;
	if (script < 2 || script >= argc) {
		quote_split_free(split);
		*cause = xasprintf("%s needs a script", wrap ? "--shebang-wrap"
							     : "--shebang");
		return -1;
	}
	char **w = xcalloc((size_t)n + (size_t)argc + 8, sizeof(char *));
	size_t k = 0;
	w[k++] = (char *)split;
	w[k++] = argv[0];
	if (!wrap) {
		/* The #! line is the first line of the script. */
		w[k++] = "--skip-first-line";
		w[k++] = "-a";
		w[k++] = argv[script];
	}
	for (long i = 0; i < n; i++) {
		w[k++] = split[i];
	}
	if (wrap) {
		/* The program runs the script once per argument. */
		w[k++] = argv[script];
		if (argc > script + 1) {
			w[k++] = ":::";
		}
	}
	for (int i = by_hand ? 2 : script + 1; i < argc; i++) {
		if (i != script) {
			w[k++] = argv[i];
		}
	}
	*out = w + 1;
	return (int)k - 1;
}

void cli_shebang_free(char **words)
{
	if (words) {
		quote_split_free((char **)words[-1]);
		free(words - 1);
	}
}

void cli_finish(struct cli *c)
{
	free(c->options);
	free(c->profiles);
	free(c->sources);
	free(c->words);
	for (size_t i = 0; i < c->n_kept; i++) {
		free(c->kept[i]);
	}
	free(c->kept);
	for (size_t i = 0; i < c->n_splits; i++) {
		quote_split_free(c->splits[i]);
	}
	free(c->splits);
	options_finish(&c->opts);
}
