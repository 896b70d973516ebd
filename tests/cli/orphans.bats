#!/usr/bin/env bats
# No process that a job started outlives prun, however it ends.

load helpers

# A job that leaves a background process with a unique marker.
bg_job() {
	echo "sh -c 'sleep 60; :' $marker-{} & $1"
}

# Sends prun the signal $1 while its jobs run; checks nothing is left.
stopped_by() {
	setup_marker
	"$PRUN" -j2 "$(bg_job 'sleep 5')" ::: 1 2 &
	pid=$!
	sleep 0.5
	kill -"$1" "$pid"
	wait "$pid" || true
	assert_no_process "$marker"
}

setup_marker() {
	marker="prun-orphan-$$-$RANDOM"
}

@test "none left when all jobs end normally" {
	setup_marker
	run prun -j2 "$(bg_job 'echo hi')" ::: 1 2
	assert_success
	sleep 0.2
	assert_no_process "$marker"
}

@test "none left after --halt now" {
	setup_marker
	run prun -j3 --halt now,fail=1 "$(bg_job 'sleep {}; exit 1')" ::: 0.2 5 5
	assert_failure 1
	assert_no_process "$marker"
}

@test "none left after a timeout" {
	setup_marker
	run prun -j2 --timeout 0.3 "$(bg_job 'sleep 5')" ::: 1 2
	assert_failure 2
	assert_no_process "$marker"
}

@test "none left after SIGINT" {
	stopped_by INT
}

@test "none left after SIGTERM" {
	stopped_by TERM
}

@test "none left when stdout's reader goes away" {
	setup_marker
	run bash -c "'$PRUN' -k -j2 \"$(bg_job 'yes')\" ::: 1 2 | head -1"
	assert_output y
	sleep 0.3
	assert_no_process "$marker"
}

@test "none left when a grandchild ignores SIGTERM" {
	setup_marker
	run prun "sh -c 'trap \"\" TERM; sleep 60; :' $marker & echo hi; true {}" ::: 1
	assert_success
	sleep 0.2
	assert_no_process "$marker"
}
