#!/usr/bin/env bats
# Several arguments per job.

load helpers

@test "-N gives each job N arguments, named {1}..{N}" {
	run prun -k -N3 echo {3} {1} ::: a b c d e f g
	assert_output $'c a\nf d\ng'
}

@test "-N without a replacement string appends all of them" {
	run prun -k -N2 echo ::: a b c
	assert_output $'a b\nc'
}

@test "-n is the same as -N" {
	run prun -k -n2 echo {1} ::: a b c
	assert_output $'a\nc'
}

@test "-L counts input lines, each line one argument" {
	run bash -c 'printf "a b\nc\nd e f\n" | "$PRUN" -k -L2 --dry-run echo'
	assert_output $'echo \'a b\' c\necho \'d e f\''
}

@test "-m puts as many arguments as fit, spread over the job slots" {
	run prun -k -j2 -m echo ::: 1 2 3 4 5
	assert_output $'1 2 3\n4 5'
}

@test "--xargs fills one line without spreading" {
	run prun -k -j2 --xargs echo ::: 1 2 3 4 5
	assert_output "1 2 3 4 5"
}

@test "-X repeats the word around {} for each argument" {
	run prun -k -j1 -X echo pre{}post ::: 1 2 3
	assert_output "pre1post pre2post pre3post"
}

@test "-m replaces {} by all the arguments" {
	run prun -k -j2 -m echo pre{}post ::: 1 2 3 4
	assert_output $'pre1 2post\npre3 4post'
}

@test "-X with -N caps the arguments per job" {
	run prun -k -X -N2 echo pre{}post ::: a b c
	assert_output $'preapost prebpost\nprecpost'
}

@test "-s limits the length of each command line" {
	run prun -k -j1 -s 20 -X --dry-run echo ::: aaaa bbbb cccc dddd eeee
	assert_output $'echo aaaa bbbb cccc\necho dddd eeee'
}

@test "-X fills lines up to the system's limit, every argument once" {
	run bash -c 'seq 100000 | "$PRUN" -j1 -X echo | wc -l'
	assert_success
	[ "$output" -gt 1 ] || fail "one line only: the limit was not applied"
	run bash -c 'seq 100000 | "$PRUN" -j1 -X echo | tr " " "\n" | sort -n | cmp - <(seq 100000)'
	assert_success
}

@test "-X works through the shell with an argument in a pipeline" {
	run prun -k -j1 -X 'echo x{} | wc -w' ::: a b c
	assert_output "3"
}

@test "-N repeats the word around {} for each argument" {
	run prun -k -N2 echo x{}y ::: a b c
	assert_output $'xay xby\nxcy'
}

@test "-L joins a line that ends in a blank with the next" {
	run bash -c 'printf "a \nb\nc\n" | "$PRUN" -k -L1 --dry-run echo'
	assert_output $'echo \'a b\'\necho c'
}

@test "-m spreads what is left at the end of the input over the slots" {
	run prun -k -j4 -m -s 12 echo ::: $(seq 13)
	assert_output $'1 2 3\n4 5 6\n7 8 9\n10 11\n12\n13'
}

@test "-L repeats the word around {} for each argument, as -X" {
	run bash -c 'seq 4 | "$PRUN" -k -L 2 echo a{}b'
	assert_output $'a1b a2b\na3b a4b'
	run bash -c 'seq 4 | "$PRUN" -k --max-lines 2 echo a{}b'
	assert_output $'a1b a2b\na3b a4b'
}

@test "-L with -m or --xargs puts the arguments inside one word" {
	run bash -c 'seq 4 | "$PRUN" -k -j2 -L 2 -m echo a{}b'
	assert_output $'a1 2b\na3b\na4b'
	run bash -c 'seq 4 | "$PRUN" -k -j2 -L 2 --xargs echo a{}b'
	assert_output $'a1 2b\na3 4b'
}

@test "-m with -n spreads the end of piped input over the job slots" {
	run bash -c 'seq 4 | "$PRUN" -k -j2 -n2 -m echo a{}b'
	assert_output $'a1 2b\na3b\na4b'
	run bash -c 'seq 10 | "$PRUN" -k -j4 -n3 -m echo a{}b'
	assert_output $'a1 2 3b\na4 5 6b\na7 8 9b\na10b'
	run bash -c 'seq 4 | "$PRUN" -k -j2 -N2 -m echo a{}b'
	assert_output $'a1b a2b\na3b\na4b'
}

@test "-X with -L spreads the end of piped input over the job slots" {
	run bash -c 'printf "1 2\n3\n4 5\n6\n" | "$PRUN" -k -j2 -L1 -X echo a{}b'
	assert_output $'a1 2b\na3b\na4 5b\na6b'
	run bash -c 'seq 5 | "$PRUN" -k -j2 -L2 -X echo a{}b'
	assert_output $'a1b a2b\na3b a4b\na5b'
}

@test "-m waits for a slow pipe to know whether its input has ended" {
	run bash -c '(echo 1; echo 2; sleep 1; echo 3; echo 4) |
		"$PRUN" -k -j2 -n2 -m echo'
	assert_output $'1 2\n3\n4'
}
