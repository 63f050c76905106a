//! Energy-flow polynomials (Komiske, Metodiev, Thaler, arXiv:1712.07124, eq. 2.9), the jet
//! features of JetNet's FPD and KPD: every multigraph G of at most four edges gives
//! EFP_G = Σ_{i₁…i_N} z_{i₁}⋯z_{i_N} Π_{(k,l)∈G} θ_{i_k i_l}, with z the particles' pT
//! relative to the jet and θ their distance in (η, φ) (the `hadr` measure, β = 1, not
//! normalised: what `jetnet.utils.efps` asks of `energyflow.EFPSet("d<=4")`). The 36 graphs
//! are the empty one (Σ z), the 20 connected ones with one to four edges, and 15 products of those;
//! each connected graph is contracted by hand below (no search over vertex orders), in
//! energyflow's order, so that a feature here is the same column as there.

/// EFPs per jet: energyflow's `EFPSet("d<=4")`.
pub const N_EFP: usize = 36;

/// The 36 EFPs of one jet of particles (η_rel, φ_rel, pT_rel).
pub fn efps(eta: &[f32], phi: &[f32], z: &[f32]) -> [f64; N_EFP] {
    let n = z.len();
    let z: Vec<f64> = z.iter().map(|&v| v as f64).collect();
    // θ and its element-wise powers.
    let mut t1 = vec![0f64; n * n];
    for i in 0..n {
        for j in 0..i {
            let (de, dp) = ((eta[i] - eta[j]) as f64, (phi[i] - phi[j]) as f64);
            let t = (de * de + dp * dp).sqrt();
            t1[i * n + j] = t;
            t1[j * n + i] = t;
        }
    }
    let pow = |k: i32| t1.iter().map(|t| t.powi(k)).collect::<Vec<_>>();
    let (t2, t3, t4) = (pow(2), pow(3), pow(4));
    // Matrix–vector products with z: a = θ z, b = θ² z, c = θ³ z.
    let mv = |m: &[f64], v: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (0..n).map(|j| m[i * n + j] * v[j]).sum())
            .collect()
    };
    let (a, b, c) = (mv(&t1, &z), mv(&t2, &z), mv(&t3, &z));
    let za: Vec<f64> = z.iter().zip(&a).map(|(z, a)| z * a).collect();
    let p = mv(&t1, &za);
    // M = θ diag(z) θ and N = θ² diag(z) θ (the triangle and the 4-cycle close over them).
    let (mut m, mut m2) = (vec![0f64; n * n], vec![0f64; n * n]);
    for i in 0..n {
        for j in 0..n {
            let (mut s, mut s2) = (0.0, 0.0);
            for k in 0..n {
                let w = z[k] * t1[k * n + j];
                s += t1[i * n + k] * w;
                s2 += t2[i * n + k] * w;
            }
            m[i * n + j] = s;
            m2[i * n + j] = s2;
        }
    }
    let node = |f: &dyn Fn(usize) -> f64| (0..n).map(|i| z[i] * f(i)).sum::<f64>();
    let pair = |f: &dyn Fn(usize, usize) -> f64| {
        let mut s = 0.0;
        for i in 0..n {
            for j in 0..n {
                s += z[i] * z[j] * f(i, j);
            }
        }
        s
    };
    let e = [
        // The empty graph: Σ z (energyflow's d = 0 EFP; 1 only for normalised energies).
        z.iter().sum::<f64>(),
        pair(&|i, j| t1[i * n + j]),
        pair(&|i, j| t2[i * n + j]),
        pair(&|i, j| t3[i * n + j]),
        pair(&|i, j| t4[i * n + j]),
        node(&|i| a[i] * a[i]),
        node(&|i| a[i] * b[i]),
        node(&|i| a[i] * c[i]),
        node(&|i| b[i] * b[i]),
        pair(&|i, j| t1[i * n + j] * m[i * n + j]),
        pair(&|i, j| t1[i * n + j] * m2[i * n + j]),
        node(&|i| a[i].powi(3)),
        node(&|i| a[i] * a[i] * b[i]),
        pair(&|i, j| t1[i * n + j] * a[i] * a[j]),
        pair(&|i, j| t1[i * n + j] * b[i] * a[j]),
        pair(&|i, j| t2[i * n + j] * a[i] * a[j]),
        pair(&|i, j| t1[i * n + j] * m[i * n + j] * a[i]),
        pair(&|i, j| m[i * n + j] * m[i * n + j]),
        node(&|i| a[i].powi(4)),
        pair(&|i, j| t1[i * n + j] * a[i] * a[i] * a[j]),
        node(&|i| p[i] * p[i]),
    ];
    // The disconnected graphs, products of their components (energyflow's order).
    let products: [&[usize]; 15] = [
        &[1, 1],
        &[1, 2],
        &[1, 3],
        &[2, 2],
        &[1, 5],
        &[2, 5],
        &[1, 6],
        &[1, 9],
        &[1, 1, 1],
        &[1, 11],
        &[1, 13],
        &[5, 5],
        &[1, 1, 2],
        &[1, 1, 5],
        &[1, 1, 1, 1],
    ];
    let mut out = [0f64; N_EFP];
    out[..21].copy_from_slice(&e);
    for (k, parts) in products.iter().enumerate() {
        out[21 + k] = parts.iter().map(|&g| e[g]).product();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By brute force over all vertex assignments: each connected graph's EFP, from its edge
    /// list (energyflow's `EFPSet("d<=4").graphs()`), on a jet of five particles.
    #[test]
    fn contractions_equal_the_brute_force_sums() {
        let graphs: [&[(usize, usize)]; 21] = [
            &[],
            &[(0, 1)],
            &[(0, 1), (0, 1)],
            &[(0, 1), (0, 1), (0, 1)],
            &[(0, 1), (0, 1), (0, 1), (0, 1)],
            &[(0, 1), (0, 2)],
            &[(0, 1), (0, 2), (0, 2)],
            &[(0, 1), (0, 2), (0, 2), (0, 2)],
            &[(0, 1), (0, 1), (0, 2), (0, 2)],
            &[(0, 1), (0, 2), (1, 2)],
            &[(0, 1), (0, 2), (0, 2), (1, 2)],
            &[(0, 1), (0, 2), (0, 3)],
            &[(0, 1), (0, 2), (0, 2), (0, 3)],
            &[(0, 1), (0, 2), (1, 3)],
            &[(0, 1), (0, 2), (0, 2), (1, 3)],
            &[(0, 1), (0, 1), (0, 2), (1, 3)],
            &[(0, 1), (0, 2), (1, 2), (0, 3)],
            &[(0, 1), (0, 2), (1, 3), (2, 3)],
            &[(0, 1), (0, 2), (0, 3), (0, 4)],
            &[(0, 1), (0, 2), (0, 3), (1, 4)],
            &[(0, 1), (0, 2), (1, 3), (2, 4)],
        ];
        let eta = [0.0f32, 0.1, -0.2, 0.05, 0.3];
        let phi = [0.0f32, -0.05, 0.1, 0.2, -0.1];
        let z = [0.4f32, 0.25, 0.15, 0.1, 0.05];
        let got = efps(&eta, &phi, &z);
        let theta = |i: usize, j: usize| {
            (((eta[i] - eta[j]) as f64).powi(2) + ((phi[i] - phi[j]) as f64).powi(2)).sqrt()
        };
        for (g, edges) in graphs.iter().enumerate().skip(1) {
            let vertices = edges.iter().map(|&(a, b)| a.max(b)).max().unwrap() + 1;
            let mut sum = 0.0;
            for code in 0..5usize.pow(vertices as u32) {
                let idx: Vec<usize> = (0..vertices)
                    .map(|v| code / 5usize.pow(v as u32) % 5)
                    .collect();
                let w: f64 = idx.iter().map(|&i| z[i] as f64).product();
                let t: f64 = edges.iter().map(|&(a, b)| theta(idx[a], idx[b])).product();
                sum += w * t;
            }
            assert!(
                (got[g] - sum).abs() <= 1e-12 + 1e-9 * sum,
                "graph {g}: {} vs {sum}",
                got[g]
            );
        }
        assert!((got[0] - 0.95).abs() < 1e-6, "Σ z = {}", got[0]);
        assert!((got[35] - got[1].powi(4)).abs() < 1e-15);
        assert!((got[32] - got[5] * got[5]).abs() < 1e-15);
    }
}
