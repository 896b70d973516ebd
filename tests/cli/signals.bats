#!/usr/bin/env bats
# Signals sent to prun, and dying of them.

load helpers

# Starts prun in the background, each MARK in its arguments replaced by
# a marker of the test's own (in $marker: other tests' jobs may run the same
# commands); returns once its first job runs (for at most 20 s), since
# prun takes its signals before that, and a background process ignores
# SIGINT until it does: a fixed sleep is too short on a loaded machine.
start_prun() {
	local i
	marker="prun-sig-$$-$RANDOM"
	"$PRUN" "${@//MARK/$marker}" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	for ((i = 0; i < 400; i++)); do
		pgrep -P "$pid" >/dev/null && break
		sleep 0.05
	done
	sleep 0.1
}

# Whether prun (the one start_prun started) is stopped.
prun_stopped() {
	local stat
	stat=$(cat "/proc/$pid/stat") || return
	stat=${stat##*) }
	[ "${stat%% *}" = T ]
}

@test "SIGINT stops the jobs and prun dies of SIGINT" {
	start_prun -j3 "sh -c 'sleep 30; :' MARK & sleep 30; true MARK {}" ::: 1 2 3
	kill -INT "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 130
	sleep 0.2
	assert_no_process "$marker"
}

@test "SIGINT starts no more jobs" {
	start_prun -j1 'sleep 1; echo done {}' ::: 1 2 3
	kill -INT "$pid"
	wait "$pid" || true
	run cat "$BATS_TEST_TMPDIR/out"
	refute_output --partial "done 2"
}

@test "a second SIGINT runs the term sequence on jobs that ignore SIGINT" {
	# Each job notes SIGINT and goes on (its sleep ignores it, as a
	# background command does): the test sends the second SIGINT only once
	# both jobs have the first, and the first only once they are ready.
	d=$BATS_TEST_TMPDIR
	start_prun -j2 "trap 'touch $d/int.{}' INT; sleep 20 & touch $d/ready.{}; wait; wait; true {}" ::: 1 2
	wait_until test -e "$d/ready.1" -a -e "$d/ready.2"
	kill -INT "$pid"
	wait_until test -e "$d/int.1" -a -e "$d/int.2"
	t0=$(now_ms)
	kill -INT "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 130
	[ $(( $(now_ms) - t0 )) -lt 10000 ] || fail "jobs outlived the second SIGINT"
}

@test "a third SIGINT kills jobs that ignore SIGINT and SIGTERM" {
	# The job notes SIGINT and SIGTERM and goes on (its sleep ignores
	# both); each SIGINT is sent once the job has had what the one before
	# sent it.  The term sequence would wait 20 s before its KILL.
	d=$BATS_TEST_TMPDIR
	start_prun --termseq TERM,20000,KILL,25 "trap 'touch $d/int' INT; trap 'touch $d/term' TERM
		(trap '' TERM; exec sleep 20) & touch $d/ready; wait; wait; wait; true {}" ::: 1
	wait_until test -e "$d/ready"
	kill -INT "$pid"
	wait_until test -e "$d/int"
	kill -INT "$pid"
	wait_until test -e "$d/term"
	t0=$(now_ms)
	kill -INT "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 130
	[ $(( $(now_ms) - t0 )) -lt 10000 ] || fail "jobs outlived the third SIGINT"
}

@test "SIGTERM runs the term sequence and prun dies of SIGTERM" {
	start_prun -j2 'sleep 30; true MARK {}' ::: 1 2
	kill -TERM "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 143
	assert_no_process "$marker"
}

@test "SIGHUP lets running jobs finish and starts no more" {
	start_prun -j1 'sleep 1; echo done {}' ::: 1 2 3
	kill -HUP "$pid"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 129
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output "done 1"
}

@test "SIGTSTP and SIGCONT are passed on to the jobs" {
	# The job prints the time every 0.1 s until told to end (or 40 s),
	# and once more at its end.  SIGTSTP is sent once it has printed, and
	# SIGCONT 1 s after prun has stopped itself (it passes SIGTSTP on
	# first): a job that did not stop shows no gap near 1 s.
	d=$BATS_TEST_TMPDIR
	start_prun -j1 "date +%s%N; touch $d/ready; i=0
		until [ -e $d/go ] || [ \$i -ge 400 ]; do sleep 0.1; date +%s%N; i=\$((i + 1)); done
		date +%s%N; true {}" ::: 1
	wait_until test -e "$d/ready"
	kill -TSTP "$pid"
	wait_until prun_stopped
	sleep 1
	kill -CONT "$pid"
	touch "$d/go"
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	max_gap=0; prev=
	for t in "${lines[@]}"; do
		if [ -n "$prev" ]; then
			gap=$(( (t - prev) / 1000000 ))
			[ "$gap" -le "$max_gap" ] || max_gap=$gap
		fi
		prev=$t
	done
	[ "$max_gap" -ge 800 ] || fail "the job did not stop (largest gap ${max_gap} ms)"
}

@test "SIGUSR1 lists the running jobs on stderr" {
	# The jobs run until the list is out (or 20 s), however slow the
	# machine.
	go=$BATS_TEST_TMPDIR/go
	start_prun -j2 "for i in \$(seq 400); do [ -e $go ] && break; sleep 0.05; done; true {}" ::: a b
	kill -USR1 "$pid"
	for ((i = 0; i < 400; i++)); do
		grep -q "running job 2" "$BATS_TEST_TMPDIR/out" && break
		sleep 0.05
	done
	touch "$go"
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output --regexp "prun: running job 1 \(pid [0-9]+, [0-9.]+ s\): for i in .*; true a"
	assert_output --regexp "prun: running job 2 \(pid [0-9]+, [0-9.]+ s\): for i in .*; true b"
}
