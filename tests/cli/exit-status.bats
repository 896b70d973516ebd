#!/usr/bin/env bats
# prun's exit status, as GNU parallel's.

load helpers

@test "exits 0 when every job succeeds" {
	run prun true ::: 1 2 3
	assert_success
}

@test "exits with the number of failed jobs" {
	run prun false ::: 1 2 3
	assert_failure 3
}

@test "counts only the jobs that failed" {
	run prun 'test {} -gt 2' ::: 1 2 3 4 5
	assert_failure 2
}

@test "exits 101 when more than 100 jobs failed" {
	run bash -c 'seq 150 | "$PRUN" false'
	assert_failure 101
}

@test "exits 100 when exactly 100 jobs failed" {
	run bash -c 'seq 100 | "$PRUN" false'
	assert_failure 100
}

@test "counts a job killed by a signal as failed" {
	run prun 'kill -9 $$' ::: 1 2
	assert_failure 2
}

@test "counts a command that is not found as failed" {
	run prun no-such-command-prun-test ::: 1
	assert_failure 1
}
