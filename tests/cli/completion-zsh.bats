#!/usr/bin/env bats
# The zsh completion in completions/zsh/_prun.

load helpers
load complete

@test "the zsh completion loads without error" {
	need_shell zsh
	run zsh -n "$TOP/completions/zsh/_prun"
	assert_success
	assert_output ""
	run zsh_with_completion 'print -r -- $_comps[prun]; autoload +X _prun'
	assert_success
	assert_output "_prun"
}

@test "completes files after ::: and ::::, the command and its words before" {
	need_shell zsh
	# _arguments hands the command and what follows to _prun_command,
	# which picks the completer; record which one.
	run zsh_with_completion '
		_arguments() { : }
		_prun
		_files() { print files }
		_normal() { print normal }
		compadd() { : }
		typeset -A opt_args
		t() { words=("$@"); CURRENT=$#; PREFIX=$words[-1]; _prun_command }
		t ech; t echo a; t echo ::: a; t echo a :::: f; t echo ::: a :::+ b
		opt_args[--arg-sep]=,,
		t echo ::: a; t echo ,, a
	'
	assert_success
	assert_output $'normal\nnormal\nfiles\nfiles\nfiles\nnormal\nfiles'
}

@test "completes -J and --profile with the config files' profiles" {
	need_shell zsh
	mkdir -p "$PRUN_SYSCONFDIR/prun" "$XDG_CONFIG_HOME/prun"
	printf '[defaults]\n[profile net]\n' >"$PRUN_SYSCONFDIR/prun/config"
	printf '[ profile  fast ] ; quick\n[profile nightly]\n' \
		>"$XDG_CONFIG_HOME/prun/config"
	run zsh_with_completion '
		_arguments() { : }
		_prun
		_wanted() { shift 3; "$@" }
		compadd() { print -rl -- ${(P)${@[-1]}} }
		_prun_profiles
	'
	assert_success
	assert_output $'net\nfast\nnightly'
}
