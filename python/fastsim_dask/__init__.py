"""Smearing at scale: a fastsim-lab smearing model exported to ONNX (`fastsim export`) applied
to NanoAOD-style ROOT files (uproot) or Parquet files (pyarrow), partition by partition, on a
Dask cluster (a LocalCluster by default), with noise from a seeded stream per partition."""

from .smear import Job, Partition, SmearError, plan, prepare, run, smear_partition

__all__ = ["Job", "Partition", "SmearError", "plan", "prepare", "run", "smear_partition"]
