#!/usr/bin/env bats
# Spool files serve one job after another: each job's output is its own,
# whatever an earlier job left behind.  Jobs write spool files of their own
# once one job has printed much: job "big" does, in NUL bytes that the
# tests drop.

load helpers

setup_file() {
	# Job "escape" or "stay" leaves a process that writes after the job
	# has ended.  The job waits until that process is out of reach of the
	# SIGTERM that its end sends to its group (out of the group, or
	# ignoring the signal); the other jobs print their name.
	cat > "$BATS_FILE_TMPDIR/job" <<'EOF'
#!/bin/sh
dir=$(dirname "$0")
case $1 in
big)
	head -c 2000000 /dev/zero ;;
escape)
	rm -f "$dir/ready"
	setsid "$dir/leftover" &
	until [ -e "$dir/ready" ]; do sleep 0.01; done
	echo first ;;
stay)
	rm -f "$dir/ready"
	sh -c 'trap "" TERM; exec "$0"' "$dir/leftover" &
	until [ -e "$dir/ready" ]; do sleep 0.01; done
	echo first ;;
*)
	sleep 0.1; echo "job $1"; echo "err $1" >&2 ;;
esac
EOF
	# The leftover writes once prun has printed job 2's output (or after
	# 20 s): the output of the job that left it is out by then, and later
	# jobs still run or are to come.
	cat > "$BATS_FILE_TMPDIR/leftover" <<'EOF'
#!/bin/sh
dir=$(dirname "$0")
touch "$dir/ready"
i=0
until grep -qa "job 2" "$dir/seen" || [ $i -ge 1000 ]; do
	sleep 0.02
	i=$((i + 1))
done
echo late
echo late >&2
EOF
	chmod +x "$BATS_FILE_TMPDIR/job" "$BATS_FILE_TMPDIR/leftover"
}

expected() {
	printf '%s\n' first 'job 2' 'err 2' 'job 3' 'err 3' 'job 4' 'err 4' \
		'job 5' 'err 5' 'job 6' 'err 6' 'job 7' 'err 7'
}

# Runs prun with the arguments, all output on stdout without NUL bytes;
# what prun printed so far is in $BATS_FILE_TMPDIR/seen too.
prun_visible() {
	: >"$BATS_FILE_TMPDIR/seen"
	run bash -c 'set -o pipefail; "$PRUN" "$@" 2>&1 | tee -a "$0" |
		tr -d "\0"' "$BATS_FILE_TMPDIR/seen" "$@"
}

@test "a later job's output never holds what an earlier one wrote" {
	prun_visible -j1 'if [ {} = big ]; then head -c 2000000 /dev/zero;
		else printf "%s\n" {}; printf "%s\n" {} >&2; fi' ::: \
		big aaaaaaaaaaaaaaaa b cccccccccccc d
	assert_success
	assert_output "$(printf '%s\n' aaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaa \
		b b cccccccccccc cccccccccccc d d)"
}

@test "a late write by a process that left the job's group goes nowhere" {
	command -v setsid >/dev/null || skip "no setsid"
	prun_visible -j1 "$BATS_FILE_TMPDIR/job" ::: big escape 2 3 4 5 6 7
	wait_until no_process "$BATS_FILE_TMPDIR/leftover"
	assert_success
	assert_output "$(expected)"
}

@test "a late write by a leftover that ignores SIGTERM goes nowhere" {
	prun_visible -j1 "$BATS_FILE_TMPDIR/job" ::: big stay 2 3 4 5 6 7
	assert_success
	assert_output "$(expected)"
}

@test "a late write goes nowhere under -k either" {
	command -v setsid >/dev/null || skip "no setsid"
	prun_visible -k -j2 "$BATS_FILE_TMPDIR/job" ::: big escape 2 3 4 5 6 7
	wait_until no_process "$BATS_FILE_TMPDIR/leftover"
	assert_success
	assert_output "$(expected)"
}
