#!/usr/bin/env bats
# --results: GNU parallel's directory layout, files named by replacement
# strings, and CSV, TSV and JSON tables.  The expected outputs are GNU
# parallel 20221122's (start times and runtimes masked).

load helpers

# The files under a directory, sorted, one per line.
tree() {
	(cd "$1" && find . -type f | sort)
}

# A table with its start times and runtimes replaced by START and RUN.
masked() {
	sed -E -e 's/[0-9]{10}\.[0-9]{3}([,\t])[0-9]+\.[0-9]{3}/START\1RUN/' \
		-e 's/"Starttime": [0-9.]+, "JobRuntime": [0-9.]+/"Starttime": START, "JobRuntime": RUN/' "$@"
}

@test "--results DIR saves stdout, stderr and seq under DIR/1/ARG/2/ARG and prints nothing" {
	cd "$BATS_TEST_TMPDIR"
	run prun --results out 'echo {1} {2}; echo err {2} >&2' ::: a b ::: c
	assert_success
	assert_output ''
	run tree out
	assert_output "$(printf './1/%s/2/c/%s\n' a seq a stderr a stdout b seq b stderr b stdout)"
	run cat out/1/b/2/c/stdout
	assert_output 'b c'
	run cat out/1/b/2/c/stderr
	assert_output 'err c'
	# The seq file has no newline, as GNU parallel writes it.
	run od -An -c out/1/b/2/c/seq
	assert_output '   2'
}

@test "--results writes backslash, tab and slash in values as \\\\ \\t and \\_" {
	cd "$BATS_TEST_TMPDIR"
	printf 'a\\b\tc\nd/e\n' >in
	prun --results out -a in echo
	run tree out
	assert_output "$(printf '%s\n' './1/a\\b\tc/seq' './1/a\\b\tc/stderr' \
		'./1/a\\b\tc/stdout' './1/d\_e/seq' './1/d\_e/stderr' \
		'./1/d\_e/stdout')"
	run cat 'out/1/d\_e/stdout'
	assert_output 'd/e'
}

@test "--results names the directories after --header's columns, sorted as GNU parallel sorts them" {
	cd "$BATS_TEST_TMPDIR"
	prun --header : --results out echo ::: 10 x ::: 9 p ::: zz q
	run tree out
	assert_output "$(printf './zz/q/9/p/10/x/%s\n' seq stderr stdout)"
}

@test "--results with -N2 gives each set of arguments its part of the path" {
	cd "$BATS_TEST_TMPDIR"
	prun -N2 --results out echo ::: a b c d
	run tree out
	assert_output "$(printf './1/%s\n' a/1/b/seq a/1/b/stderr a/1/b/stdout c/1/d/seq c/1/d/stderr c/1/d/stdout)"
	run cat out/1/c/1/d/stdout
	assert_output 'c d'
}

@test "--results with replacement strings names files, or a directory when it ends in /" {
	cd "$BATS_TEST_TMPDIR"
	prun --results 'f/{}' echo ::: a 'b c'
	run tree f
	assert_output "$(printf '%s\n' ./a ./a.err ./a.seq './b c' './b c.err' './b c.seq')"
	run cat 'f/b c'
	assert_output 'b c'
	prun --results 'd/{}/' echo ::: a
	run tree d
	assert_output "$(printf './a/%s\n' seq stderr stdout)"
}

@test "--results keeps every byte of big outputs, with -k, -u and --line-buffer alike" {
	cd "$BATS_TEST_TMPDIR"
	head -c 3000000 /dev/urandom >blob
	for mode in --group -k -u --line-buffer; do
		rm -rf out
		run prun "$mode" --results out 'cat blob; printf "\0end" >&2; true' ::: 1 2
		assert_success
		assert_output ''
		cmp blob out/1/1/stdout
		cmp blob out/1/2/stdout
		run od -An -c out/1/2/stderr
		assert_output '  \0   e   n   d'
	done
}

@test "--results puts -v's command first in stdout and shows -t's on stderr" {
	cd "$BATS_TEST_TMPDIR"
	run prun -v --results out echo ::: a
	assert_output ''
	run cat out/1/a/stdout
	assert_output $'echo a\na'
	run prun -t --results out2 echo ::: a
	assert_output 'echo a'
	run cat out2/1/a/stdout
	assert_output 'a'
}

@test "--results keeps only the last try of a retried job" {
	cd "$BATS_TEST_TMPDIR"
	run prun --retries 3 --results out 'echo {} >> tries; cat tries; [ $(wc -l < tries) -ge 2 ]' ::: a
	assert_success
	run cat out/1/a/stdout
	assert_output $'a\na'
}

@test "--resume with --results DIR runs only the jobs that have no results" {
	cd "$BATS_TEST_TMPDIR"
	prun --results out echo ::: 1 2
	rm -r out/1/2
	run prun --resume --results out echo again ::: 1 2 3
	assert_success
	run cat out/1/1/stdout out/1/2/stdout out/1/3/stdout
	assert_output $'1\nagain 2\nagain 3'
}

@test "--results NAME.csv writes GNU parallel's columns with its quoting" {
	cd "$BATS_TEST_TMPDIR"
	run prun -k --results t.csv 'printf "%s\n" {}; echo "e,\"r" >&2; exit {#}' ::: a 'b c' 'd"e'
	assert_failure 3
	assert_output ''
	run masked t.csv
	assert_output 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr
1,:,START,RUN,0,2,1,0,"printf ""%s\n"" a; echo ""e,\""r"" >&2; exit 1",a,"a
","e,""r
"
2,:,START,RUN,0,4,2,0,"printf ""%s\n"" '"'b c'"'; echo ""e,\""r"" >&2; exit 2","b c","b c
","e,""r
"
3,:,START,RUN,0,4,3,0,"printf ""%s\n"" '"'d\"\"e'"'; echo ""e,\""r"" >&2; exit 3","d""e","d""e
","e,""r
"'
}

@test "--results NAME.tsv separates with tabs and names columns after --header" {
	cd "$BATS_TEST_TMPDIR"
	prun -k --results t.tsv 'printf "%s\tx\n" {}' ::: a 'b c'
	run masked t.tsv
	assert_output $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tV1\tStdout\tStderr\n1\t:\tSTART\tRUN\t0\t4\t0\t0\t"printf ""%s\\tx\\n"" a"\ta\t"a\tx\n"\t\n2\t:\tSTART\tRUN\t0\t6\t0\t0\t"printf ""%s\\tx\\n"" \'b c\'"\t"b c"\t"b c\tx\n"\t'
	prun -k --header : --results h.csv echo ::: x a b ::: y c
	run masked h.csv
	assert_output 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,x,y,Stdout,Stderr
1,:,START,RUN,0,4,0,0,"echo a c",a,c,"a c
",
2,:,START,RUN,0,4,0,0,"echo b c",b,c,"b c
",'
}

@test "--results NAME.json writes an object per line with JSON's escapes" {
	cd "$BATS_TEST_TMPDIR"
	printf '#!/bin/sh\nprintf "\\001\\t\\\\\\"\\303\\251x\\n"; echo "$1" >&2\n' >j.sh
	chmod +x j.sh
	prun -k --results t.json ./j.sh ::: 'a b' 'c"d'
	run masked t.json
	assert_output '{ "Seq": 1, "Host": ":", "Starttime": START, "JobRuntime": RUN, "Send": 0, "Receive": 8, "Exitval": 0, "Signal": 0, "Command": "./j.sh '"'a b'"'", "V": [ "a b" ], "Stdout": "\u0001\u0009\\\"éx\u000a", "Stderr": "a b\u000a" }
{ "Seq": 2, "Host": ":", "Starttime": START, "JobRuntime": RUN, "Send": 0, "Receive": 8, "Exitval": 0, "Signal": 0, "Command": "./j.sh '"'c\\\"d'"'", "V": [ "c\"d" ], "Stdout": "\u0001\u0009\\\"éx\u000a", "Stderr": "c\"d\u000a" }'
}

@test "--results -.csv writes the table on stdout and nothing else" {
	run prun --results -.csv 'echo {}; echo e{} >&2' ::: a
	assert_success
	run masked <<<"$output"
	assert_output 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr
1,:,START,RUN,0,2,0,0,"echo a; echo ea >&2",a,"a
","ea
"'
}

@test "--results table rows follow the input with -k and the ends without" {
	cd "$BATS_TEST_TMPDIR"
	# The jobs end in their arguments' order, 1 3 6 (Seq 2, 3, 1): the
	# job of 3 once the job of 1 has been reaped, the job of 6 once that
	# of 3 has.
	job='echo $$ >pid.{}; case {} in 3) "$REAPED" pid.1 ;; 6) "$REAPED" pid.3 ;; esac'
	run prun -j3 -k --results -.json "$job" ::: 6 1 3
	run cut -d, -f1 <<<"$output"
	assert_output $'{ "Seq": 1\n{ "Seq": 2\n{ "Seq": 3'
	rm pid.*
	run prun -j3 --results -.json "$job" ::: 6 1 3
	run cut -d, -f1 <<<"$output"
	assert_output $'{ "Seq": 2\n{ "Seq": 3\n{ "Seq": 1'
}

@test "--results tables tag the lines of the outputs with --tag" {
	run prun --tag --results -.tsv 'printf "a\r\nb"' ::: x
	run masked <<<"$output"
	assert_output $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tV1\tStdout\tStderr\n1\t:\tSTART\tRUN\t0\t4\t0\t0\t"printf ""a\\r\\nb"" x"\tx\t"x\ta\rx\t\nx\tb"\t'
}

@test "--results records a timed-out job with exit value -1 and its signal" {
	run prun --timeout 0.2 --results -.json 'sleep {}' ::: 5
	assert_failure 1
	assert_output --partial '"Exitval": -1, "Signal": 15, "Command": "sleep 5"'
}

@test "--results records a job killed by a signal with exit value 0 and its signal" {
	run bash -c '"$PRUN" -k --results "$1/r.csv" "kill -{} \$\$" ::: TERM 0; echo $?; cut -d, -f1,7- "$1/r.csv"' _ "$BATS_TEST_TMPDIR"
	assert_output '1
Seq,Exitval,Signal,Command,V1,Stdout,Stderr
1,0,15,"kill -TERM $$",TERM,,
2,0,0,"kill -0 $$",0,,'
}

@test "a results directory that cannot be written is an error" {
	run prun --results /proc/no/such echo ::: a
	assert_failure 255
	assert_output "prun: cannot write the results to '/proc/no/such/1/a': No such file or directory"
	run prun --results /proc/no/such.csv echo ::: a
	assert_failure 255
	assert_output "prun: cannot open the results file '/proc/no/such.csv': No such file or directory"
}

@test "--results and --files together are an error" {
	run prun --files --results out echo ::: a
	assert_failure 255
	assert_output "prun: --results and --files cannot be used together"
}

@test "--results names a directory after an argument whose NUL became \\0" {
	run bash -c 'printf "foo\0bar\n" | "$PRUN" --results "$1" echo 2>/dev/null' _ "$BATS_TEST_TMPDIR/r"
	assert_success
	assert_output ''
	[ -f "$BATS_TEST_TMPDIR/r/1/foo\\\\0bar/stdout" ] || fail "$(find "$BATS_TEST_TMPDIR/r")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/r/1/foo\\\\0bar/stdout")" 'foo\0bar'
}
