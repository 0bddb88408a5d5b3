#!/usr/bin/env python3
"""Writes N synthetic chat sessions as JSON Lines (deterministic for a seed).

    gen_sessions.py N [--seed S] [--agents K] > sessions.jsonl

Sessions vary in length (2..60 messages), start hour, reply delays and
phrasing: some greet, some use banned phrases, some reply late, so the
test rule set deducts a realistic spread of points.
"""
import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone

CUSTOMER = ["在吗?", "这个怎么用", "什么时候发货", "可以退货吗", "优惠券怎么用", "太贵了", "好的", "谢谢"]
AGENT = ["请您稍等,我帮您查询一下。", "感谢您的耐心等待!", "已经为您登记了。", "这个我不知道", "这个不是我处理的",
         "一般2到3天送达", "可以的,七天无理由退货。", "请问还有什么可以帮到您的吗?"]
GREETINGS = ["您好,很高兴为您服务,请问有什么可以帮您?", "你好", "在的"]
TZ = timezone(timedelta(hours=8))


def session(rng, index, agents):
    agent = rng.randrange(agents)
    start = datetime(2024, 5, 1, tzinfo=TZ) + timedelta(days=rng.randrange(30), hours=rng.randrange(24),
                                                         seconds=rng.randrange(3600))
    length = rng.choice([2, 3, 4, 6, 8, 10, 12, 16, 20, 30, 60]) if rng.random() < 0.98 else 1
    t = start
    messages = [{"role": "customer", "time": t.isoformat(), "text": rng.choice(CUSTOMER)}]
    for i in range(1, length):
        t += timedelta(seconds=rng.choice([3, 8, 15, 25, 40, 90]))
        if i % 2 == 1:
            text = rng.choice(GREETINGS) if i == 1 else rng.choice(AGENT)
            if rng.random() < 0.002:
                text = "爱买不买"
            messages.append({"role": "agent", "time": t.isoformat(), "text": text})
        else:
            messages.append({"role": "customer", "time": t.isoformat(), "text": rng.choice(CUSTOMER)})
    return {"id": "G-%07d" % index, "agent": "A%03d" % agent, "team": "T%d" % (agent % 4),
            "meta": {"channel": rng.choice(["web", "app"])}, "messages": messages}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--agents", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for i in range(args.count):
        out.write(dumps(session(rng, i, args.agents)))
        out.write("\n")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
