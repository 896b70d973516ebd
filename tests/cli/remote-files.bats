#!/usr/bin/env bats
# The files of remote jobs on the ssh lab: --transferfile, --return,
# --cleanup, --trc, --basefile and --workdir on the host.  The lab's hosts
# share this machine's file system, so a file is seen where it went: in
# $LAB_HOME_hN for a relative path, at its own path for an absolute one
# (which is why the absolute ones here use "/./", the relative part of
# which goes under the working directory).  Each expected output is GNU
# parallel 20221122's on the same command line, but for prun's own
# messages and a host that cannot be reached (GNU parallel does not run
# the job again).

load helpers
load lab

bats_require_minimum_version 1.5.0

setup_file() {
	lab_start
}

setup() {
	lab_setup
	mkdir -p "$BATS_TEST_TMPDIR/work/sub"
	cd "$BATS_TEST_TMPDIR/work"
	echo one >a.txt
	echo two >sub/b.txt
}

teardown() {
	local h
	[ -n "$LAB_SKIP" ] && return 0
	for h in h1 h2 h3; do
		local home="$LAB_DIR/home/$h"
		rm -rf "$home/a.txt" "$home/a.txt.out" "$home/sub" "$home/w" \
			"$home/.parallel" "$home/base.txt"
	done
}

teardown_file() {
	lab_stop
}

# The files under the current directory with their contents.
local_files() {
	find . -type f | sort | xargs grep -H ''
}

# Fails if any of the paths, relative to each host's home, exists.
assert_gone_from_hosts() {
	local h p
	for h in h1 h2 h3; do
		for p in "$@"; do
			[ ! -e "$LAB_DIR/home/$h/$p" ] ||
				fail "$h still has $p"
		done
	done
}

@test "--transferfile, --return and --cleanup with relative paths" {
	run prun --ssh "$LAB_SSH" -S h1 -k --tf {} --return {}.out --cleanup \
		'tr a-z A-Z <{} >{}.out; echo $LAB_HOST {}' ::: a.txt sub/b.txt
	assert_success
	assert_output "h1 a.txt
h1 sub/b.txt"
	run local_files
	assert_output "./a.txt:one
./a.txt.out:ONE
./sub/b.txt:two
./sub/b.txt.out:TWO"
	assert_gone_from_hosts a.txt a.txt.out sub
}

@test "without --cleanup the files stay on the host, under its home" {
	run prun --ssh "$LAB_SSH" -S h2 -k --tf {} --return {}.out \
		'tr a-z A-Z <{} >{}.out; pwd' ::: a.txt sub/b.txt
	assert_success
	assert_output "$LAB_HOME_h2
$LAB_HOME_h2"
	assert_equal "$(cat "$LAB_HOME_h2/a.txt")" one
	assert_equal "$(cat "$LAB_HOME_h2/sub/b.txt.out")" TWO
	assert_equal "$(cat sub/b.txt.out)" TWO
	[ ! -e "$LAB_HOME_h1/a.txt" ] && [ ! -e "$LAB_HOME_h3/a.txt" ] ||
		fail "a file went to another host too"
}

@test "an absolute path with /./ goes under the login directory and back" {
	local abs="$BATS_TEST_TMPDIR/work/./sub/b.txt"
	run prun --ssh "$LAB_SSH" -S h1 -k --tf {} --return {}.out --cleanup \
		'ls; cd sub && tr a-z A-Z <b.txt >b.txt.out; echo $LAB_HOST; : {}' \
		::: "$abs"
	assert_success
	# GNU parallel lists the host's home: the file is in sub/ there.
	assert_output "sub
tmp
h1"
	run local_files
	assert_output "./a.txt:one
./sub/b.txt:two
./sub/b.txt.out:TWO"
	# The host's copies are gone, the local files (the same file system)
	# are kept.
	assert_gone_from_hosts sub
}

@test "--trc sends {}, returns the file and cleans up" {
	run prun --ssh "$LAB_SSH" -S h3 -k --trc {.}.out \
		'tr a-z A-Z <{} >{.}.out; pwd' ::: a.txt sub/b.txt
	assert_success
	assert_output "$LAB_HOME_h3
$LAB_HOME_h3"
	run local_files
	assert_output "./a.out:ONE
./a.txt:one
./sub/b.out:TWO
./sub/b.txt:two"
	assert_gone_from_hosts a.txt a.out sub
}

@test "--rsync-opts, else \$PARALLEL_RSYNC_OPTS, are rsync's options" {
	# Without -R, rsync drops the directory of a relative file.
	run prun --ssh "$LAB_SSH" -S h2 --rsync-opts -rlDz --tf {} \
		'[ -e b.txt ] && [ ! -e sub ] && echo flat; : {}' ::: sub/b.txt
	assert_success
	assert_output flat
	rm "$LAB_HOME_h2/b.txt"
	PARALLEL_RSYNC_OPTS=-rlDz run prun --ssh "$LAB_SSH" -S h2 --tf {} \
		'ls b.txt; : {}' ::: sub/b.txt
	assert_success
	assert_output b.txt
	rm "$LAB_HOME_h2/b.txt"
	# The option wins over the variable.
	PARALLEL_RSYNC_OPTS=-rlDz run prun --ssh "$LAB_SSH" -S h2 \
		--rsync-opts -rlDzR --tf {} 'ls sub; : {}' ::: sub/b.txt
	assert_success
	assert_output b.txt
}

@test "a missing file is not sent, with a warning, and the job runs" {
	run --separate-stderr prun --ssh "$LAB_SSH" -S h1 -k --tf {} \
		--cleanup 'cat {}; pwd' ::: missing.txt a.txt
	assert_success
	assert_output "$LAB_HOME_h1
one
$LAB_HOME_h1"
	assert_equal "$stderr" "prun: missing.txt is not readable and will \
not be transferred
cat: missing.txt: No such file or directory"
	assert_gone_from_hosts a.txt
}

@test "--basefile goes once to each host before its first job" {
	local log="$BATS_TEST_TMPDIR/ssh.log"
	echo base >base.txt
	# An ssh that notes its command lines: rsync's name its host.
	cat >ssh-log <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>'$log'
exec $LAB_SSH "\$@"
EOF
	chmod +x ssh-log
	# Else the run could end before h2's copy, which prun then stops.
	run prun --ssh ./ssh-log -S 2/h1,2/h2 -k --bf base.txt \
		"$(lab_hosts_meet h1 h2)cat base.txt; echo {}" ::: 1 2 3 4 5 6 7 8
	assert_success
	assert_output "base
1
base
2
base
3
base
4
base
5
base
6
base
7
base
8"
	assert_equal "$(grep -c 'h1 rsync --server' "$log")" 1
	assert_equal "$(grep -c 'h2 rsync --server' "$log")" 1
	assert_equal "$(cat "$LAB_HOME_h1/base.txt")" base
	assert_equal "$(cat "$LAB_HOME_h2/base.txt")" base
	[ ! -e "$LAB_HOME_h3/base.txt" ] || fail "h3 got the basefile"
}

@test "--basefile with --cleanup is removed from every host at the end" {
	echo base >base.txt
	run prun --ssh "$LAB_SSH" -S h1,h2 -k --bf base.txt --cleanup \
		'cat base.txt; : {}' ::: 1 2 3 4
	assert_success
	assert_output "base
base
base
base"
	assert_gone_from_hosts base.txt
	assert_equal "$(cat base.txt)" base
}

@test "a basefile copy still under way at the end stops without a word" {
	local log="$BATS_TEST_TMPDIR/ssh.log"
	echo base >base.txt
	# h2's copy takes 60 s: the jobs run on h1, and the run ends first.
	cat >ssh-slow <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>'$log'
case "\$*" in *'h2 rsync --server'*) sleep 60 ;; esac
exec $LAB_SSH "\$@"
EOF
	chmod +x ssh-slow
	SECONDS=0
	# The pipe ends when every process that has prun's stderr has ended.
	# The jobs end once h2's copy has begun (or after 20 s); the pattern
	# is one that their own ssh command lines, logged too, do not match.
	prun --ssh ./ssh-slow -S 2/h1,2/h2 -k --bf base.txt --cleanup \
		'n=0; until grep -q "h2 rsync --serve[r]" '"'$log'"' ||
		[ $n -ge 400 ]; do sleep 0.05; n=$((n + 1)); done
		cat base.txt; echo {}' ::: 1 2 2>&1 >out | cat >err
	assert_equal "${PIPESTATUS[*]}" "0 0"
	(( SECONDS < 30 )) || fail "took $SECONDS s"
	assert_equal "$(cat out)" $'base\n1\nbase\n2'
	assert_equal "$(cat err)" ""
	# The copy to h2 had begun: this case is the one it means to be.
	assert_equal "$(grep -c 'h2 rsync --server' "$log")" 1
	assert_gone_from_hosts base.txt
}

@test "a basefile copy that fails for good says why once, and the host goes" {
	echo base >base.txt
	run --separate-stderr prun --ssh "$LAB_SSH" -S h1 --rsync-opts --bogus \
		--bf base.txt 'cat base.txt; echo {}' ::: 1 2
	assert_failure 255
	assert_output ""
	# rsync's words, from the last of its tries only, then prun's.
	assert_equal "$(grep -c 'bogus' <<<"$stderr")" 1
	assert_equal "$(head -1 <<<"$stderr")" "rsync: --bogus: unknown option"
	assert_equal "$(tail -2 <<<"$stderr")" "prun: host h1 dropped: copying \
--basefile failed
prun: no host is left to run jobs on"
}

@test "--workdir ... is a directory of the job's own, gone after it" {
	run prun --ssh "$LAB_SSH" -S h1 -k --wd ... --tf {} \
		'pwd; ls; cat {}' ::: a.txt sub/b.txt
	assert_success
	local dir="$LAB_HOME_h1/.parallel/tmp/$(hostname)-[0-9]*"
	assert_line --index 0 --regexp "^$dir-1\$"
	assert_line --index 3 --regexp "^$dir-2\$"
	assert_equal "${lines[1]} ${lines[2]} ${lines[4]} ${lines[5]}" \
		"a.txt one sub two"
	assert_equal "${#lines[@]}" 6
	# Only the unique directories are gone, as with GNU parallel.
	run ls -A "$LAB_HOME_h1/.parallel/tmp"
	assert_success
	assert_output ""
}

@test "--workdir ... with --trc brings the files back first" {
	run prun --ssh "$LAB_SSH" -S h2 -k --wd ... --trc {}.out \
		'tr a-z A-Z <{} >{}.out; ls -R' ::: a.txt sub/b.txt
	assert_success
	assert_output ".:
a.txt
a.txt.out
.:
sub

./sub:
b.txt
b.txt.out"
	run local_files
	assert_output "./a.txt:one
./a.txt.out:ONE
./sub/b.txt:two
./sub/b.txt.out:TWO"
	# The directories the files leave empty go too, as with GNU parallel.
	assert_gone_from_hosts .parallel
}

@test "--workdir DIR is made under the login directory, per job" {
	run prun --ssh "$LAB_SSH" -S h3 -k --wd 'w/{#}' --tf {} 'pwd; ls -R' \
		::: a.txt sub/b.txt
	assert_success
	assert_output "$LAB_HOME_h3/w/1
a.txt
$LAB_HOME_h3/w/2
sub/b.txt"
	assert_equal "$(cat "$LAB_HOME_h3/w/2/sub/b.txt")" two
}

@test "--workdir . is prun's directory relative to \$HOME" {
	mkdir -p "$HOME/proj"
	cd "$HOME/proj"
	run prun --ssh "$LAB_SSH" -S h1 --wd . pwd ::: 1
	assert_success
	assert_output "$LAB_HOME_h1/proj"
	rm -r "$LAB_HOME_h1/proj"
	# Not under $HOME: the same path.
	cd "$BATS_TEST_TMPDIR/work"
	run prun --ssh "$LAB_SSH" -S h1 --wd . pwd ::: 1
	assert_success
	assert_output "$BATS_TEST_TMPDIR/work"
}

@test "a send that cannot reach the host runs the job on another one" {
	# GNU parallel runs the job without its file and reports ssh's 255
	# as the job's; prun tells the two apart and runs it again.
	# h1's ControlMaster comes up, then nothing reaches h1 any more.
	cat >ssh-h1-lost <<EOF
#!/bin/sh
case " \$* " in
*" -M "*) ;;
*" h1 "*) exit 255 ;;
esac
exec $LAB_SSH "\$@"
EOF
	chmod +x ssh-h1-lost
	run --separate-stderr prun --ssh ./ssh-h1-lost -S h1,h2 -k --tf {} \
		'cat {}; echo $LAB_HOST' ::: a.txt a.txt a.txt a.txt
	assert_success
	assert_output "one
h2
one
h2
one
h2
one
h2"
	# h2 may run them all before h1 has failed often enough to go.
	[[ -z $stderr ||
	   $stderr == "prun: host h1 dropped: ssh failed (exit 255)" ]] ||
		fail "stderr: $stderr"
}

@test "the files of a job are ignored on ':' and without a remote host" {
	run --separate-stderr prun -S : --trc {}.out 'cat {}' ::: a.txt
	assert_success
	assert_output one
	assert_equal "$stderr" \
		"prun: --trc ignored as there are no remote --sshlogin"
	[ ! -e a.txt.out ] || fail "a file came back from nowhere"

	run --separate-stderr prun --cleanup echo ::: y
	assert_success
	assert_output y
	assert_equal "$stderr" \
		"prun: --cleanup ignored as there are no remote --sshlogin"
}

@test "--workdir ... and a relative --basefile are refused" {
	echo base >base.txt
	run prun --ssh "$LAB_SSH" -S h1 --wd ... --bf base.txt echo ::: 1
	assert_equal "$status" 255
	assert_output "prun: --basefile base.txt: --workdir ... will not work \
with relative basefiles"
}
