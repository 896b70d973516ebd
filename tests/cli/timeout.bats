#!/usr/bin/env bats
# --timeout and --termseq.

load helpers

@test "--timeout kills a job that runs too long and counts it as failed" {
	start=$(now_ms)
	run prun --timeout 0.5 'sleep {}; echo finished {}' ::: 30 0
	elapsed=$(( $(now_ms) - start ))
	assert_failure 1
	assert_output --partial "prun: this job was killed because it timed out: sleep 30; echo finished 30"
	assert_output --partial "finished 0"
	refute_line "finished 30"
	[ "$elapsed" -lt 15000 ] || fail "took ${elapsed} ms"
}

@test "--timeout kills the whole process tree of the job" {
	marker="prun-timeout-$$-$RANDOM"
	run prun --timeout 0.3 "sh -c 'sleep 30; :' $marker & sh -c 'sleep 30; :' $marker-2; true {}" ::: 1
	assert_failure 1
	assert_no_process "$marker"
}

@test "--timeout N% is relative to the median runtime of successful jobs" {
	run prun -j1 --timeout 300% 'sleep {}; echo ok {}' ::: 0.2 0.2 0.2 3
	assert_failure 1
	assert_output --partial "ok 0.2"
	refute_line "ok 3"
	assert_output --partial "timed out: sleep 3"
}

@test "--termseq sends its signals in order until the job is gone" {
	run prun --timeout 0.2 --termseq USR1,200,TERM,100,KILL,25 \
		"trap 'echo got USR1' USR1; trap 'echo got TERM; exit 3' TERM; sleep 5 & wait; wait; true {}" ::: 1
	assert_failure 1
	assert_output --partial "got USR1"
	assert_output --partial "got TERM"
}

@test "a job that ignores TERM is killed at the end of the sequence" {
	start=$(now_ms)
	run prun --timeout 0.2 --termseq TERM,100,KILL,25 "trap '' TERM; sleep 30; true {}" ::: 1
	assert_failure 1
	[ $(( $(now_ms) - start )) -lt 15000 ] || fail "the job was not killed"
}

@test "bad --timeout and --termseq values are errors" {
	run prun --timeout abc true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --timeout: 'abc'"
	run prun --termseq TERM,x true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --termseq: 'TERM,x'"
}
