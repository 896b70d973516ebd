#!/usr/bin/env bats
# Jobs on other machines (-S, --slf) over the lab's three hosts: where jobs
# run and how many at once, the remote environment, --nonall and --onall,
# the job log, the sshloginfile read again, ssh's failures told from the
# jobs' own, and stops that leave nothing running on any host.

load helpers
load lab

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
	lab_start
}

setup() {
	lab_setup
	# Short: the ControlMaster sockets go under it.
	SOCKS=$(mktemp -d /tmp/prun-rt.XXXXXX)
	export TMPDIR=$SOCKS
}

teardown() {
	rm -rf "$SOCKS"
}

teardown_file() {
	lab_stop
}

# Fails unless no process whose command line contains $1 is left within
# 20 s: a job's processes on a host go in their own time once prun has
# gone (the job's watcher there runs the term sequence).
assert_process_goes() {
	local _
	for _ in $(seq 400); do
		no_process "$1" && return 0
		sleep 0.05
	done
	assert_no_process "$1"
}

# prun with the lab's ssh.
rprun() {
	prun --ssh "$LAB_SSH" "$@"
}

# Fails unless no ssh of this test's runs is left: ControlMasters and the
# sessions through them.
assert_no_master() {
	assert_no_process "-S $SOCKS/"
}

@test "jobs spread over the hosts, never more at once on one than its slots" {
	# Each job counts the jobs running on its host as it ends.
	local cmd
	cmd=$(lab_hosts_meet h1 h2 h3)
	cmd+='d=$HOME/run.'$BATS_TEST_NUMBER'; mkdir -p $d; touch $d/{};'
	cmd+=' sleep 0.5; echo $LAB_HOST $(ls $d | wc -l); rm $d/{}'
	run rprun -S 2/h1,2/h2,2/h3 "$cmd" ::: $(seq 18)
	assert_success
	assert_equal "${#lines[@]}" 18
	local h n
	for h in h1 h2 h3; do
		n=$(printf '%s\n' "${lines[@]}" | grep -c "^$h ")
		[ "$n" -ge 3 ] || fail "$h ran $n jobs"
	done
	# At most two at once on a host; two at some point.
	printf '%s\n' "${lines[@]}" | awk '$2 > 2 { exit 1 }' ||
		fail "more than two jobs at once on a host: $output"
	printf '%s\n' "${lines[@]}" | awk '$2 == 2 { f = 1 } END { exit !f }' ||
		fail "never two jobs at once on a host: $output"
	assert_no_master
}

@test "a host's slots are -j of its CPUs, asked once" {
	local cpus
	cpus=$(lab_ssh h1 getconf _NPROCESSORS_ONLN)
	local slots=$((cpus * 2))
	# Each job counts the jobs running on h1.  The first ones wait (up to
	# 20 s) until all the slots are taken, however late their logins come,
	# then a moment more, in which a job beyond the slots would show; the
	# last job starts only when one of them has ended.
	local d=$LAB_HOME_h1/cpu.$BATS_TEST_NUMBER
	rm -rf "$d" "$d.done"
	local cmd='d=$HOME/cpu.'$BATS_TEST_NUMBER'; mkdir -p $d $d.done;'
	cmd+=' touch $d/{}; n=0; until [ $(ls $d | wc -l) -ge '$slots' ] ||'
	cmd+=' [ -n "$(ls $d.done)" ] || [ $n -ge 400 ]; do sleep 0.05;'
	cmd+=' n=$((n + 1)); done; sleep 0.3; ls $d | wc -l; rm $d/{};'
	cmd+=' touch $d.done/{}'
	run rprun -S h1 -j 200% "$cmd" ::: $(seq $((slots + 1)))
	assert_success
	assert_equal "${#lines[@]}" $((slots + 1))
	printf '%s\n' "${lines[@]}" | sort -n | tail -1 | {
		read -r most
		[ "$most" -eq "$slots" ] ||
			fail "at most $most at once, want $slots"
	}
}

@test "24 hosts at once do not trip sshd's MaxStartups 10:30:100" {
	local logins=() h
	for h in h1 h2 h3 127.0.0.1 127.0.0.2 127.0.0.3; do
		logins+=("1/$h" "1/root@$h" "1/$h:$LAB_PORT" "1/root@$h:$LAB_PORT")
	done
	local before log_before
	before=$(lab_logins)
	log_before=$(wc -l <"$LAB_DIR/sshd.log")
	run rprun -S "$(IFS=,; echo "${logins[*]}")" 'sleep 0.5; echo {}' \
		::: $(seq 48)
	assert_success
	assert_equal "${#lines[@]}" 48
	refute_output --partial dropped
	# At most one login per host: the jobs go through its ControlMaster,
	# and sshd refused none.
	[ $(($(lab_logins) - before)) -le 24 ] || fail "$(lab_logins) logins"
	run tail -n +"$((log_before + 1))" "$LAB_DIR/sshd.log"
	refute_output --partial MaxStartups
}

@test ": runs jobs on this machine beside the remote hosts" {
	run rprun -S 1/:,1/h1 "$(lab_hosts_meet here h1)"'sleep 0.3
		echo ${LAB_HOST:-here}' ::: 1 2 3 4 5 6
	assert_success
	assert_line --regexp '^here [1-6]$'
	assert_line --regexp '^h1 [1-6]$'
	assert_equal "${#lines[@]}" 6
}

@test "a remote job gets its arguments, stdin is empty, status and output kept" {
	run rprun -k -S h2 'printf "%s|" {} "$PARALLEL_SEQ" "$PARALLEL_SSHHOST"; cat; echo; echo err >&2; exit {#}' ::: "a  b" "it's" '$HOME'
	assert_failure 3
	assert_output "a  b|1|h2|
err
it's|2|h2|
err
\$HOME|3|h2|
err"
}

@test "a job shell that is not POSIX (fish) runs the command on the host" {
	command -v fish >/dev/null || skip "fish is not installed"
	run rprun -S h1 --shell "$(command -v fish)" \
		'set x {}; echo "fish $x $LAB_HOST"; exit 3' ::: a
	assert_failure 1
	assert_output "fish a h1"
}

@test "--pipe feeds each remote job its chunk, byte for byte" {
	seq 200000 >"$BATS_TEST_TMPDIR/in"
	run bash -c '"$PRUN" --ssh "$LAB_SSH" -S h1,h2,h3 --pipe --block 100k wc -l \
		<"$BATS_TEST_TMPDIR/in" | awk "{ s += \$1 } END { print s }"'
	assert_success
	assert_output 200000
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/bin"
	rprun -S h1,h2 --pipe -k --block 200k cat <"$BATS_TEST_TMPDIR/bin" \
		>"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/out"
}

@test "--env copies a variable, an exported function, and with env_prun an array" {
	export greeting="hello  world"
	hi() { echo "hi $1"; }
	export -f hi
	run rprun -S h3 --env greeting --env hi 'echo "$greeting"; hi {}' ::: x
	assert_success
	assert_output "hello  world
hi x"
	export -fn hi
	run bash -c '. "$1/shell/env_prun.bash"
		PATH=$(dirname "$PRUN"):$PATH
		arr=(one "two  three")
		f() { echo "f ${arr[1]} ${#arr[@]} $1"; }
		env_prun --ssh "$LAB_SSH" -S h1 --env arr --env f f ::: a' \
		bash "$TOP"
	assert_success
	assert_output "f two  three 2 a"
}

@test "--nonall runs the command once on each host; --tag names the host" {
	run rprun -S h1,h2,h3 --nonall 'echo $LAB_HOST'
	assert_success
	assert_output "h1
h2
h3"
	run rprun -S h1,h3 --tag --nonall 'echo $LAB_HOST; echo two'
	assert_success
	assert_output "h1	h1
h1	two
h3	h3
h3	two"
}

@test "--onall runs every job on each host; the status counts failures" {
	run rprun -S h1,h2 --tag --onall 'echo {} $LAB_HOST; [ {} != b ]' \
		::: a b c
	assert_failure 2
	assert_output "h1	a h1
h1	b h1
h1	c h1
h2	a h2
h2	b h2
h2	c h2"
}

@test "the job log's Host column has the sshlogin" {
	run rprun -S 1/h2 --joblog "$BATS_TEST_TMPDIR/log" 'exit {}' ::: 0 3
	assert_failure 1
	run cut -f 1,2,7,9 "$BATS_TEST_TMPDIR/log"
	assert_output "Seq	Host	Exitval	Command
1	h2	0	exit 0
2	h2	3	exit 3"
	run rprun -S 1/:,1/h2 --joblog - --nonall true
	assert_success
	run cut -f 2 <<<"$output"
	assert_output "Host
:
h2"
}

@test "--hostgroups runs ARG@GRP on a host of that group, with ARG" {
	run rprun -S @odd/h1,@even/h2,@odd+even/h3 --hgrp -k \
		'echo {} $LAB_HOST' ::: a@even b@even c@even d@even
	assert_success
	local line
	for line in "${lines[@]}"; do
		[[ $line =~ ^[abcd]\ h[23]$ ]] || fail "ran on a wrong host: $line"
	done
	assert_equal "${#lines[@]}" 4
}

@test "a host added to the sshloginfile while jobs run gets jobs" {
	local slf=$BATS_TEST_TMPDIR/hosts ran=$BATS_TEST_TMPDIR/ran
	mkdir "$ran"
	echo 1/h1 >"$slf"
	# Each job notes its host.  Once h1 has run one, h3 joins the file
	# (whole, by a rename); the arguments keep coming, one every 0.3 s,
	# until a job has run on h3 (for at most 30 s).
	(
		for _ in $(seq 400); do
			[ -e "$ran/h1" ] && break
			sleep 0.05
		done
		printf '1/h1\n1/h3\n' >"$slf.new" && mv "$slf.new" "$slf"
	) &
	run bash -c 'for i in $(seq 100); do
			[ -e "$1/h3" ] && break
			echo "$i"
			sleep 0.3
		done | "$PRUN" --ssh "$LAB_SSH" --slf "$2" \
			"touch $1/\$LAB_HOST; sleep 0.6; echo \$LAB_HOST {}"' \
		bash "$ran" "$slf"
	wait
	assert_success
	assert_line --regexp '^h1 [0-9]+$'
	assert_line --regexp '^h3 [0-9]+$'
}

@test "an ssh that fails for one host: the jobs run on the others, the run succeeds" {
	local fake=$BATS_TEST_TMPDIR/ssh
	cat >"$fake" <<-EOF
	#!/bin/sh
	for a; do [ "\$a" = h2 ] && { echo "no route to h2" >&2; exit 255; }; done
	exec $LAB_SSH "\$@"
	EOF
	chmod +x "$fake"
	run prun --ssh "$fake" -S h1,h2,h3 'echo {} ${LAB_HOST}' ::: 1 2 3 4 5 6
	assert_success
	# Dropped, or at the end (if the run ended first) not used.
	assert_line --regexp "^prun: host h2 (dropped|not used): no route to h2$"
	[ "$(grep -c 'prun: host' <<<"$output")" -eq 1 ] || fail "$output"
	local n
	n=$(grep -c '^[1-6] h[13]$' <<<"$output")
	assert_equal "$n" 6
}

@test "--cat and --fifo are refused with remote hosts, before any job" {
	run rprun -S :,h2 --cat wc -l <<<"x"
	assert_failure 255
	assert_output "prun: --cat cannot go with remote hosts (h2): use --pipe"
	run rprun -S : --fifo 'wc -l <{}' <<<"x"
	assert_success
	assert_output 1
}

@test "--ssh may name an exported bash function, as a jump host does" {
	jumpssh() { echo "via jumpssh" >>"$BATS_TEST_TMPDIR/used"; $LAB_SSH "$@"; }
	export -f jumpssh
	run prun --ssh jumpssh -S h2 'echo {} $LAB_HOST' ::: this
	assert_success
	assert_output "this h2"
	export -fn jumpssh
	[ -s "$BATS_TEST_TMPDIR/used" ] || fail "the function was not used"
}

@test "--filter-hosts drops a host at its first failure; -M and --ssh-delay are taken" {
	local fake=$BATS_TEST_TMPDIR/ssh
	cat >"$fake" <<-EOF
	#!/bin/sh
	for a; do [ "\$a" = h3 ] && { echo try >>"$BATS_TEST_TMPDIR/tries"; echo "h3 is down" >&2; exit 255; }; done
	exec $LAB_SSH "\$@"
	EOF
	chmod +x "$fake"
	run prun --ssh "$fake" --filter-hosts -M --ssh-delay 0.1 -S h1,h3 \
		'sleep 1; echo {} $LAB_HOST' ::: a b
	assert_success
	assert_line "prun: host h3 dropped: h3 is down"
	assert_line "a h1"
	assert_line "b h1"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/tries")" 1
}

@test "a job that exits 255 itself is reported, not run again" {
	run rprun -S h1 --joblog "$BATS_TEST_TMPDIR/log" \
		'echo ran >>$HOME/255.'$BATS_TEST_NUMBER'; exit 255' ::: x
	assert_failure 1
	run cut -f 7 "$BATS_TEST_TMPDIR/log"
	assert_line --index 1 255
	run cat "$LAB_HOME_h1/255.$BATS_TEST_NUMBER"
	assert_output ran
}

@test "--timeout kills the job's processes on the host, and the masters end" {
	# The mark is in the sleeps' own command lines too (a fraction of a
	# second), so that a sleep left behind on a host shows.
	local mark=$BATS_TEST_NUMBER$$
	local start=$(now_ms)
	run rprun -S h1,h2 --timeout 1 "sleep 300.$mark & sleep 301.$mark; : {}" \
		::: 1 2
	assert_failure 2
	[ $(($(now_ms) - start)) -lt 15000 ] || fail "took too long"
	assert_no_master
	assert_process_goes "sleep 30[01][.]$mark"
}

@test "--timeout kills a --pipe job on its host too" {
	local mark=$BATS_TEST_NUMBER$$
	run bash -c 'seq 10 | "$PRUN" --ssh "$LAB_SSH" -S h2 --pipe \
		--timeout 1 "sleep 300.$1; cat"' bash "$mark"
	assert_failure 1
	assert_no_master
	assert_process_goes "sleep 300[.]$mark"
}

@test "--termseq's signals reach the job's process group on the host" {
	local mark=termseq.$BATS_TEST_NUMBER.$$
	local log=$LAB_HOME_h1/$mark
	rm -f "$log"
	run rprun -S h1 --termseq INT,500,KILL,25 --timeout 1 \
		'trap "echo got INT {} >>$HOME/'$mark'; exit 1" INT; sleep 300 & wait' ::: x
	assert_failure 1
	# The host's side ends after prun: read the log once it is written
	# and the job's shells there are gone.
	wait_until test -s "$log"
	assert_process_goes "$mark"
	run cat "$log"
	assert_output "got INT x"
}

@test "Ctrl-C stops the remote jobs on every host" {
	local mark=$BATS_TEST_NUMBER$$ on=$BATS_TEST_TMPDIR/on
	mkdir "$on"
	# Each job notes on its host that it runs; the interrupt comes once
	# all six do (or 20 s have gone by).
	"$PRUN" --ssh "$LAB_SSH" -S 2/h1,2/h2,2/h3 \
		"touch $on/{}; sleep 200.$mark" ::: 1 2 3 4 5 6 &
	local pid=$!
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(ls "$on" | wc -l)" -ge 6 ] && break
		sleep 0.05
	done
	kill -INT "$pid"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 130
	assert_equal "$(ls "$on" | wc -l)" 6
	assert_no_master
	assert_process_goes "sleep 200[.]$mark"
}

@test "sshd stopped mid-run: the lost jobs run again on the hosts left" {
	# Last in this file: the lab's sshd goes for good.
	local out=$BATS_TEST_TMPDIR/out
	"$PRUN" --ssh "$LAB_SSH" -S 2/h1,1/: 'sleep 1; echo {}' ::: $(seq 8) \
		>"$out" 2>&1 &
	local pid=$!
	sleep 1.5
	kill -TERM "$LAB_SSHD_PID" $(pgrep -P "$LAB_SSHD_PID") 2>/dev/null
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 0
	run sort -n "$out"
	assert_line --partial "prun: host h1 dropped"
	local n
	n=$(grep -c '^[1-8]$' "$out")
	assert_equal "$n" 8
}
