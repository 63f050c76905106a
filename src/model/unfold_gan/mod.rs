//! Seed 002's unfolding GANs (naive and fully conditional), their MMD kernels, and their
//! trained form.

mod mmd;
mod net;
mod trained;

pub use mmd::{mmd, mmd2, KernelShape};
pub use net::{
    generate, mjj_gev, EventScales, GanBatch, GanConfig, GanKind, MmdKernel, UnfoldGan,
    COOLING_FRACTION,
};
pub use trained::{
    check_object_columns, condition_rows, to_cartesian, to_objects, GanEpoch, TrainedUnfold,
    UnfoldMeta,
};
