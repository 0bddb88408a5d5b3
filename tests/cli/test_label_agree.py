#!/usr/bin/env python3
"""End-to-end tests of `chatqa label` and `chatqa agree` (run by ctest, one case per test).

    test_label_agree.py --chatqa build/chatqa --case NAME     run one case
    test_label_agree.py --chatqa build/chatqa                 run all cases

The sessions are generated here (synthetic text written for the test); the
labels are filled in by a rule of thumb that a person would agree with:
a banned 不知道 followed by 您 (不知道您是否…) is innocent, the others are right.
Exit status: 0 passed, 1 failed, 77 skipped. Python standard library only.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "label")
RULES = os.path.join(DATA, "rules.json")
RULES_FIXED = os.path.join(DATA, "rules-fixed.json")  # 不知道 with the allow context 不知道您

CHATQA = None
TMP = None


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(*args, stdin=None):
    proc = subprocess.run([CHATQA, *args], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")


def agent_reply(i):
    if i % 2 == 0:
        return "这个我不知道"
    if i % 3 == 0:
        return "不知道您是否方便提供订单号"
    return "好的,马上为您处理"


def sessions(count=40):
    out = []
    for i in range(count):
        t = 1714528800 + i * 1000
        out.append({"id": "L-%03d" % i, "agent": "A%d" % (i % 3), "messages": [
            {"role": "customer", "time": t, "text": "请问在吗"},
            {"role": "agent", "time": t + 10, "text": "您好,在的" if i % 4 else "在的"},
            {"role": "customer", "time": t + 20, "text": "我的订单怎么还没到"},
            {"role": "agent", "time": t + 30, "text": agent_reply(i)},
        ]})
    return out


def write_sessions(name, items):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8") as f:
        for s in items:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    return path


def expected():
    """(greeting findings, shirking findings, shirking wrong) over sessions()."""
    greet = sum(1 for i in range(40) if i % 4 == 0)
    shirk = sum(1 for i in range(40) if i % 2 == 0 or i % 3 == 0)
    wrong = sum(1 for i in range(40) if i % 2 == 1 and i % 3 == 0)
    return greet, shirk, wrong


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fill(path, out_path):
    """Labels every finding record: 不知道您 is innocent (wrong), other findings right."""
    with open(out_path, "w", encoding="utf-8") as out:
        for r in records(path):
            if r.get("kind") == "finding":
                text = next(m["text"] for m in r["context"] if m.get("finding"))
                r["verdict"] = "wrong" if r["item"] == "no_shirking" and "不知道您" in text else "right"
                if r["verdict"] == "wrong":
                    r["note"] = "asks the customer politely"
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out_path


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return round(max(0, c - h), 4), round(min(1, c + h), 4)


def item_row(report, rule_set, item):
    for s in report["rule_sets"]:
        if s["name"] == rule_set:
            for r in s["items"]:
                if r["id"] == item:
                    return r
    raise Failure("no row %s %s in %r" % (rule_set, item, report))


# ---------------------------------------------------------------------------
# Cases


def case_label_sample():
    """label: header counts, per-item cap, context window, deterministic whatever the input order."""
    items = sessions()
    path = write_sessions("s.jsonl", items)
    rev = write_sessions("r.jsonl", list(reversed(items)))
    code, out, err = run("label", "-r", RULES, path, "--per-item", "5", "--seed", "7", "--context", "1")
    check(code == 0, "exit %d: %s" % (code, err))
    code2, out2, _ = run("label", "-r", RULES, rev, "--per-item", "5", "--seed", "7", "--context", "1")
    check(code2 == 0 and out2.split("\n", 1)[1] == out.split("\n", 1)[1], "input order changed the sample")
    lines = [json.loads(line) for line in out.splitlines()]
    header, recs = lines[0], lines[1:]
    greet, shirk, _ = expected()
    check(header["chatqa_label"] == 1 and header["rule_set"] == {"name": "label-test", "version": "1.0.0"},
          "header: %r" % header)
    check(header["items"]["greeting"] == {"sessions": 40, "failed": greet, "findings": greet, "sampled": 5},
          "greeting counts: %r" % header["items"]["greeting"])
    check(header["items"]["no_shirking"]["findings"] == shirk, "shirking counts: %r" % header["items"])
    check("tone" not in header["items"], "manual items are not sampled")
    check([r["item"] for r in recs] == ["greeting"] * 5 + ["no_shirking"] * 5, "items in rule-set order, 5 each")
    for r in recs:
        check(r["kind"] == "finding" and r["verdict"] == "" and r["note"] == "", "empty verdict: %r" % r)
        idx = [m["message"] for m in r["context"]]
        check(idx == list(range(max(0, r["message"] - 1), min(4, r["message"] + 2))), "context window: %r" % idx)
        check(sum(1 for m in r["context"] if m.get("finding")) == 1, "the finding's message is marked")
    shirks = [r for r in recs if r["item"] == "no_shirking"]
    check(all(r["span"][1] - r["span"][0] == 3 and r["quote"] == "不知道" for r in shirks), "span and quote")
    # Another seed, another sample; the same seed, the same bytes.
    _, out3, _ = run("label", "-r", RULES, path, "--per-item", "5", "--seed", "8", "--context", "1")
    check(out3 != out, "the seed changes the sample")
    _, again, _ = run("label", "-r", RULES, path, "--per-item", "5", "--seed", "7", "--context", "1")
    check(again == out, "same seed, same bytes")


def case_label_options():
    """label: --items, --silent, unknown item is a usage error, -o writes the file."""
    path = write_sessions("s.jsonl", sessions())
    out_path = os.path.join(TMP, "l.jsonl")
    code, _, err = run("label", "-r", RULES, path, "--items", "no_shirking", "--silent", "3", "--context", "-1",
                       "-o", out_path)
    check(code == 0, "exit %d: %s" % (code, err))
    recs = records(out_path)[1:]
    check({r["item"] for r in recs} == {"no_shirking"}, "only the item asked for")
    silent = [r for r in recs if r["kind"] == "silent"]
    check(len(silent) == 3 and all(len(r["context"]) == 4 for r in silent), "3 silent sessions, whole: %r" % silent)
    check(all(r["kind"] == "finding" for r in recs[:-3]), "findings first, then silent sessions")
    check(all(len(r["context"]) == 4 for r in recs), "--context -1 shows the whole session")
    code, _, err = run("label", "-r", RULES, path, "--items", "nope")
    check(code == 2 and 'no item "nope"' in err, "unknown item: %d %s" % (code, err))


def case_agree_precision_and_gates():
    """agree: right/wrong counts, precision, Wilson interval, text/markdown/json, --min-precision, --min-labelled."""
    path = write_sessions("s.jsonl", sessions())
    raw = os.path.join(TMP, "raw.jsonl")
    run("label", "-r", RULES, path, "--per-item", "100", "-o", raw)
    labelled = fill(raw, os.path.join(TMP, "lab.jsonl"))
    greet, shirk, wrong = expected()
    code, out, err = run("agree", labelled, "--format", "json")
    check(code == 0, "exit %d: %s" % (code, err))
    rep = json.loads(out)
    r = item_row(rep, "label-test", "no_shirking")
    check((r["right"], r["wrong"], r["labelled"]) == (shirk - wrong, wrong, shirk), "counts: %r" % r)
    check(r["precision"] == round((shirk - wrong) / shirk, 4), "precision: %r" % r)
    check(r["ci95"] == list(wilson(shirk - wrong, shirk)), "Wilson interval: %r vs %r" % (r["ci95"], wilson(shirk - wrong, shirk)))
    check(item_row(rep, "label-test", "greeting")["precision"] == 1.0, "greeting all right")
    check(rep["gates"] == {"passed": True, "failures": []}, "no gate asked: %r" % rep["gates"])

    code, out, _ = run("agree", labelled)
    check(code == 0 and "no_shirking" in out and "precision" in out.splitlines()[0], "text table: %s" % out)
    code, out, _ = run("agree", labelled, "--rescore", RULES, path, "--only-labelled", "--format", "json")
    check([r["id"] for r in json.loads(out)["rule_sets"][0]["items"]] == ["greeting", "no_shirking"],
          "--only-labelled keeps labelled items: %s" % out)
    code, out, _ = run("agree", labelled, "--format", "markdown")
    check(out.startswith("| rule set | item |") and "|---|---|" in out, "markdown table: %s" % out)

    p = (shirk - wrong) / shirk
    code, _, err = run("agree", labelled, "--min-precision", "0.95")
    check(code == 1 and "no_shirking: precision" in err and "greeting" not in err, "gate fails: %d %s" % (code, err))
    code, _, err = run("agree", labelled, "--min-precision", "0.95", "--min-precision", "no_shirking=%.3f" % (p - 0.01))
    check(code == 0, "item gate overrides the default: %d %s" % (code, err))
    code, _, err = run("agree", labelled, "--min-precision", "label-test:no_shirking=99", "--min-precision",
                       "no_shirking=10")
    check(code == 1, "RULESET:ITEM is the most specific (percent form): %d %s" % (code, err))
    code, _, err = run("agree", labelled, "--min-labelled", "30")
    check(code == 1 and "labelled findings, want 30" in err, "--min-labelled: %d %s" % (code, err))
    code, _, err = run("agree", labelled, "--min-precision", "abc")
    check(code == 2 and "not a number" in err, "bad gate: %d %s" % (code, err))


def case_agree_rescore():
    """agree --rescore: fixed findings are gone, new ones unlabelled and sampled, misses found or open."""
    path = write_sessions("s.jsonl", sessions())
    raw = os.path.join(TMP, "raw.jsonl")
    run("label", "-r", RULES, path, "--per-item", "100", "-o", raw)
    labelled = fill(raw, os.path.join(TMP, "lab.jsonl"))
    greet, shirk, wrong = expected()
    # A miss somebody labelled by hand: message 1 of L-001 should fail the greeting (it does not).
    with open(labelled, "a", encoding="utf-8") as f:
        f.write(json.dumps({"kind": "miss", "rule_set": "label-test", "item": "greeting", "session": "L-001",
                            "message": 1, "note": "greets with the wrong words"}) + "\n")
    code, out, err = run("agree", labelled, "--rescore", RULES, path, "--format", "json")
    check(code == 0, "exit %d: %s" % (code, err))
    r = item_row(json.loads(out), "label-test", "no_shirking")
    check((r["findings"], r["unlabelled"], r["gone_wrong"]) == (shirk, 0, 0), "same rules: %r" % r)
    check(r["failed"] == shirk and r["sessions"] == 40 and r["failed_share"] == round(shirk / 40, 4), "share: %r" % r)
    g = item_row(json.loads(out), "label-test", "greeting")
    check(g["misses"] == 1 and g["recall"] == round(greet / (greet + 1), 4), "recall with a miss: %r" % g)

    unl = os.path.join(TMP, "unl.jsonl")
    # The fixed rules allow 不知道您: the wrong findings are gone, precision is 100%.
    code, out, err = run("agree", labelled, "--rescore", RULES_FIXED, path, "--format", "json", "--unlabelled", unl,
                         "--min-precision", "1.0")
    check(code == 0, "exit %d: %s" % (code, err))
    r = item_row(json.loads(out), "label-test", "no_shirking")
    check((r["findings"], r["right"], r["wrong"], r["gone_wrong"], r["gone_right"]) == (shirk - wrong, shirk - wrong,
                                                                                        0, wrong, 0), "fixed: %r" % r)
    u = records(unl)
    check(len(u) == 1 and u[0]["chatqa_label"] == 1 and u[0]["from"] == "agree --unlabelled",
          "only the header when nothing is unlabelled: %r" % u)

    # Only half of the shirking findings labelled: the other half are unlabelled and sampled into the file.
    half = os.path.join(TMP, "half.jsonl")
    with open(half, "w", encoding="utf-8") as f:
        for rec in records(labelled):
            if rec.get("kind") == "finding" and rec["item"] == "no_shirking" and int(rec["session"][2:]) >= 20:
                continue
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    code, out, err = run("agree", half, "--rescore", RULES, path, "--format", "json", "--unlabelled", unl,
                         "--per-item", "4", "--seed", "3")
    r = item_row(json.loads(out), "label-test", "no_shirking")
    new = sum(1 for i in range(20, 40) if i % 2 == 0 or i % 3 == 0)
    check(r["unlabelled"] == new and r["labelled"] == shirk - new, "unlabelled counted: %r" % r)
    u = [x for x in records(unl) if "item" in x]
    check(len(u) == 4 and all(x["item"] == "no_shirking" and x["verdict"] == "" and int(x["session"][2:]) >= 20
                              for x in u), "unlabelled sample: %r" % u)
    code, _, err = run("agree", half, "--unlabelled", unl)
    check(code == 2 and "--rescore" in err, "--unlabelled needs --rescore: %d %s" % (code, err))


def case_agree_recall_sampled():
    """agree: silent sessions labelled right/miss give a recall weighted by the findings and the passed sessions."""
    path = write_sessions("s.jsonl", sessions())
    raw = os.path.join(TMP, "raw.jsonl")
    run("label", "-r", RULES, path, "--per-item", "100", "--silent", "4", "--items", "greeting", "-o", raw)
    recs = records(raw)
    silent = [r for r in recs if r.get("kind") == "silent"]
    check(len(silent) == 4 and all(r["item"] == "greeting" for r in silent), "4 silent greeting sessions: %r" % silent)
    with open(os.path.join(TMP, "lab.jsonl"), "w", encoding="utf-8") as f:
        n = 0
        for r in recs:
            if r.get("kind") == "finding":
                r["verdict"] = "right"
            elif r.get("kind") == "silent":
                r["verdict"] = "miss" if n == 0 else "right"
                n += 1
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    greet, _, _ = expected()
    code, out, err = run("agree", os.path.join(TMP, "lab.jsonl"), "--rescore", RULES, path, "--format", "json")
    check(code == 0, "exit %d: %s" % (code, err))
    g = item_row(json.loads(out), "label-test", "greeting")
    want = greet / (greet + (40 - greet) * 0.25)
    check(g["silent_right"] == 3 and g["silent_miss"] == 1 and g["recall_basis"] == "sampled", "counts: %r" % g)
    check(g["recall"] == round(want, 4), "weighted recall %r, want %r" % (g["recall"], want))
    code, out, _ = run("agree", os.path.join(TMP, "lab.jsonl"), "--format", "json")
    g = item_row(json.loads(out), "label-test", "greeting")
    check(g["recall_basis"] == "labelled" and g["recall"] == round(greet / (greet + 1), 4), "unweighted: %r" % g)


def case_agree_store():
    """agree --store: merged labels without text, sorted, deterministic; they give the same table."""
    path = write_sessions("s.jsonl", sessions())
    raw = os.path.join(TMP, "raw.jsonl")
    run("label", "-r", RULES, path, "--per-item", "100", "-o", raw)
    labelled = fill(raw, os.path.join(TMP, "lab.jsonl"))
    store = os.path.join(TMP, "store.jsonl")
    code, table1, err = run("agree", labelled, "--store", store, "--rescore", RULES, path)
    check(code == 0, "exit %d: %s" % (code, err))
    text = open(store, encoding="utf-8").read()
    for forbidden in ("不知道", "您好", "context", "quote", "explanation", "text"):
        check(forbidden not in text, "the store holds %r" % forbidden)
    recs = records(store)
    check(all(set(r) <= {"kind", "rule_set", "item", "session", "message", "span", "verdict", "note"} for r in recs),
          "stripped keys: %r" % recs[:2])
    check(recs == sorted(recs, key=lambda r: (r["item"], r["session"], r["message"], r.get("span", []))), "sorted")
    _, table2, _ = run("agree", store, "--rescore", RULES, path)
    check(table1 == table2, "the store gives the same table")
    store2 = os.path.join(TMP, "store2.jsonl")
    run("agree", store, labelled, "--store", store2)
    check(open(store2, "rb").read() == open(store, "rb").read(), "merging again changes nothing")


def case_agree_bad_records():
    """agree: a bad line is an error with file:line, the rest is counted, exit 1; conflicting verdicts: the last wins."""
    bad = os.path.join(TMP, "bad.jsonl")
    good = {"rule_set": "x", "item": "i", "session": "s1", "message": 2, "span": [0, 3], "verdict": "right"}
    with open(bad, "w", encoding="utf-8") as f:
        f.write(json.dumps(good) + "\n")
        f.write("{not json\n")
        f.write(json.dumps(dict(good, session="s2", verdict="maybe")) + "\n")
        f.write(json.dumps(dict(good, session="s3", span=[5, 2])) + "\n")
        f.write(json.dumps({"rule_set": "x", "item": "i", "message": 1, "verdict": "wrong"}) + "\n")
        f.write(json.dumps(dict(good, session="s4", verdict="wrong")) + "\n")
        f.write(json.dumps(dict(good, session="s4", verdict="right")) + "\n")
        f.write(json.dumps(dict(good, session="s5", verdict="")) + "\n")
    code, out, err = run("agree", bad, "--format", "json")
    check(code == 1, "exit %d" % code)
    for where in (":2: invalid JSON", ":3: verdict \"maybe\"", ":4: \"span\"", ":5: missing \"session\""):
        check(where in err, "%r in %s" % (where, err))
    check(":7: verdict \"right\" replaces \"wrong\"" in err, "conflict reported: %s" % err)
    r = item_row(json.loads(out), "x", "i")
    check((r["right"], r["wrong"]) == (2, 0), "s1 and s4 (last verdict) counted, s5 unlabelled: %r" % r)


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def main():
    global CHATQA, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatqa")
    ap.add_argument("--case")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    CHATQA = os.path.abspath(args.chatqa)
    names = [args.case] if args.case else list(CASES)
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            TMP = tmp
            try:
                CASES[name]()
                print("ok   %s" % name)
            except Failure as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
