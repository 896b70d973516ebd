# Runs the shell completions in completions/ the way each shell would.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}

need_bash_completion() {
	[ -f "$BASH_COMPLETION" ] ||
		skip "bash-completion is not installed ($BASH_COMPLETION)"
}

need_shell() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

# Prints what bash offers for each command line given as an argument
# (cursor at the end): one line per command line, the candidates sorted and
# separated by spaces.  Runs
# the completion function as bash does: COMP_WORDS split at blanks and
# around ':' and '=', as readline splits them.  Lines must not hold quotes.
bash_complete() {
	bash --norc --noprofile -c '
		bash_completion=$1 completion=$2
		shift 2
		source "$bash_completion" || exit 1
		source "$completion" || exit 1
		compopt() { :; }  # only valid inside a real completion
		# Prints its arguments sorted (as sort does with LC_ALL=C),
		# each once, separated by spaces: no process for each line.
		sorted_words() {
			local out=() w i
			for w; do
				for ((i = ${#out[@]}; i > 0; i--)); do
					[[ ${out[i - 1]} > $w ]] || break
				done
				((i > 0)) && [[ ${out[i - 1]} == "$w" ]] && continue
				out=("${out[@]:0:i}" "$w" "${out[@]:i}")
			done
			echo "${out[*]}"
		}
		for COMP_LINE; do
			COMP_WORDS=()
			for w in $COMP_LINE; do
				while [[ $w =~ ^([^:=]*)([:=]+)(.*)$ ]]; do
					if [[ ${BASH_REMATCH[1]} ]]; then
						COMP_WORDS+=("${BASH_REMATCH[1]}")
					fi
					COMP_WORDS+=("${BASH_REMATCH[2]}")
					w=${BASH_REMATCH[3]}
				done
				if [[ $w ]]; then
					COMP_WORDS+=("$w")
				fi
			done
			if [[ $COMP_LINE == *" " ]]; then
				COMP_WORDS+=("")
			fi
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_POINT=${#COMP_LINE}
			COMPREPLY=()
			_prun
			sorted_words "${COMPREPLY[@]}"
		done
	' bash "$BASH_COMPLETION" "$TOP/completions/bash/prun" "$@"
}

# Prints what fish offers for each command line given as an argument
# (cursor at the end), as bash_complete does.  FISH_SETUP is run first.
fish_complete() {
	fish --no-config -c '
		source $argv[1]; or exit 1
		eval $argv[2]
		for line in $argv[3..]
			echo (complete -C $line | string replace -r "\t.*" "" | sort -u)
		end
	' "$TOP/completions/fish/prun.fish" "${FISH_SETUP:-}" "$@"
}

# Runs zsh with the completion system set up and the zsh completion in
# fpath, then the zsh code $1.
zsh_with_completion() {
	zsh -f -c '
		fpath=("$1" $fpath)
		autoload -Uz compinit && compinit -u -d "$2" || exit 1
		eval "$3"
	' zsh "$TOP/completions/zsh" "$BATS_TEST_TMPDIR/zcompdump" "$1"
}
