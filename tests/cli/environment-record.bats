#!/usr/bin/env bats
# --record-env and --env for local jobs (the outputs are GNU parallel's).

load helpers

@test "--env VAR: the job sees VAR" {
	run env FOO=bar "$PRUN" --env FOO echo '$FOO' ::: a
	assert_success
	assert_output "bar a"
}

@test "--env _ without a record is an error" {
	run prun --env _ echo ::: a
	assert_failure 255
	assert_output "prun: --env _: run 'prun --record-env' in a clean environment first"
}

@test "--record-env writes the names of the environment and runs nothing" {
	run env SOMEVAR=1 "$PRUN" --record-env echo ::: a
	assert_success
	assert_output ""
	run grep -x SOMEVAR "$HOME/.parallel/ignored_vars"
	assert_success
	run grep -c = "$HOME/.parallel/ignored_vars"
	assert_output 0
}

@test "--env _ runs once the environment is recorded" {
	prun --record-env
	run env NEWVAR=1 "$PRUN" --env _ --env X,Y echo '$NEWVAR' ::: a
	assert_success
	assert_output "1 a"
}

@test "--record-env writes into \$PARALLEL_HOME when it exists" {
	mkdir "$BATS_TEST_TMPDIR/ph"
	PARALLEL_HOME="$BATS_TEST_TMPDIR/ph" prun --recordenv
	assert [ -s "$BATS_TEST_TMPDIR/ph/ignored_vars" ]
	assert [ ! -e "$HOME/.parallel/ignored_vars" ]
	run env PARALLEL_HOME="$BATS_TEST_TMPDIR/ph" "$PRUN" --env _ echo ::: b
	assert_output "b"
}

@test "--record-env that cannot write says where and why" {
	: > "$HOME/.parallel"
	run prun --record-env
	assert_failure 255
	assert_output "prun: --record-env: cannot write '$HOME/.parallel/ignored_vars': Not a directory"
}

@test "--session is accepted and changes nothing, as in GNU parallel" {
	run prun --session -k echo ::: a b
	assert_success
	assert_output $'a\nb'
	run prun --session </dev/null
	assert_success
	assert_output ""
	[ ! -e "$HOME/.parallel" ]
}
