#!/usr/bin/env bats
# What holds jobs back or stops them while they run: --limit's status 2
# (evict the youngest job), --memsuspend (stop the youngest jobs while
# memory is short) and --noswap.  The outputs are GNU parallel's.  A lack
# of memory and swapping are played out with meminfo and vmstat files of
# the test's own (PRUN_TEST_MEMINFO, PRUN_TEST_VMSTAT).

load helpers

setup() {
	prun_setup
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	# Jobs left waiting by a failed test end.
	touch "$BATS_TEST_TMPDIR/go"
}

# Job b asks, on its first try only, that the youngest job be evicted:
# the limit command says 2 for as long as that job lives (a zombie does
# not count: GNU parallel would evict the next job before reaping it).
limit_run() {
	prun -k -j2 "$@" --joblog log --limit '[ -e evict ] || exit 0
		case $(ps -o stat= -p $(cat evict)) in ""|Z*) rm evict; exit 0; esac
		exit 2' \
		'echo start {}; case {} in
		a) sleep 1 ;;
		b) if [ -e b.once ]; then sleep 1
		   else touch b.once; echo $$ >evict; sleep 5; fi ;;
		esac; echo end {}' ::: a b c
}

@test "--limit: status 2 kills the youngest job, which fails" {
	run limit_run
	assert_failure 1
	assert_output $'start a\nend a\nstart b\nstart c\nend c'
	run awk -F'\t' 'NR > 1 { print $1, $7, $8 }' log
	assert_output $'1 0 0\n2 -1 15\n3 0 0'
}

@test "--limit: the evicted job runs again under --retries" {
	run limit_run --retries 2
	assert_success
	assert_output $'start a\nend a\nstart b\nend b\nstart c\nend c'
	run awk -F'\t' 'NR > 1 { print $1, $7, $8 }' log
	assert_output $'1 0 0\n2 0 0\n3 0 0'
}

@test "--limit: status 1 holds jobs back but kills none" {
	run prun -k -j2 --limit '[ ! -e a.on ]' \
		'touch {}.on; sleep 1; echo {}; rm {}.on' ::: a b
	assert_success
	assert_output $'a\nb'
}

# How many jobs run at once, as each job sees it.
count_run() {
	prun -k -j3 "$@" 'touch {}.on; sleep 0.5; n=$(ls | grep -c "[.]on$")
		sleep 0.5; echo {} $n; rm {}.on' ::: a b c
}

@test "--memsuspend: short of memory, one job runs at a time" {
	echo 'MemAvailable:   1000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo run count_run --memsuspend 1M
	assert_success
	assert_output $'a 1\nb 1\nc 1'
	echo 'MemAvailable:   3000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo run count_run --memsuspend 1M
	assert_success
	assert_output $'a 3\nb 3\nc 3'
}

@test "--memsuspend more than the machine has still runs the jobs" {
	# GNU parallel waits for ever here.
	run count_run --memsuspend 100T
	assert_success
	assert_output $'a 1\nb 1\nc 1'
}

# The state of the process whose pid is in file $1: T if stopped, else S.
state() {
	ps -o stat= -p "$(cat "$1")" | cut -c1 | tr RD SS
}

# Waits up to 10 s until the states of jobs a b c are $1.
wait_states() {
	local i=0
	until [ "$(state a.pid)$(state b.pid)$(state c.pid)" = "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "states $(state a.pid)$(state b.pid)$(state c.pid), not $1"
		sleep 0.1
	done
}

@test "--memsuspend stops the youngest jobs while memory is short" {
	echo 'MemAvailable:   9000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo "$PRUN" -k -j3 --memsuspend 2M \
		'echo $$ >{}.pid; until [ -e go ]; do sleep 0.1; done; echo {}' \
		::: a b c >out 2>&1 3>&- &
	local pid=$!
	until [ -s a.pid ] && [ -s b.pid ] && [ -s c.pid ]; do
		sleep 0.1
	done
	wait_states SSS
	# Below 2M, only the oldest job goes on.
	echo 'MemAvailable:   1500 kB' >meminfo
	wait_states STT
	# Below 4M, the 1 + 1 / (2 - 2.5M / 2M) oldest, rounded down: 2.
	echo 'MemAvailable:   2560 kB' >meminfo
	wait_states SST
	# Above 4M, every job goes on, one at each look.
	echo 'MemAvailable:   9000 kB' >meminfo
	wait_states SSS
	touch go
	wait $pid
	run cat out
	assert_output $'a\nb\nc'
}

@test "--memsuspend: a stopped job is let go on to be killed" {
	echo 'MemAvailable:   9000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo "$PRUN" -k -j2 --timeout 4 \
		--memsuspend 2M 'trap "echo caught {}; exit 3" TERM
		echo $$ >{}.pid; sleep 10 & wait' ::: a b >out 2>err 3>&- &
	local pid=$!
	until [ -s a.pid ] && [ -s b.pid ]; do
		sleep 0.1
	done
	echo 'MemAvailable:   1000 kB' >meminfo
	local i=0
	until [ "$(state b.pid)" = T ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "job b was not stopped"
		sleep 0.1
	done
	# A stopped job would see the TERM of the timeout only when gone on.
	local st=0
	wait $pid || st=$?
	[ $st -eq 2 ] || fail "exit status $st, not 2"
	run cat out
	assert_output $'caught a\ncaught b'
}

# Makes the vmstat file count up pages swapped in ($1) and out ($2) for
# 2 to 3 s, then touches "over".
swap_for_a_while() {
	local end=$((SECONDS + 3)) in=10 out=10
	while [ $SECONDS -lt $end ]; do
		in=$((in + $1)) out=$((out + $2))
		printf 'pswpin %d\npswpout %d\n' $in $out >vmstat.new
		mv vmstat.new vmstat
		sleep 0.05
	done
	touch over
}

@test "--noswap starts no job while the machine swaps in and out" {
	printf 'pswpin 10\npswpout 10\n' >vmstat
	swap_for_a_while 5 5 3>&- &
	sleep 0.3
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	wait
	assert_success
	assert_output 'after a'
}

@test "--noswap: swapping only in, or only out, holds nothing back" {
	printf 'pswpin 10\npswpout 10\n' >vmstat
	swap_for_a_while 5 0 3>&- &
	sleep 0.3
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	assert_success
	assert_output 'before a'
	wait
	rm over
	swap_for_a_while 0 5 3>&- &
	sleep 0.3
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	wait
	assert_success
	assert_output 'before a'
}
