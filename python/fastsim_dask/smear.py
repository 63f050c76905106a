"""The smearing job: partitions of the input files, one task each, written to a staging
folder that becomes the output only when every task succeeded (no partial output)."""

from __future__ import annotations

import glob
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class SmearError(Exception):
    """Bad input, named in one line (the command prints it and exits 1)."""


def one_line(e: BaseException) -> str:
    """An exception's message on one line: libraries' messages run over several."""
    text = " ".join(str(e).split())
    if isinstance(e, SmearError):
        return text
    kind = type(e).__name__
    if kind == "error":  # zlib.error, struct.error: name the module
        kind = f"{type(e).__module__}.error"
    return f"{kind}: {text}"


@dataclass(frozen=True)
class Partition:
    index: int
    path: str
    start: int
    stop: int


@dataclass(frozen=True)
class Model:
    """What the job needs of an exported model: its bytes and column names."""

    data: bytes
    gen: list[str]
    reco: list[str]

    @staticmethod
    def load(path: str) -> "Model":
        import onnx

        try:
            proto = onnx.load(path)
        except Exception as e:  # noqa: BLE001 - any failure to read is the user's file
            raise SmearError(f"{path}: not an ONNX model ({one_line(e)})") from None
        meta = {p.key: p.value for p in proto.metadata_props}
        kind = meta.get("kind", "unknown")
        inputs = [i.name for i in proto.graph.input]
        if kind != "smearing" or inputs != ["gen", "noise"]:
            raise SmearError(
                f"{path}: a '{kind}' model (inputs {', '.join(inputs)}); smear needs a smearing "
                "model exported by `fastsim export` (inputs gen and noise)"
            )
        with open(path, "rb") as f:
            return Model(f.read(), meta["gen_columns"].split(","), meta["reco_columns"].split(","))


def _files(pattern: str) -> list[str]:
    files = sorted(glob.glob(pattern))
    if not files:
        raise SmearError(f"{pattern}: no such files")
    return files


def _is_root(path: str) -> bool:
    return path.endswith(".root")


def _entries(path: str, tree: str, columns: list[str]) -> int:
    """Rows of one input file, after checking it has every column the model reads."""
    if _is_root(path):
        import uproot

        try:
            f = uproot.open(path)
            keys = [k.split(";")[0] for k in f.keys()]
            if tree not in keys:
                raise SmearError(f"{path}: no tree '{tree}' (it has {', '.join(keys) or 'no keys'})")
            t = f[tree]
            names = set(t.keys())
            n = t.num_entries
        except SmearError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure to read is the file's
            raise SmearError(f"{path}: not a readable ROOT file ({one_line(e)})") from None
    else:
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(path).metadata
        except Exception as e:  # noqa: BLE001
            raise SmearError(f"{path}: not a readable Parquet file ({one_line(e)})") from None
        names = set(meta.schema.names)
        n = meta.num_rows
    missing = [c for c in columns if c not in names]
    if missing:
        raise SmearError(f"{path}: no branch {', '.join(missing)} (the model reads {', '.join(columns)})")
    return n


def plan(pattern: str, tree: str, model: Model, partition_rows: int) -> list[Partition]:
    """The partitions of every input file, at most `partition_rows` rows each; every file is
    checked first, so a bad one stops the job before anything is written."""
    parts = []
    for path in _files(pattern):
        n = _entries(path, tree, model.gen)
        for start in range(0, n, partition_rows):
            parts.append(Partition(len(parts), path, start, min(n, start + partition_rows)))
    return parts


def _read(p: Partition, tree: str, columns: list[str]) -> dict[str, np.ndarray]:
    if _is_root(p.path):
        import uproot

        with uproot.open(p.path) as f:
            arrays = f[tree].arrays(columns, entry_start=p.start, entry_stop=p.stop, library="np")
        return {c: np.asarray(arrays[c]) for c in columns}
    import pyarrow.parquet as pq

    table = pq.read_table(p.path, columns=columns).slice(p.start, p.stop - p.start)
    return {c: table.column(c).to_numpy() for c in columns}


_SESSIONS: dict[int, object] = {}


def _session(model: Model):
    """One onnxruntime session per worker process and model."""
    import onnxruntime as ort

    key = hash(model.data)
    if key not in _SESSIONS:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        _SESSIONS[key] = ort.InferenceSession(model.data, opts, providers=["CPUExecutionProvider"])
    return _SESSIONS[key]


def noise(seed: int, index: int, rows: int, cols: int) -> np.ndarray:
    """The standard normals of partition `index`: numpy's PCG64 seeded with (seed, index), so
    a partition's noise does not depend on which worker runs it or in what order."""
    return np.random.default_rng([seed, index]).standard_normal((rows, cols), dtype=np.float32)


def smear_partition(p: Partition, tree: str, model: Model, seed: int, staging: str, fmt: str) -> int:
    """Reads one partition, smears it, writes it to `staging`; returns its rows."""
    import pyarrow as pa

    try:
        cols = _read(p, tree, model.gen)
    except Exception as e:  # noqa: BLE001 - a file that fails mid-way
        raise SmearError(f"{p.path}: entries {p.start}–{p.stop}: {one_line(e)}") from None
    gen = np.stack([cols[c].astype(np.float32) for c in model.gen], axis=1)
    if not np.isfinite(gen).all():
        r, c = np.argwhere(~np.isfinite(gen))[0]
        raise SmearError(f"{p.path}: entry {p.start + r}: {model.gen[c]} is {gen[r, c]}")
    eps = noise(seed, p.index, len(gen), len(model.reco))
    reco = _session(model).run(["reco"], {"gen": gen, "noise": eps})[0]
    out = {c: cols[c] for c in model.gen}
    out.update({c: reco[:, j] for j, c in enumerate(model.reco)})
    name = os.path.join(staging, f"part-{p.index:05d}")
    if fmt == "root":
        import uproot

        with uproot.recreate(name + ".root") as f:
            f.mktree(tree, {k: v.dtype for k, v in out.items()})
            f[tree].extend(out)
    else:
        import pyarrow.parquet as pq

        pq.write_table(pa.table(out), name + ".parquet")
    return len(gen)


@dataclass(frozen=True)
class Job:
    """A checked job: the model, the partitions of files that all have its columns, and a new
    output folder."""

    model: Model
    parts: list[Partition]
    tree: str
    out: Path


def prepare(model_path: str, pattern: str, tree: str, out: str, partition_rows: int = 100_000) -> Job:
    """Every check that needs no cluster: the model's kind, each file's columns, the output
    folder. A bad input stops here, before a worker starts."""
    if partition_rows < 1:
        raise SmearError(f"--partition-rows {partition_rows}: at least 1")
    model = Model.load(model_path)
    parts = plan(pattern, tree, model, partition_rows)
    out_dir = Path(out)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise SmearError(f"{out}: exists and is not an empty folder (nothing was written)")
    return Job(model, parts, tree, out_dir)


def run(job: Job, client, seed: int = 1, fmt: str = "parquet", progress: bool = True) -> int:
    """Smears every partition on `client`'s cluster; returns the rows written. On any failure
    the staging folder is removed and the output folder is left as it was."""
    from dask.distributed import progress as show_progress, wait

    out_dir = job.out
    staging = out_dir.parent / f".{out_dir.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        model_future = client.scatter(job.model, broadcast=True)
        futures = [client.submit(smear_partition, p, job.tree, model_future, seed, str(staging), fmt,
                                 key=f"smear-{p.index}-{uuid.uuid4().hex[:6]}") for p in job.parts]
        if progress:
            show_progress(futures)
            print()
        wait(futures)
        failed = [f for f in futures if f.status != "finished"]
        if failed:
            e = failed[0].exception()
            raise e if isinstance(e, SmearError) else SmearError(f"a partition failed: {one_line(e)}")
        rows = sum(f.result() for f in futures)
        if out_dir.exists():
            out_dir.rmdir()
        staging.rename(out_dir)
        return rows
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
