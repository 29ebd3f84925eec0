#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard audit' over a kept demo publication: the untouched folder
# passes every check; each kind of tampering (tests/tools/tamper.c, or a
# flipped byte) makes it exit 1 and name the check that failed.
# Usage: tests/cli/audit.sh path/to/spillguard   (SG_TOOLS: tamper's folder)
set -uo pipefail

sg=$(realpath "$1")
tamper=$(realpath "${SG_TOOLS:-build/tests}/tamper")
no_world=1
. "$(dirname "$(realpath "$0")")/common.inc"

"$sg" demo --enterprises 12 --industries 2 --categories 3 --out d > demo.out 2>&1 ||
	{ echo "FAIL demo: $(tail -n 5 demo.out)"; exit 1; }
"$sg" audit d/published > clean.out 2>&1
rc=$?
[[ $rc == 0 ]] && grep -q "^verdict: all 31 checks passed" clean.out && ! grep -q "^FAIL" clean.out &&
	pass "the untouched publication: every check passes (task found beside it)" ||
	fail "clean: rc $rc $(cat clean.out)"
"$sg" audit d/published --json out.json --csv out.csv > /dev/null 2>&1
tsk1=$(sed -n 's/.*"tsk": "\([0-9.]*\)".*/\1/p' d/published/industry-1.json | head -n 1)
grep -q '"verdict": "verified"' out.json && [[ $(grep -c '"result": "ok"' out.json) == 31 ]] &&
	[[ $(wc -l < out.csv) == 10 ]] && grep -q "^TSK,1,\"industry-1\",\"category-1\",6,[0-9.]*,$tsk1$" out.csv &&
	[[ $(grep -c "^ISK," out.csv) == 3 ]] && pass "--json and --csv: the checks, the TSK and the ISK" ||
	fail "json/csv: $(head -n 3 out.csv)"
"$sg" audit d/published --html page.html > /dev/null 2>&1
[[ $? == 0 ]] && grep -q "Verified: every figure below checks" page.html &&
	[[ $(grep -o "<rect " page.html | wc -l) == 6 ]] && grep -q "$tsk1" page.html &&
	! grep -Eq "<script|src=|<link|@import|url\(" page.html &&
	pass "--html: one page, bars per industry and category, no script or outside file" ||
	fail "html"
"$sg" audit d/published --task d/task.sgt --authority-pk d/authority/sign.pk > /dev/null 2>&1 &&
	pass "--task and --authority-pk" || fail "authority-pk"
"$sg" audit d/published --task d/task.sgt --authority-pk d/agg-0/sign.pk > other.out 2>&1
[[ $? == 2 ]] && grep -q "another authority" other.out && pass "a task of another authority: refused" ||
	fail "other authority: $(cat other.out)"

# expect NAME TAMPER-ARGS... -- CHECK: a fresh copy, tampered, fails CHECK
expect() {
	local name=$1 check
	shift
	local args=()
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	check=$2
	rm -rf t && cp -r d t
	"$tamper" "${args[@]}" || { fail "$name: tamper failed"; return; }
	"$sg" audit t/published --task t/task.sgt --json t.json > t.out 2>&1
	local rc=$?
	[[ $rc == 1 ]] && grep -q "^FAIL .*$check" t.out && grep -q "^verdict: .* FAILED" t.out &&
		grep -q '"verdict": "failed"' t.json &&
		pass "$name: exit 1, FAIL $check" || fail "$name: rc $rc $(grep -E 'FAIL|verdict' t.out)"
}
expect "a sum changed" sum t/published/industry-1.pb -- "industry 1.*S_k equals the aggregate shares"
expect "a TSK changed" tsk t/published/industry-2.pb -- "industry 2.*TSK_k = S_k / J_k"
expect "an aggregate below min_batch" count 2 t/published/industry-1.pb -- "J_k = 2 is at least min_batch 3"
expect "the report set changed" root t/published/industry-1.pb -- "aggregator 0 .* signed its share"
expect "a share missing" drop-share t/published/industry-2.pb -- "one aggregate share from each"
expect "a forged signature" signature 1 t/published/industry-1.pb -- "aggregator 1 (operator-1) signed"
expect "an ISK changed" isk t/published/isk.pb -- "ISK = the sum of the published TSK_k"
expect "an industry left out of the ISK" isk-drop t/published/isk.pb -- "ISK: over exactly the 2 industries"
expect "a report removed from a report set" drop-report t/published/industry-2.reports.pb -- \
	"industry 2.*the report set lists J_k report ids"
expect "a forged signature on the log's tree head" log-sig 2 t/published/log.pb -- \
	"log: aggregator 2 (operator-2) signed the tree head"
expect "a log leaf changed" log-leaf 1 t/published/log.pb -- \
	"log: industry 1's aggregate is in the log"

rm -rf t && cp -r d t && "$tamper" sum t/published/industry-1.pb
"$sg" audit t/published --task t/task.sgt --html bad.html > /dev/null 2>&1
[[ $? == 1 ]] && grep -q "NOT verified" bad.html && grep -q 'class="check fail">FAIL' bad.html &&
	pass "--html of a tampered publication says NOT verified and lists the failure" ||
	fail "bad html"

# a flipped byte anywhere in an aggregate file is caught by some check
caught=0
size=$(stat -c %s d/published/industry-1.pb)
for off in 3 $((size / 4)) $((size / 2)) $((size * 3 / 4)) $((size - 2)); do
	rm -rf t && cp -r d t
	b=$(od -An -tu1 -j "$off" -N1 t/published/industry-1.pb | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of=t/published/industry-1.pb bs=1 seek="$off" conv=notrunc 2>/dev/null
	"$sg" audit t/published --task t/task.sgt > t.out 2>&1
	[[ $? == 1 ]] && grep -q "^FAIL industry 1" t.out && caught=$((caught + 1))
done
[[ $caught == 5 ]] && pass "a byte flipped at 5 places of an aggregate: each caught" ||
	fail "flipped bytes: $caught of 5 caught"
# two tree heads of the log: the same history is consistent; another
# history, validly signed by every aggregator (a split view), is not
cp d/published/log.pb earlier.pb
"$sg" audit d/published --previous-log earlier.pb > prev.out 2>&1
[[ $? == 0 ]] && grep -q "^ok   log: the current tree head extends the earlier one" prev.out &&
	pass "--previous-log: the same history is consistent" || fail "previous: $(grep -E 'FAIL|verdict' prev.out)"
cp d/published/log.pb fork.pb
"$tamper" log-fork d fork.pb
"$sg" audit d/published --previous-log fork.pb > fork.out 2>&1
[[ $? == 1 ]] && grep -q "^ok   log: the earlier tree head is this task's, signed by every" fork.out &&
	grep -q "^FAIL log: the current tree head extends the earlier one" fork.out &&
	pass "two inconsistent tree heads, both signed by every aggregator: FAIL consistency" ||
	fail "fork: $(grep -E 'FAIL|verdict' fork.out)"

rm -rf t && cp -r d t && rm t/published/log.pb
"$sg" audit t/published --task t/task.sgt > t.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL log: log.pb is there" t.out && pass "a missing log" || fail "no log"
rm t/published/isk.pb
"$sg" audit t/published --task t/task.sgt > t.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL ISK: isk.pb is there" t.out && pass "a missing ISK" || fail "no isk"
"$sg" audit 2>/dev/null; [[ $? == 2 ]] && pass "no folder: a usage error" || fail "usage"
"$sg" audit --help | grep -q "TSK_k = S_k / J_k" && pass "--help" || fail "--help"

echo "cli audit: $failures failed"
[[ $failures == 0 ]]
