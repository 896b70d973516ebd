#!/usr/bin/env bats
# Memory stays bounded: prun's peak RSS, for input and output far larger
# than it, as /usr/bin/time measures it.  Only builds without sanitizers
# run this file (they hold freed memory back, and ASan's shadow counts).

load helpers

setup() {
	prun_setup
	[ -x /usr/bin/time ] || skip "needs /usr/bin/time"
}

@test "a million input lines run in constant memory" {
	run bash -c 'seq 1000000 | /usr/bin/time -f "%M" "$PRUN" -j2 -N1000 true 2>&1 >/dev/null'
	assert_success
	[ "${lines[-1]}" -lt 16384 ] || fail "peak RSS ${lines[-1]} KiB"
}

@test "--line-buffer holds a 40 MB line in a temp file, not in memory" {
	run bash -c '/usr/bin/time -f %M -o "$1/rss" "$PRUN" --line-buffer -j2 \
		"head -c 20000000 /dev/zero | tr \\\\0 {}; echo" ::: a b |
		awk "{ n = length(\$0); gsub(substr(\$0, 1, 1), \"\"); print n, length(\$0) }"' _ "$BATS_TEST_TMPDIR"
	assert_success
	assert_output $'20000000 0\n20000000 0'
	rss=$(cat "$BATS_TEST_TMPDIR/rss")
	[ "$rss" -lt 20000 ] || fail "peak RSS was ${rss} KiB"
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "--line-buffer stops reading jobs while the reader is slow" {
	run bash -c '/usr/bin/time -f %M -o "$1/rss" "$PRUN" --line-buffer \
		"head -c 100000000 /dev/zero | tr \\\\0 a | fold -w 100 # {}" ::: x |
		{ sleep 2; wc -c; }' _ "$BATS_TEST_TMPDIR"
	assert_success
	assert_output 100999999
	rss=$(cat "$BATS_TEST_TMPDIR/rss")
	[ "$rss" -lt 32768 ] || fail "peak RSS was ${rss} KiB"
}

@test "-k holds later jobs' output on disk, not in memory" {
	run bash -c '/usr/bin/time -f %M -o "$1/rss" "$PRUN" -k -j3 \
		"if [ {} = 1 ]; then sleep 1; else head -c 33554432 /dev/zero; fi" \
		::: 1 2 3 4 5 6 | wc -c' _ "$BATS_TEST_TMPDIR"
	assert_success
	assert_output $((5 * 33554432))
	rss=$(cat "$BATS_TEST_TMPDIR/rss")
	[ "$rss" -lt 32768 ] || fail "peak RSS was ${rss} KiB"
}

@test "-k holds a large stderr of the live job on disk, not in memory" {
	head -c 40000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	run bash -c '/usr/bin/time -f %M -o "$1/rss" "$PRUN" -k \
		"cat $1/big >&2; echo o; sleep 0.5; echo p" ::: 1 2 2>&1 |
		cmp - <(for i in 1 2; do echo o; echo p $i; cat "$1/big"; done)' \
		_ "$BATS_TEST_TMPDIR"
	assert_success
	rss=$(cat "$BATS_TEST_TMPDIR/rss")
	[ "$rss" -lt 32768 ] || fail "peak RSS was ${rss} KiB"
}

@test "--pipe: a slow job holds back the reading of stdin, not memory" {
	run bash -c 'head -c 150000000 /dev/zero | tr "\0" "x" | fold -w 99 |
		/usr/bin/time -f "%M" "$PRUN" --pipe --block 1M -j2 "sleep 0.01; wc -c" 2>&1 >/dev/null | tail -1'
	assert_success
	[ "$output" -lt 65536 ] || fail "peak RSS ${output} KiB"
}
