#!/usr/bin/env bats
# --latest-line: on a terminal (a real tmux pane), a row per job that shows
# its latest line while it runs and its last line at the end; elsewhere,
# each job's last line once.

load helpers

setup() {
	prun_setup
	command -v tmux >/dev/null || skip "tmux is not installed"
	unset TMUX
	SOCK="$BATS_TEST_TMPDIR/sock"
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
}

# Starts prun with the arguments "$@" in a tmux pane 40 columns wide and
# $ROWS (10) high; "rc=STATUS" follows when it is done.
start_in_pane() {
	needs_terminal "a tmux pane"
	{
		printf '"$PRUN"'
		printf ' %q' "$@"
		printf '\necho "rc=$?"\nexec sleep 600\n'
	} > "$BATS_TEST_TMPDIR/cmd"
	tmux -S "$SOCK" -f /dev/null new-session -d -x 40 -y "${ROWS:-10}" \
		"bash $BATS_TEST_TMPDIR/cmd"
}

# The pane with its scrollback, without trailing blank lines.
pane() {
	tmux -S "$SOCK" capture-pane -p -S - -t :0
}

# Waits up to 20 s for the pane to show a line that matches $1.
wait_for() {
	local i
	for i in $(seq 200); do
		pane | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "the pane never showed $1:"
	pane
	return 1
}

@test "--ll on a terminal: a row per job in input order, its last line left at the end" {
	start_in_pane -k --ll 'echo start {}; sleep {}; echo end {}' ::: 1 0.3 2
	wait_for '^rc='
	run pane
	assert_output $'end 1\nend 0.3\nend 2\nrc=0'
}

@test "--ll shows the latest line of a job while it runs" {
	start_in_pane --ll --tag "echo first {}; sleep 0.2; echo err {} >&2; $AWAIT $BATS_TEST_TMPDIR/go; echo second {}" ::: a
	wait_for '^a       err a$'
	run pane
	assert_output 'a       err a'
	touch "$BATS_TEST_TMPDIR/go"
	wait_for '^rc='
	run pane
	assert_output $'a       second a\nrc=0'
}

@test "--ll: a line longer than the terminal is cut with >, and a shorter one leaves nothing of it" {
	start_in_pane --ll --tag "seq -s ' ' 30; $AWAIT $BATS_TEST_TMPDIR/go; echo {}" ::: short
	wait_for '>$'
	run pane
	assert_output "short   $(seq -s ' ' 30 | cut -c1-31)>"
	touch "$BATS_TEST_TMPDIR/go"
	wait_for '^rc='
	run pane
	assert_output $'short   short\nrc=0'
}

@test "--ll: a tag longer than the terminal is cut with >, without the line" {
	start_in_pane --ll --tag 'echo x' ::: "$(printf 'word %.0s' {1..20})"
	wait_for '^rc='
	run pane
	assert_output $'word word word word word word word word>\nrc=0'
}

@test "--ll: a line of exactly the terminal's width is cut, one column less is not" {
	start_in_pane -k --ll 'printf "%s\n" {}' ::: "$(printf 'a%.0s' {1..39})" "$(printf 'b%.0s' {1..40})"
	wait_for '^rc='
	run pane
	assert_output "$(printf 'a%.0s' {1..39})"$'\n'"$(printf 'b%.0s' {1..39})>"$'\nrc=0'
}

@test "--ll with more jobs than the terminal has rows leaves every job's line" {
	ROWS=5 start_in_pane -j3 --ll 'echo start {}; sleep 0.{}; echo end {}' ::: 3 1 2 1 3 2 1 1
	wait_for '^rc='
	run bash -c 'tmux -S "$0" capture-pane -p -S - -t :0 | grep -c "^end "' "$SOCK"
	assert_output 8
	run bash -c 'tmux -S "$0" capture-pane -p -S - -t :0 | grep -v "^end \|^rc=\|^$"' "$SOCK"
	assert_output ''
}

@test "--ll keeps prun's exit status" {
	start_in_pane --ll 'echo {}; exit {}' ::: 3
	wait_for '^rc='
	run pane
	assert_output $'3\nrc=1'
}

@test "--ll not on a terminal prints each job's last line once, when it ends" {
	# The job of 1 ends once the job of 0 has been reaped.
	cd "$BATS_TEST_TMPDIR"
	run prun -j2 --ll 'echo $$ >pid.{}; echo one {}; [ {} = 0 ] || "$REAPED" pid.0; printf "two {}\n\n"' ::: 1 0
	assert_success
	assert_output $'two 0\ntwo 1'
}

@test "--ll -k not on a terminal keeps input order; stderr and a last line without newline count" {
	run prun -k --ll --tag 'echo one {}; sleep {}; echo err >&2' ::: 1 0
	assert_success
	assert_output $'1\terr\n0\terr'
	run prun -k --ll --tag 'echo one; sleep 0.1; printf "half {}"' ::: 1 0
	assert_success
	assert_output $'1\thalf 1\n0\thalf 0'
}

@test "--ll: a job that prints nothing has an empty line; a carriage return ends a line too" {
	run bash -c '"$PRUN" -k --ll "test {} = 1 || printf \"10%%\\r20%%\\r\"" ::: 1 2; echo "|$?"'
	assert_success
	assert_output $'\n20%\n|0'
}

@test "--ll --cf: the line of a failed job is white on red" {
	run bash -c '"$PRUN" -k --ll --cf "echo x{}; exit {}" ::: 0 2; echo "|$?"'
	assert_success
	assert_output $'x0\n\e[48;5;196;38;5;231m\e[Kx2\e[m\n|1'
}
