#!/usr/bin/env bats
# When the reader of prun's output goes away, prun stops at once: it starts
# no more jobs, kills the running ones and dies of SIGPIPE.

load helpers

# A job that prints forever, under a name that can be looked for.
make_job() {
	job=$BATS_TEST_TMPDIR/prun-epipe-job-$$-$RANDOM
	printf '#!/bin/sh\nwhile :; do echo "$1"; sleep 0.01; done\n' >"$job"
	chmod +x "$job"
}

# Runs prun with the given options into head -1; prints the first line,
# then prun's exit status and how long it all took in milliseconds.
into_head() {
	local start=$(now_ms)
	"$PRUN" "$@" | head -1
	echo "status ${PIPESTATUS[0]} ms $(( $(now_ms) - start ))"
}

check_stops() {
	run into_head "$@"
	assert_line --index 1 --regexp '^status 141 ms [0-9]+$'
	ms=${lines[1]##* }
	[ "$ms" -lt 6000 ] || fail "prun took ${ms} ms to stop"
	sleep 0.2
	[ -n "$job" ] && assert_no_process "$job"
}

@test "prun ... | head -1 stops jobs that print forever, with -k" {
	make_job
	check_stops -k -j2 "$job" ::: a b c
	assert_line --index 0 a
}

@test "prun ... | head -1 stops jobs that print forever, with --line-buffer" {
	make_job
	check_stops --line-buffer -j2 "$job" ::: a b c
}

@test "prun ... | head -1 stops jobs that print forever, with -u" {
	make_job
	check_stops -u -j2 "$job" ::: a b c
}

@test "prun ... | head -1 stops jobs that print forever, with --tag -u" {
	make_job
	check_stops --tag -u -j2 "$job" ::: a b c
}

@test "prun ... | head -1 stops grouped jobs and their pipelines" {
	make_job
	check_stops -j3 ::: "seq 1000" "$job x | cat" "$job y | cat"
	assert_line --index 0 1
}

@test "prun ... | head -1 stops after the first of many grouped jobs" {
	job=prun-epipe-seq-$$-$RANDOM
	check_stops -j2 "seq 100000 # $job {}" ::: $(seq 100)
	assert_line --index 0 1
}

@test "starts no more jobs once the reader is gone" {
	dir=$BATS_TEST_TMPDIR/started
	mkdir "$dir"
	run into_head -j1 "touch $dir/{}; echo {}" ::: $(seq 200)
	assert_line --index 0 1
	assert_line --index 1 --regexp '^status 141 '
	n=$(ls "$dir" | wc -l)
	[ "$n" -lt 50 ] || fail "$n jobs started"
}

@test "notices a reader that goes away before any output" {
	start=$(now_ms)
	run bash -c '"$PRUN" -j1 "sleep 0.3 # {}" ::: $(seq 100) | true; echo ${PIPESTATUS[0]}'
	elapsed=$(( $(now_ms) - start ))
	assert_output 141
	# Running all the jobs would take 30 s.
	[ "$elapsed" -lt 8000 ] || fail "prun took ${elapsed} ms to stop"
}
