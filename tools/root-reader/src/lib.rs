//! fastsim-lab's ROOT reader, kept apart from the main crate (see [`root`]).

pub mod root;
pub use root::{read_root, Jagged, ReadOptions, Table};
