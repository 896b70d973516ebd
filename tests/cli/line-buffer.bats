#!/usr/bin/env bats
# --line-buffer: whole lines from running jobs, as they come.

load helpers

stamp() {
	while IFS= read -r line; do
		echo "$(( $(now_ms) - t0 )) $line"
	done
}

@test "--line-buffer prints a job's lines while it still runs" {
	t0=$(now_ms)
	run bash -c '"$PRUN" --line-buffer "echo first {}; sleep 2; echo second {}" ::: x |
		{ t0=$1; '"$(declare -f stamp now_ms)"'; stamp; }' _ "$t0"
	assert_success
	assert_equal "$(cut -d' ' -f2- <<< "$output")" $'first x\nsecond x'
	# The first line comes the 2 s of the job's sleep before the second
	# (a gap, not a time since the start: a loaded machine changes it
	# little).
	first=$(head -1 <<< "$output" | cut -d' ' -f1)
	second=$(tail -1 <<< "$output" | cut -d' ' -f1)
	[ $((second - first)) -ge 1000 ] ||
		fail "the first line came only $((second - first)) ms before the second"
}

@test "--lb is the short form of --line-buffer" {
	t0=$(now_ms)
	run bash -c '"$PRUN" --lb "echo first; sleep 2; echo second" ::: x |
		{ t0=$1; '"$(declare -f stamp now_ms)"'; stamp; }' _ "$t0"
	assert_success
	# The first line comes the 2 s of the job's sleep before the second
	# (a gap, not a time since the start: a loaded machine changes it
	# little).
	first=$(head -1 <<< "$output" | cut -d' ' -f1)
	second=$(tail -1 <<< "$output" | cut -d' ' -f1)
	[ $((second - first)) -ge 1000 ] ||
		fail "the first line came only $((second - first)) ms before the second"
}

@test "--line-buffer never tears a line that jobs write in pieces" {
	run prun --line-buffer -j3 'for i in 1 2 3 4; do printf "{}$i-"; sleep 0.05; printf "{}$i\n"; done' ::: a b c
	assert_success
	assert_equal "$(sort <<< "$output")" \
		"$(for j in a b c; do for i in 1 2 3 4; do echo "$j$i-$j$i"; done; done)"
}

# Each output line is checked as its length and how many of its bytes differ
# from its first, by awk: bash's read takes one byte per system call, which is
# minutes for 40 MB.
@test "--line-buffer keeps lines longer than a pipe buffer whole" {
	run bash -c '"$PRUN" --line-buffer -j4 "head -c 1000000 /dev/zero | tr \\\\0 {}; echo" ::: a b c d |
		awk "{ n = length(\$0); gsub(substr(\$0, 1, 1), \"\"); print n, length(\$0) }"'
	assert_success
	assert_output $'1000000 0\n1000000 0\n1000000 0\n1000000 0'
}

@test "--line-buffer prints a last line that has no newline" {
	run bash -c '"$PRUN" --line-buffer "printf \"a\\nb\"" ::: x | od -An -c | tr -d " \n"'
	assert_success
	assert_output 'a\nb'
}

@test "--line-buffer writes stderr lines to stderr and stdout lines to stdout" {
	run bash -c '"$PRUN" --line-buffer "echo out {}; echo err {} >&2" ::: x 2>/dev/null'
	assert_output "out x"
	run bash -c '"$PRUN" --line-buffer "echo out {}; echo err {} >&2" ::: x 2>&1 >/dev/null'
	assert_output "err x"
}

@test "--line-buffer gives each job's lines in the order it wrote them" {
	run prun --line-buffer -j4 'seq 20000 | sed s/^/{}:/' ::: a b c d
	assert_success
	for j in a b c d; do
		assert_equal "$(grep "^$j:" <<< "$output" | cut -d: -f2 | md5sum)" \
			"$(seq 20000 | md5sum)"
	done
}
