#!/usr/bin/env bats
# $PARALLEL_ENV, the shell text run before each command (the outputs are
# GNU parallel's).

load helpers

@test "\$PARALLEL_ENV runs before the command" {
	run env PARALLEL_ENV='x=5' "$PRUN" echo '$x' ::: 1
	assert_success
	assert_output "5 1"
}

@test "\\001 in \$PARALLEL_ENV is a newline" {
	run env PARALLEL_ENV=$'x=5\001y=6' "$PRUN" echo '$x$y' ::: 1
	assert_success
	assert_output "56 1"
}

@test "\$PARALLEL_ENV runs before a command run without a shell too" {
	run env PARALLEL_ENV='echo pre' "$PRUN" -k echo ::: 1 2
	assert_success
	assert_output "$(printf 'pre\n1\npre\n2')"
}

@test "jobs do not get \$PARALLEL_ENV in their environment" {
	run env PARALLEL_ENV='true' "$PRUN" 'echo "[${PARALLEL_ENV-unset}]"' \
		::: 1
	assert_success
	assert_output "[unset] 1"
}

@test "--dry-run and -v show the command without \$PARALLEL_ENV" {
	run env PARALLEL_ENV='x=5' "$PRUN" --dry-run echo '$x' ::: 1
	assert_success
	assert_output 'echo $x 1'
	run env PARALLEL_ENV='x=5' "$PRUN" -v echo '$x' ::: 1
	assert_success
	assert_output "$(printf 'echo $x 1\n5 1')"
}

@test "a job whose \$PARALLEL_ENV fails has failed" {
	run env PARALLEL_ENV='exit 3' "$PRUN" echo ::: 1 2
	assert_failure 2
	assert_output ""
}

@test "\$PARALLEL_ENV naming a file stands for the file's text" {
	printf 'z=7\n' >"$BATS_TEST_TMPDIR/penv"
	run env PARALLEL_ENV="$BATS_TEST_TMPDIR/penv" "$PRUN" 'echo $z' ::: 1
	assert_success
	assert_output "7 1"
}
