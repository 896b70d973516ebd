#!/usr/bin/env bats
# $PARALLEL_ENV, the shell text run before each command, and env_prun,
# which copies the shell's own variables, arrays and functions through it
# (the outputs are GNU parallel's and env_parallel's).

load helpers

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	prun_setup
	# env_prun runs the prun first in $PATH.
	export PATH="$(dirname "$PRUN"):$PATH"
}

# Runs bash code with env_prun loaded, in a shell of its own.
env_prun_run() {
	run bash --norc -c '. "$1"; '"$1" bash "$TOP/shell/env_prun.bash"
}

# The same with zsh code and env_prun.zsh.
env_prun_zsh() {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run zsh -f -c '. "$1"; '"$1" zsh "$TOP/shell/env_prun.zsh"
}

@test "\$PARALLEL_ENV runs before the command" {
	run env PARALLEL_ENV='x=5' "$PRUN" echo '$x' ::: 1
	assert_success
	assert_output "5 1"
}

@test "\\001 in \$PARALLEL_ENV is a newline" {
	run env PARALLEL_ENV=$'x=5\001y=6' "$PRUN" echo '$x$y' ::: 1
	assert_success
	assert_output "56 1"
}

@test "\$PARALLEL_ENV runs before a command run without a shell too" {
	run env PARALLEL_ENV='echo pre' "$PRUN" -k echo ::: 1 2
	assert_success
	assert_output "$(printf 'pre\n1\npre\n2')"
}

@test "jobs do not get \$PARALLEL_ENV in their environment" {
	run env PARALLEL_ENV='true' "$PRUN" 'echo "[${PARALLEL_ENV-unset}]"' \
		::: 1
	assert_success
	assert_output "[unset] 1"
}

@test "--dry-run and -v show the command without \$PARALLEL_ENV" {
	run env PARALLEL_ENV='x=5' "$PRUN" --dry-run echo '$x' ::: 1
	assert_success
	assert_output 'echo $x 1'
	run env PARALLEL_ENV='x=5' "$PRUN" -v echo '$x' ::: 1
	assert_success
	assert_output "$(printf 'echo $x 1\n5 1')"
}

@test "a job whose \$PARALLEL_ENV fails has failed" {
	run env PARALLEL_ENV='exit 3' "$PRUN" echo ::: 1 2
	assert_failure 2
	assert_output ""
}

@test "\$PARALLEL_ENV naming a file stands for the file's text" {
	printf 'z=7\n' >"$BATS_TEST_TMPDIR/penv"
	run env PARALLEL_ENV="$BATS_TEST_TMPDIR/penv" "$PRUN" 'echo $z' ::: 1
	assert_success
	assert_output "7 1"
}

@test "-X counts \$PARALLEL_ENV's text in each command line" {
	run bash -c 'seq 1 30 | PARALLEL_ENV="true; true" "$PRUN" -s 60 -X \
		--dry-run echo'
	assert_success
	assert_line --index 0 "echo $(seq -s ' ' 1 18)"
	run bash -c 'seq 1 30000 | PARALLEL_ENV="$(printf "x=1;%.0s" \
		{1..1000})" "$PRUN" -k -X echo | awk "{ print length }"'
	assert_success
	assert_output "$(printf '%s\n' 59657 59657 24791 24785)"
}

@test "a command line too long with \$PARALLEL_ENV's text is an error" {
	run env PARALLEL_ENV="$(printf 'x%.0s' {1..70})" "$PRUN" -s 60 \
		echo ::: 1
	assert_failure 255
	assert_output "prun: command line too long (76 >= 60) at input 0: 1"
}

@test "env_prun --env copies a function and an array" {
	env_prun_run '
		arr=(a "b c" "d\$e")
		myfunc() { echo "f:$1:${arr[1]}:${arr[2]}"; }
		env_prun -k --env arr --env myfunc myfunc ::: 1 2'
	assert_success
	assert_output "$(printf 'f:1:b c:d$e\nf:2:b c:d$e')"
}

@test "env_prun copies a function that takes its arguments apart" {
	env_prun_run '
		f() { printf "<%s>" "$@"; echo; }
		env_prun -k --env f f ::: "a b" c'
	assert_success
	assert_output "$(printf '<a b>\n<c>')"
}

@test "env_prun --env copies only the names given" {
	env_prun_run '
		x=1 y=2
		env_prun --env x "echo \"[\$x][\$y]\"" ::: a'
	assert_success
	assert_output "[1][] a"
}

@test "env_prun --env NAME,NAME copies an associative array and a variable" {
	env_prun_run '
		declare -A h=([k]=v) ; x=5
		env_prun --env=x,h "echo \$x \${h[k]}" ::: 1'
	assert_success
	assert_output "5 v 1"
}

@test "env_prun without --env copies everything, aliases too" {
	env_prun_run '
		arr=(a "b c" "d\$e"); x=5
		alias al="echo alias"
		env_prun -k "echo \${#arr[@]} \${arr[2]} \$x; al" ::: 1'
	assert_success
	assert_output "$(printf '3 d$e 5\nalias 1')"
}

@test "env_prun returns prun's exit status" {
	env_prun_run 'env_prun exit ::: 3 0 4; echo "status $?"'
	assert_success
	assert_output "status 2"
}

@test "env_prun --env _ copies only what the record does not name" {
	env_prun_run '
		old=1
		env_prun --env _ true ::: 1 || echo "no record: $?"
		env_prun --record-env && echo recorded
		old=2 new=3
		env_prun --env _ "echo \"[\$old][\$new]\"" ::: a'
	assert_success
	assert_output "$(printf '%s\n' \
		"env_prun: run 'env_prun --record-env' in a clean environment first" \
		"no record: 255" recorded "[][3] a")"
}

@test "env_prun --session leaves out the names set before it" {
	env_prun_run '
		before=1
		env_prun --session
		after=2
		env_prun "echo \"[\$before][\$after]\"" ::: a
		env_prun --end-session
		env_prun "echo \"[\$before][\$after]\"" ::: b'
	assert_success
	assert_output "$(printf '[][2] a\n[1][2] b')"
}

@test "under zsh, an alias of \$PARALLEL_ENV applies to the command" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run env PARALLEL_SHELL="$(command -v zsh)" \
		PARALLEL_ENV='alias a="echo x"' "$PRUN" -k a ::: "q'\"b c" d
	assert_success
	assert_output "$(printf '%s\n' "x q'\"b c" "x d")"
}

@test "env_prun.zsh --env copies a function and an array" {
	env_prun_zsh '
		arr=(a "b c" "d\$e")
		myfunc() { echo "f:$1:${arr[2]}:${arr[3]}"; }
		env_prun -k --env arr --env myfunc myfunc ::: 1 2'
	assert_success
	assert_output "$(printf 'f:1:b c:d$e\nf:2:b c:d$e')"
}

@test "env_prun.zsh without --env copies everything, aliases too" {
	env_prun_zsh '
		arr=(a "b c" "d\$e"); x=5; typeset -A h; h=(k v)
		alias al="echo alias"
		env_prun -k "echo \${#arr[@]} \${arr[3]} \$x \${h[k]}; al" ::: 1
		env_prun exit ::: 3 0 4; echo "status $?"'
	assert_success
	assert_output "$(printf '3 d$e 5 v\nalias 1\nstatus 2')"
}

@test "env_prun.zsh --env _ and --session leave out the names given" {
	env_prun_zsh '
		old=1
		env_prun --record-env && echo recorded
		old=2 new=3
		env_prun --env _ "echo \"[\$old][\$new]\"" ::: a
		before=1
		env_prun --session
		after=2
		env_prun "echo \"[\$before][\$after]\"" ::: b
		env_prun --end-session
		env_prun "echo \"[\$before][\$after]\"" ::: c'
	assert_success
	assert_output "$(printf 'recorded\n[][3] a\n[][2] b\n[1][2] c')"
}
