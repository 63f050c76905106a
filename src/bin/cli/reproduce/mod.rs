//! `fastsim reproduce 000|001|002|003`: a paper's headline study at a size this machine allows, with
//! the `--paper` preset, written up as a Markdown report: the commands it ran, tables and
//! figures, the paper's statements quoted (section, figure) beside our numbers, and a plain
//! verdict on each. Every step is this program's own subcommand, run as a child process so
//! that its output is logged and its wall time measured as a user would see them.

mod jet_vae;
mod showers;
mod smearing;
mod unfolding;

use super::common::write;
use clap::Args;
use fastsim_lab::{Error, Result};
use jet_vae::jet_vae;
use showers::showers;
use smearing::smearing;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use unfolding::unfolding;

#[derive(Args)]
pub struct ReproduceArgs {
    /// The paper: 000 (Chen et al., the smearing network), 001 (Touranakou et al., the jet
    /// VAE), 002 (Bellagente et al., unfolding GANs) or 003 (Bieringer et al.,
    /// Calomplification).
    paper: String,
    /// Where report.md and its figures go (default: docs/reproduce/<paper>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where the data and models go (default: a folder under the system's temporary one).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Events (000: W+jet, 002: WZ), training jets (001) or generated showers (003); the
    /// defaults fit 5–8 minutes on 2 cores.
    #[arg(long)]
    events: Option<usize>,
    /// Training epochs of each model (003 studies the pre-trained model: none).
    #[arg(long)]
    epochs: Option<usize>,
}

/// A paper's study: runs its steps and writes its part of the report.
type StudyFn = fn(&mut Study, &Sizes) -> Result<()>;

/// The study's sizes: the defaults, or the user's.
struct Sizes {
    events: usize,
    epochs: usize,
}

pub fn run(a: ReproduceArgs) -> Result<()> {
    let (defaults, study): (Sizes, StudyFn) = match a.paper.as_str() {
        "001" | "1" => (
            Sizes {
                events: 20_000,
                epochs: 30,
            },
            jet_vae,
        ),
        "002" | "2" => (
            Sizes {
                events: 40_000,
                epochs: 6,
            },
            unfolding,
        ),
        "003" | "3" => (
            Sizes {
                events: 200_000,
                epochs: 0,
            },
            showers,
        ),
        "000" | "0" => (
            Sizes {
                events: 200_000,
                epochs: 100,
            },
            smearing,
        ),
        p => {
            return Err(Error::invalid(
                "reproduce",
                format!("'{p}' (choose 000, 001, 002 or 003)"),
            ))
        }
    };
    let sizes = Sizes {
        events: a.events.unwrap_or(defaults.events),
        epochs: a.epochs.unwrap_or(defaults.epochs),
    };
    if sizes.events < 1000 || (sizes.epochs == 0 && defaults.epochs > 0) {
        return Err(Error::invalid(
            "reproduce",
            "--events must be ≥ 1000 and --epochs ≥ 1",
        ));
    }
    let paper = format!("{:0>3}", a.paper);
    let out = a
        .out
        .unwrap_or_else(|| Path::new("docs/reproduce").join(&paper));
    let work = a
        .work
        .unwrap_or_else(|| std::env::temp_dir().join(format!("fastsim-reproduce-{paper}")));
    for dir in [&out, &work] {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
    }
    let mut s = Study {
        out,
        work,
        md: String::new(),
        commands: String::new(),
        t0: Instant::now(),
    };
    study(&mut s, &sizes)?;
    s.finish()
}

/// A study under way: its folders, the report's body and the commands it ran.
struct Study {
    out: PathBuf,
    work: PathBuf,
    md: String,
    commands: String,
    t0: Instant,
}

impl Study {
    fn w(&self, name: &str) -> String {
        self.work.join(name).display().to_string()
    }

    /// Runs `fastsim ARGS` (this executable); its wall time in seconds. Its output goes to
    /// the work folder's log and, on failure, the error line is this step's.
    fn fastsim(&mut self, args: &[&str]) -> Result<f64> {
        self.fastsim_out(args).map(|(secs, _)| secs)
    }

    /// [`Study::fastsim`], and what the step printed on its standard output.
    fn fastsim_out(&mut self, args: &[&str]) -> Result<(f64, String)> {
        let exe = std::env::current_exe().map_err(|source| Error::Io {
            path: PathBuf::from("fastsim"),
            source,
        })?;
        let quoted: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains(' ') {
                    format!("'{a}'")
                } else {
                    a.to_string()
                }
            })
            .collect();
        let line = format!("fastsim {}", quoted.join(" "));
        eprintln!("[{:>5.0} s] {line}", self.t0.elapsed().as_secs_f64());
        let t = Instant::now();
        let output = Command::new(&exe)
            .args(args)
            .output()
            .map_err(|source| Error::Io { path: exe, source })?;
        let secs = t.elapsed().as_secs_f64();
        let log = self.work.join("log.txt");
        let io = |source| Error::Io {
            path: log.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(io)?;
        use std::io::Write as _;
        writeln!(file, "$ {line}")
            .and_then(|()| file.write_all(&output.stdout))
            .and_then(|()| file.write_all(&output.stderr))
            .map_err(io)?;
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(Error::invalid(
                "reproduce",
                format!("`{line}` failed: {last}"),
            ));
        }
        let _ = writeln!(self.commands, "{line}   # {secs:.0} s");
        Ok((secs, String::from_utf8_lossy(&output.stdout).into_owned()))
    }

    fn finish(self) -> Result<()> {
        let mut md = self.md;
        let _ = write!(
            md,
            "\n## Commands\n\nRun by `fastsim reproduce` in {:.0} s on {} ({} cores), \
             work files in `{}`:\n\n```sh\n{}```\n",
            self.t0.elapsed().as_secs_f64(),
            std::env::consts::ARCH,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            self.work.display(),
            self.commands
        );
        let path = self.out.join("report.md");
        write(&path, md.as_bytes())?;
        eprintln!("wrote {}", path.display());
        Ok(())
    }

    fn figure(&mut self, file: &str, caption: &str) {
        let _ = writeln!(self.md, "\n![{caption}]({file})\n\n*{caption}*");
    }
}

/// A Markdown table.
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = format!(
        "| {} |\n|{}\n",
        head.join(" | "),
        " --- |".repeat(head.len())
    );
    for r in rows {
        let _ = writeln!(t, "| {} |", r.join(" | "));
    }
    t
}

fn e(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2e}")
    } else {
        "—".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_have_a_rule_per_column() {
        let t = table(&["a", "b"], &[vec!["1".into(), "2".into()]]);
        assert_eq!(t, "| a | b |\n| --- | --- |\n| 1 | 2 |\n");
        assert_eq!(e(f64::NAN), "—");
    }
}
