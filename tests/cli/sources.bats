#!/usr/bin/env bats
# Argument sources and how they combine, as GNU parallel combines them.

load helpers

@test "several ::: give every combination, the first varying slowest" {
	run prun -k echo ::: a b ::: 1 2
	assert_success
	assert_output $'a 1\na 2\nb 1\nb 2'
}

@test "three sources give all twelve combinations in order" {
	run prun -k echo {1}{2}{3} ::: a b ::: 1 2 3 ::: x y
	assert_success
	assert_equal "$(echo $output)" "a1x a1y a2x a2y a3x a3y b1x b1y b2x b2y b3x b3y"
}

@test ":::+ links a source to the one before it" {
	run prun -k echo ::: a b c :::+ 1 2 3
	assert_output $'a 1\nb 2\nc 3'
}

@test ":::+ stops at the shorter of the linked sources" {
	run prun -k echo ::: a b c :::+ 1 2
	assert_output $'a 1\nb 2'
}

@test "linked sources combine with the others" {
	run prun -k echo ::: a b :::+ 1 2 ::: x y
	assert_output $'a 1 x\na 1 y\nb 2 x\nb 2 y'
}

@test ":::: reads arguments from a file" {
	printf 'one\ntwo\n' > "$BATS_TEST_TMPDIR/f"
	run prun -k echo :::: "$BATS_TEST_TMPDIR/f"
	assert_output $'one\ntwo'
}

@test ":::: - reads standard input" {
	run bash -c 'printf "x\ny\n" | "$PRUN" -k echo :::: - ::: 1 2'
	assert_output $'x 1\nx 2\ny 1\ny 2'
}

@test "each file after :::: is a source of its own" {
	printf 'a\nb\n' > "$BATS_TEST_TMPDIR/f1"
	printf '1\n2\n' > "$BATS_TEST_TMPDIR/f2"
	run prun -k echo :::: "$BATS_TEST_TMPDIR/f1" "$BATS_TEST_TMPDIR/f2"
	assert_output $'a 1\na 2\nb 1\nb 2'
}

@test "::::+ links a file to the source before it" {
	printf 'a\nb\n' > "$BATS_TEST_TMPDIR/f1"
	printf '1\n2\n' > "$BATS_TEST_TMPDIR/f2"
	run prun -k echo :::: "$BATS_TEST_TMPDIR/f1" ::::+ "$BATS_TEST_TMPDIR/f2"
	assert_output $'a 1\nb 2'
}

@test "-a reads a file and can be repeated" {
	printf 'a\nb\n' > "$BATS_TEST_TMPDIR/f1"
	printf '1\n' > "$BATS_TEST_TMPDIR/f2"
	run prun -k -a "$BATS_TEST_TMPDIR/f1" --arg-file "$BATS_TEST_TMPDIR/f2" echo
	assert_output $'a 1\nb 1'
}

@test "--arg-sep and --arg-file-sep rename the separators" {
	printf 'f\n' > "$BATS_TEST_TMPDIR/f"
	run prun -k --arg-sep ,, --arg-file-sep // echo ,, a b // "$BATS_TEST_TMPDIR/f"
	assert_output $'a f\nb f'
}

@test "sources that are all empty give no job" {
	run prun echo never ::: :::
	assert_success
	assert_output ""
}

@test "with no command each input line is the command" {
	run prun -k ::: 'echo one' 'echo two | tr a-z A-Z'
	assert_output $'one\nTWO'
}

@test "--shuf runs every job once, in some order" {
	run prun --shuf -j1 echo ::: $(seq 50)
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -n | tr '\n' ' ')" "$(seq 50 | tr '\n' ' ')"
}

@test "--shuf changes the order from run to run" {
	a=$(prun --shuf -j1 echo ::: $(seq 30) | tr '\n' ' ')
	b=$(prun --shuf -j1 echo ::: $(seq 30) | tr '\n' ' ')
	c=$(prun --shuf -j1 echo ::: $(seq 30) | tr '\n' ' ')
	[ "$a" != "$b" ] || [ "$b" != "$c" ] || fail "three runs in one order: $a"
}

@test "--link takes one argument from each source, the shorter wrapping" {
	run prun -k --link echo ::: A B C D E ::: F G
	assert_output $'A F\nB G\nC F\nD G\nE F'
}

@test "an empty source counts as one empty argument beside others" {
	run prun -k --dry-run echo ::: A B :::
	assert_output $'echo A \'\'\necho B \'\''
	run prun -k --dry-run echo :::
	assert_output ""
}

@test "-E also ends ::: arguments" {
	run prun -k -E stop echo ::: A B stop C
	assert_output $'A\nB'
}

@test "an empty first source is one empty argument beside the others" {
	: > "$BATS_TEST_TMPDIR/empty"
	run prun -k echo {1}-{2} :::: "$BATS_TEST_TMPDIR/empty" ::: x y
	assert_success
	assert_output $'-x\n-y'
	run prun -k -a "$BATS_TEST_TMPDIR/empty" echo {1}-{2} ::: x y
	assert_success
	assert_output $'-x\n-y'
	printf 'a\nb\n' > "$BATS_TEST_TMPDIR/ab"
	run prun -k -a "$BATS_TEST_TMPDIR/empty" -a "$BATS_TEST_TMPDIR/ab" echo {1}-{2}
	assert_success
	assert_output $'-a\n-b'
}

@test "empty standard input is one empty argument beside the others" {
	run bash -c '"$PRUN" -k echo {1}-{2} :::: - ::: x y </dev/null'
	assert_success
	assert_output $'-x\n-y'
	run bash -c '"$PRUN" -k -a - echo {1}-{2} ::: x y </dev/null'
	assert_success
	assert_output $'-x\n-y'
}

@test "a first source emptied by -E or -r is one empty argument" {
	run bash -c 'printf "stop\na\n" | "$PRUN" -k -E stop echo {1}-{2} :::: - ::: x y'
	assert_success
	assert_output $'-x\n-y'
	run bash -c 'printf "\n \n" | "$PRUN" -k -r echo {1}-{2} :::: - ::: x y'
	assert_success
	assert_output $'-x\n-y'
}

@test "an empty source linked to another gives one job" {
	: > "$BATS_TEST_TMPDIR/empty"
	run prun -k echo {1}-{2} :::: "$BATS_TEST_TMPDIR/empty" :::+ x y
	assert_success
	assert_output "-x"
	run prun -k echo {1}-{2} ::: x y :::+
	assert_success
	assert_output "x-"
}

@test "empty sources of every kind give no job when all are empty" {
	: > "$BATS_TEST_TMPDIR/empty"
	run bash -c '"$PRUN" echo never :::: "$1" - ::: </dev/null' _ "$BATS_TEST_TMPDIR/empty"
	assert_success
	assert_output ""
	run prun -a "$BATS_TEST_TMPDIR/empty" -a "$BATS_TEST_TMPDIR/empty" echo never
	assert_success
	assert_output ""
}

@test "::::+ links every file after it to the source before it" {
	cd "$BATS_TEST_TMPDIR"
	printf 'A\nB\nC\n' > A; printf 'a1\na2\n' > B; printf 'X\nY\nZ\n' > C
	run prun -k echo ::::+ A B C
	assert_success
	assert_output $'A a1 X\nB a2 Y'
	run prun -k echo :::: A ::::+ B C
	assert_output $'A a1 X\nB a2 Y'
	run prun -k echo :::: A ::::+ C ::: x y
	assert_output $'A X x\nA X y\nB Y x\nB Y y\nC Z x\nC Z y'
}

@test "chains of :::+ and ::::+ link with products between them" {
	cd "$BATS_TEST_TMPDIR"
	printf 'F1a\nF1b\nF1c\n' > F1; printf 'F2a\nF2b\nF2c\n' > F2
	run prun -k echo ::: 11 22 33 ::::+ F1 F2 ::: a b c :::+ aa bb cc
	assert_success
	assert_equal "$(echo $output)" "11 F1a F2a a aa 11 F1a F2a b bb 11 F1a F2a c cc 22 F1b F2b a aa 22 F1b F2b b bb 22 F1b F2b c cc 33 F1c F2c a aa 33 F1c F2c b bb 33 F1c F2c c cc"
	printf 'p\nq\nr\ns\n' > D; printf 'a1\na2\n' > B
	run prun -k echo ::: a b ::::+ D ::: 1 2 3 ::::+ B
	assert_equal "$(echo $output)" "a p 1 a1 a p 2 a2 b q 1 a1 b q 2 a2"
	run prun -k echo ::: a b c d :::+ 1 2 3 ::: x y :::+ u
	assert_equal "$(echo $output)" "a 1 x u b 2 x u c 3 x u"
}

@test "--link wraps every shorter source, linked or not" {
	cd "$BATS_TEST_TMPDIR"
	printf 'a1\na2\n' > B; printf 'X\nY\nZ\n' > C
	run prun -k --link echo ::: 1 2 3 ::::+ B C ::: x y
	assert_success
	assert_output $'1 a1 X x\n2 a2 Y y\n3 a1 Z x'
	run prun -k --link echo ::: a b c d :::+ 1 2 3 ::: x y :::+ u
	assert_equal "$(echo $output)" "a 1 x u b 2 y u c 3 x u d 1 y u"
}

@test ":::+ after -a links to the source just before it" {
	printf 'a\nb\n' > "$BATS_TEST_TMPDIR/ab"
	run prun -k -a "$BATS_TEST_TMPDIR/ab" echo ::: x y :::+ 1 2
	assert_success
	assert_output $'a x 1\na y 2\nb x 1\nb y 2'
}
