#!/usr/bin/env bats
# -j FILE: the number of jobs read from FILE, and again whenever FILE
# changes, so that the concurrency of a run can be changed while it runs.
# The jobs themselves show how many run at once, with marker files.
# --limit CMD, which holds jobs back as the command says, is here too.

load helpers

setup() {
	prun_setup
	cd "$BATS_TEST_TMPDIR"
}

@test "-j FILE takes the number of jobs from FILE" {
	echo 2 >jobs
	# Each job waits for the other: both must run at once.
	run prun -k -j jobs 'touch {}.started; n=0
		until [ -e a.started ] && [ -e b.started ]; do
			sleep 0.05; n=$((n + 1)); [ $n -gt 200 ] && exit 1
		done; echo {}' ::: a b
	assert_success
	assert_output $'a\nb'
	echo ' +0 ' >jobs
	run prun -j jobs --dry-run echo ::: x
	assert_output "echo x"
}

@test "-j FILE: raising the number in FILE mid-run starts more jobs" {
	echo 1 >jobs
	# a alone, then a writes 3; b, c and d wait until all three run.
	run prun -k -j jobs 'if [ {} = a ]; then echo 3 >jobs; echo a; exit; fi
		touch {}.started; n=0
		until [ -e b.started ] && [ -e c.started ] && [ -e d.started ]
		do
			sleep 0.05; n=$((n + 1))
			[ $n -gt 200 ] && { echo {} alone; exit 1; }
		done; echo {}' ::: a b c d
	assert_success
	assert_output $'a\nb\nc\nd'
}

@test "-j FILE: lowering the number in FILE mid-run runs fewer jobs" {
	echo 3 >jobs
	# a, b and c run at once; a writes 1; then d, e and f one at a time.
	run prun -k -j jobs 'touch {}.run; case {} in
		a) echo 1 >jobs; rm a.run; exit ;;
		b | c) while [ -e a.run ]; do sleep 0.05; done
			sleep 0.1; rm {}.run; exit ;;
		esac
		[ "$(ls *.run | wc -l)" = 1 ] || echo {} overlaps
		sleep 0.3; [ "$(ls *.run | wc -l)" = 1 ] || echo {} overlaps
		rm {}.run; echo {}' ::: a b c d e f
	assert_success
	assert_output $'d\ne\nf'
}

@test "-j FILE with a bad number in it is an error, exit 255" {
	echo many >jobs
	run prun -j jobs echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --jobs in 'jobs': 'many' (want N, +N, -N, N% or 0)"
	run prun -j nosuchfile echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --jobs: 'nosuchfile' (want N, +N, -N, N% or 0)"
}

@test "--limit CMD: a job starts only once CMD exits 0" {
	# The command says "over the limit" twice, then "below" each time,
	# and logs what it said; each job logs its start.  (prun also runs the
	# command every second while jobs run: a "yes" more or less.)
	run prun -j1 -k --limit 'n=$(cat calls 2>/dev/null || echo 0)
		echo $((n + 1)) >calls
		if [ "$n" -ge 2 ]; then echo yes >>log; else echo no >>log; exit 1; fi' \
		'echo start {} >>log; echo {}' ::: a b
	assert_success
	assert_output $'a\nb'
	run cat log
	assert_output --regexp $'^no\nno\n(yes\n)+start a\n(yes\n)+start b(\nyes)*$'
}
