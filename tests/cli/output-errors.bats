#!/usr/bin/env bats
# Output that cannot be kept or written is an error, never a silent loss.

load helpers

# Mounts a 2 MiB tmpfs at $mnt, or skips the test.
mount_small() {
	mnt=$BATS_TEST_TMPDIR/small
	mkdir -p "$mnt"
	mount -t tmpfs -o size=2m prun-test "$mnt" 2>/dev/null ||
		skip "cannot mount a tmpfs here (needs root)"
}

teardown() {
	if [ -n "${mnt:-}" ] && mountpoint -q "$mnt"; then
		umount "$mnt" || umount -l "$mnt"
	fi
}

# The first jobs' output reaches prun through pipes, and prun writes it
# to its own temp files: a full disk is seen as a failed write there.
@test "reports a full spool directory and exits non-zero" {
	mount_small
	run prun --tmpdir "$mnt" 'head -c 3000000 /dev/zero # {}' ::: 1
	assert_failure 255
	assert_line "prun: output of job 1 is incomplete: $mnt: No space left on device"
}

@test "reports a full disk even when the job ignores its write errors" {
	mount_small
	run prun --tmpdir "$mnt" 'head -c 3000000 /dev/zero 2>/dev/null; true # {}' ::: 1
	assert_failure 255
	assert_line --partial "prun: output of job 1 is incomplete"
}

@test "reports a full disk that two jobs filled together, with -k" {
	mount_small
	# Both hold their output at once: they wait after writing it.  It
	# goes to stderr, which is stdout's file: the job at the head of -k
	# holds it too, rather than passing it straight out.
	run prun -k -j2 --tmpdir "$mnt" 'head -c 1200000 /dev/zero >&2 2>/dev/null; sleep 0.5 # {}' ::: 1 2
	assert_failure 255
	assert_line --regexp "^prun: output of job [12] is incomplete: $mnt: No space left on device\$"
}

# Once a job printed much, later jobs write into temp files themselves:
# prun sees the full disk by looking at it when they end.
@test "reports a full disk that a job writing its own temp file filled" {
	mount_small
	# Job 2 may fill the disk before job 1's output is written and its
	# spool freed: the loss is seen then, before the space comes back.
	run prun -j1 --tmpdir "$mnt" 'head -c {} /dev/zero # {}' ::: 1500000 3000000
	assert_failure 255
	assert_line --regexp "^prun: output (of job 2 )?may be incomplete: $mnt: No space left on device\$"
	run bash -c 'set -o pipefail; "$PRUN" -j1 --tmpdir "$1" "head -c {} /dev/zero 2>/dev/null; true" ::: 1500000 3000000 | wc -c' _ "$mnt"
	assert_failure 255
	assert_line --regexp "^prun: output (of job 2 )?may be incomplete"
}

@test "reports a full disk that two jobs writing their own temp files filled, with -k" {
	mount_small
	# Job 1 is written and gone before jobs 2 and 3 start, 0.3 s apart;
	# they hold their output at once, waiting after writing it.
	# Tags keep job 1 from passing its output straight out, as -k would.
	run bash -c '"$PRUN" -k -j2 --tag --delay 0.3 --tmpdir "$1" \
		"sleep {2}; head -c {1} /dev/zero 2>/dev/null; sleep 0.5" \
		::: 1500000 1200000 1200000 :::+ 0 0.5 0.2 >/dev/null' _ "$mnt"
	assert_failure 255
	assert_line --regexp "^prun: output (of job [23] )?may be incomplete: $mnt: No space left on device\$"
}

@test "reports a --line-buffer line that does not fit in the temp directory" {
	mount_small
	run prun --line-buffer --tmpdir "$mnt" 'head -c 3000000 /dev/zero # {}' ::: 1
	assert_failure 255
	assert_line "prun: cannot write a temp file in $mnt: No space left on device"
}

@test "a nearly full spool directory is no error when nothing was lost" {
	mount_small
	run bash -c '"$PRUN" --tmpdir "$1" "head -c 1500000 /dev/zero # {}" ::: 1 | wc -c' _ "$mnt"
	assert_success
	assert_output 1500000
}

@test "a full disk under stdout is an error" {
	mount_small
	run bash -c '"$PRUN" "head -c 3000000 /dev/zero # {}" ::: 1 >"$1/out"' _ "$mnt"
	assert_failure 255
	assert_output "prun: cannot write to standard output: No space left on device"
}

@test "rejects a --tmpdir that does not exist" {
	run prun --tmpdir /no/such/dir echo ::: x
	assert_failure 255
	assert_output "prun: cannot create temp files in /no/such/dir: No such file or directory"
}

@test "rejects an empty --tmpdir" {
	run prun --tmpdir '' echo ::: x
	assert_failure 255
	assert_output "prun: bad value for --tmpdir: empty"
}

@test "leaves no temp file behind when killed with kill -9" {
	marker="prun-kill9-$$-$RANDOM"
	"$PRUN" -k -j3 "seq 100000; sleep 3 # $marker {}" ::: 1 2 3 >/dev/null &
	pid=$!
	sleep 0.5
	kill -9 "$pid"
	wait "$pid" || true
	run ls -A "$TMPDIR"
	for p in $(pgrep -f -- "$marker"); do
		kill -- "-$p" 2>/dev/null || true
	done
	assert_output ""
}
