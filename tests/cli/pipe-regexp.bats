#!/usr/bin/env bats
# --regexp: --recstart and --recend as Perl regexes (PCRE2) with --pipe and
# --pipepart, and --header as a Perl regex (the outputs are GNU parallel's).

load helpers

@test "--regexp --block: each chunk ends at the last recend+recstart; ^ is a line start" {
	run bash -c 'printf ">a\nx\n>b\ny\n>c\nz\n" | "$PRUN" --pipe --regexp --recstart "^>" --block 8 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n>a\nx\n[2]\n>b\ny\n[3]\n>c\nz'
}

@test "--regexp -N: N records, each from recstart to the recend before the next" {
	run bash -c 'printf ">a\nx>\n>b\ny\n>c\nz\n" | "$PRUN" --pipe --regexp --recstart "^>" -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n>a\nx>\n[2]\n>b\ny\n[3]\n>c\nz'
	run bash -c 'printf "a1;b22;;c333;" | "$PRUN" --pipe --regexp --recend ";+" -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na1;[2]\nb22;;[3]\nc333;'
}

@test "--regexp -N: data before the first recstart is a record of its own" {
	run bash -c 'printf "junk\n>a\nx\n>b\ny\n>c\nz\n" | "$PRUN" --pipe --regexp --recstart "^>" -N2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\njunk\n[2]\n>a\nx\n>b\ny\n[3]\n>c\nz'
}

@test "--regexp -N: records stay whole when the first is longer than the first read" {
	# GNU parallel cuts "ggg" at the length of the later ">a\n" here,
	# mid-record; prun keeps the records whole (see DIFFERENCES).
	run bash -c 'printf "ggg\n>a\n>b\n>c\n" | "$PRUN" --pipe --regexp --recstart "^>" -N1 --block 2 -k "echo [{#}]; cat" 2>/dev/null'
	assert_success
	assert_output $'[1]\nggg\n[2]\n>a\n[3]\n>b\n[4]\n>c'
}

@test "--regexp: \$ is a line end, and -N with -L counts N times L records" {
	run bash -c 'printf "ax\nbx\ncy\ndx\n" | "$PRUN" --pipe --regex --recend "x\$" -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nax[2]\n\nbx[3]\n\ncy\ndx[4]'
	run bash -c 'seq 10 | "$PRUN" --pipe --regexp -N2 -L2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n1\n2\n3\n4\n[2]\n5\n6\n7\n8\n[3]\n9\n10'
}

@test "--regexp --rrs removes what the regexes matched" {
	run bash -c 'printf "a1;b22;;c333;" | "$PRUN" --pipe --regexp --recend ";+" -N1 --rrs -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na1[2]\nb22[3]\nc333'
	run bash -c 'printf "x<r>1</r>\n<r>2</r>\n<r>3</r>" | "$PRUN" --pipe --regexp --recend "</r>\n" --recstart "<r>" -N1 --rrs -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nx<r>1[2]\n2[3]\n3</r>'
	run bash -c 'printf "ax\nbx\ncy\ndx\n" | "$PRUN" --pipe --regexp --recend "x\$" -N1 --rrs -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na[2]\n\nb[3]\n\ncy\nd[4]'
	# Every match is found in the text as it came, as with Perl's s///g.
	run bash -c 'printf aXbXXcXXXd | "$PRUN" --pipe --regexp --recend "(?<=X)X" --rrs -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\naXbXcXd'
}

@test "--regexp --recend '': any byte ends a record" {
	run bash -c 'printf abcdefg | "$PRUN" --pipe --regexp --recend "" -N3 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nabc[2]\ndef[3]\ng'
}

@test "--regexp: the partial last record goes as it is" {
	run bash -c 'printf a1ENDb2ENDc3 | "$PRUN" --pipe --regexp --recend END -N2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na1ENDb2END[2]\nc3'
}

@test "--regexp: a match across a read border is found, and a record larger than the block grows it" {
	run bash -c 'printf aaaaENDbbENDcccccccEND | "$PRUN" --pipe --regexp --recend "E.D" --block 5 -k "echo [{#}]; cat" 2>/dev/null'
	assert_success
	assert_output $'[1]\naaaaEND[2]\nbbEND[3]\ncccccccEND'
	run bash -c 'seq 100000 | "$PRUN" --pipe --regexp --recend "77\n" --block 3k -k wc -c | sort -n | uniq -c | sort -n | tail -3'
	assert_success
	assert_output $'      1 1339\n      2 2778\n    194 3000'
	run bash -c 'seq 100000 | "$PRUN" --pipe --regexp --recend "7\n" --recstart 1 -N 100 -k wc -c | md5sum'
	assert_output '7a3eee67abc68a2de58c910696692a1d  -'
}

@test "--pipepart --regexp: the last boundary in the 128 KiB after each block border" {
	seq 100000 >"$BATS_TEST_TMPDIR/f"
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --regexp --recend '00\n' --block 100k -k wc -c
	assert_success
	assert_output $'230694\n231000\n127201'
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --regexp --recend '\n' --recstart '9{4}' --block 50k -k wc -c
	assert_success
	assert_output $'588882\n13'
}

@test "--pipepart --regexp: ^ is only where the search starts (Perl's /s, not /m)" {
	printf 'a1\nb2\nc3\nd4\ne5\n' >"$BATS_TEST_TMPDIR/f"
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --regexp --recstart '^[bd]' --block 3 -k 'echo [{#}]; cat'
	assert_success
	assert_output $'[1]\na1\n[2]\nb2\nc3\n[3]\nd4\ne5'
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --regexp --recstart '[bd]' --block 3 -k 'echo [{#}]; cat'
	assert_success
	assert_output $'[1]\na1\nb2\nc3\n[2]\nd4\ne5'
}

@test "--header REGEX is a Perl regex" {
	run bash -c 'printf "h1\nh2\nx\ny\n" | "$PRUN" --pipe --header "h\d\n(?=x)|h1\n" -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nh1\nh2\n[2]\nh1\nx\n[3]\nh1\ny'
	run bash -c 'printf "h1\nh2\nx\ny\n" | "$PRUN" --pipe --header "(?:h\d\n)+" -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nh1\nh2\nx\n[2]\nh1\nh2\ny'
}

@test "--regexp: a bad regex is one line naming it, exit 255" {
	run bash -c 'seq 3 | "$PRUN" --pipe --regexp --recend "(" cat'
	assert_failure 255
	assert_output "prun: bad --recend regex '(': missing closing parenthesis at offset 1"
	run bash -c 'seq 3 | "$PRUN" --pipepart -a /dev/null --regexp --recstart "a[" cat'
	assert_failure 255
	assert_output "prun: bad --recstart regex 'a[': missing terminating ] for character class at offset 2"
	run bash -c 'seq 3 | "$PRUN" --pipe --header "a(" cat'
	assert_failure 255
	assert_output "prun: bad --header regex 'a(': missing closing parenthesis at offset 2"
}

@test "without --regexp, --recend is a string: its regex characters are bytes" {
	run bash -c 'printf "a.b.c" | "$PRUN" --pipe --recend . -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na.[2]\nb.[3]\nc'
}
