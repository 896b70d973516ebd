#!/usr/bin/env bats
# PRUN_DEBUG_LOOP_CLOSE=1 reports whether prun's event loop closed at exit
# (uv_loop_close() returned 0: no handle or request was left open).  The
# soak tests (tests/soak/) rely on this line; these cases check that it
# says 0 after runs of every kind, and that it tells the truth when the
# loop cannot close.

load helpers

setup() {
	prun_setup
	export PRUN_DEBUG_LOOP_CLOSE=1
}

# Runs prun with the arguments given; asserts exit status $STATUS (default
# 0) and that stderr ends with the line of a closed loop.
closes() {
	run --separate-stderr prun "$@"
	assert_equal "$status" "${STATUS:-0}"
	assert_equal "${stderr_lines[-1]}" "prun: loop closed: 0"
}

@test "loop closed: a plain run, its output unchanged" {
	closes -k echo ::: a b c
	assert_output "a
b
c"
	assert_equal "$stderr" "prun: loop closed: 0"
}

@test "loop closed: no line unless the variable is 1" {
	PRUN_DEBUG_LOOP_CLOSE= run --separate-stderr prun echo ::: a
	assert_success
	assert_equal "$stderr" ""
	PRUN_DEBUG_LOOP_CLOSE=0 run --separate-stderr prun echo ::: a
	assert_success
	assert_equal "$stderr" ""
}

@test "loop closed: arguments read from stdin" {
	closes -j2 echo < <(seq 100)
	assert_equal "${#lines[@]}" 100
}

@test "loop closed: -k, --line-buffer, --pipe, --joblog" {
	closes -k -j3 'sleep 0.{}; echo {}' ::: 3 1 2
	assert_output "3
1
2"
	closes --line-buffer -j2 echo ::: a b
	closes --pipe -N2 wc -l < <(seq 5)
	closes --joblog "$BATS_TEST_TMPDIR/log" echo ::: a b
	assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/log")" 3
}

@test "loop closed: failing jobs and --timeout" {
	STATUS=2 closes 'exit {}' ::: 0 1 3
	STATUS=1 closes --timeout 0.2 sleep ::: 5
}

@test "loop closed: --halt now while input is still open is reported" {
	# The read of stdin is stuck on libuv's thread pool: the loop cannot
	# close, and prun leaves without waiting for the input to end.
	local fifo=$BATS_TEST_TMPDIR/in t0 writer
	mkfifo "$fifo"
	(echo 1; exec sleep 30) > "$fifo" 3>&- &
	writer=$!
	t0=$(now_ms)
	run --separate-stderr prun --halt now,fail=1 false < "$fifo"
	kill "$writer"
	assert_failure 1
	assert_equal "${stderr_lines[-1]}" "prun: loop closed: EBUSY"
	(($(now_ms) - t0 < 20000))
}
