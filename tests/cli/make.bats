#!/usr/bin/env bats
# prun in a Makefile recipe under make -j2.

load helpers

setup_make() {
	command -v make >/dev/null || skip "make is not installed"
	cd "$BATS_TEST_TMPDIR"
	printf 'all: a b\na:\n\t"$(PRUN)" --halt now,fail=1 %s\nb:\n\tsleep 0.1\n' "$1" > Makefile
}

@test "a failing job with --halt now,fail=1 fails make with prun's status" {
	setup_make "'sleep {}; exit {}' ::: 3 27 25"
	start=$(now_ms)
	run make -j2 PRUN="$PRUN"
	assert_failure
	assert_output --partial "Error 3"
	[ $(( $(now_ms) - start )) -lt 15000 ] || fail "the other jobs were not killed"
}

@test "Ctrl-C stops make, prun and every job promptly" {
	marker="prun-make-$$-$RANDOM"
	setup_make "\"sh -c 'sleep 60; :' $marker-{} & sleep 60\" ::: 1 2 3"
	setsid make -j2 PRUN="$PRUN" >/dev/null 2>&1 3>&- &
	pid=$!
	# Once the first job's inner sh runs, prun takes SIGINT (it sets its
	# handler before it starts jobs; until then SIGINT is ignored, as make
	# left it, started in the background).
	wait_until pgrep -f -- "sleep 60; : $marker-1" >/dev/null
	start=$(now_ms)
	kill -INT -- "-$pid"
	wait "$pid" || true
	[ $(( $(now_ms) - start )) -lt 15000 ] || fail "make took long to stop"
	sleep 0.2
	assert_no_process "$marker"
}
