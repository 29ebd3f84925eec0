#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The audit stands apart from the publisher: a publisher with a bug planted
# in its own code (TSK truncated instead of rounded half up; one unit too
# many in the ISK; see the Makefile's planted section) publishes a demo
# round again, every aggregator's key co-signing its log, and the audit
# linked into the same program - which would certify the bug if it reused
# the publisher's arithmetic - fails, naming the figure's check; so does
# 'spillguard audit' of the folder.
# Usage: tests/cli/planted.sh path/to/spillguard   (SG_TOOLS: the test tools)
set -uo pipefail

sg=$(realpath "$1")
tools=$(realpath "${SG_TOOLS:-build/tests}")
no_world=1
. "$(dirname "$(realpath "$0")")/common.inc"

# 24 TSK figures: the truncation changes some of them
"$sg" demo --enterprises 12 --industries 2 --categories 12 --out d > demo.out 2>&1 ||
	{ echo "FAIL demo: $(tail -n 5 demo.out)"; exit 1; }

# planted NAME CHECK: the planted publisher's round fails CHECK, in its
# own program and in the audit command
planted() {
	rm -rf m && cp -r d m
	"$tools/planted-$1" m > $1.out 2>&1
	local rc=$?
	local changed
	changed=$(sed -n 's/^changed=\([0-9]*\)$/\1/p' $1.out)
	[[ $rc == 1 ]] && ((changed > 0)) && grep -q "^FAIL .*$2" $1.out &&
		pass "planted $1: $changed figures changed, the audit in the same program fails '$2'" ||
		fail "planted $1: rc $rc $(grep -E '^changed|FAIL' $1.out)"
	"$sg" audit m/published > $1.audit 2>&1
	rc=$?
	[[ $rc == 1 ]] && grep -q "^FAIL .*$2" $1.audit && pass "planted $1: spillguard audit fails too" ||
		fail "planted $1 audit: rc $rc $(grep -E 'FAIL|verdict' $1.audit)"
}
planted rounding "TSK_k = S_k / J_k in every category"
planted isk "ISK = the sum of the published TSK_k in every category"
"$sg" audit d/published > clean.out 2>&1 && pass "the round as published: the audit passes" ||
	fail "clean: $(grep -E 'FAIL|verdict' clean.out)"

echo "cli planted: $failures failed"
[[ $failures == 0 ]]
