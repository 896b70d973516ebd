# The ssh test lab (tests/lab/sshd) for bats files that need remote hosts:
# call lab_start in setup_file and lab_stop in teardown_file.  lab_start
# skips the whole file, with the reason, where the lab cannot run; then it
# exports the LAB_* variables tests/lab/sshd describes (LAB_SSH, LAB_HOSTS,
# LAB_DIR...).  They are not PRUN_* so that prun_setup keeps them.

LAB_SCRIPT="$BATS_TEST_DIRNAME/../lab/sshd"

# Starts the lab's sshd for this file, or skips the file.
lab_start() {
	if [ "$(id -u)" != 0 ]; then
		skip "the ssh lab runs sshd, which needs root"
	fi
	if [ ! -x /usr/sbin/sshd ]; then
		skip "the ssh lab needs /usr/sbin/sshd" \
		     "(openssh-server; see packaging/install-deps)"
	fi
	if ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null
	then
		skip "the ssh lab needs ssh and ssh-keygen (openssh-client)"
	fi
	# Short: ControlMaster sockets go in it.
	LAB_DIR=$(mktemp -d /tmp/prun-lab.XXXXXX)
	echo "$LAB_DIR" >"$BATS_FILE_TMPDIR/lab-dir"
	"$LAB_SCRIPT" start "$LAB_DIR" || return
	set -a
	# shellcheck disable=SC1091
	. "$LAB_DIR/env"
	set +a
}

# Stops the lab's sshd and every session it has, and removes its directory.
lab_stop() {
	local dir
	dir=$(cat "$BATS_FILE_TMPDIR/lab-dir" 2>/dev/null) || return 0
	"$LAB_SCRIPT" stop "$dir"
	rm -f "$BATS_FILE_TMPDIR/lab-dir"
}

# ssh with the lab's configuration: lab_ssh h2 'echo $LAB_HOST'.
lab_ssh() {
	ssh -F "$LAB_SSH_CONFIG" "$@"
}

# The number of logins sshd has accepted so far.
lab_logins() {
	grep -c 'Accepted publickey' "$LAB_DIR/sshd.log" || true
}

# True while pid $1 runs (a zombie has ended).
lab_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}
