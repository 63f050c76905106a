//! The command-line contract of DESIGN.md, exercised through the `fastsim` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fastsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fastsim"))
        .args(args)
        .output()
        .expect("fastsim runs")
}

fn tmp(name: &str) -> PathBuf {
    crate::tmp("cli", name)
}

/// The message of a run that failed: exit status 1 and a one-line message.
fn one_line_error(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1));
    let e = text(&o.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const GEN: &str = "gen_mu_px,gen_mu_py,gen_mu_pz,gen_jet_px,gen_jet_py,gen_jet_pz,gen_jet_logm,gen_met_x,gen_met_y";
const RECO: &str = "reco_mu_px,reco_mu_py,reco_mu_pz,reco_jet_px,reco_jet_py,reco_jet_pz,reco_jet_logm,reco_met_x,reco_met_y";

#[test]
fn generate_train_sample_eval() {
    let data = tmp("events.csv");
    let model = tmp("model.fastsim");
    let sampled = tmp("sampled.csv");
    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--events",
        "3000",
        "--seed",
        "4",
        "--out",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(&data).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("gen_mu_px,gen_mu_py"), "{header}");
    assert!(
        header.contains("reco_met_y") && header.contains("gen_mt") && header.contains("reco_jet_m")
    );
    assert_eq!(csv.lines().count(), 3001);

    let o = fastsim(&[
        "train",
        "--model",
        "smearing",
        "--data",
        data.to_str().unwrap(),
        "--gen-cols",
        GEN,
        "--reco-cols",
        RECO,
        "--epochs",
        "2",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("epoch   2"), "{}", text(&o.stderr));
    // Issue 17: the quality figure of a model trained on a file was measured on the training
    // file itself. It is now measured on the file's held-out last 20 %, which it says, and
    // the figure stored is exactly the model's JS on those rows.
    assert!(
        text(&o.stderr).contains("on the 600 held-out rows of events.csv"),
        "{}",
        text(&o.stderr)
    );
    check_quality_on_held_out_rows(&model, &data);

    let o = fastsim(&[
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--seed",
        "3",
        "--out",
        sampled.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = std::fs::read_to_string(&sampled).unwrap();
    // The input's columns stay, in order; the predictions replace the reco columns.
    assert_eq!(out.lines().next().unwrap(), header);
    assert_ne!(out.lines().nth(1), csv.lines().nth(1));

    let o = fastsim(&[
        "eval",
        "--truth",
        data.to_str().unwrap(),
        "--test",
        sampled.to_str().unwrap(),
        "--cols",
        "reco_mu_px,reco_jet_px",
        "--joint",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "n_quant\treco_mu_px\treco_jet_px\tjoint");
    // 2, 4, …, 256 ≤ 3000/10.
    assert_eq!(lines.len(), 1 + 8, "{table}");
    for l in &lines[1..] {
        let v: Vec<f64> = l.split('\t').skip(1).map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| (0.0..=std::f64::consts::LN_2).contains(x)));
    }
}

#[test]
fn errors_are_one_line_and_name_the_place() {
    let bad = tmp("bad.csv");
    std::fs::write(&bad, "gen_a,reco_a\n1,2\n3,oops\n").unwrap();
    let o = fastsim(&[
        "train",
        "--model",
        "smearing",
        "--data",
        bad.to_str().unwrap(),
        "--gen-cols",
        "gen_a",
        "--reco-cols",
        "reco_a",
        "--out",
        tmp("x").to_str().unwrap(),
    ]);
    let e = one_line_error(&o);
    assert!(
        e.contains("bad.csv: row 2, column 'reco_a': 'oops' is not a number"),
        "{e}"
    );

    let good = tmp("good.csv");
    std::fs::write(&good, "gen_a,reco_a\n1,2\n").unwrap();
    let o = fastsim(&[
        "train",
        "--model",
        "smearing",
        "--data",
        good.to_str().unwrap(),
        "--gen-cols",
        "gen_b",
        "--reco-cols",
        "reco_a",
        "--out",
        tmp("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = text(&o.stderr);
    assert!(
        e.contains("unknown column 'gen_b'") && e.contains("available: gen_a,reco_a"),
        "{e}"
    );

    let o = fastsim(&[
        "sample",
        "--model",
        good.to_str().unwrap(),
        "--input",
        good.to_str().unwrap(),
        "--out",
        tmp("y.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("not a fastsim model file"),
        "{}",
        text(&o.stderr)
    );

    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--events",
        "0",
        "--out",
        tmp("z.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("event count"),
        "{}",
        text(&o.stderr)
    );
}

/// The detector JSON the page exports drives `generate --detector`: a wider jet η resolution
/// shows in the generated events.
#[test]
fn generate_reads_the_page_s_detector_json() {
    use fastsim_lab::data::read_table;
    use fastsim_lab::detector::WjetsDetector;
    let mut det = WjetsDetector::default();
    det.jet.sigma_eta = 0.1;
    let card = tmp("detector-b.json");
    std::fs::write(&card, det.to_json()).unwrap();
    let spread = |path: &PathBuf| {
        let t = read_table(path).unwrap();
        let (g, r) = (
            t.column("gen_jet_eta").unwrap(),
            t.column("reco_jet_eta").unwrap(),
        );
        (g.iter()
            .zip(r)
            .map(|(g, r)| ((r - g) as f64).powi(2))
            .sum::<f64>()
            / g.len() as f64)
            .sqrt()
    };
    let (a, b) = (tmp("det-a.npz"), tmp("det-b.npz"));
    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--events",
        "2000",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--events",
        "2000",
        "--detector",
        card.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (sa, sb) = (spread(&a), spread(&b));
    assert!(
        (sa - 0.02).abs() < 0.005 && (sb - 0.1).abs() < 0.02,
        "σ(η) A {sa:.4}, B {sb:.4}"
    );
    let bad = tmp("bad-card.json");
    std::fs::write(&bad, r#"{"jet": {"sigma_eta": "wide"}}"#).unwrap();
    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--detector",
        bad.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("bad-card.json"),
        "{}",
        text(&o.stderr)
    );
}

/// `convert` between formats, and NaN rows refused or dropped with a count.
#[test]
fn convert_and_the_non_finite_policy() {
    let csv = tmp("nan.csv");
    std::fs::write(&csv, "gen_x,reco_x\n1,2\nnan,3\n4,5\n").unwrap();
    let npz = tmp("nan.npz");
    let o = fastsim(&[
        "convert",
        "--input",
        csv.to_str().unwrap(),
        "--out",
        npz.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: ")
            && err.contains("nan.csv: row 2, column 'gen_x': not a finite number"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let o = fastsim(&[
        "convert",
        "--input",
        csv.to_str().unwrap(),
        "--drop-nonfinite",
        "--out",
        npz.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("dropped 1 rows holding NaN or Inf"));
    let back = fastsim_lab::data::read_table(&npz).unwrap();
    assert_eq!(back.column("reco_x").unwrap(), &[2.0, 5.0]);
}

/// `fastsim amplify` on a "generated" sample that is itself detector-level truth (an
/// independent seed): it is worth its own size, so its amplification is about its size over
/// the training size (seed 003's sanity check), and the table, the line and the plot appear.
#[test]
fn amplify_a_truth_sample_and_plot_every_kind() {
    let gen_file = |events: &str, seed: &str, name: &str| {
        let path = tmp(name);
        let o = fastsim(&[
            "generate",
            "--process",
            "wjets",
            "--events",
            events,
            "--seed",
            seed,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        path
    };
    let train = gen_file("500", "21", "amp_train.csv");
    let truth = gen_file("60000", "22", "amp_truth.npz");
    let fake_model = gen_file("5000", "23", "amp_gen.npz");
    let plots = tmp("amp_plots");
    let o = fastsim(&[
        "amplify",
        "--truth",
        truth.to_str().unwrap(),
        "--gen",
        fake_model.to_str().unwrap(),
        "--train",
        train.to_str().unwrap(),
        "--cols",
        "reco_met",
        "--n-quant",
        "16",
        "--plot-dir",
        plots.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("n_quant\ttruth_500\ttruth_1000"), "{out}");
    assert!(
        out.contains("training sample (500)") && out.contains("KDE (5000)"),
        "{out}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("amplification: "))
        .unwrap_or_else(|| panic!("{out}"));
    let factor: f64 = line["amplification: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (4.0..25.0).contains(&factor),
        "expected ≈ 5000/500 = 10: {line}"
    );
    assert!(plots.join("js_reco_met.svg").exists());

    // The three plot kinds, with the fake model as a two-member ensemble.
    let test_files = format!("{},{}", truth.display(), truth.display());
    for (kind, file) in [
        ("hist", "met.svg"),
        ("residual", "met_residual.svg"),
        ("map", "met_map.svg"),
    ] {
        let o = fastsim(&[
            "plot",
            "--kind",
            kind,
            "--truth",
            truth.to_str().unwrap(),
            "--test",
            &test_files,
            "--features",
            "met",
            "--out-dir",
            plots.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{kind}: {}", text(&o.stderr));
        let svg = std::fs::read_to_string(plots.join(file)).unwrap();
        assert!(svg.contains("missing p_T"), "{kind}");
    }
    // A map needs events paired one to one.
    let o = fastsim(&[
        "plot",
        "--kind",
        "map",
        "--truth",
        truth.to_str().unwrap(),
        "--test",
        fake_model.to_str().unwrap(),
        "--features",
        "met",
        "--out-dir",
        plots.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert!(
        !o.status.success() && err.lines().count() == 1 && err.contains("pairs events"),
        "{err}"
    );
}

/// `--model` takes a pre-trained model's manifest name (hash checked) as well as a file; an
/// unknown name lists the available ones.
#[test]
fn sample_with_a_pre_trained_model_by_name() {
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let input = tmp("pretrained_in.csv");
    let out = tmp("pretrained_out.csv");
    let o = fastsim(&[
        "generate",
        "--process",
        "wjets",
        "--events",
        "300",
        "--seed",
        "9",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let run = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_fastsim"))
            .env("FASTSIM_MODELS", models)
            .args([
                "sample",
                "--model",
                name,
                "--input",
                input.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let o = run("wjets-cms");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() == 301);
    let o = run("no-such-model");
    let err = text(&o.stderr);
    assert!(
        !o.status.success() && err.contains("available: wjets-cms, wjets-coarse"),
        "{err}"
    );
}

/// The stored quality of a model trained on `data` is its quantile-JS on the file's last
/// fifth (sampled with the training seed), and the file records all its rows as the origin.
fn check_quality_on_held_out_rows(model: &std::path::Path, data: &std::path::Path) {
    use fastsim_lab::backend;
    use fastsim_lab::data::{read_path, ReadOptions};
    use fastsim_lab::recipe::DataOrigin;
    use fastsim_lab::store::load_smearing;
    use fastsim_lab::workflow::smearing::{compare, quality, split_file};
    let bytes = std::fs::read(model).unwrap();
    let m = load_smearing(&bytes, "model", &backend::cpu()).unwrap();
    let table = read_path(data, &ReadOptions::default()).unwrap().table;
    let (train, test) = split_file(&table).unwrap();
    assert_eq!((train.n_rows(), test.n_rows()), (2400, 600));
    assert_eq!(m.meta.events, 2400, "trained on the first 80 %");
    assert!(matches!(
        m.meta.origin,
        Some(DataOrigin::Upload { rows: 3000, .. })
    ));
    let sampled = pollster::block_on(m.sample(&test, m.meta.train.seed)).unwrap();
    let want = quality(&compare(&m, &test, &sampled).unwrap());
    assert_eq!(m.meta.quality.len(), 9);
    for ((c, got), (_, w)) in m.meta.quality.iter().zip(&want) {
        assert!(
            (got - w).abs() < 1e-9,
            "{c}: stored {got}, on held-out rows {w}"
        );
    }
}

/// Issue 18: a CSV as an analysis exports it — a file-name and a label column, 64-bit event
/// numbers, a header with spaces — trains and samples when the columns used are numbers; a text
/// column named for training is refused with its file, row and column.
#[test]
fn a_csv_with_text_columns_trains_on_its_numeric_ones() {
    let data = tmp("analysis.csv");
    let mut csv = String::from("file, event ,gen_a,reco_a,sample label\n");
    for i in 0..400u64 {
        let g = (i % 37) as f32 * 0.5 + 1.0;
        let r = g * (1.0 + 0.05 * (((i * 7919) % 13) as f32 - 6.0) / 6.0);
        csv += &format!(
            "nano_tt_v12.root,{},{g},{r},tt+jets\n",
            18_000_000_000_000_000_000u64 + i
        );
    }
    std::fs::write(&data, csv).unwrap();
    let model = tmp("text-cols.fastsim");
    let o = fastsim(&[
        "train",
        "--model",
        "smearing",
        "--data",
        data.to_str().unwrap(),
        "--gen-cols",
        "gen_a",
        "--reco-cols",
        "reco_a",
        "--epochs",
        "2",
        "--hidden",
        "2x16",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = tmp("text-cols-sampled.csv");
    let o = fastsim(&[
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let sampled = std::fs::read_to_string(&out).unwrap();
    assert_eq!(sampled.lines().next(), Some("event,gen_a,reco_a"));
    assert_eq!(sampled.lines().count(), 401);

    let o = fastsim(&[
        "train",
        "--model",
        "smearing",
        "--data",
        data.to_str().unwrap(),
        "--gen-cols",
        "file",
        "--reco-cols",
        "reco_a",
        "--epochs",
        "1",
        "--out",
        tmp("never.fastsim").to_str().unwrap(),
    ]);
    let e = one_line_error(&o);
    assert!(
        e.contains("analysis.csv: row 1, column 'file': 'nano_tt_v12.root' is not a number"),
        "{e}"
    );
}

/// `fastsim reproduce` runs a paper's study end to end at a tiny size: the report holds the
/// tables, the paper's statements with a verdict each, the commands it ran, and every figure
/// it links exists. An unknown paper is one line.
#[test]
fn reproduce_writes_a_report_whose_figures_exist() {
    for (paper, events, expect) in [
        ("000", "2000", "## Residuals (figs. 5, 6, 11 and 12)"),
        ("001", "1500", "The paper's KLD"),
        ("002", "3000", "cut IV, eq. (13)"),
        ("003", "2000", "## Table 1 and the amplification per study"),
    ] {
        let out = tmp(&format!("reproduce-{paper}"));
        let work = tmp(&format!("reproduce-{paper}-work"));
        let o = fastsim(&[
            "reproduce",
            paper,
            "--events",
            events,
            "--epochs",
            "1",
            "--out",
            out.to_str().unwrap(),
            "--work",
            work.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(md.contains(expect), "{md}");
        assert!(md.contains("## The paper's statements beside ours"));
        assert!(
            md.contains("fastsim generate") && (paper == "003" || md.contains("--paper")),
            "{md}"
        );
        let links: Vec<&str> = md
            .split("](")
            .skip(1)
            .map(|s| &s[..s.find(')').unwrap()])
            .collect();
        assert!(links.len() >= 4, "{links:?}");
        for l in links {
            assert!(out.join(l).is_file(), "{paper}: {l} is linked but missing");
        }
        // Every statement row ends in a verdict.
        let statements = md.split("beside ours").nth(1).unwrap();
        for row in statements
            .lines()
            .filter(|l| l.starts_with("| ") && !l.contains("---"))
            .skip(1)
        {
            let last = row.trim_end_matches(" |").rsplit(" | ").next().unwrap();
            assert!(!last.trim().is_empty(), "{row}");
        }
    }
    let e = one_line_error(&fastsim(&["reproduce", "004"]));
    assert!(e.contains("'004' (choose 000, 001, 002 or 003)"), "{e}");
}
