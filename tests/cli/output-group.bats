#!/usr/bin/env bats
# Grouped output: each job's output comes out whole.

load helpers

@test "two jobs printing 10 MB each never interleave" {
	run bash -c '"$PRUN" -j2 "head -c 10000000 /dev/zero | tr \\\\0 {}" ::: a b |
		tr -s ab | od -An -c | tr -d " \n"'
	assert_success
	[ "$output" = "ab" ] || [ "$output" = "ba" ] ||
		fail "output interleaved: $output"
}

@test "keeps each job's lines together even when jobs print slowly" {
	run prun -j3 'for i in 1 2 3; do echo {}$i; sleep 0.1; done' ::: a b c
	assert_success
	for j in a b c; do
		printf '%s\n' "${lines[@]}" | grep -A2 "^${j}1\$" |
			tr -d '\n' | grep -qx "${j}1${j}2${j}3" ||
			fail "lines of job $j are not together: $output"
	done
}

@test "writes a job's stderr to stderr and its stdout to stdout" {
	run bash -c '"$PRUN" "echo out {}; echo err {} >&2" ::: x 2>/dev/null'
	assert_output "out x"
	run bash -c '"$PRUN" "echo out {}; echo err {} >&2" ::: x 2>&1 >/dev/null'
	assert_output "err x"
}

@test "passes output through byte for byte, NUL bytes and all" {
	head -c 300000 /dev/urandom > "$BATS_TEST_TMPDIR/blob"
	run bash -c '"$PRUN" cat ::: "$1" | cmp - "$1"' _ "$BATS_TEST_TMPDIR/blob"
	assert_success
}

@test "keeps output without a final newline as it is" {
	run bash -c '"$PRUN" -k printf %s ::: a b | od -An -c | tr -d " \n"'
	assert_output "ab"
}

@test "-k prints outputs in input order" {
	run prun -k -j3 'sleep {}; echo {}' ::: 0.6 0.2 0.4
	assert_success
	assert_output $'0.6\n0.2\n0.4'
}

@test "leaves no spool file behind" {
	run prun -k 'seq 1000' ::: 1 2 3
	assert_success
	run ls -A "$TMPDIR"
	assert_output ""
}
