#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard audit' over a kept demo publication: the untouched folder
# passes every check; each kind of tampering (tests/tools/tamper.c, or a
# flipped byte, a file removed, renamed or of another round, an edited
# view) makes it exit 1 and name the check that failed. With tamper's
# --record the change is made in the log too and co-signed with every
# aggregator's key, as a publisher with a bug would publish it: the audit's
# own checks of the figures must still catch it.
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
[[ $rc == 0 ]] && grep -q "^verdict: all 41 checks passed" clean.out && ! grep -q "^FAIL" clean.out &&
	pass "the untouched publication: every check passes (task found beside it)" ||
	fail "clean: rc $rc $(cat clean.out)"
"$sg" audit d/published --json out.json --csv out.csv > /dev/null 2>&1
tsk1=$(sed -n 's/.*"tsk": "\([0-9.]*\)".*/\1/p' d/published/industry-1.json | head -n 1)
grep -q '"verdict": "verified"' out.json && [[ $(grep -c '"result": "ok"' out.json) == 41 ]] &&
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
[[ $? == 1 ]] && grep -q "^FAIL task: its authority is the one given (d/agg-0/sign.pk): it was signed by another authority" other.out &&
	grep -q "^verdict: 1 of 42 checks FAILED" other.out &&
	pass "--authority-pk of another authority: a FAIL line, exit 1" ||
	fail "other authority: $(cat other.out)"
"$sg" demo --enterprises 6 --industries 1 --categories 1 --out e > demo2.out 2>&1 ||
	{ echo "FAIL second demo: $(tail -n 5 demo2.out)"; exit 1; }
"$sg" audit d/published --task e/task.sgt > mixed.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL log: the publication is of task [0-9a-f]\{64\} ('spillguard demo round'), not of the task given ([0-9a-f]\{64\} 'spillguard demo round')" mixed.out &&
	pass "another round's task: FAIL, naming the task the publication is of" ||
	fail "mixed task: $(grep -E 'FAIL|verdict' mixed.out)"
mkdir empty
"$sg" audit empty --task d/task.sgt > empty.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL log.pb: present" empty.out && grep -q "^FAIL round.pb: present" empty.out &&
	grep -q "^FAIL isk.pb: present" empty.out && pass "an empty folder: FAIL, exit 1" ||
	fail "empty: $(cat empty.out)"

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
# in the record too, co-signed by every aggregator: the figures' own checks
expect "a sum changed" --record t sum t/published/industry-1.pb -- "industry 1 .*S_k equals the aggregate shares"
expect "a TSK changed" --record t tsk t/published/industry-2.pb -- "industry 2 .*TSK_k = S_k / J_k"
expect "an aggregate below min_batch" --record t count 2 t/published/industry-1.pb -- "J_k = 2 is at least min_batch 3"
expect "the report set changed" --record t root t/published/industry-1.pb -- "aggregator 0 .* signed its share"
expect "a share missing" --record t drop-share t/published/industry-2.pb -- "one aggregate share from each"
expect "a forged signature" --record t signature 1 t/published/industry-1.pb -- "aggregator 1 (operator-1) signed"
expect "an ISK changed" --record t isk t/published/isk.pb -- "ISK = the sum of the published TSK_k"
expect "an industry left out of the ISK" --record t isk-drop t/published/isk.pb -- "ISK: over exactly the 2 industries"
# the files only: they no longer are what the log records
expect "an aggregate file changed" sum t/published/industry-1.pb -- "industry-1.pb differs from the log's leaf 1"
expect "the ISK file changed" isk t/published/isk.pb -- "isk.pb differs from the log's leaf 4"
expect "a report removed from a report set" drop-report t/published/industry-2.reports.pb -- \
	"industry 2 .*the report set lists J_k report ids"
expect "a forged signature on the log's tree head" log-sig 2 t/published/log.pb -- \
	"log: aggregator 2 (operator-2) signed the tree head"
expect "a log leaf changed" log-leaf 1 t/published/log.pb -- \
	"log: the tree head's size and root are its 5 leaves'"

# expect_edit NAME CHECK -- COMMAND...: a fresh copy changed by COMMAND (run
# in it) fails CHECK
expect_edit() {
	local name=$1 check=$2
	shift 3
	rm -rf t && cp -r d t
	(cd t/published && "$@") || { fail "$name: the edit failed"; return; }
	"$sg" audit t/published --task t/task.sgt > t.out 2>&1
	local rc=$?
	[[ $rc == 1 ]] && grep -q "^FAIL .*$check" t.out && pass "$name: exit 1, FAIL $check" ||
		fail "$name: rc $rc $(grep -E 'FAIL|verdict' t.out)"
}
expect_edit "a TSK edited in a view" "industry-1.json shows exactly the signed aggregate: categories\[0\].tsk is" -- \
	sed -i '0,/"tsk": "/s/"tsk": "\([0-9]\)/"tsk": "9\1/' industry-1.json
expect_edit "a sum edited in a view" "industry-2.json shows exactly the signed aggregate: categories\[0\].sum is '1" -- \
	sed -i '0,/"sum": "/s//"sum": "1/' industry-2.json
expect_edit "an ISK edited in its view" "isk.json shows exactly the signed ISK: categories\[0\].isk" -- \
	sed -i '0,/"isk": "/s/"isk": "\([0-9]\)/"isk": "8\1/' isk.json
expect_edit "an industry called withheld in round.json" "round.json shows exactly the signed outcome" -- \
	sed -i '0,/"status": "published"/s//"status": "withheld"/' round.json
expect_edit "a view removed" "industry-2.json shows exactly the signed aggregate: missing" -- rm industry-2.json
expect_edit "a published industry's aggregate removed" "industry-2.pb is missing: the record holds it as the log's leaf 2" -- \
	rm industry-2.pb
expect_edit "round.pb removed" "round.pb is missing" -- rm round.pb
expect_edit "industry 1's files renamed as industry 2's" "industry-2.pb differs from the log's leaf 2" -- \
	sh -c 'for e in pb json reports.pb; do mv industry-1.$e industry-2.$e; done'
expect_edit "an aggregate of another round" "industry-1.pb differs from the log's leaf 1" -- \
	cp ../../e/published/industry-1.pb industry-1.pb
expect_edit "a file for an industry the task does not have" "industry-9.pb (or another file of industry 9): industry 9 is not in this task" -- \
	cp industry-1.pb industry-9.pb

rm -rf t && cp -r d t && "$tamper" --record t sum t/published/industry-1.pb
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
	[[ $? == 1 ]] && grep -q "^FAIL industry-1.pb differs from the log's leaf 1" t.out && caught=$((caught + 1))
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
[[ $? == 1 ]] && grep -q "^FAIL log.pb: present" t.out && pass "a missing log" || fail "no log"
rm -rf t && cp -r d t && rm t/published/isk.pb
"$sg" audit t/published --task t/task.sgt > t.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL isk.pb is missing: the record holds it as the log's leaf 4" t.out &&
	pass "a missing ISK" || fail "no isk"
"$sg" audit 2>/dev/null; [[ $? == 2 ]] && pass "no folder: a usage error" || fail "usage"
"$sg" audit --help | grep -q "TSK_k = S_k / J_k" && pass "--help" || fail "--help"

echo "cli audit: $failures failed"
[[ $failures == 0 ]]
