//! The permutation-invariant losses of the jet VAE on tensors laid out as the network sees a
//! jet: `[batch, 3, particles]` (px, py, pz rows, one column per constituent).

use burn::prelude::*;

/// Added to the squared distance of a masked-out particle so that a `min` never picks it.
const FAR: f64 = 1.0e6;

/// Chamfer distance per jet, seed 001 eq. (2):
/// L_R = Σ_i min_j |p_i − p̂_j|² + Σ_j min_i |p_i − p̂_j|², over target particles i and
/// output particles j. `mask` ([batch, particles], 1 = real, 0 = padding) restricts both sums
/// and both minima to the real particles of the target (the output keeps the same slots: the
/// masked variant's teacher forcing of the multiplicity); `None` is the paper's loss, in which
/// the zero-padded entries count as particles. Returns `[batch]`.
pub fn chamfer(target: Tensor<3>, output: Tensor<3>, mask: Option<Tensor<2>>) -> Tensor<1> {
    let [b, _, p] = target.dims();
    // d[b, i, j] = Σ_f (y[b, f, i] − ŷ[b, f, j])²
    let diff = target.unsqueeze_dim::<4>(3) - output.unsqueeze_dim::<4>(2);
    let d = diff.square().sum_dim(1).reshape([b, p, p]);
    match mask {
        None => {
            let to_output = d.clone().min_dim(2).reshape([b, p]).sum_dim(1);
            let to_target = d.min_dim(1).reshape([b, p]).sum_dim(1);
            (to_output + to_target).reshape([b])
        }
        Some(m) => {
            let far = m.clone().neg().add_scalar(1.0).mul_scalar(FAR);
            // Output slot j is excluded from min over j; target particle i from min over i.
            let to_output = (d.clone() + far.clone().unsqueeze_dim::<3>(1))
                .min_dim(2)
                .reshape([b, p]);
            let to_target = (d + far.unsqueeze_dim::<3>(2)).min_dim(1).reshape([b, p]);
            ((to_output + to_target) * m).sum_dim(1).reshape([b])
        }
    }
}

/// Jet pT and mass (GeV) from massless constituents `[batch, 3, particles]` in GeV, each
/// weighted by `weight` ([batch, particles]: 1 for a particle, 0 for an excluded slot).
/// A small ε keeps the square roots differentiable at zero. Returns (pT, m), each `[batch]`.
pub fn jet_pt_mass(momenta: Tensor<3>, weight: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    const EPS: f64 = 1e-6;
    let [b, _, _] = momenta.dims();
    let w = weight.unsqueeze_dim::<3>(1); // [b, 1, p]
    let energy = (momenta.clone().square().sum_dim(1).add_scalar(EPS).sqrt() * w.clone())
        .sum_dim(2)
        .reshape([b]);
    let total = (momenta * w).sum_dim(2).reshape([b, 3]); // (Px, Py, Pz)
    let sq = total.square();
    let pt2 = sq.clone().narrow(1, 0, 2).sum_dim(1).reshape([b]);
    let p2 = sq.sum_dim(1).reshape([b]);
    let pt = pt2.add_scalar(EPS).sqrt();
    let m = (energy.square() - p2).clamp_min(0.0).add_scalar(EPS).sqrt();
    (pt, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jets(values: &[[f32; 3]], device: &Device) -> Tensor<3> {
        // rows are particles (px, py, pz); the tensor wants [1, 3, particles]
        let p = values.len();
        let flat: Vec<f32> = (0..3)
            .flat_map(|f| values.iter().map(move |v| v[f]))
            .collect();
        Tensor::from_data(TensorData::new(flat, [1, 3, p]), device)
    }

    fn value(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn chamfer_is_zero_on_identical_sets_and_ignores_order() {
        let d = Device::flex();
        let a = [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [4.0, 4.0, -2.0]];
        let b = [a[2], a[0], a[1]];
        assert_eq!(value(chamfer(jets(&a, &d), jets(&a, &d), None)), vec![0.0]);
        assert_eq!(value(chamfer(jets(&a, &d), jets(&b, &d), None)), vec![0.0]);
        let c = [[0.0, 2.0, 3.0], [-1.0, 0.5, 1.0], [4.0, 3.0, -2.0]];
        let ca = value(chamfer(jets(&c, &d), jets(&a, &d), None))[0];
        let cb = value(chamfer(jets(&c, &d), jets(&b, &d), None))[0];
        assert!(ca > 0.0);
        assert_eq!(ca, cb);
    }

    /// Target {(0,0,0), (2,0,0)}, output {(1,0,0), (3,0,0)}: target→output minima 1 and 1,
    /// output→target minima 1 and 1: L_R = 4. With the second target particle masked out
    /// (slot 2 of both lists excluded): 1 + 1 = 2.
    #[test]
    fn chamfer_known_value_and_mask() {
        let d = Device::flex();
        let t = jets(&[[0.0, 0.0, 0.0], [2.0, 0.0, 0.0]], &d);
        let o = jets(&[[1.0, 0.0, 0.0], [3.0, 0.0, 0.0]], &d);
        assert_eq!(value(chamfer(t.clone(), o.clone(), None)), vec![4.0]);
        let mask = Tensor::<2>::from_data(TensorData::new(vec![1f32, 0.0], [1, 2]), &d);
        assert_eq!(value(chamfer(t, o, Some(mask))), vec![2.0]);
    }

    /// Two massless back-to-back 50 GeV particles along x: pT 0, m 100 GeV. Two 30 GeV along
    /// x and y: pT √1800, m² = 60² − 1800 = 1800.
    #[test]
    fn jet_pt_and_mass_from_constituents() {
        let d = Device::flex();
        let ones = Tensor::<2>::ones([1, 2], &d);
        let (pt, m) = jet_pt_mass(
            jets(&[[50.0, 0.0, 0.0], [-50.0, 0.0, 0.0]], &d),
            ones.clone(),
        );
        assert!(value(pt)[0] < 1e-2);
        assert!((value(m)[0] - 100.0).abs() < 1e-3);
        let (pt, m) = jet_pt_mass(jets(&[[30.0, 0.0, 0.0], [0.0, 30.0, 0.0]], &d), ones);
        assert!((value(pt)[0] - 1800f32.sqrt()).abs() < 1e-3);
        assert!((value(m)[0] - 1800f32.sqrt()).abs() < 1e-3);
        // A zero weight removes a particle: one massless particle has m ≈ 0, pT 30.
        let w = Tensor::<2>::from_data(TensorData::new(vec![1f32, 0.0], [1, 2]), &d);
        let (pt, m) = jet_pt_mass(jets(&[[30.0, 0.0, 0.0], [0.0, 30.0, 0.0]], &d), w);
        assert!((value(pt)[0] - 30.0).abs() < 1e-3);
        assert!(value(m)[0] < 1e-2);
    }
}
