#!/usr/bin/env bats
# The ssh test lab itself: three hosts on loopback that a test can tell
# apart, the limits of a stock sshd, ControlMaster, rsync, and a stop that
# leaves nothing running.  The remote tests rely on all of it.

load helpers
load lab

setup_file() {
	lab_start
}

setup() {
	lab_setup
}

teardown_file() {
	lab_stop
}

@test "each of the three hosts runs a command, by alias and by address" {
	local h
	for h in $LAB_HOSTS $LAB_ADDRS; do
		run lab_ssh "$h" 'echo ran on; echo $LAB_HOST'
		assert_success
		assert_line --index 0 "ran on"
	done
}

@test "the marker, the home and the working directory tell the hosts apart" {
	local n
	for n in 1 2 3; do
		run lab_ssh "h$n" 'echo "$LAB_HOST $HOME $TMPDIR"; pwd'
		assert_success
		local home="$LAB_DIR/home/h$n"
		assert_output "h$n $home $home/tmp
$home"
	done
}

@test "the traffic stays on loopback, each host on its own address" {
	local n
	for n in 1 2 3; do
		# SSH_CONNECTION: client address, port, server address, port.
		run lab_ssh "h$n" 'set -- $SSH_CONNECTION; echo "$1 $3 $4"'
		assert_success
		assert_output --regexp "^127\.[0-9.]+ 127\.0\.0\.$n $LAB_PORT\$"
	done
}

@test "a command keeps its arguments, standard input and exit status" {
	run lab_ssh h2 printf '%s/' "'a  b'" '"$LAB_HOST"'
	assert_success
	assert_output "a  b/h2/"

	run bash -c \
		'printf "x\ny\n" | ssh -F "$LAB_SSH_CONFIG" h3 "cat; exit 7"'
	assert_equal "$status" 7
	assert_output "x
y"

	# A job's own 255 looks like ssh's failure to connect.
	run lab_ssh h1 'exit 255'
	assert_equal "$status" 255
}

@test "a host that is not in known_hosts is refused, without a prompt" {
	run ssh -F "$LAB_SSH_CONFIG" -o UserKnownHostsFile=/dev/null h1 true \
		</dev/null
	assert_equal "$status" 255
	assert_output --partial "Host key verification failed"
}

@test "sshd keeps its default MaxStartups and MaxSessions" {
	run /usr/sbin/sshd -T -f "$LAB_DIR/sshd_config"
	assert_success
	assert_line "maxstartups 10:30:100"
	assert_line "maxsessions 10"
}

@test "a ControlMaster carries later commands without new logins" {
	local ctl="$LAB_DIR/ctl-$BATS_TEST_NUMBER" before i start
	# No fd 3 for the master: bats would wait for it.
	lab_ssh -M -S "$ctl" -o ControlPersist=60 -fN h2 3>&-
	run lab_ssh -S "$ctl" -O check h2
	assert_success
	assert_output --partial "Master running"

	before=$(lab_logins)
	start=$(now_ms)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run lab_ssh -S "$ctl" -o ControlMaster=no h2 'echo $LAB_HOST'
		assert_success
		assert_output h2
	done
	# A new login costs 150-300 ms of handshakes on an idle machine; a
	# command through the master only a session.  The count of logins
	# is the proof; the bound is for a busy machine.
	assert_equal "$(lab_logins)" "$before"
	(($(now_ms) - start < 10000)) ||
		fail "10 commands through the master took" \
		     "$(($(now_ms) - start)) ms"

	run lab_ssh -S "$ctl" -O exit h2
	assert_success
	run lab_ssh -S "$ctl" -O check h2
	assert_failure
}

@test "rsync copies a relative path into one host's directory only" {
	mkdir -p "$BATS_TEST_TMPDIR/src/sub"
	echo data >"$BATS_TEST_TMPDIR/src/sub/file"
	cd "$BATS_TEST_TMPDIR/src"
	run rsync -R -e "$LAB_SSH" sub/file h3:
	assert_success
	assert_equal "$(cat "$LAB_HOME_h3/sub/file")" data
	[ ! -e "$LAB_HOME_h1/sub" ] && [ ! -e "$LAB_HOME_h2/sub" ] ||
		fail "the file went to another host too"
	rm -r "$LAB_HOME_h3/sub"
}

@test "stopping the lab leaves no process of it, not even a session" {
	# A lab of this test's own, so the file's lab stays up.
	local dir pids p
	dir=$(mktemp -d /tmp/prun-lab.XXXXXX)
	run "$LAB_SCRIPT" start "$dir"
	assert_success
	local ssh="ssh -F $dir/ssh_config"
	# A ControlMaster and a job running through it.
	$ssh -M -S "$dir/ctl" -o ControlPersist=60 -fN h1 3>&-
	$ssh -S "$dir/ctl" h1 'echo $$ >pid; exec sleep 60' \
		</dev/null >/dev/null 2>&1 3>&- &
	local client=$!
	for _ in $(seq 50); do
		[ -s "$dir/home/h1/pid" ] && break
		sleep 0.1
	done
	pids="$(cat "$dir/sshd.pid") $(cat "$dir/home/h1/pid")"
	pids="$pids $($ssh -S "$dir/ctl" -O check h1 2>&1 |
		sed -n 's/.*pid=\([0-9]*\).*/\1/p')"
	for p in $pids; do
		alive "$p" || fail "pid $p is not running before the stop"
	done

	run "$LAB_SCRIPT" stop "$dir"
	assert_success
	wait "$client" || true
	for p in $pids; do
		for _ in $(seq 50); do
			alive "$p" || break
			sleep 0.1
		done
		! alive "$p" || fail "pid $p outlived the lab"
	done
	[ ! -e "$dir" ] || fail "$dir is left"
}
