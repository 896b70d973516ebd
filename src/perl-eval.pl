# The Perl side of prun's {= perl expression =}: one long-lived process per
# run, started by perl.c only when a command needs it.  It is embedded in
# prun at build time and run as `perl -e`.
#
# prun and this process talk over two pipes (fd 0 in, fd 1 out) in frames:
# a 4-byte little-endian length, then the payload, so that values may hold
# any byte.  Each expression is compiled once, as GNU parallel does, into
#     sub { no strict; no warnings; my $job = shift; EXPR }
# which changes $_; the value is $_ afterwards.  The helpers GNU parallel
# offers inside expressions (Q, pQ, uq, skip, seq, slot, total_jobs, @arg,
# $job->seq() ..., the date functions) are defined below with its meaning.
#
# Requests (first byte of the payload):
#   C  exprs                  compile; answer: one error message per
#                             expression, empty if it compiled
#   E  job evals              evaluate; answer: flags, then flags and value
#                             for each (expression, argument) pair
#   F  job strings            --filter: eval each string; answer: flags
#   R  parens rpls texts      --rpl: each text with the tags written as
#                             expressions; answer: the texts
#   M  expr values            evaluate expr on each value as $_ (--shard,
#                             --bin, --group-by); answer: a 0 byte, then
#                             the values of $_ after it
# where job is seq, slot, total, the arguments; flags bit 0 is "skip this
# job" in an answer's head, "do not quote" (uq()) for a value.
# An expression that dies is answered with X and the message.

use strict;
use POSIX ();

binmode STDIN;
binmode STDOUT;

my @subs;
my @exprs;
my @loops;

# The next request's payload; reads as much as prun has written each time.
my $in = '';
sub get_frame {
	my $want = 4;
	while (1) {
		if (length($in) >= 4) {
			$want = 4 + unpack('L<', $in);
		}
		last if length($in) >= $want;
		my $r = sysread(STDIN, $in, 65536, length($in));
		if (!$r) {
			POSIX::_exit(0); # prun went away
		}
	}
	my $frame = substr($in, 4, $want - 4);
	substr($in, 0, $want) = '';
	return $frame;
}

sub put_frame {
	my $out = pack('L<', length($_[0])) . $_[0];
	while (length($out)) {
		my $w = syswrite(STDOUT, $out);
		if (!defined $w) {
			POSIX::_exit(0);
		}
		substr($out, 0, $w) = '';
	}
}

package CommandLine;

sub seq { return $_[0]->{seq}; }
sub slot { return $_[0]->{slot}; }
sub skip { $_[0]->{skip} = 1; return; }
sub total_jobs { return $_[0]->{total}; }

package Global;

our $unquote_arg = 0;
our $max_jobs_running;
our %use;

package Arg;

our @arg;

package main;

our $job = bless {}, 'CommandLine';
$Global::max_jobs_running = $ARGV[0] || 0;
our @arg;
*main::arg = \@Arg::arg;

sub Q {
	local $_ = $_[0];
	if (/[^-_.+a-z0-9\/]/i) {
		s/'/'"'"'/g;
		$_ = "'$_'";
		s/^''//;
		s/''$//;
		return $_;
	}
	return $_ eq '' ? "''" : $_;
}

sub pQ {
	my $a = $_[0];
	if (defined $a) {
		$a =~ s/[\\\"\$\@]/\\$&/go;
	}
	return $a;
}

sub hash {
	$Global::use{'B'} ||= eval 'use B; 1;';
	return B::hash(@_);
}

sub uniq { return keys %{{ map { $_ => 1 } @_ }}; }
sub make_regexp_ungreedy {
	my $regexp = shift;
	my ($class_state, $escape_state, $found) = (0, 0, 0);
	my $ungreedy = '';
	for my $c (split(//, $regexp)) {
		if ($found) {
			if ($c ne '?') {
				$ungreedy .= '?';
			}
			$found = 0;
		}
		$ungreedy .= $c;
		if ($escape_state) {
			$escape_state = 0;
			next;
		}
		if ($c eq "\\") {
			$escape_state = 1;
			next;
		}
		if ($c eq '[') {
			$class_state = 1;
			next;
		}
		if ($class_state) {
			if ($c eq ']') {
				$class_state = 0;
			}
			next;
		}
		if ($c =~ /[*}+]/) {
			$found = 1;
		}
	}
	if ($found) {
		$ungreedy .= '?';
	}
	return $ungreedy;
}

sub total_jobs { return $job->{total}; }
sub skip { $job->{skip} = 1; return; }
sub slot { return $job->{slot}; }
sub seq { return $job->{seq}; }
sub uq { $Global::unquote_arg = 1; return; }
sub now { return localtime(time()); }
sub yyyy_mm_dd_hh_mm_ss { POSIX::strftime('%Y-%m-%dT%H:%M:%S', now()) }
sub yyyy_mm_dd_hh_mm { POSIX::strftime('%Y-%m-%dT%H:%M', now()) }
sub yyyy_mm_dd { POSIX::strftime('%Y-%m-%d', now()) }
sub hh_mm_ss { POSIX::strftime('%H:%M:%S', now()) }
sub hh_mm { POSIX::strftime('%H:%M', now()) }
sub yyyymmddhhmmss { POSIX::strftime('%Y%m%d%H%M%S', now()) }
sub yyyymmddhhmm { POSIX::strftime('%Y%m%d%H%M', now()) }
sub yyyymmdd { POSIX::strftime('%Y%m%d', now()) }
sub hhmmss { POSIX::strftime('%H%M%S', now()) }
sub hhmm { POSIX::strftime('%H%M', now()) }

sub compile_one {
	my ($expr) = @_;
	local $@;
	my $sub = eval('package main; sub { no strict; no warnings; ' .
		       'my $job = shift; ' . $expr . "\n}");
	return ($sub, $@);
}

# Writes the --rpl tags of a text as the expressions they stand for, in
# the delimiters `parens`: GNU parallel's own algorithm, longest tag first,
# a tag's groups ($$1, $$2...) and its positional form {n tag} included.
sub rewrite {
	my ($parens, $rpls, $text) = @_;
	my $half = length($parens) / 2;
	my ($l, $r) = (substr($parens, 0, $half), substr($parens, $half));
	my %rpl;
	for (@$rpls) {
		my ($tag, $expr) = split(/\s/, $_, 2);
		$rpl{$tag} = $expr;
	}
	local $_ = $text;
	s/\257/\257\256/g;
	s[\Q$l\E((?:(?!\Q$l\E|\Q$r\E).)*?)\Q$r\E]{\257<$1\257>}gs;
	for my $rpl (sort { length $b <=> length $a or $a cmp $b } keys %rpl) {
		my ($prefix, $grp_regexp, $postfix) =
		    $rpl =~ /^( [^(]* ) ( \(.*\) )? ( [^)]* )$/xs;
		$grp_regexp ||= '';
		my $rplval = $rpl{$rpl};
		while (s{( (?: ^|\257> ) (?: [^\257]*|[\257][^<>] )*? )
			 \Q$prefix\E $grp_regexp \Q$postfix\E}
			{
			my $unchanged = $1;
			my @grp = (1);
			for (my $i = 2; defined $grp[$#grp]; $i++) {
				push @grp, eval '$'.$i;
			}
			$unchanged . "\257<" . set_args($rplval, @grp) . "\257>"
			}gxes) {
		}
		my $posprefix = $prefix;
		if ($posprefix =~ s/^\{//) {
			while (s{( (?: ^|\257> ) (?: [^\257]*|[\257][^<>] )*? )
				 \{(-?\d+) \s* \Q$posprefix\E $grp_regexp
				 \Q$postfix\E}
				{
				my $unchanged = $1;
				my $position = $2;
				my @grp = (1);
				for (my $i = 3; defined $grp[$#grp]; $i++) {
					push @grp, eval '$'.$i;
				}
				$unchanged . "\257<" . $position .
				    set_args($rplval, @grp) . "\257>"
				}gxes) {
			}
		}
	}
	s/\257</$l/g;
	s/\257>/$r/g;
	s/\257\256/\257/g;
	return $_;
}

# An --rpl expression with $$1, $$2... set to the groups a tag matched.
sub set_args {
	my ($rv, @grp) = @_;
	$rv =~ s/\$\$ (\d+)/\$_pAr_gRp$1/gx;
	my $set = '';
	for (my $i = 1; defined $grp[$i]; $i++) {
		$set .= "\$_pAr_gRp$i = \"" . pQ($grp[$i]) . "\";";
	}
	return $set . $rv;
}

# The job's context: $job, @arg (1-based, as GNU parallel's).
sub set_job {
	my ($seq, $slot, $total, @args) = @_;
	$job = bless {seq => $seq, slot => $slot, total => $total,
		      skip => 0}, 'CommandLine';
	@Arg::arg = (undef, @args);
}

while (1) {
	my $req = get_frame();
	my $verb = substr($req, 0, 1, '');
	if ($verb eq 'C') {
		my @errs;
		for my $e (unpack('L</(L</a)', $req)) {
			my ($sub, $err) = compile_one($e);
			$err =~ s/\s+\z//;
			# One the caller may never use fails when it is.
			my $msg = $err;
			push @subs, $sub || sub { die "$msg\n" };
			push @exprs, $e;
			push @errs, $sub ? '' : ($err eq '' ? 'error' : $err);
		}
		put_frame(pack('(L</a)*', @errs));
		next;
	}
	if ($verb eq 'R') {
		my ($parens, $nrpl, @rest) = unpack('L</a L< (L</a)*', $req);
		my @rpls = splice(@rest, 0, $nrpl);
		put_frame(pack('(L</a)*', map { rewrite($parens, \@rpls, $_) }
			       @rest));
		next;
	}
	if ($verb eq 'M') {
		my ($e, @vals) = unpack('L< (L</a)*', $req);
		# The expression inside the loop, not a call per value: $_ is
		# each value in turn (aliased), as the expression sees it.
		$loops[$e] ||= eval('package main; sub { no strict; ' .
				    'no warnings; my $job = shift; ' .
				    'for (@{$_[0]}) { ' . $exprs[$e] .
				    "\n; \$_ = '' if !defined \$_; } }");
		my $ok = eval { $loops[$e]->($job, \@vals); 1; };
		if (!$ok) {
			my $err = $@;
			$err =~ s/\s+\z//;
			put_frame('X' . pack('L<', $e) . $err);
			next;
		}
		put_frame(pack('C (L</a)*', 0, @vals));
		next;
	}
	my ($seq, $slot, $total) = unpack('Q< L< Q<', $req);
	my @all = unpack('x20 L</(L</a) a*', $req);
	my $rest = pop @all;
	set_job($seq, $slot, $total, @all);
	my $out = '';
	my $cur = 0xffffffff;
	my $ok = eval {
		if ($verb eq 'E') {
			my @pairs = unpack('L</(L< L<)', $rest);
			while (@pairs) {
				my ($e, $i) = splice(@pairs, 0, 2);
				$cur = $e;
				local $_ = $Arg::arg[$i];
				$Global::unquote_arg = 0;
				$subs[$e]->($job);
				$_ = '' if !defined $_;
				$out .= pack('C L</a',
					     $Global::unquote_arg ? 1 : 0, "$_");
			}
		} else {
			my $run = 1;
			for my $s (unpack('L</(L</a)', $rest)) {
				no strict;
				no warnings;
				$run &&= eval $s;
			}
			$job->{skip} ||= !$run;
		}
		1;
	};
	if (!$ok) {
		my $err = $@;
		$err =~ s/\s+\z//;
		put_frame('X' . pack('L<', $cur) . $err);
		next;
	}
	put_frame(pack('C', $job->{skip} ? 1 : 0) . $out);
}
