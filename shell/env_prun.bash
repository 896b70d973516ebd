# env_prun for bash: prun with the shell's own variables, arrays, functions
# and aliases, exported or not, as GNU parallel's env_parallel.bash.
#
# Source it (from ~/.bashrc, say):  . "$(command -v env_prun.bash)"
# then run env_prun as prun:        env_prun --env arr --env f f ::: a b
#
# The names --env gives (all names without it; "_" all but those of
# "env_prun --record-env" and of "env_prun --session") are written as bash
# code (alias, declare -f, declare -p) into $PARALLEL_ENV, which prun runs
# in bash before each command, on this machine and on remote hosts alike.
# Every name used here starts with _env_prun, so that none of them is
# copied.  Needs bash 4.4 or later.

# The file that --record-env writes and "--env _" reads: GNU parallel's
# ignored_vars, in the first of its config dirs that exists, as prun finds it.
_env_prun_record() {
	local _env_prun_d _env_prun_dirs
	if [[ -n $PARALLEL_HOME && -d $PARALLEL_HOME ]]; then
		_env_prun_d=$PARALLEL_HOME
	elif [[ -n $XDG_CONFIG_HOME && -d $XDG_CONFIG_HOME/parallel ]]; then
		_env_prun_d=$XDG_CONFIG_HOME/parallel
	else
		_env_prun_d=$HOME/.parallel
		IFS=: read -ra _env_prun_dirs <<<"$XDG_CONFIG_DIRS"
		for _env_prun_d in "${_env_prun_dirs[@]/%//parallel}" \
			"$HOME/.parallel"; do
			[[ $_env_prun_d != /parallel && -d $_env_prun_d ]] &&
				break
		done
	fi
	printf '%s/ignored_vars\n' "$_env_prun_d"
}

# The names of the shell's aliases, functions and variables, one a line.
_env_prun_names() {
	compgen -a
	compgen -A function
	compgen -A variable
}

env_prun() {
	local _env_prun_arg _env_prun_next= _env_prun_under=
	local _env_prun_n _env_prun_text _env_prun_file
	local -a _env_prun_want=() _env_prun_split=()
	local -A _env_prun_only=() _env_prun_skip=()
	local -a _env_prun_aliases=() _env_prun_funcs=() _env_prun_vars=()

	if ! command -v prun >/dev/null; then
		echo 'env_prun: prun must be in $PATH' >&2
		return 255
	fi
	for _env_prun_arg in "$@"; do
		case $_env_prun_arg in
		--record-env)
			# The names of a clean shell, for "--env _" later.
			_env_prun_file=$(_env_prun_record)
			mkdir -p "${_env_prun_file%/*}" &&
				_env_prun_names >"$_env_prun_file"
			return
			;;
		--session)
			# From now on, the names set until now are not copied.
			PARALLEL_IGNORED_NAMES=$(
				printf '%s\n:::\n' "$PARALLEL_IGNORED_NAMES"
				_env_prun_names
			)
			export PARALLEL_IGNORED_NAMES
			return 0
			;;
		--end-session)
			PARALLEL_IGNORED_NAMES=${PARALLEL_IGNORED_NAMES%$'\n:::\n'*}
			[[ -n $PARALLEL_IGNORED_NAMES ]] ||
				unset PARALLEL_IGNORED_NAMES
			return 0
			;;
		esac
	done
	for _env_prun_arg in "$@"; do
		if [[ -n $_env_prun_next ]]; then
			_env_prun_want+=("$_env_prun_arg")
			_env_prun_next=
		elif [[ $_env_prun_arg == --env ]]; then
			_env_prun_next=1
		elif [[ $_env_prun_arg == --env=* ]]; then
			_env_prun_want+=("${_env_prun_arg#--env=}")
		fi
	done
	for _env_prun_arg in "${_env_prun_want[@]}"; do
		IFS=, read -ra _env_prun_split <<<"$_env_prun_arg"
		for _env_prun_n in "${_env_prun_split[@]}"; do
			if [[ $_env_prun_n == _ ]]; then
				_env_prun_under=1
			else
				_env_prun_only[$_env_prun_n]=1
			fi
		done
	done
	if [[ -n $_env_prun_under ]]; then
		_env_prun_file=$(_env_prun_record)
		if [[ ! -r $_env_prun_file ]]; then
			echo "env_prun: run 'env_prun --record-env' in a" \
				"clean environment first" >&2
			return 255
		fi
		while IFS= read -r _env_prun_n; do
			_env_prun_skip[$_env_prun_n]=1
		done <"$_env_prun_file"
	fi
	while IFS= read -r _env_prun_n; do
		[[ -n $_env_prun_n ]] && _env_prun_skip[$_env_prun_n]=1
	done <<<"$PARALLEL_IGNORED_NAMES"

	# True if the name $1 is to be copied.
	_env_prun_wanted() {
		[[ ${#_env_prun_only[@]} == 0 || -n ${_env_prun_only[$1]} ]] &&
			[[ -z ${_env_prun_skip[$1]} && $1 != _env_prun* &&
			   $1 != env_prun && $1 != PARALLEL_ENV &&
			   $1 != PARALLEL_TMP ]]
	}
	while IFS= read -r _env_prun_n; do
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_aliases+=("$_env_prun_n")
	done < <(compgen -a)
	while IFS= read -r _env_prun_n; do
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_funcs+=("$_env_prun_n")
	done < <(compgen -A function)
	while IFS= read -r _env_prun_n; do
		# What bash sets by itself, and what cannot be set again.
		[[ $_env_prun_n =~ ^(RANDOM|_|TIMEOUT|GROUPS|FUNCNAME|DIRSTACK|PIPESTATUS|USERNAME|BASHPID|BASH_[A-Z_]+)$ ||
		   ${!_env_prun_n@a} == *r* ]] && continue
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_vars+=("$_env_prun_n")
	done < <(compgen -A variable)
	unset -f _env_prun_wanted

	# The shell options as they are here, so that code runs as here.
	_env_prun_text=$(
		shopt -p | sed 's/$/ 2>\/dev\/null/'
		echo 'shopt -s expand_aliases 2>/dev/null'
		((${#_env_prun_aliases[@]})) &&
			alias -- "${_env_prun_aliases[@]}"
		((${#_env_prun_funcs[@]})) &&
			declare -f -- "${_env_prun_funcs[@]}"
		((${#_env_prun_vars[@]})) &&
			declare -p -- "${_env_prun_vars[@]}"
	)
	PARALLEL_ENV=$_env_prun_text \
		PARALLEL_SHELL=${PARALLEL_SHELL:-$BASH} prun "$@"
}
