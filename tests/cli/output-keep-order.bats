#!/usr/bin/env bats
# -k: output in input order, the oldest running job's output live.

load helpers

teardown() {
	# A job left waiting by a failed test ends.
	touch "$BATS_TEST_TMPDIR/go"
}

# Prints each line of stdin prefixed with the milliseconds since $t0.
stamp() {
	while IFS= read -r line; do
		echo "$(( $(now_ms) - t0 )) $line"
	done
}

@test "-k prints each job's output in input order" {
	run prun -k -j3 'sleep {}; echo {}; echo {} again' ::: 0.6 0.2 0.4
	assert_success
	assert_output $'0.6\n0.6 again\n0.2\n0.2 again\n0.4\n0.4 again'
}

@test "-k shows the first job's output at once, then the rest in order" {
	t0=$(now_ms)
	run bash -c '"$PRUN" -k -j2 "echo start {}; sleep {}; echo end {}" ::: 3 1 1 |
		{ t0=$1; '"$(declare -f stamp now_ms)"'; stamp; }' _ "$t0"
	assert_success
	assert_equal "$(cut -d' ' -f2- <<< "$output")" \
		"$(printf '%s\n' 'start 3' 'end 3' 'start 1' 'end 1' 'start 1' 'end 1')"
	# Gaps, not times since the start, so that a loaded machine changes
	# nothing: "start 3" comes the 3 s of the job's sleep before "end 3",
	# and the other jobs, done meanwhile, come at once after it.
	mapfile -t at < <(cut -d' ' -f1 <<< "$output")
	[ $((at[1] - at[0])) -ge 1500 ] ||
		fail "start 3 came only $((at[1] - at[0])) ms before end 3"
	[ $((at[5] - at[1])) -lt 1500 ] ||
		fail "the other jobs came $((at[5] - at[1])) ms after job 3"
}

@test "-k streams a job that becomes the oldest while it runs" {
	t0=$(now_ms)
	run bash -c '"$PRUN" -k -j2 ::: "sleep 0.5; echo one" \
		"echo two; sleep 3; echo three" |
		{ t0=$1; '"$(declare -f stamp now_ms)"'; stamp; }' _ "$t0"
	assert_success
	assert_equal "$(cut -d' ' -f2- <<< "$output")" $'one\ntwo\nthree'
	# 'two' comes the 3 s of the job's sleep before 'three'.
	two=$(sed -n 2p <<< "$output" | cut -d' ' -f1)
	three=$(sed -n 3p <<< "$output" | cut -d' ' -f1)
	[ $((three - two)) -ge 1500 ] ||
		fail "'two' came only $((three - two)) ms before 'three'"
}

@test "-k keeps stderr in input order as well" {
	run bash -c '"$PRUN" -k -j2 "sleep {}; echo err {} >&2" ::: 0.5 0 2>&1 >/dev/null'
	assert_success
	assert_output $'err 0.5\nerr 0'
}

@test "-k keeps a thousand quick jobs in order" {
	run bash -c 'seq 1000 | "$PRUN" -k -j8 echo | cmp - <(seq 1000)'
	assert_success
}

@test "-k starts no more jobs while many finished ones wait their turn" {
	dir=$BATS_TEST_TMPDIR/started
	mkdir "$dir"
	run prun -k -j2 "if [ {} = 1 ]; then sleep 1.5; ls $dir | wc -l; else touch $dir/{}; fi" ::: $(seq 200)
	assert_success
	started=$(head -1 <<< "$output")
	[ "$started" -ge 10 ] && [ "$started" -le 40 ] ||
		fail "$started jobs started while the first one ran"
	assert_equal "$(ls "$dir" | wc -l)" 199
}

@test "--line-buffer with -k keeps input order" {
	run prun --line-buffer -k -j3 'sleep {}; echo {}' ::: 0.4 0.1 0.2
	assert_success
	assert_output $'0.4\n0.1\n0.2'
}

@test "-k gives back the disk space of what it has streamed" {
	mnt=$BATS_TEST_TMPDIR/small
	mkdir -p "$mnt"
	mount -t tmpfs -o size=48m prun-test "$mnt" 2>/dev/null ||
		skip "cannot mount a tmpfs here (needs root)"
	run bash -c '"$PRUN" -k --tmpdir "$1" \
		"for i in \$(seq 100); do head -c 2000000 /dev/zero; sleep 0.01; done # {}" \
		::: 1 | wc -c' _ "$mnt"
	umount "$mnt"
	assert_success
	assert_output 200000000
}

# Runs prun with "$@" ten times, stderr into stdout; fails unless every run
# printed $expected.
assert_same_ten_times() {
	local i out
	for i in $(seq 10); do
		out=$("$PRUN" "$@" 2>&1)
		assert_equal "$out" "$expected"
	done
}

@test "-k prints a job's stdout before its stderr in the same file, every time" {
	expected=$'o1\no2 a\ne1\no1\no2 b\ne1'
	assert_same_ten_times -k 'echo o1; echo e1 >&2; echo o2 {}' ::: a b
}

@test "-k gives the same bytes every time, whatever the jobs' timing" {
	expected=$(for j in 3 1 2 5; do printf 'o1 %s\no2 %s\ne1 %s\n' $j $j $j; done)
	assert_same_ten_times -k -j3 \
		'echo o1 {}; sleep 0.0{}; echo e1 {} >&2; sleep 0.0{}; echo o2 {}' \
		::: 3 1 2 5
	assert_same_ten_times --line-buffer -k -j3 \
		'echo o1 {}; sleep 0.0{}; echo e1 {} >&2; sleep 0.0{}; echo o2 {}' \
		::: 3 1 2 5
}

@test "-k holds the live job's stderr to its end, whatever prints first" {
	run bash -c '"$PRUN" -k -j2 "echo e {} >&2; sleep 0.3; echo o {}" ::: 1 2 2>&1'
	assert_success
	assert_output $'o 1\ne 1\no 2\ne 2'
}

@test "-k streams the live job's stderr when it goes to another file" {
	# The job ends once both lines are out (or after 60 s).  Its stdout
	# and stderr go out by different paths: each is waited for.
	d=$BATS_TEST_TMPDIR
	"$PRUN" -k "echo e; echo err >&2; $AWAIT $d/go 60; echo o" ::: 1 >"$d/out" 2>"$d/err" 3>&- &
	pid=$!
	wait_until test -s "$d/out" -a -s "$d/err"
	assert_equal "$(cat "$d/err")" err
	assert_equal "$(cat "$d/out")" e
	touch "$d/go"
	wait "$pid"
	assert_equal "$(cat "$d/out")" $'e\no 1'
}
