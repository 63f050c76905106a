"""python -m fastsim_dask smear --model M.onnx --input 'files/*.root' --tree Events --out out/
[--scheduler ADDRESS]: without --scheduler a LocalCluster with one worker per core runs it."""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fastsim_dask")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("smear", help="apply an exported smearing model to ROOT or Parquet files")
    s.add_argument("--model", required=True, help="an ONNX smearing model (fastsim export)")
    s.add_argument("--input", required=True, help="a glob of .root or .parquet files")
    s.add_argument("--tree", default="Events", help="the ROOT tree (default: Events)")
    s.add_argument("--out", required=True, help="a new folder for the output parts")
    s.add_argument("--scheduler", help="a Dask scheduler address; default: a LocalCluster")
    s.add_argument("--workers", type=int, default=os.cpu_count(), help="LocalCluster workers (default: one per core)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--partition-rows", type=int, default=100_000)
    s.add_argument("--format", choices=["parquet", "root"], default="parquet")
    a = ap.parse_args(argv)

    import logging

    from .smear import SmearError, one_line, prepare, run

    t0 = time.time()
    error = None
    try:
        job = prepare(a.model, a.input, a.tree, a.out, a.partition_rows)
    except SmearError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    from dask.distributed import Client, LocalCluster

    cluster = client = None
    try:
        if a.scheduler:
            client = Client(a.scheduler)
        else:
            cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
            client = Client(cluster)
        # A task's failure is reported once, by this command, as one line: the workers' own
        # "Compute Failed" logs are not repeated.
        n_workers = len(client.scheduler_info()["workers"])
        rows = run(job, client, seed=a.seed, fmt=a.format)
        dt = time.time() - t0
        print(f"smeared {rows} events on {n_workers} worker(s) in {dt:.1f} s "
              f"({rows / dt:.0f} events/s); wrote {a.out}", file=sys.stderr)
    except SmearError as e:
        error = str(e)
    except Exception as e:  # noqa: BLE001 - the command's contract: one line, exit 1
        error = one_line(e)
    finally:
        # Workers torn down mid-task log their closed connections: not the user's business.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if error is not None:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
