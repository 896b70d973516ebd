#!/usr/bin/env bats
# GNU parallel's ways of giving options besides the command line ($PARALLEL,
# -J profile files, PARALLEL_SHELL), its other spellings of prun's options,
# its time postfixes, and a clear refusal of its options that prun lacks.
# The expected outputs are GNU parallel 20221122's.

load helpers

@test "options in \$PARALLEL apply" {
	PARALLEL="-k --tag" run prun echo ::: a b
	assert_success
	assert_output $'a\ta\nb\tb'
}

@test "\$PARALLEL is split as GNU parallel splits it, quotes and all" {
	PARALLEL="--tagstring 'a b' -k" run prun echo ::: x y
	assert_success
	assert_output $'a b\tx\na b\ty'
	PARALLEL='--tagstring "<\"{}\">"' run prun echo ::: x
	assert_output $'<"x">\tx'
}

@test "the command line wins over \$PARALLEL" {
	PARALLEL="--tagstring x -k" run prun --tagstring y echo ::: a b
	assert_success
	assert_output $'y\ta\ny\tb'
}

@test "words after the options of \$PARALLEL go before the command" {
	PARALLEL="-k echo pre" run prun ::: a b
	assert_success
	assert_output $'pre a\npre b'
}

@test "a bad \$PARALLEL is an error that names it" {
	PARALLEL="-k 'open" run prun echo ::: a
	assert_failure 255
	assert_output "prun: \$PARALLEL: a single quote is not closed"
	PARALLEL="--no-such" run prun echo ::: a
	assert_failure 255
	assert_output "prun: \$PARALLEL: unknown option '--no-such' (try --help)"
	PARALLEL="--jobs x" run prun echo ::: a
	assert_failure 255
	assert_output "prun: \$PARALLEL: bad value for --jobs: 'x' (want N, +N, -N, N% or 0)"
	PARALLEL="-J p" run prun echo ::: a
	assert_failure 255
	assert_output "prun: \$PARALLEL: -J/--profile is only allowed on the command line"
}

@test "--show-config says what \$PARALLEL set" {
	PARALLEL="-k" run prun --show-config
	assert_success
	assert_line $'$PARALLEL\tkeep-order = true'
}

@test "-J reads GNU parallel's profile file in ~/.parallel" {
	mkdir -p "$HOME/.parallel"
	printf '# a comment line\n-k\n--tagstring\n<{}>\n' >"$HOME/.parallel/p1"
	run prun -J p1 echo ::: a b
	assert_success
	assert_output $'<a>\ta\n<b>\tb'
}

@test "-J looks in \$PARALLEL_HOME first, and takes a path" {
	mkdir -p "$HOME/.parallel" "$BATS_TEST_TMPDIR/ph"
	echo "--tagstring home" >"$HOME/.parallel/p"
	echo "--tagstring ph" >"$BATS_TEST_TMPDIR/ph/p"
	# Every readable file applies, the last one found winning.
	PARALLEL_HOME=$BATS_TEST_TMPDIR/ph run prun -J p echo ::: a
	assert_success
	assert_output $'home\ta'
	rm "$HOME/.parallel/p"
	PARALLEL_HOME=$BATS_TEST_TMPDIR/ph run prun -J p echo ::: a
	assert_output $'ph\ta'
	run prun -J "$BATS_TEST_TMPDIR/ph/p" echo ::: a
	assert_output $'ph\ta'
}

@test "-J applies GNU parallel's profile file after prun's own profile" {
	mkdir -p "$XDG_CONFIG_HOME/prun" "$HOME/.parallel"
	printf '[profile p]\ntag = true\ntagstring = prun\n' \
		>"$XDG_CONFIG_HOME/prun/config"
	echo "--tagstring gnu" >"$HOME/.parallel/p"
	run prun -J p echo ::: a
	assert_success
	assert_output $'gnu\ta'
}

@test "-J of a profile that neither has is an error" {
	run prun -J nowhere echo ::: a
	assert_failure 255
	assert_output --regexp "^prun: no \[profile nowhere\] in "
}

@test "PARALLEL_SHELL chooses the shell when PRUN_SHELL is not set" {
	printf '#!/bin/sh\necho "shell: $2"\n' >"$BATS_TEST_TMPDIR/mysh"
	chmod +x "$BATS_TEST_TMPDIR/mysh"
	PARALLEL_SHELL=$BATS_TEST_TMPDIR/mysh run prun 'echo {} | cat' ::: a
	assert_success
	assert_output "shell: echo a | cat"
	PRUN_SHELL=/bin/sh PARALLEL_SHELL=$BATS_TEST_TMPDIR/mysh \
		run prun 'echo {} | cat' ::: a
	assert_output "a"
}

@test "GNU parallel's other names of options" {
	run prun -P1 --tagstring t echo ::: a b
	assert_output $'t\ta\nt\tb'
	run prun --max-procs 1 --argsep ,, echo ,, a b
	assert_output $'a\nb'
	printf 'x\n' >"$BATS_TEST_TMPDIR/f"
	run prun -k --argfilesep ,,,, echo ,,,, "$BATS_TEST_TMPDIR/f"
	assert_output x
	run prun -k --linebuffer --colour --term-seq TERM,10 echo ::: a
	assert_output a
	run prun -j1 --jl "$BATS_TEST_TMPDIR/log" --total 2 true ::: a b
	assert_success
	run wc -l <"$BATS_TEST_TMPDIR/log"
	assert_output 3
	run prun --output-as-files --tmpdir "$BATS_TEST_TMPDIR" echo ::: a
	assert_output --regexp "^$BATS_TEST_TMPDIR/"
	run prun --res "$BATS_TEST_TMPDIR/r" echo ::: a
	assert_success
	run cat "$BATS_TEST_TMPDIR/r/1/a/stdout"
	assert_output a
}

@test "durations take GNU parallel's time postfixes" {
	start=$(now_ms)
	run prun --timeout 0.02m sleep ::: 10
	assert_failure 1
	elapsed=$(($(now_ms) - start))
	[ "$elapsed" -lt 5000 ] || fail "took $elapsed ms"
	start=$(now_ms)
	run prun -j1 --delay 0.3s echo ::: a b c
	assert_success
	elapsed=$(($(now_ms) - start))
	[ "$elapsed" -ge 600 ] || fail "took only $elapsed ms"
	run prun --delay 1x echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --delay: '1x' (want seconds, or a duration such as 1.5m, 2h or 1d3h)"
}

@test "--load takes the forms of --jobs" {
	run prun --load 1000% echo ::: a
	assert_success
	assert_output a
	run prun --load +100 echo ::: a
	assert_output a
	run prun --load many echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --load: 'many' (want N, +N, -N or N%)"
}

@test "GNU parallel's options that prun lacks are named as not supported" {
	for opt in --sqlmaster=x --sql-worker --exit \
		--embed; do
		run prun "$opt" echo ::: a
		assert_failure 255
		assert_output "prun: ${opt%%=*} is not supported"
	done
	PARALLEL=--sqlworker run prun echo ::: a
	assert_output "prun: \$PARALLEL: --sqlworker is not supported"
}
