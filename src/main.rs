//! The page: a Leptos (client-side rendered) front end over the library, built by Trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    fastsim_lab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fastsim-web is the web page; build it with `trunk build` (see README). The command line is `fastsim`.");
}
