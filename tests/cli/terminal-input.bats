#!/usr/bin/env bats
# --tty and -o: jobs that read the terminal, run in a real one (tmux).
# The outputs are GNU parallel's.

load helpers

setup() {
	prun_setup
	command -v tmux >/dev/null || skip "tmux is not installed"
	unset TMUX
	SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
}

# Runs prun with the given arguments in a tmux window, its output and
# exit status in $OUT and its stderr in $ERR, then types each line of
# $KEYS into the window.
# Returns when prun has exited (or after 20 seconds).
on_tmux() {
	needs_terminal "a tmux window"
	local cmd
	printf -v cmd '%q ' "$PRUN" "$@"
	tmux -S "$SOCK" new-session -d -x 80 -y 24 \
		"$cmd >$OUT.tmp 2>$ERR; echo rc=\$? >>$OUT.tmp; mv $OUT.tmp $OUT"
	local line
	while [ -n "${KEYS-}" ] && IFS= read -r line; do
		sleep 0.3
		tmux -S "$SOCK" send-keys -l "$line"
		tmux -S "$SOCK" send-keys Enter
	done <<<"${KEYS-}"
	for _ in $(seq 200); do
		[ -e "$OUT" ] && break
		sleep 0.1
	done
	[ -e "$OUT" ] || fail "prun did not end"
}

@test "--tty gives each job the terminal as stdin, one job at a time" {
	KEYS=$'a\nb'
	on_tmux --tty 'read x; echo got:$x {}' ::: 1 2
	run cat "$OUT"
	assert_output $'got:a 1\ngot:b 2\nrc=0'
}

@test "-o and --open-tty give the terminal without -j1" {
	KEYS=$'first\nsecond'
	on_tmux -o -k -j1 'read x; echo {}:$x' ::: 1 2
	run cat "$OUT"
	assert_output $'1:first\n2:second\nrc=0'
	rm "$OUT"
	KEYS=one
	on_tmux --open-tty 'read x; echo $x' ::: 1
	run cat "$OUT"
	assert_output $'one 1\nrc=0'
}

@test "--tty: jobs that wait for the terminal can still time out" {
	# GNU parallel cannot kill them; prun's jobs keep their process groups.
	KEYS=''
	on_tmux --tty --timeout 1 'read x; echo {}:$x' ::: 1 2
	run cat "$OUT"
	assert_output "rc=2"
	run cat "$ERR"
	assert_output - <<-'EOF'
	prun: this job was killed because it timed out: read x; echo 1:$x
	prun: this job was killed because it timed out: read x; echo 2:$x
	EOF
}

@test "--tty: the terminal comes back to the job started before" {
	KEYS=$'x\ny'
	on_tmux -o -j2 -k 'if [ {} = 1 ]; then sleep 1.5; fi; read v; echo {}:$v' ::: 1 2
	run cat "$OUT"
	assert_output $'1:y\n2:x\nrc=0'
}

@test "--tty without a terminal gives jobs /dev/null" {
	run bash -c 'setsid "$PRUN" --tty "cat; echo {}" ::: a </dev/null'
	assert_success
	assert_output "a"
}

@test "--interactive asks on the terminal and runs what gets y" {
	KEYS=$'y\nn\n Yes'
	on_tmux -p -k echo ::: a b c
	run cat "$OUT"
	assert_output $'a\nc\nrc=0'
	run cat "$ERR"
	assert_output "echo a ?...echo b ?...echo c ?..."
}

@test "--interactive with -t asks, and prints nothing more" {
	KEYS=$'n\nY'
	on_tmux --interactive -t -k echo ::: a b
	run cat "$OUT"
	assert_output $'b\nrc=0'
	run cat "$ERR"
	assert_output "echo a ?...echo b ?..."
}

@test "--interactive without a terminal is an error" {
	run bash -c 'setsid "$PRUN" -p echo ::: a </dev/null'
	assert_failure 255
	assert_output "prun: --interactive: cannot open /dev/tty: No such device or address"
}
