//! The Showers section (seed 003, Bieringer et al.): built-in photon showers in a Si-W
//! calorimeter with their mean image and single showers, the VAE-GAN trained live (or the
//! pre-trained mixture of three), its generated showers beside the training showers and an
//! independent truth sample, and the Calomplification study: is the network's sample worth
//! more showers than it was trained on? Every computation is the library's
//! (`workflow::showers`); this file orders the steps and yields between them.

use super::browser::yield_now;
use super::canvas::draw_on;
use super::jobs;
use super::plots::{show_figure, PlotLinks};
use super::pretrained::{entry_bytes, Pretrained};
use super::state::{parse, AppState, Store};
use super::teach::Explain;
use crate::metrics::{quantile_js, HistogramCv, StudyOptions};
use crate::model::{ShowerEpoch, TrainedVaeGan};
use crate::numfmt::thousands;
use crate::physics::{Observable, IMAGE_PIXELS};
use crate::plot::{draw_shower_loss, Figure};
use crate::recipe::ShowerRecipe;
use crate::store::{load_vae_gan, ManifestEntry, ModelKind};
use crate::workflow::showers::{self as workflow, StudySpec};
use crate::{Error, Result};
use leptos::prelude::*;

/// Quantiles of the per-observable table: a fine binning, where the 1k training showers'
/// own statistical noise shows (the paper reads its figures at high n_quant); fewer for a
/// small truth sample (one quantile per ten truth showers at most).
const TABLE_QUANT: usize = 32;
/// Disjoint truth subsamples per size: the paper's five would need 2.5× the truth showers.
const REPEATS: usize = 2;

/// The distribution canvases: one per observable.
fn dist_id(o: Observable) -> String {
    format!("showers-dist-{}", o.name().to_lowercase())
}

#[derive(Clone, Debug, PartialEq)]
struct JsLine {
    observable: &'static str,
    training: f64,
    model: f64,
}

/// The section's heavy state.
#[derive(Default)]
struct ShowersData {
    /// The training showers (MeV, uncut: the form the network trains on) and their recipe.
    train: Option<(Vec<f32>, ShowerRecipe)>,
    model: Option<TrainedVaeGan>,
    /// The last truth sample (MeV, cut) and the recipe that made it, kept for the next study.
    truth: Option<(Vec<f32>, ShowerRecipe)>,
}

#[derive(Clone, Copy)]
struct ShowersUi {
    data: Store<ShowersData>,
    showers: RwSignal<String>,
    seed: RwSignal<String>,
    epochs: RwSignal<String>,
    lr: RwSignal<String>,
    generate: RwSignal<String>,
    truth: RwSignal<String>,
    truth_seed: RwSignal<String>,
    study: RwSignal<String>,
    have_train: RwSignal<bool>,
    have_model: RwSignal<bool>,
    have_study: RwSignal<bool>,
    history: RwSignal<Vec<ShowerEpoch>>,
    js: RwSignal<Vec<JsLine>>,
    /// The table's quantile count.
    table_quant: RwSignal<usize>,
    summary: RwSignal<String>,
    amplification: RwSignal<String>,
    baselines: RwSignal<String>,
}

#[component]
pub fn ShowersSection() -> impl IntoView {
    let ui = expect_context::<AppState>();
    let s = ShowersUi {
        data: Store::new(ShowersData::default()),
        showers: RwSignal::new(workflow::TRAIN_SHOWERS.to_string()),
        seed: RwSignal::new("101".into()),
        epochs: RwSignal::new(workflow::PAGE_EPOCHS.to_string()),
        lr: RwSignal::new("5e-4".into()),
        generate: RwSignal::new(workflow::PAGE_GENERATED.to_string()),
        truth: RwSignal::new(workflow::PAGE_TRUTH.to_string()),
        truth_seed: RwSignal::new("202".into()),
        study: RwSignal::new(Observable::EVis.name().into()),
        have_train: RwSignal::new(false),
        have_model: RwSignal::new(false),
        have_study: RwSignal::new(false),
        history: RwSignal::new(Vec::new()),
        js: RwSignal::new(Vec::new()),
        table_quant: RwSignal::new(TABLE_QUANT),
        summary: RwSignal::new(String::new()),
        amplification: RwSignal::new(String::new()),
        baselines: RwSignal::new(String::new()),
    };
    let idle = move || ui.idle();
    let num = |v: f64| format!("{v:.4}");
    view! {
        <p class="lead">"Bieringer et al. (2022): a VAE-GAN trained on 1,000 photon showers of 50 GeV in a silicon–tungsten calorimeter (30 layers, 5 × 5 mm² cells, summed along the beam and pooled into 10 × 10 pixels of 15 mm) generates showers whose distributions, measured by quantile-JS against a large truth sample, carry the information of more showers than it was trained on: the paper reports 10–50 times more. Here the showers come from a GFlash parametrisation (Grindhammer and Peters), not GEANT4; the README says what that does and does not reproduce."</p>
        <section id="showers-data">
            <h3>"1 · Showers"</h3>
            <Explain>"A photon entering the calorimeter converts and starts a cascade of electrons, positrons and photons; the silicon layers between the tungsten plates sample its energy. The image is that energy summed through the depth, in 10 × 10 pixels: a sharp core (the peak pixel holds about half) and a halo falling off over a few centimetres, on a logarithmic colour scale. E_vis, the total, is only about 2 % of the photon's 50 GeV: the rest is deposited in the tungsten."</Explain>
            <div class="row">
            <label>"training showers " <input id="showers-count" type="number" min="20" max="100000" bind:value=s.showers/></label>
            <label>"seed " <input id="showers-seed" type="number" min="0" bind:value=s.seed/></label>
            <button id="showers-generate" disabled=move || !idle() on:click=move |_| ui.run("generating showers", move || generate_showers(ui, s))>"Generate showers"</button>
            </div>
            <p id="showers-summary" class="result">{move || s.summary.get()}</p>
            <figure style:display=move || if s.have_train.get() { "block" } else { "none" }>
                <canvas id="showers-images" width="1010" height="250" role="img" aria-label="the training showers' mean image and three single showers, energy per pixel on a log colour scale"></canvas>
                <PlotLinks id="showers-images".to_string()/>
            </figure>
        </section>
        <section id="showers-train-step">
            <h3>"2 · Train the VAE-GAN"</h3>
            <Explain>"The encoder maps a shower to a few latent numbers, the generator (locally connected layers: every pixel its own weights, as a calorimeter has a place for everything) maps them back, and a discriminator learns to tell real showers from generated ones (eq. 2.1: −log D(G(z)) plus the KL prior). After every epoch 2,000 showers are generated and compared with the training showers in five observables; the epoch that agrees best is kept (the lower panel). A few epochs make recognisable showers; the paper trains for 24 hours, and its model is one click away below."</Explain>
            <div class="row">
            <label>"epochs " <input id="showers-epochs" type="number" min="1" max="100000" bind:value=s.epochs/></label>
            <label title="the paper: 8·10⁻⁶ for ~50,000 epochs; 5·10⁻⁴ learns in tens">"learning rate " <input id="showers-lr" type="text" size="6" bind:value=s.lr/></label>
            <button id="showers-train" disabled=move || !idle() || !s.have_train.get() on:click=move |_| ui.run("training the VAE-GAN", move || train_showers(ui, s))>"Train"</button>
            </div>
            <p><button id="showers-onnx" disabled=move || !idle() || !s.have_model.get() on:click=move |_| ui.run("exporting", move || download_onnx(s))>"Download ONNX"</button>
                " of the VAE-GAN's generators: input noise (latent points), output showers in MeV"</p>
            <Pretrained kinds=&[ModelKind::VaeGan] id="showers-pretrained" on_load=move |entries| ui.run("loading a VAE-GAN", move || load_pretrained(ui, s, entries))/>
            <div class="result-pair" hidden=move || s.history.get().is_empty()>
            <canvas id="showers-loss" width="720" height="420" role="img" aria-label="the VAE-GAN's losses and its model-selection figure per epoch; the numbers are in the table beside it"></canvas>
            <div class="scroll tall">
            <table id="showers-loss-table" class="numbers">
                <tr><th>"epoch"</th><th>"discriminator"</th><th>"−log D(G(z))"</th><th>"KL"</th><th>"selection JS"</th></tr>
                {move || s.history.get().into_iter().map(|r| view! {
                    <tr class="showers-epoch">
                        <td>{r.epoch}</td>
                        <td>{num(r.d_loss)}</td>
                        <td>{num(r.g_loss)}</td>
                        <td>{num(r.kl)}</td>
                        <td class="showers-selection">{num(r.selection)}</td>
                    </tr>
                }).collect_view()}
            </table>
            </div>
            </div>
        </section>
        <section id="showers-results">
            <h3>"3 · Generate, and is it worth more than its training showers?"</h3>
            <Explain>"The teaching point of the paper. Three samples are compared with a large truth sample the network never saw: the 1,000 training showers, the network's many generated showers, and truth samples of 1k, 2k, 5k … showers. Quantile-JS with n_quant quantiles (eq. 3.3) measures how far each is from the truth; with finer binning a small sample's own statistical noise dominates. Where the generated sample's JS falls between two truth-sample sizes, that is its effective size: above 1,000, the network amplified its training data. The KDE and histogram fits of the same 1,000 showers are the baselines a physicist would try first."</Explain>
            <div class="row">
            <label>"generated showers " <input id="showers-generated" type="number" min="100" max="2000000" bind:value=s.generate/></label>
            <label>"truth showers " <input id="showers-truth" type="number" min="100" max="500000" bind:value=s.truth/></label>
            <label>"truth seed " <input id="showers-truth-seed" type="number" min="0" bind:value=s.truth_seed/></label>
            <label>"study " <select id="showers-study" on:change=move |e| s.study.set(event_target_value(&e)) prop:value=move || s.study.get()>
                {StudySpec::paper().into_iter().map(|spec| view! { <option value=spec.name()>{spec.title()}</option> }).collect_view()}
            </select></label>
            <button id="showers-sample" disabled=move || !idle() || !s.have_model.get() || !s.have_train.get() on:click=move |_| ui.run("sampling and studying showers", move || sample_and_study(ui, s))>"Sample and study"</button>
            </div>
            <p id="showers-amp" class="result">{move || s.amplification.get()}</p>
            <p id="showers-baselines">{move || s.baselines.get()}</p>
            <table id="showers-js" class="numbers" hidden=move || s.js.get().is_empty()>
                <tr><th>{move || format!("observable (JS against the truth, {} quantiles)", s.table_quant.get())}</th><th>"training showers"</th><th>"VAE-GAN"</th><th>"closer to the truth"</th></tr>
                {move || s.js.get().into_iter().map(|r| view! {
                    <tr class="showers-js-row" data-observable=r.observable>
                        <td>{r.observable}</td>
                        <td class="js-training">{format!("{:.5}", r.training)}</td>
                        <td class="js-model">{format!("{:.5}", r.model)}</td>
                        <td>{if r.model < r.training { "the VAE-GAN" } else { "the training showers" }}</td>
                    </tr>
                }).collect_view()}
            </table>
            <div style:display=move || if s.have_study.get() { "block" } else { "none" }>
                <figure><canvas id="showers-js-curves" width="720" height="480" role="img" aria-label="quantile-JS against n_quant for truth samples of several sizes, the training showers and the VAE-GAN; the amplification line above gives the result"></canvas><PlotLinks id="showers-js-curves".to_string()/></figure>
                <figure><canvas id="showers-gen-images" width="1010" height="250" role="img" aria-label="the generated showers' mean image and three single showers, log colour scale"></canvas><PlotLinks id="showers-gen-images".to_string()/></figure>
                <div class="plots">
                    {Observable::ALL.into_iter().map(|o| view! {
                        <figure><canvas id=dist_id(o) width="560" height="440" role="img" aria-label=format!("the distribution of {} for the training, truth and generated showers, with the ratio to the truth", o.name())></canvas><PlotLinks id=dist_id(o)/></figure>
                    }).collect_view()}
                </div>
            </div>
        </section>
    }
}

/// Generates showers from `recipe`, yielding to the browser, with progress p0 → p1.
async fn stream_showers(ui: AppState, recipe: &ShowerRecipe, p0: f64, p1: f64) -> Result<Vec<f32>> {
    let mut stream = recipe.stream()?;
    ui.steps(&mut stream, 16, p0, p1).await?;
    Ok(stream.into_images())
}

/// Sets `images` (MeV, uncut) from `recipe` as the training showers and draws their gallery.
fn set_training(
    ui: AppState,
    s: ShowersUi,
    images: Vec<f32>,
    recipe: ShowerRecipe,
) -> Result<String> {
    let e_vis = Observable::EVis.values(&workflow::cut(&images), recipe.pixel_mm());
    let (m, sd) = workflow::mean_sd(&e_vis.iter().map(|&v| f64::from(v)).collect::<Vec<_>>());
    let n = images.len() / IMAGE_PIXELS;
    let msg = format!(
        "{} showers of {} GeV photons, seed {}: E_vis = {m:.0} ± {sd:.0} MeV ({:.1} % resolution)",
        thousands(n),
        recipe.gun.energy_gev,
        recipe.seed,
        100.0 * sd / m
    );
    let gallery = workflow::gallery_figure("training", &images, 3, recipe.pixel_mm());
    s.data.with(|d| d.train = Some((images, recipe)));
    s.have_train.set(true);
    s.summary.set(msg.clone());
    show_figure(ui, "showers-images", gallery)?;
    Ok(msg)
}

async fn generate_showers(ui: AppState, s: ShowersUi) -> Result<String> {
    let n: usize = parse("training showers", &s.showers.get_untracked())?;
    let seed: u64 = parse("seed", &s.seed.get_untracked())?;
    let recipe = ShowerRecipe::new(n, seed);
    recipe.validate()?;
    let images = stream_showers(ui, &recipe, 0.0, 1.0).await?;
    yield_now().await;
    set_training(ui, s, images, recipe)
}

async fn train_showers(ui: AppState, s: ShowersUi) -> Result<String> {
    let cfg = workflow::FAST.overridden(
        Some(parse("epochs", &s.epochs.get_untracked())?),
        None,
        Some(parse("learning rate", &s.lr.get_untracked())?),
        parse("seed", &s.seed.get_untracked())?,
    );
    cfg.validate()?;
    let device = ui.device_for(workflow::device_job())?;
    let (images, pixel_mm) = s.data.with(|d| {
        d.train
            .as_ref()
            .map(|(im, r)| (im.clone(), r.pixel_mm()))
            .ok_or_else(|| Error::invalid("showers", "generate training showers first"))
    })?;
    let n = images.len() / IMAGE_PIXELS;
    s.history.set(Vec::new());
    let on_epoch = |report: &ShowerEpoch| {
        s.history.update(|h| h.push(report.clone()));
        if let Err(e) = draw_history(&s.history.get_untracked()) {
            ui.fail(e);
        }
    };
    let net = workflow::net_config();
    let (stop, model) =
        jobs::train_showers(ui, images, pixel_mm, (net, cfg.clone()), &device, on_epoch).await?;
    let best = model.meta.best_epochs.first().copied().unwrap_or(0);
    let selection = model.meta.selection().first().copied().unwrap_or(f64::NAN);
    s.data.with(|d| d.model = Some(model));
    s.have_model.set(true);
    Ok(match stop {
        Some(why) => format!("VAE-GAN: {why} (kept epoch {best}, selection JS {selection:.4})"),
        None => format!(
            "VAE-GAN trained {} epochs on {} showers at lr {:.0e}; kept epoch {best} (selection JS {selection:.4})",
            s.history.get_untracked().len(),
            thousands(n),
            cfg.lr
        ),
    })
}

/// Loads a pre-trained VAE-GAN (its file's SHA-256 checked) and regenerates the showers it was
/// trained on from its recorded recipe: the study compares against those.
async fn load_pretrained(
    ui: AppState,
    s: ShowersUi,
    entries: Vec<ManifestEntry>,
) -> Result<String> {
    let entry = entries
        .first()
        .ok_or_else(|| Error::invalid("model", "choose a pre-trained model"))?;
    let recipe = entry.shower_recipe()?.clone();
    let bytes = entry_bytes(entry).await?;
    let model = load_vae_gan(&bytes, &entry.file, &crate::backend::cpu())?;
    let model = model.to_device(&ui.device_for(workflow::device_job())?);
    ui.status.set(format!(
        "regenerating its {} training showers (seed {})",
        thousands(recipe.showers),
        recipe.seed
    ));
    let images = stream_showers(ui, &recipe, 0.0, 1.0).await?;
    // Its members' histories one after another, as epochs of one run would not be: the first
    // member's is drawn.
    let history = model.meta.history.first().cloned().unwrap_or_default();
    let (members, kept) = (model.meta.members(), model.meta.best_epochs.clone());
    s.showers.set(recipe.showers.to_string());
    s.seed.set(recipe.seed.to_string());
    set_training(ui, s, images, recipe)?;
    s.history.set(history.clone());
    s.data.with(|d| d.model = Some(model));
    s.have_model.set(true);
    yield_now().await;
    draw_history(&history)?;
    Ok(format!(
        "loaded the pre-trained VAE-GAN '{}' (SHA-256 checked): a mixture of {members}, kept epochs {kept:?} (the loss plot shows the first); its training showers regenerated",
        entry.name
    ))
}

/// Samples the model, generates (or reuses) the truth showers, and runs the chosen study with
/// the per-observable table and the plots.
async fn sample_and_study(ui: AppState, s: ShowersUi) -> Result<String> {
    let n_gen: usize = parse("generated showers", &s.generate.get_untracked())?;
    let n_truth: usize = parse("truth showers", &s.truth.get_untracked())?;
    let truth_seed: u64 = parse("truth seed", &s.truth_seed.get_untracked())?;
    let name = s.study.get_untracked();
    let spec = StudySpec::paper()
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| Error::invalid("study", format!("'{name}' is not one of the studies")))?;
    let (train, model, pixel_mm, train_seed) = s.data.with(|d| -> Result<_> {
        let (images, recipe) = d
            .train
            .as_ref()
            .ok_or_else(|| Error::invalid("showers", "generate training showers first"))?;
        let model = d
            .model
            .as_ref()
            .map(|m| m.to_device(m.device()))
            .ok_or_else(|| Error::invalid("model", "train or load a VAE-GAN first"))?;
        Ok((workflow::cut(images), model, recipe.pixel_mm(), recipe.seed))
    })?;
    if truth_seed == train_seed {
        return Err(Error::invalid(
            "truth seed",
            format!(
                "{truth_seed} is the training showers' seed: the truth must be independent of them"
            ),
        ));
    }
    if !(100..=2_000_000).contains(&n_gen) {
        return Err(Error::invalid(
            "generated showers",
            format!("{n_gen} (100 to 2,000,000)"),
        ));
    }
    let truth_recipe = ShowerRecipe::new(n_truth, truth_seed);
    truth_recipe.validate()?;
    s.amplification.set(String::new());
    s.baselines.set(String::new());
    s.js.set(Vec::new());

    // 1. The generated showers (progress 0–0.3).
    ui.ran_on_device(model.device());
    ui.status.set(format!(
        "generating {} showers with the VAE-GAN",
        thousands(n_gen)
    ));
    let generated = jobs::sample_showers(ui, &model, (n_gen, 1), (0.0, 0.3)).await?;
    // 2. The truth showers, kept for the next study (0.3–0.7).
    let cached = s.data.with(|d| {
        d.truth
            .as_ref()
            .filter(|(_, r)| *r == truth_recipe)
            .map(|(t, _)| t.clone())
    });
    let truth = match cached {
        Some(t) => t,
        None => {
            ui.status
                .set(format!("generating {} truth showers", thousands(n_truth)));
            let t = workflow::cut(&stream_showers(ui, &truth_recipe, 0.3, 0.7).await?);
            s.data
                .with(|d| d.truth = Some((t.clone(), truth_recipe.clone())));
            t
        }
    };
    ui.check_cancel()?;

    // 3. The per-observable table: training and generated showers against the truth.
    let n_quant = 1 << (n_truth / 10).clamp(2, TABLE_QUANT).ilog2();
    let mut lines = Vec::new();
    for o in Observable::PAPER {
        let t = o.values(&truth, pixel_mm);
        let js = |images: &[f32]| quantile_js(&t, &o.values(images, pixel_mm), n_quant);
        lines.push(JsLine {
            observable: o.name(),
            training: js(&train)?,
            model: js(&generated)?,
        });
    }
    s.js.set(lines);
    s.table_quant.set(n_quant);
    yield_now().await;

    // 4. The study (0.7–0.95).
    let opts = StudyOptions {
        repeats: REPEATS,
        seed: truth_seed,
        ..StudyOptions::default()
    };
    let mut study = workflow::new_study(&spec, &truth, &train, pixel_mm, &opts)?;
    ui.steps(&mut study, 1, 0.7, 0.9).await?;
    ui.status
        .set("fitting the KDE and histogram baselines (5-fold cross-validation)".into());
    yield_now().await;
    let (r, _, _) = workflow::add_set(
        &mut study,
        &spec,
        &train,
        &generated,
        pixel_mm,
        truth_seed,
        HistogramCv::default(),
    )?;
    let n_train = train.len() / IMAGE_PIXELS;
    let against = if spec.observables == [Observable::EPixel] {
        format!(
            "truth pixels above 5 MeV, against the {} pixels of its {} training showers",
            thousands(study.train_size),
            thousands(n_train)
        )
    } else {
        format!(
            "truth showers, against its {} training showers",
            thousands(n_train)
        )
    };
    s.amplification.set(format!(
        "amplification of the VAE-GAN ({}, n_quant = {}): {} — its {} showers are worth {} {against}",
        spec.title(),
        r.model.n_quant,
        r.model.factor_text(),
        thousands(n_gen),
        r.model.size_text(),
    ));
    s.baselines.set(format!(
        "baselines fitted to the same training showers, at the same n_quant: KDE (bandwidth {:.3} σ) {}; histogram ({} bins) {}",
        r.kde_bandwidth,
        r.kde.factor_text(),
        r.histogram_bins
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(" × "),
        r.histogram.factor_text()
    ));
    ui.progress.set(0.95);

    // 5. Plots.
    s.have_study.set(true);
    yield_now().await;
    show_figure(
        ui,
        "showers-js-curves",
        Figure::js_study(&study, spec.title(), &r.model),
    )?;
    let gallery = workflow::gallery_figure("VAE-GAN", &generated, 3, pixel_mm);
    show_figure(ui, "showers-gen-images", gallery)?;
    let members = model.meta.members();
    for o in Observable::ALL {
        let fig = workflow::distribution_figure(o, &train, &truth, &generated, members, pixel_mm);
        show_figure(ui, dist_id(o), fig)?;
    }
    Ok(format!(
        "{} generated and {} truth showers (seed {truth_seed}); study {} over {} truth sizes × {REPEATS}",
        thousands(n_gen),
        thousands(n_truth),
        spec.title(),
        study.sizes.len()
    ))
}

/// The model's generators as ONNX, downloaded.
async fn download_onnx(s: ShowersUi) -> Result<String> {
    let model = s
        .data
        .with(|d| d.model.as_ref().map(|m| m.to_device(m.device())))
        .ok_or_else(|| Error::invalid("model", "train or load a VAE-GAN first"))?;
    let bytes = crate::store::vae_gan_onnx(&model).await?;
    super::files::download("showers-vae-gan.onnx", &bytes, "application/octet-stream")?;
    Ok(format!(
        "downloaded showers-vae-gan.onnx ({} bytes)",
        bytes.len()
    ))
}

/// The VAE-GAN's losses and selection figure per epoch, on the section's loss canvas.
fn draw_history(history: &[ShowerEpoch]) -> crate::plot::PlotResult {
    draw_on("showers-loss", |root| draw_shower_loss(root, history))
}
