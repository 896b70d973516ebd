#!/usr/bin/env bats
# --retries, --delay, --load, --memfree, --nice.

load helpers

@test "--retries runs a failing job up to N times in all" {
	run prun --retries 3 "echo try; echo x >> $BATS_TEST_TMPDIR/count; false # {}" ::: 1
	assert_failure 1
	assert_output "try"
	assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/count")" 3
}

@test "--retries stops retrying once the job succeeds" {
	run prun --retries 5 "echo x >> $BATS_TEST_TMPDIR/c; test \$(wc -l < $BATS_TEST_TMPDIR/c) -ge 2 # {}" ::: 1
	assert_success
	assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/c")" 2
}

@test "--delay spaces out job starts" {
	start=$(now_ms)
	run prun -j4 --delay 0.3 true ::: 1 2 3 4
	assert_success
	elapsed=$(( $(now_ms) - start ))
	[ "$elapsed" -ge 850 ] || fail "four starts took ${elapsed} ms"
}

@test "--load starts no job while the load is above the limit" {
	read -r load _ < /proc/loadavg
	run timeout 3 "$PRUN" --load 0.00001 'echo ran # {}' ::: 1
	if awk "BEGIN{exit !($load > 0.00001)}"; then
		assert_equal "$status" 124
		refute_output --partial ran
	fi
	run prun --load 100000 'echo ran # {}' ::: 1
	assert_output ran
}

@test "--memfree starts no job while less memory is free" {
	run timeout 3 "$PRUN" --memfree 1000T 'echo ran # {}' ::: 1
	assert_equal "$status" 124
	refute_output --partial ran
	run prun --memfree 1M 'echo ran # {}' ::: 1
	assert_output ran
}

@test "--nice runs the jobs at that niceness" {
	run prun --nice 7 'ps -o ni= -p $$; true {}' ::: 1
	assert_output --regexp '^ *7$'
}

@test "bad pacing values are errors" {
	run prun --memfree lots true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --memfree: 'lots'"
	run prun --nice 99 true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --nice: '99'"
	run prun --retries -1 true ::: 1
	assert_failure 255
	assert_output --partial "prun: bad value for --retries: '-1'"
}
