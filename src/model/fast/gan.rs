//! The unfolding GANs of seed 002 on the fast path: per batch one discriminator step on
//! eq. (3) / (10) with its gradient regulariser, and one generator step on eq. (4) / (11)
//! plus λ_G·MMD on m_jj (eq. 5), each with its own Adam (β₁ = 0.5), written out by hand. The
//! arithmetic is that of `UnfoldGan::d_loss` and `UnfoldGan::g_loss`, which stay the reference
//! (the tests compare gradients with autodiff through them) and the GPU path.

use super::activation::{log_sigmoid, sigmoid};
use super::{parallel, Adam, FusedMlp, Workspace, SAMPLE_BLOCK};
use crate::model::{EventScales, GanConfig, GanKind, KernelShape};

/// One batch of standardised rows: detector-level events (`cond`, rows × d_cond), their
/// parton-level truth (`real`, rows × d_event), the generator's noise (rows × noise) and the
/// detector-level m_jj, pT,j1, pT,j2 in GeV (`aux`, rows × 3).
#[derive(Debug, Clone, Copy)]
pub struct GanRows<'a> {
    pub cond: &'a [f32],
    pub real: &'a [f32],
    pub noise: &'a [f32],
    pub aux: &'a [f32],
    pub rows: usize,
}

/// A network with its weights, optimiser and buffers.
#[derive(Debug, Clone)]
struct Net {
    mlp: FusedMlp,
    params: Vec<f32>,
    adam: Adam,
    ws: Workspace,
    grads: Vec<f32>,
}

impl Net {
    fn new(mlp: FusedMlp, params: Vec<f32>) -> Self {
        assert_eq!(params.len(), mlp.n_params(), "GAN parameter count");
        Self {
            adam: Adam::new(params.len()).with_beta_1(0.5),
            grads: vec![0.0; params.len()],
            ws: Workspace::default(),
            mlp,
            params,
        }
    }
}

/// Generator and discriminator of an unfolding GAN, training on the CPU without autodiff.
#[derive(Debug, Clone)]
pub struct FusedGan {
    cfg: GanConfig,
    scales: EventScales,
    generator: Net,
    discriminator: Net,
    /// The generator's output for the current batch (rows × d_event).
    fake: Vec<f32>,
    input: Vec<f32>,
}

/// Rows of `a` (rows × ka) and `b` (rows × kb) side by side, appended to `out`.
fn concat_rows(out: &mut Vec<f32>, a: &[f32], ka: usize, b: &[f32], kb: usize, rows: usize) {
    out.reserve(rows * (ka + kb));
    for r in 0..rows {
        out.extend_from_slice(&a[r * ka..(r + 1) * ka]);
        out.extend_from_slice(&b[r * kb..(r + 1) * kb]);
    }
}

impl FusedGan {
    /// The pair with weights `generator` and `discriminator` (the layout of `Mlp::to_flat`);
    /// `scales` standardise the parton-level events (m_jj is taken in GeV).
    pub fn new(
        cfg: &GanConfig,
        scales: &EventScales,
        generator: Vec<f32>,
        discriminator: Vec<f32>,
    ) -> Self {
        Self {
            generator: Net::new(FusedMlp::new(&cfg.generator_config()), generator),
            discriminator: Net::new(FusedMlp::new(&cfg.discriminator_config()), discriminator),
            cfg: cfg.clone(),
            scales: scales.clone(),
            fake: Vec::new(),
            input: Vec::new(),
        }
    }

    /// The generator's weights (what a model file keeps).
    pub fn generator_flat(&self) -> &[f32] {
        &self.generator.params
    }

    #[cfg(test)]
    pub(crate) fn discriminator_flat(&self) -> &[f32] {
        &self.discriminator.params
    }

    /// One discriminator step and one generator step on a batch at learning rate `lr`, the
    /// MMD kernel at `cooling` GeV where it cools; the batch's
    /// [D total, L_D, regulariser, G total, L_G, MMD], as the Burn path reports them.
    pub fn step(&mut self, b: &GanRows, lr: f64, cooling: f64) -> [f64; 6] {
        self.generate(b);
        let d = self.d_gradients(b);
        let net = &mut self.discriminator;
        net.adam.step(&mut net.params, &net.grads, lr);
        // The generator steps against the updated discriminator, on the same generated
        // events (the generator has not changed since).
        let g = self.g_gradients(b, cooling);
        let net = &mut self.generator;
        net.adam.step(&mut net.params, &net.grads, lr);
        [d[0], d[1], d[2], g[0], g[1], g[2]]
    }

    /// Both losses and both gradients (flat, discriminator then generator) without a step,
    /// the generator's against the current discriminator: what the tests compare.
    #[cfg(test)]
    pub(crate) fn gradients(
        &mut self,
        b: &GanRows,
        cooling: f64,
    ) -> ([f64; 6], Vec<f32>, Vec<f32>) {
        self.generate(b);
        let d = self.d_gradients(b);
        let d_grads = self.discriminator.grads.clone();
        let g = self.g_gradients(b, cooling);
        (
            [d[0], d[1], d[2], g[0], g[1], g[2]],
            d_grads,
            self.generator.grads.clone(),
        )
    }

    fn generate(&mut self, b: &GanRows) {
        let mut input = std::mem::take(&mut self.input);
        let x = generator_input(&self.cfg, b.cond, b.noise, b.rows, &mut input);
        let g = &mut self.generator;
        let out = g.mlp.forward(&g.params, x, b.rows, &mut g.ws);
        self.fake.clear();
        self.fake.extend_from_slice(out);
        self.input = input;
    }

    /// The discriminator's input for events `x` (rows × d_event): the event, and for the
    /// FCGAN its detector-level condition beside it.
    fn disc_rows(&self, out: &mut Vec<f32>, x: &[f32], cond: &[f32], rows: usize) {
        match self.cfg.kind {
            GanKind::Naive => out.extend_from_slice(&x[..rows * self.cfg.d_event()]),
            GanKind::Fcgan => {
                concat_rows(out, x, self.cfg.d_event(), cond, self.cfg.d_cond(), rows)
            }
        }
    }

    /// Eq. (3) / (10) on the batch's real events and the generated ones (which do not train
    /// the generator here), with φ the logit: L_D = ⟨−log σ(φ_real)⟩ + ⟨−log σ(−φ_fake)⟩, and
    /// the regulariser ⟨(1 − D)²|∇φ|²⟩_real + ⟨D²|∇φ|²⟩_fake. Both halves go through the
    /// network as one batch of 2·rows. Gradients into the discriminator's `grads`;
    /// returns [total, L_D, regulariser].
    fn d_gradients(&mut self, b: &GanRows) -> [f64; 3] {
        let n = b.rows;
        let mut x = std::mem::take(&mut self.input);
        x.clear();
        self.disc_rows(&mut x, b.real, b.cond, n);
        self.disc_rows(&mut x, &self.fake, b.cond, n);
        let lambda = self.cfg.lambda_d as f32;
        let d = &mut self.discriminator;
        let phi: Vec<f32> = d.mlp.forward(&d.params, &x, 2 * n, &mut d.ws).to_vec();
        let g = d.mlp.input_grad(&d.params, &mut d.ws).to_vec();
        let width = g.len() / (2 * n);
        let inv_n = 1.0 / n as f32;
        let (mut l_d, mut reg) = (0f64, 0f64);
        let mut gbar = vec![0f32; g.len()];
        {
            let (_, dphi) = d.mlp.out_and_grad(&mut d.ws);
            for (r, (&p, dp)) in phi.iter().zip(dphi.iter_mut()).enumerate() {
                let gr = &g[r * width..(r + 1) * width];
                let g2: f32 = gr.iter().map(|v| v * v).sum();
                // Real rows: D → 1, c = (1 − D)² = σ(−φ)²; generated rows: D → 0, c = D² = σ(φ)².
                let real = r < n;
                let (loss, s_loss, c, dc) = if real {
                    let s = sigmoid(-p);
                    // d/dφ of −log σ(φ) is −σ(−φ); of σ(−φ)² is −2σ(−φ)²σ(φ).
                    (-log_sigmoid(p), -s, s * s, -2.0 * s * s * (1.0 - s))
                } else {
                    let s = sigmoid(p);
                    // −log σ(−φ): derivative σ(φ); σ(φ)²: derivative 2σ(φ)²(1 − σ(φ)).
                    (-log_sigmoid(-p), s, s * s, 2.0 * s * s * (1.0 - s))
                };
                l_d += loss as f64;
                reg += (c * g2) as f64;
                *dp = inv_n * (s_loss + lambda * g2 * dc);
                gbar[r * width..(r + 1) * width]
                    .iter_mut()
                    .zip(gr)
                    .for_each(|(o, v)| *o = inv_n * lambda * 2.0 * c * v);
            }
        }
        d.mlp.backward(&d.params, &mut d.ws, &mut d.grads);
        d.mlp
            .input_grad_backward(&d.params, &mut d.ws, &gbar, &mut d.grads);
        self.input = x;
        let (l_d, reg) = (l_d / n as f64, reg / n as f64);
        [l_d + self.cfg.lambda_d * reg, l_d, reg]
    }

    /// Eq. (4) / (11) plus λ_G·MMD on m_jj (eq. 5) for the generated events of the batch:
    /// L_G = ⟨−log σ(φ_fake)⟩ through the discriminator, the MMD between the generated and
    /// the true m_jj (with the kernel's detector-level observables beside them). Gradients
    /// into the generator's `grads`; returns [total, L_G, MMD].
    fn g_gradients(&mut self, b: &GanRows, cooling: f64) -> [f64; 3] {
        let n = b.rows;
        let k = self.cfg.d_event();
        let mut x = std::mem::take(&mut self.input);
        x.clear();
        self.disc_rows(&mut x, &self.fake, b.cond, n);
        let d = &mut self.discriminator;
        d.mlp.forward(&d.params, &x, n, &mut d.ws);
        let inv_n = 1.0 / n as f32;
        let mut l_g = 0f64;
        {
            let (phi, dphi) = d.mlp.out_and_grad(&mut d.ws);
            for (&p, dp) in phi.iter().zip(dphi.iter_mut()) {
                l_g += -log_sigmoid(p) as f64;
                *dp = -inv_n * sigmoid(-p);
            }
        }
        let through_d = d.mlp.backward_to_input(&d.params, &mut d.ws);
        let d_width = through_d.len() / n;
        let mut dfake: Vec<f32> = through_d
            .chunks_exact(d_width)
            .flat_map(|r| r[..k].iter().copied())
            .collect();
        self.input = x;

        // MMD on (m_jj, detector-level observables) rows.
        let aux_k = self.cfg.kernel.aux_columns();
        let c = 1 + aux_k;
        let (m_fake, dm) = mjj_with_grad(&self.fake, k, &self.scales);
        let (m_real, _) = mjj_with_grad(b.real, k, &self.scales);
        let features = |m: &[f32]| -> Vec<f32> {
            m.iter()
                .enumerate()
                .flat_map(|(r, &v)| {
                    std::iter::once(v).chain(b.aux[r * 3..r * 3 + aux_k].iter().copied())
                })
                .collect()
        };
        let (xf, yr) = (features(&m_fake), features(&m_real));
        let widths = self.cfg.kernel.widths(cooling);
        let mut dx = vec![0f32; xf.len()];
        let mmd = mmd_with_grad(&xf, &yr, c, &widths, self.cfg.kernel_shape, &mut dx);
        let lambda_g = self.cfg.lambda_g as f32;
        for r in 0..n {
            let dm_r = lambda_g * dx[r * c];
            for (j, g) in dfake[r * k..r * k + 6].iter_mut().enumerate() {
                *g += dm_r * dm[r * 6 + j];
            }
        }
        let g = &mut self.generator;
        let (_, out_grad) = g.mlp.out_and_grad(&mut g.ws);
        out_grad.copy_from_slice(&dfake);
        g.mlp.backward(&g.params, &mut g.ws, &mut g.grads);
        let l_g = l_g / n as f64;
        [l_g + self.cfg.lambda_g * mmd, l_g, mmd]
    }
}

/// The generator's input for standardised detector events `cond` (rows × d_cond): the
/// naive GAN reads them alone, the FCGAN its noise (rows × noise) first, then them.
fn generator_input<'a>(
    cfg: &GanConfig,
    cond: &'a [f32],
    noise: &[f32],
    rows: usize,
    buf: &'a mut Vec<f32>,
) -> &'a [f32] {
    match cfg.kind {
        GanKind::Naive => cond,
        GanKind::Fcgan => {
            buf.clear();
            concat_rows(buf, noise, cfg.noise, cond, cfg.d_cond(), rows);
            buf
        }
    }
}

/// The generator with weights `flat` (the layout of `Mlp::to_flat`) applied to standardised
/// detector events `cond` (rows × d_cond) with `noise` (rows × noise): standardised parton
/// events (rows × d_event), in blocks of [`SAMPLE_BLOCK`] rows spread over the cores.
/// Unfolding and the training's validation take this path on the CPU.
pub fn generate_rows(cfg: &GanConfig, flat: &[f32], cond: &[f32], noise: &[f32]) -> Vec<f32> {
    let mlp = FusedMlp::new(&cfg.generator_config());
    let (kc, nz) = (cfg.d_cond(), cfg.noise);
    let rows = cond.len() / kc;
    let mut blocks: Vec<Vec<f32>> = vec![Vec::new(); rows.div_ceil(SAMPLE_BLOCK)];
    let buffers = || (Workspace::default(), Vec::new());
    parallel::for_each(&mut blocks, buffers, |(ws, buf), b, out| {
        let (start, n) = (b * SAMPLE_BLOCK, SAMPLE_BLOCK.min(rows - b * SAMPLE_BLOCK));
        let c = &cond[start * kc..(start + n) * kc];
        let z = &noise[start * nz..(start + n) * nz];
        let x = generator_input(cfg, c, z, n, buf);
        *out = mlp.forward(flat, x, n, ws).to_vec();
    });
    blocks.concat()
}

/// m_jj (GeV) of standardised events (rows × k, the two jets' (px, py, pz) first, massless)
/// and ∂m_jj/∂x for those six columns (rows × 6), as `model::mjj_gev` computes it:
/// E_i = √(|p_i|² + 10⁻⁹), m² = (E₁ + E₂)² − |p₁ + p₂|² floored at 10⁻⁶, so
/// ∂m/∂p₁ = ((E₁ + E₂)·p₁/E₁ − (p₁ + p₂))/m (zero where the floor holds).
pub fn mjj_with_grad(x: &[f32], k: usize, scales: &EventScales) -> (Vec<f32>, Vec<f32>) {
    let rows = x.len() / k;
    let mut m = Vec::with_capacity(rows);
    let mut dm = Vec::with_capacity(rows * 6);
    for r in x.chunks_exact(k) {
        let p: [f32; 6] = std::array::from_fn(|j| r[j] * scales.std[j] + scales.mean[j]);
        let e1 = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] + 1e-9).sqrt();
        let e2 = (p[3] * p[3] + p[4] * p[4] + p[5] * p[5] + 1e-9).sqrt();
        let s: [f32; 3] = std::array::from_fn(|j| p[j] + p[3 + j]);
        let e = e1 + e2;
        let m2 = e * e - (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
        let mass = m2.max(1e-6).sqrt();
        m.push(mass);
        for j in 0..6 {
            let (pj, ei) = if j < 3 { (p[j], e1) } else { (p[j], e2) };
            let g = if m2 > 1e-6 {
                (e * pj / ei - s[j % 3]) / mass
            } else {
                0.0
            };
            dm.push(g * scales.std[j]);
        }
    }
    (m, dm)
}

/// MMD = √(MMD² + 10⁻¹²) of rows `x` (n × c) and `y` (m × c) with the summed Gaussian
/// kernels K(d²) = Σ_σ exp(−d²/(2σ²)) (seed 002, eq. 5; `model::mmd`): MMD² =
/// ⟨K⟩_xx + ⟨K⟩_yy − 2⟨K⟩_xy over every pair, the diagonal included. Writes dMMD/dx to `dx`.
/// The pairs are the bulk of a small GAN's step, so each row meets the other sample's
/// columns as whole vectors (the loops vectorise, `exp_neg` included).
pub fn mmd_with_grad(
    x: &[f32],
    y: &[f32],
    c: usize,
    widths: &[f64],
    shape: KernelShape,
    dx: &mut [f32],
) -> f64 {
    let (n, m) = (x.len() / c, y.len() / c);
    let coef: Vec<f32> = match shape {
        KernelShape::Gaussian => widths.iter().map(|s| (-0.5 / (s * s)) as f32).collect(),
        // For the Breit–Wigner, 1/σ²: k = 1/(1 + d²/σ²).
        KernelShape::BreitWigner => widths.iter().map(|s| (1.0 / (s * s)) as f32).collect(),
    };
    let mut pairs = Pairs {
        shape,
        ..Pairs::default()
    };
    let columns = |v: &[f32], rows: usize| -> Vec<Vec<f32>> {
        (0..c)
            .map(|t| (0..rows).map(|r| v[r * c + t]).collect())
            .collect()
    };
    let (xc, yc) = (columns(x, n), columns(y, m));
    // n²·∂MMD²/∂x, column by column.
    let mut gx = vec![vec![0f32; n]; c];
    let row = |cols: &[Vec<f32>], i: usize| -> Vec<f32> { cols.iter().map(|col| col[i]).collect() };
    // x–x: each unordered pair once, counted for both orders; the diagonal is 1 per width.
    let mut sxx = (n * coef.len()) as f64;
    for i in 0..n {
        let a = row(&xc, i);
        let rest: Vec<&[f32]> = xc.iter().map(|col| &col[i + 1..]).collect();
        sxx += 2.0 * pairs.kernel(&a, &rest, &coef);
        // ∂K/∂x_i = dK/d(d²)·2(x_i − x_j), twice (both orders); the opposite for x_j.
        for ((col, g), &at) in rest.iter().zip(gx.iter_mut()).zip(&a) {
            g[i] += 4.0 * weighted_sum(&pairs.dk, col, at);
            for ((g, &v), &dk) in g[i + 1..].iter_mut().zip(*col).zip(&pairs.dk) {
                *g -= 4.0 * dk * (at - v);
            }
        }
    }
    let mut syy = (m * coef.len()) as f64;
    for i in 0..m {
        let rest: Vec<&[f32]> = yc.iter().map(|col| &col[i + 1..]).collect();
        syy += 2.0 * pairs.kernel(&row(&yc, i), &rest, &coef);
    }
    // x–y: every pair, −2/(nm) of it; in units of 1/n² as gx.
    let ratio = n as f32 / m as f32;
    let all_y: Vec<&[f32]> = yc.iter().map(Vec::as_slice).collect();
    let mut sxy = 0f64;
    for i in 0..n {
        let a = row(&xc, i);
        sxy += pairs.kernel(&a, &all_y, &coef);
        for ((col, g), &at) in all_y.iter().zip(gx.iter_mut()).zip(&a) {
            g[i] -= 4.0 * ratio * weighted_sum(&pairs.dk, col, at);
        }
    }
    let mmd2 = sxx / (n * n) as f64 + syy / (m * m) as f64 - 2.0 * sxy / (n * m) as f64;
    let mmd = (mmd2.max(0.0) + 1e-12).sqrt();
    let outer = if mmd2 >= 0.0 {
        (0.5 / mmd) as f32 / (n * n) as f32
    } else {
        0.0
    };
    for (r, g) in dx.chunks_exact_mut(c).enumerate() {
        for (t, v) in g.iter_mut().enumerate() {
            *v = outer * gx[t][r];
        }
    }
    mmd
}

/// Buffers of one row's pairs: squared distances, kernel values and dK/d(d²).
#[derive(Default)]
struct Pairs {
    shape: KernelShape,
    d2: Vec<f32>,
    k: Vec<f32>,
    dk: Vec<f32>,
}

impl Pairs {
    /// Σ_j K(|a − b_j|²) over the rows b_j given as columns, keeping dK/d(d²) per pair in `dk`.
    fn kernel(&mut self, a: &[f32], cols: &[&[f32]], coef: &[f32]) -> f64 {
        let len = cols.first().map_or(0, |c| c.len());
        for v in [&mut self.d2, &mut self.k, &mut self.dk] {
            v.clear();
            v.resize(len, 0.0);
        }
        for (&at, col) in a.iter().zip(cols) {
            for (d, &v) in self.d2.iter_mut().zip(*col) {
                let u = at - v;
                *d += u * u;
            }
        }
        for &q in coef {
            match self.shape {
                KernelShape::Gaussian => {
                    for ((k, dk), &d2) in self.k.iter_mut().zip(&mut self.dk).zip(&self.d2) {
                        let e = exp_neg(q * d2);
                        *k += e;
                        *dk += q * e;
                    }
                }
                // k = 1/(1 + q·d²), dk/d(d²) = −q·k².
                KernelShape::BreitWigner => {
                    for ((k, dk), &d2) in self.k.iter_mut().zip(&mut self.dk).zip(&self.d2) {
                        let e = 1.0 / (1.0 + q * d2);
                        *k += e;
                        *dk -= q * e * e;
                    }
                }
            }
        }
        lane_sum(&self.k, |k, _| k, &self.k) as f64
    }
}

/// Σ_j dk_j·(a − b_j).
fn weighted_sum(dk: &[f32], b: &[f32], a: f32) -> f32 {
    lane_sum(dk, |dk, b| dk * (a - b), b)
}

/// Σ_j f(u_j, v_j) in eight running sums: the order is fixed, and the loop vectorises (a
/// plain float sum must keep its order and would not).
#[inline(always)]
fn lane_sum(u: &[f32], f: impl Fn(f32, f32) -> f32, v: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (cu, cv) = (u.chunks_exact(8), v.chunks_exact(8));
    let tail: f32 = cu
        .remainder()
        .iter()
        .zip(cv.remainder())
        .map(|(&a, &b)| f(a, b))
        .sum();
    for (a, b) in cu.zip(cv) {
        for l in 0..8 {
            lanes[l] += f(a[l], b[l]);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// eˣ for x ≤ 0, branch-free so that loops over it vectorise (SSE2 natively, SIMD128 in the
/// page): x = n·ln 2 + r with n = round(x·log₂e), |r| ≤ ln 2 / 2, e^r by its Taylor series to r⁷ (relative error
/// below 10⁻⁸, under f32's rounding), 2ⁿ from the exponent bits. Below −87 it returns
/// e^(−87) ≈ 1.6·10⁻³⁸ rather than 0, far below anything a kernel sum resolves.
#[inline(always)]
fn exp_neg(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5·2²³: adding it rounds to an integer, which then sits in the low mantissa bits
    // (no float-to-int conversion, which would not vectorise).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 0.0);
    let t = x * LOG2E + ROUND;
    let nf = t - ROUND;
    let r = x - nf * LN2_HI - nf * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2ⁿ: n + 127 in the exponent field.
    let n = t.to_bits().wrapping_sub(ROUND.to_bits());
    p * f32::from_bits(n.wrapping_add(127) << 23)
}

#[cfg(test)]
mod tests {
    use super::exp_neg;

    #[test]
    fn exp_neg_is_exp_to_float_precision() {
        for i in 0..=20_000 {
            let x = -(i as f32) * 87.0 / 20_000.0;
            let (got, want) = (exp_neg(x) as f64, (x as f64).exp());
            assert!((got - want).abs() <= 3e-7 * want, "e^{x}: {got} vs {want}");
        }
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(-1e4) < 1e-37 && exp_neg(-1e4) >= 0.0);
    }
}
