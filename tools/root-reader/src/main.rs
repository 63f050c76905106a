//! `fastsim-root FILE.root [--tree T] [--branches a,b] [--jagged flatten|first:N]`: prints the
//! tree's numeric branches as CSV (header row) on stdout, notes as `note: …` on stderr, and on
//! bad input one `error: …` line and exit status 1. `fastsim` runs it for `.root` paths.

use fastsim_root::{read_root, Jagged, ReadOptions};
use std::io::Write;
use std::path::Path;

fn parse(args: &[String]) -> Result<(String, ReadOptions), String> {
    let mut file = None;
    let mut opts = ReadOptions {
        tree: None,
        branches: None,
        jagged: Jagged::First(1),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--tree" => opts.tree = Some(value()?),
            "--branches" => {
                opts.branches = Some(value()?.split(',').map(|s| s.trim().to_string()).collect())
            }
            "--jagged" => {
                let v = value()?;
                opts.jagged = match v.as_str() {
                    "flatten" => Jagged::Flatten,
                    _ => match v.strip_prefix("first:").and_then(|n| n.parse().ok()) {
                        Some(n) if n >= 1 => Jagged::First(n),
                        _ => {
                            return Err(format!(
                                "--jagged '{v}': expected flatten or first:N (N ≥ 1)"
                            ))
                        }
                    },
                }
            }
            f if file.is_none() && !f.starts_with("--") => file = Some(f.to_string()),
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    Ok((
        file.ok_or(
            "usage: fastsim-root FILE.root [--tree T] [--branches a,b] [--jagged flatten|first:N]",
        )?,
        opts,
    ))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (file, opts) = parse(&args)?;
    let mut notes = Vec::new();
    let table = read_root(Path::new(&file), &file, &opts, &mut notes)?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    let stdout = std::io::stdout();
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(stdout.lock()));
    let io = |e: csv::Error| format!("cannot write: {e}");
    w.write_record(&table.names).map_err(io)?;
    let rows = table.columns.first().map_or(0, Vec::len);
    let mut rec = Vec::with_capacity(table.names.len());
    for r in 0..rows {
        rec.clear();
        rec.extend(table.columns.iter().map(|c| c[r].to_string()));
        w.write_record(&rec).map_err(io)?;
    }
    w.flush().map_err(|e| format!("cannot write: {e}"))?;
    std::io::stdout().flush().map_err(|e| e.to_string())
}

fn main() {
    // oxyroot panics on some malformed files; read_root turns those into one-line errors, so
    // the default hook's backtrace would only repeat them.
    std::panic::set_hook(Box::new(|_| {}));
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
