#!/usr/bin/env bats
# Bad input: one line naming the culprit, exit 255, no job started.

load helpers

@test "a missing argument file" {
	run prun echo started :::: /no/such/file
	assert_failure 255
	assert_output "prun: cannot open '/no/such/file': No such file or directory"
}

@test "an unreadable argument file" {
	[ "$(id -u)" != 0 ] || skip "root reads any file"
	touch "$BATS_TEST_TMPDIR/locked"
	chmod 000 "$BATS_TEST_TMPDIR/locked"
	run prun -a "$BATS_TEST_TMPDIR/locked" echo started
	assert_failure 255
	assert_output --partial "Permission denied"
}

@test "a directory as an argument file" {
	run prun echo started :::: /
	assert_failure 255
	assert_output "prun: cannot read '/': Is a directory"
}

@test "a bad --colsep regex" {
	run prun --colsep '[' echo started ::: a
	assert_failure 255
	assert_output --regexp "^prun: bad regex for --colsep '\\[': .+$"
}

@test "a negative -N, -n or -L" {
	run prun -N -1 echo started ::: a
	assert_failure 255
	assert_output "prun: bad value for --max-replace-args: '-1' (want a whole number >= 0)"
	run prun -n x echo started ::: a
	assert_failure 255
	assert_output "prun: bad value for --max-args: 'x' (want a whole number >= 0)"
	run prun -L -2 echo started ::: a
	assert_failure 255
	assert_output "prun: bad value for --max-lines: '-2' (want a whole number >= 0)"
}

@test "a bad --trim value" {
	run prun --trim x echo started ::: a
	assert_failure 255
	assert_output "prun: bad value for --trim: 'x' (want n, l, r, lr or rl)"
}

@test "a bad delimiter" {
	run prun -d ab echo started ::: a
	assert_failure 255
	assert_output --partial "prun: bad delimiter 'ab'"
}

@test "a command line longer than the system allows" {
	head -c 3000000 /dev/zero | tr '\0' x > "$BATS_TEST_TMPDIR/big"
	run prun echo started :::: "$BATS_TEST_TMPDIR/big"
	assert_failure 255
	assert_output --regexp "^prun: .*too long"
	refute_output --partial started
}

@test "a command line longer than -s" {
	run prun -s 5 echo started ::: abcdef
	assert_failure 255
	assert_output "prun: command line too long (19 >= 5) at input 0: abcdef"
}

@test "-X with an argument that alone is too long" {
	run prun -X -s 5 echo ::: abcdef
	assert_failure 255
	assert_output "prun: command line too long (11 >= 5) at input 0: abcdef"
}
