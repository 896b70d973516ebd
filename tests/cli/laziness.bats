#!/usr/bin/env bats
# Input is read lazily and in constant memory.

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

@test "a million input lines run in constant memory" {
	[ -z "${SANITIZED_BUILD:-}" ] || skip "memory is not measured under sanitizers"
	command -v /usr/bin/time >/dev/null || skip "GNU time is not installed"
	run bash -c 'seq 1000000 | /usr/bin/time -f "%M" "$PRUN" -j2 -N1000 true 2>&1 >/dev/null'
	assert_success
	[ "${lines[-1]}" -lt 16384 ] || fail "peak RSS ${lines[-1]} KiB"
}

@test "input that never ends does not keep prun from stopping on error" {
	start=$(now_ms)
	run timeout 10 bash -c '"$PRUN" --max-chars 3 echo < <(echo x; exec sleep 30 2>/dev/null 3>&-)'
	assert_failure 255
	[ $(( $(now_ms) - start )) -lt 5000 ] || fail "prun waited for its input"
	assert_output --partial "too long"
}
