//! `fastsim convert`: a table from one format to another, by extension (e.g. ROOT → NPZ for
//! the page).

use super::common::InputArgs;
use clap::Args;
use fastsim_lab::data::write_table;
use fastsim_lab::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct ConvertArgs {
    #[arg(long)]
    input: PathBuf,
    #[command(flatten)]
    read: InputArgs,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: ConvertArgs) -> Result<()> {
    let table = a.read.load(&a.input)?;
    write_table(&table, &a.out)?;
    eprintln!(
        "wrote {} rows × {} columns to {}",
        table.n_rows(),
        table.n_cols(),
        a.out.display()
    );
    Ok(())
}
