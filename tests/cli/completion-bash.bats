#!/usr/bin/env bats
# The bash completion in completions/bash/prun.

load helpers
load complete

@test "registers _prun as the completion of prun" {
	need_bash_completion
	run bash --norc -c 'source "$1" && source "$2" && complete -p prun' \
		bash "$BASH_COMPLETION" "$TOP/completions/bash/prun"
	assert_success
	assert_output "complete -F _prun prun"
}

@test "completes long options, with '=' after those that take a value" {
	need_bash_completion
	run bash_complete "prun --jo" "prun --ke" "prun --arg-f"
	assert_success
	assert_output $'--joblog= --jobs= --jobserver-style=\n--keep-order\n--arg-file-sep= --arg-file='
}

@test "completes short options too after a single dash" {
	need_bash_completion
	run bash_complete "prun -"
	assert_success
	assert_output --partial " --jobs= "
	assert_output --partial " -j "
	assert_output --partial " -k "
}

@test "completes the value of --shell from /etc/shells" {
	need_bash_completion
	grep -qx /bin/sh /etc/shells || skip "/etc/shells lacks /bin/sh"
	run bash_complete "prun --shell /bin/s" "prun --shell=/bin/s"
	assert_success
	assert_output $'/bin/sh\n/bin/sh'
}

@test "completes the values of --trim, a fixed set" {
	need_bash_completion
	run bash_complete "prun --trim " "prun --trim=l" "prun -k --trim r"
	assert_success
	assert_output $'l lr n r rl\nl lr\nr rl'
}

@test "offers nothing for a value that is a number" {
	need_bash_completion
	run bash_complete "prun -j " "prun --jobs=" "prun -kj "
	assert_success
	assert_output ""
}

@test "completes file names after -a and --arg-file" {
	need_bash_completion
	cd "$BATS_TEST_TMPDIR"
	touch urls.txt other
	run bash_complete "prun -a ur" "prun --arg-file ur" "prun --arg-file=ur"
	assert_success
	assert_output $'urls.txt\nurls.txt\nurls.txt'
}

@test "completes a command name in command position" {
	need_bash_completion
	run bash_complete "prun ech"
	assert_success
	assert_output --regexp "(^| )echo( |$)"
}

@test "skips options and their values to find the command position" {
	need_bash_completion
	run bash_complete "prun -j 4 ech" "prun --jobs=4 ech" "prun -kj4 ech" \
		"prun -kj 4 ech" "prun --jobs 4 -k --shell /bin/sh ech" \
		"prun --tim 4 ech" "prun -- ech"
	assert_success
	assert_output $'echo\necho\necho\necho\necho\necho\necho'
}

@test "hands the words after the command to that command's completion" {
	need_bash_completion
	run bash --norc -c '
		source "$1" && source "$2" || exit 1
		complete -W "alpha beta" fakecmd
		COMP_WORDS=(prun -j 2 fakecmd al)
		COMP_CWORD=4 COMP_LINE="prun -j 2 fakecmd al" COMP_POINT=20
		_prun
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$BASH_COMPLETION" "$TOP/completions/bash/prun"
	assert_success
	assert_output "alpha"
}

@test "offers prun's options only before the command" {
	need_bash_completion
	run bash_complete "prun echo --jo"
	assert_success
	refute_output --partial -- "--jobs"
}

@test "completes the separators, ::: and :::: and their linked forms" {
	need_bash_completion
	# bash replaces only the text after the last ':', so it is left out.
	run bash_complete "prun echo :" "prun --arg-sep ,, echo ,"
	assert_success
	assert_output $':: ::+ ::: :::+\n,, ,,+'
}

@test "completes file names after :::: and :::" {
	need_bash_completion
	cd "$BATS_TEST_TMPDIR"
	touch data.csv
	run bash_complete "prun echo :::: da" "prun echo ::: x ::::+ da" \
		"prun echo ::: da"
	assert_success
	assert_output $'data.csv\ndata.csv\ndata.csv'
}

@test "completes the values of --halt and --termseq" {
	need_bash_completion
	run bash_complete "prun --halt " "prun --halt=s" "prun --termseq "
	assert_success
	assert_output "never now now,done=1 now,fail=1 now,success=1 soon soon,done=1 soon,fail=1 soon,success=1
soon soon,done=1 soon,fail=1 soon,success=1
TERM,200,TERM,100,TERM,50,KILL,25"
}

@test "completes -J and --profile with the config files' profiles" {
	need_bash_completion
	mkdir -p "$PRUN_SYSCONFDIR/prun" "$XDG_CONFIG_HOME/prun"
	printf '[defaults]\n[profile net]\n' >"$PRUN_SYSCONFDIR/prun/config"
	printf '[ profile  fast ] ; quick\n[profile nightly]\n' \
		>"$XDG_CONFIG_HOME/prun/config"
	run bash_complete "prun -J " "prun --profile=n" "prun -kJ f"
	assert_success
	assert_output $'fast net nightly\nnet nightly\nfast'
}

@test "completes directories after --tmpdir and files after --joblog" {
	need_bash_completion
	cd "$BATS_TEST_TMPDIR"
	mkdir spool
	touch spoolfile
	run bash_complete "prun --tmpdir spo" "prun --joblog spoolf"
	assert_success
	assert_output $'spool\nspoolfile'
}
