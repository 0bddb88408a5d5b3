#!/usr/bin/env python3
"""Score chat logs on a Dask cluster with `chatqa score`, then merge the summaries.

    score_dask.py -r rules/zh-CN/online-chat.json --out results/ chats-2024-05-*.jsonl
    score_dask.py -r RULES --out results/ --scheduler tcp://10.0.0.5:8786 /shared/chats/*.jsonl.gz

Each input is cut into partitions: JSON Lines files into byte ranges on line
boundaries (--partition-bytes), other inputs (gzip, CSV, JSON arrays) whole.
A Dask task pipes each partition through `chatqa score --summary`, writing
OUT/part-NNNNN.jsonl and OUT/part-NNNNN.summary.json; the driver then merges
the summaries with `chatqa summarize` into OUT/summary.json and, with
--concat FILE, writes all reports into one file in input order.

Why this is correct: `chatqa score` writes one output record per input record,
in input order, and summaries merge exactly. So the parts concatenated in
partition order are the single-run output, and the merged summary is the
single-run summary, byte for byte. (Error records carry the line number
within their partition, and name the input "<stdin>" for byte ranges.)

Without --scheduler a LocalCluster with --workers processes is started. On a
real cluster, the rule file, the inputs, OUT and the chatqa binary must be at
the same paths on every worker (a shared file system).

Exit status: 0 all scored, 1 some records could not be scored, 2 a task or
the merge failed.
"""
import argparse
import os
import shutil
import subprocess
import sys


def plan_partitions(inputs, partition_bytes):
    """[(index, path, start, end)]: end None = the whole file, read by chatqa itself."""
    parts = []
    for path in inputs:
        size = os.path.getsize(path)
        splittable = not (path.endswith(".gz") or path.endswith(".csv"))
        if splittable:
            with open(path, "rb") as f:
                head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
                # Only JSON Lines split on line boundaries: one record per line.
                first_line = head.split(b"\n", 1)[0]
                splittable = head.startswith(b"{") and first_line.rstrip().endswith(b"}")
        if not splittable or size <= partition_bytes:
            parts.append((len(parts), path, 0, None))
            continue
        for start in range(0, size, partition_bytes):
            parts.append((len(parts), path, start, min(start + partition_bytes, size)))
    return parts


def read_range(path, start, end, chunk=1 << 20):
    """Yields the lines that START in [start, end): each line belongs to exactly one range."""
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                f.readline()  # the line that began before `start` belongs to the previous range
        pos = f.tell()
        while pos < end:
            line = f.readline()
            if not line:
                break
            pos += len(line)
            yield line


def score_partition(part, rules, chatqa, out_dir, threads, extra):
    """Runs on a Dask worker: one partition through `chatqa score`."""
    index, path, start, end = part
    report_path = os.path.join(out_dir, "part-%05d.jsonl" % index)
    summary_path = os.path.join(out_dir, "part-%05d.summary.json" % index)
    log_path = os.path.join(out_dir, "part-%05d.log" % index)
    cmd = [chatqa, "score", "-r", rules, "-o", report_path, "--summary", summary_path, "--quiet",
           "--threads", str(threads), *extra]
    with open(log_path, "wb") as log:
        if end is None:
            code = subprocess.run(cmd + [path], stdout=subprocess.DEVNULL, stderr=log).returncode
        else:
            proc = subprocess.Popen(cmd + ["-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
            try:
                for line in read_range(path, start, end):
                    proc.stdin.write(line)
            except BrokenPipeError:
                pass
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            code = proc.wait()
    with open(log_path, "rb") as log:
        message = log.read().decode("utf-8", "replace")[-2000:]
    return {"index": index, "code": code, "reports": report_path, "summary": summary_path, "log": message}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-r", "--rules", required=True, help="rule file (same path on every worker)")
    parser.add_argument("inputs", nargs="+", help="input files (JSONL, JSON, CSV, .gz)")
    parser.add_argument("--out", required=True, help="output directory (shared by the workers)")
    parser.add_argument("--chatqa", default=os.environ.get("CHATQA", shutil.which("chatqa") or "chatqa"),
                        help="path of the chatqa binary on the workers (default: $CHATQA or chatqa on PATH)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--partition-bytes", type=int, default=64 << 20, help="JSON Lines bytes per task")
    parser.add_argument("--threads", type=int, default=1, help="chatqa --threads per task (default 1)")
    parser.add_argument("--concat", help="also write all reports, in input order, to this file")
    parser.add_argument("score_args", nargs=argparse.REMAINDER,
                        help="after --: more arguments for chatqa score (e.g. -- --csv-map ...)")
    args = parser.parse_args()
    extra = [a for a in args.score_args if a != "--"]

    from dask.distributed import Client, LocalCluster  # imported late: --help works without Dask

    rules = os.path.abspath(args.rules)
    chatqa = os.path.abspath(args.chatqa) if os.path.exists(args.chatqa) else args.chatqa
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    parts = plan_partitions([os.path.abspath(p) for p in args.inputs], args.partition_bytes)

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(score_partition, parts, rules=rules, chatqa=chatqa, out_dir=out_dir,
                             threads=args.threads, extra=extra, pure=False)
        results = sorted(client.gather(futures), key=lambda r: r["index"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    status = 0
    for r in results:
        if r["code"] not in (0, 1):
            sys.stderr.write("partition %d failed (exit %d):\n%s\n" % (r["index"], r["code"], r["log"]))
            return 2
        status = max(status, r["code"])
    summary = os.path.join(out_dir, "summary.json")
    merge = subprocess.run([chatqa, "summarize", "-o", summary, *[r["summary"] for r in results]])
    if merge.returncode != 0:
        sys.stderr.write("chatqa summarize failed (exit %d)\n" % merge.returncode)
        return 2
    if args.concat:
        with open(args.concat + ".tmp", "wb") as out:
            for r in results:
                with open(r["reports"], "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        os.replace(args.concat + ".tmp", args.concat)
    sys.stderr.write("scored %d partition(s); summary in %s\n" % (len(results), summary))
    return status


if __name__ == "__main__":
    sys.exit(main())
