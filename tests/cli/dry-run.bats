#!/usr/bin/env bats
# Seeing the commands: --dry-run, -v, -t, and -q.

load helpers

@test "--dry-run prints each command and runs none" {
	run prun -k --dry-run touch "$BATS_TEST_TMPDIR/{}" ::: a b
	assert_success
	assert_output "touch $BATS_TEST_TMPDIR/a"$'\n'"touch $BATS_TEST_TMPDIR/b"
	[ ! -e "$BATS_TEST_TMPDIR/a" ] || fail "a job ran"
}

@test "-v prints the command before its output" {
	run prun -k -v echo ::: 'x y' z
	assert_output $'echo \'x y\'\nx y\necho z\nz'
}

@test "-t prints the command on stderr" {
	run bash -c '"$PRUN" -t echo ::: "x y" 2>&1 >/dev/null'
	assert_output "echo 'x y'"
	run bash -c '"$PRUN" -t echo ::: "x y" 2>/dev/null'
	assert_output "x y"
}

@test "-q quotes the command's own words" {
	run prun -k -q --dry-run echo 'a b' {} ::: 'x y'
	assert_output "echo 'a b' 'x y'"
	run prun -k -q printf '%s|' 'a b' '$HOME' {} ::: 'x y'
	assert_output 'a b|$HOME|x y|'
}

@test "-q keeps an empty word" {
	run prun -q printf '[%s]' '' {} ::: x
	assert_output "[][x]"
}

@test "-q fills a replacement string inside a word and quotes the word" {
	run prun -q --dry-run bash -c 'wc -c <(echo {})' ::: a
	assert_output "bash -c 'wc -c <(echo a)'"
	run prun -q bash -c 'echo "[{}]"' ::: "it's"
	assert_output "[it's]"
}

@test "--verbose is -t and --dryrun is --dry-run, as in GNU parallel" {
	run bash -c '"$PRUN" --verbose echo ::: x 2>&1 >/dev/null'
	assert_output "echo x"
	run prun --dryrun echo ::: x
	assert_output "echo x"
}
