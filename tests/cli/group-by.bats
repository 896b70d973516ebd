#!/usr/bin/env bats
# --group-by, and perl expressions in --shard and --bin: lines to jobs by
# their value (the outputs are GNU parallel's).

load helpers

@test "--group-by COL: a chunk ends only where the column's value changes" {
	run bash -c 'printf "a\t1\na\t2\nb\t3\nb\t4\nc\t5\n" | "$PRUN" --pipe --group-by 1 -N1 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na\t1\na\t2\n[2]\nb\t3\nb\t4\n[3]\nc\t5'
	run bash -c 'printf "a\t1\na\t2\nb\t3\nb\t4\nc\t5\n" | "$PRUN" --pipe --group-by 1 --block 12 -k "echo [{#}]; cat" 2>/dev/null'
	assert_success
	assert_output $'[1]\na\t1\na\t2\n[2]\nb\t3\nb\t4\nc\t5'
	# --group-by implies --pipe; a last line without its newline has
	# another value (perl's), as in GNU parallel.
	run bash -c 'printf "a\na\na" | "$PRUN" --group-by 1 -N1 -k "echo [{#}]; cat"'
	assert_output $'[1]\na\na\n[2]\na'
}

@test "--group-by NAME: the header names the column, and each job gets it" {
	run bash -c 'printf "k\tv\na\t1\na\t2\nb\t3\nb\t4\nc\t5\n" | "$PRUN" --pipe --group-by k -N2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\nk\tv\na\t1\na\t2\nb\t3\nb\t4\n[2]\nk\tv\nc\t5'
	run bash -c 'printf "k\tv\na\t1\n" | "$PRUN" --pipe --group-by zz cat'
	assert_failure 255
	assert_output "prun: column 'zz' is not in the header"
}

@test "--group-by with a perl expression, alone or after a column" {
	run bash -c 'seq 20 | "$PRUN" --pipe --group-by "\$_=int(\$_/6)" -N1 -k "echo [{#}]; paste -sd\" \""'
	assert_success
	assert_output $'[1]\n1 2 3 4 5\n[2]\n6 7 8 9 10 11\n[3]\n12 13 14 15 16 17\n[4]\n18 19 20'
	run bash -c 'seq 30 | awk "{print \$1\",\"int(\$1/4)}" | "$PRUN" --pipe --colsep , --group-by "2 \$_%=3" --block 20 -k "echo [{#}]; paste -sd\" \"" 2>/dev/null'
	assert_success
	assert_output $'[1]\n1,0 2,0 3,0\n[2]\n4,1 5,1 6,1 7,1\n[3]\n8,2 9,2 10,2 11,2\n[4]\n12,3 13,3 14,3 15,3\n[5]\n16,4 17,4 18,4 19,4\n[6]\n20,5 21,5 22,5 23,5\n[7]\n24,6 25,6 26,6 27,6\n[8]\n28,7 29,7 30,7'
}

@test "--pipepart --group-by: the ranges of GNU parallel's binary search" {
	seq 1000 | awk '{printf "%d,%d\n", int($1/13), $1}' > "$BATS_TEST_TMPDIR/in"
	run bash -c '"$PRUN" --pipepart -a "$BATS_TEST_TMPDIR/in" --colsep , --group-by 1 --block 500 -k "echo [{#}]; wc -l" | paste -sd" "'
	assert_success
	assert_output "[1] 103 [2] 78 [3] 78 [4] 78 [5] 78 [6] 78 [7] 78 [8] 78 [9] 78 [10] 78 [11] 78 [12] 78 [13] 39"
	run bash -c '"$PRUN" --pipepart -a "$BATS_TEST_TMPDIR/in" --colsep , --group-by "2 \$_=int(\$_/100)" --block 1k -k "echo [{#}]; wc -l" | paste -sd" "'
	assert_success
	assert_output "[1] 199 [2] 200 [3] 200 [4] 200 [5] 200 [6] 1"
}

@test "--group-by --round-robin: no group is split between jobs" {
	seq 5000 | awk '{print int($1/7) "\t" $1}' > "$BATS_TEST_TMPDIR/in"
	run bash -c '"$PRUN" --pipe --group-by 1 --block 2k --round-robin -j3 "cut -f1 | uniq" < "$BATS_TEST_TMPDIR/in" | sort | uniq -d'
	assert_success
	assert_output ""
	run bash -c '"$PRUN" --pipe --group-by 1 --block 2k --round-robin -j3 cat < "$BATS_TEST_TMPDIR/in" | sort | cmp - <(sort "$BATS_TEST_TMPDIR/in")'
	assert_success
}

@test "--group-by refuses --rrs, --recstart and --recend, as GNU parallel" {
	run bash -c 'seq 3 | "$PRUN" --pipe --group-by 1 --rrs cat'
	assert_failure 255
	assert_output "prun: --remove-rec-sep is not compatible with --group-by"
	run bash -c 'seq 3 | "$PRUN" --pipe --group-by 1 --recend x cat'
	assert_failure 255
	assert_output "prun: --recend is not compatible with --group-by"
}

@test "--bin and --shard with a perl expression after the column" {
	run bash -c 'seq 20 | "$PRUN" --pipe --bin "1 \$_%=4" -j3 -k "echo [{#}]; paste -sd\" \""'
	assert_success
	assert_output $'[1]\n1 5 9 13 17\n[2]\n2 6 10 14 18\n[3]\n3 4 7 8 11 12 15 16 19 20'
	run bash -c 'seq 20 | "$PRUN" --pipe --colsep , --bin "1 \$_*2" -j3 -k "echo [{#}]; paste -sd\" \""'
	assert_output $'[1]\n1 4 7 10 13 16 19\n[2]\n2 5 8 11 14 17 20\n[3]\n3 6 9 12 15 18'
	# Which job a value goes to is prun's own; that it is one job is not.
	run bash -c 'seq 100000 | "$PRUN" --pipe --shard "1 \$_%=5" -j3 --block 100k "awk \"{print \\\$1 % 5}\" | sort -u" | sort | uniq -d'
	assert_success
	assert_output ""
	run bash -c 'seq 100000 | "$PRUN" --pipe --shard "1 \$_%=5" -j3 --block 100k cat | sort -n | cmp - <(seq 100000)'
	assert_success
}

@test "bad --group-by, --shard and --bin values and dying perl: one line, exit 255" {
	for opt in --group-by --shard --bin; do
		run bash -c 'seq 3 | "$PRUN" --pipe '"$opt"' 0 cat'
		assert_failure 255
		assert_output "prun: bad column number for $opt: '0'"
		run bash -c 'seq 3 | "$PRUN" --pipe '"$opt"' "1 \$_ = (" cat'
		assert_failure 255
		assert_output --partial "prun: cannot use perl expression '\$_ = (': syntax error"
		run bash -c 'seq 3 | "$PRUN" --pipe '"$opt"' "1 die qq(boom\n)" cat'
		assert_failure 255
		assert_output "prun: perl expression 'die qq(boom\n)' failed: boom"
	done
}

@test "a perl expression that dies late keeps the output of the jobs that ended" {
	run bash -c 'seq 100000 | "$PRUN" --pipe --group-by "\$_ > 90000 and die qq(late\n)" --block 10k -j1 -k "wc -l" | awk "{s+=\$1} END {print s}"'
	assert_output --partial "prun: perl expression '\$_ > 90000 and die qq(late\n)' failed: late"
	[ "${lines[-1]}" -gt 0 ]
	[ "${lines[-1]}" -le 90000 ]
}
