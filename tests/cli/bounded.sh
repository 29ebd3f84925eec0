#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Each category's own bound, proven, over the real daemons: quality (max
# 100) and tooling (max 60000), six enterprises, min_batch 5, three
# aggregators. Five honest nodes send quality 50; a sixth, whose node skips
# its own check, sends quality 60000 with a proof made for that encoding.
# Under one SumVec bound (60000) that report verifies and the publication
# says quality TSK 10041.67; the task's Prio3BoundedSumVec refuses it at
# every aggregator (code 10), it is in no report set, and the publication
# gives quality TSK 50.00 over J = 5, which the audit confirms.
# Usage: tests/cli/bounded.sh path/to/spillguard   (SG_TOOLS: the test tools)
set -uo pipefail

sg=$(realpath "$1")
forge=$(realpath "${SG_TOOLS:-build/tests}/forge")
here=$(dirname "$(realpath "$0")")
no_world=1
. "$here/common.inc"
. "$here/daemons.inc"
free_ports 3

"$sg" keygen --role authority --out auth --name city-dept > auth.json
for i in 0 1 2; do "$sg" keygen --role aggregator --out agg$i --name op$i > agg$i.json; done
roster=""
for i in 1 2 3 4 5 6; do
	"$sg" keygen --role enterprise --out ent$i --name ent$i > ent$i.json
	roster+="$(ent_entry ent$i 1)$( ((i < 6)) && echo ', ')"
done
cat > task.json <<JSON
{
  "name": "Quality and tooling, one bound each",
  "categories": [
    {"name": "quality", "max": 100, "decimals": 0},
    {"name": "tooling", "max": 60000, "decimals": 0}
  ],
  "industries": [{"id": 1, "name": "machining"}],
  "roster": [$roster],
  "aggregators": [$(agg_entry agg0 $base), $(agg_entry agg1 $((base + 1))), $(agg_entry agg2 $((base + 2)))],
  "min_batch": 5,
  "opens_at": "2026-01-01T00:00:00Z",
  "closes_at": "2099-12-31T23:59:59Z"
}
JSON
"$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt > /dev/null ||
	{ echo "FAIL task create"; exit 1; }
show=$("$sg" task show task.sgt)
grep -q "^vdaf  *Prio3BoundedSumVec (0xFFFF0001)" <<<"$show" &&
	pass "categories with different bounds: the task names Prio3BoundedSumVec" ||
	fail "task show: $(grep vdaf <<<"$show")"

for i in 0 1 2; do start_agg $i; done
wait_log agg0.log "event=verify_key_agreed" ||
	{ fail "daemons"; cat agg*.log; echo "cli bounded: the daemons did not start"; exit 1; }

for i in 1 2 3 4 5; do
	printf 'category,value\nquality,50\ntooling,%d\n' $((i * 1000)) > ent$i.csv
	"$sg" node submit --task task.sgt --key ent$i/sign.sk --input ent$i.csv \
		--receipt ent$i.receipt > ent$i.out 2>&1 || fail "ent$i submit: $(cat ent$i.out)"
done
# the sixth enterprise's own node refuses quality 60000 ...
printf 'category,value\nquality,60000\ntooling,1\n' > ent6.csv
"$sg" node submit --task task.sgt --key ent6/sign.sk --input ent6.csv > own.out 2>&1
[[ $? != 0 ]] && grep -q "quality" own.out && pass "an honest node refuses quality 60000 itself" ||
	fail "own check: $(cat own.out)"
# ... so it sends it without its node's check
out=$("$forge" over-bound --task task.sgt --key ent6/sign.sk 2>&1)
forged=$(sed -n 's/^outcome=accepted report=\([0-9a-f]*\)$/\1/p' <<<"$out")
[[ -n $forged ]] && pass "the leader takes in the report (proofs are checked in aggregation)" ||
	fail "forged upload: $out"

"$sg" collect --task task.sgt --authority-key auth/sign.sk --wait 60 > collect.out 2>&1
[[ $? == 0 ]] && grep -q "round published: 6 reports received, 5 accepted, 1 refused" collect.out &&
	pass "collected: 5 accepted, 1 refused" || fail "collect: $(cat collect.out)"
refused=0
for i in 0 1 2; do
	status_of $i > s$i.status
	grep -Eq "^accepted +5$" s$i.status && grep -Eq "^refused +1$" s$i.status &&
		grep -Eq "refused, code 10 +1" s$i.status && refused=$((refused + 1)) ||
		echo "aggregator $i: $(cat s$i.status)"
done
[[ $refused == 3 ]] && pass "all three aggregators refused it: code 10, the validity proof" ||
	fail "aggregator counts"

pub=agg0/published
grep -q '"report_count": 5' $pub/industry-1.json && pass "J = 5" || fail "count: $(cat $pub/industry-1.json)"
quality=$(tr -d ' \n' < $pub/industry-1.json | grep -o '"name":"quality","sum":"[^"]*","tsk":"[^"]*"')
[[ $quality == '"name":"quality","sum":"250","tsk":"50.00"' ]] &&
	pass "quality: sum 250, TSK 50.00" || fail "quality: '$quality'"
# published_with ID: how many published files hold report ID, as hex text or
# as bytes (the report sets)
published_with() {
	for f in $pub/*; do
		# (grep -c reads to the end: with -q, pipefail would see od's SIGPIPE)
		{ od -An -v -tx1 "$f" | tr -d ' \n'; echo; tr -c '[:print:]' '\n' < "$f"; } |
			grep -c "$1"
	done | grep -vc '^0$'
}
honest=$(sed -n 's/^accepted: report \([0-9a-f]*\);.*/\1/p' ent3.out)
[[ -n $honest && $(published_with "$honest") -gt 0 && $(published_with "$forged") == 0 ]] &&
	pass "the refused report is in no report set (an honest one is found the same way)" ||
	fail "report sets: honest '$honest' in $(published_with "$honest"), refused in $(published_with "$forged")"
"$sg" audit $pub --task task.sgt --receipt ent3.receipt > audit.out 2>&1
[[ $? == 0 ]] && grep -q "^verdict: all .* checks passed" audit.out &&
	pass "the publication passes the offline audit" || fail "audit: $(grep -E 'FAIL|verdict' audit.out)"

rc=0
for i in 0 1 2; do stop_agg $i || rc=$?; done
[[ $rc == 0 ]] && pass "the daemons stop on SIGTERM" || fail "stop: rc $rc"

echo "cli bounded: $failures failed"
[[ $failures == 0 ]]
