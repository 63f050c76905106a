//! One dense layer on the fast path, z = a·W + b, with its weights at an offset of a flat
//! parameter vector: the building block of [`super::FusedMlp`] and of the jet VAE's dense
//! and convolution layers.

use super::gemm::matmul;

/// z = a·W + b on `rows` rows, W (i × o, row-major) then b at offset `at` of the parameters.
#[derive(Debug, Clone, Copy)]
pub struct Dense {
    pub i: usize,
    pub o: usize,
    pub at: usize,
}

impl Dense {
    pub fn n_params(&self) -> usize {
        self.i * self.o + self.o
    }

    /// z (rows × o) ← a·W + b.
    pub fn forward(&self, p: &[f32], a: &[f32], rows: usize, z: &mut Vec<f32>) {
        let (w, b) = self.split(p);
        z.clear();
        for _ in 0..rows {
            z.extend_from_slice(b);
        }
        matmul(z, a, w, (rows, self.i, self.o), false, false, true);
    }

    /// From δ = dL/dz (rows × o): ∂W = aᵀ·δ and ∂b = Σ_rows δ, written into this layer's part
    /// of `grads` (the whole parameter vector).
    pub fn weight_grads(&self, a: &[f32], delta: &[f32], rows: usize, grads: &mut [f32]) {
        let (i, o) = (self.i, self.o);
        let (gw, gb) = grads[self.at..self.at + i * o + o].split_at_mut(i * o);
        matmul(gw, a, delta, (i, rows, o), true, false, false);
        gb.fill(0.0);
        for row in delta[..rows * o].chunks_exact(o) {
            gb.iter_mut().zip(row).for_each(|(g, d)| *g += d);
        }
    }

    /// dL/da = δ·Wᵀ (rows × i) into `da`, or added to it with `add`.
    pub fn input_grad(&self, p: &[f32], delta: &[f32], rows: usize, da: &mut [f32], add: bool) {
        matmul(
            da,
            delta,
            self.split(p).0,
            (rows, self.o, self.i),
            false,
            true,
            add,
        );
    }

    /// [`Dense::weight_grads`] and, when asked, [`Dense::input_grad`] into `da`, sized here
    /// (overwritten, or added to with `add`: no zeroing).
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        p: &[f32],
        a: &[f32],
        delta: &[f32],
        rows: usize,
        grads: &mut [f32],
        da: Option<&mut Vec<f32>>,
        add: bool,
    ) {
        self.weight_grads(a, delta, rows, grads);
        if let Some(da) = da {
            da.resize(rows * self.i, 0.0);
            self.input_grad(p, delta, rows, da, add);
        }
    }

    /// The layer's weight and bias in the parameters.
    pub fn split<'p>(&self, p: &'p [f32]) -> (&'p [f32], &'p [f32]) {
        let n = self.i * self.o;
        (
            &p[self.at..self.at + n],
            &p[self.at + n..self.at + n + self.o],
        )
    }
}
