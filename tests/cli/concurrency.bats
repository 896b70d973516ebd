#!/usr/bin/env bats
# How many jobs run at once.

load helpers

teardown() {
	# Sleeps left holding a user's processes by a failed test end.
	if [ -s "$BATS_TEST_TMPDIR/holders" ]; then
		kill $(cat "$BATS_TEST_TMPDIR/holders") 2>/dev/null || true
	fi
}

# Runs 12 jobs with prun's options "$@" but the first, which is how many
# should run at once: each job waits (up to 20 s) until that many run, or
# no more will start, then 0.3 s more, and records how many run.  Prints
# the highest number seen: a count, which a slow machine does not change.
# (The jobs count files with a glob, not ls: a process less a look.)
max_concurrency() {
	local want=$1 dir=$BATS_TEST_TMPDIR/running
	shift
	mkdir -p "$dir" "$dir.done"
	cat >"$dir.sh" <<-'EOF'
		# $1: the job, $2: the directory, $3: how many should run at once.
		count() { set -- "$1"/*; [ -e "$1" ] && n=$# || n=0; }
		: >"$2/$1"
		for i in $(seq 200); do
			count "$2"
			r=$n
			count "$2.done"
			[ $r -ge $3 ] || [ $((r + n)) -ge 12 ] && break
			sleep 0.1
		done
		sleep 0.3
		count "$2"
		echo $n >"$2.done/$1"
		rm "$2/$1"
	EOF
	prun "$@" sh "$dir.sh" {} "$dir" "$want" ::: $(seq 12) >/dev/null
	cat "$dir".done/* | sort -n | tail -1
}

@test "four jobs at -j4 all run at once" {
	# Each job waits (up to 20 s) until all four have started, so the
	# count, not the time, shows that they overlapped.
	dir=$BATS_TEST_TMPDIR/started
	mkdir "$dir"
	run prun -j4 "touch $dir/{}; for i in \$(seq 200); do set -- $dir/*; [ \$# = 4 ] && break; sleep 0.1; done; echo {} saw \$#" ::: 1 2 3 4
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" $'1 saw 4\n2 saw 4\n3 saw 4\n4 saw 4'
}

@test "never runs more than -j jobs at once" {
	run max_concurrency 3 -j3
	assert_output 3
}

@test "-j1 runs jobs one after another" {
	run max_concurrency 1 -j1
	assert_output 1
}

@test "the default is one job per CPU core" {
	cores=$(nproc)
	[ "$cores" -le 12 ] || skip "more cores than jobs"
	run max_concurrency "$cores"
	assert_output "$cores"
}

@test "-j +N runs N more jobs than cores" {
	cores=$(nproc)
	[ $((cores + 2)) -le 12 ] || skip "more cores than jobs"
	run max_concurrency $((cores + 2)) -j +2
	assert_output $((cores + 2))
}

@test "-j -N runs N fewer jobs than cores, at least one" {
	run max_concurrency 1 -j -100
	assert_output 1
}

@test "-j N% is a share of the cores" {
	cores=$(nproc)
	[ $((cores * 3)) -le 12 ] || skip "more cores than jobs"
	run max_concurrency $((cores * 3)) -j 300%
	assert_output $((cores * 3))
}

@test "-j 0 runs all jobs at once" {
	run max_concurrency 12 -j 0
	assert_output 12
}

@test "--jobs=N is the long form of -j" {
	run max_concurrency 2 --jobs=2
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

@test "a low limit on open files lowers -j, as GNU parallel does; no job is lost" {
	run bash -c 'ulimit -n 40; "$PRUN" -j 50 "sleep 0.2; echo {}" ::: $(seq 50) | sort -n | tr "\n" " "'
	assert_success
	assert_line --index 0 "prun: only enough file descriptors to run 2 jobs at once; raise 'ulimit -n' (now 40)"
	assert_line --index 1 "$(seq 50 | tr '\n' ' ')"
	# -j 0 takes what there is, silently.
	run bash -c 'ulimit -n 40; "$PRUN" -j 0 "echo {}" ::: $(seq 20) | sort -n | tr "\n" " "'
	assert_success
	assert_output "$(seq 20 | tr '\n' ' ')"
	# Finished jobs hold their files until their results are written.
	run bash -c 'ulimit -n 64; "$PRUN" -j 30 --results "$1/res" "echo {}; sleep 0.2" ::: $(seq 30) 2>/dev/null &&
		cat "$1"/res/1/*/stdout | sort -n | tr "\n" " "' _ "$BATS_TEST_TMPDIR"
	assert_success
	assert_output "$(seq 30 | tr '\n' ' ')"
}

@test "jobs waiting for their results to be written hold no more files than the limit allows" {
	# Each ended job keeps two files open until its results are written:
	# under ulimit -n 40, -j 2 (which fits) and -j 30 (cut to 2) once let
	# sixteen wait, and writing the results ran out of descriptors.
	local j
	for j in 2 30; do
		rm -rf "$BATS_TEST_TMPDIR/res"
		run bash -c 'ulimit -n 40; "$PRUN" -j "$2" --results "$1/res" "echo {}" ::: $(seq 150) 2>/dev/null &&
			cat "$1"/res/1/*/stdout | sort -n | tr "\n" " "' _ "$BATS_TEST_TMPDIR" "$j"
		assert_success
		assert_output "$(seq 150 | tr '\n' ' ')"
	done
}

@test "reaching the process limit mid-run delays jobs, never aborts prun" {
	# ulimit -u counts every process and thread of a user, root's aside:
	# the run needs a user of its own, not shared with the other build's
	# run of this test.
	uid=$((300000 + $$ % 100000))
	[ "$(id -u)" = 0 ] || skip "needs root, to run as a user of its own"
	# Nothing of the test's own directory is open to that user but a
	# copy of prun.
	PRUN=$(prun_for_others) || fail "cannot copy prun for another user"
	run env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
		PRUN_SYSCONFDIR=/nonexistent TMPDIR=/tmp \
		setpriv --reuid $uid --regid $uid --clear-groups bash -c '
		ulimit -u 10
		cd / && "$PRUN" -j 12 "echo {}; exec sleep 0.3" ::: $(seq 12) |
			sort -n | tr "\n" " "'
	assert_success
	assert_output "$(seq 12 | tr '\n' ' ')"
}

@test "a process limit reached before prun starts: prun waits for room, then runs every job" {
	[ "$(id -u)" = 0 ] || skip "needs root, to run as a user of its own"
	uid=$((400000 + $$ % 100000))
	PRUN=$(prun_for_others) || fail "cannot copy prun for another user"
	# Six sleeps and the shell hold 7 of the user's 8 processes: prun's
	# threads cannot all start until the sleeps end, which they do when
	# prun has said it waits (the shell writes their pids to descriptor 4).
	holders=$BATS_TEST_TMPDIR/holders
	env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
		PRUN_SYSCONFDIR=/nonexistent TMPDIR=/tmp \
		setpriv --reuid $uid --regid $uid --clear-groups bash -c '
		ulimit -u 8
		cd / && for i in 1 2 3 4 5 6; do sleep 60 & echo $! >&4; done
		exec 4>&- && exec "$PRUN" -j 3 "echo {}" ::: 1 2 3 4 5' \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 4>"$holders" 3>&- &
	pid=$!
	wait_until grep -q "cannot start threads" "$BATS_TEST_TMPDIR/err"
	kill $(cat "$holders")
	rm "$holders"
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 0
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "prun: cannot start threads: resource temporarily unavailable; waiting for other processes to end ('ulimit -u' is 8)"
	assert_equal "$(sort -n "$BATS_TEST_TMPDIR/out" | tr '\n' ' ')" "1 2 3 4 5 "
}
