#!/usr/bin/env bats
# What a job sees: its process group, stdin, descriptors and variables.

load helpers

@test "every job leads its own process group" {
	run prun -j2 'ps -o pid=,pgid= -p $$ # {}' ::: 1 2
	assert_success
	while read -r pid pgid; do
		[ "$pid" = "$pgid" ] || fail "job $pid is in group $pgid"
	done <<< "$output"
}

@test "a job keeps prun's session" {
	run prun 'ps -o sid= -p $$ # {}' ::: 1
	assert_success
	assert_equal "${output// /}" "$(ps -o sid= -p $$ | tr -d ' ')"
}

@test "a job reads stdin from /dev/null" {
	run bash -c 'echo leaked | "$PRUN" "cat; echo {}" ::: x'
	assert_success
	assert_output "x"
}

@test "a job gets only descriptors 0, 1 and 2, and the jobserver's 3 and 4" {
	run bash -c 'exec 7</dev/null; "$PRUN" "ls /proc/self/fd | sort -n | tr \"\n\" \" \" # {}" ::: 1'
	assert_success
	# ls itself opens one more descriptor to read the directory.
	assert_output --regexp '^0 1 2 3 4 [0-9]+ $'
	run bash -c 'exec 7</dev/null; "$PRUN" --no-jobserver "ls /proc/self/fd | sort -n | tr \"\n\" \" \" # {}" ::: 1'
	assert_success
	assert_output --regexp '^0 1 2 [0-9]+ $'
	# A fifo jobserver is opened by name: no descriptor of it is passed.
	run bash -c 'exec 7</dev/null; "$PRUN" --jobserver-style=fifo "ls /proc/self/fd | sort -n | tr \"\n\" \" \" # {}" ::: 1'
	assert_success
	assert_output --regexp '^0 1 2 [0-9]+ $'
}

@test "PARALLEL_SEQ numbers the jobs in input order" {
	run prun -k 'echo $PARALLEL_SEQ {}' ::: a b c
	assert_output $'1 a\n2 b\n3 c'
}

@test "PARALLEL_JOBSLOT stays within 1..-j" {
	run prun -j2 'echo $PARALLEL_JOBSLOT # {}' ::: $(seq 20)
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | tr '\n' ' ')" "1 2 "
}

@test "replaces PARALLEL_SEQ inherited from the environment" {
	PARALLEL_SEQ=99 run prun 'echo $PARALLEL_SEQ # {}' ::: a
	assert_output 1
}

@test "reaps every job as it ends: zombies do not pile up" {
	run prun -j2 'sleep 0.05; ps -o stat= --ppid $PPID | grep -c Z; true {}' ::: $(seq 30)
	assert_success
	assert_equal "${#lines[@]}" 30
	for n in "${lines[@]}"; do
		[ "$n" -le 2 ] || fail "zombies: $output"
	done
}

@test "stops a job's background processes when the job ends" {
	marker="prun-bg-marker-$$-$RANDOM"
	run prun "sh -c 'sleep 30; :' $marker & echo started # {}" ::: 1
	assert_success
	assert_output "started"
	sleep 0.3
	assert_no_process "$marker"
}
