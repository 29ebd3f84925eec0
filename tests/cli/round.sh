#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A whole round with real daemons on loopback, as operators run it: three
# aggregator processes, 52 enterprises in three industries (one below
# min_batch, withheld), every kind of bad upload refused with its own code
# and without touching the sums, the leader and a helper killed with -9 in
# the middle of aggregation and started again, collection by the authority,
# collect-once. The published sums must equal the plaintext exactly, and
# the node of a withheld industry's enterprise learns so from the files.
# Usage: tests/cli/round.sh path/to/spillguard   (SG_TOOLS: the folder of
# the test tools, with forge)
set -uo pipefail

sg=$(realpath "$1")
forge=$(realpath "${SG_TOOLS:-build/tests}/forge")
here=$(dirname "$(realpath "$0")")
no_world=1
. "$here/common.inc"
. "$here/daemons.inc"

# --- the world: keys, data, task ------------------------------------------------

# Four consecutive free loopback ports: three aggregators and a spare.
free_ports 4

"$sg" keygen --role authority --out auth --name city-dept > auth.json
for i in 0 1 2; do "$sg" keygen --role aggregator --out agg$i --name op$i > agg$i.json; done
# industry 1: ent1..ent24 and the forger; 2: ent25..ent48; 3: ent49..ent51
industry_of() { (($1 <= 24)) && echo 1 || { (($1 <= 48)) && echo 2 || echo 3; }; }
roster=""
for i in $(seq 1 51); do
	"$sg" keygen --role enterprise --out ent$i --name ent$i > ent$i.json
	roster+="$(ent_entry ent$i "$(industry_of $i)"), "
done
"$sg" keygen --role enterprise --out forger --name forger > forger.json
roster+="$(ent_entry forger 1)"

cat > task.json <<JSON
{
  "name": "Three industries, daemon test",
  "categories": [
    {"name": "process engineering", "max": "655.35", "decimals": 2},
    {"name": "tooling", "max": 1000, "decimals": 0},
    {"name": "training", "max": "100.0", "decimals": 1}
  ],
  "industries": [{"id": 1, "name": "machining"}, {"id": 2, "name": "textiles"},
                 {"id": 3, "name": "ceramics"}],
  "roster": [$roster],
  "aggregators": [$(agg_entry agg0 $base), $(agg_entry agg1 $((base + 1))), $(agg_entry agg2 $((base + 2)))],
  "min_batch": 5,
  "opens_at": "2026-01-01T00:00:00Z",
  "closes_at": "2099-12-31T23:59:59Z"
}
JSON
task_id=$("$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt |
	sed -n 's/^task \([0-9a-f]*\)$/\1/p')
[[ -n $task_id ]] || { echo "FAIL task create"; exit 1; }

# Enterprise i's knowledge stock, in units of each category's decimals.
units() { echo $(($1 * 125)) $(($1 * 37 % 1000)) $(($1 * 3 % 1000)); }
for i in $(seq 1 51); do
	read -r a b c <<< "$(units $i)"
	printf 'category,value\nprocess engineering,%d.%02d\ntooling,%d\ntraining,%d.%d\n' \
		$((a / 100)) $((a % 100)) "$b" $((c / 10)) $((c % 10)) > ent$i.csv
done
printf 'category,value\ntooling,5\n' > forger.csv

# decimal UNITS DECIMALS: the published text of a sum
decimal() { (($2 == 0)) && echo "$1" || printf '%d.%0*d' $(($1 / 10 ** $2)) "$2" $(($1 % 10 ** $2)); }
expected_sums() { # industry -> "sum sum sum"
	local s=(0 0 0)
	for i in $(seq 1 51); do
		[[ $(industry_of $i) == "$1" ]] || continue
		read -r a b c <<< "$(units $i)"
		s=($((s[0] + a)) $((s[1] + b)) $((s[2] + c)))
	done
	echo "$(decimal ${s[0]} 2) $(decimal ${s[1]} 0) $(decimal ${s[2]} 1)"
}

# --- daemons -----------------------------------------------------------------

start() { start_agg $1 --job-size 8 --peer-timeout-ms 1000; }
submit() {
	"$sg" node submit --task task.sgt --key ent$1/sign.sk --input ent$1.csv \
		--receipt ent$1.receipt > ent$1.out 2>&1
}

spare=tcp://127.0.0.1:$((base + 3))
"$sg" aggregator --task task.sgt --key agg0 --db agg0/store.db --publish nowhere/published \
	2> nowhere.err
rc=$?
[[ $rc == 2 ]] && grep -q "publication folder nowhere/published" nowhere.err &&
	[[ ! -e agg0/store.db ]] && pass "a publication folder that cannot be made: refused at start" ||
	fail "publish folder: rc $rc $(cat nowhere.err)"
for i in 0 1 2; do start $i; done
wait_log agg1.log "event=started" || fail "helper 1 did not start"
"$sg" aggregator --task task.sgt --key agg1 --db agg1/store.db --listen "$spare" 2> twice.err
[[ $? == 2 ]] && grep -q "another daemon is using this store" twice.err &&
	pass "a second daemon on the same store is refused" || fail "same store: $(cat twice.err)"
wait_log agg0.log "event=verify_key_agreed" && pass "the leader grants the verification key" ||
	{ fail "verification key"; cat agg*.log; echo "cli round: the daemons did not start"; exit 1; }

for i in $(seq 1 30); do submit $i || fail "ent$i submit: $(cat ent$i.out)"; done
[[ $(ls ent*.receipt | wc -l) == 30 ]] && pass "30 reports accepted with receipts" ||
	fail "receipts: $(ls ent*.receipt | wc -l)"

# --- every bad upload, each with its own code ---------------------------------

# refused CODE NAME forge-args...: forge's upload is refused with CODE
refused() {
	local code=$1 name=$2 out
	shift 2
	out=$("$forge" "$@" --task task.sgt 2>&1)
	[[ $out == "outcome=refused code=$code "* ]] && pass "$name: refused with code $code" ||
		fail "$name: $out"
}
id1=$(sed -n 's/^accepted: report \([0-9a-f]*\);.*/\1/p' ent1.out)
refused 3 "unregistered enterprise" unregistered
refused 4 "wrong industry" wrong-industry --key ent2/sign.sk
refused 5 "bad signature" bad-signature --key ent3/sign.sk
refused 7 "replayed report id" replay --key ent1/sign.sk --report-id "$id1"
# (ent40 has not submitted yet: for one that has, the second-report check
# comes first, as DESIGN.md §5 orders them)
refused 9 "share sealed to the wrong aggregator" wrong-aggregator --key ent40/sign.sk
refused 2 "report dated outside the window" outside-window --key ent5/sign.sk
refused 6 "malformed bytes" malformed
refused 5 "a report injected by the leader, at helper 1" inject --leader-keys agg0 --helper 1 \
	--enterprise ent6
printf 'category,value\ntooling,999\n' > second.csv
"$sg" node submit --task task.sgt --key ent7/sign.sk --input second.csv > second.out 2>&1
[[ $? == 1 ]] && grep -q "already submitted a report" second.out &&
	pass "a second report from one enterprise: refused (code 8)" || fail "second: $(cat second.out)"
out=$(SG_FORGE_RECEIPT=forger.receipt "$forge" forged-proof --task task.sgt --key forger/sign.sk 2>&1)
[[ $out == "outcome=accepted "* ]] && pass "an out-of-range value with a forged proof is taken in" ||
	fail "forged proof upload: $out"

# a collect order not signed by the authority: refused, and the round stays
# open (the uploads below are still taken)
refused 5 "a collect order signed by an enterprise" collect-now --key ent1/sign.sk

# --- crash in the middle of aggregation -----------------------------------------

wait_log agg0.log "accepted=30 refused=1" || fail "first aggregation"
kill -9 "${pids[2]}"; wait "${pids[2]}" 2>/dev/null
for i in $(seq 31 50); do submit $i || fail "ent$i submit: $(cat ent$i.out)"; done
# ent51 (industry 3) through the node daemon, which keeps its receipt
mkdir tasks && cp task.sgt tasks/
"$sg" node run --key ent51/sign.sk --input ent51.csv --tasks tasks --state state51 --once \
	2> node51.log || fail "ent51 node run: $(cat node51.log)"
wait_log agg0.log "event=aggregation_waiting" || fail "the leader did not notice helper 2 away"
kill -9 "${pids[0]}" "${pids[1]}"; wait "${pids[0]}" "${pids[1]}" 2>/dev/null
status_of 1 > helper1.status
status_of 0 > leader.status
grep -Eq "^in an open job +[1-9]" helper1.status && grep -Eq "^jobs open +[1-9]" leader.status &&
	pass "killed with -9 with a job half done" ||
	fail "no job in flight: $(cat leader.status helper1.status)"

for i in 0 1 2; do start $i; done
"$sg" collect --task task.sgt --authority-key auth/sign.sk --wait 60 > collect.out 2>&1
[[ $? == 0 ]] && grep -q "round published: 52 reports received, 51 accepted, 1 refused" collect.out &&
	pass "restarted, collected and published" || fail "collect: $(cat collect.out)"

# --- the published round -------------------------------------------------------------

pub=agg0/published
for k in 1 2; do
	got=$(grep -o '"sum": "[^"]*"' $pub/industry-$k.json | sed 's/.*: "\(.*\)"/\1/' | tr '\n' ' ')
	want="$(expected_sums $k) "
	[[ $got == "$want" ]] && pass "industry $k: sums equal the plaintext ($want)" ||
		fail "industry $k: got '$got' want '$want'"
	grep -q '"report_count": 24' $pub/industry-$k.json && pass "industry $k: J = 24" ||
		fail "industry $k count"
done
[[ ! -e $pub/industry-3.json ]] && grep -q '"status": "withheld"' $pub/round.json &&
	pass "industry 3 (3 enterprises, min_batch 5) is withheld" || fail "industry 3 published"
counted=0
for i in 0 1 2; do
	status_of $i > s$i.status
	grep -Eq "^accepted +51$" s$i.status && grep -Eq "^refused +1$" s$i.status &&
		grep -Eq "refused, code 10 +1" s$i.status && counted=$((counted + 1)) ||
		echo "aggregator $i counts: $(cat s$i.status)"
done
[[ $counted == 3 ]] && pass "every aggregator: 51 accepted, the forged proof refused (code 10)" ||
	fail "counts differ"

"$sg" audit $pub --task task.sgt --receipt ent30.receipt > audit.out 2>&1
[[ $? == 0 ]] && grep -q "^ok   receipt ent30.receipt (industry 2): report .* was counted" audit.out &&
	pass "the publication passes the offline audit; a receipt's report proved counted" ||
	fail "audit: $(grep -E 'FAIL|verdict' audit.out)"
"$sg" audit $pub --task task.sgt --receipt ent50.receipt > audit51.out 2>&1
[[ $? == 0 ]] && grep -q "^ok   industry 3 (ceramics): withheld by the signed outcome (fewer enterprises than min_batch: not released), and no file publishes it" audit51.out &&
	grep -q "^ok   receipt ent50.receipt (industry 3): not counted: its industry was withheld by the signed outcome" audit51.out &&
	pass "industry 3 withheld by the signed record; ent50's receipt says so" ||
	fail "audit withheld: $(grep -E 'FAIL|verdict|withheld' audit51.out)"
# the forger got a receipt, but its report was refused in aggregation
"$sg" node verify-receipt forger.receipt --published $pub --task task.sgt > forger.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL receipt forger.receipt (industry 1): report [0-9a-f]* was counted" forger.out &&
	grep -q "^verdict: 1 of" forger.out &&
	pass "a receipt whose report was refused in aggregation: not counted, by a publication that verifies" ||
	fail "forger receipt: $(grep -E 'FAIL|verdict' forger.out)"
# a withheld industry cannot be given figures by a file
cp -r $pub claimed && cp claimed/industry-1.pb claimed/industry-3.pb
"$sg" audit claimed --task task.sgt > claimed.out 2>&1
[[ $? == 1 ]] && grep -q "^FAIL industry 3 (ceramics): withheld by the signed outcome" claimed.out &&
	pass "a file for the withheld industry: FAIL" || fail "claimed: $(grep -E 'FAIL|verdict' claimed.out)"
# ent51's node, told where rounds are published, learns its industry was withheld
mkdir rounds && cp -r $pub "rounds/$task_id"
"$sg" node run --key ent51/sign.sk --input ent51.csv --tasks tasks --state state51 --once \
	--published rounds 2> node51b.log
[[ $? == 0 ]] && grep -q "event=withheld task=$task_id report=[0-9a-f]* industry=3" node51b.log &&
	grep -q "industry 3 withheld" "state51/$task_id.withheld" &&
	[[ ! -e state51/$task_id.counted && ! -e state51/$task_id.not-counted ]] &&
	pass "node run --published: industry 3 withheld, kept as the report's outcome" ||
	fail "node run withheld: $(cat node51b.log)"

# --- collect-once ------------------------------------------------------------------

md5sum $pub/* > before.md5
"$sg" collect --task task.sgt --authority-key auth/sign.sk > again.out 2>&1
[[ $? == 0 ]] && grep -q "round published" again.out && md5sum -c --quiet before.md5 &&
	pass "collect again: the round stays as published" || fail "collect again: $(cat again.out)"
root=$(sed -n 's/.*"report_set_root": "\([0-9a-f]*\)".*/\1/p' $pub/industry-1.json)
refused 5 "the same batch collected twice, at helper 2" collect-again --leader-keys agg0 \
	--helper 2 --industry 1 --count 24 --root "$root"

# --- a clean stop ----------------------------------------------------------------------

kill -TERM "${pids[@]}"
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
[[ $rc == 0 ]] && grep -q "event=stopped" agg0.log && pass "SIGTERM stops every daemon cleanly" ||
	fail "stop: rc $rc"
leaked=0
for k in agg*/*.sk; do
	secret=$(tail -n 1 "$k" | cut -c 1-24)
	grep -qF -- "$secret" agg*.log && leaked=1
done
[[ $leaked == 0 ]] && pass "logs hold no secret key" || fail "a secret key is in a log"

echo "cli round: $failures failed"
[[ $failures == 0 ]]
