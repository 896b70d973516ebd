#!/usr/bin/env bats
# The job being written passes its stdout straight out while it runs
# (grouped once it has printed much, and the oldest job under -k): the
# bytes are the same as when held, the job's stderr still follows its
# stdout, and the other jobs wait their turn.

load helpers

# Whether file $1 holds at least $2 bytes.
has_bytes() {
	[ "$(wc -c <"$1")" -ge "$2" ]
}

@test "a grouped job that prints much goes out while it runs" {
	# The job ends once the test has looked at the output (or after 30 s).
	go=$BATS_TEST_TMPDIR/go
	"$PRUN" "seq 1000000; $AWAIT $go 30; echo end {}" ::: 1 \
		>"$BATS_TEST_TMPDIR/out" &
	pid=$!
	want=$(seq 1000000 | wc -c)
	wait_until has_bytes "$BATS_TEST_TMPDIR/out" "$want"
	size=$(wc -c <"$BATS_TEST_TMPDIR/out")
	kill -0 "$pid" || fail "the job had ended: no test of a running job"
	[ "$size" -eq "$want" ] ||
		fail "$size bytes out while the job ran, not $want"
	touch "$go"
	wait "$pid"
	cmp "$BATS_TEST_TMPDIR/out" <(seq 1000000; echo end 1)
}

@test "grouped: jobs that pass and jobs that wait never interleave" {
	# Job a prints, pauses, prints again; b and c end meanwhile.
	run bash -c '"$PRUN" -j3 "seq 1000000; sleep 0.5; seq 1000001 2000000 # {}; sleep 0.2" ::: a b c | cksum'
	assert_success
	assert_output "$(for j in a b c; do seq 2000000; done | cksum)"
	# b and c end while a pauses: they wait for its mark (up to 20 s), so
	# a slow start of a's on a loaded machine changes nothing.
	# awk sums it up: the lines, whether the first 1600000 are a's in
	# order, and the last two.
	run bash -c '"$PRUN" -j3 "if [ {} = a ]; then seq 1500000; touch \"\$BATS_TEST_TMPDIR/a\"; sleep 0.5; seq 1500001 1600000; else for i in \$(seq 400); do [ -e \"\$BATS_TEST_TMPDIR/a\" ] && break; sleep 0.05; done; echo {}; fi" ::: a b c |
		awk "NR <= 1600000 && \$0 != NR { bad++ } NR > 1600000 { t = t \$0 }
			END { print NR, bad + 0, t }"'
	assert_success
	assert_output --regexp '^1600002 0 (bc|cb)$'
}

@test "-k: binary output with pauses comes out byte for byte, in order" {
	for f in 1 2 3; do
		head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/f$f"
	done
	cd "$BATS_TEST_TMPDIR"
	run bash -c '"$PRUN" -k -j3 "cat {}; sleep 0.3; cat {}" ::: f1 f2 f3 |
		cmp - <(cat f1 f1 f2 f2 f3 f3)'
	assert_success
	run bash -c '"$PRUN" -j3 "cat {}; sleep 0.3; cat {}" ::: f1 f2 f3 | cksum'
	assert_success
	[ "$output" = "$(cat f1 f1 f2 f2 f3 f3 | cksum)" ] ||
		[ "$output" = "$(cat f1 f1 f3 f3 f2 f2 | cksum)" ] ||
		[ "$output" = "$(cat f2 f2 f1 f1 f3 f3 | cksum)" ] ||
		[ "$output" = "$(cat f2 f2 f3 f3 f1 f1 | cksum)" ] ||
		[ "$output" = "$(cat f3 f3 f1 f1 f2 f2 | cksum)" ] ||
		[ "$output" = "$(cat f3 f3 f2 f2 f1 f1 | cksum)" ] ||
		fail "grouped output is not whole jobs"
}

@test "stdout opened for appending gets the same bytes" {
	out=$BATS_TEST_TMPDIR/out
	echo first >"$out"
	"$PRUN" -k -j2 'seq 1000000; sleep 0.2; seq 5 # {}' ::: 1 2 >>"$out"
	cmp "$out" <(echo first; seq 1000000; seq 5; seq 1000000; seq 5)
	"$PRUN" -j1 'seq 1000000; sleep 0.2; seq 5 # {}' ::: 1 >>"$out"
	cmp "$out" <(echo first; seq 1000000; seq 5; seq 1000000; seq 5;
		     seq 1000000; seq 5)
}

@test "a job's stderr in stdout's file follows all of its stdout" {
	for mode in --group -k; do
		run bash -c '"$PRUN" $1 "seq 1000000; echo err >&2; sleep 0.3; seq 1000001 1200000 # {}" ::: 1 2>&1 | cksum' _ $mode
		assert_success
		assert_output "$( (seq 1200000; echo err) | cksum)"
	done
}

@test "--joblog counts every byte a job passed" {
	want=$( (seq 1000000; seq 5) | wc -c)
	for mode in --group -k; do
		run bash -c '"$PRUN" $1 -j2 --joblog "$2" "seq 1000000; sleep 0.3; seq 5 # {}" ::: 1 2 >/dev/null' _ $mode "$BATS_TEST_TMPDIR/log"
		assert_success
		run awk 'NR > 1 { print $1, $6 }' "$BATS_TEST_TMPDIR/log"
		assert_output "$(printf '%s\n' "1 $want" "2 $want" | sort)" ||
			assert_output "$(printf '%s\n' "2 $want" "1 $want")"
	done
}

@test "a passing job's leftover process holding its stdout is not waited for" {
	for mode in --group -k; do
		t0=$(now_ms)
		run bash -c '"$PRUN" $1 -j1 "seq 1000000; sleep 30 & echo {} done" ::: a b | cksum' _ $mode
		assert_success
		assert_output "$( (seq 1000000; echo a done; seq 1000000; echo b done) | cksum)"
		[ $(( $(now_ms) - t0 )) -lt 20000 ] ||
			fail "prun $mode waited for the leftovers"
	done
}

@test "a reader that goes away stops a passing job at once" {
	# The job writes forever: a prun that went on would be stopped after
	# 60 s, with status 124.
	t0=$(now_ms)
	run bash -c 'timeout 60 "$PRUN" "yes # {}" ::: 1 | head -n 2; echo "${PIPESTATUS[0]}"'
	assert_output $'y\ny\n141'
	[ $(( $(now_ms) - t0 )) -lt 20000 ] || fail "prun went on writing"
}
