//! Seed 000's study: the smearing network on W(→μν)+jet events.

use super::super::common::{write_figure, ImageFormat, InputArgs};
use super::{e, table, Sizes, Study};
use fastsim_lab::backend;
use fastsim_lab::data::{write_table, Table};
use fastsim_lab::metrics::{mean_sd, quantile_js, residuals_for};
use fastsim_lab::physics::{AUX_FEATURES, MAIN_FEATURES};
use fastsim_lab::store::load_smearing;
use fastsim_lab::workflow::compare::core_sigma;
use fastsim_lab::workflow::seeds;
use fastsim_lab::workflow::smearing::{feature_figure, FeatureFigure, N_QUANT};
use fastsim_lab::Result;
use std::fmt::Write as _;
use std::path::Path;

/// Trainings of the `--paper` network, each with its own seed (the paper: ten, for the
/// systematic band of fig. 5).
const MEMBERS: usize = 5;
/// "Agreement" in a ratio panel: a relative deviation δ (rms over the quantiles) gives a JS of
/// ≈ δ²/8 (nats); δ = 10 % is 1.25·10⁻³.
const BAND: f64 = 0.10;
const AGREE: f64 = BAND * BAND / 8.0;
/// A residual's core width "agrees" with the detector's within this factor either way.
const WIDTH: f64 = 1.25;
/// A median shift of the residuals, in detector core widths, from which on it is a "bias",
/// and up to which it is "small".
const BIAS: (f64, f64) = (0.1, 0.5);
/// The quantities the paper names in fig. 6's text: angles (η, φ), where the network
/// "struggles", and energies, masses and momenta, which it models "correctly".
const ANGLES: [&str; 4] = ["mu_eta", "mu_phi", "jet_eta", "jet_phi"];
const SCALES: [&str; 6] = ["mu_pt", "jet_pt", "met", "mt", "st", "jet_m"];
const MUON: [&str; 3] = ["mu_px", "mu_py", "mu_pz"];
const PAPER_LABEL: &str = "--paper";
const LAB_LABEL: &str = "lab target";

/// One model's sample of the test events, judged per feature.
struct Judged {
    /// Quantile-JS against the detector's reco, per feature of [`features`].
    js: Vec<f64>,
    /// Residual core width over the detector's, per feature.
    width: Vec<f64>,
    /// Residual median minus the detector's, in detector core widths, per feature.
    shift: Vec<f64>,
}

/// The nine features the network regresses and the auxiliary ones derived from them (the
/// muon charge left out: the network does not smear it).
fn features() -> Vec<&'static str> {
    MAIN_FEATURES
        .iter()
        .chain(AUX_FEATURES.iter().filter(|f| **f != "mu_q"))
        .copied()
        .collect()
}

/// A feature's residuals against gen (seed 000, figs. 5–6: relative; absolute for η, φ).
fn residuals(t: &Table, gen: &Table, f: &str) -> Result<Vec<f32>> {
    let r = format!("reco_{f}");
    Ok(residuals_for(&r, t.column(&r)?, gen.column(&format!("gen_{f}"))?).0)
}

fn judge(test: &Table, sample: &Table) -> Result<Judged> {
    let mut j = Judged {
        js: Vec::new(),
        width: Vec::new(),
        shift: Vec::new(),
    };
    for f in features() {
        let r = format!("reco_{f}");
        j.js.push(quantile_js(test.column(&r)?, sample.column(&r)?, N_QUANT)?);
        let (m0, s0) = core_sigma(&residuals(test, test, f)?);
        let (m1, s1) = core_sigma(&residuals(sample, test, f)?);
        // The detector may leave a feature exact (the muon's direction, as Delphes' card
        // does): any spread of the model's is then infinitely wider, and a shift has no unit.
        if s0 < EXACT {
            j.width.push(if s1 < EXACT { 1.0 } else { f64::INFINITY });
            j.shift.push(f64::NAN);
        } else {
            j.width.push(s1 / s0);
            j.shift.push((m1 - m0) / s0);
        }
    }
    Ok(j)
}

/// A residual core width below this is no smearing at all (core widths are clamped at 10⁻¹²).
const EXACT: f64 = 1e-9;

/// A width ratio or a shift: "∞" where the detector's width is zero, "—" where a shift has
/// no unit for that reason.
fn ratio(x: f64, signed: bool) -> String {
    if x.is_nan() {
        "—".into()
    } else if x.is_infinite() {
        "∞".into()
    } else if signed {
        format!("{x:+.2}")
    } else {
        format!("{x:.2}")
    }
}

/// Seed 000: the smearing network with every `--paper` setting (direct regression of the
/// nine features, 4 × 100, L1 + pinball, Adam 10⁻³/(1 + epoch), batch 128, best validation
/// epoch, the file split 56/24/20 as section 3's) on built-in W+jet events at the HL-LHC's
/// ⟨μ⟩ = 200, trained [`MEMBERS`] times for fig. 5's band, judged as figs. 3–8 judge it and
/// applied to five times more events (figs. 7–8); beside it the same network with the lab's
/// residual target, which is why the lab's default differs.
pub fn smearing(s: &mut Study, z: &Sizes) -> Result<()> {
    let (events, big) = (s.w("wjets.npz"), s.w("wjets-5x.npz"));
    let n = z.events.to_string();
    let n_big = (5 * z.events).to_string();
    // The sample, and five times as many independent events (figs. 7–8).
    for (count, seed, out) in [(&n, "1", &events), (&n_big, "2", &big)] {
        s.fastsim(&[
            "generate",
            "--process",
            "wjets",
            "--pileup",
            "200",
            "--events",
            count,
            "--seed",
            seed,
            "--out",
            out,
        ])?;
    }
    let epochs = z.epochs.to_string();
    let mut train_s = Vec::new();
    let mut models = Vec::new();
    for k in 1..=MEMBERS {
        let model = s.w(&format!("paper-{k}.fastsim"));
        let seed = k.to_string();
        train_s.push(s.fastsim(&[
            "train", "--model", "smearing", "--paper", "--data", &events, "--epochs", &epochs,
            "--seed", &seed, "--out", &model,
        ])?);
        models.push(model);
    }
    let lab = s.w("lab-target.fastsim");
    let lab_s = s.fastsim(&[
        "train", "--model", "smearing", "--paper", "--target", "residual", "--data", &events,
        "--epochs", &epochs, "--seed", "1", "--out", &lab,
    ])?;
    // The file's last fifth, which training left out (section 3's 20 % test sample).
    let read = |p: &str| InputArgs::default().load(Path::new(p));
    let all = read(&events)?;
    let test_path = s.w("test.npz");
    let test = all.slice_rows(seeds::held_out_split(all.n_rows()), all.n_rows());
    write_table(&test, Path::new(&test_path))?;
    let mut samples = Vec::new();
    for (k, model) in models.iter().chain([&lab]).enumerate() {
        let out = s.w(&format!("sample-{k}.npz"));
        s.fastsim(&[
            "sample", "--model", model, "--input", &test_path, "--out", &out,
        ])?;
        samples.push(read(&out)?);
    }
    let big_out = s.w("sample-5x.npz");
    let big_s = s.fastsim(&[
        "sample", "--model", &models[0], "--input", &big, "--out", &big_out,
    ])?;
    let (big_t, big_sample) = (read(&big)?, read(&big_out)?);
    let device = backend::cpu();
    // Each training's kept epoch, and how far its validation loss at epoch 30 was above its
    // best (relative).
    let (best, at_30): (Vec<usize>, Vec<f64>) = models
        .iter()
        .map(|m| {
            let bytes = super::super::common::read(Path::new(m))?;
            let meta = load_smearing(&bytes, m, &device)?.meta;
            let val: Vec<f64> = meta.history.iter().map(|r| r.val_loss).collect();
            let min = val.iter().copied().fold(f64::INFINITY, f64::min);
            let v30 = val.get(29).or(val.last()).copied().unwrap_or(f64::NAN);
            Ok((meta.best_epoch, (v30 - min) / min.abs().max(1e-12)))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();

    let (lab_sample, paper_samples) = samples.split_last().expect("members and the lab's");
    let paper: Vec<Judged> = paper_samples
        .iter()
        .map(|t| judge(&test, t))
        .collect::<Result<_>>()?;
    let lab_j = judge(&test, lab_sample)?;
    let big_j = judge(&big_t, &big_sample)?;
    let fs = features();
    let gen_js: Vec<f64> = fs
        .iter()
        .map(|f| {
            quantile_js(
                test.column(&format!("reco_{f}"))?,
                test.column(&format!("gen_{f}"))?,
                N_QUANT,
            )
        })
        .collect::<Result<_>>()?;
    // Per feature, the members' mean and spread of a figure.
    let over = |f: &dyn Fn(&Judged) -> &Vec<f64>| -> Vec<(f64, f64)> {
        (0..fs.len())
            .map(|i| mean_sd(&paper.iter().map(|j| f(j)[i]).collect::<Vec<_>>()))
            .collect()
    };
    let (js, width, shift) = (over(&|j| &j.js), over(&|j| &j.width), over(&|j| &j.shift));
    let idx = |f: &str| fs.iter().position(|x| *x == f).expect("a feature");
    let (n_test, n_train) = (test.n_rows(), all.n_rows() - test.n_rows());
    let n_fit = n_train * 7 / 10;
    let (train_mean, _) = mean_sd(&train_s);

    let _ = write!(
        s.md,
        "# Reproducing seed 000: Chen et al., data augmentation through analysis-specific fast \
         simulation\n\n\
         `fastsim reproduce 000`: {n} built-in W(→μν)+jet events at 13 TeV with ⟨μ⟩ = 200 \
         pile-up (the paper: 2M from Pythia 8 and Delphes' CMS HL-LHC card; here the lab's \
         generator and the Delphes CMS card's resolutions, the MET noise raised for ⟨μ⟩ = 200), \
         the paper's selection (section 2). The file's last 20 % ({n_test} events) is the test \
         sample; of the first 80 %, 70 % train ({n_fit}) and 30 % validate, as section 3 splits \
         them. **{PAPER_LABEL}**: the smearing network with every `--paper` setting (section 3: \
         two 9 → 4 × 100 → 9 networks, LeakyReLU, L1 + pinball loss at γ = 0.841, reco regressed \
         directly as x = μ + σ·ε, Adam at 10⁻³/(1 + epoch), batches of 128, the best validation \
         epoch kept), **{} epochs**, trained {MEMBERS} times with seeds 1–{MEMBERS} (the paper: \
         ten, fig. 5's band), {train_mean:.0} s each; kept epochs {best:?}. **{LAB_LABEL}**: the \
         same network and data, the residual reco − gen standardised as the target (the lab's \
         default, `--target residual`), trained in {lab_s:.0} s. Figures with a band show the \
         {MEMBERS} trainings' spread.\n\n",
        z.epochs
    );
    let _ = writeln!(
        s.md,
        "## Distributions (the paper's figs. 3, 4, 7 and 8)\n\nQuantile-JS ({N_QUANT} quantiles \
         of the detector's) against the detector's reco of the same test events: \"gen\" is no \
         simulation at all; {PAPER_LABEL} is the mean ± sd of the {MEMBERS} trainings; \"5× \
         events\" is the first training applied to {} independent events, five times the \
         sample (figs. 7–8). The first nine rows are the regressed features (fig. 3), from \
         **mu_pt** on the auxiliary ones computed from them (fig. 4).\n",
        big_t.n_rows()
    );
    let rows: Vec<Vec<String>> = fs
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if i == MAIN_FEATURES.len() {
                format!("**{f}**")
            } else {
                f.to_string()
            };
            vec![
                name,
                e(gen_js[i]),
                format!("{} ± {}", e(js[i].0), e(js[i].1)),
                e(big_j.js[i]),
                e(lab_j.js[i]),
            ]
        })
        .collect();
    s.md.push_str(&table(
        &[
            "feature",
            "gen",
            PAPER_LABEL,
            "--paper, 5× events",
            LAB_LABEL,
        ],
        &rows,
    ));
    let _ = writeln!(
        s.md,
        "\n## Residuals (figs. 5, 6, 11 and 12)\n\nPer event, the residual against gen: relative \
         (x − x_gen)/x_gen, absolute for η and φ, as the paper's figures. \"width\": the \
         residuals' core width (half the 16–84 % range) over the detector's; \"shift\": their \
         median minus the detector's, in detector core widths. {PAPER_LABEL}: mean ± sd of \
         the {MEMBERS} trainings.\n"
    );
    let rows: Vec<Vec<String>> = fs
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let pm = |(m, sd): (f64, f64), signed: bool| {
                if m.is_finite() {
                    format!("{} ± {sd:.2}", ratio(m, signed))
                } else {
                    format!("{} (detector exact)", ratio(m, signed))
                }
            };
            vec![
                f.to_string(),
                pm(width[i], false),
                pm(shift[i], true),
                ratio(lab_j.width[i], false),
                ratio(lab_j.shift[i], true),
            ]
        })
        .collect();
    s.md.push_str(&table(
        &[
            "feature",
            "width, --paper",
            "shift, --paper",
            "width, lab target",
            "shift, lab target",
        ],
        &rows,
    ));

    // The verdicts, each for the --paper trainings' means and for the lab's target.
    let paper_fig = Judged {
        js: js.iter().map(|p| p.0).collect(),
        width: width.iter().map(|p| p.0).collect(),
        shift: shift.iter().map(|p| p.0).collect(),
    };
    let both = |claim: &dyn Fn(&Judged) -> bool| {
        let v = |j: &Judged| {
            if claim(j) {
                "matches"
            } else {
                "does not match"
            }
        };
        format!(
            "{PAPER_LABEL}: {}; {LAB_LABEL}: {}",
            v(&paper_fig),
            v(&lab_j)
        )
    };
    let main = &fs[..MAIN_FEATURES.len()];
    let aux = &fs[MAIN_FEATURES.len()..];
    let worst = |j: &Judged, set: &[&'static str]| -> (f64, &'static str) {
        set.iter()
            .map(|f| (j.js[idx(f)], *f))
            .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a })
    };
    let quote_worst = |set: &[&'static str]| {
        let (a, fa) = worst(&paper_fig, set);
        let (b, fb) = worst(&lab_j, set);
        format!("largest JS: {} ({fa}) / {} ({fb})", e(a), e(b))
    };
    let in_width = |w: f64| (1.0 / WIDTH..=WIDTH).contains(&w);
    let widths = |set: &[&str]| {
        set.iter()
            .map(|f| {
                format!(
                    "{f} {} / {}",
                    ratio(paper_fig.width[idx(f)], false),
                    ratio(lab_j.width[idx(f)], false)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let muon_shift = |j: &Judged| {
        MUON.iter()
            .map(|f| j.shift[idx(f)].abs())
            .filter(|s| s.is_finite())
            .fold(0.0, f64::max)
    };
    let big_mean = big_j.js.iter().sum::<f64>() / fs.len() as f64;
    let small_mean = paper[0].js.iter().sum::<f64>() / fs.len() as f64;
    // Figs. 11–12 against 5–6: the residual widths on 5× events against the test sample's.
    let width_change = big_j
        .width
        .iter()
        .zip(&paper[0].width)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (a / b - 1.0).abs())
        .fold(0.0, f64::max);
    let per_event_ms = 1000.0 * big_s / big_t.n_rows().max(1) as f64;
    let per_event_epoch = train_mean / (n_fit.max(1) * z.epochs) as f64;
    // The paper: ≤ 30 min for ≤ 100 epochs of 70 % of 80 % of 2M events.
    let paper_per_event_epoch = 1800.0 / (1_120_000.0 * 100.0);
    let converged = at_30.iter().filter(|&&x| x < 0.01).count();
    let rows = vec![
        vec![
            "the model's distributions are \"similar\" to Delphes' for the nine features".into(),
            "section 4, fig. 3".into(),
            quote_worst(main),
            both(&|j| main.iter().all(|f| j.js[idx(f)] < AGREE)),
        ],
        vec![
            "the auxiliary quantities are \"modelled to a good precision\": the correlations \
             are learned"
                .into(),
            "section 4, fig. 4".into(),
            quote_worst(aux),
            both(&|j| aux.iter().all(|f| j.js[idx(f)] < AGREE)),
        ],
        vec![
            "the relative residuals agree overall (fig. 5's nine features)".into(),
            "section 4, fig. 5".into(),
            format!("width: {}", widths(main)),
            both(&|j| main.iter().all(|f| in_width(j.width[idx(f)]))),
        ],
        vec![
            "\"a small bias on the muon momentum coordinates\"".into(),
            "section 4, fig. 5".into(),
            format!(
                "largest muon shift {:.2} / {:.2} core widths",
                muon_shift(&paper_fig),
                muon_shift(&lab_j)
            ),
            both(&|j| (BIAS.0..=BIAS.1).contains(&muon_shift(j))),
        ],
        vec![
            "residuals of energies, masses and momenta are modelled correctly".into(),
            "section 4, fig. 6".into(),
            format!("width: {}", widths(&SCALES)),
            both(&|j| SCALES.iter().all(|f| in_width(j.width[idx(f)]))),
        ],
        vec![
            "the model \"struggles\" with the high-resolution η and φ".into(),
            "section 4, fig. 6".into(),
            format!("width: {}", widths(&ANGLES)),
            both(&|j| ANGLES.iter().any(|f| !in_width(j.width[idx(f)]))),
        ],
        vec![
            "on a dataset five times larger, \"no accuracy deterioration\"".into(),
            "section 4, figs. 7, 8, 11, 12".into(),
            format!(
                "first training: mean JS {} on {} events against {} on the {n_test} test \
                 events; residual widths change by at most {:.0} %",
                e(big_mean),
                big_t.n_rows(),
                e(small_mean),
                100.0 * width_change
            ),
            if big_mean <= 1.25 * small_mean && width_change < 0.1 {
                "matches (mean JS at most 1.25 × the test sample's, widths within 10 %)".into()
            } else {
                "does not match (mean JS above 1.25 × the test sample's, or a width changed \
                 by 10 % or more)"
                    .into()
            },
        ],
        vec![
            "convergence \"typically reached\" by 30 epochs of 100".into(),
            "section 3".into(),
            format!(
                "kept epochs {best:?} of {}; validation loss at epoch 30 above the best by {}",
                z.epochs,
                at_30
                    .iter()
                    .map(|x| format!("{:.1} %", 100.0 * x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "{converged} of {MEMBERS} trainings within 1 % of their best by epoch 30 \
                 (lr 10⁻³/(1 + epoch): later epochs move little){}",
                if z.epochs < 30 {
                    "; fewer than 30 epochs run"
                } else {
                    ""
                }
            ),
        ],
        vec![
            "inference: 100 s for 100,000 events on a CPU, O(1) ms an event".into(),
            "section 5".into(),
            format!(
                "{per_event_ms:.4} ms an event ({} events in {big_s:.1} s, file reading and \
                 writing included)",
                big_t.n_rows()
            ),
            if per_event_ms < 1.0 {
                "faster than the paper's figure (other hardware, other code)".into()
            } else {
                "not faster than the paper's figure".into()
            },
        ],
        vec![
            "training \"within 30 minutes\" on a commercial GPU".into(),
            "section 5".into(),
            format!(
                "{train_mean:.0} s a training on this CPU: {:.1e} s an event-epoch (the \
                 paper's bound: {paper_per_event_epoch:.1e})",
                per_event_epoch
            ),
            if per_event_epoch < paper_per_event_epoch {
                "faster per event-epoch than the paper's bound".into()
            } else {
                "slower per event-epoch than the paper's bound".into()
            },
        ],
    ];
    let _ = writeln!(
        s.md,
        "\n## The paper's statements beside ours\n\nThe paper shows figures, not numbers; a \
         statement \"matches\" when the numbers above say what its figure shows: distributions \
         \"similar\" as a JS below {} (a {:.0} % rms deviation in a ratio panel gives ≈ δ²/8), \
         residuals \"agree\" as core widths within a factor {WIDTH} of the detector's, a \
         \"small bias\" as a median shift of {}–{} core widths. Values: {PAPER_LABEL} (mean of \
         the {MEMBERS} trainings) / {LAB_LABEL}.\n\n{}",
        e(AGREE),
        100.0 * BAND,
        BIAS.0,
        BIAS.1,
        table(&["the paper", "where", "here", "verdict"], &rows)
    );
    let _ = writeln!(
        s.md,
        "\n## Figures\n\nDrawn by the lab's plotting (`fastsim plot`'s figures): model in \
         orange with the {MEMBERS} trainings' band, the detector's reco in black, gen in blue; \
         ratio panels model / reco."
    );
    let figs: [(FeatureFigure, &str, bool, &str); 8] = [
        (FeatureFigure::Hist, "mu_px", false, "Muon pₓ (fig. 3)"),
        (
            FeatureFigure::Hist,
            "met_x",
            false,
            "MET x-component (fig. 3)",
        ),
        (
            FeatureFigure::Hist,
            "mt",
            false,
            "Transverse mass m_T (fig. 4)",
        ),
        (
            FeatureFigure::Residual,
            "mu_px",
            false,
            "Relative residual of the muon pₓ (fig. 5), --paper: regressing reco itself loses \
             the muon's per-cent resolution",
        ),
        (
            FeatureFigure::Residual,
            "mu_px",
            true,
            "The same with the lab's residual target",
        ),
        (
            FeatureFigure::Residual,
            "jet_pt",
            false,
            "Relative residual of the jet pT (fig. 6)",
        ),
        (
            FeatureFigure::Residual,
            "jet_eta",
            false,
            "Residual of the jet η (fig. 6): the model \"struggles\"",
        ),
        (
            FeatureFigure::Map,
            "jet_pt",
            false,
            "Jet pT, model against detector (fig. 10)",
        ),
    ];
    for (kind, f, lab_target, caption) in figs {
        let models: &[Table] = if lab_target {
            std::slice::from_ref(lab_sample)
        } else {
            paper_samples
        };
        let fig = feature_figure(kind, &format!("reco_{f}"), &test, models, 40)?;
        let file = format!(
            "{f}{}{}",
            kind.file_suffix(),
            if lab_target { "_lab" } else { "" }
        );
        write_figure(&fig, &s.out, &file, ImageFormat::Png)?;
        s.figure(&format!("{file}.png"), caption);
    }
    let fig = feature_figure(
        FeatureFigure::Hist,
        "reco_mt",
        &big_t,
        std::slice::from_ref(&big_sample),
        40,
    )?;
    write_figure(&fig, &s.out, "mt_5x", ImageFormat::Png)?;
    s.figure(
        "mt_5x.png",
        "m_T on five times more events than the sample (fig. 8), the first training",
    );
    Ok(())
}
