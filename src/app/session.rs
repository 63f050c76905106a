//! The page's heavy, non-reactive state: the device, the events and the trained model. The
//! page is single-threaded, so it lives in a thread-local cell that tasks borrow briefly.

use crate::backend::BackendKind;
use crate::data::JetArrays;
use crate::data::Table;
use crate::detector::Detector;
use crate::model::{TrainedJetVae, TrainedSmearing, TrainedUnfold};
use crate::plot::Figure;
use burn::prelude::*;
use std::cell::RefCell;

/// One drawn plot, kept so it can be exported as SVG by the same drawing code.
#[derive(Clone)]
pub struct PlotSpec {
    pub id: String,
    pub figure: Figure,
}

#[derive(Default)]
pub struct Session {
    pub device: Option<(BackendKind, Device)>,
    pub table: Option<Table>,
    /// The uploaded file's name when the data came from one (else built-in events).
    pub upload: Option<String>,
    /// The SHA-256 of the uploaded file's bytes.
    pub upload_sha256: String,
    /// The file (name, SHA-256) an opened link says its data came from: an upload must match.
    pub expected_upload: Option<(String, String)>,
    pub recipe_seed: u64,
    /// The detector the built-in events are generated with.
    pub detector: Detector,
    pub model: Option<TrainedSmearing>,
    /// The manifest name and SHA-256 of the model, when it is an unchanged pre-trained one.
    pub pretrained: Option<(String, String)>,
    pub sampled: Option<Table>,
    pub plots: Vec<PlotSpec>,
    /// The Jets section: paired jets to train on (name of the file when uploaded), the jet
    /// VAE, and the test jets with the model's as the array `model`.
    pub jets: Option<(JetArrays, Option<String>)>,
    pub jet_model: Option<TrainedJetVae>,
    pub jet_test: Option<JetArrays>,
    /// The Unfold section: paired WZ events (file name when uploaded), the trained naive
    /// GAN and FCGAN (the latest of each kind), and the test samples of the closure tests.
    pub wz: Option<(Table, Option<String>)>,
    pub unfold_models: Vec<TrainedUnfold>,
    pub wz_test: Option<Table>,
    pub wprime_test: Option<Table>,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// Runs `f` with the session borrowed (never across an await).
pub fn with<R>(f: impl FnOnce(&mut Session) -> R) -> R {
    SESSION.with(|s| f(&mut s.borrow_mut()))
}
