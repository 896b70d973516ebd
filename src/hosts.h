/*
 * Hosts to run jobs on, from -S/--sshlogin values and --sshloginfile
 * lines, in GNU parallel's sshlogin syntax:
 *
 *   [@group[+group...]/][N/]login      login = [user[:password]@]host[:port]
 *                                       or a whole ssh command line ending
 *                                       in one: "ssh -p 2222 user@host"
 *
 * with ":" for this machine, several sshlogins in one value separated by
 * commas ("\," and ",," for a comma inside one), and "@group" alone to
 * keep only the hosts of that group.  Pure: files are read by the caller.
 */
#ifndef PRUN_HOSTS_H
#define PRUN_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One sshlogin.  Every string is owned; GNU parallel's names for them are
 * in brackets.
 */
struct host {
	/*
	 * The sshlogin as GNU parallel writes it [string]: the ssh command
	 * if one was given, then user@host:port, without N/ and @groups;
	 * ":" for this machine.  The Host column of --joblog, {sshlogin},
	 * $PARALLEL_SSHLOGIN and the tag of --nonall/--onall --tag.
	 */
	char *login;
	/* The host alone [host]: {host}, $PARALLEL_SSHHOST; ":" locally. */
	char *host;
	char *user;		/* NULL: ssh's default */
	/* NULL: none; "" means $SSHPASS.  ssh then needs sshpass. */
	char *password;
	char *port;		/* NULL: ssh's default; a number or a name */
	long slots;		/* N/: jobs at once; 0: the host's CPUs */
	bool local;		/* ":": this machine, no ssh */
	/*
	 * The groups the host is in, NULL-terminated: those of @group/, and
	 * as GNU parallel does, "N/login" as given and the login.
	 */
	char **groups;
	/*
	 * The command that reaches the host, NULL-terminated, to be followed
	 * by `host`, "--" and the remote command: the ssh command split into
	 * words, "-p" port, "-l" user ("sshpass" "-e" first with a
	 * password).  NULL for this machine.
	 */
	char **ssh;
};

/* Hosts in the order first given, each login once. */
struct hosts {
	struct host **v;	/* owned */
	size_t n;
	/* The groups of "@group" sshlogins, NULL-terminated; NULL if none. */
	char **only;
	size_t n_only;
	int depth;		/* of nested sshloginfiles being read */
};

/*
 * Reads the sshloginfile a -S value names: ".." (the user's) or "-"
 * (standard input).  Returns 0 with an owned *text, or -errno with *cause.
 */
typedef int hosts_file_fn(void *data, const char *name, char **text,
			  char **cause);

/*
 * Parses one sshlogin (no commas) into an owned *out; ssh is the ssh
 * command of a login that gives none (--ssh, else $PARALLEL_SSH, else
 * "ssh"; NULL for "ssh").  An "@group" filter gives a host with a NULL
 * host.  Returns 0, or -EINVAL with *cause naming the sshlogin.
 */
int hosts_parse(const char *s, const char *ssh, struct host **out,
		char **cause);
/* Frees what hosts_parse() made. */
void hosts_free_host(struct host *h);

/* Whether h is in group (one of its groups() in GNU parallel). */
bool hosts_in_group(const struct host *h, const char *group);

/* Makes an empty list. */
void hosts_init(struct hosts *hs);
/* Frees the list's hosts and groups. */
void hosts_finish(struct hosts *hs);

/*
 * Adds the sshlogins of one -S value (comma- or newline-separated) to hs.
 * A login given again keeps its first place; its N/, if any, replaces the
 * slots.  ".." and "-" are read with file(data, ...) and added as
 * sshloginfiles.  Returns 0, or -errno with *cause (hs then holds the
 * sshlogins before the bad one).
 */
int hosts_add(struct hosts *hs, const char *arg, const char *ssh,
	      hosts_file_fn *file, void *data, char **cause);

/*
 * Adds the lines of an sshloginfile's text to hs as hosts_add() does,
 * but for blank lines and lines whose first non-blank is "#".
 */
int hosts_add_file(struct hosts *hs, const char *text, const char *ssh,
		   hosts_file_fn *file, void *data, char **cause);

/*
 * Keeps only the hosts in a group of an "@group" sshlogin, if any was
 * given (GNU parallel does so once all are read).
 */
void hosts_select(struct hosts *hs);

#endif
