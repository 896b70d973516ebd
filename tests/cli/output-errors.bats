#!/usr/bin/env bats
# Output that cannot be kept or written is an error, never a silent loss;
# a full spool directory only makes jobs wait.

load helpers

# Mounts a 2 MiB tmpfs at $mnt, or skips the test.
mount_small() {
	mnt=$BATS_TEST_TMPDIR/small
	mkdir -p "$mnt"
	mount -t tmpfs -o size=2m prun-test "$mnt" 2>/dev/null ||
		skip "cannot mount a tmpfs here (needs root)"
}

teardown() {
	# Jobs that wait for the file $go end once it is there.
	[ -z "${go:-}" ] || : >"$go"
	if [ -n "${mnt:-}" ] && mountpoint -q "$mnt"; then
		umount "$mnt" || umount -l "$mnt"
	fi
}

# Mounts a tmpfs of a little more than 1 GiB at $mnt, or skips the test:
# with 1 GiB free, jobs that print much write temp files of their own.
# (A tmpfs takes memory only for what is written.)
mount_big() {
	mnt=$BATS_TEST_TMPDIR/big
	mkdir -p "$mnt"
	mount -t tmpfs -o size=1100m prun-test "$mnt" 2>/dev/null ||
		skip "cannot mount a tmpfs here (needs root)"
}

# The jobs' output reaches prun through pipes, and prun holds it in temp
# files of its own: on a full disk, prun stops reading a job's pipes and
# the job waits in write(2) until its turn comes.  Nothing is lost.
@test "a full spool directory makes jobs wait, and loses nothing" {
	mount_small
	run bash -c '"$PRUN" --tmpdir "$1" "head -c 3000000 /dev/zero # {}" ::: 1 2 3 | wc -c' _ "$mnt"
	assert_success
	assert_output 9000000
}

@test "-k: a full spool directory makes later jobs wait for their turn" {
	mount_small
	# Three jobs of 3 MB on a 2 MiB disk: job 1 streams, 2 and 3 wait.
	run bash -c 'set -o pipefail
		"$PRUN" -k --tmpdir "$1" "head -c 3000000 /dev/zero | tr \\\\0 {}" ::: a b c |
		md5sum' _ "$mnt"
	assert_success
	assert_output "$(for t in a b c; do
		head -c 3000000 /dev/zero | tr '\0' $t; done | md5sum)"
}

@test "no descriptor for a spool file makes jobs wait, as a full disk does" {
	# Once the jobs run, prun may open no more files (its soft limit is
	# lowered to its lowest free descriptor): the two jobs that are not
	# being written cannot spill their 5 MB to temp files, so they wait
	# for their turn, in memory, and the run loses nothing.
	local opts pid i
	cd "$BATS_TEST_TMPDIR"
	go=$BATS_TEST_TMPDIR/go
	for opts in "-k" "--tag"; do
		rm -f started.* "$go"
		"$PRUN" $opts -j3 'touch started.{}; while [ ! -e go ]; do
			sleep 0.05; done; head -c 5000000 /dev/zero | tr "\0" {}
			echo' \
			::: a b c >out 2>err &
		pid=$!
		wait_until test -e started.a -a -e started.b -a -e started.c
		prlimit --pid "$pid" --nofile="$(lowest_free_fd "$pid")": ||
			fail "prlimit failed"
		: >"$go"
		wait "$pid" || fail "$opts: exit status $?"
		run cat err
		assert_output ''
		# (-k: in order; --tag: any order, each line tagged.)
		run bash -c 'if [ "$1" = -k ]; then cat out; else sort out; fi |
			md5sum' _ "$opts"
		assert_output "$(for i in a b c; do
			[ "$opts" = -k ] || printf '%s\t' $i
			head -c 5000000 /dev/zero | tr '\0' $i
			echo; done | md5sum)"
	done
}

# Checks file $1 (tags cut off): each job's lines together, "$2" and
# 1..N in order, for jobs a to f.  Prints "letter count" per job, and
# "bad" lines if any.
check_jobs() {
	awk -v k="$2" '
		{ sub(/^.\t/, ""); t = substr($0, 1, 1) }
		t != last { if (t in n) bad++; last = t; n[t] += 0 }
		$0 != t k (n[t] + 1) { bad++ }
		{ n[t]++ }
		END { for (t in n) print t, n[t]; if (bad) print "bad", bad }' \
		"$1" | sort
}

@test "grouped and tagged, stdout and stderr of every job whole on a full disk" {
	mount_small
	# Each job writes 2 x 1.2 MB, more than prun holds in memory, to
	# stdout and stderr in turn (in blocks: cat buffers); tags keep the
	# job being written from passing its stdout straight out.
	local opts want
	want=$(printf '%s 150000\n' a b c d e f)
	for opts in "-j4" "-j3 --tag" "-k -j4 --tag"; do
		"$PRUN" $opts --tmpdir "$mnt" 'awk -v t={} "BEGIN {
			for (i = 1; i <= 150000; i++) {
				print t \"o\" i; print t \"e\" i | \"cat >&2\"
			} }"' ::: a b c d e f \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
			fail "$opts: exit status $?"
		run check_jobs "$BATS_TEST_TMPDIR/out" o
		assert_output "$want"
		run check_jobs "$BATS_TEST_TMPDIR/err" e
		assert_output "$want"
	done
	run ls -A "$mnt"
	assert_output ''
}

# Once a job printed much, later jobs write into temp files themselves,
# while the disk has room for it: prun sees a full disk by looking at it
# when they end.
@test "reports a full disk that a job writing its own temp file filled" {
	mount_big
	# Job 1 prints much; job 2 gets files of its own, then the disk fills.
	MNT=$mnt run prun -j1 --tmpdir "$mnt" 'if [ {} = 2 ]; then
		fallocate -l 1080M "$MNT/filler" && head -c 50000000 /dev/zero
		else head -c 1500000 /dev/zero; fi' ::: 1 2
	rm -f "$mnt/filler"
	assert_failure 255
	assert_line --regexp "^prun: output (of job 2 )?may be incomplete: $mnt: No space left on device\$"
}

@test "reports a full disk that two jobs writing their own temp files filled, with -k" {
	mount_big
	# Job 1 prints much (tags keep it from passing its output straight
	# out, as -k would), so prun spills it into a file in $mnt and gives
	# later jobs files of their own while the disk has room.  Job 2 waits
	# until it sees that file take room, and jobs 1 and 3 until job 2 saw
	# it; jobs 4 and 5 start after them, so they get files, and wait for
	# each other before they fill half the disk each.  Then each prints
	# 40 MB where 40 MiB are left, while job 2, first in order, runs on
	# until both have ended: neither's output can go out and make room,
	# so they fill the disk together.  Every wait is on the other jobs,
	# not on time.
	cat >"$BATS_TEST_TMPDIR/job" <<-'EOF'
		mnt=$1
		# Runs "$@" every 0.1 s until it succeeds, for at most 60 s.
		await() {
			for _ in $(seq 600); do "$@" && return; sleep 0.1; done
			echo "job $n waited in vain for: $*" >&2
			exit 1
		}
		# Whether something takes room in $mnt.
		used() { [ "$(stat -f -c %a "$mnt")" -lt "$(stat -f -c %b "$mnt")" ]; }
		# Whether the job whose pid is in file $1 has ended (is a
		# zombie, or gone).
		ended() {
			[ -s "$1" ] || return
			2>/dev/null <"/proc/$(cat "$1")/stat" read -r _ _ state _ ||
				return 0
			[ "$state" = Z ]
		}
		case ${n:=$2} in
		1)
			head -c 1500000 /dev/zero
			await test -e "$mnt/seen"
			;;
		2)
			await used
			: >"$mnt/seen"
			await ended "$mnt/pid4"
			await ended "$mnt/pid5"
			;;
		3) await test -e "$mnt/seen" ;;
		*)
			echo $$ >"$mnt/pid$n"
			await test -e "$mnt/pid$((9 - n))"
			fallocate -l 530M "$mnt/filler$n" || exit
			await test -e "$mnt/filler$((9 - n))"
			head -c 40000000 /dev/zero 2>/dev/null
			;;
		esac
	EOF
	run bash -c '"$PRUN" -k -j3 --tag --tmpdir "$1" sh "$2" "$1" \
		::: 1 2 3 4 5 >/dev/null' _ "$mnt" "$BATS_TEST_TMPDIR/job"
	rm -f "$mnt"/*
	assert_failure 255
	refute_output --partial "waited in vain"
	assert_line --regexp "^prun: output (of job [45] )?may be incomplete: $mnt: No space left on device\$"
}

@test "a --line-buffer line that does not fit in the temp directory comes in parts" {
	# 3 MB without a newline: 1 MiB stays in memory, the 2 MiB tmpfs
	# cannot take the rest.  (Another job's lines could come in between:
	# this one waits until the long line is out.)
	mount_small
	cd "$BATS_TEST_TMPDIR"
	"$PRUN" --line-buffer --tmpdir "$mnt" '
		if [ {} = long ]; then head -c 3000000 /dev/zero | tr "\0" x
			echo; else while [ "$(wc -c <out)" -lt 3000001 ]; do
			sleep 0.05; done; seq 3; fi' ::: long short >out 2>err
	assert_equal "$(cat err)" "prun: a line of job 1 is printed in parts: \
no room to hold it whole in $mnt: No space left on device"
	assert_equal "$(md5sum <out)" "$({ head -c 3000000 /dev/zero |
		tr '\0' x; echo; seq 3; } | md5sum)"
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
