#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A round that closes by its clock: a task whose window ends a few seconds
# from now, two aggregator daemons, four enterprises. Uploads are taken
# while it is open; once closes_at has passed the leader collects and
# publishes without any order, and an upload after that is refused with
# code 2 (outside the window).
# Usage: tests/cli/close.sh path/to/spillguard
set -uo pipefail

sg=$(realpath "$1")
tamper=$(realpath "${SG_TOOLS:-build/tests}/tamper")
here=$(dirname "$(realpath "$0")")
no_world=1
. "$here/common.inc"
. "$here/daemons.inc"

free_ports 2
"$sg" keygen --role authority --out auth --name city > auth.json
for i in 0 1; do "$sg" keygen --role aggregator --out agg$i --name op$i > agg$i.json; done
for i in 1 2 3 4 5; do "$sg" keygen --role enterprise --out ent$i --name ent$i > ent$i.json; done
now=$(date +%s)
closes=$((now + 8))
cat > task.json <<JSON
{
  "name": "Closes by itself",
  "categories": [{"name": "tooling", "max": 1000, "decimals": 0}],
  "industries": [{"id": 1, "name": "machining"}],
  "roster": [$(ent_entry ent1 1), $(ent_entry ent2 1), $(ent_entry ent3 1), $(ent_entry ent4 1), $(ent_entry ent5 1)],
  "aggregators": [$(agg_entry agg0 $base), $(agg_entry agg1 $((base + 1)))],
  "min_batch": 2,
  "opens_at": $((now - 60)),
  "closes_at": $closes
}
JSON
"$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt >/dev/null ||
	{ echo "FAIL task create"; exit 1; }
"$sg" aggregator --task task.sgt --key agg0 --db agg0/store.db 2>agg0.log &
pids[0]=$!
# the helper from a config file (the command line would win over it)
cat > agg1.conf <<CONF
# helper of the round
task = task.sgt
key  = agg1
db   = agg1/store.db
CONF
printf 'task = task.sgt\nkye = agg1\n' > typo.conf
"$sg" aggregator --config typo.conf 2>typo.err
[[ $? == 2 ]] && grep -q "typo.conf:2: expected 'name = value'" typo.err &&
	pass "a config file with an unknown name: refused with FILE:LINE" || fail "typo: $(cat typo.err)"
"$sg" keygen --role aggregator --out stranger --name stranger > stranger.json
"$sg" aggregator --task task.sgt --key stranger --db stranger.db 2>stranger.err
[[ $? == 2 ]] && grep -q "these keys are not one of the task's 2 aggregators" stranger.err &&
	[[ ! -e stranger.db ]] && pass "keys the task does not name: refused, no store made" ||
	fail "stranger: $(cat stranger.err)"
"$sg" aggregator --config agg1.conf 2>agg1.log &
pids[1]=$!
for _ in $(seq 1 100); do
	grep -q "event=started" agg0.log 2>/dev/null && grep -q "event=started" agg1.log 2>/dev/null &&
		break
	sleep 0.1
done
grep -q "event=started" agg0.log && grep -q "event=started" agg1.log ||
	{ fail "daemons"; cat agg0.log agg1.log; echo "cli close: the daemons did not start"; exit 1; }

for i in 1 2 3; do
	printf 'category,value\ntooling,%d\n' $((i * 10)) > ent$i.csv
	"$sg" node submit --task task.sgt --key ent$i/sign.sk --input ent$i.csv \
		--receipt ent$i.receipt > ent$i.out 2>&1 || fail "ent$i: $(cat ent$i.out)"
done
# the fourth through the node daemon, one pass
mkdir -p tasks && cp task.sgt tasks/
printf 'category,value\ntooling,40\n' > ent4.csv
"$sg" node run --key ent4/sign.sk --input ent4.csv --tasks tasks --state state4 --once \
	2> node4.log
rc=$?
[[ $rc == 0 ]] && ls state4/*.receipt > /dev/null 2>&1 && pass "node run --once: accepted, receipt kept" ||
	fail "node run: rc $rc $(tail -n 3 node4.log)"
[[ $(ls ent*.receipt state4/*.receipt 2>/dev/null | wc -l) == 4 ]] &&
	pass "four uploads taken while the task is open" || fail "receipts"

# after closes_at: published by the clock alone
for _ in $(seq 1 150); do
	grep -q "event=round_published" agg0.log && break
	sleep 0.1
done
(($(date +%s) > closes)) && grep -q "event=round_published" agg0.log &&
	! grep -q "collect_ordered" agg0.log && pass "published at closes_at, without an order" ||
	fail "not published by the clock: $(tail -n 3 agg0.log)"
grep -q '"sum": "100"' agg0/published/industry-1.json && pass "the sum is exact (10+20+30+40)" ||
	fail "sum: $(cat agg0/published/industry-1.json)"

# an enterprise proves its report was counted, from its receipt and the files
"$sg" audit agg0/published --task task.sgt --receipt ent1.receipt --receipt ent2.receipt \
	--receipt ent3.receipt > counted.out 2>&1
[[ $? == 0 ]] && grep -q "^ok   receipt ent2.receipt (industry 1): report .* was counted (inclusion proof" counted.out &&
	[[ $(grep -c "was counted" counted.out) == 3 ]] &&
	pass "three receipts' reports proved counted by inclusion proofs" ||
	fail "counted: $(grep -E 'FAIL|verdict' counted.out)"
id2=$(sed -n 's/^accepted: report \([0-9a-f]*\);.*/\1/p' ent2.out)
cp -r agg0/published dropped
"$tamper" drop-report "$id2" dropped/industry-1.reports.pb
"$sg" node verify-receipt ent2.receipt --published dropped --task task.sgt > dropped.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL receipt ent2.receipt (industry 1): report $id2 was counted" dropped.out &&
	pass "node verify-receipt: a report dropped from the set is not proved counted" ||
	fail "dropped: $(grep -E 'FAIL|verdict' dropped.out)"
# the enterprise's page: its own figures beside its industry's mean
"$sg" node report --input ent2.csv --receipt ent2.receipt --published agg0/published \
	--task task.sgt --html me.html > me.out 2>&1
[[ $? == 0 ]] && grep -q "^counted: report" me.out && grep -q ">20</text>" me.html &&
	grep -q ">25.00</text>" me.html && ! grep -Eq "<script|src=|<link" me.html &&
	pass "node report: own EEK (20) beside the industry's TSK (25.00), report counted" ||
	fail "node report: $(cat me.out)"

# node run, given where rounds are published, proves its own report counted
mkdir -p rounds && cp -r agg0/published "rounds/$(ls state4/*.receipt | sed 's|.*/||; s|\.receipt$||')"
"$sg" node run --key ent4/sign.sk --input ent4.csv --tasks tasks --state state4 --once \
	--published rounds 2> node4b.log
[[ $? == 0 ]] && grep -q "event=counted" node4b.log && ls state4/*.counted > /dev/null 2>&1 &&
	pass "node run --published: its report proved counted, kept in the state" ||
	fail "node run counted: $(cat node4b.log)"
id4=$(sed -n 's/.*report \([0-9a-f]*\) counted.*/\1/p' state4/*.counted)
rm state4/*.counted
"$tamper" drop-report "$id4" rounds/*/industry-1.reports.pb
"$sg" node run --key ent4/sign.sk --input ent4.csv --tasks tasks --state state4 --once \
	--published rounds 2> node4c.log
grep -q "event=publication-unverified .*check=\"the publication does not verify: industry 1 (machining): the report set lists J_k report ids" node4c.log &&
	! ls state4/*.counted state4/*.not-counted state4/*.withheld > /dev/null 2>&1 &&
	pass "node run --published: a report set that is not the signed one is logged, and nothing decided" ||
	fail "node run unverified: $(cat node4c.log)"
# its industry's files gone (a leader that did not publish them): not
# "withheld" - only the signed record says that - but unverified
rm rounds/*/industry-1.*
"$sg" node run --key ent4/sign.sk --input ent4.csv --tasks tasks --state state4 --once \
	--published rounds 2> node4d.log
grep -q "event=publication-unverified .*industry-1.pb is missing" node4d.log &&
	! ls state4/*.withheld state4/*.not-counted state4/*.counted > /dev/null 2>&1 &&
	pass "node run --published: a missing aggregate is not taken for a withheld industry" ||
	fail "node run missing file: $(cat node4d.log)"
printf 'category,value\ntooling,5\n' > ent5.csv
"$sg" node submit --task task.sgt --key ent5/sign.sk --input ent5.csv > late.out 2>&1
[[ $? == 1 ]] && grep -q "not open for submissions" late.out &&
	pass "an upload after closes_at: refused (code 2)" || fail "late upload: $(cat late.out)"

rc=0
for i in 0 1; do stop_agg $i || rc=$?; done
[[ $rc == 0 ]] && pass "both daemons stop on SIGTERM" || fail "stop: rc $rc"

echo "cli close: $failures failed"
[[ $failures == 0 ]]
