#!/usr/bin/env bats
# Which commands run, and with which arguments.

load helpers

@test "runs the command once per ::: argument" {
	run prun -k echo ::: a b c
	assert_success
	assert_output $'a\nb\nc'
}

@test "reads one argument per line from stdin when there is no :::" {
	run bash -c 'printf "x\ny\nz\n" | "$PRUN" -k echo got'
	assert_success
	assert_output $'got x\ngot y\ngot z'
}

@test "takes the last line of stdin even without a final newline" {
	run bash -c 'printf "x\ny" | "$PRUN" -k echo'
	assert_success
	assert_output $'x\ny'
}

@test "runs every line of a thousand-line input exactly once" {
	run bash -c 'seq 1000 | "$PRUN" -j8 echo | sort -n | cmp - <(seq 1000)'
	assert_success
}

@test "replaces {} with the argument wherever it stands" {
	run prun -k echo 'pre-{}-post' {} ::: a b
	assert_success
	assert_output $'pre-a-post a\npre-b-post b'
}

@test "appends the argument when the command has no replacement string" {
	run prun echo one two ::: three
	assert_success
	assert_output "one two three"
}

@test "runs a command line with pipes and redirections through the shell" {
	run prun -k 'echo {} | tr a-z A-Z; echo done >&2' ::: abc
	assert_success
	assert_output $'ABC\ndone'
}

@test "joins the command words with spaces, as GNU parallel does" {
	run prun -k echo '{}' '|' tr a-z A-Z ::: abc
	assert_success
	assert_output "ABC"
}

@test "runs nothing and succeeds on empty input" {
	run bash -c ': | "$PRUN" echo never'
	assert_success
	assert_output ""
}

@test "gives the same output on the direct and the shell path" {
	args=("a b" "c'd" '$HOME' 'x\y' '*' '' '-n' $'tab\there')
	run prun -k -j1 printf "'[%s]\n'" ::: "${args[@]}"
	assert_success
	direct=$output
	run prun -k -j1 printf "'[%s]\n'" '{}' '; true' ::: "${args[@]}"
	assert_success
	assert_equal "$output" "$direct"
	assert_equal "$direct" "$(printf '[%s]\n' "${args[@]}")"
}

@test "runs a shell builtin such as cd through the shell" {
	run prun -k 'cd {} && pwd' ::: / /tmp
	assert_success
	assert_output $'/\n/tmp'
}

@test "runs an exported bash function as the command" {
	doit() { echo "fn:$1"; }
	export -f doit
	run prun -k doit ::: a b
	assert_success
	assert_output $'fn:a\nfn:b'
}

@test "an exported bash function can be called anywhere in the command" {
	f() { echo "f [$1]"; }
	export -f f
	run prun 'cd / && f {}' ::: a
	assert_success
	assert_output 'f [a]'
	run prun 'V=1 f {}' ::: a
	assert_success
	assert_output 'f [a]'
	run prun -k 'echo x; f {} | tr a-z A-Z' ::: a b
	assert_success
	assert_output $'x\nF [A]\nx\nF [B]'
}

@test "an exported bash function can be called by commands given as input" {
	f() { echo "f [$1]"; }
	export -f f
	run prun ::: 'f c'
	assert_success
	assert_output 'f [c]'
	run bash -c 'printf "f 1\nf 2\n" | "$PRUN" -k -j1'
	assert_success
	assert_output $'f [1]\nf [2]'
}

@test "commands run under /bin/sh unless a bash function is exported" {
	[ "$(readlink -f /bin/sh)" != "$(readlink -f /bin/bash)" ] ||
		skip "/bin/sh is bash here"
	run prun 'echo "[$BASH_VERSION]"' ::: x
	assert_success
	assert_output '[] x'
	f() { :; }
	export -f f
	run prun 'echo "[${BASH_VERSION:+bash}]"' ::: x
	assert_success
	assert_output '[bash] x'
}

@test "a shell chosen with --shell or PRUN_SHELL is kept when a function is exported" {
	[ "$(readlink -f /bin/sh)" != "$(readlink -f /bin/bash)" ] ||
		skip "/bin/sh is bash here"
	f() { echo "f [$1]"; }
	export -f f
	run prun --shell /bin/sh 'echo "[$BASH_VERSION]"; f {}' ::: a
	assert_failure 1
	assert_line --index 0 '[]'
	PRUN_SHELL=/bin/sh run prun 'echo "[$BASH_VERSION]"' ::: a
	assert_success
	assert_output '[] a'
	# As the first word, a function runs under bash all the same.
	run prun --shell /bin/sh f ::: a
	assert_success
	assert_output 'f [a]'
}

@test "runs each input line as the command when no command is given" {
	run bash -c 'printf "echo one\necho two | tr a-z A-Z\n" | "$PRUN" -k'
	assert_success
	assert_output $'one\nTWO'
}

@test "uses the shell named by --shell" {
	run prun --shell /bin/bash 'echo ${BASH_VERSION:+bash}' ::: x
	assert_success
	assert_output "bash x"
}

@test "uses the shell named by PRUN_SHELL" {
	PRUN_SHELL=/bin/bash run prun 'echo ${BASH_VERSION:+bash}' ::: x
	assert_success
	assert_output "bash x"
}
