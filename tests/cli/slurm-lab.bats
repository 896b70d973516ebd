#!/usr/bin/env bats
# The Slurm test lab itself: a one-node cluster whose allocations run
# steps, share their CPUs between steps, report a job's exit status and
# enforce time and memory limits, and a stop that leaves nothing running.  The tests
# of --slurm rely on all of it.

load helpers
load slurm

setup_file() {
	slurm_lab_start
}

setup() {
	slurm_lab_setup
	cd "$BATS_TEST_TMPDIR"
}

teardown_file() {
	slurm_lab_stop
}

@test "the node is idle with the CPUs it declares, in the default partition" {
	run sinfo --noheader --Node --format='%N %T %c %P'
	assert_success
	assert_output "$LAB_SLURM_NODE idle $LAB_SLURM_CPUS $LAB_SLURM_PARTITION*"
}

@test "salloc -N1 -n4 runs srun's four tasks on the node" {
	run salloc --quiet -N1 -n4 srun hostname
	assert_success
	assert_output "$(printf '%s\n' "$LAB_SLURM_NODE" "$LAB_SLURM_NODE" \
		"$LAB_SLURM_NODE" "$LAB_SLURM_NODE")"
}

@test "an allocation's environment names the job, its node and its CPUs" {
	# salloc sets no SLURM_CPUS_ON_NODE (a batch script and a step do).
	run salloc --quiet -N1 -n4 -c2 bash -c \
		'echo "$SLURM_JOB_NODELIST $SLURM_NTASKS $SLURM_JOB_CPUS_PER_NODE"
		 srun -n1 -c2 --exact bash -c \
			"echo \$SLURMD_NODENAME \$SLURM_JOB_ID \$SLURM_CPUS_ON_NODE"
		 echo "$SLURM_JOB_ID"'
	assert_success
	assert_equal "${lines[0]}" "$LAB_SLURM_NODE 4 8"
	assert_equal "${lines[1]}" "$LAB_SLURM_NODE ${lines[2]} 2"
}

@test "sbatch --wait runs a script and returns its exit status" {
	printf '#!/bin/sh\necho "out $SLURM_JOB_ID"\necho err >&2\nexit 3\n' \
		>job.sh
	run sbatch --wait --quiet --output=out --error=err job.sh
	assert_equal "$status" 3
	assert_output ""
	run cat out err
	assert_output --regexp '^out [0-9]+
err$'
}

@test "four one-CPU steps of a 4-CPU allocation run at once, a fifth waits" {
	# Each step records when it starts and ends, and ends only once the
	# file go is there (or after 20 s).  Once four have started and squeue
	# lists four steps of the allocation (or after 20 s), squeue's count
	# is printed and go made.
	run salloc --quiet -N1 -n4 bash -c '
		for i in 1 2 3 4 5; do
			srun --quiet -N1 -n1 --exact bash -c \
				"echo \"\$EPOCHREALTIME +1\" >>marks
				 for i in \$(seq 400); do
					[ -e go ] && break
					sleep 0.05
				 done
				 echo \"\$EPOCHREALTIME -1\" >>marks" &
		done
		for i in $(seq 400); do
			n=$(squeue --steps --noheader --jobs "$SLURM_JOB_ID" \
				--format=%i | grep -vc "\.extern$")
			[ "$n" -ge 4 ] && [ "$(grep -c "+1$" marks)" -ge 4 ] &&
				break
			sleep 0.05
		done 2>/dev/null
		echo "$n"
		touch go
		wait'
	assert_success
	assert_output 4
	# The most steps running at one moment, from the marks in time order.
	run bash -c 'sort -n marks | awk "{ n += \$2; if (n > m) m = n }
		END { print NR, m }"'
	assert_output "10 4"
}

@test "srun returns the task's exit status, and 128+9 for a killed task" {
	run salloc --quiet -N1 -n1 srun sh -c 'exit 3'
	assert_equal "$status" 3
	run salloc --quiet -N1 -n1 srun sh -c 'kill -9 $$'
	assert_equal "$status" 137
	assert_output --partial "task 0: Killed"
}

@test "a step over its time limit is killed, and srun says so" {
	# Time limits are whole minutes, checked every 30 s: up to 95 s.
	local start
	start=$(now_ms)
	run salloc --quiet -N1 -n1 srun --time=1 sleep 300
	assert_failure
	assert_output --partial "CANCELLED AT"
	assert_output --partial "DUE TO TIME LIMIT"
	(($(now_ms) - start < 150000)) ||
		fail "the limit took $(($(now_ms) - start)) ms"
	run slurm_steps
	assert_output ""
}

@test "a step over its memory limit is killed, and srun says so" {
	# A second of sampling finds the step over its 50 MB (200 MB held for
	# a minute, so that a fast machine is not done before the sample).
	run salloc --quiet -N1 -n1 srun --mem=50M sh -c \
		'perl -e "\$x = q(x) x 2e8; sleep 60"; echo survived'
	assert_equal "$status" 137
	assert_output --partial "exceeded memory limit"
	refute_output --partial survived
	run slurm_steps
	assert_output ""
}

@test "stopping the lab leaves no process of it, not even a step's" {
	# A lab of this test's own, so the file's lab stays up.
	local dir pids p client
	dir=$(mktemp -d /tmp/prun-slurm.XXXXXX)
	run "$SLURM_LAB_SCRIPT" start "$dir"
	assert_success
	SLURM_CONF=$dir/slurm.conf salloc --quiet -N1 -n2 \
		srun bash -c 'echo $$ >>"$1"; exec sleep 300' - "$dir/tasks" \
		</dev/null >/dev/null 2>&1 3>&- &
	client=$!
	for _ in $(seq 100); do
		[ "$(wc -l <"$dir/tasks" 2>/dev/null)" = 2 ] && break
		sleep 0.1
	done
	pids=$(cat "$dir/tasks")
	for p in munged slurmctld slurmd; do
		pids="$pids $(cat "$dir/$p.pid")"
	done
	for p in $pids; do
		alive "$p" || fail "pid $p is not running before the stop"
	done

	run "$SLURM_LAB_SCRIPT" stop "$dir"
	assert_success
	wait "$client" || true
	for p in $pids; do
		! alive "$p" || fail "pid $p outlived the lab"
	done
	[ ! -e "$dir" ] || fail "$dir is left"
}
