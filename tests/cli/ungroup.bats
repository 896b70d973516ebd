#!/usr/bin/env bats
# -u: jobs write to prun's stdout themselves.

load helpers

@test "-u gives jobs prun's own stdout, with no copy in between" {
	out=$BATS_TEST_TMPDIR/out
	run bash -c '"$PRUN" -u "stat -L -c %i /dev/stdout # {}" ::: x >"$1"; cat "$1"' _ "$out"
	assert_success
	assert_output "$(stat -c %i "$out")"
}

@test "-u prints a job's output before it ends" {
	# The job goes on once its first line has been read (for up to 20 s).
	run bash -c '"$PRUN" -u "echo first; \"\$AWAIT\" $1 && echo read on time # {}" ::: x |
		{ read -r first; touch "$1"; echo "$first"; cat; }' _ "$BATS_TEST_TMPDIR/read"
	assert_success
	assert_output $'first\nread on time'
}

@test "-u passes output through byte for byte" {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
	run bash -c '"$PRUN" -u cat ::: "$1" | cmp - "$1"' _ "$BATS_TEST_TMPDIR/blob"
	assert_success
}

@test "--ungroup is the long form of -u" {
	run prun --ungroup -j1 'echo {}' ::: a b
	assert_success
	assert_output $'a\nb'
}
