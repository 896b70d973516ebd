# The ssh test lab (tests/lab/sshd) for bats files that need remote hosts:
# call lab_start in setup_file, lab_setup in setup and lab_stop in
# teardown_file.  Where the lab cannot run, every test is skipped with the
# reason (bats 1.8 cannot skip from setup_file).  Otherwise the LAB_*
# variables tests/lab/sshd describes (LAB_SSH, LAB_HOSTS, LAB_DIR...) are
# exported; they are not PRUN_* so that prun_setup keeps them.

LAB_SCRIPT="$BATS_TEST_DIRNAME/../lab/sshd"

# Starts the lab's sshd for this file, or sets LAB_SKIP to why it cannot.
lab_start() {
	export LAB_SKIP=
	if [ "$(id -u)" != 0 ]; then
		LAB_SKIP="the ssh lab runs sshd, which needs root"
	elif [ ! -x /usr/sbin/sshd ]; then
		LAB_SKIP="the ssh lab needs /usr/sbin/sshd (openssh-server;"
		LAB_SKIP+=" see packaging/install-deps)"
	elif ! command -v ssh >/dev/null ||
	     ! command -v ssh-keygen >/dev/null; then
		LAB_SKIP="the ssh lab needs ssh and ssh-keygen (openssh-client)"
	fi
	[ -z "$LAB_SKIP" ] || return 0
	# Short: ControlMaster sockets go in it.
	LAB_DIR=$(mktemp -d /tmp/prun-lab.XXXXXX)
	echo "$LAB_DIR" >"$BATS_FILE_TMPDIR/lab-dir"
	"$LAB_SCRIPT" start "$LAB_DIR" || return
	set -a
	# shellcheck disable=SC1091
	. "$LAB_DIR/env"
	set +a
}

# The set-up of every test of a file with the lab: skips without it.
lab_setup() {
	prun_setup
	if [ -n "$LAB_SKIP" ]; then
		skip "$LAB_SKIP"
	fi
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

# Prints shell text for the start of a job: the job notes its host
# ($LAB_HOST, or "here" on this machine) and waits, for at most 20 s, until
# each host named has run a job.  Under load a host's connection may come
# up so late that the others would run every job.
lab_hosts_meet() {
	local dir=$BATS_TEST_TMPDIR/ran h until=
	mkdir -p "$dir"
	for h in "$@"; do
		until+="[ -e $dir/$h ] && "
	done
	printf '%s' "touch $dir/\${LAB_HOST:-here}; n=0; until $until:" \
		" || [ \$n -ge 400 ]; do sleep 0.05; n=\$((n + 1)); done; "
}

# The number of logins sshd has accepted so far.
lab_logins() {
	grep -c 'Accepted publickey' "$LAB_DIR/sshd.log" || true
}
