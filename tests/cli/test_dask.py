#!/usr/bin/env python3
"""ctest: examples/dask/score_dask.py on a LocalCluster with 2 worker processes.

Checks the scale-out contract: the partitions' reports concatenated equal a
single `chatqa score` run byte for byte, and the merged summary equals the
single run's summary. Exit 77 (skipped) when Dask distributed is missing.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIP = 77


def python_with_distributed():
    """This interpreter if it has Dask distributed, else the system one (Debian's python3-distributed)."""
    try:
        import distributed  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    for candidate in ("/usr/bin/python3",):
        if os.path.exists(candidate) and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            if subprocess.run([candidate, "-c", "import distributed"], capture_output=True).returncode == 0:
                return candidate
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chatqa", required=True)
    args = parser.parse_args()
    python = python_with_distributed()
    if python is None:
        print("Dask distributed is not installed (python3-distributed): skipped")
        return SKIP
    chatqa = os.path.abspath(args.chatqa)
    rules = os.path.join(HERE, "data", "rules.json")
    tmp = tempfile.mkdtemp(prefix="chatqa-dask-")
    try:
        sessions = os.path.join(tmp, "sessions.jsonl")
        with open(sessions, "wb") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_sessions.py"), "2500", "--seed", "11",
                            "--agents", "9"], stdout=f, check=True)
        gz = os.path.join(tmp, "more.jsonl.gz")
        subprocess.run("head -n 300 %s | gzip -n > %s" % (sessions, gz), shell=True, check=True)

        whole_summary = os.path.join(tmp, "whole.summary.json")
        whole = subprocess.run([chatqa, "score", "-r", rules, sessions, gz, "--summary", whole_summary, "-q"],
                               stdout=subprocess.PIPE, check=True).stdout

        out_dir = os.path.join(tmp, "out")
        concat = os.path.join(tmp, "all.jsonl")
        size = os.path.getsize(sessions)
        proc = subprocess.run([python, os.path.join(ROOT, "examples", "dask", "score_dask.py"), "-r", rules,
                               "--out", out_dir, "--chatqa", chatqa, "--workers", "2",
                               "--partition-bytes", str(size // 5 + 1), "--concat", concat, sessions, gz],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=800)
        if proc.returncode != 0:
            print(proc.stderr.decode("utf-8", "replace")[-4000:])
            print("FAIL: score_dask.py exited %d" % proc.returncode)
            return 1
        parts = sorted(p for p in os.listdir(out_dir) if p.endswith(".summary.json"))
        if len(parts) != 6:
            print("FAIL: expected 5 byte-range partitions + 1 gzip partition, got %d" % len(parts))
            return 1
        if open(concat, "rb").read() != whole:
            print("FAIL: concatenated partition reports differ from the single run")
            return 1
        if open(os.path.join(out_dir, "summary.json"), "rb").read() != open(whole_summary, "rb").read():
            print("FAIL: merged summary differs from the single run's summary")
            return 1
        print("PASS dask_local_cluster (%d partitions)" % len(parts))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
