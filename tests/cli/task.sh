#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The task commands as an authority uses them: keys from keygen, a task
# written from their printed public keys, create / show / verify, and the
# refusals a user would meet. Usage: tests/cli/task.sh path/to/spillguard
set -euo pipefail

sg=$(realpath "$1")
. "$(dirname "$(realpath "$0")")/common.inc"

if out=$("$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt) &&
	[[ $out == "task "* ]]; then pass "create prints the task id"; else fail "create"; fi
id=$(echo "$out" | sed -n 's/^task \([0-9a-f]\{64\}\)$/\1/p')
[[ ${#id} == 64 ]] && pass "task id is 64 hex digits" || fail "task id"

show=$("$sg" task show task.sgt)
grep -q "^task        $id" <<<"$show" && grep -q "process engineering *max 655.35" <<<"$show" &&
	grep -q "ent3 *industry 2" <<<"$show" && pass "show prints the task back" || fail "show"
grep -q "^vdaf  *Prio3BoundedSumVec (0xFFFF0001), 2 elements each in \[0, its category's max\]" \
	<<<"$show" && pass "show: categories of different bounds, each proven (BoundedSumVec)" ||
	fail "show vdaf: $(grep '^vdaf' <<<"$show")"

v=$("$sg" task verify task.sgt --authority-pk auth/sign.pk) && [[ $v == "ok task $id"* ]] &&
	pass "verify with the authority's key" || fail "verify"

set +e
"$sg" task verify task.sgt --authority-pk agg1/sign.pk >/dev/null 2>err.txt; rc=$?
[[ $rc == 1 ]] && grep -q "another authority" err.txt && pass "verify refuses another authority" ||
	fail "verify with another key: rc $rc"

cp task.sgt bad.sgt
printf '\x55' | dd of=bad.sgt bs=1 seek=40 conv=notrunc 2>/dev/null
"$sg" task verify bad.sgt --authority-pk auth/sign.pk >/dev/null 2>&1
[[ $? == 1 ]] && pass "a changed byte fails verification" || fail "tampered task accepted"

before=$(sha256sum task.sgt)
"$sg" task create --from task.json --authority-key auth/sign.sk --out task.sgt >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "force" err.txt && [[ $(sha256sum task.sgt) == "$before" ]] &&
	pass "an existing task file is kept without --force" || fail "overwrite: rc $rc"

sed 's/"min_batch": 2/"min_bach": 2/' task.json > typo.json
"$sg" task create --from typo.json --authority-key auth/sign.sk --out typo.sgt >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "typo.json: task: unknown field 'min_bach'" err.txt && [[ ! -e typo.sgt ]] &&
	pass "a misspelt field is named and nothing is written" || fail "typo: rc $rc $(cat err.txt)"

chmod 0640 auth/sign.sk
"$sg" task create --from task.json --authority-key auth/sign.sk --out other.sgt >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "chmod 600" err.txt && pass "a readable secret key is refused" ||
	fail "key mode: rc $rc"
chmod 0600 auth/sign.sk

# Two enterprises of industry 1 at a max of 2^64 - 1 units could sum past
# what a publication holds exactly: refused, saying what would fit.
sed 's/"max": 1000, "decimals": 0/"max": 18446744073709551615, "decimals": 0/' task.json > huge.json
"$sg" task create --from huge.json --authority-key auth/sign.sk --out huge.sgt >/dev/null 2>err.txt
rc=$?
[[ $rc == 2 ]] && [[ ! -e huge.sgt ]] && grep -q "categories\[1\].max: 18446744073709551615 with 2 roster enterprises in industry 1" err.txt &&
	grep -q "at most 1 enterprises per industry at this max, or a max of at most 9223372036854775807" err.txt &&
	pass "a task whose sums could not be published exactly is refused" || fail "huge max: rc $rc $(cat err.txt)"
sed 's/"max": 1000, "decimals": 0/"max": 9223372036854775807, "decimals": 0/' task.json > edge.json
"$sg" task create --from edge.json --authority-key auth/sign.sk --out edge.sgt >/dev/null 2>&1 &&
	pass "the largest max that fits is taken" || fail "edge max refused"

"$sg" task show >/dev/null 2>&1; [[ $? == 2 ]] && pass "missing argument is a usage error" ||
	fail "usage"
"$sg" task show task.sgt extra >/dev/null 2>&1; [[ $? == 2 ]] && pass "stray argument refused" ||
	fail "stray argument"
"$sg" task --help | grep -q "task create" && pass "--help" || fail "--help"
set -e

echo "cli task: $failures failed"
[[ $failures == 0 ]]
