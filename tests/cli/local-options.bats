#!/usr/bin/env bats
# GNU parallel's options for one machine that change how prun is set up
# rather than what a job does: --plain, --no-keep-order, --silent, --gnu,
# --minversion, the CPU counts, --shell-quote, --process-slot-var, --ctag,
# --shell-completion; and --workdir, --tmpl.  The expected outputs are GNU
# parallel 20221122's.

load helpers

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

@test "--plain leaves out \$PARALLEL, the config files and -J's profiles" {
	mkdir -p "$XDG_CONFIG_HOME/prun" "$HOME/.parallel"
	printf '[defaults]\ntagstring = cfg\n' >"$XDG_CONFIG_HOME/prun/config"
	echo "--tag" >"$HOME/.parallel/pp"
	run prun echo ::: a
	assert_output $'cfg\ta'
	run prun --plain echo ::: a
	assert_success
	assert_output a
	PARALLEL=--tag run prun --plain echo ::: a
	assert_output a
	run prun --plain -J pp echo ::: a
	assert_output a
	rm "$XDG_CONFIG_HOME/prun/config"
	run prun -J pp echo ::: a
	assert_output $'a\ta'
}

# Job a ends only once b's output is out, or, where prun holds it back
# for a (-k), 1 s after b has ended: b's output comes first unless -k.
racing() {
	cd "$BATS_TEST_TMPDIR"
	rm -f out b.done
	prun "$@" -j2 'if [ {} = a ]; then n=0; until grep -qx b out ||
		[ $n -ge 50 ]; do sleep 0.02; [ ! -e b.done ] || n=$((n + 1))
		done; fi; echo {}; [ {} = a ] || touch b.done' ::: a b >out
	cat out
}

@test "--no-keep-order undoes -k, before or after it" {
	run racing -k
	assert_output $'a\nb'
	run racing -k --no-keep-order
	assert_output $'b\na'
	run racing --no-keep-order -k
	assert_output $'b\na'
	PARALLEL=-k run racing --nok
	assert_output $'b\na'
}

@test "--silent undoes -v, before or after it" {
	run prun -v --silent echo ::: s
	assert_output s
	run prun --silent -v echo ::: s
	assert_output s
	run prun -v echo ::: s
	assert_output $'echo s\ns'
}

@test "--gnu is accepted and changes nothing" {
	run prun --gnu -k echo ::: g h
	assert_success
	assert_output $'g\nh'
}

@test "--minversion prints the GNU parallel version prun follows" {
	run prun --minversion 20170422
	assert_success
	assert_output 20221122
	run prun --min-version 20221122
	assert_success
	assert_output 20221122
	run prun --minversion 20300101
	assert_failure 255
	assert_output 20221122
	run prun --minversion x
	assert_failure 255
	assert_output "prun: bad value for --minversion: 'x' (want a GNU parallel version such as 20170422)"
}

# What sysfs says, at most what this process may run on.
sysfs_count() {
	local n active
	active=$(nproc)
	n=$(cat /sys/devices/system/cpu/cpu[0-9]*/topology/"$1" 2>/dev/null |
		sort -u | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -le "$active" ] || n=$active
	echo "$n"
}

@test "--number-of-threads, -cores, -sockets and -cpus count as GNU parallel" {
	threads=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
	[ "$threads" -le "$(nproc)" ] || threads=$(nproc)
	run prun --number-of-threads
	assert_success
	assert_output "$threads"
	run prun --number-of-cores
	assert_output "$(sysfs_count thread_siblings)"
	run prun --number-of-cpus
	assert_output "$(sysfs_count thread_siblings)"
	run prun --number-of-sockets
	assert_output "$(sysfs_count physical_package_id)"
}

@test "the CPU counts are at most the CPUs prun may run on" {
	command -v taskset >/dev/null || skip "needs taskset(1)"
	for what in threads cores sockets; do
		run taskset -c 0 "$PRUN" --number-of-$what
		assert_output 1
	done
}

@test "--use-sockets-instead-of-threads: -j 100% is one job per socket" {
	sockets=$(sysfs_count physical_package_id)
	run prun --use-sockets-instead-of-threads -j 100% \
		'echo {%}; sleep 0.3' ::: 1 2 3 4 5 6
	assert_success
	assert_equal "$(sort -n <<<"$output" | tail -1)" "$sockets"
	cores=$(sysfs_count thread_siblings)
	run prun --use-cores-instead-of-threads -j 100% \
		'echo {%}; sleep 0.3' ::: 1 2 3 4 5 6
	assert_equal "$(sort -n <<<"$output" | tail -1)" "$cores"
}

@test "--shell-quote prints each command quoted instead of running it" {
	run prun -k --shell-quote ::: 'a b' "c'd" 'x$y'
	assert_success
	assert_output $'\'a b\'\n\'c\'"\'"\'d\'\n\'x$y\''
	run prun --shell-quote echo {} ::: 'a b'
	assert_output "'echo '\"'\"'a b'\"'\""
	run prun --shell-quote -q echo {} ::: 'a b'
	assert_output "'echo '\"'\"'a b'\"'\""
	run prun --shell-quote ::: ''
	assert_output "''"
	cd "$BATS_TEST_TMPDIR"
	run prun --shell-quote touch ::: ran
	[ ! -e ran ]
}

@test "--shell-quote twice quotes twice" {
	run prun --shell-quote --shell-quote ::: 'a b'
	assert_success
	assert_output "\"'\"'a b'\"'\""
}

@test "--process-slot-var sets the variable to the job slot minus one" {
	run prun --process-slot-var X -j1 -k 'echo $X' ::: a b
	assert_success
	assert_output $'0 a\n0 b'
	# Each job waits for the other to start: they run in slots 1 and 2.
	cd "$BATS_TEST_TMPDIR"
	run prun --process-slot-var X -j2 'touch {}.s; o=a; [ {} = a ] && o=b;
		while [ ! -e $o.s ]; do sleep 0.02; done; echo $X' ::: a b
	assert_success
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "0 1 "
}

@test "--process-slot-var wants a variable name" {
	run prun --process-slot-var 1x echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --process-slot-var: '1x' (want a variable name)"
}

@test "--ctag and --ctagstring are --tag and --tagstring with --color" {
	command -v script >/dev/null || skip "needs script(1)"
	needs_terminal "script(1)"
	run script -qec "env -u NO_COLOR '$PRUN' --ctag echo ::: x" /dev/null
	assert_success
	assert_output --partial $'\e[1;31mx\e[0m\tx'
	run script -qec "env -u NO_COLOR '$PRUN' --ctagstring 'y{}' echo ::: x" \
		/dev/null
	assert_output --partial $'\e[1;31myx\e[0m\tx'
	run prun --ctagstring 'y{}' echo ::: x
	assert_output $'yx\tx'
}

@test "--shell-completion prints prun's own completion file" {
	run prun --shell-completion bash
	assert_success
	assert_equal "$output" "$(cat "$TOP/completions/bash/prun")"
	run prun --shell-completion zsh
	assert_equal "$output" "$(cat "$TOP/completions/zsh/_prun")"
	run prun --shellcompletion fish
	assert_equal "$output" "$(cat "$TOP/completions/fish/prun.fish")"
	# It is built in: a copy of the program elsewhere has it too.
	cp "$PRUN" "$BATS_TEST_TMPDIR/prun"
	run "$BATS_TEST_TMPDIR/prun" --shell-completion fish
	assert_equal "$output" "$(cat "$TOP/completions/fish/prun.fish")"
}

@test "--shell-completion auto picks the calling shell" {
	run bash -c '"$PRUN" --shell-completion auto; :'
	assert_equal "$output" "$(cat "$TOP/completions/bash/prun")"
	run prun --shell-completion tcsh
	assert_failure 255
	assert_output "prun: bad value for --shell-completion: 'tcsh' (want bash, zsh, fish or auto)"
}

@test "bash completes prun after sourcing --shell-completion's output" {
	run bash -c 'source <("$PRUN" --shell-completion bash) 2>/dev/null
		complete -p prun'
	assert_success
	assert_output "complete -F _prun prun"
}

@test "--workdir runs each job in DIR, made if missing, {} replaced" {
	cd "$BATS_TEST_TMPDIR"
	run prun -k --wd "$BATS_TEST_TMPDIR/w/{}" 'pwd; touch here' ::: a 'b c'
	assert_success
	assert_output "$BATS_TEST_TMPDIR/w/a"$'\n'"$BATS_TEST_TMPDIR/w/b c"
	[ -e "w/a/here" ] && [ -e "w/b c/here" ]
	run prun --workdir rel 'pwd #' ::: x
	assert_output "$BATS_TEST_TMPDIR/rel"
	run prun --wd . 'pwd #' ::: x
	assert_output "$BATS_TEST_TMPDIR"
}

@test "--wd ... runs each job in a directory of its own, removed after" {
	cd "$BATS_TEST_TMPDIR"
	run prun -k --wd ... 'pwd; touch f; ls; echo {}' ::: a b
	assert_success
	[ "${lines[0]}" != "${lines[3]}" ]
	[[ ${lines[0]} == "$HOME/.parallel/tmp/"*-1 ]]
	assert_equal "${lines[1]}" f
	assert_equal "${lines[2]}" a
	[ ! -e "${lines[0]}" ] && [ ! -e "${lines[3]}" ]
}

@test "--wd DIR that cannot be made fails the job, not the run" {
	run prun -k --wd '/proc/no/{}' echo ::: a
	assert_failure 1
	assert_output "prun: cannot create --workdir '/proc/no/a': No such file or directory"
}

@test "--tmpl writes FILE, its replacement strings replaced, to REPL per job" {
	cd "$BATS_TEST_TMPDIR"
	printf 'a={}\nseq={#}\nb={.}\n' >t.tmpl
	run prun -k --tmpl t.tmpl=out{#}.txt --template t.tmpl=o_{}.txt \
		'cat out{#}.txt' ::: x.y z
	assert_success
	assert_output $'a=x.y\nseq=1\nb=x\na=z\nseq=2\nb=z'
	assert_equal "$(cat o_z.txt)" $'a=z\nseq=2\nb=z'
	assert_equal "$(cat o_x.y.txt)" $'a=x.y\nseq=1\nb=x'
}

@test "--tmpl and --wd evaluate perl expressions, in FILE's text and in the names" {
	cd "$BATS_TEST_TMPDIR"
	printf 'DecimalX: {=1 $_=sprintf("%%.2f",$_) =}\nseq+1: {= $_=seq()+1 =}\n' >t.tmpl
	run prun -k --tmpl t.tmpl='out{= $_=seq()*10 =}' 'cat out{#}0' ::: 1.234 2.345
	assert_success
	assert_output $'DecimalX: 1.23\nseq+1: 2\nDecimalX: 2.35\nseq+1: 3'
	mkdir sub
	run prun --wd '{= $_="s".$_ =}' 'pwd; true' ::: ub
	assert_output "$BATS_TEST_TMPDIR/sub"
}

@test "--tmpl: a bad value or a missing FILE is an error, exit 255" {
	run prun --tmpl nofile=x echo ::: a
	assert_failure 255
	assert_output "prun: --tmpl: cannot read 'nofile': No such file or directory"
	run prun --tmpl nofile echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --tmpl: 'nofile' (want FILE=REPL)"
}

@test "--tmpl and --wd know --header's column names" {
	cd "$BATS_TEST_TMPDIR"
	printf 'x is {x}, y is {y}\n' >t.tmpl
	run prun -k --header : --tmpl t.tmpl=out.{#} 'cat out.{#}' ::: x 1 2 ::: y 3
	assert_success
	assert_output $'x is 1, y is 3\nx is 2, y is 3'
	run prun -k --header : --wd 'd{x}' 'pwd; true' ::: x a b
	assert_success
	assert_output "$BATS_TEST_TMPDIR/da
$BATS_TEST_TMPDIR/db"
}
