//! `fastsim eval`: quantile-JS of a test sample against truth per column (and jointly), for
//! n_quant = 2, 4, 8, … ≤ N/10.

use super::common::InputArgs;
use clap::Args;
use fastsim_lab::metrics::{joint_js_curve, js_curve};
use fastsim_lab::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct EvalArgs {
    #[arg(long)]
    truth: PathBuf,
    #[arg(long)]
    test: PathBuf,
    #[arg(long, value_delimiter = ',', required = true)]
    cols: Vec<String>,
    /// Also the joint (n-dimensional) quantile-JS of all the columns.
    #[arg(long)]
    joint: bool,
    #[arg(long, default_value_t = 1 << 20)]
    max_quantiles: usize,
    #[command(flatten)]
    read: InputArgs,
}

pub fn run(a: EvalArgs) -> Result<()> {
    let truth = a.read.load(&a.truth)?;
    let test = a.read.load(&a.test)?;
    let mut curves = Vec::new();
    for c in &a.cols {
        curves.push(js_curve(
            truth.column(c)?,
            test.column(c)?,
            a.max_quantiles,
        )?);
    }
    let mut header = a.cols.clone();
    if a.joint {
        let (x, y) = (truth.row_major(&a.cols)?, test.row_major(&a.cols)?);
        curves.push(joint_js_curve(&x, &y, a.cols.len(), a.max_quantiles)?);
        header.push("joint".into());
    }
    println!("n_quant\t{}", header.join("\t"));
    for (i, (n, _)) in curves[0].iter().enumerate() {
        let row: Vec<String> = curves.iter().map(|c| format!("{:.6}", c[i].1)).collect();
        println!("{n}\t{}", row.join("\t"));
    }
    Ok(())
}
