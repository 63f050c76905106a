//! The layers of the jet VAE (seed 001, fig. 1) on the fast path besides [`Dense`]: convolutions
//! over the (3 feature rows × w particles) plane with a kh × 5 kernel and "same" padding,
//! 1 × 2 max pooling along the particles, and linear up-sampling along them (PyTorch's
//! bilinear `Upsample` with corners not aligned; the 3 rows are kept). Activations are
//! channels-last: one row per (jet, feature row, particle), one column per channel, so a
//! convolution is one matrix product on its unrolled input (im2col) and every inner loop runs
//! over contiguous channels.

pub use super::dense::Dense;

/// Rows of the plane: px, py, pz.
pub const PLANE_ROWS: usize = 3;
/// Kernel width along the particles.
pub const KW: usize = 5;

/// A convolution over the plane, `width` particles wide, kernel `kh` × [`KW`], "same"
/// padding; its weight is the matrix of [`Dense`] with one input per tap and input channel,
/// in the order (tap row, tap column, channel).
#[derive(Debug, Clone, Copy)]
pub struct Conv {
    pub c_in: usize,
    pub kh: usize,
    pub width: usize,
    pub dense: Dense,
}

impl Conv {
    pub fn new(c_in: usize, c_out: usize, kh: usize, width: usize, at: usize) -> Self {
        Self {
            c_in,
            kh,
            width,
            dense: Dense {
                i: kh * KW * c_in,
                o: c_out,
                at,
            },
        }
    }

    pub fn c_out(&self) -> usize {
        self.dense.o
    }

    /// Rows of the plane for `jets` jets.
    pub fn rows(&self, jets: usize) -> usize {
        jets * PLANE_ROWS * self.width
    }

    /// For each output row and tap row of the kernel, the run of the unrolled row it fills
    /// and where that run reads: `f(unrolled offset, input offset, first tap, end tap)` for the
    /// taps inside the plane (the others read the padding). The [`KW`] taps of a tap row read
    /// [`KW`] neighbouring particles, contiguous in the channels-last input.
    fn runs(&self, jets: usize, mut f: impl FnMut(usize, Option<usize>, usize, usize)) {
        let (c, k, w) = (self.c_in, self.dense.i, self.width);
        let ph = (self.kh - 1) / 2;
        let pw = (KW - 1) / 2;
        for line in 0..jets * PLANE_ROWS {
            let h = line % PLANE_ROWS;
            for x in 0..w {
                let row = line * w + x;
                for i in 0..self.kh {
                    let at = row * k + i * KW * c;
                    // Input row h + i − ph, if inside the plane.
                    if h + i < ph || h + i - ph >= PLANE_ROWS {
                        f(at, None, 0, 0);
                        continue;
                    }
                    let src_line = line + i - ph;
                    // Taps t read particle x + t − pw: valid for t in [lo, hi).
                    let lo = pw.saturating_sub(x);
                    let hi = KW.min(w + pw - x);
                    let src = (src_line * w + x + lo - pw) * c;
                    f(at, Some(src), lo, hi);
                }
            }
        }
    }

    /// The unrolled input: col[(jet, h, x), (i, t, c)] = input[jet, h + i − ⌊kh/2⌋, x + t − 2, c],
    /// zero in the padding.
    pub fn im2col(&self, input: &[f32], jets: usize, col: &mut Vec<f32>) {
        let c = self.c_in;
        col.resize(self.rows(jets) * self.dense.i, 0.0);
        self.runs(jets, |at, src, lo, hi| {
            let dst = &mut col[at..at + KW * c];
            match src {
                None => dst.fill(0.0),
                Some(src) => {
                    dst[..lo * c].fill(0.0);
                    dst[lo * c..hi * c].copy_from_slice(&input[src..src + (hi - lo) * c]);
                    dst[hi * c..].fill(0.0);
                }
            }
        });
    }

    /// out (rows × c_out) ← the convolution of `input` (rows × c_in); `col` keeps the
    /// unrolled input for [`Conv::backward`].
    pub fn forward(
        &self,
        p: &[f32],
        input: &[f32],
        jets: usize,
        col: &mut Vec<f32>,
        out: &mut Vec<f32>,
    ) {
        self.im2col(input, jets, col);
        self.dense.forward(p, col, self.rows(jets), out);
    }

    /// From δ = dL/d(out): the weight and bias gradients, and when asked dL/d(input)
    /// (rows × c_in) through `dcol` (scratch): the unrolled gradient δ·Wᵀ folded back onto the
    /// positions each tap read.
    pub fn backward(
        &self,
        p: &[f32],
        col: &[f32],
        delta: &[f32],
        jets: usize,
        grads: &mut [f32],
        input_grad: Option<(&mut Vec<f32>, &mut Vec<f32>)>,
    ) {
        let rows = self.rows(jets);
        match input_grad {
            None => self.dense.backward(p, col, delta, rows, grads, None, false),
            Some((dcol, din)) => {
                self.dense
                    .backward(p, col, delta, rows, grads, Some(dcol), false);
                let c = self.c_in;
                din.clear();
                din.resize(rows * c, 0.0);
                self.runs(jets, |at, src, lo, hi| {
                    if let Some(src) = src {
                        let from = &dcol[at + lo * c..at + hi * c];
                        din[src..src + (hi - lo) * c]
                            .iter_mut()
                            .zip(from)
                            .for_each(|(d, g)| *d += g);
                    }
                });
            }
        }
    }
}

/// 1 × 2 max pooling with stride 2 along the particles: `width` → ⌊width/2⌋ (an odd last
/// particle is dropped, as Burn's and PyTorch's pooling do).
pub fn pool(input: &[f32], jets: usize, width: usize, c: usize, out: &mut Vec<f32>) {
    let half = width / 2;
    out.clear();
    out.reserve(jets * PLANE_ROWS * half * c);
    for line in input.chunks_exact(width * c).take(jets * PLANE_ROWS) {
        for x in 0..half {
            let (a, b) = (
                &line[2 * x * c..(2 * x + 1) * c],
                &line[(2 * x + 1) * c..(2 * x + 2) * c],
            );
            out.extend(a.iter().zip(b).map(|(a, b)| a.max(*b)));
        }
    }
}

/// The pooling's gradient: each pooled gradient goes to the larger of its two inputs (the
/// first on a tie), nothing to a dropped last particle.
pub fn pool_back(
    input: &[f32],
    delta: &[f32],
    jets: usize,
    width: usize,
    c: usize,
    din: &mut Vec<f32>,
) {
    let half = width / 2;
    din.clear();
    din.resize(jets * PLANE_ROWS * width * c, 0.0);
    for ((line, d), g) in input
        .chunks_exact(width * c)
        .zip(din.chunks_exact_mut(width * c))
        .zip(delta.chunks_exact(half * c))
    {
        for x in 0..half {
            for k in 0..c {
                let (l, r) = ((2 * x) * c + k, (2 * x + 1) * c + k);
                let to = if line[l] >= line[r] { l } else { r };
                d[to] = g[x * c + k];
            }
        }
    }
}

/// Per output position of a linear up-sampling `from` → `to` wide: (left input, right input,
/// weight of the right one), with PyTorch's and Burn's coordinates for unaligned corners
/// (output x reads input (x + ½)·from/to − ½, clamped at 0; the last input repeated at the
/// edge). The fast path and the ONNX graph both up-sample with these.
pub fn upsample_taps(from: usize, to: usize) -> Vec<(usize, usize, f32)> {
    let ratio = from as f64 / to as f64;
    (0..to)
        .map(|x| {
            let src = (x as f64 + 0.5) * ratio - 0.5;
            let low = src.floor().max(0.0) as usize;
            let high = (low + 1).min(from - 1);
            (low, high, (src - low as f64).max(0.0) as f32)
        })
        .collect()
}

/// Linear up-sampling along the particles, `from` → `to` wide, with PyTorch's and Burn's
/// coordinates for unaligned corners: output x reads input (x + ½)·from/to − ½, clamped at 0,
/// between its two neighbours (the last one repeated at the edge).
#[derive(Debug, Clone)]
pub struct Upsample {
    from: usize,
    to: usize,
    /// Per output particle: (left input, right input, weight of the right one).
    taps: Vec<(usize, usize, f32)>,
}

impl Upsample {
    pub fn new(from: usize, to: usize) -> Self {
        let taps = upsample_taps(from, to);
        Self { from, to, taps }
    }

    pub fn forward(&self, input: &[f32], jets: usize, c: usize, out: &mut Vec<f32>) {
        out.clear();
        out.reserve(jets * PLANE_ROWS * self.to * c);
        for line in input.chunks_exact(self.from * c).take(jets * PLANE_ROWS) {
            for &(l, r, w) in &self.taps {
                let (a, b) = (&line[l * c..(l + 1) * c], &line[r * c..(r + 1) * c]);
                out.extend(a.iter().zip(b).map(|(a, b)| a * (1.0 - w) + b * w));
            }
        }
    }

    /// The adjoint: each output gradient shared back to its two inputs.
    pub fn backward(&self, delta: &[f32], jets: usize, c: usize, din: &mut Vec<f32>) {
        din.clear();
        din.resize(jets * PLANE_ROWS * self.from * c, 0.0);
        for (d, g) in din
            .chunks_exact_mut(self.from * c)
            .zip(delta.chunks_exact(self.to * c))
        {
            for (x, &(l, r, w)) in self.taps.iter().enumerate() {
                for k in 0..c {
                    let gx = g[x * c + k];
                    d[l * c + k] += gx * (1.0 - w);
                    d[r * c + k] += gx * w;
                }
            }
        }
    }
}
