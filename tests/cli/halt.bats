#!/usr/bin/env bats
# --halt, with GNU parallel's exit statuses.

load helpers

@test "--halt now,fail=1 kills the running jobs and exits with the job's status" {
	start=$(now_ms)
	run prun --halt now,fail=1 'sleep {}; exit {}' ::: 1 25 26
	assert_failure 1
	assert_output --partial "prun: this job failed: sleep 1; exit 1"
	[ $(( $(now_ms) - start )) -lt 15000 ] || fail "the other jobs were not killed"
}

@test "--halt now: a job that ended beside the failing one is logged as done" {
	cd "$BATS_TEST_TMPDIR"
	"$PRUN" -j2 --halt now,fail=1 --joblog log 'echo $$ >pid.{}
		"$AWAIT" go; exit {}' ::: 1 0 &
	pid=$!
	wait_until test -e pid.1 -a -e pid.0
	# Both end while prun is stopped, so it learns of them at once.
	kill -STOP "$pid"
	touch go
	wait_until ended "$(cat pid.1)"
	wait_until ended "$(cat pid.0)"
	kill -CONT "$pid"
	wait "$pid" || status=$?
	assert_equal "${status:-0}" 1
	run bash -c 'cut -f1,7 log | sort'
	assert_output $'1\t1\n2\t0\nSeq\tExitval'
}

@test "--halt soon,fail=1 lets running jobs finish but starts no more" {
	run prun -j2 --halt soon,fail=1 'sleep {}; echo done {}; exit 3' ::: 0.2 0.5 0.1 0.1
	assert_failure 3
	assert_output --partial "done 0.5"
	refute_output --partial "done 0.1"
	assert_output --partial "prun: starting no more jobs; waiting for 1 jobs to finish"
}

@test "--halt soon,success=1 exits 0 after the first success" {
	run prun -j1 --halt soon,success=1 'exit {}' ::: 1 0 2
	assert_success
	assert_output --partial "prun: this job succeeded: exit 0"
	refute_output --partial "exit 2"
}

@test "--halt now,done=2 stops after two jobs with the failure count" {
	run prun -j1 --halt now,done=2 'exit {}' ::: 4 5 6
	assert_failure 2
	refute_output --partial "exit 6"
}

@test "--halt now,fail=50% exits with the failed percentage" {
	run prun -j1 --halt now,fail=50% 'exit {}' ::: 0 5 6 0 0
	assert_failure 40
}

@test "--halt soon,fail=3 exits with the number of failures" {
	run prun -j1 --halt soon,fail=3 'exit {}' ::: 1 2 0 3 4
	assert_failure 3
	refute_output --partial "exit 4"
}

@test "--halt 2 is GNU parallel's old now,fail=1" {
	run prun -j1 --halt 2 exit ::: 0 3 4
	assert_failure 3
	refute_output --partial "exit 4"
}

@test "--halt never runs everything" {
	run prun -j1 --halt never exit ::: 1 2 0
	assert_failure 2
}

@test "a timed-out job triggers --halt now,fail=1" {
	run prun -j2 --timeout 0.3 --halt now,fail=1 'sleep {}' ::: 5 6
	[ "$status" -ne 0 ] || fail "exited 0"
	[ "$status" -ne 255 ] || fail "exited 255: $output"
}

@test "a bad --halt value is an error" {
	run prun --halt later true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --halt: 'later'"
}
