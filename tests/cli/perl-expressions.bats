#!/usr/bin/env bats
# {= perl expression =}, {=n expr =}, --parens, --filter and GNU parallel's
# helpers inside expressions, evaluated by perl itself.  Each expected
# output is GNU parallel's for the same command line (DIFFERENCES in
# prun(1) says where prun's exit status differs, and why).

load helpers

# A perl that leaves its pid in a file when prun starts it.
marking_perl() {
	cat > "$BATS_TEST_TMPDIR/perl" <<-EOF
	#!/bin/sh
	echo \$\$ > "$BATS_TEST_TMPDIR/started"
	exec perl "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/perl"
	export PRUN_PERL=$BATS_TEST_TMPDIR/perl
}

# Fails if the perl that marking_perl started is still there.
assert_perl_gone() {
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/started")
	if kill -0 "$pid" 2>/dev/null; then
		ps -o pid,stat,args -p "$pid" >&2 || true
		fail "perl ($pid) outlived prun"
	fi
}

@test "an expression changes \$_, and \$_ is the value" {
	run prun -k echo {= 's/\.gz$//' =} ::: a.gz b c.gz
	assert_success
	assert_output $'a\nb\nc'
}

@test "an expression's value is quoted for the shell" {
	run prun -k echo '{= $_="a  b;c" =}' ::: 1
	assert_output "a  b;c"
	run prun --dry-run echo '{= $_="it'\''s \$HOME" =}' ::: 1
	assert_output "echo 'it'\"'\"'s \$HOME'"
}

@test "uq() leaves the value unquoted, for the shell to read" {
	run prun --dry-run echo '{= $_="a b"; uq() =}' '{= $_="a b" =}' ::: 1
	assert_output "echo a b 'a b'"
	HOME=/some/home run prun echo '{= $_="\$HOME"; uq() =}' ::: 1
	assert_output "/some/home"
}

@test "an expression stands for each argument, {=n =} for the n-th" {
	run prun -k -N2 echo '{= $_.="x" =}' '{=2 $_.="y" =}' \
		'{= $_=$arg[1] =}' ::: a b c d e
	assert_output $'ax bx by a a\ncx dx dy c c\nex e'
}

@test "{=n =} and {=-n =} pick one input source each" {
	run prun -k echo {=-1 '$_.="!"' =} {=1 '$_.="?"' =} ::: a b ::: c d
	assert_output $'c! a?\nd! a?\nc! b?\nd! b?'
	run prun -k echo '{= $_=$arg[2] =}' ::: a b ::: c d
	assert_output $'c c\nd d\nc c\nd d'
}

@test "a position beyond the arguments is empty" {
	run prun -k -N2 echo '{=3 $_="z" =}x' ::: a b c
	assert_output $'x\nx'
}

@test "-X repeats the word around an expression for each argument" {
	run prun -k -j1 -X echo 'a{= $_.="x" =}b' ::: 1 2 3
	assert_output "a1xb a2xb a3xb"
	run prun --dry-run -j2 -X echo 'a{= s/1/one/ =}b' {} ::: 1 2
	assert_output $'echo aoneb 1\necho a2b 2'
}

@test "seq(), slot(), total_jobs() and \$job->seq()/slot() describe the job" {
	run prun -k -j1 echo '{= $_=seq()."/".total_jobs()." ".slot()." ".$job->seq().$job->slot() =}' ::: a b
	assert_output $'1/2 1 11\n2/2 1 21'
}

@test "Q() and pQ() quote for the shell and for perl" {
	run prun --dry-run echo {= '$_=Q($_)' =} {= '$_=pQ($_)' =} ::: 'a$b'
	assert_output "echo \"'\"'a\$b'\"'\" 'a\\\$b'"
}

@test "the date functions give the date and time" {
	run prun -k echo '{= $_=yyyy_mm_dd() =}' '{= $_=yyyymmdd() =}' \
		'{= $_=hh_mm_ss() =}' '{= $_=yyyy_mm_dd_hh_mm_ss() =}' ::: 1
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{8} [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}$'
	[[ ${output%% *} == "$(date +%Y-%m-%d)" ]]
}

@test "a job's expressions are evaluated once: -v shows what runs" {
	run prun -k -j1 -v echo '{= $_=++$Global::n =}' ::: a b
	assert_output $'echo 1\n1\necho 2\n2'
}

@test "skip() passes the job over" {
	run prun -k echo {= 'if($_==2){skip()}' =} ::: 1 2 3
	assert_success
	assert_output $'1\n3'
}

@test "--filter runs only the jobs whose filter is true" {
	run prun -k --filter '{1} < {2}' echo {1} {2} ::: 1 2 3 ::: 1 2 3
	assert_success
	assert_output $'1 2\n1 3\n2 3'
	run prun -k --filter '{= $_=$_%2 =}' echo ::: 1 2 3 4
	assert_output $'1\n3'
}

@test "every --filter must be true" {
	run prun -k --filter '{} > 1' --filter '{} < 4' echo ::: 1 2 3 4
	assert_output $'2\n3'
}

@test "--tagstring takes expressions" {
	run prun -k --tagstring '{= $_=uc =}' echo {} ::: a b
	assert_output $'A\ta\nB\tb'
}

@test "total_jobs() in --tagstring alone counts the jobs" {
	run prun -k --tagstring '{= $_=total_jobs() =}' echo ::: a b
	assert_output $'2\ta\n2\tb'
}

@test "a job passed over is not shown by --dry-run nor logged" {
	run prun -k --dry-run echo {= 'if($_==3) { skip() }' =} ::: 1 2 3 4
	assert_output $'echo 1\necho 2\necho 4'
	run prun -k -j1 --joblog "$BATS_TEST_TMPDIR/log" \
		--filter '{} != 2' true ::: 1 2 3
	assert_success
	run cut -f 1,7,9 "$BATS_TEST_TMPDIR/log"
	assert_output $'Seq\tExitval\tCommand\n1\t0\ttrue 1\n3\t0\ttrue 3'
}

@test "--parens changes the delimiters of expressions" {
	run prun --parens ,,,, echo ',, s/a/b/ ,,' ::: a
	assert_output "b"
	run prun --parens '[[]]' -k echo '[[1 $_.="x" ]]' '[[-1 $_.="y" ]]' \
		::: a b ::: c
	assert_output $'ax cy\nbx cy'
}

@test "-q takes an expression typed as several words" {
	run prun -q --dry-run echo {= '$_.=" y"' =} ::: x
	assert_output "echo 'x y'"
	run prun -q echo {= '$_.=" y"' =} ::: x
	assert_output "x y"
}

@test "values hold newlines and input NUL-delimited values arrive whole" {
	run prun echo '{= $_="x\ny" =}' ::: 1
	assert_output $'x\ny'
	run bash -c 'printf "a\nb\0c d\0" | "$PRUN" -0 -k echo "{= s/\n/<NL>/ =}"'
	assert_output $'a<NL>b\nc d'
}

@test "an expression that does not compile stops prun before any job" {
	run prun echo ran '{= s/a/ =}' ::: 1
	assert_failure 255
	assert_output --regexp "^prun: cannot use perl expression 's/a/ ': Substitution replacement not terminated at .*$"
	assert_equal "${#lines[@]}" 1
}

@test "an expression that dies stops prun with its message" {
	run prun -k -j1 echo '{= die "boom\n" if $_ eq "b" =}' ::: a b c
	assert_failure 255
	# The first job's output and the message may come in either order.
	assert_line "a"
	assert_line "prun: perl expression 'die \"boom\\n\" if \$_ eq \"b\" ' failed: boom"
	assert_equal "${#lines[@]}" 2
}

@test "a perl that exits stops prun, and is reaped" {
	marking_perl
	run prun echo '{= exit(3) =}' ::: 1 2
	assert_failure 255
	assert_output "prun: perl ended with status 3 while evaluating 'exit(3) '"
	assert_perl_gone
}

@test "a perl that is killed stops prun" {
	run prun -k -j1 echo '{= kill "KILL", $$ if $_ eq "b" =}' ::: a b
	assert_failure 255
	assert_line "a"
	assert_line "prun: perl ended by signal 9 while evaluating 'kill \"KILL\", \$\$ if \$_ eq \"b\" '"
	assert_equal "${#lines[@]}" 2
}

@test "perl starts only when a command has an expression" {
	marking_perl
	run prun -k echo {} {.} ::: a.b
	assert_output "a.b a"
	[ ! -e "$BATS_TEST_TMPDIR/started" ]
	run prun -k echo '{= s/a/b/ =}' ::: a
	assert_output "b"
	[ -e "$BATS_TEST_TMPDIR/started" ]
	assert_perl_gone
}

@test "a perl that cannot be run is one error" {
	PRUN_PERL=$BATS_TEST_TMPDIR/none run prun echo '{= =}' ::: 1
	assert_failure 255
	assert_output "prun: cannot run $BATS_TEST_TMPDIR/none for perl expressions: No such file or directory"
}

@test "--rpl defines a tag that stands for an expression" {
	run prun -k --rpl '{..} s:\.[^.]+$::;s:\.[^.]+$::;' echo {..} ::: a.tar.gz
	assert_output "a"
	run prun -k --rpl '.. s/a/A/' echo .. ::: abc
	assert_output "Abc"
}

@test "--rpl tags take arguments: \$\$1 is the tag's first group" {
	run prun -k --rpl '{%(.+?)} s/$$1$//;' echo {%.gz} {%.tar.gz} \
		::: a.tar.gz b.gz
	assert_output $'a.tar a\nb b.gz'
	run prun -k --rpl '{/(\.\S+)/(\.\S+)} s/$$1/$$2/g;' echo {/.tar/.gz} \
		::: UU.tar.gz
	assert_output "UU.gz.gz"
}

@test "--rpl tags have positional forms" {
	run prun -k --rpl '{tag} s/a/A/' echo {tag} {2tag} ::: a b ::: ca cb
	assert_output $'A cA cA\nA cb cb\nb cA cA\nb cb cb'
}

@test "an --rpl expression that starts with a number is evaluated once" {
	run prun -k --rpl '{x} 1 $_="x"' -N2 echo {x} {} ::: a b
	assert_output "x a b"
}

@test "an --rpl tag replaces a built-in one" {
	run prun -k --rpl '{} s/a/A/' echo {} ::: abc
	assert_output "Abc"
}

@test "an --rpl expression that does not compile is one error" {
	run prun --rpl '{x} s/a/ ' echo {x} ::: a
	assert_failure 255
	assert_output --regexp "^prun: cannot use perl expression 's/a/ ': Substitution replacement not terminated at .*$"
	assert_equal "${#lines[@]}" 1
}

@test "--plus has GNU parallel's tags with arguments" {
	run prun -k --plus echo {%.gz} {#a} {:1} {:1:2} {/a/b} {^a} ::: abc.gz
	assert_output "abc bc.gz bc.gz bc bbc.gz Abc.gz"
	run prun -k --plus echo {1%.gz} {2#x} ::: a.gz ::: xyz
	assert_output "a yz"
	run prun -k --plus echo {:-dflt} '{,,A}' '{^^b}' ::: '' ABC
	assert_output $'dflt  \nABC aBC ABC'
}

@test "--plus {choose_k} and {uniq} skip jobs, {0#} pads the job number" {
	run prun -k --plus echo {0#} {choose_k} ::: 1 2 ::: 1 2
	assert_success
	assert_output "2 1 2"
	run prun -k --plus echo {uniq} ::: a b ::: a b
	assert_output $'a b\nb a'
	run prun -k --plus echo {0#} ::: {1..10}
	assert_line --index 0 "01"
	assert_line --index 9 "10"
}

@test "--plus without a tag that needs perl starts no perl" {
	marking_perl
	run prun -k --plus echo {..} {+..} {/} {##} ::: a.b.c
	assert_output "a b.c a.b.c 1"
	[ ! -e "$BATS_TEST_TMPDIR/started" ]
	run prun -k --plus --tagstring '{%.gz}' echo {} ::: a.gz
	assert_output $'a\ta.gz'
	[ -e "$BATS_TEST_TMPDIR/started" ]
}

@test "{=name expr =} runs expr on --header's column name, in the command, --tagstring and --tmpl" {
	run prun -k --header : echo '{=x $_=sprintf("%.2f",$_) =}' '{=x $_=$_*10 =}' '{=y $_.="y" =}' ::: x 1.234 2.345 ::: y 1 2
	assert_success
	assert_output $'1.23 12.34 1y\n1.23 12.34 2y\n2.35 23.45 1y\n2.35 23.45 2y'
	run prun -k --colsep , --header : --tagstring '{=a $_=uc =}' echo '{=b $_*=2 =}' ::: a,b x,2 y,4
	assert_output $'X\t4\nY\t8'
	cd "$BATS_TEST_TMPDIR"
	printf 'DecimalX: {=x $_=sprintf("%%.2f",$_) =}\n' >my.tmpl
	run prun -k --header : --tmpl my.tmpl={#}.t cat {#}.t ::: x 1.234 2.345
	assert_output $'DecimalX: 1.23\nDecimalX: 2.35'
}

@test "{=word expr =} with no such --header column is perl code, as without --header" {
	run prun -k --header : echo '{=lc =}' '{=chop $_ =}' ::: x Ab
	assert_success
	assert_output "Ab A"
}
