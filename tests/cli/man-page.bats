#!/usr/bin/env bats
# The man pages in doc/: prun(1) and the config file's prun(5).

load helpers
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# Renders doc/$1.scd with scdoc into $BATS_TEST_TMPDIR/$1.
render() {
	command -v scdoc >/dev/null || skip "scdoc is not installed"
	command -v man >/dev/null || skip "man is not installed"
	scdoc <"$TOP/doc/$1.scd" >"$BATS_TEST_TMPDIR/$1"
}

@test "prun(1) renders without a warning from man --warnings" {
	render prun.1
	run bash -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' \
		bash "$BATS_TEST_TMPDIR/prun.1"
	assert_success
	assert_output ""
}

@test "prun(5) renders without a warning from man --warnings" {
	render prun.5
	run bash -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' \
		bash "$BATS_TEST_TMPDIR/prun.5"
	assert_success
	assert_output ""
}

@test "prun(1) has the sections a reader looks for" {
	run grep -E '^# ' "$TOP/doc/prun.1.scd"
	assert_success
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "REPLACEMENT STRINGS" \
		"INPUT SOURCES" OUTPUT "RUNNING COMMANDS" "JOB ENVIRONMENT" \
		"EXIT STATUS" ENVIRONMENT FILES EXAMPLES \
		"DIFFERENCES FROM GNU PARALLEL" "SEE ALSO"; do
		assert_line "# $s"
	done
}

@test "prun(1) explains every replacement string" {
	for r in '{}' '{.}' '{/}' '{//}' '{/.}' '{#}' '{%}' '{*_n_*}' \
		'{-*_n_*}'; do
		run grep -F -- "*$r*" "$TOP/doc/prun.1.scd"
		assert_success
	done
}
