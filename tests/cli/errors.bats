#!/usr/bin/env bats
# prun's own errors: one line on stderr, exit 255, no job started.

load helpers

@test "rejects an unknown long option" {
	run prun --no-such-option echo ::: x
	assert_failure 255
	assert_output "prun: unknown option '--no-such-option' (try --help)"
}

@test "rejects an unknown short option" {
	run prun -Y echo ::: x
	assert_failure 255
	assert_output "prun: unknown option '-Y' (try --help)"
}

@test "rejects an option without its value" {
	run prun -j
	assert_failure 255
	assert_output --regexp "^prun: option '-j' needs a value$"
}

@test "rejects a bad job count" {
	for bad in x 1.5 -x 5%% ''; do
		run prun -j "$bad" echo ::: x
		assert_failure 255
		assert_output --partial "prun: bad value for --jobs"
	done
}

@test "rejects an unreadable argument file" {
	run prun echo :::: /no/such/file
	assert_failure 255
	assert_output "prun: cannot open '/no/such/file': No such file or directory"
}

@test "starts no job when a later argument file is missing" {
	run prun echo started ::: a :::: /no/such/file
	assert_failure 255
	refute_output --partial started
}

@test "--help fits in 80 columns and exits 0" {
	run prun --help
	assert_success
	assert_output --partial "Usage: prun"
	while IFS= read -r line; do
		[ "${#line}" -le 80 ] || fail "too long: $line"
	done <<< "$output"
}

@test "--version prints the version" {
	run prun --version
	assert_success
	assert_output --regexp '^prun [0-9]+\.[0-9]+\.[0-9]+$'
}
