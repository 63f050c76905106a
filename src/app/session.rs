//! The page's heavy, non-reactive state: the device, the events and the trained model. The
//! page is single-threaded, so it lives in a thread-local cell that tasks borrow briefly.

use crate::backend::BackendKind;
use crate::data::Table;
use crate::model::TrainedSmearing;
use burn::prelude::*;
use std::cell::RefCell;

#[derive(Default)]
pub struct Session {
    pub device: Option<(BackendKind, Device)>,
    pub table: Option<Table>,
    pub recipe_seed: u64,
    pub model: Option<TrainedSmearing>,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// Runs `f` with the session borrowed (never across an await).
pub fn with<R>(f: impl FnOnce(&mut Session) -> R) -> R {
    SESSION.with(|s| f(&mut s.borrow_mut()))
}
