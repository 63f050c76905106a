//! Two pieces of work at once where threads exist (natively), one after the other in the
//! page's wasm, which has none. Results do not depend on which: each piece is independent.
//! Work inside a piece is not split again (see [`inside`]), however many threads there are.

use std::cell::Cell;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// True while running a piece of [`join`] or [`for_each`]: a product there is not cut in two
/// again (nested threads would outnumber the cores). The same on one thread as on many, so the
/// bytes do not depend on the core count.
pub fn inside() -> bool {
    INSIDE.with(Cell::get)
}

fn piece<R>(f: impl FnOnce() -> R) -> R {
    let before = INSIDE.with(|c| c.replace(true));
    let r = f();
    INSIDE.with(|c| c.set(before));
    r
}

/// Runs `a` and `b`, on two threads when the machine has more than one core.
pub fn join<A: FnOnce() -> RA + Send, B: FnOnce() -> RB + Send, RA: Send, RB: Send>(
    a: A,
    b: B,
) -> (RA, RB) {
    #[cfg(not(target_arch = "wasm32"))]
    if threads() > 1 {
        return std::thread::scope(|s| {
            let hb = s.spawn(|| piece(b));
            let ra = piece(a);
            (ra, hb.join().expect("a worker thread panicked"))
        });
    }
    (piece(a), piece(b))
}

/// Worker threads to split work over: the machine's cores natively (or `FASTSIM_THREADS`, which
/// the bench sets to 1 for the single-thread figure), one in wasm.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        static N: OnceLock<usize> = OnceLock::new();
        *N.get_or_init(|| {
            std::env::var("FASTSIM_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n >= 1)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        })
    }
    #[cfg(target_arch = "wasm32")]
    1
}

/// Calls `f(state, index, item)` for every item, spread over [`threads`] threads in
/// contiguous runs; each thread makes its `state` (buffers) once with `init`.
pub fn for_each<T: Send, S>(
    items: &mut [T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize, &mut T) + Sync,
) {
    let t = threads().min(items.len()).max(1);
    let per = items.len().div_ceil(t).max(1);
    let run = |c: usize, run: &mut [T]| {
        piece(|| {
            let mut state = init();
            for (j, item) in run.iter_mut().enumerate() {
                f(&mut state, c * per + j, item);
            }
        })
    };
    #[cfg(not(target_arch = "wasm32"))]
    if t > 1 {
        std::thread::scope(|s| {
            for (c, chunk) in items.chunks_mut(per).enumerate() {
                let run = &run;
                s.spawn(move || run(c, chunk));
            }
        });
        return;
    }
    run(0, items);
}
