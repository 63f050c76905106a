//! The anti-kT jet algorithm (Cacciari, Salam, Soyez, JHEP 04 (2008) 063), exact, with the
//! E-scheme (four-momenta add) and rapidity–azimuth distances, as FastJet runs it:
//! d_ij = min(pT_i⁻², pT_j⁻²)·ΔR_ij²/R², d_iB = pT_i⁻². The smallest distance either merges
//! i and j or declares i a jet. Nearest-neighbour bookkeeping makes it O(N²) on average.

use super::fourvec::{delta_phi, FourVector};

/// A clustered jet: its four-momentum and the indices of its input particles.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub p: FourVector,
    pub constituents: Vec<usize>,
}

struct Pseudo {
    p: FourVector,
    y: f64,
    phi: f64,
    kt2_inv: f64,
    members: Vec<usize>,
    nn: Option<usize>,
    nn_dr2: f64,
}

impl Pseudo {
    fn new(p: FourVector, members: Vec<usize>) -> Self {
        let pt2 = p.px * p.px + p.py * p.py;
        Self {
            y: p.rapidity(),
            phi: p.py.atan2(p.px),
            kt2_inv: if pt2 > 0.0 { 1.0 / pt2 } else { f64::INFINITY },
            p,
            members,
            nn: None,
            nn_dr2: f64::INFINITY,
        }
    }
}

fn dr2(a: &Pseudo, b: &Pseudo) -> f64 {
    let dy = a.y - b.y;
    let dphi = delta_phi(a.phi, b.phi);
    dy * dy + dphi * dphi
}

/// Clusters `particles` with radius `r`; jets come out by decreasing pT. Inputs with zero pT
/// or non-finite momenta are ignored.
pub fn anti_kt(particles: &[FourVector], r: f64) -> Vec<Cluster> {
    let r2 = r * r;
    let mut live: Vec<Option<Pseudo>> = particles
        .iter()
        .enumerate()
        .filter(|(_, p)| p.pt() > 0.0 && [p.px, p.py, p.pz, p.e].iter().all(|v| v.is_finite()))
        .map(|(i, p)| Some(Pseudo::new(*p, vec![i])))
        .collect();
    let n = live.len();
    let update_nn = |live: &mut Vec<Option<Pseudo>>, i: usize| {
        let mut best = (None, f64::INFINITY);
        if let Some(a) = live[i].as_ref() {
            for (j, b) in live.iter().enumerate() {
                if let (true, Some(b)) = (j != i, b) {
                    let d = dr2(a, b);
                    if d < best.1 {
                        best = (Some(j), d);
                    }
                }
            }
        }
        if let Some(a) = live[i].as_mut() {
            a.nn = best.0;
            a.nn_dr2 = best.1;
        }
    };
    for i in 0..n {
        update_nn(&mut live, i);
    }
    let mut jets = Vec::new();
    loop {
        // The smallest of all d_iB and d_i,nn(i).
        let mut best: Option<(usize, f64, bool)> = None; // (i, d, merge with nn)
        for (i, a) in live.iter().enumerate() {
            let Some(a) = a else { continue };
            let (d, merge) = match a.nn {
                Some(j) => {
                    let b = live[j].as_ref().expect("nearest neighbours are live");
                    let dij = a.kt2_inv.min(b.kt2_inv) * a.nn_dr2 / r2;
                    if dij < a.kt2_inv {
                        (dij, true)
                    } else {
                        (a.kt2_inv, false)
                    }
                }
                None => (a.kt2_inv, false),
            };
            if best.is_none_or(|b| d < b.1) {
                best = Some((i, d, merge));
            }
        }
        let Some((i, _, merge)) = best else { break };
        let a = live[i].take().expect("live");
        let mut stale: Vec<usize> = Vec::new();
        if merge {
            let j = a.nn.expect("merge has a partner");
            let b = live[j].take().expect("live");
            let mut members = a.members;
            members.extend(b.members);
            live[i] = Some(Pseudo::new(a.p + b.p, members));
            stale.push(i);
            for (k, c) in live.iter().enumerate() {
                if let Some(c) = c {
                    if k != i && (c.nn == Some(i) || c.nn == Some(j)) {
                        stale.push(k);
                    }
                }
            }
            // The new pseudojet may be nearer to some than their current neighbour.
            let (y, phi) = live[i].as_ref().map(|c| (c.y, c.phi)).expect("just set");
            for (k, c) in live.iter_mut().enumerate() {
                if let (true, Some(c)) = (k != i, c) {
                    let d = (c.y - y).powi(2) + delta_phi(c.phi, phi).powi(2);
                    if d < c.nn_dr2 {
                        c.nn_dr2 = d;
                        c.nn = Some(i);
                    }
                }
            }
        } else {
            let mut members = a.members;
            members.sort_unstable();
            jets.push(Cluster {
                p: a.p,
                constituents: members,
            });
            for (k, c) in live.iter().enumerate() {
                if let Some(c) = c {
                    if c.nn == Some(i) {
                        stale.push(k);
                    }
                }
            }
        }
        for k in stale {
            update_nn(&mut live, k);
        }
    }
    jets.sort_by(|a, b| b.p.pt().total_cmp(&a.p.pt()));
    jets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn massless(pt: f64, y: f64, phi: f64) -> FourVector {
        FourVector::from_pt_eta_phi_m(pt, y, phi, 0.0)
    }

    /// A hard particle absorbs every soft one within R of it (anti-kT's cones are rigid
    /// around hard particles) and leaves one just outside R alone.
    #[test]
    fn hard_particle_takes_soft_ones_within_r() {
        let ps = vec![
            massless(100.0, 0.0, 0.0),
            massless(1.0, 0.3, 0.0),
            massless(1.0, 0.0, -0.45),
            massless(1.0, 0.55, 0.0),
        ];
        let jets = anti_kt(&ps, 0.5);
        assert_eq!(jets.len(), 2);
        assert_eq!(jets[0].constituents, vec![0, 1, 2]);
        assert_eq!(jets[1].constituents, vec![3]);
        let sum = ps[0] + ps[1] + ps[2];
        assert!((jets[0].p.e - sum.e).abs() < 1e-9);
    }

    /// Two hard particles 0.4 apart merge at R = 0.5 but not at R = 0.3; far-apart particles
    /// are separate jets, returned by decreasing pT.
    #[test]
    fn merging_depends_on_r_and_jets_are_pt_ordered() {
        let ps = vec![
            massless(50.0, 0.0, 0.0),
            massless(60.0, 0.4, 0.0),
            massless(80.0, -2.0, 3.0),
        ];
        let wide = anti_kt(&ps, 0.5);
        assert_eq!(wide.len(), 2);
        assert_eq!(wide[0].constituents, vec![0, 1]);
        assert_eq!(wide[1].constituents, vec![2]);
        let narrow = anti_kt(&ps, 0.3);
        assert_eq!(narrow.len(), 3);
        assert_eq!(narrow[0].constituents, vec![2]);
        assert_eq!(narrow[1].constituents, vec![1]);
    }

    /// Across φ = ±π the distance wraps: two particles at φ = 3.1 and −3.1 are 0.083 apart.
    #[test]
    fn azimuth_wraps_around() {
        let ps = vec![massless(30.0, 0.0, 3.1), massless(30.0, 0.0, -3.1)];
        assert_eq!(anti_kt(&ps, 0.5).len(), 1);
    }

    /// Every particle ends in exactly one jet; no input is lost.
    #[test]
    fn every_particle_in_exactly_one_jet() {
        let mut rng = crate::random::rng(5, 0);
        let ps: Vec<FourVector> = (0..300)
            .map(|_| {
                use crate::random::uniform;
                massless(
                    0.3 + 20.0 * uniform(&mut rng).powi(4),
                    4.0 * uniform(&mut rng) - 2.0,
                    6.2 * uniform(&mut rng) - 3.1,
                )
            })
            .collect();
        let jets = anti_kt(&ps, 0.5);
        let mut seen: Vec<usize> = jets.iter().flat_map(|j| j.constituents.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..300).collect::<Vec<_>>());
        let mut naive = brute_force(&ps, 0.5);
        naive.sort_by(|a, b| b.0.pt().total_cmp(&a.0.pt()));
        assert_eq!(naive.len(), jets.len());
        for (n, j) in naive.iter().zip(&jets) {
            assert_eq!(n.1, j.constituents);
        }
        assert!(jets.windows(2).all(|w| w[0].p.pt() >= w[1].p.pt()));
    }

    /// The definition, step by step: all pairwise and beam distances recomputed every time.
    fn brute_force(ps: &[FourVector], r: f64) -> Vec<(FourVector, Vec<usize>)> {
        let mut live: Vec<(FourVector, Vec<usize>)> =
            ps.iter().enumerate().map(|(i, p)| (*p, vec![i])).collect();
        let mut jets = Vec::new();
        let kt2_inv = |p: &FourVector| 1.0 / (p.px * p.px + p.py * p.py);
        while !live.is_empty() {
            let mut best = (f64::INFINITY, 0, None);
            for i in 0..live.len() {
                let di = kt2_inv(&live[i].0);
                if di < best.0 {
                    best = (di, i, None);
                }
                for j in i + 1..live.len() {
                    let (a, b) = (&live[i].0, &live[j].0);
                    let dy = a.rapidity() - b.rapidity();
                    let dphi = delta_phi(a.phi(), b.phi());
                    let d = di.min(kt2_inv(b)) * (dy * dy + dphi * dphi) / (r * r);
                    if d < best.0 {
                        best = (d, i, Some(j));
                    }
                }
            }
            match best {
                (_, i, Some(j)) => {
                    let b = live.remove(j);
                    live[i].0 = live[i].0 + b.0;
                    live[i].1.extend(b.1);
                }
                (_, i, None) => {
                    let mut jet = live.remove(i);
                    jet.1.sort_unstable();
                    jets.push(jet);
                }
            }
        }
        jets
    }
}
