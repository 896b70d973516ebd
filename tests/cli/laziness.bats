#!/usr/bin/env bats
# Input is read lazily (that it takes constant memory: memory.bats).

load helpers

@test "the first jobs run before the input ends" {
	run bash -c '(seq 3; sleep 4; seq 3) | "$PRUN" -j1 "echo {} \$(date +%s%N)"'
	assert_success
	assert_equal "${#lines[@]}" 6
	first=${lines[2]#* }
	last=${lines[3]#* }
	gap=$(( (last - first) / 1000000 ))
	[ "$gap" -gt 2500 ] || fail "the first three jobs waited for the end of input (gap ${gap} ms)"
}

@test "input that never ends does not keep prun from stopping on error" {
	start=$(now_ms)
	run timeout 10 bash -c '"$PRUN" --max-chars 3 echo < <(echo x; exec sleep 30 2>/dev/null 3>&-)'
	assert_failure 255
	[ $(( $(now_ms) - start )) -lt 5000 ] || fail "prun waited for its input"
	assert_output --partial "too long"
}
