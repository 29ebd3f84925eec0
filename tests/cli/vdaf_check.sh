#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard vdaf-check' on BoundedSumVec's vectors (tests/vectors/, made
# by the draft's reference implementation extended with the circuit): all
# pass, and a copy with one byte changed - in a share, a verifier share, an
# aggregate share, the result, a bound - fails, naming the operation.
# Usage: tests/cli/vdaf_check.sh path/to/spillguard
set -uo pipefail

sg=$(realpath "$1")
vectors=$(realpath "$(dirname "$(realpath "$0")")/../vectors")
no_world=1
. "$(dirname "$(realpath "$0")")/common.inc"

n=$(ls "$vectors"/Prio3BoundedSumVec*.json | wc -l)
"$sg" vdaf-check "$vectors" > all.txt 2>&1
[[ $? == 0 && $n -ge 10 ]] && grep -q "^$n passed, 0 failed$" all.txt &&
	! grep -q "^skip" all.txt && pass "all $n BoundedSumVec vector files pass" ||
	fail "vdaf-check $vectors: $(grep -v '^ok' all.txt)"

# flip FILE KEY N: the N-th value after "KEY" (a hex string: its first
# digit; a number: its last digit) changed, in place. Values are the
# file's one-per-line strings and numbers, the key's own line included
# when it holds one.
flip() {
	awk -v key="\"$2\":" -v n="$3" '
		function change() {
			if (match($0, /"[0-9a-f]/)) {
				c = substr($0, RSTART + 1, 1)
				$0 = substr($0, 1, RSTART) (c == "0" ? "1" : "0") substr($0, RSTART + 2)
			} else if (match($0, /[0-9],?$/)) {
				c = substr($0, RSTART, 1)
				$0 = substr($0, 1, RSTART - 1) (c == "9" ? "8" : c + 1) substr($0, RSTART + 1)
			}
			done = 1
		}
		!done && on && (/^ *"[0-9a-f]*",?$/ || /^ *[0-9]+,?$/) { if (++seen == n) change() }
		!done && !on && index($0, key) {
			on = 1
			if ($0 ~ /: *("[0-9a-f]*"|[0-9]+),?$/ && ++seen == n) change()
		}
		{ print }' "$1" > "$1.new" && ! cmp -s "$1" "$1.new" && mv "$1.new" "$1"
}

# tampered NAME FILE KEY N OPERATION: a copy of FILE with KEY's N-th value
# flipped must fail at OPERATION.
tampered() {
	mkdir -p "t-$1"
	cp "$vectors/$2" "t-$1/$2"
	if ! flip "t-$1/$2" "$3" "$4"; then
		fail "$1: nothing to change at $3 #$4"
		return
	fi
	"$sg" vdaf-check "t-$1" > out.txt 2>&1
	local rc=$?
	[[ $rc == 1 ]] && grep -q "^FAIL $2: $5" out.txt && grep -q "^0 passed, 1 failed$" out.txt &&
		pass "$1 fails at $5" || fail "$1: rc $rc $(head -n 3 out.txt)"
}

tampered "leader input share" Prio3BoundedSumVec_1.json input_shares 1 "shard report 0 aggregator 0"
tampered "helper input share" Prio3BoundedSumVec_1.json input_shares 3 "shard report 0 aggregator 2"
tampered "public share" Prio3BoundedSumVec_0.json public_share 1 "shard report 0"
tampered "verifier share" Prio3BoundedSumVecWithMultiproof_1.json verifier_shares 2 \
	"verify_init report 0 aggregator 1"
tampered "output share" Prio3BoundedSumVec_2.json out_shares 1 "verify_next report 0 aggregator 0"
tampered "aggregate share" Prio3BoundedSumVec_0.json agg_shares 2 "aggregate aggregator 1"
tampered "result" Prio3BoundedSumVec_1.json agg_result 2 "unshard: element 1"
# 100 -> 101: quality 50 encodes alike, but decodes with another last weight
tampered "a bound" Prio3BoundedSumVec_0.json max_measurements 1 "verify_next report 0 aggregator 0"
tampered "refused report's share" Prio3BoundedSumVec_bad_meas_over_bound.json input_shares 1 \
	"verify_init report 0 aggregator 0"

echo "cli vdaf_check: $failures failed"
[[ $failures == 0 ]]
