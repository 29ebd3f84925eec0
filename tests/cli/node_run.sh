#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# 'spillguard node run' with no leader answering (the task's leader endpoint
# has nobody listening): --once exits 2 and keeps the report it built, and
# the next run sends those very bytes again (the same report id) instead of
# a new report. A bad CSV builds nothing, a bad task file is skipped, the
# daemon stops cleanly on SIGTERM; help and usage errors.
# Usage: tests/cli/node_run.sh path/to/spillguard
set -euo pipefail

sg=$(realpath "$1")
. "$(dirname "$(realpath "$0")")/common.inc"

# common.inc's round with a window that is open now
sed -e 's/"opens_at": "[^"]*"/"opens_at": "2026-01-01T00:00:00Z"/' \
	-e 's/"closes_at": "[^"]*"/"closes_at": "2030-01-01T00:00:00Z"/' task.json > open.json
mkdir tasks
id=$("$sg" task create --from open.json --authority-key auth/sign.sk --out tasks/open.sgt |
	sed -n 's/^task \([0-9a-f]*\)$/\1/p')
printf 'category,value\ntooling,5\n' > eek.csv
# one attempt of one second per run keeps the test short
run() { "$sg" node run --tasks tasks --once --attempts 1 --timeout 1 "$@"; }

set +e
run --key ent1/sign.sk --input eek.csv --state state 2>err1.txt
rc=$?
report=$(sed -n 's/.*event=built .*report=\([0-9a-f]\{32\}\).*/\1/p' err1.txt)
[[ $rc == 2 && -n $id && -n $report && -f state/$id.report ]] &&
	grep -q "event=no-reply task=$id report=$report" err1.txt &&
	pass "no reply: exit 2 and STATE/<task id>.report kept" || fail "first run: rc $rc $(cat err1.txt)"
[[ $(stat -c %a state/$id.report) == 600 && $(stat -c %a state) == 700 ]] &&
	pass "the report is 0600 in a 0700 state folder" || fail "modes: $(ls -la state)"
[[ ! -e state/$id.receipt && ! -e state/$id.refused ]] && pass "no outcome recorded" ||
	fail "an outcome without a reply"

cp "state/$id.report" first.report
run --key ent1/sign.sk --input eek.csv --state state 2>err2.txt
rc=$?
[[ $rc == 2 ]] && cmp -s first.report "state/$id.report" &&
	grep -q "event=sending task=$id report=$report" err2.txt && ! grep -q "event=built" err2.txt &&
	pass "a second run sends the same report, unchanged" || fail "second run: rc $rc $(cat err2.txt)"

printf 'category,value\ntooling,-1\n' > bad.csv
run --key ent2/sign.sk --input bad.csv --state state2 2>err.txt
rc=$?
[[ $rc == 2 && ! -e state2/$id.report ]] &&
	grep -q "event=bad-input task=$id error=\"bad.csv:2: value '-1' for category 'tooling': negative value\"" err.txt &&
	pass "a bad row is logged with FILE:LINE and nothing is built" || fail "bad csv: rc $rc $(cat err.txt)"

printf 'not a task' > tasks/junk.sgt
run --key ent1/sign.sk --input eek.csv --state state 2>err.txt
rc=$?
[[ $rc == 2 ]] && grep -q "event=bad-task file=tasks/junk.sgt" err.txt &&
	grep -q "event=sending task=$id report=$report" err.txt &&
	pass "a bad task file is logged and skipped" || fail "junk task: rc $rc $(cat err.txt)"
rm tasks/junk.sgt

run --key ent1/sign.sk --input eek.csv --state state --authority-pk agg1/sign.pk 2>err.txt
[[ $? == 2 ]] && grep -q "event=bad-task file=tasks/open.sgt error=.*another authority" err.txt &&
	! grep -q "event=sending" err.txt && pass "a task from another authority is not served" ||
	fail "authority: $(cat err.txt)"

: > daemon.txt
"$sg" node run --key ent3/sign.sk --input eek.csv --tasks tasks --state state3 --interval 1 \
	--attempts 1 --timeout 1 2>daemon.txt &
pid=$!
for _ in $(seq 100); do grep -q "event=pass " daemon.txt && break; sleep 0.2; done
kill -TERM $pid
wait $pid
rc=$?
[[ $rc == 0 ]] && grep -q "event=stopped" daemon.txt && [[ -f state3/$id.report ]] &&
	pass "the daemon stops on SIGTERM with exit 0, its report kept" || fail "daemon: rc $rc $(cat daemon.txt)"

"$sg" node run --key ent1/sign.sk --input eek.csv --tasks tasks 2>/dev/null
[[ $? == 2 ]] && pass "missing --state is a usage error" || fail "usage"
"$sg" node run --key ent1/sign.sk --input eek.csv --tasks tasks --state s --once --once 2>/dev/null
[[ $? == 2 ]] && pass "a repeated option is refused" || fail "repeat"
"$sg" node run --key ent1/sign.sk --input eek.csv --tasks tasks --state s --interval 0 2>err.txt
[[ $? == 2 ]] && grep -q "interval '0'" err.txt && pass "a bad interval is refused" || fail "interval"
"$sg" node run --key ent1/sign.sk --input eek.csv --tasks tasks --state s extra 2>/dev/null
[[ $? == 2 ]] && pass "a stray argument is refused" || fail "stray"
[[ ! -e s ]] && pass "nothing made on a usage error" || fail "state made"
"$sg" node run --help | grep -q "ID.report" && "$sg" node run --help | grep -q "Exit status" &&
	pass "node run --help" || fail "run --help"
# (read whole: with pipefail, grep -q leaving early can fail a long --help
# with SIGPIPE)
help=$("$sg" node --help)
grep -q "node run" <<<"$help" && pass "node --help" || fail "node --help"
set -e

echo "cli node run: $failures failed"
[[ $failures == 0 ]]
