#!/usr/bin/env bats
# --slurm: inside an allocation of the lab's one-node cluster, jobs run as
# job steps: as many at once as the allocation has CPUs, their output as
# without Slurm, the node in {host} and the job log, and every stop
# (--timeout, Ctrl-C, Slurm's own cancel) leaves no step behind.

load helpers
load slurm

setup_file() {
	slurm_lab_start
}

setup() {
	prun_setup
	cd "$BATS_TEST_TMPDIR"
}

teardown_file() {
	slurm_lab_stop
}

# Skips a test that needs the lab where it cannot run.
needs_lab() {
	if [ -n "$SLURM_LAB_SKIP" ]; then
		skip "$SLURM_LAB_SKIP"
	fi
}

# Runs bash text $1 inside an allocation made with salloc's options that
# follow, up to "--"; the words after "--" are the text's $0, $1...  The
# text finds prun as $PRUN.  Its stdout and stderr come as one.
#
# Now and then srun loses a step's output to a connection with slurmstepd
# that breaks in the middle of a message ("_server_read: fd N got error or
# unexpected eof reading message body", then "step_launch_notify_io_failure";
# Slurm's own comment there calls the ECONNRESET behind it unexplained).
# A run that shows it is run once more, with a note on the TAP stream:
# nothing prun does can bring the lost bytes back.
in_allocation() {
	local text=$1 opts=() out status try
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -eq 0 ] || shift
	for try in 1 2; do
		status=0
		out=$(salloc --quiet "${opts[@]}" bash -c "$text" "$@" 2>&1) ||
			status=$?
		[[ $out == *step_launch_notify_io_failure* ]] || break
		echo "# srun lost a step's output (Slurm's I/O error): again" >&3
	done
	printf '%s\n' "$out"
	return "$status"
}

# The end of an allocation's text after a stopped run: whether it was
# quick, prun's status, and how many steps of the allocation are left
# (after up to 10 s: slurmctld may list a step for a moment after its srun
# has returned).
STOPPED='
	st=$?
	# Well before the jobs (sleep 60) would have ended by themselves.
	[ $SECONDS -lt 30 ] || echo "it took $SECONDS s"
	echo "status $st"
	for i in $(seq 100); do
		n=$(squeue --steps --noheader --jobs "$SLURM_JOB_ID" --format=%i |
			grep -v "\.extern$" | wc -l)
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	echo "$n"'

# Asserts what $STOPPED printed: soon, status $1, no step left, and no
# process left of the jobs that wrote their pid in pid.*.
assert_stopped() {
	assert_success
	refute_output --partial "it took"
	assert_line --index -2 "status $1"
	assert_line --index -1 0
	local p
	for p in $(cat pid.*); do
		alive "$p" && fail "job $p still runs"
	done
	true
}

@test "--slurm outside an allocation is refused" {
	run env -u SLURM_JOB_ID "$PRUN" --slurm echo ::: a
	assert_failure 255
	assert_output "prun: --slurm runs jobs as steps of a Slurm allocation: there is none here (no SLURM_JOB_ID; use salloc or sbatch)"
	# --slurm-auto (a site's config file) runs jobs here as usual.
	run env -u SLURM_JOB_ID "$PRUN" --slurm-auto echo ::: a
	assert_success
	assert_output a
	run env SLURM_JOB_ID=7 SLURM_JOB_NODELIST=n1 SLURM_JOB_CPUS_PER_NODE=4 \
		"$PRUN" --slurm -S h1 echo ::: a
	assert_failure 255
	assert_output "prun: --slurm cannot go with -S or --slf: the allocation's nodes are the hosts"
}

@test "a 4-CPU allocation runs 4 steps at once, never more; -j and --cpus-per-job lower that" {
	needs_lab
	# Each job waits (up to 20 s) until 4 jobs run or all have started,
	# then records how many run: a count, whatever the machine's load.
	# It keeps squeue's count of steps only if no job had ended by the
	# time squeue returned: a step that has ended may be listed for a
	# moment yet.
	local job='touch run/{}; for i in $(seq 200); do
		set -- run/*; r=$#; set -- done/*; [ -e "$1" ] && f=$# || f=0
		[ $r -ge $W ] || [ $((r + f)) -ge 10 ] && break; sleep 0.1
		done; n=$(squeue --steps --noheader --jobs $SLURM_JOB_ID | wc -l)
		set -- done/*; [ -e "$1" ] || echo $n >steps/{}
		sleep 0.3; set -- run/*; echo $# >done/{}; rm run/{}'
	local check='rm -rf run done steps; mkdir run done steps
		W=$1 "$PRUN" "${@:2}" "$0" ::: $(seq 10) || exit
		cat done/* | sort -n | tail -1'
	run in_allocation "$check" -N1 -n4 -- "$job" 4 --slurm
	assert_success
	assert_output 4
	# Slurm saw as many steps as prun ran.
	assert_equal "$(cat steps/* | sort -n | tail -1)" 4
	# An allocation of so much memory a node: each step asks for its
	# share, or it would take all of it and the steps would run in turn.
	run in_allocation "$check" -N1 -n4 --mem=400M -- "$job" 4 --slurm
	assert_success
	assert_output 4
	run in_allocation "$check" -N1 -n4 -- "$job" 2 --slurm -j2
	assert_success
	assert_output 2
	run in_allocation "$check" -N1 -n4 -- "$job" 2 --slurm \
		--cpus-per-job 2
	assert_success
	assert_output 2
	# Each step was a step of the allocation, of its CPUs.
	run in_allocation '"$PRUN" --slurm --cpus-per-job 2 \
		"echo \$SLURM_JOB_ID=\$SLURM_JOB_ID \$SLURM_CPUS_PER_TASK {}" \
		::: 1 2 | sort' -N1 -n4
	assert_success
	assert_line --index 0 --regexp '^([0-9]+)=\1 2 1$'
	assert_line --index 1 --regexp '^([0-9]+)=\1 2 2$'
}

@test "output modes are unchanged: -k binary byte for byte, --tag, --line-buffer, --results, stderr apart" {
	needs_lab
	head -c 200000 /dev/urandom >f
	run in_allocation '"$PRUN" --slurm -k "cat f; echo {}" ::: 1 2 3 |
		cmp - <(cat f; echo 1; cat f; echo 2; cat f; echo 3) &&
		echo same' -N1 -n4
	assert_success
	assert_output same
	run in_allocation '"$PRUN" --slurm -k --tag \
		"echo out {}; echo err {} >&2; echo more {}" ::: a b 2>err &&
		cat err' -N1 -n4
	assert_success
	assert_output "$(printf '%s\n' 'a	out a' 'a	more a' 'b	out b' \
		'b	more b' 'a	err a' 'b	err b')"
	run in_allocation '"$PRUN" --slurm --line-buffer \
		"echo {} one; sleep 0.2; echo {} two" ::: a b c | sort' -N1 -n4
	assert_success
	assert_output "$(printf '%s\n' 'a one' 'a two' 'b one' 'b two' \
		'c one' 'c two')"
	run in_allocation '"$PRUN" --slurm --results res \
		"echo out {}; echo err {} >&2" ::: x y >/dev/null &&
		cat res/1/x/stdout res/1/x/stderr res/1/y/stdout res/1/y/stderr' \
		-N1 -n4
	assert_success
	assert_output "$(printf '%s\n' 'out x' 'err x' 'out y' 'err y')"
}

@test "{host} and the job log's Host give the node the step ran on" {
	needs_lab
	run in_allocation '"$PRUN" --slurm --plus --joblog log -k \
		"echo {host} \$SLURMD_NODENAME {}" ::: 1 2 &&
		awk -F"\t" "NR > 1 { print \$2, \$7 }" log' -N1 -n2
	assert_success
	local n=$LAB_SLURM_NODE
	assert_output "$(printf '%s\n' "$n $n 1" "$n $n 2" "$n 0" "$n 0")"
}

@test "--workdir: each step starts in its directory, made here (the nodes share it)" {
	needs_lab
	run in_allocation '"$PRUN" --slurm -k --wd "sub/{}" pwd ::: a b' -N1 -n2
	assert_success
	assert_output "$(printf '%s\n' "$PWD/sub/a" "$PWD/sub/b")"
}

@test "a job's exit status, srun's word on a failed step, and stdin only under --pipe" {
	needs_lab
	run in_allocation 'echo data | "$PRUN" --slurm "cat; exit {}" ::: 0 3 \
		2>err; echo "status $?"; cat err
		seq 6 | "$PRUN" --slurm --pipe -N2 -k "sed s/^/got/"' -N1 -n2
	assert_success
	assert_output "$(printf '%s\n' 'status 1' \
		"srun: error: $LAB_SLURM_NODE: task 0: Exited with exit code 3" \
		got1 got2 got3 got4 got5 got6)"
}

@test "--timeout cancels the step: its processes end, no step is left" {
	needs_lab
	run in_allocation '
		"$PRUN" --slurm --timeout 2 "echo \$\$ >pid.{}; sleep 60" ::: 1 2
		'"$STOPPED" -N1 -n2
	assert_stopped 2
}

@test "--halt now,fail=1 cancels the other steps" {
	needs_lab
	run in_allocation '
		"$PRUN" --slurm --halt now,fail=1 \
			"if [ {} = 1 ]; then sleep 1; exit 4; fi
			 echo \$\$ >pid.{}; sleep 60" ::: 1 2 3
		'"$STOPPED" -N1 -n4
	assert_stopped 4
}

@test "without --slurm, inside an allocation, jobs run here as usual" {
	needs_lab
	run in_allocation '"$PRUN" -k "echo [\$SLURM_STEP_ID] {}" ::: 1 2' \
		-N1 -n2
	assert_success
	assert_output "$(printf '%s\n' '[] 1' '[] 2')"
}

@test "Ctrl-C cancels every step: status 130, no step and no job process left" {
	needs_lab
	run in_allocation '
		"$PRUN" --slurm "echo \$\$ >pid.{}; sleep 60" ::: 1 2 3 4 &
		p=$!
		for i in $(seq 200); do
			[ "$(ls pid.* 2>/dev/null | wc -l)" = 4 ] && break
			sleep 0.1
		done
		SECONDS=0
		kill -INT $p
		wait $p
		'"$STOPPED" -N1 -n4
	assert_stopped 130
}

@test "a step Slurm cancels is a failed job with Slurm's reason; --retries runs it again" {
	needs_lab
	# The first try cancels its own step, as Slurm does at a time limit.
	local job='if [ ! -e tried ]; then : >tried
		for i in $(seq 60); do
			scancel "$SLURM_JOB_ID.$SLURM_STEP_ID"; sleep 0.5
		done; exit 0; fi; echo ran'
	run in_allocation '"$PRUN" --slurm "$0" ::: 1 2>err;
		echo "status $?"; cat err' -N1 -n1 -- "$job"
	assert_success
	assert_line --index 0 "status 1"
	# (In any order, and the job's shell may say "Killed" of its sleep
	# if Slurm kills the sleep first.)
	assert_line --regexp '^slurmstepd.*: error: \*\*\* STEP [0-9]+\.0 ON .* CANCELLED AT '
	assert_line "srun: error: $LAB_SLURM_NODE: task 0: Killed"
	# Only the last try's output shows, as GNU parallel's --retries.
	rm -f tried
	run in_allocation '"$PRUN" --slurm --retries 2 "$0" ::: 1;
		echo "status $?"' -N1 -n1 -- "$job"
	assert_success
	assert_output "$(printf '%s\n' 'ran 1' 'status 0')"
}

@test "a step over its memory limit is a failed job with Slurm's reason" {
	needs_lab
	# The lab samples memory every second: 200 MB held for a minute is
	# over the 50 MB a CPU of this allocation has, however fast the
	# machine.  The second try is small.
	local job='if [ -e tried ]; then echo small; else : >tried
		perl -e "\$x = q(x) x 2e8; sleep 60"; echo survived; fi
		# {}'
	run in_allocation '"$PRUN" --slurm "$0" ::: 1 2>err;
		echo "status $?"; cat err' -N1 -n1 --mem-per-cpu=50M -- "$job"
	assert_success
	assert_line --index 0 "status 1"
	assert_output --regexp 'StepId=[0-9]+\.0 exceeded memory limit'
	refute_output --partial survived
	rm -f tried
	run in_allocation '"$PRUN" --slurm --retries 2 "$0" ::: 1' \
		-N1 -n1 --mem-per-cpu=50M -- "$job"
	assert_success
	assert_output small
}
