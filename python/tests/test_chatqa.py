"""Tests of the chatqa Python package (run by ctest as python.unittest).

Environment: CHATQA_LIBRARY (libchatqa.so of the build), CHATQA_CLI (the
chatqa command line, for the byte-identical comparison), CHATQA_SOURCE_DIR.
"""

import json
import os
import subprocess
import threading
import unittest

import chatqa

SOURCE_DIR = os.environ.get("CHATQA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("CHATQA_CLI")
EXAMPLES = [
    ("rules/zh-CN/online-chat.json", "examples/chats/zh-CN/online.jsonl"),
    ("rules/zh-CN/hotline.json", "examples/chats/zh-CN/hotline.jsonl"),
    ("rules/en-US/support.json", "examples/chats/en-US/support.jsonl"),
]
MINI = os.path.join(SOURCE_DIR, "tests/data/ruletest/good/mini.json")


def src(path):
    return os.path.join(SOURCE_DIR, path)


def lines(path):
    with open(src(path), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def message(role, seconds, text):
    return {"role": role, "time": 1714528800 + seconds, "text": text}


class ExamplesTest(unittest.TestCase):
    @unittest.skipUnless(CLI, "CHATQA_CLI not set")
    def test_reports_are_byte_identical_to_chatqa_score(self):
        for rules_path, chats in EXAMPLES:
            expected = subprocess.run([CLI, "score", "-r", rules_path, chats], cwd=SOURCE_DIR, check=True,
                                      stdout=subprocess.PIPE).stdout.decode("utf-8")
            rules = chatqa.RuleSet.from_file(src(rules_path))
            got = "".join(rules.score_json(line) + "\n" for line in lines(chats))
            self.assertEqual(got, expected, chats)
            # dicts in, dicts out: the same reports
            for line, report_line in zip(lines(chats), expected.splitlines()):
                self.assertEqual(rules.score(json.loads(line)), json.loads(report_line))

    def test_live_session_closes_to_the_batch_report(self):
        for rules_path, chats in EXAMPLES:
            rules = chatqa.RuleSet.from_file(src(rules_path))
            for line in lines(chats):
                session = json.loads(line)
                header = {k: v for k, v in session.items() if k != "messages"}
                live = rules.live(header)
                for m in session["messages"]:
                    so_far = live.add(m)
                    self.assertEqual(so_far["session"], session["id"])
                self.assertEqual(live.close_json(), rules.score_json(line), session["id"])
                live.free()


class RuleSetTest(unittest.TestCase):
    def test_from_text_with_base_dir(self):
        with open(src("rules/zh-CN/online-chat.json"), encoding="utf-8") as f:
            text = f.read()
        rules = chatqa.RuleSet(text, base_dir=src("rules/zh-CN"))
        line = lines("examples/chats/zh-CN/online.jsonl")[0]
        self.assertEqual(rules.score_json(line), chatqa.RuleSet.from_file(src("rules/zh-CN/online-chat.json")).score_json(line))
        # a dict works as well as text
        self.assertEqual(chatqa.RuleSet(json.loads(text), base_dir=src("rules/zh-CN")).score_json(line),
                         rules.score_json(line))

    def test_errors_carry_the_diagnostics(self):
        bad = {"name": "x", "version": "1", "total": 100,
               "items": [{"id": "a", "title": "a", "points": 1, "chekc": {"type": "manual"}}]}
        with self.assertRaises(chatqa.RuleSetError) as caught:
            chatqa.RuleSet(bad)
        codes = [d["code"] for d in caught.exception.diagnostics]
        self.assertIn("E0102", codes)
        unknown = [d for d in caught.exception.diagnostics if d["code"] == "E0102"][0]
        self.assertEqual(unknown["severity"], "error")
        self.assertEqual(unknown["pointer"], "/items/0/chekc")
        self.assertEqual((unknown["line"], unknown["column"]), (1, 81))  # the compact JSON the dict became
        self.assertIn("error[E0102]", unknown["text"])
        self.assertIn('did you mean "check"', unknown["message"])
        self.assertIn("error[E0", str(caught.exception))

    def test_missing_file(self):
        with self.assertRaises(chatqa.RuleSetError) as caught:
            chatqa.RuleSet.from_file(src("no/such/rules.json"))
        self.assertEqual(caught.exception.diagnostics[0]["code"], "E0114")

    def test_unreadable_session_raises_input_error(self):
        rules = chatqa.RuleSet.from_file(MINI)
        with self.assertRaises(chatqa.InputError) as caught:
            rules.score({"id": "x", "messages": [{"role": "agent", "time": "soon", "text": "hi"}]})
        self.assertEqual(caught.exception.code, "E0204")
        self.assertEqual(caught.exception.pointer, "/messages/0/time")
        # score_json gives the error record instead, as chatqa score writes it
        record = json.loads(rules.score_json("{not json"))
        self.assertEqual(record["error"]["code"], "E0201")

    def test_one_rule_set_from_eight_threads(self):
        rules = chatqa.RuleSet.from_file(src("rules/zh-CN/online-chat.json"))
        sessions = lines("examples/chats/zh-CN/online.jsonl")
        expected = [rules.score_json(s) for s in sessions]
        results = [None] * 8

        def work(k):
            results[k] = [rules.score_json(s) for _ in range(20) for s in sessions]

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertEqual(r, expected * 20)

    def test_version(self):
        self.assertRegex(chatqa.library_version(), r"^\d+\.\d+\.\d+$")

    def test_abi_version_is_the_header_s(self):
        # The package looks for libchatqa.so.ABI_VERSION: the SONAME chatqa.h defines.
        with open(os.path.join(SOURCE_DIR, "include", "chatqa", "chatqa.h"), encoding="utf-8") as f:
            header = f.read()
        self.assertIn("#define CHATQA_ABI_VERSION %d\n" % chatqa.ABI_VERSION, header)


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.rules = chatqa.RuleSet.from_file(src("rules/zh-CN/online-chat.json"))

    def test_pending_due_and_close(self):
        live = self.rules.live({"id": "L-1", "agent": "A102"})
        report = live.add(message("customer", 0, "在吗?我的订单还没发货"))
        statuses = {item["id"]: item["status"] for item in report["items"]}
        self.assertEqual(statuses["first_reply"], "pending")
        self.assertEqual(live.due(1714528800 + 20), [])
        due = live.due(1714528800 + 25)
        self.assertEqual([d["item"] for d in due], ["first_reply", "each_reply"])
        self.assertEqual(due[0]["remaining_seconds"], 5)
        self.assertEqual(due[0]["deadline"], "2024-05-01T10:00:30+08:00")
        live.add(message("agent", 10, "您好,很高兴为您服务,请您稍等,我帮您查询一下"))
        due = live.due(1714528800 + 110)
        self.assertEqual([(d["item"], d["kind"], d["remaining_seconds"]) for d in due], [("wait_return", "follow_up", 20)])
        final = live.close()
        self.assertEqual(final["messages"], 2)
        # after close: an error record, raised
        with self.assertRaises(chatqa.InputError) as caught:
            live.add(message("agent", 20, "好的"))
        self.assertEqual(caught.exception.code, "E0701")

    def test_bad_message_is_not_added(self):
        live = self.rules.live({"id": "L-2"})
        live.add(message("customer", 0, "你好"))
        with self.assertRaises(chatqa.InputError) as caught:
            live.add({"role": "boss", "time": 1714528805, "text": "hi"})
        self.assertEqual(caught.exception.code, "E0205")
        self.assertEqual(caught.exception.pointer, "/role")
        self.assertEqual(live.close()["messages"], 1)

    def test_header_with_messages_and_bad_header(self):
        line = lines("examples/chats/zh-CN/online.jsonl")[1]
        live = self.rules.live(line)  # a whole session as the header: closed, it is the batch report
        self.assertEqual(live.close_json(), self.rules.score_json(line))
        with self.assertRaises(chatqa.InputError) as caught:
            self.rules.live({"agent": "A102"})
        self.assertEqual(caught.exception.code, "E0202")

    def test_live_outlives_its_rule_set(self):
        live = self.rules.live({"id": "L-3"})
        self.rules.close()
        live.add(message("customer", 0, "你好"))
        self.assertEqual(live.close()["session"], "L-3")


if __name__ == "__main__":
    unittest.main()
