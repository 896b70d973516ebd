#!/usr/bin/env bats
# --color-failed: the lines of failed jobs white on red.  The expected bytes
# are GNU parallel 20221122's (without a terminal, where it does not ask
# tput for the sequences).

load helpers

setup() {
	prun_setup
	R=$'\e[48;5;196;38;5;231m\e[K'
	E=$'\e[m'
}

@test "--cf colours each line of a failed job, stdout and stderr" {
	run bash -c '"$PRUN" -j1 --cf "echo a{}; echo b{} >&2; exit {}" ::: 0 1 2>&1; echo "|$?"'
	assert_success
	assert_output "a0"$'\n'"b0"$'\n'"${R}a1$E"$'\n'"${R}b1$E"$'\n|1'
}

@test "--color-failed with --tag: the tag is inside the colour; other jobs' last line gets a newline" {
	run bash -c '"$PRUN" -k --color-failed --tag "printf \"x\\n\\ny\\rz\\nlast\"; exit {}" ::: 3 0; echo "|$?"'
	assert_success
	assert_output "${R}3	x$E"$'\n'"${R}3	$E"$'\n'"${R}3	y$E"$'\r'"${R}3	z$E"$'\n'"${R}3	last$E"$'\n'$'0\tx\n0\t\n0\ty\r0\tz\n0\tlast\n|1'
}

@test "--cf ends a final carriage return with an empty coloured line" {
	run bash -c '"$PRUN" --cf "printf \"a\\r\"; exit 1" ::: 1; echo "|$?"'
	assert_success
	assert_output "${R}a$E"$'\r'"${R}$E"$'\n|1'
}

@test "--cf colours the command that -v prints before a failed job's output" {
	run bash -c '"$PRUN" -k -v --cf "echo x; exit" ::: 3 0; echo "|$?"'
	assert_success
	assert_output "${R}echo x; exit 3$E"$'\n'"${R}x$E"$'\n'$'echo x; exit 0\nx\n|1'
}

@test "--cf with -k waits for a job's end, then prints in input order" {
	run bash -c '"$PRUN" -k -j3 --cf "sleep 0.{}; seq 2; exit {}" ::: 2 0 1; echo "|$?"'
	assert_success
	assert_output "${R}1$E"$'\n'"${R}2$E"$'\n1\n2\n'"${R}1$E"$'\n'"${R}2$E"$'\n|2'
}

@test "--cf colours a job that timed out or was killed" {
	run bash -c '"$PRUN" -k --cf --timeout 1 "echo {}; exec sleep {}" ::: 5 0 2>/dev/null; echo "|$?"'
	assert_success
	assert_output "${R}5$E"$'\n0\n|1'
	run bash -c '"$PRUN" --cf "echo {}; kill -9 \$\$" ::: k; echo "|$?"'
	assert_success
	assert_output "${R}k$E"$'\n|1'
}

@test "--cf colours output that went through spool files, line by line" {
	want=$(seq 300000 | awk -v r="$R" -v e="$E" '{ print r $0 e }' | md5sum)
	run bash -c '"$PRUN" --cf "seq {}; exit 1" ::: 300000 | md5sum'
	assert_success
	assert_output "$want"
}

@test "--cf leaves --line-buffer and --ungroup output alone" {
	for mode in --line-buffer -u "-k --lb"; do
		run bash -c '"$PRUN" $0 --cf "printf a; exit 1" ::: 1; echo "|$?"' "$mode"
		assert_success
		assert_output "a|1"
	done
}

@test "without --cf a failed job's output is untouched" {
	run bash -c '"$PRUN" "printf a; exit 1" ::: 1; echo "|$?"'
	assert_success
	assert_output "a|1"
}
