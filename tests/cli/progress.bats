#!/usr/bin/env bats
# --bar, --eta, --progress and --total-jobs, drawn on a pseudo-terminal
# (tests/cli/on-a-terminal runs prun with stdout and stderr on one).

load helpers

# Runs prun with stdout and stderr on a terminal COLUMNS wide ($1).
# Call needs_terminal first: a skip inside `run` would not skip the test.
on_terminal() {
	local cols=$1
	shift
	"$BATS_TEST_DIRNAME/on-a-terminal" "$cols" "$PRUN" "$@"
}

# $1 padded with spaces to $2 characters.
pad() {
	printf "%-$2s" "$1"
}

@test "--bar draws GNU parallel's bar and wipes it at the end" {
	needs_terminal "drawing a progress bar"
	run on_terminal 30 -j1 --bar 'sleep 0.3; echo {}' ::: a b
	assert_success
	esc=$'\e'
	# 0% done: no reverse video; half done: half of the width in it.
	frame1=$'\r'"$esc[7m$esc[0m$(pad '0% 0:2=0s a' 30)$esc[0m"
	assert_output --partial "${frame1}a"
	# The estimate depends on the machine's speed: 0s, or 1s when slow.
	[[ $output =~ $'\r'"$esc"\[7m'50% 1:1='[01]'s b   '"$esc"\[0m\ {15}"$esc"\[0m ]] ||
		fail "no frame half done"
	# The output comes out whole, and the last frame is wiped.
	[[ $output == *$'b\n\r'"$esc[K" ]] || fail "the bar is not wiped at the end"
}

@test "--eta and --progress show GNU parallel's table and status, and leave the last status" {
	needs_terminal "drawing a progress bar"
	run on_terminal 60 -j1 --progress 'sleep 0.2; echo {}' ::: a b
	assert_success
	mapfile -t line <<<"$output"
	[ "${line[0]}" = '' ]
	[ "${line[1]}" = 'Computers / CPU cores / Max jobs to run' ]
	[[ ${line[2]} =~ ^1:local\ /\ [0-9]+\ /\ 1$ ]]
	[ "${line[3]}" = '' ]
	[ "${line[4]}" = 'Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete' ]
	[ "${line[5]}" = $'\r'"$(pad 'local:1/0/100%/0.0s ' 60)a" ]
	[[ ${line[7]} =~ ^$'\r'local:0/2/100%/0\.[0-9]s\ $'\e'\[K$ ]]
	run on_terminal 80 -j1 --eta 'sleep 0.2; echo {}' ::: a b
	mapfile -t line <<<"$output"
	[ "${line[5]}" = $'\r'"$(pad 'ETA: 0s Left: 2 AVG: 0.00s  local:1/0/100%/0.0s ' 80)a" ]
	[[ ${line[7]} =~ ^$'\r'ETA:\ 0s\ Left:\ 0\ AVG:\ 0\.[0-9]{2}s\ \ local:0/2/100%/0\.[0-9]s\ $'\e'\[K$ ]]
}

@test "input from a pipe shows the jobs done and running, without a share" {
	needs_terminal "drawing a progress bar"
	run on_terminal 40 -j1 --bar 'sleep 0.3; echo {}' < <(printf 'a\nb\n')
	assert_success
	assert_output $'\r'"$(pad '0 done, 1 running a' 40)a"$'\n\r'"$(pad '1 done, 1 running b' 40)b"$'\n\r\e[K'
}

@test "--total-jobs gives input from a pipe a share, and {##} its number" {
	needs_terminal "drawing a progress bar"
	run on_terminal 30 -j1 --plus --total-jobs 4 --bar 'sleep 0.3; echo {} {##}' < <(printf 'a\nb\n')
	assert_success
	assert_output --partial $'\r\e[7m\e[0m'"$(pad '0% 0:4=0s a' 30)"$'\e[0ma 4\n'
	assert_output --partial $'\r\e[7m25% 1:3'
}

@test "nothing is drawn when stderr is not a terminal" {
	run prun --bar --eta --progress echo ::: a
	assert_success
	assert_output a
	run bash -c "'$PRUN' --bar --eta --progress --total-jobs 3 echo ::: a 2>&1 >/dev/null"
	assert_output ''
}

@test "frames are drawn at most about ten times a second" {
	needs_terminal "drawing a progress bar"
	start=$(now_ms)
	on_terminal 80 --bar 'sleep 0.01; true {}' ::: $(seq 200) >"$BATS_TEST_TMPDIR/frames"
	elapsed=$(($(now_ms) - start))
	frames=$(tr -cd '\r' <"$BATS_TEST_TMPDIR/frames" | wc -c)
	[ "$frames" -ge 2 ] || fail "only $frames frames"
	[ "$frames" -le $((elapsed / 100 + 3)) ] ||
		fail "$frames frames in $elapsed ms"
}

@test "--total-jobs wants a whole number" {
	run prun --total-jobs x echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --total-jobs: 'x' (want a whole number >= 1)"
}
