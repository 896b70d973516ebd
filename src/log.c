/*
 * Diagnostics: one line each on stderr, prefixed "prun: ".  The line is
 * assembled first and written with one write(2), so it never tears.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long lines;

unsigned long log_lines(void)
{
	return lines;
}

static void vlog(const char *fmt, va_list ap)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "prun: ");
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);

	if (m < 0) {
		m = 0;
	}
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
	}
	line[len++] = '\n';
	ssize_t r = write(STDERR_FILENO, line, len);
	(void)r;
	lines++;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	exit(255);
}
