#!/usr/bin/env bats
# How many arguments go on one command line (-X, -m, --xargs, -s): as many
# as GNU parallel puts there, and never more than exec(2) takes.

load helpers

# Prints how many words each output line holds, on one line.
words_per_line() {
	awk '{ print NF }' | paste -sd ' '
}

@test "--xargs fills lines to what exec takes under a small stack limit" {
	run bash -c 'ulimit -s 1024; seq 300000 | "$PRUN" --xargs echo | wc -w'
	assert_success
	assert_output "300000"
}

@test "-m and -X fill lines to what exec takes under a small stack limit" {
	run bash -c 'ulimit -s 1024; seq 300000 | "$PRUN" -m echo | wc -w'
	assert_output "300000"
	run bash -c 'ulimit -s 1024; seq 300000 | "$PRUN" -X echo |
		tr " " "\n" | sort -n | cmp - <(seq 300000)'
	assert_success
}

@test "a large environment leaves less room for the arguments" {
	x=$(head -c 60000 /dev/zero | tr '\0' x)
	run env B1="$x" B2="$x" B3="$x" bash -c 'ulimit -s 1024
		seq 300000 | "$PRUN" --xargs echo | wc -w
		seq 300000 | "$PRUN" -X "echo {} | wc -w" |
			awk "{ s += \$1 } END { print s }"'
	assert_success
	assert_output $'300000\n300000'
}

@test "-s beyond what exec takes is cut to what it takes" {
	run bash -c 'seq 300000 | "$PRUN" -X -s 10000000 echo | wc -w'
	assert_output "300000"
	# Through a shell the command line is one string: at most 128 KiB.
	run bash -c 'seq 300000 | "$PRUN" -X -s 10000000 "echo {} | wc -w" |
		awk "{ s += \$1; if (\$1 > n) n = \$1 } END { print s, n < 30000 }"'
	assert_output "300000 1"
}

@test "lines break where GNU parallel breaks them without -s" {
	run bash -c 'seq 30000 | "$PRUN" -k --xargs echo'
	assert_success
	run words_per_line <<<"$output"
	assert_output "12460 10609 6931"
}

@test "-X counts its context once per argument against -s" {
	run prun -k -j1 -s 80 -X --dry-run echo pre{}post ::: $(seq 30)
	assert_output "echo pre1post pre2post pre3post pre4post pre5post pre6post pre7post pre8post
echo pre9post pre10post pre11post pre12post pre13post pre14post pre15post
echo pre16post pre17post pre18post pre19post pre20post pre21post pre22post
echo pre23post pre24post pre25post pre26post pre27post pre28post pre29post
echo pre30post"
}

@test "-X with two context words fits as many as GNU parallel" {
	run prun -k -j1 -s 40 -X --dry-run echo a{}b c{}d ::: $(seq 12)
	assert_output "echo a1b a2b a3b a4b c1d c2d c3d c4d
echo a5b a6b a7b a8b c5d c6d c7d c8d
echo a9b a10b a11b c9d c10d c11d
echo a12b c12d"
}

@test "-X counts quoted arguments as they are quoted" {
	run prun -k -j1 -s 40 -X --dry-run "echo x{}" ::: "a b" "c d" "e f" \
		"g h" "i j" "k l"
	assert_output "echo x'a b' x'c d' x'e f' x'g h' x'i j'
echo x'k l'"
}

@test "-m counts positional replacement strings as GNU parallel does" {
	run prun -k -j1 -s 30 -m --dry-run echo {1}{2} ::: a b c d e f g h ::: 1 2
	assert_output $'echo a1\necho c1\necho e1\necho g1'
}

@test "-X repeats {#} with the rest of its word for each argument" {
	run prun -k -j1 -s 30 -X --dry-run echo {#}-{} ::: $(echo {a..t})
	assert_output "echo 1-a 1-b 1-c 1-d 1-e 1-f
echo 2-g 2-h 2-i 2-j 2-k 2-l
echo 3-m 3-n 3-o 3-p 3-q 3-r
echo 4-s 4-t"
	run prun -k -N2 echo {#}-{} ::: a b c
	assert_output $'1-a 1-b\n2-c'
}

@test "-s without -X names the arguments that do not fit" {
	run bash -c '"$PRUN" -k -j1 -s 10 echo ::: a b cccccccccccc d \
		2>"$BATS_TEST_TMPDIR/err"'
	assert_failure 255
	assert_output $'a\nb'
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output "prun: command line too long (17 >= 10) at input 2: cccccccccccc"
}

@test "--show-limits prints GNU parallel's limits, then runs the jobs" {
	run prun --show-limits echo ::: a
	assert_success
	assert_output "Maximal size of command: 130329
Maximal usable size of command: 63664

Execution will continue now, and it will try to read its input
and run commands; if this is not what you wanted to happen, please
press CTRL-D or CTRL-C
a"
}

@test "--max-line-length-allowed prints the longest command line and exits" {
	run prun --max-line-length-allowed echo ::: a
	assert_success
	assert_output 130329
}
