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

# Jobs that print little reach prun through pipes; once one prints much,
# later jobs write temp files themselves: the output is the same.
@test "jobs that print much and jobs that print little never interleave" {
	run bash -c '"$PRUN" -j3 "yes {} | head -n {}" ::: 5 300000 1 200000 3 250000 2 |
		uniq -c | sort -k2n'
	assert_success
	assert_output "$(printf '%7d %d\n' 1 1 2 2 3 3 5 5 200000 200000 \
		250000 250000 300000 300000)"
}

@test "-k keeps order and bytes when some jobs print much and some little" {
	expected=$(for n in 5 300000 1 200000 3 250000 2; do seq $n; done | cksum)
	run bash -c '"$PRUN" -k -j3 "seq {}; seq {} >&2" ::: 5 300000 1 200000 3 250000 2 2>/dev/null | cksum'
	assert_success
	assert_output "$expected"
	run bash -c '"$PRUN" -k -j3 "seq {}; seq {} >&2" ::: 5 300000 1 200000 3 250000 2 2>&1 >/dev/null | cksum'
	assert_success
	assert_output "$expected"
}

@test "a job's output is whole although a process it left holds its stdout" {
	for mode in --group -k --line-buffer; do
		t0=$(now_ms)
		run prun -j1 $mode 'echo {}; sleep 30 & echo {} done' ::: a b
		assert_success
		assert_output $'a\na done\nb\nb done'
		[ $(( $(now_ms) - t0 )) -lt 15000 ] ||
			fail "prun $mode waited for the leftovers"
	done
}
