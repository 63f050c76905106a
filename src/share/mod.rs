//! The page's state as a link (DESIGN.md, share layer): what a recipient needs to see the same
//! events, model, samples, plots and numbers, in the URL fragment (never sent to a server).

mod link;
mod state;

pub use link::{decode, encode, LINK_VERSION, MAX_INLINE_CHARS, MAX_LINK_CHARS};
pub use state::{ModelRef, ShareState, HALF_EVENT_TOLERANCE, HALF_JS_TOLERANCE};
