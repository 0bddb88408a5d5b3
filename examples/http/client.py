#!/usr/bin/env python3
"""A client of `chatqa serve`, standard library only.

    chatqa serve -r rules/zh-CN/online-chat.json --port 8080 &
    examples/http/client.py --url http://127.0.0.1:8080 score examples/chats/zh-CN/online.jsonl
    examples/http/client.py --url http://127.0.0.1:8080 live examples/chats/zh-CN/online.jsonl

`score` posts the sessions of a JSON Lines file (in one request) and prints
the reports: the same bytes `chatqa score` prints. `live` replays each
session message by message through a live session and prints, after each
message, the score so far and the warnings due, then the final report.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request


class Client:
    def __init__(self, url, token=None, timeout=30):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method, path, body=None):
        """The response body (bytes); raises urllib.error.HTTPError with the
        error record as its body on 4xx/5xx."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = body if body is None or isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            return resp.read()

    def score(self, sessions_jsonl):
        """JSON Lines in, JSON Lines of reports out (bytes)."""
        return self.request("POST", "/v1/score", sessions_jsonl)

    def live_open(self, header):
        return json.loads(self.request("POST", "/v1/live", header))["id"]

    def live_add(self, live_id, message, now=None):
        query = "" if now is None else "?now=%s" % now
        return json.loads(self.request("POST", "/v1/live/%s/messages%s" % (live_id, query), message))

    def live_due(self, live_id, now):
        return json.loads(self.request("GET", "/v1/live/%s/due?now=%s" % (live_id, now)))

    def live_close(self, live_id):
        return self.request("POST", "/v1/live/%s/close" % live_id, b"")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--token", help="bearer token, if the server has one")
    parser.add_argument("mode", choices=["score", "live"])
    parser.add_argument("sessions", help="JSON Lines file of sessions")
    args = parser.parse_args()
    client = Client(args.url, args.token)
    with open(args.sessions, "rb") as f:
        data = f.read()
    try:
        if args.mode == "score":
            sys.stdout.buffer.write(client.score(data))
            return
        for line in data.splitlines():
            if not line.strip():
                continue
            session = json.loads(line)
            header = {k: v for k, v in session.items() if k != "messages"}
            live_id = client.live_open(header)
            for message in session["messages"]:
                answer = client.live_add(live_id, message)
                due = "; ".join(w["explanation"] for w in answer["due"])
                print("%s #%d %s: score so far %s%s" % (session["id"], answer["report"]["messages"] - 1,
                                                       message["role"], answer["report"]["score"],
                                                       ("  DUE: " + due) if due else ""))
            sys.stdout.buffer.write(client.live_close(live_id) + b"\n")
    except urllib.error.HTTPError as e:
        sys.exit("HTTP %d: %s" % (e.code, e.read().decode("utf-8", "replace")))


if __name__ == "__main__":
    main()
