#!/usr/bin/env bats
# The fish completion in completions/fish/prun.fish.

load helpers
load complete

@test "the fish completion loads without error" {
	need_shell fish
	run fish --no-execute "$TOP/completions/fish/prun.fish"
	assert_success
	assert_output ""
	run fish --no-config -c 'source $argv[1]' \
		"$TOP/completions/fish/prun.fish"
	assert_success
	assert_output ""
}

@test "completes long and short options" {
	need_shell fish
	run fish_complete "prun --jo" "prun --keep"
	assert_success
	assert_output $'--joblog --jobs --jobserver-style\n--keep-order'
	run fish_complete "prun -"
	assert_success
	assert_output --partial " -k "
	assert_output --partial " --jobs "
}

@test "completes the value of --shell from /etc/shells" {
	need_shell fish
	grep -qx /bin/sh /etc/shells || skip "/etc/shells lacks /bin/sh"
	run fish_complete "prun --shell /bin/s" "prun --shell=/bin/s"
	assert_success
	assert_output $'/bin/sh\n--shell=/bin/sh'
}

@test "completes the values of --trim, a fixed set" {
	need_shell fish
	run fish_complete "prun --trim " "prun -k --trim r"
	assert_success
	assert_output $'l lr n r rl\nr rl'
}

@test "offers nothing for a value that is a number" {
	need_shell fish
	run fish_complete "prun -j " "prun --jobs "
	assert_success
	assert_output ""
}

@test "completes file names after -a and ::::" {
	need_shell fish
	cd "$BATS_TEST_TMPDIR"
	touch urls.txt
	run fish_complete "prun -a ur" "prun --arg-file ur" "prun echo :::: ur" \
		"prun echo ::: a ::::+ ur"
	assert_success
	assert_output $'urls.txt\nurls.txt\nurls.txt\nurls.txt'
}

@test "completes a command name after options and their values" {
	need_shell fish
	run fish_complete "prun ech" "prun -j 4 ech" "prun --jobs=4 ech" \
		"prun -kj4 ech" "prun -kj 4 ech" "prun -- ech"
	assert_success
	assert_output $'echo\necho\necho\necho\necho\necho'
}

@test "hands the words after the command to that command's completion" {
	need_shell fish
	FISH_SETUP="complete -c fakecmd -f -a 'alpha beta'" \
		run fish_complete "prun -j 2 fakecmd al"
	assert_success
	assert_output "alpha"
}

@test "offers prun's options only before the command" {
	need_shell fish
	run fish_complete "prun echo --jo"
	assert_success
	refute_output --partial -- "--jobs"
}

@test "completes the separators after the command" {
	need_shell fish
	cd "$BATS_TEST_TMPDIR"
	run fish_complete "prun echo ::" "prun --arg-sep ,, echo ,"
	assert_success
	assert_output $'::: :::+ :::: ::::+\n,, ,,+'
}

@test "completes the values of --halt and --termseq" {
	need_shell fish
	run fish_complete "prun --halt s" "prun --termseq "
	assert_success
	assert_output $'soon soon,done=1 soon,fail=1 soon,success=1\nTERM,200,TERM,100,TERM,50,KILL,25'
}

@test "completes -J and --profile with the config files' profiles" {
	need_shell fish
	mkdir -p "$PRUN_SYSCONFDIR/prun" "$XDG_CONFIG_HOME/prun"
	printf '[defaults]\n[profile net]\n' >"$PRUN_SYSCONFDIR/prun/config"
	printf '[ profile  fast ] ; quick\n[profile nightly]\n' \
		>"$XDG_CONFIG_HOME/prun/config"
	run fish_complete "prun -J " "prun --profile n"
	assert_success
	assert_output $'fast net nightly\nnet nightly'
}
