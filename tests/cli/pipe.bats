#!/usr/bin/env bats
# --pipe and --pipepart: the data itself cut into chunks of whole records,
# one per job, on the job's stdin (the outputs are GNU parallel's).

load helpers

@test "--pipe --block: each chunk ends at the last record end within a block" {
	run bash -c 'seq 10 | "$PRUN" --pipe --block 5 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n1\n2\n[2]\n3\n4\n[3]\n5\n6\n[4]\n7\n8\n[5]\n9\n10'
}

@test "--pipe: a record longer than the block makes the block grow, with a warning" {
	run bash -c 'seq 10 | "$PRUN" --pipe --block 3 -k "echo [{#}]; cat" 2>/dev/null'
	assert_success
	assert_output $'[1]\n1\n[2]\n2\n[3]\n3\n[4]\n4\n[5]\n5\n[6]\n6\n[7]\n7\n[8]\n8\n[9]\n9\n[10]\n10'
	run bash -c 'seq 30 | "$PRUN" --pipe -L 4 --block 10 -k "echo [{#}]; cat" 2>&1 >/dev/null'
	assert_output "prun: a record is longer than 10 bytes: --block is now 14"
}

@test "--pipe -L: records of N lines" {
	run bash -c 'seq 30 | "$PRUN" --pipe -L 4 --block 10 -k "echo [{#}]; cat" 2>/dev/null'
	assert_success
	assert_output $'[1]\n1\n2\n3\n4\n[2]\n5\n6\n7\n8\n[3]\n9\n10\n11\n12\n[4]\n13\n14\n15\n16\n[5]\n17\n18\n19\n20\n[6]\n21\n22\n23\n24\n[7]\n25\n26\n27\n28\n[8]\n29\n30'
}

@test "--pipe -N: exactly N records a job, and -L with it makes them N lines" {
	run bash -c 'seq 10 | "$PRUN" --pipe -N3 -k "echo [{#}]; cat"'
	assert_output $'[1]\n1\n2\n3\n[2]\n4\n5\n6\n[3]\n7\n8\n9\n[4]\n10'
	run bash -c 'seq 30 | "$PRUN" --pipe -N 4 -L 2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n1\n2\n3\n4\n5\n6\n7\n8\n[2]\n9\n10\n11\n12\n13\n14\n15\n16\n[3]\n17\n18\n19\n20\n21\n22\n23\n24\n[4]\n25\n26\n27\n28\n29\n30'
}

@test "--pipe: input without a final newline, and empty input runs no job" {
	run bash -c 'printf "a\nb\nc" | "$PRUN" --pipe -N2 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na\nb\n[2]\nc'
	run bash -c 'printf "" | "$PRUN" --pipe echo ran'
	assert_success
	assert_output ""
}

@test "--pipe --recstart, --recend and --rrs" {
	run bash -c 'seq 12 | "$PRUN" --pipe --recstart 1 -k -N1 "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n1\n2\n3\n4\n5\n6\n7\n8\n9\n[2]\n10\n[3]\n1[4]\n1\n[5]\n12'
	run bash -c 'seq 20 | "$PRUN" --pipe --recend 5 --recstart 1 --rrs -k -N1 "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20'
}

@test "--pipe --recend '\\0': NUL-terminated records pass byte for byte" {
	run bash -c 'printf "a\0b\0c" | "$PRUN" --pipe -N2 --recend "\0" -k "echo [{#}]; cat" | od -An -c'
	assert_success
	assert_output '   [   1   ]  \n   a  \0   b  \0   [   2   ]  \n   c'
}

@test "--pipe --header repeats the header atop every chunk" {
	run bash -c 'seq 20 | "$PRUN" --pipe --header 2 -k --block 8 "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n1\n2\n3\n4\n5\n6\n[2]\n1\n2\n7\n8\n9\n[3]\n1\n2\n10\n11\n[4]\n1\n2\n12\n13\n[5]\n1\n2\n14\n15\n[6]\n1\n2\n16\n17\n[7]\n1\n2\n18\n19\n[8]\n1\n2\n20'
	run bash -c 'seq 8 | "$PRUN" --pipe --skip-first-line --header : -k --block 4 "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\n2\n3\n4\n[2]\n2\n5\n6\n[3]\n2\n7\n8'
	run bash -c 'printf "h1\nh2\nx\ny\n" | "$PRUN" --pipe --header "h1\nh2\n" -N1 -k "echo [{#}]; cat"'
	assert_output $'[1]\nh1\nh2\nx\n[2]\nh1\nh2\ny'
}

@test "--pipe -r drops lines of only white space" {
	run bash -c 'printf "a\n\n \nb\n\t\nc\n" | "$PRUN" --pipe -r -k -N1 "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na\n[2]\nb\n[3]\nc'
}

@test "--pipe: ten million lines are all counted once" {
	run bash -c 'seq 10000000 | "$PRUN" --pipe wc -l | awk "{s+=\$1} END {print s}"'
	assert_success
	assert_output 10000000
}

@test "--pipe -k gives binary data back byte for byte" {
	head -c 5000000 /dev/urandom > "$BATS_TEST_TMPDIR/bin"
	run bash -c '"$PRUN" --pipe --block 300k -k cat < "$BATS_TEST_TMPDIR/bin" | cmp - "$BATS_TEST_TMPDIR/bin"'
	assert_success
	run bash -c '"$PRUN" --pipe --block 300k --recend "" -k cat < "$BATS_TEST_TMPDIR/bin" | cmp - "$BATS_TEST_TMPDIR/bin"'
	assert_success
}

@test "--pipepart: the byte ranges cover the file exactly once" {
	seq 200000 > "$BATS_TEST_TMPDIR/f"
	head -c 3000000 /dev/urandom >> "$BATS_TEST_TMPDIR/f"
	run bash -c '"$PRUN" --pipepart -a "$BATS_TEST_TMPDIR/f" --block 100k -k cat | cmp - "$BATS_TEST_TMPDIR/f"'
	assert_success
	run bash -c '"$PRUN" --pipepart -a "$BATS_TEST_TMPDIR/f" --block -3 -j2 -k wc -c | awk "{s+=\$1; n++} END {print n, s}"'
	assert_success
	assert_output "6 $(stat -c %s "$BATS_TEST_TMPDIR/f")"
}

@test "--pipepart cuts where GNU parallel does, also with --header" {
	seq 100000 > "$BATS_TEST_TMPDIR/f"
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --block 200k -k 'echo [{#}]; wc -l'
	assert_success
	assert_output $'[1]\n35185\n[2]\n33334\n[3]\n31481'
	run prun --pipepart -a "$BATS_TEST_TMPDIR/f" --block 300k --header : -k 'awk "NR==1{h=\$0} END{print h, NR}"'
	assert_success
	assert_output $'1 51852\n1 48149'
}

@test "--cat: {} is a temp file holding the chunk, removed after the job" {
	mkdir "$BATS_TEST_TMPDIR/t"
	run bash -c 'seq 6 | "$PRUN" --pipe -N3 --cat --tmpdir "$BATS_TEST_TMPDIR/t" -k "test -f {} && cat {}"'
	assert_success
	assert_output $'1\n2\n3\n4\n5\n6'
	run ls -A "$BATS_TEST_TMPDIR/t"
	assert_output ""
}

@test "--fifo: {} is a named pipe that gives the chunk, removed after the job" {
	mkdir "$BATS_TEST_TMPDIR/t"
	run bash -c 'seq 100000 | "$PRUN" --pipe --block 100k --fifo --tmpdir "$BATS_TEST_TMPDIR/t" -k "test -p {} && wc -l < {}"'
	assert_success
	assert_output $'18517\n16666\n16666\n16666\n16666\n14819'
	run bash -c 'seq 9 | "$PRUN" --pipe -N3 --fifo --tmpdir "$BATS_TEST_TMPDIR/t" -k "echo job {#} does not read it"'
	assert_success
	assert_output $'job 1 does not read it\njob 2 does not read it\njob 3 does not read it'
	run ls -A "$BATS_TEST_TMPDIR/t"
	assert_output ""
}

@test "--fifo: no descriptor to open the fifo with makes the job wait, not hang" {
	# While the job is slow to open its fifo, prun may open no more files
	# (its soft limit is lowered to its lowest free descriptor); once it
	# may again, the job gets its chunk.
	local pid limit _
	cd "$BATS_TEST_TMPDIR"
	seq 1000 | "$PRUN" --pipe --fifo 'touch started; while [ ! -e go ]; do
		sleep 0.05; done; wc -l <{}' >out 2>err &
	pid=$!
	wait_until test -e started
	sleep 0.2 # the descriptors of the job's start are closed
	limit=$(prlimit --pid "$pid" --nofile --output SOFT --noheadings)
	prlimit --pid "$pid" --nofile="$(lowest_free_fd "$pid")": ||
		fail "prlimit failed"
	sleep 0.3 # prun tries the fifo again and again
	: >go
	sleep 0.3 # the job waits in open() for its writer
	prlimit --pid "$pid" --nofile="$limit": || fail "prlimit failed"
	for _ in $(seq 400); do
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		kill -TERM "$pid" # prun stops its job
		fail "prun still runs after 20 s"
	fi
	wait "$pid" || fail "exit status $?"
	assert_equal "$(cat out)" 1000
	assert_equal "$(cat err)" ""
}

@test "--round-robin: at most -j jobs in all, each given chunk after chunk" {
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 100k --round-robin -j3 -k "echo job {#}; wc -l"'
	assert_success
	jobs=$(grep -c '^job ' <<<"$output")
	[ "$jobs" -ge 1 ] && [ "$jobs" -le 3 ] || fail "$jobs jobs"
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 100k --round-robin -j3 wc -l | awk "{s+=\$1} END {print s}"'
	assert_output 1000000
	run bash -c 'seq 1000 | "$PRUN" --pipe --block 100 --round-robin -j3 --header : "grep -cx 1" | sort -u'
	assert_success
	assert_output 1
}

@test "--round-robin -k: chunk i goes to job (i - 1) mod n + 1, and the output comes in job order" {
	# The later jobs are the quicker ones to read: the output and the
	# chunks each job got are still those of GNU parallel, every run.
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 100k --round-robin -j3 -k "echo job {#}; sleep 0.\$((4 - {#})); wc -l"'
	assert_success
	assert_output $'job 1\n335168\njob 2\n333317\njob 3\n331515'
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 100k --round-robin -j3 -k --line-buffer "echo job {#}; sleep 0.\$((4 - {#})); wc -l; echo end {#}"'
	assert_success
	assert_output $'job 1\n335168\nend 1\njob 2\n333317\nend 2\njob 3\n331515\nend 3'
	run bash -c 'seq 30 | "$PRUN" --pipe --block 10 --round-robin -j3 -k "echo job {#}; paste -sd, -"'
	assert_success
	assert_output $'job 1\n1,2,3,4,5,13,14,15,22,23,24\njob 2\n6,7,8,9,16,17,18,25,26,27\njob 3\n10,11,12,19,20,21,28,29,30'
}

@test "--round-robin -k: a job that ends before its turn does not hold the others up" {
	SECONDS=0
	run bash -c 'seq 20000 | "$PRUN" --pipe --block 1k --round-robin -j3 -k "if [ {#} = 2 ]; then exit 0; fi; cat >/dev/null; echo job {#}"'
	assert_success
	[ "$SECONDS" -lt 8 ] || fail "took $SECONDS s"
	[ "${lines[0]}" = "job 1" ] && [ "${lines[1]}" = "job 3" ] || fail "$output"
}

@test "--block-timeout passes a partial block on when the input stalls" {
	run bash -c '(echo a; sleep 1; echo b; sleep 1; echo c) | "$PRUN" --pipe --block-timeout 0.3 -k "echo [{#}]; cat"'
	assert_success
	assert_output $'[1]\na\n[2]\nb\n[3]\nc'
	run bash -c '(echo a; sleep 1; echo b) | "$PRUN" --pipe -k "echo [{#}]; cat"'
	assert_output $'[1]\na\nb'
}

@test "--tee: all of the data to a job for each argument" {
	run bash -c 'seq 5 | "$PRUN" --pipe --tee -k "echo {}; wc -l" ::: a b c'
	assert_success
	assert_output $'a\n5\nb\n5\nc\n5'
	run bash -c 'seq 100000 | "$PRUN" --pipe --tee --block 1k -k "echo {}; wc -l" ::: a b'
	assert_success
	assert_output $'a\n100000\nb\n100000'
	run bash -c 'seq 5 | "$PRUN" --pipe --tee --header : -k "echo {}; cat" ::: a b'
	assert_output $'a\n1\n2\n3\n4\n5\nb\n1\n2\n3\n4\n5'
	run bash -c 'seq 100000 | "$PRUN" --pipe --tee -k "echo {}; head -1" ::: a b'
	assert_success
	assert_output $'a\n1\nb\n1'
}

@test "--tee: a job that closes its stdin and runs on does not hold the others up" {
	# Job a runs on until b has ended (for up to 20 s).
	run bash -c 'seq 3000000 | "$PRUN" --pipe --tee -k "if [ {} = a ]; then head -c 1 >/dev/null; exec 0<&-; \"\$AWAIT\" \"$BATS_TEST_TMPDIR/b\" && echo b was first; else wc -l; touch \"$BATS_TEST_TMPDIR/b\"; fi" ::: a b'
	assert_success
	assert_output $'b was first\n3000000'
}

@test "--tee with fewer job slots than arguments is an error (GNU parallel hangs)" {
	run bash -c 'seq 5 | "$PRUN" -j2 --pipe --tee echo ::: a b c'
	assert_failure 255
	assert_output "prun: --tee requires --jobs to be higher. Try --jobs 0."
}

@test "--bin: each line to the job its column's value modulo -j names" {
	run bash -c 'seq 20 | "$PRUN" --pipe --bin 1 -j3 -k "echo job {#}; paste -sd\" \""'
	assert_success
	assert_output $'job 1\n1 4 7 10 13 16 19\njob 2\n2 5 8 11 14 17 20\njob 3\n3 6 9 12 15 18'
	run bash -c '(echo a,b; seq 10 | sed "s/\$/,x/") | "$PRUN" --pipe --bin a -j2 -k "paste -sd\" \""'
	assert_success
	assert_output $'1,x 3,x 5,x 7,x 9,x\n2,x 4,x 6,x 8,x 10,x'
	run bash -c '(echo a,b; seq 4 | sed "s/\$/,x/") | "$PRUN" --pipe --bin b -j2 -k "paste -sd\" \""'
	assert_output $'\n1,x 2,x 3,x 4,x'
}

@test "--shard: all lines of a value go to one job, and none is lost" {
	seq 1000 | awk '{print $1 % 7 "\t" $1}' > "$BATS_TEST_TMPDIR/in"
	run bash -c '"$PRUN" --pipe --shard 1 --colsep "\t" -j3 "cut -f1 | sort -u" < "$BATS_TEST_TMPDIR/in" | sort | uniq -d'
	assert_success
	assert_output ""
	run bash -c '"$PRUN" --pipe --shard 1 --colsep "\t" -j3 --block 1k cat < "$BATS_TEST_TMPDIR/in" | sort | cmp - <(sort "$BATS_TEST_TMPDIR/in")'
	assert_success
	run bash -c 'seq 100 | "$PRUN" --pipe --shard 2 -j2 cat | sort -n | md5sum'
	assert_output "$(seq 100 | md5sum)"
}

@test "--shard and --bin: bad columns get one line and exit 255" {
	run bash -c '(echo a,b; echo 1,2) | "$PRUN" --pipe --bin c cat'
	assert_failure 255
	assert_output "prun: column 'c' is not in the header"
	run bash -c 'seq 3 | "$PRUN" --pipe --bin "a.b" cat'
	assert_failure 255
	assert_output "prun: bad value for --bin: 'a.b' (want a column number or name, then maybe a perl expression)"
}

@test "--pipe: {} is empty and nothing is appended to the command" {
	run bash -c 'seq 3 | "$PRUN" --pipe --dry-run echo {#} {} x'
	assert_success
	assert_output "echo 1 '' x"
	run bash -c 'seq 3 | "$PRUN" --pipe -v wc -l'
	assert_output $'wc -l\n3'
}

@test "--pipe --joblog: Send is the bytes given to the job" {
	run bash -c 'seq 10 | "$PRUN" --pipe -N4 -k --joblog "$BATS_TEST_TMPDIR/log" cat >/dev/null; cut -f1,5,6 "$BATS_TEST_TMPDIR/log"'
	assert_success
	assert_output $'Seq\tSend\tReceive\n1\t8\t8\n2\t8\t8\n3\t5\t5'
}

@test "--pipe --joblog: Send counts each chunk given whole, read or not, as GNU parallel does" {
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 2M -k --joblog "$BATS_TEST_TMPDIR/log" "sleep 0.2"; cut -f1,5,6 "$BATS_TEST_TMPDIR/log"'
	assert_success
	assert_output $'Seq\tSend\tReceive\n1\t2097150\t0\n2\t2097151\t0\n3\t2097151\t0\n4\t597444\t0'
	run bash -c 'seq 10 | "$PRUN" --pipe --cat -N4 -k --joblog "$BATS_TEST_TMPDIR/log" "cat {}" >/dev/null; cut -f1,5,6 "$BATS_TEST_TMPDIR/log"'
	assert_success
	assert_output $'Seq\tSend\tReceive\n1\t8\t8\n2\t8\t8\n3\t5\t5'
	# --round-robin: the chunks of a job that timed out count too, so the
	# Send column adds up to the input.
	run bash -c 'seq 100000 | "$PRUN" --pipe --block 10k --round-robin -j2 --timeout 1 --joblog "$BATS_TEST_TMPDIR/log" "if [ {#} = 1 ]; then sleep 5; fi; wc -l"'
	assert_failure 1
	run awk -F'\t' 'NR > 1 {s += $5; if ($1 == 1) print $7, $8} END {print s}' "$BATS_TEST_TMPDIR/log"
	assert_output $'-1 15\n588895'
}

@test "--pipe: a job that reads only part of its chunk is no error" {
	run bash -c 'seq 100000 | "$PRUN" --pipe --block 100k -k head -1'
	assert_success
	assert_output $'1\n18518\n35184\n51850\n68516\n85182'
	run bash -c 'seq 300000 | "$PRUN" --pipe --block 20k -j2 true'
	assert_success
	assert_output ""
}

@test "--pipe --retries: a job killed mid-chunk gets the whole chunk again, once" {
	run bash -c 'seq 50000 | "$PRUN" --pipe --block 64k -k --retries 2 "
		if mkdir \"$BATS_TEST_TMPDIR/once.{#}\" 2>/dev/null; then
			head -c 1000; kill -9 \$\$
		fi
		cat" | cmp - <(seq 50000)'
	assert_success
}

@test "--pipe --halt now,fail=1 leaves no job running and no temp file" {
	mkdir "$BATS_TEST_TMPDIR/t"
	run bash -c 'seq 100000 | "$PRUN" --pipe --cat --tmpdir "$BATS_TEST_TMPDIR/t" --block 10k -j2 --halt now,fail=1 "
		if [ {#} = 3 ]; then exit 1; fi; echo \$\$ >> \"$BATS_TEST_TMPDIR/pids\"; sleep 10"'
	assert_failure 1
	for pid in $(cat "$BATS_TEST_TMPDIR/pids" 2>/dev/null); do
		run kill -0 "$pid"
		assert_failure
	done
	run ls -A "$BATS_TEST_TMPDIR/t"
	assert_output ""
}

@test "--round-robin --retries: a job killed after many chunks is given them all again, once" {
	# Under -k job 1 gets chunks 1, 3, 5...: its first try prints 30000
	# lines (four chunks' worth) and is killed; only the retry's output
	# counts, and the retry gets those chunks and the ones after.
	run bash -c 'seq 200000 | "$PRUN" --pipe --block 64k --round-robin -j2 -k --retries 2 "
		if [ {#} = 1 ] && mkdir \"$BATS_TEST_TMPDIR/once\" 2>/dev/null; then
			head -n 30000; kill -9 \$\$
		fi
		cat" | sort -n | cmp - <(seq 200000)'
	assert_success
	[ -d "$BATS_TEST_TMPDIR/once" ] || fail "job 1 was not killed"
	run bash -c 'seq 200000 | "$PRUN" --pipe --block 64k --round-robin -j3 --retries 3 --joblog "$BATS_TEST_TMPDIR/log" "
		if [ {#} = 2 ] && echo >> \"$BATS_TEST_TMPDIR/tries\" &&
			[ \$(wc -l < \"$BATS_TEST_TMPDIR/tries\") -lt 3 ]; then
			head -c 100000; kill -9 \$\$
		fi
		cat" | sort -n | cmp - <(seq 200000)'
	assert_success
	run wc -l < "$BATS_TEST_TMPDIR/tries"
	assert_output 3
	run awk -F'\t' 'NR > 1 {print $1, $7}' "$BATS_TEST_TMPDIR/log"
	assert_output --partial "2 0"
}

@test "--round-robin --halt now,fail=1 leaves no job running and no temp file" {
	mkdir "$BATS_TEST_TMPDIR/t"
	SECONDS=0
	run bash -c 'seq 1000000 | "$PRUN" --pipe --block 10k -j3 --round-robin --retries 2 --halt now,fail=1 --tmpdir "$BATS_TEST_TMPDIR/t" "
		echo \$\$ >> \"$BATS_TEST_TMPDIR/pids\"
		if [ {#} = 3 ]; then head -c 50000 >/dev/null; exit 1; fi
		cat >/dev/null; sleep 10"'
	assert_failure 1
	[ "$SECONDS" -lt 8 ] || fail "took $SECONDS s"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/pids")" -eq 4 ] || fail "$(cat "$BATS_TEST_TMPDIR/pids")"
	for pid in $(cat "$BATS_TEST_TMPDIR/pids"); do
		run kill -0 "$pid"
		assert_failure
	done
	run ls -A "$BATS_TEST_TMPDIR/t"
	assert_output ""
}

@test "--pipe: bad input gets one line and exit 255" {
	run bash -c 'seq 3 | "$PRUN" --pipe --block 0 cat'
	assert_failure 255
	assert_output "prun: bad value for --block: '0' (want a size such as 1M, or -N with --pipepart)"
	run bash -c 'seq 3 | "$PRUN" --pipe --block 1X cat'
	assert_failure 255
	assert_output "prun: bad value for --block: '1X' (want a size such as 1M, or -N with --pipepart)"
	run bash -c 'seq 3 | "$PRUN" --pipe'
	assert_failure 255
	assert_output "prun: --pipe/--pipepart must have a command to pipe into (e.g. 'cat')"
	run bash -c 'seq 3 | "$PRUN" --pipe cat ::: a'
	assert_failure 255
	assert_output "prun: --pipe reads its data from standard input, and takes no ::: or :::: arguments"
	run bash -c 'seq 3 | "$PRUN" --pipepart cat'
	assert_failure 255
	assert_output "prun: --pipepart needs a file to read (-a FILE)"
	run bash -c 'seq 3 | "$PRUN" --pipepart -a /dev/stdin cat'
	assert_failure 255
	assert_output "prun: --pipepart only works on seekable files, not streams or pipes: /dev/stdin"
	run bash -c 'seq 3 | "$PRUN" --pipe --block -2 cat'
	assert_failure 255
	assert_output "prun: --block -2 (a negative size) needs --pipepart"
	run bash -c 'seq 3 | "$PRUN" --pipe --header "a(" cat'
	assert_failure 255
	assert_line --partial "prun: bad --header regex 'a(': "
}

@test "--shard and --bin with --dry-run show each job's command and end" {
	for opt in --shard --bin; do
		run timeout 20 bash -c 'seq 100 | "$PRUN" --dry-run --pipe -j3 "$1" 1 wc -l' _ "$opt"
		assert_success
		assert_output $'wc -l\nwc -l\nwc -l'
	done
}
