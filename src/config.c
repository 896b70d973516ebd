/*
 * The config files, read with inih.  Every setting of every section is
 * checked as it is read (an unknown key or a bad value in a profile that
 * is not used is still an error), then the settings that apply are put in
 * the order of precedence: [defaults] of the system file, of the user
 * file, then each profile in effect (system file, user file), then the
 * command line.  config_apply() replays that list through options_set().
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "options.h"
#include "util.h"

/* The system file is PRUN_SYSCONFDIR/prun/config; meson sets it. */
#ifndef PRUN_SYSCONFDIR
#define PRUN_SYSCONFDIR "/etc"
#endif

/* The layer of the command line, after every file's. */
#define LAYER_COMMAND_LINE INT_MAX

struct setting {
	char *name;       /* owned; canonical long name, or "profile" */
	char *value;      /* owned; NULL for a flag that is set */
	bool unset;       /* a flag set to false in a file */
	const char *file; /* config::files; NULL for the command line */
	const char *origin; /* "$PARALLEL" or a GNU parallel profile file */
	unsigned line;
	char *profile;    /* owned; the NAME of its [profile NAME], or NULL */
	int layer;        /* a list set in a later layer replaces the list */
	bool dropped;     /* cancelled by a later setting */
};

struct config {
	char *files[2];            /* owned; the files looked for */
	size_t n_files;
	bool explicit;             /* files[0] is $PRUN_CONFIG */
	struct setting *profiles;  /* owned; the profiles in effect */
	size_t n_profiles;
	struct setting *settings;  /* owned; in the order they apply */
	size_t n_settings;
};

/* The state of reading the files, for inih's callbacks. */
struct loader {
	FILE *f;                   /* the file being read */
	const char *file;          /* its name; config::files */
	unsigned line;             /* the line inih has last been given */
	int max_line;              /* inih's line buffer */
	bool too_long;             /* a line did not fit in it */
	int read_errno;            /* reading failed with this */
	char *cause;               /* owned; the first error */
	unsigned cause_line;
	struct options scratch;    /* settings are checked against it */
	struct setting *read;      /* owned; every setting, in file order */
	size_t n_read;
	char **sections;           /* owned; the NAMEs of [profile NAME] */
	size_t n_sections;
	struct setting choice;     /* [defaults] profile = NAME, the last */
};

struct config *config_create(void)
{
	return xcalloc(1, sizeof(struct config));
}

static void setting_finish(struct setting *s)
{
	free(s->name);
	free(s->value);
	free(s->profile);
}

static void settings_free(struct setting *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		setting_finish(&s[i]);
	}
	free(s);
}

void config_destroy(struct config *c)
{
	if (!c) {
		return;
	}
	for (size_t i = 0; i < c->n_files; i++) {
		free(c->files[i]);
	}
	settings_free(c->profiles, c->n_profiles);
	settings_free(c->settings, c->n_settings);
	free(c);
}

static void append(struct setting **list, size_t *n, const struct setting *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = (struct setting){
		.name = xstrdup(s->name),
		.value = s->value ? xstrdup(s->value) : NULL,
		.unset = s->unset,
		.file = s->file,
		.origin = s->origin,
		.line = s->line,
		.profile = s->profile ? xstrdup(s->profile) : NULL,
		.layer = s->layer,
	};
}

/*
 * What a section header's text is: 0 for [defaults], 1 for [profile NAME]
 * (NAME in *profile, caller frees), -1 for anything else.
 */
static int section_kind(const char *text, char **profile)
{
	size_t len;

	text += strspn(text, " \t");
	len = strlen(text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t')) {
		len--;
	}
	if (len == 8 && strncmp(text, "defaults", 8) == 0) {
		return 0;
	}
	if (len > 8 && strncmp(text, "profile", 7) == 0 &&
	    (text[7] == ' ' || text[7] == '\t')) {
		size_t skip = 7 + strspn(text + 7, " \t");
		*profile = xmemdup(text + skip, len - skip);
		return 1;
	}
	return -1;
}

/* Records the first error, at the line being read. */
static void fail(struct loader *l, unsigned line, char *cause)
{
	if (l->cause) {
		free(cause);
		return;
	}
	l->cause = xasprintf("%s:%u: %s", l->file, line, cause);
	l->cause_line = line;
	free(cause);
}

/*
 * Checks a line that inih would not take as a setting: a section header
 * (noting the profiles there are) or a line of neither kind.  Returns
 * false after an error.
 */
static bool check_line(struct loader *l, char *s)
{
	size_t len = strlen(s);
	char *profile = NULL;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
			   s[len - 1] == ' ' || s[len - 1] == '\t')) {
		len--;
	}
	if (len == 0 || s[0] == '#' || s[0] == ';' ||
	    (s[0] != '[' && strcspn(s, "=:") < len)) {
		return true;
	}
	if (s[0] != '[') {
		char *word = xmemdup(s, len);
		const char *name = options_canonical(word);
		if (name && !options_takes_value(name)) {
			fail(l, l->line, xasprintf("'%s' needs a value: "
						   "write '%s = true'",
						   word, word));
		} else {
			fail(l, l->line, xasprintf("want 'key = value', "
						   "[defaults] or "
						   "[profile NAME]"));
		}
		free(word);
		return false;
	}
	char *end = memchr(s, ']', len);
	if (!end) {
		fail(l, l->line, xasprintf("a section header without ']'"));
		return false;
	}
	char *text = xmemdup(s + 1, (size_t)(end - s - 1));
	int kind = section_kind(text, &profile);
	if (kind < 0) {
		fail(l, l->line, xasprintf("unknown section '[%s]' (want "
					   "[defaults] or [profile NAME])",
					   text));
	} else if (kind == 1) {
		l->sections = xreallocarray(l->sections, l->n_sections + 1,
					    sizeof(char *));
		l->sections[l->n_sections++] = profile;
	}
	free(text);
	return kind >= 0;
}

/*
 * inih's reader: one line per call, counted, so that a setting knows its
 * line.  A line longer than inih's buffer is an error, not two lines.
 * Leading white space is removed: indentation means nothing here (inih
 * would take an indented line as more of the value above it).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;

	l->max_line = num;
	if (!fgets(str, num, l->f)) {
		if (ferror(l->f)) {
			l->read_errno = errno;
		}
		return NULL;
	}
	size_t len = strlen(str);
	if (len > 0 && str[len - 1] != '\n') {
		int ch = getc(l->f);
		if (ch != EOF) {
			l->too_long = true;
			return NULL;
		}
	}
	l->line++;
	char *start = str;
	if (l->line == 1 && len >= 3 && memcmp(str, "\xEF\xBB\xBF", 3) == 0) {
		start += 3; /* a UTF-8 byte order mark */
	}
	while (*start == ' ' || *start == '\t') {
		start++;
	}
	memmove(str, start, len - (size_t)(start - str) + 1);
	if (!check_line(l, str)) {
		return NULL;
	}
	return str;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

/* Options that have a meaning on the command line only. */
static bool command_line_only(const char *name)
{
	return strcmp(name, "help") == 0 || strcmp(name, "version") == 0 ||
	       strcmp(name, "show-config") == 0;
}

/* inih's handler: checks one setting and keeps it. */
static int on_setting(void *user, const char *section, const char *key,
		      const char *value)
{
	struct loader *l = user;
	struct setting s = {.file = l->file, .line = l->line};
	const char *name = options_canonical(key);
	char *cause = NULL;
	bool on = true;

	if (l->cause) {
		return 1;
	}
	int kind = section_kind(section, &s.profile);
	if (kind < 0) {
		cause = xasprintf("'%s' is outside a section (start with "
				  "[defaults] or [profile NAME])", key);
	} else if (strcmp(key, "profile") == 0) {
		if (kind == 1) {
			cause = xasprintf("'profile' is only allowed in "
					  "[defaults]");
		} else {
			free(l->choice.value);
			l->choice.value = xstrdup(value);
			l->choice.file = l->file;
			l->choice.line = l->line;
		}
		free(s.profile);
		goto done;
	} else if (command_line_only(key)) {
		cause = xasprintf("'%s' is only allowed on the command line",
				  key);
	} else if (!name) {
		cause = xasprintf("unknown option '%s'", key);
	} else if (!options_takes_value(name)) {
		if (parse_bool(value, &on) < 0) {
			cause = xasprintf("bad value for --%s: '%s' (want "
					  "true or false)", name, value);
		}
		s.unset = !on;
	} else if (options_set(&l->scratch, name, value, &cause) == 0) {
		s.value = (char *)value;
	}
	if (!cause) {
		s.name = (char *)name;
		append(&l->read, &l->n_read, &s);
	}
	free(s.profile);
done:
	if (cause) {
		fail(l, l->line, cause);
		return 0;
	}
	return 1;
}

/*
 * Reads one file into l->read.  A missing file is fine unless
 * `must_exist`.  Returns 0, or -1 with *cause.
 */
static int read_file(struct loader *l, const char *path, bool must_exist,
		     char **cause)
{
	l->f = fopen(path, "r");
	if (!l->f) {
		if (!must_exist && (errno == ENOENT || errno == ENOTDIR)) {
			return 0;
		}
		*cause = xasprintf("cannot read '%s': %s", path,
				   strerror(errno));
		return -1;
	}
	l->file = path;
	l->line = 0;
	l->too_long = false;
	l->read_errno = 0;
	int r = ini_parse_stream(read_line, l, on_setting, l);
	fclose(l->f);
	l->f = NULL;
	if (r > 0 && (!l->cause || (unsigned)r < l->cause_line)) {
		*cause = xasprintf("%s:%d: want 'key = value', [defaults] or "
				   "[profile NAME]", path, r);
	} else if (l->cause) {
		*cause = l->cause;
		l->cause = NULL;
	} else if (l->too_long) {
		*cause = xasprintf("%s:%u: line longer than %d bytes", path,
				   l->line + 1, l->max_line - 2);
	} else if (l->read_errno) {
		*cause = xasprintf("cannot read '%s': %s", path,
				   strerror(l->read_errno));
	} else if (r != 0) {
		*cause = xasprintf("cannot read '%s'", path);
	} else {
		return 0;
	}
	return -1;
}

/* The files looked for, as "A or B", for a missing profile. */
static char *file_list(const struct config *c)
{
	return c->n_files == 1 ? xstrdup(c->files[0])
			       : xasprintf("%s or %s", c->files[0],
					   c->files[1]);
}

static bool has_section(const struct loader *l, const char *profile)
{
	for (size_t i = 0; i < l->n_sections; i++) {
		if (strcmp(l->sections[i], profile) == 0) {
			return true;
		}
	}
	return false;
}

/* Which files there are to read: $PRUN_CONFIG, or the system's and the
 * user's. */
static void find_files(struct config *c)
{
	const char *env = getenv("PRUN_CONFIG");
	const char *sys = getenv("PRUN_SYSCONFDIR");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (env && env[0]) {
		c->files[c->n_files++] = xstrdup(env);
		c->explicit = true;
		return;
	}
	c->files[c->n_files++] = xasprintf("%s/prun/config",
					   sys && sys[0] ? sys
							 : PRUN_SYSCONFDIR);
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg && xdg[0] == '/') {
		c->files[c->n_files++] = xasprintf("%s/prun/config", xdg);
	} else if (home && home[0]) {
		c->files[c->n_files++] = xasprintf("%s/.config/prun/config",
						   home);
	}
}

/* Puts the settings of one layer (a file's section) in effect. */
static void add_layer(struct config *c, const struct loader *l,
		      const char *file, const char *profile, int layer)
{
	for (size_t i = 0; i < l->n_read; i++) {
		const struct setting *s = &l->read[i];
		if (s->file == file &&
		    (profile ? s->profile && strcmp(s->profile, profile) == 0
			     : !s->profile)) {
			append(&c->settings, &c->n_settings, s);
			c->settings[c->n_settings - 1].layer = layer;
		}
	}
}

int config_load(struct config *c, const char *const *profiles,
		size_t n_profiles, const bool *elsewhere, char **cause)
{
	struct loader l = {0};
	char *files = NULL;
	int r = -1;

	options_init(&l.scratch);
	find_files(c);
	for (size_t i = 0; i < c->n_files; i++) {
		if (read_file(&l, c->files[i], c->explicit, cause) < 0) {
			goto out;
		}
	}
	/* The profiles of the command line, else the choice of [defaults]. */
	files = file_list(c);
	if (l.choice.value && l.choice.value[0] &&
	    !has_section(&l, l.choice.value)) {
		*cause = xasprintf("%s:%u: no [profile %s] in %s",
				   l.choice.file, l.choice.line,
				   l.choice.value, files);
		goto out;
	}
	for (size_t i = 0; i < n_profiles; i++) {
		if (!has_section(&l, profiles[i]) &&
		    !(elsewhere && elsewhere[i])) {
			*cause = xasprintf("no [profile %s] in %s",
					   profiles[i], files);
			goto out;
		}
		append(&c->profiles, &c->n_profiles, &(struct setting){
			.name = "profile", .value = (char *)profiles[i]});
	}
	if (n_profiles == 0 && l.choice.value && l.choice.value[0]) {
		l.choice.name = "profile";
		append(&c->profiles, &c->n_profiles, &l.choice);
	}
	int layer = 0;
	for (size_t f = 0; f < c->n_files; f++) {
		add_layer(c, &l, c->files[f], NULL, layer++);
	}
	for (size_t p = 0; p < c->n_profiles; p++) {
		for (size_t f = 0; f < c->n_files; f++) {
			add_layer(c, &l, c->files[f], c->profiles[p].value,
				  layer++);
		}
	}
	r = 0;
out:
	free(files);
	free(l.cause);
	free(l.choice.value);
	settings_free(l.read, l.n_read);
	for (size_t i = 0; i < l.n_sections; i++) {
		free(l.sections[i]);
	}
	free(l.sections);
	options_finish(&l.scratch);
	return r;
}

void config_add(struct config *c, const char *name, const char *value,
		const char *origin)
{
	append(&c->settings, &c->n_settings, &(struct setting){
		.name = (char *)name,
		.value = (char *)value,
		.origin = origin,
		.layer = LAYER_COMMAND_LINE,
	});
}

int config_apply(struct config *c, struct options *o, char **cause)
{
	/*
	 * A flag set to false cancels the same flag set before it, and a
	 * list (arg-file, rpl, filter) given in a layer replaces the earlier layers'.
	 */
	for (size_t i = 0; i < c->n_settings; i++) {
		const struct setting *s = &c->settings[i];
		bool list = options_is_list(s->name);
		for (size_t j = 0; j < i && (s->unset || list); j++) {
			struct setting *t = &c->settings[j];
			if (strcmp(t->name, s->name) == 0 &&
			    (s->unset || t->layer != s->layer)) {
				t->dropped = true;
			}
		}
	}
	for (size_t i = 0; i < c->n_settings; i++) {
		const struct setting *s = &c->settings[i];
		char *why = NULL;
		if (s->dropped || s->unset ||
		    options_set(o, s->name, s->value, &why) == 0) {
			continue;
		}
		if (s->file) {
			*cause = xasprintf("%s:%u: %s", s->file, s->line, why);
			free(why);
		} else if (s->origin) {
			*cause = xasprintf("%s: %s", s->origin, why);
			free(why);
		} else {
			*cause = why;
		}
		return -1;
	}
	return 0;
}

/*
 * Prints a value on one line: control characters (a newline from the
 * command line) are shown as escapes.
 */
static void print_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == '\n') {
			fputs("\\n", out);
		} else if (ch == '\r') {
			fputs("\\r", out);
		} else if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			fprintf(out, "\\x%02x", ch);
		} else {
			putc(ch, out);
		}
	}
}

static void show(FILE *out, const struct setting *from, const char *name,
		 const char *value)
{
	if (!from) {
		fputs("default", out);
	} else if (from->file) {
		fprintf(out, "%s:%u", from->file, from->line);
	} else if (from->origin) {
		fputs(from->origin, out);
	} else {
		fputs("command line", out);
	}
	fprintf(out, "\t%s =", name);
	if (value[0]) {
		putc(' ', out);
		print_value(out, value);
	}
	putc('\n', out);
}

/* The last setting in effect that changed what option `name` shows. */
static const struct setting *origin(const struct config *c,
				    const char *name)
{
	const char *field = options_field(name);

	for (size_t i = c->n_settings; i-- > 0;) {
		const struct setting *s = &c->settings[i];
		if (!s->dropped && strcmp(options_field(s->name), field) == 0) {
			return s;
		}
	}
	return NULL;
}

void config_show(const struct config *c, const struct options *o,
		 FILE *out)
{
	const char *name;

	for (size_t i = 0; i < c->n_profiles; i++) {
		show(out, &c->profiles[i], "profile", c->profiles[i].value);
	}
	if (c->n_profiles == 0) {
		show(out, NULL, "profile", "");
	}
	for (size_t i = 0; (name = options_name(i, NULL)); i++) {
		if (!options_is_list(name)) {
			char *value = options_get(o, name);
			if (value) {
				show(out, origin(c, name), name, value);
			}
			free(value);
			continue;
		}
		/* A list: a line for each value. */
		bool any = false;
		for (size_t k = 0; k < c->n_settings; k++) {
			const struct setting *s = &c->settings[k];
			if (!s->dropped && strcmp(s->name, name) == 0) {
				show(out, s, name, s->value);
				any = true;
			}
		}
		if (!any) {
			show(out, NULL, name, "");
		}
	}
}

/* Appends dir/name to the list if it is a readable file. */
static void add_readable(char ***list, size_t *n, char *path)
{
	if (access(path, R_OK) == 0) {
		*list = xreallocarray(*list, *n + 2, sizeof(char *));
		(*list)[(*n)++] = path;
		(*list)[*n] = NULL;
	} else {
		free(path);
	}
}

char **config_gnu_profiles(const char *name)
{
	const char *home = getenv("HOME");
	const char *pdir = getenv("PARALLEL_HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *dirs = getenv("XDG_CONFIG_DIRS");
	char **list = xcalloc(1, sizeof(char *));
	size_t n = 0;

	if (name[0] == '/' || strncmp(name, "./", 2) == 0) {
		add_readable(&list, &n, xstrdup(name));
		return list;
	}
	/* GNU parallel's config dirs, in its order. */
	if (pdir && pdir[0]) {
		add_readable(&list, &n, xasprintf("%s/%s", pdir, name));
	}
	if (xdg && xdg[0]) {
		add_readable(&list, &n, xasprintf("%s/parallel/%s", xdg,
						  name));
	}
	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		if (len > 0) {
			add_readable(&list, &n, xasprintf("%.*s/parallel/%s",
							  (int)len, dirs,
							  name));
		}
		dirs += len + (dirs[len] == ':');
	}
	if (home && home[0]) {
		add_readable(&list, &n, xasprintf("%s/.parallel/%s", home,
						  name));
	}
	return list;
}
