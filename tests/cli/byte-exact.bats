#!/usr/bin/env bats
# What a job writes is what comes out, in every output mode.

load helpers

modes=(--group -k --line-buffer -u --files)

# Runs prun in a mode; for --files, prints the file it names instead.
prun_out() {
	local mode=$1
	shift
	if [ "$mode" = --files ]; then
		cat "$("$PRUN" --files "$@")"
	else
		"$PRUN" "$mode" "$@"
	fi
}

@test "binary output comes out unchanged in every mode" {
	blob=$BATS_TEST_TMPDIR/blob
	head -c 3000000 /dev/urandom >"$blob"
	for mode in "${modes[@]}"; do
		run bash -c "$(declare -f prun_out); prun_out $mode cat ::: '$blob' | cmp - '$blob'"
		assert_success
	done
}

@test "NUL bytes and a missing final newline come out unchanged in every mode" {
	for mode in "${modes[@]}"; do
		run bash -c "$(declare -f prun_out); prun_out $mode 'printf \"a\\0b\\n\\0\\n\\0c\" # {}' ::: x | od -An -c | tr -d ' \n'"
		assert_success
		assert_output 'a\0b\n\0\n\0c'
	done
}

@test "a single 30 MB line comes out unchanged in every mode" {
	want=$(head -c 30000000 /dev/zero | tr '\0' x | md5sum)
	for mode in "${modes[@]}"; do
		run bash -c "$(declare -f prun_out); prun_out $mode 'head -c 30000000 /dev/zero | tr \\\\0 x # {}' ::: x | md5sum"
		assert_success
		assert_output "$want"
	done
}

@test "a single 1 GiB line comes out whole with --line-buffer" {
	run bash -c '"$PRUN" --line-buffer "head -c 1073741824 /dev/zero | tr \\\\0 {}; echo" ::: x |
		tee >(wc -c >"$1/size") | tr -s x; wait $!; cat "$1/size"' _ "$BATS_TEST_TMPDIR"
	assert_success
	assert_output $'x\n1073741825'
}

@test "-k output of several binary jobs equals cat of them all" {
	for i in 1 2 3 4; do
		head -c 500000 /dev/urandom >"$BATS_TEST_TMPDIR/blob$i"
	done
	run bash -c '"$PRUN" -k -j3 cat ::: "$1"/blob1 "$1"/blob2 "$1"/blob3 "$1"/blob4 |
		cmp - <(cat "$1"/blob1 "$1"/blob2 "$1"/blob3 "$1"/blob4)' _ "$BATS_TEST_TMPDIR"
	assert_success
}
