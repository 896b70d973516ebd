#!/usr/bin/env bats
# Script modes: a script whose #! line runs prun --shebang (its lines are
# the arguments) or prun --shebang-wrap (it runs once per argument), and
# --skip-first-line, which --shebang uses.  The scripts are real files
# run directly, so the kernel splits the #! line.  The expected outputs are
# GNU parallel 20221122's.

load helpers

# Writes an executable script $1 whose #! line is prun and $2, then the
# lines $3...
script() {
	local path=$BATS_TEST_TMPDIR/$1 bin
	bin=$(readlink -f "$PRUN")
	shift
	{
		printf '#!%s %s\n' "$bin" "$1"
		shift
		printf '%s\n' "$@"
	} >"$path"
	chmod +x "$path"
}

@test "--skip-first-line leaves out the first line of standard input" {
	run prun -k --skip-first-line echo < <(printf 'x\ny\nz\n')
	assert_success
	assert_output $'y\nz'
}

@test "--skip-first-line leaves out the first argument of the first source" {
	run prun -k --skip-first-line echo ::: a b c
	assert_output $'b\nc'
	printf 'x\ny\n' >"$BATS_TEST_TMPDIR/f"
	run prun -k --skip-first-line echo :::: "$BATS_TEST_TMPDIR/f" ::: 1 2
	assert_output $'y 1\ny 2'
	run prun -k --skip-first-line echo ::: 1 2 :::: "$BATS_TEST_TMPDIR/f"
	assert_output $'2 x\n2 y'
}

@test "--skip-first-line skips a value of -0 and -d too, and before --header" {
	run prun -k -0 --skip-first-line echo < <(printf 'h1\nh2\0a\0b\0')
	assert_output $'a\nb'
	run prun -k -d , --skip-first-line echo < <(printf 'h,a,b')
	assert_output $'a\nb'
	run prun -k --skip-first-line --header : echo {x} ::: junk x 1 2
	assert_output $'1\n2'
}

@test "--shebang: each line of the script after the #! line is an argument" {
	script s '--shebang -k -r echo' A '' 'B C' 'it'"'"'s'
	run "$BATS_TEST_TMPDIR/s"
	assert_success
	assert_output $'A\nB C\nit\'s'
}

@test "--shebang: the options of the #! line apply, as words" {
	script s '--shebang -k --tagstring "<{#}>" echo x' a b
	run "$BATS_TEST_TMPDIR/s"
	assert_success
	assert_output $'<1>\tx a\n<2>\tx b'
}

@test "--shebang: the script's arguments go after the #! line's words" {
	script s '--shebang -k echo' a b
	run "$BATS_TEST_TMPDIR/s" pre
	assert_success
	assert_output $'pre a\npre b'
}

@test "--hashbang is --shebang; typed by hand the script is the last word" {
	script s '--hashbang -k echo' a b
	run "$BATS_TEST_TMPDIR/s"
	assert_output $'a\nb'
	run prun --shebang -k echo "$BATS_TEST_TMPDIR/s"
	assert_output $'a\nb'
}

@test "--shebang-wrap runs the script once per argument, in parallel" {
	script w '--shebang-wrap -k /bin/sh' 'echo "run [$1] $#"' \
		'touch "$1.ran"'
	cd "$BATS_TEST_TMPDIR"
	run ./w a b 'c d'
	assert_success
	assert_output $'run [a] 1\nrun [b] 1\nrun [c d] 1'
	[ -e a.ran ] && [ -e b.ran ] && [ -e 'c d.ran' ]
}

@test "--shebang-wrap with no arguments reads them from standard input" {
	script w '--shebang-wrap -k /bin/sh' 'echo "run [$1]"'
	run "$BATS_TEST_TMPDIR/w" < <(printf 'x\ny\n')
	assert_success
	assert_output $'run [x]\nrun [y]'
}

@test "--shebang-wrap runs the interpreter of the #! line on the script" {
	script w '--shebang-wrap -k /usr/bin/perl -w' 'print "pl @ARGV\n";'
	run "$BATS_TEST_TMPDIR/w" 1 2
	assert_success
	assert_output $'pl 1\npl 2'
}

@test "--shebang anywhere but first is an error" {
	run prun -k --shebang echo ::: a
	assert_failure 255
	assert_output "prun: --shebang must be the first argument (on a script's #! line)"
	run prun --shebang-wrap
	assert_failure 255
	assert_output "prun: --shebang-wrap needs a script"
}
