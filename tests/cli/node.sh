#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard node submit' as an enterprise meets it before any leader is
# involved: a bad row or a key outside the roster stops it with a plain
# message and exit 2, and usage errors are refused.
# Usage: tests/cli/node.sh path/to/spillguard
set -euo pipefail

sg=$(realpath "$1")
. "$(dirname "$(realpath "$0")")/common.inc"
"$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt >/dev/null

printf 'position,category,value\nwelder,tooling,12\nwelder,process engineering,1.234\n' > sek.csv
set +e
"$sg" node submit --task task.sgt --key ent1/sign.sk --input sek.csv >out.txt 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "sek.csv:3: value '1.234' for category 'process engineering': more decimal places" err.txt &&
	[[ ! -s out.txt ]] && pass "a bad row names FILE:LINE and nothing is sent" ||
	fail "bad row: rc $rc $(cat err.txt)"

printf 'category,value\ntooling,-1\n' > eek.csv
"$sg" node submit --task task.sgt --key ent2/sign.sk --input eek.csv 2>err.txt
[[ $? == 2 ]] && grep -q "eek.csv:2: value '-1' for category 'tooling': negative value" err.txt &&
	pass "a negative value is refused" || fail "negative: $(cat err.txt)"

printf 'category,value\ntooling,5\n' > ok.csv
"$sg" node submit --task task.sgt --key agg1/sign.sk --input ok.csv 2>err.txt
[[ $? == 2 ]] && grep -q "not in the task's roster" err.txt && pass "a key outside the roster" ||
	fail "stranger: $(cat err.txt)"

"$sg" node submit --task task.sgt --key ent1/sign.sk --input ok.csv --authority-pk agg1/sign.pk 2>err.txt
[[ $? == 2 ]] && grep -q "another authority" err.txt && pass "a task from another authority" ||
	fail "authority: $(cat err.txt)"

"$sg" node submit --task task.sgt --input ok.csv 2>/dev/null; [[ $? == 2 ]] &&
	pass "missing --key is a usage error" || fail "usage"
"$sg" node submit --task task.sgt --task task.sgt --key ent1/sign.sk --input ok.csv 2>/dev/null
[[ $? == 2 ]] && pass "a repeated option is refused" || fail "repeat"
"$sg" node submit --help | grep -q "position,category,value" && pass "--help" || fail "--help"
set -e

echo "cli node: $failures failed"
[[ $failures == 0 ]]
