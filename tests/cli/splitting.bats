#!/usr/bin/env bats
# How input is cut into arguments.

load helpers
bats_require_minimum_version 1.5.0

@test "-0 splits input at NUL bytes and keeps newlines" {
	run bash -c 'printf "a\nb\0c d\0" | "$PRUN" -k -0 -q printf "<%s>\n"'
	assert_output $'<a\nb>\n<c d>'
}

@test "-d splits at a character" {
	run bash -c 'printf "x,y,z" | "$PRUN" -k -d , echo'
	assert_output $'x\ny\nz'
}

@test "-d understands \\t and \\0" {
	run bash -c 'printf "p\tq" | "$PRUN" -k -d "\t" echo'
	assert_output $'p\nq'
	run bash -c 'printf "p\0q" | "$PRUN" -k -d "\0" echo'
	assert_output $'p\nq'
}

@test "-E stops reading at the end-of-file string" {
	run bash -c 'printf "a\nb\nSTOP\nc\n" | "$PRUN" -k -E STOP echo'
	assert_output $'a\nb'
}

@test "--colsep splits lines into columns {1} {2}" {
	run bash -c 'printf "a\tb\nc\td\n" | "$PRUN" -k --colsep "\t" echo {2} {1}'
	assert_output $'b a\nd c'
}

@test "--colsep takes a regex and keeps empty columns" {
	run bash -c 'printf "a1b22c\n" | "$PRUN" -k --colsep "[0-9]+" echo {3}{2}{1}'
	assert_output "cba"
	run bash -c 'printf "a,,b,\n" | "$PRUN" -k --colsep , --dry-run echo {1}-{2}-{3}-{4}-{5}'
	assert_output "echo a-''-b-''-"
}

@test "--colsep trims white space around columns unless --trim n" {
	run bash -c 'printf " a , b \n" | "$PRUN" --colsep , --dry-run echo'
	assert_output "echo a b"
	run bash -c 'printf " a , b \n" | "$PRUN" --colsep , --trim n --dry-run echo'
	assert_output "echo ' a ' ' b '"
}

@test "--header : names the columns after the first line" {
	run bash -c 'printf "x,y\n1,2\n3,4\n" | "$PRUN" -k --header : --colsep , echo {y}-{x}'
	assert_output $'2-1\n4-3'
}

@test "--header names ::: sources by their first value" {
	run prun -k --header : echo {b}-{a} ::: a 1 2 ::: b x
	assert_output $'x-1\nx-2'
}

@test "--header splits at tabs when there is no --colsep" {
	run bash -c 'printf "a\tb\n1\t2\n" | "$PRUN" --header : echo {b} {a}'
	assert_output "2 1"
}

@test "--header takes a regex and names work with {name.} and {name/}" {
	run bash -c 'printf "a,b\nx.1,d/y\n" | "$PRUN" --header ".*\n" --colsep , echo {a.} {b/}'
	assert_output "x y"
}

@test "--trim removes white space at the ends chosen" {
	run bash -c 'printf "  a  \n" | "$PRUN" --trim lr --dry-run echo'
	assert_output "echo a"
	run bash -c 'printf "  a  \n" | "$PRUN" --trim l --dry-run echo'
	assert_output "echo 'a  '"
	run bash -c 'printf "  a  \n" | "$PRUN" --trim r --dry-run echo'
	assert_output "echo '  a'"
}

@test "-r skips empty and blank lines" {
	run bash -c 'printf "x\n\n  \ny\n" | "$PRUN" -k -r echo'
	assert_output $'x\ny'
}

@test "without -r an empty line is an empty argument" {
	run bash -c 'printf "x\n\ny\n" | "$PRUN" -k --dry-run echo'
	assert_output $'echo x\necho \'\'\necho y'
}

@test "-d cuts ::: arguments at the delimiter too" {
	run prun -k -d " " echo ::: "1 done"
	assert_success
	assert_output $'1\ndone'
	run prun -k -d " " --dry-run echo ::: "a " b
	assert_output $'echo a\necho \'\'\necho b'
	run prun -k -d , echo ::: a,b c :::: <(printf 'x,y')
	assert_output $'a x\na y\nb x\nb y\nc x\nc y'
}

@test "a ::: argument that holds a newline stays whole without -d" {
	run prun -k --dry-run echo ::: $'one\ntwo'
	assert_output $'echo \'one\ntwo\''
}

@test "-r skips empty and blank ::: arguments" {
	run prun -k -r echo X{} ::: '' a ' ' $'\t\f'
	assert_success
	assert_output "Xa"
	run prun -k -r echo ::: x y ::: '' b
	assert_output $'x b\ny b'
}

@test "-r counts form feed, vertical tab and carriage return as blank" {
	run bash -c 'printf " \f\n\v\n\r\n\t\n" | "$PRUN" -r echo X'
	assert_success
	assert_output ""
	run bash -c 'printf "\240\n" | "$PRUN" -r echo X'
	assert_output $'X \240'
}

@test "-r skips blank lines of every source" {
	printf 'a\n\n \nb\n' > "$BATS_TEST_TMPDIR/f"
	run prun -k -r echo ::: x :::: "$BATS_TEST_TMPDIR/f"
	assert_output $'x a\nx b'
	run prun -k -r -a "$BATS_TEST_TMPDIR/f" echo
	assert_output $'a\nb'
}

@test "-E with -L ends the input at the end-of-file string" {
	run bash -c 'printf "a\nstop\nb\nc\n" | "$PRUN" -k -E stop -L 2 echo'
	assert_success
	assert_output "a"
	run bash -c 'printf "a \nstop\nb\nc\n" | "$PRUN" -k -E stop -L 1 echo'
	assert_output "a "
	run prun -k -E stop -L 1 echo ::: 'a ' stop b
	assert_output "a "
}

@test "-E ends every kind of source" {
	printf 'a\nstop\nb\n' > "$BATS_TEST_TMPDIR/f"
	run prun -k -E stop echo ::: x y :::: "$BATS_TEST_TMPDIR/f"
	assert_output $'x a\ny a'
	run prun -k -d , -E b echo ::: a,b,c d
	assert_output "a"
}

nul_warning='prun: a NUL character in the input was replaced with \0
prun: NUL cannot be passed through in the argument list
prun: did you mean to use the --null option?'

@test "a NUL byte in input without -0 becomes \\0, with a warning" {
	run --separate-stderr bash -c 'printf "foo\0bar\n" | "$PRUN" echo'
	assert_success
	assert_output 'foo\0bar'
	assert_equal "$stderr" "$nul_warning"
}

@test "the NUL warning comes once for each argument that holds one" {
	run --separate-stderr bash -c 'printf "foo\0bar\nx\0\0y\nz\n" | "$PRUN" -k echo'
	assert_success
	assert_output $'foo\\0bar\nx\\0\\0y\nz'
	assert_equal "$stderr" "$nul_warning"$'\n'"$nul_warning"
}

@test "a NUL byte in any source and with -d is kept as \\0" {
	printf 'foo\0bar\n' > "$BATS_TEST_TMPDIR/f"
	run --separate-stderr prun -k echo :::: "$BATS_TEST_TMPDIR/f" ::: 1 2
	assert_output $'foo\\0bar 1\nfoo\\0bar 2'
	assert_equal "$stderr" "$nul_warning"$'\n'"$nul_warning"
	run --separate-stderr bash -c 'printf "a\0b,\0c" | "$PRUN" -k -d , echo'
	assert_output $'a\\0b\n\\0c'
	run --separate-stderr bash -c 'printf "a\0b\n" | "$PRUN" -k --colsep , echo'
	assert_output 'a\0b'
}

@test "with -0 a NUL byte ends the argument and no warning comes" {
	run --separate-stderr bash -c 'printf "foo\0bar\0" | "$PRUN" -k -0 echo'
	assert_success
	assert_output $'foo\nbar'
	assert_equal "$stderr" ""
}
