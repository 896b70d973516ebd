#!/usr/bin/env bats
# --joblog, --resume, --resume-failed, --retry-failed.

load helpers

@test "--joblog writes GNU parallel's columns, one line per job" {
	run prun -k --joblog "$BATS_TEST_TMPDIR/log" 'echo {}; exit {}' ::: 0 3
	assert_failure 1
	run cat "$BATS_TEST_TMPDIR/log"
	assert_line --index 0 $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand'
	assert_line --index 1 --regexp $'^1\t:\t[0-9]{10}\\.[0-9]{3}\t +[0-9]+\\.[0-9]{3}\t0\t2\t0\t0\techo 0; exit 0$'
	assert_line --index 2 --regexp $'^2\t:\t[0-9]{10}\\.[0-9]{3}\t +[0-9]+\\.[0-9]{3}\t0\t2\t3\t0\techo 3; exit 3$'
}

@test "--joblog records a timed-out job with exit value -1 and its signal" {
	run prun --joblog "$BATS_TEST_TMPDIR/log" --timeout 0.2 'sleep 5; true {}' ::: 1
	run tail -1 "$BATS_TEST_TMPDIR/log"
	assert_output --regexp $'\t-1\t15\tsleep 5; true 1$'
}

@test "--joblog records a job killed by a signal with exit value 0 and its signal" {
	run prun -k --joblog "$BATS_TEST_TMPDIR/log" 'kill -{} $$' ::: TERM KILL
	assert_failure 2
	run cut -f7- "$BATS_TEST_TMPDIR/log"
	assert_output $'Exitval\tSignal\tCommand\n0\t15\tkill -TERM $$\n0\t9\tkill -KILL $$'
}

@test "--joblog records -1 for a timed-out job only if it exits 0" {
	run prun -k --joblog "$BATS_TEST_TMPDIR/log" --timeout 1 \
		'trap "exit {}" TERM; sleep 3 & wait' ::: 3 0
	assert_failure 2
	run cut -f1,7- "$BATS_TEST_TMPDIR/log"
	assert_output $'Seq\tExitval\tSignal\tCommand\n1\t3\t0\ttrap "exit 3" TERM; sleep 3 & wait\n2\t-1\t0\ttrap "exit 0" TERM; sleep 3 & wait'
}

@test "--resume-failed and --retry-failed run again the jobs killed by a signal" {
	log=$BATS_TEST_TMPDIR/log
	prun -k --joblog "$log" 'kill -{} $$' ::: TERM KILL || true
	run prun -k --joblog "$log" --resume-failed 'echo again {}' ::: TERM KILL
	assert_success
	assert_output $'again TERM\nagain KILL'
	run cut -f1,7- "$log"
	assert_output $'Seq\tExitval\tSignal\tCommand\n1\t0\t15\tkill -TERM $$\n2\t0\t9\tkill -KILL $$\n1\t0\t0\techo again TERM\n2\t0\t0\techo again KILL'
	log=$BATS_TEST_TMPDIR/log2
	prun -k --joblog "$log" 'kill -{} $$' ::: TERM 0 || true
	run prun -k --joblog "$log" --retry-failed
	assert_failure 1
	run cut -f1,7- "$log"
	assert_output $'Seq\tExitval\tSignal\tCommand\n1\t0\t15\tkill -TERM $$\n2\t0\t0\tkill -0 $$\n1\t0\t15\tkill -TERM $$'
}

@test "--joblog +FILE appends" {
	prun --joblog "$BATS_TEST_TMPDIR/log" true ::: 1
	prun --joblog "+$BATS_TEST_TMPDIR/log" true ::: 1
	run grep -c '^Seq' "$BATS_TEST_TMPDIR/log"
	assert_output 1
	run grep -c $'^1\t' "$BATS_TEST_TMPDIR/log"
	assert_output 2
}

@test "--resume after a run killed half way runs exactly the unfinished jobs" {
	log=$BATS_TEST_TMPDIR/log out=$BATS_TEST_TMPDIR/out
	# Jobs 1 and 2 finish; 3 and 4 run until the kill; 5 to 8 never start.
	"$PRUN" -j2 --joblog "$log" "if [ {} -gt 2 ]; then touch $out.{}.on
		while :; do sleep 0.05; done; fi; echo {} >> $out" ::: 1 2 3 4 5 6 7 8 &
	pid=$!
	wait_until test -e "$out.3.on" -a -e "$out.4.on"
	kill -TERM "$pid"
	wait "$pid" || status=$?
	assert_equal "${status:-0}" 143
	run sort -n "$out"
	assert_output $'1\n2'
	run prun -j2 --joblog "$log" --resume "echo {} >> $out" ::: 1 2 3 4 5 6 7 8
	assert_success
	run sort "$out"
	assert_output "$(seq 8)"
	run bash -c "tail -n +2 '$log' | cut -f1 | sort -n | tr '\n' ' '"
	assert_output "1 2 3 4 5 6 7 8 "
}

@test "a job that ended just before prun's SIGTERM is logged, and --resume does not run it again" {
	cd "$BATS_TEST_TMPDIR"
	log=$BATS_TEST_TMPDIR/log
	"$PRUN" -j2 --joblog "$log" 'echo $$ >pid.{}
		"$AWAIT" go.{} && echo {}' ::: 1 2 >out &
	pid=$!
	wait_until test -e pid.1 -a -e pid.2
	# Job 1 ends while prun is stopped: the SIGTERM is handled first.
	kill -STOP "$pid"
	touch go.1
	wait_until ended "$(cat pid.1)"
	kill -TERM "$pid"
	kill -CONT "$pid"
	wait "$pid" || status=$?
	assert_equal "${status:-0}" 143
	assert_equal "$(cat out)" 1
	run cut -f1,7 "$log"
	assert_output $'Seq\tExitval\n1\t0'
	run prun -j2 --joblog "$log" --resume 'echo again {}' ::: 1 2
	assert_success
	assert_output "again 2"
}

@test "--resume-failed runs again the jobs that failed" {
	log=$BATS_TEST_TMPDIR/log
	prun --joblog "$log" 'exit {}' ::: 0 1 0 2 || true
	run prun -k --joblog "$log" --resume-failed 'echo again {}; exit 0' ::: 0 1 0 2
	assert_success
	assert_output $'again 1\nagain 2'
}

@test "--retry-failed runs the failed commands of the log, ignoring the command line" {
	log=$BATS_TEST_TMPDIR/log
	prun -j1 --joblog "$log" 'echo {}; exit {}' ::: 0 1 2 || true
	run prun -k -j1 --joblog "$log" --retry-failed
	assert_failure 2
	assert_output $'1\n2'
	run bash -c "tail -2 '$log' | cut -f1,7"
	assert_output $'2\t1\n3\t2'
}

@test "--retry-failed runs each failed seq once, with its last command, after --resume-failed appended to the log" {
	log=$BATS_TEST_TMPDIR/log
	prun -j1 --joblog "$log" 'echo {}; exit {}' ::: 1 2 0 >/dev/null || true
	prun -j1 --joblog "$log" --resume-failed \
		'echo b{}; exit {= $_ = $_ == 2 ? 0 : $_ =}' ::: 1 2 0 >/dev/null || true
	run prun -k -j1 --joblog "$log" --retry-failed
	assert_failure 1
	assert_output 'b1'
	run bash -c "tail -n +5 '$log' | cut -f1,7-"
	assert_output $'1\t1\t0\techo b1; exit 1\n2\t0\t0\techo b2; exit 0\n1\t1\t0\techo b1; exit 1'
}

@test "--joblog - writes the log to stdout, each line after its job's output" {
	cd "$BATS_TEST_TMPDIR"
	run bash -c '"$PRUN" --joblog - -k "echo out {}; echo err {} >&2" ::: 3 1 2>/dev/null | cut -f1,7-'
	assert_success
	assert_output $'Seq\tExitval\tSignal\tCommand\nout 3\n1\t0\t0\techo out 3; echo err 3 >&2\nout 1\n2\t0\t0\techo out 1; echo err 1 >&2'
	# Without -k, in the order of ending: the job of a ends once the job
	# of b has been reaped.
	run bash -c '"$PRUN" --joblog - -j2 "echo \$\$ >pid.{}; echo out {}
		[ {} = b ] || \"\$REAPED\" pid.b" ::: a b | cut -f1,7'
	assert_success
	assert_output $'Seq\tExitval\nout b\n2\t0\nout a\n1\t0'
	run bash -c '"$PRUN" --joblog - -u -j1 "echo out {}" ::: 3 1 | cut -f1,6-'
	assert_success
	assert_output $'Seq\tReceive\tExitval\tSignal\tCommand\nout 3\n1\t0\t0\t0\techo out 3\nout 1\n2\t0\t0\t0\techo out 1'
	[ ! -e - ] || fail "a file named - was written"
}

@test "--joblog - follows each job's output in every output mode" {
	for mode in --line-buffer "--line-buffer -k" --files "--tag -k"; do
		run bash -c '"$PRUN" --joblog - -j1 '"$mode"' "echo a {}; echo b {}" ::: 1 2 |
			cut -f1 | sed "s|^$TMPDIR/prun\..*|NAME|"'
		assert_success
		case $mode in
		--files) assert_output $'Seq\nNAME\n1\nNAME\n2' ;;
		--tag*) assert_output $'Seq\n1\n1\n1\n2\n2\n2' ;;
		*) assert_output $'Seq\na 1\nb 1\n1\na 2\nb 2\n2' ;;
		esac
	done
}

@test "--resume cannot read back a job log written to stdout" {
	cd "$BATS_TEST_TMPDIR"
	run prun --joblog - --resume echo ::: 1
	assert_failure 255
	assert_output "prun: --resume, --resume-failed and --retry-failed cannot read back a job log written to standard output (--joblog -)"
}

@test "--resume needs --joblog" {
	run prun --resume true ::: 1
	assert_failure 255
	assert_output "prun: --resume, --resume-failed and --retry-failed need --joblog FILE"
}

@test "an unwritable job log is an error and no job starts" {
	run prun --joblog /no/such/dir/log echo started ::: 1
	assert_failure 255
	assert_output --partial "prun: cannot open the job log '/no/such/dir/log'"
}

@test "--joblog counts the bytes of each job's stdout in every output mode" {
	for mode in '' -k --line-buffer --ungroup --files; do
		prun -j1 $mode --joblog "$BATS_TEST_TMPDIR/log$mode" \
			'seq {}; echo more >&2' ::: 3 2000 >/dev/null 2>&1
		run cut -f6 "$BATS_TEST_TMPDIR/log$mode"
		case $mode in
		--ungroup) assert_output $'Receive\n0\n0' ;; # GNU parallel's too
		*) assert_output $'Receive\n6\n8893' ;;
		esac
	done
}

@test "--joblog lists jobs in input order under -k, in order of ending without" {
	# The job of a ends once the job of b has been reaped.
	cd "$BATS_TEST_TMPDIR"
	job='echo $$ >pid.{}; [ {} = b ] || "$REAPED" pid.b'
	prun -k -j2 --joblog "$BATS_TEST_TMPDIR/k" "$job" ::: a b
	run cut -f1 "$BATS_TEST_TMPDIR/k"
	assert_output $'Seq\n1\n2'
	rm pid.*
	prun -j2 --joblog "$BATS_TEST_TMPDIR/g" "$job" ::: a b
	run cut -f1 "$BATS_TEST_TMPDIR/g"
	assert_output $'Seq\n2\n1'
}
