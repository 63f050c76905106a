"""Smearing at scale (issue 21): `python -m fastsim_dask smear` on a LocalCluster of 2 workers
over 200,000 events in NanoAOD-style ROOT files (flat branches, tree Events) and a Parquet
file, checked statistically against `fastsim sample` of the same inputs (quantile-JS at the
floor), and its bad inputs: a missing branch, a wrong model kind, a file that fails mid-way —
each one line, exit 1 and no output.

Run by scripts/test with the venv's Python:  python tests/onnx/test_dask.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import uproot

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/fastsim-lab/target"))
FASTSIM = TARGET / "release" / "fastsim"
EVENTS = 200_000
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "python")}


def fastsim(*args):
    return subprocess.run([str(FASTSIM), *map(str, args)], check=True, cwd=ROOT,
                          capture_output=True, text=True).stdout


def smear(*args):
    return subprocess.run([sys.executable, "-m", "fastsim_dask", "smear", *map(str, args)],
                          cwd=ROOT, env=ENV, capture_output=True, text=True)


def write_tree(path, columns, **kw):
    """A NanoAOD-style TTree `Events` of flat branches (uproot writes an RNTuple for a plain
    dict, so the tree is made explicitly)."""
    with uproot.recreate(path, **kw) as f:
        f.mktree("Events", {k: v.dtype for k, v in columns.items()})
        f["Events"].extend(columns)


def main():
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fastsim("export", "--model", "wjets-cms", "--out", tmp / "wjets.onnx")
        fastsim("export", "--model", "showers-vae-gan", "--out", tmp / "showers.onnx")
        fastsim("generate", "--process", "wjets", "--events", EVENTS, "--seed", 2103, "--out", tmp / "events.npz")
        events = dict(np.load(tmp / "events.npz"))
        # Two ROOT files of 80k and one Parquet file of 40k, the same events in order.
        (tmp / "in").mkdir()
        cuts = [0, 80_000, 160_000, EVENTS]
        for i in range(2):
            write_tree(tmp / "in" / f"events_{i}.root", {k: v[cuts[i]:cuts[i + 1]] for k, v in events.items()})
        import pyarrow as pa
        pq.write_table(pa.table({k: v[cuts[2]:] for k, v in events.items()}), tmp / "in" / "events_2.parquet")

        r = smear("--model", tmp / "wjets.onnx", "--input", tmp / "in" / "events_*", "--tree", "Events",
                  "--out", tmp / "out", "--workers", 2, "--partition-rows", 40_000)
        print(r.stderr.strip().splitlines()[-1])
        assert r.returncode == 0, r.stderr
        parts = sorted((tmp / "out").glob("part-*.parquet"))
        table = pq.read_table(parts).to_pandas() if False else None
        dask_out = {}
        for p in parts:
            t = pq.read_table(p)
            for c in t.column_names:
                dask_out.setdefault(c, []).append(t.column(c).to_numpy())
        dask_out = {c: np.concatenate(v) for c, v in dask_out.items()}
        assert len(parts) == 5 and len(dask_out["reco_jet_px"]) == EVENTS, (len(parts), len(dask_out["reco_jet_px"]))
        # The same gen events through `fastsim sample` (its own noise): statistically the same.
        fastsim("sample", "--model", "wjets-cms", "--input", tmp / "events.npz", "--seed", 5, "--out", tmp / "native.npz")
        np.savez(tmp / "dask.npz", **{k: v.astype(np.float32) for k, v in dask_out.items()})
        cols = "reco_mu_px,reco_jet_px,reco_jet_pz,reco_jet_logm,reco_met_x"
        table = fastsim("eval", "--truth", tmp / "native.npz", "--test", tmp / "dask.npz", "--cols", cols,
                        "--max-quantiles", 64)
        print("quantile-JS of the Dask sample against fastsim sample's (200k each):")
        print(table.strip())
        rows = [l.split("\t") for l in table.strip().splitlines() if l[:1].isdigit()]
        last = rows[-1]
        # Two independent samples of 200k at 64 quantiles: the statistical floor is about
        # (64 − 1)/(4 · 200,000) ≈ 8e-5 per column; 5e-4 leaves room and catches any real shift.
        assert all(float(v) < 5e-4 for v in last[1:]), last

        # Bad inputs: one line each, exit 1, and no output folder.
        bad = [
            ("a missing branch", ["--model", tmp / "wjets.onnx", "--input", tmp / "in" / "events_0.root",
                                  "--tree", "Events", "--out", tmp / "bad1"], "no branch"),
            ("a wrong model kind", ["--model", tmp / "showers.onnx", "--input", tmp / "in" / "events_0.root",
                                    "--out", tmp / "bad2"], "'vae-gan' model"),
        ]
        # Drop a branch for the first case.
        write_tree(tmp / "in" / "events_0.root", {k: v[:1000] for k, v in events.items() if k != "gen_met_x"})
        # A file cut short (a read fails: the others' parts are discarded), and one that
        # fails mid-way: its header and tree metadata intact, a stretch of its baskets zeroed, so
        # the planning passes and a partition's read fails while the others are written.
        good = (tmp / "in" / "events_1.root").read_bytes()
        (tmp / "trunc").mkdir()
        (tmp / "trunc" / "a.root").write_bytes(good)
        (tmp / "trunc" / "b.root").write_bytes(good[: len(good) // 50])
        bad.append(("a file cut short", ["--model", tmp / "wjets.onnx", "--input", tmp / "trunc" / "*.root",
                                         "--out", tmp / "bad3", "--workers", 2], "trunc/b.root"))
        (tmp / "mid").mkdir()
        (tmp / "mid" / "a.root").write_bytes(good)
        # (zlib-compressed baskets: zeroed, their decompression fails; uncompressed ones would
        # read back as zeros)
        # Baskets of 20k entries (four per branch), the gen_met_x ones zeroed but the first.
        mid = {k: v[cuts[1]:cuts[2]] for k, v in events.items()}
        with uproot.recreate(tmp / "mid" / "b.root", compression=uproot.ZLIB(1)) as f:
            f.mktree("Events", {k: v.dtype for k, v in mid.items()})
            for s in range(0, 80_000, 20_000):
                f["Events"].extend({k: v[s:s + 20_000] for k, v in mid.items()})
        broken = bytearray((tmp / "mid" / "b.root").read_bytes())
        branch = uproot.open(tmp / "mid" / "b.root")["Events"]["gen_met_x"]
        for i in range(1, branch.num_baskets):
            seek = int(branch.member("fBasketSeek")[i])
            broken[seek + 80: seek + 2000] = bytes(1920)
        (tmp / "mid" / "b.root").write_bytes(bytes(broken))
        bad.append(("a file that fails mid-way", ["--model", tmp / "wjets.onnx", "--input", tmp / "mid" / "*.root",
                                                  "--out", tmp / "bad4", "--workers", 2, "--partition-rows", 20_000],
                    "b.root: entries"))
        for what, args, needle in bad:
            r = smear(*args)
            lines = r.stderr.strip().splitlines()
            print(f"{what}: exit {r.returncode}: {lines[-1] if lines else ''}")
            assert r.returncode == 1, r.stderr
            assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines
            out_dir = Path(args[args.index("--out") + 1])
            assert not out_dir.exists(), f"{what}: {out_dir} was written"
            assert not list(out_dir.parent.glob(f".{out_dir.name}.staging-*")), f"{what}: staging left"
    print("dask: all checks passed")


if __name__ == "__main__":
    main()
