#!/usr/bin/env python3
"""`chatqa serve` on the loopback address (ctest: serve.*).

  test_serve.py --chatqa build/chatqa --source-dir . examples|load|limits

examples: the HTTP client example scores the bundled example chats to the
          bytes `chatqa score` writes, one server per rule set.
load:     8 concurrent clients, a few thousand requests (scoring and live
          sessions opened, fed and closed), SIGHUP reloads in the middle;
          every answer must be the right one (nothing lost or mixed up).
limits:   bearer token, request size, live session count, idle timeout,
          error records for bad requests.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "http"))
import client as example_client  # noqa: E402


def fail(message):
    sys.exit("FAIL: " + message)


class Server:
    def __init__(self, chatqa, rules, cwd, *extra):
        self.proc = subprocess.Popen([chatqa, "serve", "-r", rules, "--port", "0"] + list(extra), cwd=cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            fail("server did not start: %r %r" % (line, self.proc.stderr.read()[:500]))
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = []
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line.decode())

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("server did not stop on SIGTERM")
        if code != 0:
            fail("server exit %d: %s" % (code, "".join(self.log)))


def call(conn, method, path, body=None, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    if isinstance(body, str):
        body = body.encode()
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    return resp.status, resp.read()


def sessions_of(source_dir, chats):
    with open(os.path.join(source_dir, chats), "rb") as f:
        return [line for line in f.read().splitlines() if line.strip()]


def cli_score(chatqa, cwd, rules, data):
    return subprocess.run([chatqa, "score", "-r", rules, "-", "--threads", "2"], cwd=cwd, input=data,
                          stdout=subprocess.PIPE, check=False).stdout


EXAMPLES = [
    ("rules/zh-CN/online-chat.json", "examples/chats/zh-CN/online.jsonl"),
    ("rules/zh-CN/hotline.json", "examples/chats/zh-CN/hotline.jsonl"),
    ("rules/en-US/support.json", "examples/chats/en-US/support.jsonl"),
]


def test_examples(args):
    for rules, chats in EXAMPLES:
        expected = subprocess.run([args.chatqa, "score", "-r", rules, chats], cwd=args.source_dir,
                                  stdout=subprocess.PIPE, check=True).stdout
        server = Server(args.chatqa, rules, args.source_dir)
        try:
            client = example_client.Client(server.url)
            with open(os.path.join(args.source_dir, chats), "rb") as f:
                got = client.score(f.read())
            if got != expected:
                fail("%s: HTTP reports differ from chatqa score" % chats)
            # The same session by session, and through live sessions closed at the end.
            for line, report in zip(sessions_of(args.source_dir, chats), expected.splitlines(keepends=True)):
                if client.score(line) != report:
                    fail("%s: one session's HTTP report differs" % chats)
                session = json.loads(line)
                live_id = client.live_open({k: v for k, v in session.items() if k != "messages"})
                for message in session["messages"]:
                    client.live_add(live_id, message)
                if client.live_close(live_id) + b"\n" != report:
                    fail("%s %s: live report differs from chatqa score" % (chats, session["id"]))
        finally:
            server.stop()
        print("%s: HTTP (score and live) byte-identical to chatqa score" % chats)


def test_load(args):
    work = tempfile.mkdtemp(prefix="chatqa-serve-")
    try:
        shutil.copytree(os.path.join(args.source_dir, "rules"), os.path.join(work, "rules"))
        rules = "rules/zh-CN/online-chat.json"
        material = sessions_of(args.source_dir, "examples/chats/zh-CN/online.jsonl")
        clients, ops = 8, args.ops
        # Every operation has its own session (its own id), and its expected report from `chatqa score`.
        plan = []
        for c in range(clients):
            for i in range(ops):
                s = json.loads(material[(c * ops + i) % len(material)])
                s["id"] = "T%d-%d" % (c, i)
                plan.append((c, i, "live" if i % 5 == 0 else "score", s))
        data = b"".join(json.dumps(s, ensure_ascii=False).encode() + b"\n" for _, _, _, s in plan)
        expected = dict(zip([s["id"] for _, _, _, s in plan], cli_score(args.chatqa, work, rules, data).splitlines()))
        if len(expected) != len(plan):
            fail("chatqa score gave %d reports for %d sessions" % (len(expected), len(plan)))

        server = Server(args.chatqa, rules, work, "--threads", "8")
        errors = []
        counts = [0] * clients

        def worker(c):
            conn = server.connection()
            try:
                for cc, i, kind, s in plan:
                    if cc != c:
                        continue
                    want = expected[s["id"]]
                    if kind == "score":
                        status, body = call(conn, "POST", "/v1/score", json.dumps(s, ensure_ascii=False))
                        counts[c] += 1
                        if status != 200 or body != want + b"\n":
                            errors.append("%s: status %d, body %r" % (s["id"], status, body[:120]))
                        continue
                    header = {k: v for k, v in s.items() if k != "messages"}
                    status, body = call(conn, "POST", "/v1/live", json.dumps(header, ensure_ascii=False))
                    counts[c] += 1
                    if status != 201:
                        errors.append("%s: open %d %r" % (s["id"], status, body[:120]))
                        continue
                    live_id = json.loads(body)["id"]
                    for m in s["messages"]:
                        status, body = call(conn, "POST", "/v1/live/%s/messages" % live_id,
                                            json.dumps(m, ensure_ascii=False))
                        counts[c] += 1
                        if status != 200 or json.loads(body)["report"]["session"] != s["id"]:
                            errors.append("%s: add %d %r" % (s["id"], status, body[:120]))
                    status, body = call(conn, "POST", "/v1/live/%s/close" % live_id)
                    counts[c] += 1
                    if status != 200 or body != want:
                        errors.append("%s: close %d, body differs" % (s["id"], status))
            except Exception as e:  # a lost connection or a timeout is a failure too
                errors.append("client %d: %r" % (c, e))
            finally:
                conn.close()

        started = time.time()
        threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
        for t in threads:
            t.start()
        # SIGHUPs one after another while the clients run (signals sent while
        # a reload is under way would coalesce into one).
        reloads = 0

        def reloaded():
            return sum("reloaded" in line for line in server.log)

        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
            if reloads < 5 and reloaded() == reloads:
                server.proc.send_signal(signal.SIGHUP)
                reloads += 1
        for t in threads:
            t.join()
        reloads_under_load = reloaded()
        elapsed = time.time() - started
        if errors:
            server.stop()
            fail("%d wrong answers, e.g. %s" % (len(errors), errors[:3]))
        total = sum(counts)
        # Every SIGHUP was a reload; at least two finished while the clients ran.
        deadline = time.time() + 10
        while reloaded() < reloads and time.time() < deadline:
            time.sleep(0.05)
        if reloaded() != reloads or reloads_under_load < 2:
            fail("%d SIGHUPs, %d reloads (%d under load): %s" % (reloads, reloaded(), reloads_under_load, server.log))
        # A changed rule file is picked up on SIGHUP.
        path = os.path.join(work, rules)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace('"version": "', '"version": "reloaded-', 1))
        server.proc.send_signal(signal.SIGHUP)
        conn = server.connection()
        deadline = time.time() + 10
        while time.time() < deadline:
            status, body = call(conn, "GET", "/healthz")
            if json.loads(body)["rule_set"]["version"].startswith("reloaded-"):
                break
            time.sleep(0.05)
        else:
            fail("the changed rule file was not reloaded: %s" % body)
        status, body = call(conn, "POST", "/v1/score", material[0])
        if b'"version":"reloaded-' not in body:
            fail("reports after the reload do not use the new rule set")
        # A broken rule file on SIGHUP: the rule set in use stays.
        with open(path, "w", encoding="utf-8") as f:
            f.write("{broken")
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while not any("has errors" in line for line in server.log) and time.time() < deadline:
            time.sleep(0.05)
        status, body = call(conn, "POST", "/v1/score", material[0])
        if status != 200 or b'"version":"reloaded-' not in body:
            fail("a broken rule file on SIGHUP broke the service: %d %r" % (status, body[:200]))
        conn.close()
        server.stop()
        print("load: %d requests from %d clients in %.1f s (%d SIGHUP reloads under way): all answered, none mixed up"
              % (total, clients, elapsed, reloads_under_load))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def expect(conn, method, path, body, status, code, headers=None):
    got_status, got = call(conn, method, path, body, headers)
    if got_status != status:
        fail("%s %s: status %d, expected %d: %r" % (method, path, got_status, status, got[:200]))
    if code:
        record = json.loads(got)
        if record.get("error", {}).get("code") != code:
            fail("%s %s: expected error %s, got %r" % (method, path, code, got[:200]))
    return got


def test_limits(args):
    work = tempfile.mkdtemp(prefix="chatqa-serve-")
    try:
        token = os.path.join(work, "token")
        with open(token, "w") as f:
            f.write("s3cret-token\n")
        server = Server(args.chatqa, "rules/zh-CN/online-chat.json", args.source_dir, "--token-file", token,
                        "--max-request-bytes", "4000", "--max-live-sessions", "2", "--idle-timeout", "0.5")
        auth = {"Authorization": "Bearer s3cret-token"}
        session = sessions_of(args.source_dir, "examples/chats/zh-CN/online.jsonl")[2]
        try:
            conn = server.connection()
            expect(conn, "GET", "/healthz", None, 200, None)
            expect(conn, "POST", "/v1/score", session, 401, "E0705")
            expect(conn, "POST", "/v1/score", session, 401, "E0705", {"Authorization": "Bearer wrong-token!"})
            expect(conn, "POST", "/v1/score", session, 200, None, auth)
            conn.close()
            conn = server.connection()
            expect(conn, "POST", "/v1/score", b"{" + b" " * 5000 + b"}", 413, "E0703", auth)
            conn.close()
            conn = server.connection()
            expect(conn, "POST", "/v1/score", b'{"id": "x", "messages": [{"role": "boss", "time": 0, "text": "?"}]}',
                   200, "E0205", auth)
            expect(conn, "GET", "/v1/nothing", None, 404, "E0707", auth)
            first = json.loads(expect(conn, "POST", "/v1/live", '{"id": "L1"}', 201, None, auth))["id"]
            expect(conn, "POST", "/v1/live", '{"id": "L2"}', 201, None, auth)
            expect(conn, "POST", "/v1/live", '{"id": "L3"}', 503, "E0704", auth)
            expect(conn, "POST", "/v1/live", '{"agent": "A1"}', 400, "E0202", auth)
            expect(conn, "POST", "/v1/live/%s/messages" % first, '{"role": "boss", "time": 0, "text": "?"}', 400,
                   "E0205", auth)
            expect(conn, "GET", "/v1/live/%s/due?now=soon" % first, None, 400, "E0706", auth)
            added = json.loads(expect(conn, "POST", "/v1/live/%s/messages?now=1714528826" % first,
                                      '{"role": "customer", "time": 1714528800, "text": "在吗"}', 200, None, auth))
            if [w["item"] for w in added["due"]][:1] != ["first_reply"]:
                fail("no first_reply warning 26 s after the customer's message: %r" % added)
            due = json.loads(expect(conn, "GET", "/v1/live/%s/due?now=1714528810" % first, None, 200, None, auth))
            if due != []:
                fail("warnings 10 s into a 30 s limit: %r" % due)
            # Idle sessions go after the idle timeout.
            time.sleep(1.5)
            expect(conn, "GET", "/v1/live/%s/due" % first, None, 404, "E0702", auth)
            if json.loads(call(conn, "GET", "/healthz")[1])["live_sessions"] != 0:
                fail("idle live sessions were not dropped")
            conn.close()
        finally:
            server.stop()
        print("limits: token, request size, live session count, idle timeout and error records as documented")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chatqa", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--ops", type=int, default=120, help="operations per client in the load test")
    parser.add_argument("test", choices=["examples", "load", "limits"])
    args = parser.parse_args()
    args.chatqa = os.path.abspath(args.chatqa)
    {"examples": test_examples, "load": test_load, "limits": test_limits}[args.test](args)


if __name__ == "__main__":
    main()
