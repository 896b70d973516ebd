#!/usr/bin/env bats
# --tag and --tagstring: a tag and a tab before every line; --color.

load helpers

@test "--tag starts every line with the arguments and a tab" {
	run prun -k --tag 'echo one {}; echo two {}' ::: a b
	assert_success
	assert_output $'a\tone a\na\ttwo a\nb\tone b\nb\ttwo b'
}

@test "--tag tags stderr lines too" {
	run bash -c '"$PRUN" --tag "echo out; echo err >&2 # {}" ::: x 2>&1 >/dev/null'
	assert_success
	assert_output $'x\terr'
}

@test "--tag joins several arguments with spaces" {
	run prun -k --tag echo ::: a b ::: c
	assert_success
	assert_output $'a c\ta c\nb c\tb c'
}

@test "--tagstring replaces replacement strings, unquoted" {
	run prun -k --tagstring '{#}:{}' echo ::: "it's" b
	assert_success
	assert_output $'1:it\'s\tit\'s\n2:b\tb'
}

@test "--tagstring without replacement strings is the tag as it is" {
	run prun --tagstring 'job' echo ::: x
	assert_success
	assert_output $'job\tx'
}

@test "--tag tags a last line that has no newline" {
	run bash -c '"$PRUN" --tag "printf \"x\\ny\"" ::: t | od -An -c | tr -d " \n"'
	assert_success
	assert_output 't\tx\nt\ty'
}

@test "--tag puts one tag on a line longer than any buffer" {
	run bash -c '"$PRUN" --tag "head -c 300000 /dev/zero | tr \\\\0 a; echo" ::: t |
		tr -cd "\t\n" | od -An -c | tr -d " \n"'
	assert_success
	assert_output '\t\n'
}

@test "--tag tags every line in every output mode" {
	want=$(for j in a b c; do for i in 1 2 3; do printf '%s\t%s%s\n' $j $j $i; done; done)
	for mode in --group -k --line-buffer -u; do
		run prun $mode -j3 --tag 'for i in 1 2 3; do echo {}$i; sleep 0.05; done' ::: a b c
		assert_success
		assert_equal "$(sort <<< "$output")" "$want"
	done
}

@test "--tag with -k streams the oldest job tagged while it runs" {
	# Job 1 goes on once its first line has been read (for up to 20 s).
	run bash -c '"$PRUN" -k --tag "echo start; [ {} = 0 ] ||
		{ \"\$AWAIT\" $1 && echo read on time; }" ::: 1 0 |
		{ read -r first; touch "$1"; echo "$first"; cat; }' _ "$BATS_TEST_TMPDIR/read"
	assert_success
	assert_output $'1\tstart\n1\tread on time\n0\tstart'
}

@test "--tag with -k gives the same bytes every time, stdout first" {
	want=$(for j in 3 1 2; do printf '%s\to1\n%s\to2 %s\n%s\te1\n' $j $j $j $j; done)
	for i in $(seq 10); do
		run bash -c '"$PRUN" --tag -k -j2 "echo o1; sleep 0.0{}; echo e1 >&2; echo o2 {}" ::: 3 1 2 2>&1'
		assert_success
		assert_equal "$output" "$want"
	done
}

@test "--color colours tags on a terminal" {
	command -v script >/dev/null || skip "needs script(1)"
	needs_terminal "script(1)"
	run script -qec "env -u NO_COLOR '$PRUN' --color --tag echo ::: x" /dev/null
	assert_success
	assert_output --partial $'\e[1;31mx\e[0m\tx'
}

@test "--color leaves tags plain when NO_COLOR is set" {
	command -v script >/dev/null || skip "needs script(1)"
	needs_terminal "script(1)"
	run script -qec "NO_COLOR=1 '$PRUN' --color --tag echo ::: x" /dev/null
	assert_success
	refute_output --partial $'\e['
	assert_output --partial $'x\tx'
}

@test "--color leaves tags plain when the output is not a terminal" {
	run bash -c 'env -u NO_COLOR "$PRUN" --color --tag echo ::: x | od -c | grep -c 033'
	assert_output 0
}

@test "tags stay plain without --color, even on a terminal" {
	command -v script >/dev/null || skip "needs script(1)"
	needs_terminal "script(1)"
	run script -qec "env -u NO_COLOR '$PRUN' --tag echo ::: x" /dev/null
	assert_success
	refute_output --partial $'\e['
}

@test "--tagstring turns GNU parallel's escapes into the bytes they name" {
	run bash -c '"$PRUN" --tagstring "a\tb{}" echo ::: 1 | od -An -c'
	assert_output "   a  \t   b   1  \t   1  \n"
	run bash -c '"$PRUN" --tagstring "\n\r\101\0x\1y\8z" echo ::: 1 |
		od -An -c | tr -s " "'
	assert_output " \n \r A \0 x 001 y 8 z \t 1 \n"
}

@test "-X repeats the word around {} of --tagstring for each argument" {
	run prun -k -j1 -X --tagstring a{}b echo ::: 3 4
	assert_output $'a3b a4b\t3 4'
	run prun -k -j1 -X --tagstring 'x a{}b {} c{.}d {#}-{}' echo ::: 3 4
	assert_output $'x a3b a4b 3 4 c3d c4d 1-3 1-4\t3 4'
	run prun -k -j1 -N2 --tagstring a{}b echo ::: 3 4
	assert_output $'a3b a4b\t3 4'
	run prun -k -j1 -m --tagstring a{}b echo ::: 3 4
	assert_output $'a3 4b\t3 4'
}

@test "-v and --dry-run tag each line of the command they print" {
	run prun -k -v --tagstring t{} echo ::: 1 2
	assert_output $'t1\techo 1\nt1\t1\nt2\techo 2\nt2\t2'
	run prun -k --dry-run --tag $'echo a\necho b' ::: 1
	assert_output $'1\techo a\n1\techo b 1'
	run prun -k -v --tag --line-buffer echo ::: 1 2
	assert_output $'1\techo 1\n1\t1\n2\techo 2\n2\t2'
}

@test "-t prints the command untagged on standard error" {
	run bash -c '"$PRUN" -k -t --tag echo ::: 1 2>"$BATS_TEST_TMPDIR/err"'
	assert_output $'1\t1'
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output "echo 1"
	run bash -c '"$PRUN" --dry-run -t --tag echo ::: 1 2>"$BATS_TEST_TMPDIR/err"'
	assert_output $'1\techo 1'
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output "echo 1"
}
