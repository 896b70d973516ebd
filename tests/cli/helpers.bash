# Shared set-up for prun's bats tests.
#
# bats evaluates this file anew for every test, and on this kind of machine
# a process costs milliseconds: the set-up below starts none.  (The
# libraries' own load.bash runs $(dirname ...) for each of their 15 files:
# 30 processes a test, more than half of a short test's time.)

# Sources library $1's src/*.bash from BATS_LIB_PATH, or loads it the
# usual way where it is laid out otherwise.
load_library() {
	local dir f
	local IFS=:
	for dir in ${BATS_LIB_PATH:-/usr/lib/bats}; do
		if [ -f "$dir/$1/load.bash" ] && [ -d "$dir/$1/src" ]; then
			for f in "$dir/$1"/src/*.bash; do
				source "$f" || return
			done
			return 0
		fi
	done
	bats_load_library "$1"
}
load_library bats-support
load_library bats-assert

# The binary under test (meson passes it; fall back to the default build).
: "${PRUN:=$BATS_TEST_DIRNAME/../../build/prun}"

# `"$AWAIT" FILE [SECONDS]`, for a job that waits for its test or another
# job: see tests/cli/await.
export AWAIT=$BATS_TEST_DIRNAME/await
# `"$REAPED" FILE`, for a job that ends only once prun has reaped the job
# whose pid is in FILE: see tests/cli/reaped.
export REAPED=$BATS_TEST_DIRNAME/reaped

# The set-up of every test; a file with a setup() of its own calls it.
prun_setup() {
	# The caller's environment must not change a result.
	unset MAKEFLAGS MFLAGS ${!PARALLEL@} ${!PRUN_@}
	# Nor exported functions (bats exports one of its own): with one,
	# prun runs commands under bash rather than /bin/sh.  (A builtin's
	# output to a file, where $(...) would fork.)
	local f
	declare -Fx >"$BATS_TEST_TMPDIR/.exported"
	while read -r _ _ f; do
		export -fn "$f"
	done <"$BATS_TEST_TMPDIR/.exported"
	export HOME="$BATS_TEST_TMPDIR/home"
	export XDG_CONFIG_HOME="$HOME/.config"
	# No config file of the machine's: /etc/prun is looked for here.
	export PRUN_SYSCONFDIR="$BATS_TEST_TMPDIR/etc"
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$HOME" "$TMPDIR"
	export LC_ALL=C
	# In a sanitized build, LeakSanitizer's check as prun exits costs 30
	# ms, as much as the rest of a short run: it runs in every other case
	# (most paths recur from case to case), and in every fault cell, unit
	# test and fuzz target.
	if [ -n "${SANITIZED_BUILD:-}" ] && ((BATS_TEST_NUMBER % 2 == 0)); then
		export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	fi
}

setup() {
	prun_setup
}

prun() {
	"$PRUN" "$@"
}

# Milliseconds since the epoch.
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t%???}"
}

# Runs the command given until it succeeds, every 50 ms for at most 20 s
# (a loaded machine starts processes late); fails the test if it never does.
wait_until() {
	local _
	for _ in $(seq 400); do
		"$@" && return 0
		sleep 0.05
	done
	fail "still not true after 20 s: $*"
}

# The lowest descriptor number that process $1 has free.
lowest_free_fd() {
	local fd=0
	while [ -e "/proc/$1/fd/$fd" ]; do
		fd=$((fd + 1))
	done
	echo "$fd"
}

# Whether process $1 holds a flock on a file whose path ends with $2
# (proc(5): fdinfo lists the locks of an open file).
holds_flock() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		case $(readlink "$fd") in
		*"$2") grep -q '^lock:.*FLOCK' "/proc/$1/fdinfo/${fd##*/}" &&
			return 0 ;;
		esac
	done 2>/dev/null
	return 1
}

# True while process $1 runs (a zombie has ended).
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# True once process $1 has ended (a zombie, or gone).
ended() {
	! alive "$1"
}

# Whether process $1 holds a flock on a file whose path ends with $2, or has
# ended.
waiting_or_gone() {
	holds_flock "$1" "$2" || ended "$1"
}

# True when no process whose command line contains $1 is left: for
# wait_until, where processes go in their own time (a remote job's
# watcher runs its term sequence after prun has gone).
no_process() {
	! pgrep -f -- "$1" >/dev/null
}

# Fails unless no process whose command line contains $1 is left.
assert_no_process() {
	local left
	left=$(pgrep -f -- "$1" || true)
	if [ -n "$left" ]; then
		ps -o pid,pgid,args -p $left >&2 || true
		fail "processes matching '$1' are still running"
	fi
}

# Prints the path of a copy of $PRUN that another user may run, for the
# tests that run prun as a user of their own: the tree may lie where only
# its owner may enter (as /root).  The copy is in the test's directory,
# which bats removes, and the directories up to it are made passable (not
# readable) by all.
prun_for_others() {
	local dir=$BATS_TEST_TMPDIR/for-others d
	mkdir -p "$dir" && cp "$PRUN" "$dir/prun" && chmod 755 "$dir/prun" ||
		return
	d=$dir
	while [ "$d" != "${BATS_RUN_TMPDIR%/*}" ] && [ -n "$d" ]; do
		chmod o+x "$d" || return
		d=${d%/*}
	done
	echo "$dir/prun"
}

# Skips the test unless a pseudo-terminal can be made here (a chroot or a
# container may have no /dev/pts); $1 names what needs it.
needs_terminal() {
	if ! python3 -c 'import os, pty; m, s = pty.openpty(); os.ttyname(s)' \
		2>/dev/null; then
		skip "$1 needs a pseudo-terminal, and none can be made here"
	fi
}
