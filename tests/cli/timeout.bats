#!/usr/bin/env bats
# --timeout and --termseq.

load helpers

bats_require_minimum_version 1.5.0

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
	# 0.2 s jobs are let run 2 s: a slow one is not taken for a long one.
	run prun -j1 --timeout 1000% 'sleep {}; echo ok {}' ::: 0.2 0.2 0.2 30
	assert_failure 1
	assert_output --partial "ok 0.2"
	refute_line "ok 30"
	assert_output --partial "timed out: sleep 30"
}

@test "--termseq sends its signals in order until the job is gone" {
	# The job notes USR1 and goes on (its sleep ignores USR1); it notes
	# TERM and ends.  It has 1 s to set its traps, and 5 s to end on TERM
	# before the KILL.
	run --separate-stderr prun --timeout 1 --termseq USR1,200,TERM,5000,KILL,25 \
		"trap 'echo got USR1' USR1; trap 'echo got TERM; exit 3' TERM
		(trap '' USR1; exec sleep 10) & wait; wait; true {}" ::: 1
	assert_failure 1
	assert_output $'got USR1\ngot TERM'
	assert_equal "$stderr" "prun: this job was killed because it timed out: trap 'echo got USR1' USR1; trap 'echo got TERM; exit 3' TERM
		(trap '' USR1; exec sleep 10) & wait; wait; true 1"
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

@test "a job that ended at its limit, before prun saw it end, has not timed out" {
	cd "$BATS_TEST_TMPDIR"
	"$PRUN" --timeout 0.5 'echo $$ >pid
		"$AWAIT" go && echo done {}' ::: 1 >out 2>err &
	pid=$!
	wait_until test -s pid
	# The job ends while prun is stopped; prun goes on after the limit.
	kill -STOP "$pid"
	start=$(now_ms)
	touch go
	wait_until ended "$(cat pid)"
	while (($(now_ms) - start < 700)); do sleep 0.1; done
	kill -CONT "$pid"
	wait "$pid" || status=$?
	assert_equal "${status:-0}" 0
	assert_equal "$(cat out)" "done 1"
	assert_equal "$(cat err)" ""
}
