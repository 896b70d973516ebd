#!/usr/bin/env bats
# Semaphores: --semaphore and prun-sem (GNU parallel's sem) run one
# command in a slot of a named semaphore, with kernel locks that a holder
# frees however it dies.

load helpers

setup() {
	prun_setup
	# A semaphore's state of its own for each test.
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	ID="t$$-$RANDOM"
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	SEM="$BATS_TEST_TMPDIR/bin/prun-sem"
	ln -s "$PRUN" "$SEM"
	export OUT="$BATS_TEST_TMPDIR/out"
}

teardown() {
	# No command of a test outlives it.
	"$SEM" --id "$ID" --wait 3>&-
}

# prun-sem, away from bats' descriptors: it returns once its command has
# a slot, and the command runs on in the background.
quiet_sem() {
	"$SEM" "$@" >/dev/null 2>&1 3>&-
}

@test "a mutex runs commands one at a time, in the order given" {
	for i in 1 2 3; do
		"$SEM" --id "$ID" "echo s$i >> \"\$OUT\"; sleep 0.3;
			echo e$i >> \"\$OUT\"" 3>&-
	done
	"$SEM" --id "$ID" --wait
	run cat "$OUT"
	assert_output $'s1\ne1\ns2\ne2\ns3\ne3'
}

@test "the caller waits while every slot is taken, then goes on" {
	local first=$BATS_TEST_TMPDIR/first
	# A free slot: the caller returns while its command runs on.
	"$SEM" --id "$ID" "sleep 5; touch '$first'" >/dev/null 3>&-
	[ ! -e "$first" ] || fail "the caller waited for its command"
	# A busy one: the caller returns only once the first command is done.
	"$SEM" --id "$ID" 'echo second > "$OUT"' >/dev/null 3>&-
	[ -e "$first" ] || fail "the caller went on while the slot was busy"
	"$SEM" --id "$ID" --wait
	run cat "$OUT"
	assert_output second
}

@test "-j2: four commands run two at a time, never more" {
	export RUNNING="$BATS_TEST_TMPDIR/running" DONE="$BATS_TEST_TMPDIR/done"
	export COUNTS="$BATS_TEST_TMPDIR/n"
	mkdir "$RUNNING" "$DONE"
	local i
	# Each command waits (up to 20 s) until two run, or all the others
	# are done, then 0.3 s more, and records how many ran: counts, which
	# a loaded machine does not change.
	for i in 1 2 3 4; do
		"$SEM" -j2 --id "$ID" 'm="$RUNNING/$$"; : > "$m"
			for i in $(seq 200); do
				set -- "$RUNNING"/*; r=$#
				set -- "$DONE"/*; [ -e "$1" ] && d=$# || d=0
				[ $r -ge 2 ] || [ $((r + d)) -ge 4 ] && break
				sleep 0.1
			done
			set -- "$RUNNING"/*; echo $# >> "$COUNTS"; sleep 0.3
			set -- "$RUNNING"/*; echo $# >> "$COUNTS"
			echo "$PARALLEL_JOBSLOT" >> "$OUT"; : > "$DONE/$$"; rm "$m"' 3>&-
	done
	"$SEM" --id "$ID" --wait
	run sort -n "$COUNTS"
	assert_equal "${#lines[@]}" 8
	assert_line --index 7 2
	refute_output --partial 3
	run sort -u "$OUT"
	assert_output $'1\n2'
}

@test "--fg waits for the command and exits with its status" {
	run "$SEM" --fg --id "$ID" 'sleep 0.5; echo out; exit 3'
	assert_failure 3
	assert_output out
	# GNU parallel's status for a command killed by a signal: 128 + N.
	run "$SEM" --fg --id "$ID" 'kill -9 $$'
	assert_failure 137
	assert_output ''
}

@test "--wait waits for the commands in the background, running or not" {
	quiet_sem --id "$ID" 'sleep 1; echo first >> "$OUT"'
	# This caller waits for the slot, and --wait for its command.
	(exec "$SEM" --id "$ID" 'echo second >> "$OUT"' >/dev/null 2>&1 3>&-) &
	# Waiting, it holds the id's active lock; on a loaded machine it may
	# start after the first command ended, take the slot at once and be
	# gone (its command then holds the slot in the background).
	wait_until waiting_or_gone "$!" "/$ID.active"
	run "$SEM" --id "$ID" --wait
	assert_success
	assert_output ''
	# Both commands are done once --wait returns.
	run cat "$OUT"
	assert_output $'first\nsecond'
	wait
}

@test "a command in the background keeps none of the caller's pipes but its output" {
	local t0 t1
	t0=$(now_ms)
	# The caller's reader of fd 3 sees its end at once.
	run bash -c '"$0" --id "$1" "sleep 8" 3>&1 >/dev/null 2>&1' \
		"$SEM" "$ID"
	t1=$(now_ms)
	assert_success
	(( t1 - t0 < 6000 )) || fail "the reader waited $((t1 - t0)) ms"
}

@test "--wait alone runs nothing, and returns at once when all is done" {
	run "$SEM" --id "$ID" --wait echo never
	assert_success
	assert_output ''
}

@test "--st with a positive time runs the command anyway after it" {
	local t0 t1
	quiet_sem --id "$ID" 'sleep 8'
	t0=$(now_ms)
	run "$SEM" --fg --id "$ID" --st 1 'echo ran'
	t1=$(now_ms)
	assert_success
	assert_output $'prun: Semaphore timed out. Stealing the semaphore.\nran'
	(( t1 - t0 >= 900 && t1 - t0 < 6000 )) ||
		fail "--st 1 ran the command after $((t1 - t0)) ms"
}

@test "--st with a negative time gives up with status 1" {
	local t0 t1
	quiet_sem --id "$ID" 'sleep 8'
	t0=$(now_ms)
	run "$SEM" --fg --id "$ID" --semaphore-timeout -1 'echo ran'
	t1=$(now_ms)
	assert_failure 1
	assert_output 'prun: Semaphore timed out. Exiting.'
	(( t1 - t0 >= 900 && t1 - t0 < 6000 )) ||
		fail "--st -1 gave up after $((t1 - t0)) ms"
}

@test "a holder killed with kill -9 releases its slot at once" {
	local holder waiter t0 started tag="29.$RANDOM"
	"$SEM" --fg --id "$ID" "touch \"\$BATS_TEST_TMPDIR/held\"
		sleep $tag" >/dev/null 2>&1 3>&- &
	holder=$!
	wait_until test -e "$BATS_TEST_TMPDIR/held"
	"$SEM" --fg --id "$ID" 'now=$(date +%s%3N); echo "$now" > "$OUT"' \
		3>&- &
	waiter=$!
	sleep 0.5
	[ ! -e "$OUT" ] || fail "the waiter ran while the slot was held"
	t0=$(now_ms)
	kill -9 "$holder"
	wait "$waiter"
	started=$(cat "$OUT")
	# At once: not when the holder's 29 s command would have ended.
	(( started - t0 < 5000 )) ||
		fail "the waiter started $((started - t0)) ms after the kill"
	wait "$holder" || true
	# The killed holder's command does not run on in the freed slot.
	sleep 0.3
	assert_no_process "sleep $tag"
}

@test "Ctrl-C ends the command in the foreground, and prun with its status" {
	# With job control, prun runs in a process group of its own, as a
	# terminal's foreground job, and Ctrl-C signals the whole group.
	run bash -c 'set -m
		"$0" --fg --id "$1" "touch \"$2\"; sleep 20; echo not stopped" 3>&- &
		pid=$!
		for _ in $(seq 200); do [ -e "$2" ] && break; sleep 0.05; done
		t0=$(date +%s%3N)
		kill -INT -- "-$pid"
		wait "$pid"
		echo "status $? after $(( $(date +%s%3N) - t0 < 5000 ))"' \
		"$SEM" "$ID" "$BATS_TEST_TMPDIR/started"
	assert_line 'status 130 after 1'
	refute_line 'not stopped'
}

@test "SIGTERM to prun goes to the command in the foreground" {
	local pid st=0
	"$SEM" --fg --id "$ID" 'sleep 20 & p=$!
		trap "kill \$p; echo term; exit 7" TERM
		touch "$BATS_TEST_TMPDIR/trapped"; wait' >"$OUT" 2>&1 3>&- &
	pid=$!
	wait_until test -e "$BATS_TEST_TMPDIR/trapped"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "$st" = 7 ] || fail "status $st"
	run cat "$OUT"
	assert_output term
}

@test "the state directory is private, and a directory open to others is refused" {
	run "$SEM" --fg --id "$ID" true
	assert_success
	run stat -c %a "$XDG_RUNTIME_DIR/prun/sem"
	assert_output 700
	unset XDG_RUNTIME_DIR
	run "$SEM" --fg --id "$ID" true
	assert_success
	run stat -c %a "$TMPDIR/prun-sem-$(id -u)"
	assert_output 700
	chmod 755 "$TMPDIR/prun-sem-$(id -u)"
	run "$SEM" --fg --id "$ID" true
	assert_failure 255
	assert_output "prun: the semaphore directory '$TMPDIR/prun-sem-$(id -u)' is not a directory of uid $(id -u) closed to others (mode 0700)"
	chmod 700 "$TMPDIR/prun-sem-$(id -u)"
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
}

@test "an id cannot name a file outside the state directory" {
	run "$SEM" --fg --id "../../$ID/x" true
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/$ID" ] && [ ! -e "$XDG_RUNTIME_DIR/$ID" ]
	run ls "$XDG_RUNTIME_DIR/prun/sem"
	assert_line "%2e%2e%2f%2e%2e%2f$ID%2fx.1"
}

@test "without --id, the id is the terminal's name, as GNU parallel's" {
	run "$SEM" --fg true </dev/null
	assert_success
	run ls "$XDG_RUNTIME_DIR/prun/sem"
	assert_line 'not%20a%20tty.1'
}

@test "prun --semaphore and its options are prun-sem" {
	run "$PRUN" --semaphore --fg --id "$ID" echo a
	assert_output a
	# --fg, --bg, --id, --st and --wait each imply --semaphore.
	run "$PRUN" --fg echo b
	assert_output b
	run "$PRUN" --id "$ID" --fg echo c
	assert_output c
	run "$PRUN" --st 5 --fg echo d
	assert_output d
	run "$PRUN" --bg echo e
	assert_output e
	run "$PRUN" --semaphorename "$ID" --wait
	assert_success
	assert_output ''
}

@test "the command's words are joined by spaces; ::: arguments are ignored" {
	# As GNU parallel's sem: "a b c".
	run "$SEM" --fg --id "$ID" echo 'a  b' c ::: x y
	assert_success
	assert_output 'a b c'
	run "$SEM" --fg --id "$ID" 'echo $PARALLEL_SEQ $PARALLEL_JOBSLOT'
	assert_output '1 1'
}

@test "output is held until the command ends, stdout then stderr; -u passes it" {
	run "$SEM" --fg --id "$ID" 'echo a; echo e >&2; echo b'
	assert_output $'a\nb\ne'
	run "$SEM" -u --fg --id "$ID" 'echo a; echo e >&2; echo b'
	assert_output $'a\ne\nb'
}

@test "the command reads prun's stdin, or the -a file" {
	run bash -c 'echo in | "$0" --fg --id "$1" cat' "$SEM" "$ID"
	assert_output in
	echo file > "$OUT"
	run "$SEM" --fg --id "$ID" -a "$OUT" cat
	assert_output file
	run "$SEM" --fg --id "$ID" -a "$OUT" -a "$OUT" cat
	assert_failure 255
	assert_output 'prun: a semaphore cannot take input from more than one file (-a)'
}

@test "bad input is refused with one line and status 255" {
	run "$SEM"
	assert_failure 255
	assert_output 'prun: --semaphore needs a command to run (or --wait)'
	run "$SEM" --st soon true
	assert_failure 255
	assert_output "prun: bad value for --semaphore-timeout: 'soon' (want seconds such as 30 or 2m, negative to give up)"
	run "$SEM" -j many true
	assert_failure 255
	assert_output "prun: bad value for --jobs: 'many' (want N, +N, -N, N% or 0)"
}
