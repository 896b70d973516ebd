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
	# Jobs left waiting by a failed test end, and so does swapping.
	touch "$BATS_TEST_TMPDIR/go" "$BATS_TEST_TMPDIR/stop"
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

# How many jobs run at once, as each job sees it; $1 is how many should.
# Each job waits (up to 20 s) until that many run, then 0.5 s more (for
# any that should not run to show), counts, and ends only once that many
# have counted: a count, which a slow machine does not change.
count_run() {
	local want=$1
	shift
	rm -f ./*.on ./*.counted
	cat >count.sh <<-'EOF'
		# $1: the job, $2: how many should run at once.
		seen() { [ "$(ls | grep -c "[.]$1\$")" -ge "$2" ]; }
		touch "$1.on"
		i=0
		until seen on "$2" || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
		sleep 0.5
		n=$(ls | grep -c "[.]on$")
		touch "$1.counted"
		i=0
		until seen counted "$2" || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
		echo "$1 $n"
		rm "$1.on"
	EOF
	prun -k -j3 "$@" sh count.sh {} "$want" ::: a b c
}

@test "--memsuspend: short of memory, one job runs at a time" {
	echo 'MemAvailable:   1000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo run count_run 1 --memsuspend 1M
	assert_success
	assert_output $'a 1\nb 1\nc 1'
	echo 'MemAvailable:   3000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo run count_run 3 --memsuspend 1M
	assert_success
	assert_output $'a 3\nb 3\nc 3'
}

@test "--memsuspend more than the machine has still runs the jobs" {
	# GNU parallel waits for ever here.
	run count_run 1 --memsuspend 100T
	assert_success
	assert_output $'a 1\nb 1\nc 1'
}

# The state of the job whose pid is in file $1, judged by its process
# group: T if stopped (every process in it stopped, or waiting in D for one
# that is: a shell stopped while it starts a command waits for the vfork
# child to exec), else S.
state() {
	ps -e -o pgid=,stat= | awk -v g="$(cat "$1")" '
		$1 == g { s = s substr($2, 1, 1) }
		END { print (s ~ /T/ && s !~ /[RS]/) ? "T" : "S" }'
}

# Waits up to 20 s until the states of jobs a b c are $1.
wait_states() {
	local i=0
	until [ "$(state a.pid)$(state b.pid)$(state c.pid)" = "$1" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "states $(state a.pid)$(state b.pid)$(state c.pid), not $1"
		sleep 0.1
	done
}

@test "--memsuspend stops the youngest jobs while memory is short" {
	echo 'MemAvailable:   9000 kB' >meminfo
	PRUN_TEST_MEMINFO=$PWD/meminfo "$PRUN" -k -j3 --memsuspend 2M \
		'echo $$ >{}.pid; until [ -e go ]; do sleep 0.1; done; echo {}' \
		::: a b c >out 2>&1 3>&- &
	local pid=$!
	wait_until test -s a.pid -a -s b.pid -a -s c.pid
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
	wait_until test -s a.pid -a -s b.pid
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

# Makes the vmstat file count up pages swapped in ($1) and out ($2), and
# touches "swapping" once it has; stops after $3 s (default 2 to 3 s) or
# once "stop" exists, then touches "over".
swap_for_a_while() {
	local end=$((SECONDS + ${3:-3})) in=10 out=10
	while [ $SECONDS -lt $end ] && [ ! -e stop ]; do
		in=$((in + $1)) out=$((out + $2))
		printf 'pswpin %d\npswpout %d\n' $in $out >vmstat.new
		mv vmstat.new vmstat
		[ -e swapping ] || touch swapping
		sleep 0.05
	done
	touch over
}

@test "--noswap starts no job while the machine swaps in and out" {
	printf 'pswpin 10\npswpout 10\n' >vmstat
	swap_for_a_while 5 5 3>&- &
	wait_until test -e swapping
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	wait
	assert_success
	assert_output 'after a'
}

@test "--noswap: swapping only in, or only out, holds nothing back" {
	# The swapping goes on until prun is done (or 20 s).
	printf 'pswpin 10\npswpout 10\n' >vmstat
	swap_for_a_while 5 0 20 3>&- &
	wait_until test -e swapping
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	touch stop
	wait
	assert_success
	assert_output 'before a'
	rm over stop swapping
	swap_for_a_while 0 5 20 3>&- &
	wait_until test -e swapping
	PRUN_TEST_VMSTAT=$PWD/vmstat run prun --noswap \
		'[ -e over ] && echo after {} || echo before {}' ::: a
	touch stop
	wait
	assert_success
	assert_output 'before a'
}
