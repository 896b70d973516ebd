/*
 * --record-env and --env.  GNU parallel copies the variables --env names
 * into the environment of remote jobs; local jobs get the whole
 * environment anyway, so for them --env _ only needs its record to exist,
 * as GNU parallel checks.  The record lives where GNU parallel keeps it,
 * so that both read the same file.
 */
#include "gnuenv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * GNU parallel's config dir: the first that exists of $PARALLEL_HOME,
 * $XDG_CONFIG_HOME/parallel, each of $XDG_CONFIG_DIRS' parallel and
 * ~/.parallel; else ~/.parallel.  Owned by the caller.
 */
static char *config_dir(void)
{
	const char *pdir = getenv("PARALLEL_HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *dirs = getenv("XDG_CONFIG_DIRS");
	const char *home = getenv("HOME");
	char *d;

	if (pdir && pdir[0] && is_dir(pdir)) {
		return xstrdup(pdir);
	}
	if (xdg && xdg[0]) {
		d = xasprintf("%s/parallel", xdg);
		if (is_dir(d)) {
			return d;
		}
		free(d);
	}
	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		d = xasprintf("%.*s/parallel", (int)len, dirs);
		if (len > 0 && is_dir(d)) {
			return d;
		}
		free(d);
		dirs += len + (dirs[len] == ':');
	}
	return xasprintf("%s/.parallel", home ? home : "");
}

int gnuenv_record(char **cause)
{
	char *dir = config_dir();
	char *path = xasprintf("%s/ignored_vars", dir);
	FILE *f = NULL;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		goto fail;
	}
	f = fopen(path, "w");
	if (!f) {
		goto fail;
	}
	for (char **e = environ; *e; e++) {
		size_t len = strcspn(*e, "=");
		fprintf(f, "%.*s\n", (int)len, *e);
	}
	if (fclose(f) != 0) {
		goto fail;
	}
	free(dir);
	free(path);
	return 0;
fail:
	*cause = xasprintf("--record-env: cannot write '%s': %s", path,
			   strerror(errno));
	free(dir);
	free(path);
	return -1;
}

int gnuenv_check(const char *names, char **cause)
{
	const char *p = names;

	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == 1 && p[0] == '_') {
			char *dir = config_dir();
			char *path = xasprintf("%s/ignored_vars", dir);
			int ok = access(path, R_OK) == 0;
			free(dir);
			free(path);
			if (!ok) {
				*cause = xstrdup("--env _: run 'prun "
						 "--record-env' in a clean "
						 "environment first");
				return -1;
			}
		}
		p += len + (p[len] == ',');
	}
	return 0;
}
