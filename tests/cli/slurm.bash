# The Slurm test lab (tests/lab/slurm) for bats files that need a cluster:
# call slurm_lab_start in setup_file, slurm_lab_setup in setup and
# slurm_lab_stop in teardown_file.  Where the lab cannot run, every test is
# skipped with the reason (bats 1.8 cannot skip from setup_file).
# Otherwise SLURM_CONF and the LAB_SLURM_* variables tests/lab/slurm
# describes are exported, so that srun, salloc, sbatch, squeue and scancel
# use the lab's cluster; they are not PRUN_* so that prun_setup keeps them.

SLURM_LAB_SCRIPT="$BATS_TEST_DIRNAME/../lab/slurm"

# Starts the lab's cluster for this file, or sets SLURM_LAB_SKIP to why it
# cannot.
slurm_lab_start() {
	local dir status=0
	export SLURM_LAB_SKIP=
	# Short: munged's socket goes in it.
	dir=$(mktemp -d /tmp/prun-slurm.XXXXXX)
	echo "$dir" >"$BATS_FILE_TMPDIR/slurm-lab-dir"
	SLURM_LAB_SKIP=$("$SLURM_LAB_SCRIPT" start "$dir" 2>&1 3>&-) ||
		status=$?
	case $status in
	0) ;;
	2) return 0 ;;
	*)
		echo "$SLURM_LAB_SKIP" >&2
		return "$status"
		;;
	esac
	SLURM_LAB_SKIP=
	# shellcheck disable=SC1091
	. "$dir/env"
}

# The set-up of every test of a file with the lab: skips without it.
slurm_lab_setup() {
	prun_setup
	if [ -n "$SLURM_LAB_SKIP" ]; then
		skip "$SLURM_LAB_SKIP"
	fi
}

# Stops the lab's daemons and every step left, and removes its directory.
slurm_lab_stop() {
	local dir
	dir=$(cat "$BATS_FILE_TMPDIR/slurm-lab-dir" 2>/dev/null) || return 0
	"$SLURM_LAB_SCRIPT" stop "$dir"
	rm -f "$BATS_FILE_TMPDIR/slurm-lab-dir"
}

# The steps left on the lab's cluster, one JOBID.STEPID a line, after
# waiting up to 30 s for them to go: slurmctld may list a step for a moment
# after srun has returned, until slurmstepd's word that it ended arrives.
slurm_steps() {
	local steps i
	for i in $(seq 300); do
		steps=$(squeue --steps --noheader --format=%i | grep -v '\.extern$')
		[ -z "$steps" ] && return 0
		sleep 0.1
	done
	printf '%s\n' "$steps"
}
