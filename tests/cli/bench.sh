#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard bench round' still runs a whole round: a small one with
# several senders, every daemon's line printed, its publication audited;
# bad options refused.
# (The figures themselves are recorded in docs/performance.md, not here.)
# Usage: tests/cli/bench.sh path/to/spillguard
set -uo pipefail

sg=$(realpath "$1")
no_world=1
. "$(dirname "$(realpath "$0")")/common.inc"

"$sg" bench round --enterprises 40 --categories 5 --aggregators 3 --senders 3 --job-size 8 \
	--out kept > out.txt 2>&1
rc=$?
[[ $rc == 0 ]] && grep -q "40 reports, 5 categories .* jobs of 8, 3 senders" out.txt &&
	grep -q "^round: *40 reports in" out.txt && [[ $(grep -c "^aggregator [0-2] " out.txt) == 3 ]] &&
	pass "a small round with 3 senders, every daemon measured" ||
	fail "bench round: rc $rc $(tail -n 5 out.txt)"
"$sg" audit kept/published --task kept/task.sgt > audit.txt 2>&1
[[ $? == 0 ]] && grep -q "^verdict: all .* checks passed" audit.txt &&
	pass "--out keeps the round, and its publication passes the audit" ||
	fail "kept round: $(grep -E 'FAIL|verdict' audit.txt)"
for bad in 0 65 x; do
	"$sg" bench round --senders "$bad" > /dev/null 2>err.txt
	[[ $? == 2 ]] && grep -q "senders" err.txt && pass "--senders $bad is refused" ||
		fail "senders $bad: $(cat err.txt)"
done
"$sg" bench round --help | grep -q -- "--senders S" && pass "--help" || fail "--help"

echo "cli bench: $failures failed"
[[ $failures == 0 ]]
