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

@test "-L joins a ::: argument that ends in a blank with the next" {
	run prun -k -L 1 echo ::: 'a ' b c
	assert_success
	assert_output $'a b\nc'
	run prun -k -L 2 echo ::: 'a ' b c d
	assert_output $'a b c\nd'
	run prun -k -L 1 echo ::: x y ::: 'a ' b
	assert_output $'x a b\ny a b'
}

@test "-L joins lines that end in any white space" {
	run bash -c 'printf "a\f\nb\nc\v\nd\ne\r\nf\n" | "$PRUN" -k -L1 echo'
	assert_success
	assert_output $'a\fb\nc\vd\ne\rf'
}

@test "-L with -r joins past a blank line" {
	run bash -c 'printf "a \n \nb\n" | "$PRUN" -k -r -L1 echo'
	assert_output "a  b"
	run bash -c 'printf "a \n" | "$PRUN" -k -r -L1 echo'
	assert_output "a "
}

@test "-N0 runs the command once per argument without it" {
	run prun -k -N0 echo foo ::: 1 2 3
	assert_success
	assert_output $'foo\nfoo\nfoo'
	run prun -k -N0 echo foo {} {1} {#} ::: 1 2 3 ::: a b
	assert_output $'foo 1\nfoo 2\nfoo 3\nfoo 4\nfoo 5\nfoo 6'
	run prun -k -N0 --dry-run echo x {} ::: a b
	assert_output $'echo x \necho x '
}

@test "-n0, -L0 and --max-args=0 are -N0 too" {
	for o in -n0 -L0 '-L 0' '-n 0' --max-args=0 --max-replace-args=0; do
		run prun -k $o echo foo ::: 1 2 3
		assert_success
		assert_output $'foo\nfoo\nfoo'
	done
}

@test "-N0 reads every kind of source and -L0 joins no lines" {
	run bash -c 'printf "a \nb\n" | "$PRUN" -k -L0 echo x'
	assert_success
	assert_output $'x\nx'
	run bash -c 'seq 3 | "$PRUN" -k -N0 echo y'
	assert_output $'y\ny\ny'
	run prun -k -N0 --tag echo x ::: a b
	assert_output $'\tx\n\tx'
}

@test "-N0 inserts each value as nothing, so the command line keeps GNU parallel's spaces and words" {
	run prun -k --dry-run -N0 echo foo ::: 1 2 ::: a
	assert_output $'echo foo  \necho foo  '
	run prun -k --dry-run -N0 echo x {} y a{}b ::: 1 ::: a
	assert_output 'echo x   y ab ab'
	run prun -k -N0 --tag echo x ::: 1 ::: a
	assert_output $' \tx'
	run prun -k -q --dry-run -N0 echo x {} y ::: 1 ::: a
	assert_output 'echo x y'
	run prun -k -n0 echo x a{}b a{} {}b ::: 1 ::: a
	assert_output 'x a b a b'
}

@test "-X, -m and --xargs with -N0 fill and spread jobs as GNU parallel does" {
	run prun -k -j1 -X -N0 echo foo ::: 1 2 3 ::: a b
	assert_success
	assert_output 'foo'
	run prun -k -j1 --dry-run -X -N0 echo x a{}b ::: 1 2 3
	assert_output 'echo x ab ab ab'
	run prun -k -j1 --dry-run -m -n0 echo x ::: 1 2 3
	assert_output 'echo x   '
	run prun -k -j2 --dry-run -X -N0 echo foo ::: 1 2 3
	assert_output $'echo foo  \necho foo '
	run prun -k -j1 --dry-run --xargs -L0 echo x ::: 1 2
	assert_output 'echo x  '
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
