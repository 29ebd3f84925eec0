#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A leader that lies, against real helper daemons: once every report is
# aggregated, the leader's daemon is stopped and the liar tool, holding
# its keys and store, collects the industries and asks each helper to sign
# tree heads of logs that leave a released industry out (called withheld,
# or not named at all), publish nothing, repeat an aggregate, put them out
# of order, or call an industry withheld that reached min_batch. Every
# helper refuses each of them, logging why, and signs the honest head.
# Usage: tests/cli/liar.sh path/to/spillguard   (SG_TOOLS: the test tools)
set -uo pipefail

sg=$(realpath "$1")
liar=$(realpath "${SG_TOOLS:-build/tests}/liar")
here=$(dirname "$(realpath "$0")")
no_world=1
. "$here/common.inc"
. "$here/daemons.inc"

free_ports 3
"$sg" keygen --role authority --out auth --name city > auth.json
for i in 0 1 2; do "$sg" keygen --role aggregator --out agg$i --name op$i > agg$i.json; done
# industries 1, 2, 3: three enterprises each; 4: one (below min_batch)
roster=""
for i in $(seq 1 10); do
	"$sg" keygen --role enterprise --out ent$i --name ent$i > ent$i.json
	roster+="$(ent_entry ent$i $(((i - 1) / 3 + 1)))"
	((i < 10)) && roster+=", "
	printf 'category,value\ntooling,%d\n' $((i * 7)) > ent$i.csv
done
cat > task.json <<JSON
{
  "name": "A leader that lies",
  "categories": [{"name": "tooling", "max": 1000, "decimals": 0}],
  "industries": [{"id": 1, "name": "machining"}, {"id": 2, "name": "textiles"},
                 {"id": 3, "name": "ceramics"}, {"id": 4, "name": "glass"}],
  "roster": [$roster],
  "aggregators": [$(agg_entry agg0 $base), $(agg_entry agg1 $((base + 1))), $(agg_entry agg2 $((base + 2)))],
  "min_batch": 3,
  "opens_at": "2026-01-01T00:00:00Z",
  "closes_at": "2099-12-31T23:59:59Z"
}
JSON
"$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt >/dev/null ||
	{ echo "FAIL task create"; exit 1; }
for i in 0 1 2; do start_agg $i --job-size 4; done
wait_log agg0.log "event=verify_key_agreed" ||
	{ cat agg*.log; echo "cli liar: the daemons did not start"; exit 1; }
for i in $(seq 1 10); do
	"$sg" node submit --task task.sgt --key ent$i/sign.sk --input ent$i.csv \
		--receipt ent$i.receipt > ent$i.out 2>&1 || fail "ent$i submit: $(cat ent$i.out)"
done
wait_status 0 "^accepted +10$" && pass "every report aggregated" || fail "aggregation"
stop_agg 0 && pass "the leader's daemon stops" || fail "leader stop"

"$liar" --task task.sgt --leader-keys agg0 --leader-db agg0/store.db > liar.out 2> liar.err ||
	fail "liar: $(cat liar.err)"
for lie in subset unlisted empty repeat unsorted unreleased; do
	[[ $(grep -c "^lie=$lie helper=[12] outcome=refused$" liar.out) == 2 ]] &&
		pass "both helpers refuse to sign a log that lies ($lie)" ||
		fail "$lie: $(grep "lie=$lie " liar.out)"
done
[[ $(grep -c "^lie=honest helper=[12] outcome=signed$" liar.out) == 2 ]] &&
	pass "both helpers sign the honest log after refusing the lies" ||
	fail "honest: $(cat liar.out)"
for i in 1 2; do
	grep -q 'event=tree_head_refused reason="industry 1 was released by this aggregator but is not published"' agg$i.log &&
		grep -q 'event=tree_head_refused reason="industry 3 is called withheld, but this aggregator released it or holds at least min_batch reports of it"' agg$i.log &&
		grep -q 'event=tree_head_refused reason="log: leaf 3 is industry 2 (textiles).s aggregate, in the task.s industry order, no industry twice"' agg$i.log &&
		pass "helper $i logs why it refused" || fail "helper $i log: $(grep tree_head agg$i.log)"
done

for i in 1 2; do stop_agg $i && pass "helper $i stops cleanly" || fail "helper $i exit status"; done

echo "cli liar: $failures failed"
[[ $failures == 0 ]]
