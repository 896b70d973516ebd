#!/usr/bin/env bats
# --csv: input lines as CSV records (the outputs are GNU parallel's).

load helpers

@test "--csv splits at commas outside quotes and undoubles quotes" {
	run bash -c 'printf "a,\"b \"\"q\"\" c\",d\n1,2,3\n" | "$PRUN" -k --csv echo "[{1}]" "[{2}]" "[{3}]"'
	assert_success
	assert_output $'[a] [b "q" c] [d]\n[1] [2] [3]'
}

@test "--csv: a quoted field goes on over several lines" {
	printf '"multi\nline",x,\n1,"2\n\n2",3\n' > "$BATS_TEST_TMPDIR/in.csv"
	run prun -k --csv echo "[{1}]" "[{2}]" "[{3}]" :::: "$BATS_TEST_TMPDIR/in.csv"
	assert_success
	assert_output $'[multi\nline] [x] []\n[1] [2\n\n2] [3]'
}

@test "--csv takes its separator from -C" {
	run bash -c 'printf "a;\"b;c\"\n" | "$PRUN" --csv -C ";" echo {2}'
	assert_output "b;c"
	run bash -c 'printf "a\t\"b\tc\"\n" | "$PRUN" --csv -C "	" echo {2}'
	assert_output $'b\tc'
}

@test "--csv -C '\\t' is a tab" {
	run bash -c 'printf "a\t\"b\tc\"\n" | "$PRUN" --csv -C "\t" echo {2}'
	assert_success
	assert_output $'b\tc'
}

@test "--csv keeps white space, and -C trims it as without --csv" {
	run bash -c 'printf " a , b \n" | "$PRUN" --csv echo "[{1}]" "[{2}]"'
	assert_output "[ a ] [ b ]"
	run bash -c 'printf " a , b \n" | "$PRUN" --csv -C , echo "[{1}]" "[{2}]"'
	assert_output "[a] [b]"
}

@test "--csv: an empty line is one empty field, and {} is all fields" {
	run bash -c 'printf "\"a\"\"b\"\n\n\"\",x\n" | "$PRUN" -k --csv echo "[{1}]" "[{2}]"'
	assert_output $'[a"b] []\n[] []\n[] [x]'
	run bash -c 'printf "a,b\n" | "$PRUN" --csv echo "[{}]"'
	assert_output "[a b]"
}

@test "--csv splits ::: arguments and names columns with --header" {
	run prun -k --csv echo "[{1}]" "[{2}]" ::: 'a,"b,c"' 'd,e'
	assert_output $'[a] [b,c]\n[d] [e]'
	run bash -c 'printf "x,y\n1,\"2,3\"\n" | "$PRUN" --header : --csv echo {y} {x}'
	assert_output "2,3 1"
}

@test "--csv reads CRLF line ends" {
	run bash -c 'printf "a,b\r\n\"c\r\",d\r\n" | "$PRUN" -k --csv echo "[{2}]" "[{1}]"'
	assert_success
	assert_output $'[b] [a]\n[d] [c\r]'
}

@test "--csv: a record that is not CSV is an error naming it" {
	run bash -c 'printf "a,\"open\n" | "$PRUN" --csv echo {2}'
	assert_failure 255
	assert_output "prun: bad CSV: a quote is not closed in 'a,\"open'"
	run bash -c 'printf "a,b\"c,d\n" | "$PRUN" -k --csv echo {1}'
	assert_failure 255
	assert_output "prun: bad CSV: a quote inside a field that is not quoted in 'a,b\"c,d'"
	run bash -c 'printf "\"a\"b,c\n" | "$PRUN" --csv echo {2}'
	assert_failure 255
	assert_output "prun: bad CSV: a closing quote is not followed by the separator in '\"a\"b,c'"
}

@test "--csv wants a separator of one character" {
	run prun --csv -C '::' echo ::: a
	assert_failure 255
	assert_output "prun: bad value for --colsep with --csv: '::' (want one character other than a quote, or \\t)"
}
