#!/usr/bin/env bats
# --files: the names of files that hold each job's output.

load helpers

@test "--files prints one file per job that holds its output" {
	run prun -k --files 'echo out {}' ::: a b
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$(cat "${lines[0]}")" "out a"
	assert_equal "$(cat "${lines[1]}")" "out b"
}

@test "--files keeps the files in --tmpdir" {
	dir=$BATS_TEST_TMPDIR/keep
	mkdir "$dir"
	run prun --files --tmpdir "$dir" 'echo {}' ::: a
	assert_success
	assert_equal "$(dirname "$output")" "$dir"
	assert_equal "$(ls "$dir")" "$(basename "$output")"
	assert_equal "$(cat "$output")" "a"
}

@test "--files still prints stderr" {
	run bash -c '"$PRUN" --files "echo out; echo err {} >&2" ::: x 2>&1 >/dev/null'
	assert_success
	assert_output "err x"
}

@test "--files prints a job's stderr after its file name, also with -k" {
	cd "$BATS_TEST_TMPDIR"
	# The job of 8 ends once the job of 1 has been reaped.
	for mode in --group -k; do
		for i in 1 2 3; do
			rm -f pid.*
			run bash -c '"$PRUN" --files '$mode' -j2 "echo \$\$ >pid.{}; echo o; echo e {} >&2; [ {} = 1 ] || \"\$REAPED\" pid.1" ::: 8 1 2>&1'
			assert_success
			assert_equal "$(sed "s|^$TMPDIR/prun\..*|NAME|" <<< "$output")" \
				"$(if [ $mode = -k ]; then
					printf 'NAME\ne 8\nNAME\ne 1'
				else
					printf 'NAME\ne 1\nNAME\ne 8'
				fi)"
		done
	done
}

@test "--files with --tag tags the file names" {
	run prun --files --tag 'echo {}' ::: a
	assert_success
	assert_output --regexp $'^a\t/'
	assert_equal "$(cat "${output#*$'\t'}")" "a"
}

@test "--files keeps the output byte for byte" {
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
	run prun --files cat ::: "$BATS_TEST_TMPDIR/blob"
	assert_success
	cmp "$output" "$BATS_TEST_TMPDIR/blob"
}

@test "--files writes only file names, even with --line-buffer" {
	run prun --files --line-buffer 'echo {}' ::: a
	assert_success
	assert_equal "$(cat "$output")" "a"
}
