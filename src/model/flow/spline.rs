//! Monotone rational-quadratic splines with linear tails (Durkan, Bekasov, Murray, Papamakarios,
//! "Neural Spline Flows", NeurIPS 2019, arXiv:1906.04032, section 3.1 and appendix A): on
//! [−B, B] a strictly increasing map through K + 1 knots with given derivatives, the identity
//! outside. Written with tensor operations only (bins chosen by one-hot comparisons, not by a
//! search), so the same code trains with autodiff and runs on every backend.

use burn::prelude::*;
use burn::tensor::activation::{softmax, softplus};

/// Smallest bin width and height, as a fraction of 2B (Durkan et al.'s default 10⁻³), and the
/// smallest knot derivative: they keep every bin invertible.
pub const MIN_BIN: f64 = 1e-3;
pub const MIN_DERIVATIVE: f64 = 1e-3;

/// One spline per (row, dimension), in the knots' coordinates: x-knots, y-knots and the
/// derivatives at them, each `[n, d, K + 1]`.
pub struct Spline {
    xk: Tensor<3>,
    yk: Tensor<3>,
    dk: Tensor<3>,
    bound: f64,
}

/// A spline's quantities at one value's bin, each `[n, d]`.
struct Bin {
    x0: Tensor<2>,
    w: Tensor<2>,
    y0: Tensor<2>,
    h: Tensor<2>,
    d0: Tensor<2>,
    d1: Tensor<2>,
}

impl Spline {
    /// The splines from unconstrained parameters `raw` `[n, d, 3K − 1]`: K widths, K heights
    /// (softmax, eq. 4 of Durkan et al.) and K − 1 inner derivatives (softplus); the outer
    /// derivatives are 1 so the tails join linearly. All-zero parameters give the identity.
    pub fn new(raw: Tensor<3>, bins: usize, bound: f64) -> Self {
        let [n, d, _] = raw.dims();
        let k = bins;
        let device = raw.device();
        let knots = |logits: Tensor<3>| {
            let share = softmax(logits, 2)
                .mul_scalar(1.0 - k as f64 * MIN_BIN)
                .add_scalar(MIN_BIN);
            // Cumulative sums [0, w₀, w₀ + w₁, …, 1] as one product with a triangular matrix.
            let tri: Vec<f32> = (0..k)
                .flat_map(|i| (0..=k).map(move |j| if i < j { 1.0 } else { 0.0 }))
                .collect();
            let tri = Tensor::<2>::from_data(TensorData::new(tri, [k, k + 1]), &device);
            share
                .reshape([n * d, k])
                .matmul(tri)
                .reshape([n, d, k + 1])
                .mul_scalar(2.0 * bound)
                .sub_scalar(bound)
        };
        let xk = knots(raw.clone().narrow(2, 0, k));
        let yk = knots(raw.clone().narrow(2, k, k));
        // softplus(0 + c) + MIN_DERIVATIVE = 1: the identity at zero parameters.
        let shift = (1.0f64 - MIN_DERIVATIVE).exp_m1().ln();
        let inner =
            softplus(raw.narrow(2, 2 * k, k - 1).add_scalar(shift), 1.0).add_scalar(MIN_DERIVATIVE);
        let ones = Tensor::<3>::ones([n, d, 1], &device);
        let dk = Tensor::cat(vec![ones.clone(), inner, ones], 2);
        Self { xk, yk, dk, bound }
    }

    /// The bin of each value of `v` among the `knots`, as one-hot weights `[n, d, K]`: bin k
    /// when knot k ≤ v < knot k + 1, the first and last bins open-ended (values are clamped
    /// to [−B, B] before).
    fn one_hot(v: &Tensor<2>, knots: &Tensor<3>) -> Tensor<3> {
        let [n, d, k1] = knots.dims();
        let k = k1 - 1;
        let device = v.device();
        let v3 = v.clone().reshape([n, d, 1]);
        let ge = v3.greater_equal(knots.clone().narrow(2, 1, k - 1)).float();
        let ones = Tensor::<3>::ones([n, d, 1], &device);
        let zeros = Tensor::<3>::zeros([n, d, 1], &device);
        Tensor::cat(vec![ones, ge.clone()], 2) - Tensor::cat(vec![ge, zeros], 2)
    }

    fn bin(&self, one_hot: &Tensor<3>) -> Bin {
        let [n, d, k1] = self.xk.dims();
        let k = k1 - 1;
        let pick = |t: Tensor<3>| (t * one_hot.clone()).sum_dim(2).reshape([n, d]);
        let left = |t: &Tensor<3>| t.clone().narrow(2, 0, k);
        let right = |t: &Tensor<3>| t.clone().narrow(2, 1, k);
        Bin {
            x0: pick(left(&self.xk)),
            w: pick(right(&self.xk) - left(&self.xk)),
            y0: pick(left(&self.yk)),
            h: pick(right(&self.yk) - left(&self.yk)),
            d0: pick(left(&self.dk)),
            d1: pick(right(&self.dk)),
        }
    }

    /// `v` clamped into [−B, B] and the mask of values strictly inside (the rest pass
    /// through unchanged).
    fn inside(&self, v: &Tensor<2>) -> (Tensor<2>, Tensor<2, Bool>) {
        let b = self.bound;
        (v.clone().clamp(-b, b), v.clone().abs().lower_elem(b))
    }

    /// ln dy/dx at position ξ of a bin (eq. 5 of Durkan et al.), with the denominator of eq. 4.
    fn log_derivative(bin: &Bin, s: &Tensor<2>, xi: &Tensor<2>) -> Tensor<2> {
        let one_minus = xi.clone().neg().add_scalar(1.0);
        let xi1 = xi.clone() * one_minus.clone();
        let den =
            s.clone() + (bin.d1.clone() + bin.d0.clone() - s.clone().mul_scalar(2.0)) * xi1.clone();
        let num = s.clone().square()
            * (bin.d1.clone() * xi.clone().square()
                + s.clone().mul_scalar(2.0) * xi1
                + bin.d0.clone() * one_minus.square());
        num.log() - den.log().mul_scalar(2.0)
    }

    /// y = g(x) and ln |dy/dx| per value (eq. 4 and 5 of Durkan et al.), `[n, d]` each.
    pub fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let (xc, inside) = self.inside(&x);
        let bin = self.bin(&Self::one_hot(&xc, &self.xk));
        let s = bin.h.clone() / bin.w.clone();
        let xi = ((xc - bin.x0.clone()) / bin.w.clone()).clamp(0.0, 1.0);
        let xi1 = xi.clone() * xi.clone().neg().add_scalar(1.0);
        let num = bin.h.clone() * (s.clone() * xi.clone().square() + bin.d0.clone() * xi1.clone());
        let den = s.clone() + (bin.d1.clone() + bin.d0.clone() - s.clone().mul_scalar(2.0)) * xi1;
        let y = bin.y0.clone() + num / den;
        let ld = Self::log_derivative(&bin, &s, &xi);
        let zero = x.zeros_like();
        (x.mask_where(inside.clone(), y), zero.mask_where(inside, ld))
    }

    /// x = g⁻¹(y) and ln |dx/dy| per value: the root of the quadratic of Durkan et al.,
    /// appendix A (eq. 6–8), in its numerically stable form ξ = 2c / (−b − √(b² − 4ac)).
    pub fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let (yc, inside) = self.inside(&y);
        let bin = self.bin(&Self::one_hot(&yc, &self.yk));
        let s = bin.h.clone() / bin.w.clone();
        let dy = yc - bin.y0.clone();
        let t = bin.d1.clone() + bin.d0.clone() - s.clone().mul_scalar(2.0);
        let a = bin.h.clone() * (s.clone() - bin.d0.clone()) + dy.clone() * t.clone();
        let b = bin.h.clone() * bin.d0.clone() - dy.clone() * t;
        let c = (s.clone() * dy).neg();
        let disc = (b.clone().square() - (a * c.clone()).mul_scalar(4.0)).clamp_min(0.0);
        let xi = ((c.mul_scalar(2.0)) / (b.neg() - disc.sqrt())).clamp(0.0, 1.0);
        let x = bin.x0.clone() + xi.clone() * bin.w.clone();
        let ld = Self::log_derivative(&bin, &s, &xi).neg();
        let zero = y.zeros_like();
        (y.mask_where(inside.clone(), x), zero.mask_where(inside, ld))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read_f32;
    use crate::random::{normal, rng, uniform};

    fn read(t: Tensor<2>) -> Vec<f32> {
        pollster::block_on(read_f32(t)).unwrap()
    }

    /// Random splines with their `n × d` values of x, on [−4, 4] around a bound of 3.
    fn random(scale: f64, seed: u64) -> (Spline, Tensor<2>, Vec<f32>) {
        let device = Device::flex();
        let (n, d, k) = (200, 3, 8);
        let mut r = rng(seed, 0);
        let raw: Vec<f32> = (0..n * d * (3 * k - 1))
            .map(|_| (scale * normal(&mut r)) as f32)
            .collect();
        let x: Vec<f32> = (0..n * d)
            .map(|_| (8.0 * uniform(&mut r) - 4.0) as f32)
            .collect();
        let spline = Spline::new(
            Tensor::from_data(TensorData::new(raw, [n, d, 3 * k - 1]), &device),
            k,
            3.0,
        );
        let xt = Tensor::from_data(TensorData::new(x.clone(), [n, d]), &device);
        (spline, xt, x)
    }

    /// x → g(x) → x for splines of moderate parameters (|raw| ~ 1, what trained conditioners
    /// give), inside and beyond the bound; the two log-derivatives cancel.
    #[test]
    fn inverse_undoes_forward() {
        let (spline, xt, x) = random(1.0, 5);
        let (y, ld) = spline.forward(xt);
        let (back, ld_inv) = spline.inverse(y);
        for ((a, b), (l, li)) in x
            .iter()
            .zip(read(back))
            .zip(read(ld).iter().zip(read(ld_inv)))
        {
            assert!((a - b).abs() < 2e-3, "{a} → {b}");
            assert!((l + li).abs() < 1e-2, "ln g' {l} vs ln (g⁻¹)' {li}");
        }
        assert!(
            x.iter().any(|v| v.abs() > 3.0),
            "some values in the linear tails"
        );
    }

    /// Extreme parameters (|raw| ~ 2: bins of 10⁻³ of the range beside bins of most of it):
    /// g⁻¹ can land off x where g is nearly flat (f32 cannot resolve it, and little density
    /// sits there), but g(g⁻¹(y)) = y holds everywhere to the float resolution of x times
    /// the steepest slopes (≈ 10³).
    #[test]
    fn forward_undoes_inverse_for_extreme_bins() {
        let (spline, yt, y) = random(2.0, 6);
        let (x, _) = spline.inverse(yt);
        let (again, _) = spline.forward(x);
        for (a, b) in y.iter().zip(read(again)) {
            assert!((a - b).abs() < 1e-3, "{a} → {b}");
        }
    }

    /// Zero parameters: the identity, with zero log-derivative.
    #[test]
    fn zero_parameters_are_the_identity() {
        let device = Device::flex();
        let spline = Spline::new(Tensor::zeros([5, 2, 3 * 4 - 1], &device), 4, 2.0);
        let x = vec![-3.0, -1.9, -0.7, 0.0, 0.3, 1.0, 1.5, 1.99, 2.5, 0.01f32];
        let (y, ld) = spline.forward(Tensor::from_data(
            TensorData::new(x.clone(), [5, 2]),
            &device,
        ));
        for ((a, b), l) in x.iter().zip(read(y)).zip(read(ld)) {
            assert!(
                (a - b).abs() < 1e-5 && l.abs() < 1e-5,
                "{a} → {b}, ln g' = {l}"
            );
        }
    }

    /// ln g′ against a central difference of g at random points.
    #[test]
    fn log_derivative_matches_finite_differences() {
        let device = Device::flex();
        let (n, k, h) = (200, 6, 1e-3f32);
        let mut r = rng(6, 0);
        let raw: Vec<f32> = (0..3 * k - 1).map(|_| normal(&mut r) as f32).collect();
        let raw: Vec<f32> = (0..n).flat_map(|_| raw.clone()).collect();
        let spline = Spline::new(
            Tensor::from_data(TensorData::new(raw, [n, 1, 3 * k - 1]), &device),
            k,
            3.0,
        );
        let x: Vec<f32> = (0..n).map(|i| -2.9 + 5.8 * i as f32 / n as f32).collect();
        let at = |dx: f32| {
            let v: Vec<f32> = x.iter().map(|x| x + dx).collect();
            spline.forward(Tensor::from_data(TensorData::new(v, [n, 1]), &device))
        };
        let (yp, _) = at(h);
        let (ym, _) = at(-h);
        let (_, ld) = at(0.0);
        let (yp, ym, ld) = (read(yp), read(ym), read(ld));
        let mut worst = 0f32;
        for i in 0..n {
            let numeric = ((yp[i] - ym[i]) / (2.0 * h)).ln();
            worst = worst.max((numeric - ld[i]).abs());
        }
        // A knot inside [x − h, x + h] bends the difference quotient: a few 10⁻² at most.
        assert!(worst < 0.05, "worst |ln g' − numeric| = {worst}");
    }
}
