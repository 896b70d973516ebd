#!/usr/bin/env bats
# Arguments arrive verbatim, whatever bytes they hold.

load helpers

@test "passes spaces, quotes, dollars, backslashes and globs verbatim" {
	run prun -j1 -k echo ::: "a b" "c'd" '$HOME' 'x\y' '*'
	assert_success
	assert_output $'a b\nc\'d\n$HOME\nx\\y\n*'
}

@test "passes the same strings verbatim through the shell path" {
	run prun -j1 -k 'echo {} | cat' ::: "a b" "c'd" '$HOME' 'x\y' '*'
	assert_success
	assert_output $'a b\nc\'d\n$HOME\nx\\y\n*'
}

@test "keeps a newline inside an argument" {
	run prun -k printf "'<%s>\n'" ::: $'one\ntwo'
	assert_success
	assert_output $'<one\ntwo>'
}

@test "passes an empty argument as an empty word" {
	run prun -k printf "'<%s>\n'" ::: '' x
	assert_success
	assert_output $'<>\n<x>'
}

@test "passes unicode and invalid UTF-8 bytes unchanged" {
	run bash -c '"$PRUN" -k printf "%s" ::: "é☃" $'"'"'\xff\xfe'"'"' | od -An -tx1'
	assert_success
	assert_output "$(printf '%s' 'é☃' $'\xff\xfe' | od -An -tx1)"
}

@test "passes backquotes and command substitutions as text" {
	run prun -k echo ::: '`id`' '$(id)' ';' '&&' '|'
	assert_success
	assert_output $'`id`\n$(id)\n;\n&&\n|'
}

@test "--dry-run prints the command quoted as GNU parallel does" {
	run prun --dry-run echo ::: "a b" "c'd" '$HOME' plain ''
	assert_success
	assert_output $'echo \'a b\'\necho \'c\'"\'"\'d\'\necho \'$HOME\'\necho plain\necho \'\''
}
