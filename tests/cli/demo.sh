#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard demo' as a new user runs it: a small round that keeps its
# folder, checked against the plaintext; bad options refused.
# Usage: tests/cli/demo.sh path/to/spillguard
set -uo pipefail

sg=$(realpath "$1")
no_world=1
. "$(dirname "$(realpath "$0")")/common.inc"

"$sg" demo --enterprises 12 --industries 2 --categories 3 --aggregators 2 --out kept > out.txt 2>&1
rc=$?
[[ $rc == 0 ]] && grep -q "match the plaintext exactly" out.txt &&
	[[ -f kept/task.sgt && -f kept/published/industry-2.pb && -f kept/published/isk.json ]] &&
	pass "a small round kept in its folder, equal to the plaintext" ||
	fail "demo: rc $rc $(tail -n 5 out.txt)"
"$sg" task show kept/task.sgt | grep -q "12 enterprises\|enterprise-12" &&
	pass "the kept task opens" || fail "kept task"
"$sg" demo --out kept > /dev/null 2>err.txt
[[ $? == 2 ]] && grep -q "exists already" err.txt && pass "an existing --out is refused" ||
	fail "existing out: $(cat err.txt)"
"$sg" demo --aggregators 9 2>/dev/null; [[ $? == 2 ]] && pass "--aggregators 9 is refused" ||
	fail "aggregators 9"
"$sg" demo --help | grep -q -- "--enterprises" && pass "--help" || fail "--help"

echo "cli demo: $failures failed"
[[ $failures == 0 ]]
