#!/usr/bin/env bats
# --tmux: jobs in windows of a tmux session, looked at with a real tmux.

load helpers

setup() {
	prun_setup
	command -v tmux >/dev/null || skip "tmux is not installed"
	needs_terminal tmux
	unset TMUX
}

teardown() {
	[ -z "${SOCK-}" ] || tmux -S "$SOCK" kill-server 2>/dev/null || true
}

# The socket that prun's stderr in $1 names.
socket_of() {
	sed -n 's/^See output with: tmux -S \(.*\) attach$/\1/p' "$1"
}

@test "--tmux runs each job in a window and passes its exit status on" {
	run prun --tmux -j1 'echo hi {}; exit 3' ::: a b
	assert_failure 2
	assert_output --regexp "^See output with: tmux -S $TMPDIR/prun-tmux\.[^/]+/socket attach$"
	echo "$output" > "$BATS_TEST_TMPDIR/err"
	SOCK=$(socket_of "$BATS_TEST_TMPDIR/err")
	run bash -c 'tmux -S "$0" list-windows -a -F "#W" | sort' "$SOCK"
	assert_output $'echo hi a  exit 3\necho hi b  exit 3'
	run bash -c 'for w in $(tmux -S "$0" list-windows -a -F "#S:#I"); do tmux -S "$0" capture-pane -p -t "$w" | head -2 | paste -sd " "; done | sort' "$SOCK"
	assert_output $'hi a echo hi a  exit 3\nhi b echo hi b  exit 3'
}

@test "--tmux: a job that succeeds exits 0, and prun prints nothing else" {
	run prun --tmux -j1 'printf "%s\n" {}' ::: 'x y' z
	assert_success
	assert_equal "${#lines[@]}" 1
	echo "$output" > "$BATS_TEST_TMPDIR/err"
	SOCK=$(socket_of "$BATS_TEST_TMPDIR/err")
	run bash -c 'for w in $(tmux -S "$0" list-windows -a -F "#S:#I"); do tmux -S "$0" capture-pane -p -t "$w" | head -1; done | sort' "$SOCK"
	assert_output $'x y\nz'
}

@test "--tmuxpane runs jobs in panes" {
	run prun --tmuxpane 'echo {}' ::: a
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/err"
	SOCK=$(socket_of "$BATS_TEST_TMPDIR/err")
	run bash -c 'tmux -S "$0" capture-pane -p -t :0 | head -1' "$SOCK"
	assert_output "a"
}

@test "--tmux leaves no directory behind when no session was started" {
	run prun --tmux --dry-run 'echo {}' ::: a
	assert_success
	run ls -A "$TMPDIR"
	assert_output ''
}
