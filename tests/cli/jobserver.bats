#!/usr/bin/env bats
# One limit for the whole build: GNU make's jobserver, prun as its client
# (inside make -jN) and as a server (for a make, or a prun, run as a job).
#
# Concurrency is counted with marker files, not timed: each job made by
# mkjob() leaves a file while it runs and records how many it saw.

load helpers

setup() {
	prun_setup
	command -v make >/dev/null || skip "make is not installed"
	cd "$BATS_TEST_TMPDIR"
	# job DIR SECONDS: one job, counted in DIR.
	cat > job <<-'EOF'
	#!/bin/sh
	mkdir -p "$1"
	: > "$1/run.$$"
	ls "$1" | grep -c '^run\.' >> "$1/seen"
	sleep "$2"
	rm -f "$1/run.$$"
	EOF
	chmod +x job
	export JOB="$BATS_TEST_TMPDIR/job"
}

# The most jobs that ran at once in DIR.
most() {
	sort -n "$1/seen" | tail -n 1
}

# A Makefile of two prun recipes of -j10 (prefix $1: "+" or ""), ten
# jobs each, counted together in d.
two_recipes() {
	cat > Makefile <<EOF
all: r1 r2
r1:
	$1"\$(PRUN)" -j10 '"$JOB" d 0.3 # {}' ::: 1 2 3 4 5 6 7 8 9 10
r2:
	$1"\$(PRUN)" -j10 '"$JOB" d 0.3 # {}' ::: 1 2 3 4 5 6 7 8 9 10
EOF
}

@test "two prun recipes of -j10 under make -j3 never run more than 3 jobs" {
	two_recipes +
	run make -s -j3 PRUN="$PRUN"
	assert_success
	# make says so when tokens are missing at its end.
	refute_output --partial "jobserver"
	refute_output --partial "INTERNAL"
	[ "$(wc -l < d/seen)" -eq 20 ]
	[ "$(most d)" -eq 3 ]
	# Every token is back: the next build has all 3 slots again.
	rm -r d
	run make -s -j3 PRUN="$PRUN"
	assert_success
	refute_output --partial "INTERNAL"
	[ "$(most d)" -eq 3 ]
}

@test "prun under make -j1 runs one job at a time" {
	two_recipes +
	run make -s -j1 PRUN="$PRUN"
	assert_success
	[ "$(wc -l < d/seen)" -eq 20 ]
	[ "$(most d)" -eq 1 ]
}

@test "a recipe without + gets make's warning and runs its jobs one at a time" {
	two_recipes ""
	run make -s -j3 PRUN="$PRUN"
	assert_success
	assert_line "prun: warning: jobserver unavailable: using -j1.  Add '+' to parent make rule."
	[ "$(grep -c 'jobserver unavailable' <<< "$output")" -eq 2 ]
	[ "$(wc -l < d/seen)" -eq 20 ]
	# One job per recipe: two at once.
	[ "$(most d)" -le 2 ]
}

@test "prun in make's pool gives its tokens back when it is interrupted" {
	cat > Makefile <<EOF
all: r1 r2
r1:
	+@echo \$\$\$\$ > prun.pid; exec "\$(PRUN)" -j10 '"$JOB" d1 30 # {}' ::: 1 2 3 4 5 6 7 8 9 10
r2:
	+@while [ ! -e go ]; do sleep 0.05; done; "\$(PRUN)" -j10 '"$JOB" d2 0.3 # {}' ::: 1 2 3 4 5 6 7 8 9 10
EOF
	make -k -j3 PRUN="$PRUN" > make.out 2>&1 &
	local mk=$!
	# r2's loop holds one of make's 3 slots; prun takes the other two.
	for _ in $(seq 100); do
		[ "$(ls d1 2>/dev/null | grep -c '^run\.')" -ge 2 ] && break
		sleep 0.05
	done
	[ "$(ls d1 | grep -c '^run\.')" -eq 2 ]
	kill -INT "$(cat prun.pid)"
	sleep 0.5
	touch go
	wait "$mk" || true
	cat make.out
	grep -q 'r1.*Interrupt' make.out
	refute grep -q INTERNAL make.out
	# r2's prun has all three: its own and both of r1's.
	[ "$(wc -l < d2/seen)" -eq 10 ]
	[ "$(most d2)" -eq 3 ]
}

@test "a make run by prun -j4 shares prun's 4 slots" {
	{
		printf 'all:'
		for i in $(seq 12); do printf ' t%d' "$i"; done
		printf '\nt%%:\n\t@"%s" d 0.3\n' "$JOB"
	} > Sub.mk
	run prun -j4 'make -s -f Sub.mk # {}' ::: a b
	assert_success
	refute_output --partial "jobserver"
	[ "$(wc -l < d/seen)" -eq 24 ]
	[ "$(most d)" -eq 4 ]
}

@test "jobs get prun's pool in MAKEFLAGS as make 4.3 passes it" {
	run prun -j3 'echo "[$MAKEFLAGS]" {}' ::: a
	assert_output "[ -j3 --jobserver-auth=3,4] a"
	MAKEFLAGS='ks -j8 --jobserver-auth=9,9 -- V=1' run prun --no-jobserver -j3 'echo "[$MAKEFLAGS]" {}' ::: a
	assert_output "[ks -j8 -- V=1] a"
	run prun -j3 --jobserver-style fifo 'echo "[$MAKEFLAGS]" {}' ::: a
	assert_output --regexp '^\[ -j3 --jobserver-auth=fifo:.*/fifo\] a$'
}

@test "nested prun keeps one limit: 32 sleeps under -j4 run 4 at a time" {
	start=$(now_ms)
	run prun -j4 -N0 "\"$PRUN\" -j8 -N0 '\"$JOB\" d 1' ::: 1 2 3 4 5 6 7 8" ::: a b c d
	assert_success
	elapsed=$(( $(now_ms) - start ))
	[ "$(wc -l < d/seen)" -eq 32 ]
	[ "$(most d)" -eq 4 ]
	[ "$elapsed" -ge 7500 ] || fail "took only $elapsed ms"
	[ "$elapsed" -lt 14000 ] || fail "took $elapsed ms"
}

@test "nested prun shares a fifo pool too" {
	run prun -j2 --jobserver-style=fifo -N0 "\"$PRUN\" -j8 -N0 '\"$JOB\" d 0.2' ::: 1 2 3 4" ::: a b
	assert_success
	[ "$(wc -l < d/seen)" -eq 8 ]
	[ "$(most d)" -eq 2 ]
	# The fifo is gone with the run.
	run find "$TMPDIR" -name 'prun-jobserver-*'
	assert_output ""
}

@test "--no-jobserver runs prun's own -j inside make" {
	cat > Makefile <<EOF
all:
	+@"\$(PRUN)" --no-jobserver -j5 '"$JOB" d 0.5 # {}' ::: 1 2 3 4 5
EOF
	run make -s -j2 PRUN="$PRUN"
	assert_success
	[ "$(most d)" -eq 5 ]
}

@test "tokens a crashed client took are back once its job ends" {
	# The first job takes both tokens of prun's pool and dies with them;
	# the others come once prun has reaped it (its pid has left /proc),
	# or after 20 s.
	run bash -c '(echo steal
		for _ in $(seq 400); do
			[ -s steal.pid ] && [ ! -e /proc/$(cat steal.pid) ] && break
			sleep 0.05
		done
		seq 6) |
		"$PRUN" -j3 "if [ {} = steal ]; then echo \$\$ >steal.pid; head -c2 <&3 >/dev/null; kill -9 \$\$; fi; \"$JOB\" d 0.5"'
	[ "$status" -eq 1 ]
	[ "$(wc -l < d/seen)" -eq 6 ]
	[ "$(most d)" -eq 3 ]
}

@test "prun under make -n prints the commands and runs none" {
	cat > Makefile <<EOF
all:
	+"\$(PRUN)" touch {} ::: x y
EOF
	run make -s -n PRUN="$PRUN"
	assert_success
	assert_line "touch x"
	assert_line "touch y"
	[ ! -e x ] && [ ! -e y ]
}

@test "a bad --jobserver-style is refused" {
	run prun --jobserver-style=socket true ::: 1
	[ "$status" -eq 255 ]
	assert_output "prun: bad value for --jobserver-style: 'socket' (want pipe or fifo)"
}

@test "the config file can make --no-jobserver the default, and --show-config says so" {
	printf '[defaults]\nno-jobserver = yes\njobserver-style = fifo\n' > conf
	PRUN_CONFIG=conf run prun --show-config
	assert_line --regexp '^conf:2	no-jobserver = true$'
	assert_line --regexp '^conf:3	jobserver-style = fifo$'
	PRUN_CONFIG=conf run prun 'echo "[$MAKEFLAGS]" {}' ::: a
	assert_output "[] a"
	run prun --show-config
	assert_line --regexp 'no-jobserver = false$'
	assert_line --regexp 'jobserver-style = pipe$'
}
