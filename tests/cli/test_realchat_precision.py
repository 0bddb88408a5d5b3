#!/usr/bin/env python3
"""Labelled precision of the shipped rule sets on real chats (ctest: realchat.precision).

    test_realchat_precision.py --chatqa build/chatqa --source .

Reads rules/labels/realchat.json: for each run, re-scores ../shared/realchat/<input> with the rule set and runs
`chatqa agree <labels> --rescore <rules> <input> --min-precision ITEM=FLOOR ...`; fails when an item's labelled
precision falls below its floor. The real chats are not in the repository: the folder is looked for in
$CHATQA_REALCHAT, then <source>/../shared/realchat, then <source>/../../shared/realchat (a git worktree);
the test is skipped (exit 77) when none exists. Python standard library only.
"""
import argparse
import json
import os
import subprocess
import sys

SKIP = 77


def find_realchat(source):
    candidates = [os.environ.get("CHATQA_REALCHAT", ""),
                  os.path.join(source, "..", "shared", "realchat"),
                  os.path.join(source, "..", "..", "shared", "realchat")]
    for c in candidates:
        if c and os.path.isdir(c):
            return os.path.abspath(c)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatqa", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    source = os.path.abspath(args.source)
    realchat = find_realchat(source)
    if realchat is None:
        print("skipped: no shared/realchat folder (set CHATQA_REALCHAT)")
        return SKIP
    with open(os.path.join(source, "rules", "labels", "realchat.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    failed = 0
    for run in manifest["runs"]:
        data = os.path.join(realchat, run["input"])
        if not os.path.exists(data):
            print("skipped run %s: %s missing" % (run["rules"], data))
            continue
        cmd = [args.chatqa, "agree", os.path.join(source, run["labels"]),
               "--rescore", os.path.join(source, run["rules"]), data, "--format", "json"]
        for item, floor in sorted(run["min_precision"].items()):
            cmd += ["--min-precision", "%s=%s" % (item, floor)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        err = proc.stderr.decode("utf-8", "replace")
        try:
            report = json.loads(proc.stdout.decode("utf-8"))
        except ValueError:
            print("FAIL %s: no JSON from chatqa agree (exit %d): %s" % (run["rules"], proc.returncode, err))
            failed += 1
            continue
        for s in report["rule_sets"]:
            for it in s["items"]:
                if it["precision"] is None:
                    continue
                below = it["precision"] < 0.9
                print("%-20s %-24s failing %5.1f%%  precision %5.1f%% (%d/%d)%s" % (
                    s["name"], it["id"], 100 * it.get("failed_share", 0), 100 * it["precision"], it["right"],
                    it["labelled"], "  below the 90% target" if below else ""))
        if proc.returncode != 0:
            print("FAIL %s (exit %d):\n%s" % (run["rules"], proc.returncode, err))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
