#!/usr/bin/env bats
# How many jobs run at once.

load helpers

# Runs N jobs that each record how many others are running alongside them;
# prints the highest number seen.
max_concurrency() {
	local dir=$BATS_TEST_TMPDIR/running
	mkdir -p "$dir"
	prun "$@" "touch $dir/{}; sleep 0.3; ls $dir | wc -l > $dir.{}; rm $dir/{}" \
		::: $(seq 12) >/dev/null
	cat "$dir".* | sort -n | tail -1
}

@test "four jobs at -j4 all run at once" {
	# Each job waits (up to 20 s) until all four have started, so the
	# count, not the time, shows that they overlapped.
	dir=$BATS_TEST_TMPDIR/started
	mkdir "$dir"
	run prun -j4 "touch $dir/{}; for i in \$(seq 200); do [ \$(ls $dir | wc -l) = 4 ] && break; sleep 0.1; done; echo {} saw \$(ls $dir | wc -l)" ::: 1 2 3 4
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" $'1 saw 4\n2 saw 4\n3 saw 4\n4 saw 4'
}

@test "never runs more than -j jobs at once" {
	run max_concurrency -j3
	assert_output 3
}

@test "-j1 runs jobs one after another" {
	run max_concurrency -j1
	assert_output 1
}

@test "the default is one job per CPU core" {
	cores=$(nproc)
	[ "$cores" -le 12 ] || skip "more cores than jobs"
	run max_concurrency
	assert_output "$cores"
}

@test "-j +N runs N more jobs than cores" {
	cores=$(nproc)
	[ $((cores + 2)) -le 12 ] || skip "more cores than jobs"
	run max_concurrency -j +2
	assert_output $((cores + 2))
}

@test "-j -N runs N fewer jobs than cores, at least one" {
	run max_concurrency -j -100
	assert_output 1
}

@test "-j N% is a share of the cores" {
	cores=$(nproc)
	[ $((cores * 3)) -le 12 ] || skip "more cores than jobs"
	run max_concurrency -j 300%
	assert_output $((cores * 3))
}

@test "-j 0 runs all jobs at once" {
	run max_concurrency -j 0
	assert_output 12
}

@test "--jobs=N is the long form of -j" {
	run max_concurrency --jobs=2
	assert_output 2
}

@test "a hundred jobs at -j 100 all run at once" {
	# Each job waits (up to 60 s) until all hundred have started, then
	# prints how many it saw: counted, not timed, so that a loaded machine
	# changes nothing (how fast is for tests/bench).
	dir=$BATS_TEST_TMPDIR/started
	mkdir "$dir"
	run prun -j 100 "touch $dir/{}; for i in \$(seq 120); do set -- $dir/*; [ \$# = 100 ] && break; sleep 0.5; done; echo \$#" ::: $(seq 100)
	assert_success
	assert_equal "$(sort -u <<< "$output")" 100
	assert_equal "${#lines[@]}" 100
}

@test "running out of descriptors delays jobs, never fails them" {
	run bash -c 'ulimit -n 40; "$PRUN" -j 50 "sleep 0.2; echo {}" ::: $(seq 50) | sort -n | tr "\n" " "'
	assert_success
	assert_output "$(seq 50 | tr '\n' ' ')"
}

@test "reaching the process limit mid-run delays jobs, never aborts prun" {
	# ulimit -u counts every process and thread of a user, root's aside:
	# the run needs a user of its own.
	[ "$(id -u)" = 0 ] || skip "needs root, to run as a user of its own"
	# Nothing of the test's own directory is open to that user.
	run env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
		PRUN_SYSCONFDIR=/nonexistent TMPDIR=/tmp \
		setpriv --reuid 61999 --regid 61999 --clear-groups bash -c '
		ulimit -u 10
		cd / && "$PRUN" -j 12 "echo {}; exec sleep 0.3" ::: $(seq 12) |
			sort -n | tr "\n" " "'
	assert_success
	assert_output "$(seq 12 | tr '\n' ' ')"
}
