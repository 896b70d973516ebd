#!/usr/bin/env bats
# Replacement strings, as GNU parallel defines them.

load helpers

@test "{.} {/} {//} {/.} cut paths as GNU parallel does" {
	run prun -k echo {.} {/} {//} {/.} ::: dir/sub.d/file.tar.gz
	assert_output "dir/sub.d/file.tar file.tar.gz dir/sub.d file.tar"
}

@test "{//} of a bare name is . and {.} of a dotted directory stays" {
	run prun -k echo {//} {.} ::: foo a.b/c
	assert_output $'. foo\na.b a.b/c'
}

@test "{#} is the job number and {%} the job slot" {
	run prun -k -j1 echo {#}-{%} ::: a b c
	assert_output $'1-1\n2-1\n3-1'
}

@test "positional {n} and {-n} pick one source each" {
	run prun -k echo {3} {1} {-2} ::: a ::: b ::: c
	assert_output "c a b"
}

@test "positional strings take the path operations" {
	run prun -k echo {1.} {2/} {2//} {2/.} {-1.} ::: x.y ::: d/e.f
	assert_output "x e.f d e d/e"
}

@test "a position beyond the arguments is empty" {
	run prun -k --dry-run -N2 echo {} {2} ::: a b c
	assert_output $'echo a b b\necho c '
}

@test "-I renames {}" {
	run prun -k -I XX echo XX {} ::: a
	assert_output "a {}"
}

@test "--er, --bnr, --dnr, --bner rename {.} {/} {//} {/.}" {
	run prun -k --er E --bnr B --dnr D --bner BE echo E B D BE {.} ::: d/a.b
	assert_output "d/a a.b d a {.}"
}

@test "--seqreplace and --slotreplace rename {#} and {%}" {
	run prun -k -j1 --seqreplace SEQ --slotreplace SLOT echo SEQ SLOT ::: a b
	assert_output $'1 1\n2 1'
}

@test "--plus adds {+/} {+.} {..} {...} {/..} {/...} {+..} and {##}" {
	run prun -k --plus --dry-run echo {##} {+/} {+.} {..} {...} {/..} {/...} {+..} ::: d/a.b.c.d x
	assert_output $'echo 2 d d d/a.b d/a a.b a c.d\necho 2 \'\' \'\' x x x x \'\''
}

@test "{##} counts the jobs of input read from stdin" {
	run bash -c 'seq 3 | "$PRUN" -k --plus echo {}/{##}'
	assert_output $'1/3\n2/3\n3/3'
}

@test "a string that is not a replacement string stays as it is" {
	run prun -k echo {x} {1x} '{}}' ::: a
	assert_output "{x} {1x} a}"
}

@test "renaming {} also renames its positional forms" {
	run prun --dry-run -I {x} echo {x} {1x} {1} ::: a
	assert_output "echo a a {1}"
	run prun --dry-run -I ,, echo ,, {1} {1.} ::: a/b.c
	assert_output "echo a/b.c {1} a/b"
}
