# One job of the fault matrix, run by sh: $1 is its number (under --pipe,
# its block, one line, holds it).  It records in $FAULT_DIR/state when it
# starts, when its output is all written and when it ends, prints its known
# pattern ($FAULT_DIR/p/N), then behaves as $FAULT asks.  Every process it
# starts inherits $FAULT_MARK, by which the harness finds what is left.
i=$1
if [ -z "$i" ]; then
	read -r i
fi
d=$FAULT_DIR
echo "start $i" >>"$d/state"
nap=$FAULT_NAP
case $FAULT in
int2)
	# The first SIGINT leaves the job running: the second must stop it.
	trap '' INT ;;
int3)
	trap '' INT TERM ;;
ignoreterm)
	[ "$i" = 2 ] && trap '' TERM && nap=30 ;;
timeout)
	[ "$i" = 2 ] && nap=30 ;;
grandchild)
	# Holds the job's stdout and stderr long after the job has ended.
	sleep 30 &
	;;
esac
if [ "$FAULT" = nproc ]; then
	# Under ulimit -u the job itself must not fork: builtins, then exec.
	while IFS= read -r line; do
		printf '%s\n' "$line"
	done <"$d/p/$i"
	echo "printed $i" >>"$d/state"
	exec sleep "$nap"
elif [ "$FAULT" = big ] && [ "$i" = 2 ]; then
	# 2 GiB: 32768 lines of 64 KiB, from yes(1), which writes fast.
	yes "j002 $(head -c 65530 /dev/zero | tr '\0' x)" | head -c 2147483648
else
	cat "$d/p/$i"
fi
echo "printed $i" >>"$d/state"
case $FAULT in
closeearly)
	exec >&- ;;
halt)
	if [ "$i" = 2 ]; then
		sleep 0.2
		echo "end $i" >>"$d/state"
		exit 1
	fi ;;
esac
sleep "$nap"
echo "end $i" >>"$d/state"
