#!/usr/bin/env python3
"""Co-process mode: one `chatqa score` process kept by a backend, sessions
sent one at a time through a pipe, each report read back before the next
session is sent. Reports must be byte-identical to a batch run.

  test_coprocess.py --chatqa build/chatqa --source-dir .
"""
import argparse
import os
import select
import subprocess
import sys

EXAMPLES = [
    ("rules/zh-CN/online-chat.json", "examples/chats/zh-CN/online.jsonl"),
    ("rules/en-US/support.json", "examples/chats/en-US/support.jsonl"),
]


def read_line(proc, timeout):
    """One line of the co-process's stdout, or None if none comes in time."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        return None
    return proc.stdout.readline()


def run(chatqa, source_dir, rules, chats, args):
    with open(os.path.join(source_dir, chats), "rb") as f:
        sessions = [line for line in f if line.strip()]
    batch = subprocess.run([chatqa, "score", "-r", rules, chats], cwd=source_dir, check=True,
                           stdout=subprocess.PIPE).stdout.splitlines(keepends=True)
    proc = subprocess.Popen([chatqa, "score", "-r", rules] + args + ["-"], cwd=source_dir,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    got = []
    for i, session in enumerate(sessions):
        proc.stdin.write(session)
        proc.stdin.flush()
        line = read_line(proc, 20)
        if line is None:
            proc.kill()
            sys.exit("%s %s: no report for session %d before the next was sent" % (args, chats, i + 1))
        got.append(line)
    proc.stdin.close()
    rest = proc.stdout.read()
    code = proc.wait()
    if rest or code != 0:
        sys.exit("%s: after EOF: exit %d, extra output %r" % (chats, code, rest[:200]))
    if got != batch:
        sys.exit("%s %s: co-process reports differ from chatqa score" % (args, chats))
    print("%s %s: %d sessions, each report back before the next session" % (" ".join(args) or "(pipes)", chats, len(got)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chatqa", required=True)
    parser.add_argument("--source-dir", required=True)
    a = parser.parse_args()
    for rules, chats in EXAMPLES:
        run(a.chatqa, a.source_dir, rules, chats, [])                   # default on pipes
        run(a.chatqa, a.source_dir, rules, chats, ["--line-buffered", "--threads", "3"])


if __name__ == "__main__":
    main()
