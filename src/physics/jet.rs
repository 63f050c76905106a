//! Jets as lists of massless constituents: the jet four-momentum and its kinematics, the
//! momentum flows of seed 001 (section 6), and the fixed 50 × (px, py, pz) layout of the files.

use super::fourvec::{delta_phi, FourVector};

/// Constituents kept per jet in files and models (seed 001, section 3).
pub const MAX_PARTICLES: usize = 50;

/// One massless constituent, GeV.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    pub px: f64,
    pub py: f64,
    pub pz: f64,
}

impl Particle {
    pub fn from_pt_eta_phi(pt: f64, eta: f64, phi: f64) -> Self {
        Self {
            px: pt * phi.cos(),
            py: pt * phi.sin(),
            pz: pt * eta.sinh(),
        }
    }

    pub fn pt(&self) -> f64 {
        self.px.hypot(self.py)
    }

    /// |p| = E for a massless particle.
    pub fn p(&self) -> f64 {
        (self.px * self.px + self.py * self.py + self.pz * self.pz).sqrt()
    }

    pub fn eta(&self) -> f64 {
        self.four().eta()
    }

    pub fn phi(&self) -> f64 {
        self.py.atan2(self.px)
    }

    /// True for an all-zero entry: the padding of a fixed-length list.
    pub fn is_padding(&self) -> bool {
        self.px == 0.0 && self.py == 0.0 && self.pz == 0.0
    }

    pub fn four(&self) -> FourVector {
        FourVector::new(self.px, self.py, self.pz, self.p())
    }
}

/// The jet four-momentum: the sum of its (massless) constituents.
pub fn jet_momentum(particles: &[Particle]) -> FourVector {
    particles
        .iter()
        .fold(FourVector::new(0.0, 0.0, 0.0, 0.0), |acc, p| acc + p.four())
}

/// The jet features the evaluation compares, in GeV and radians.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JetFeatures {
    pub pt: f64,
    pub m: f64,
    pub px: f64,
    pub py: f64,
    pub pz: f64,
    pub e: f64,
    pub eta: f64,
    pub phi: f64,
    /// Flow_1 … Flow_4 (seed 001, section 6).
    pub flow: [f64; 4],
    /// Real (non-padding) constituents.
    pub n: usize,
}

/// Names of [`JetFeatures::values`], with units, in that order.
pub const JET_FEATURES: [&str; 13] = [
    "pt", "m", "px", "py", "pz", "e", "eta", "phi", "flow1", "flow2", "flow3", "flow4", "n",
];

impl JetFeatures {
    pub fn of(particles: &[Particle], r: f64) -> Self {
        let real: Vec<Particle> = particles
            .iter()
            .copied()
            .filter(|p| !p.is_padding())
            .collect();
        let j = jet_momentum(&real);
        Self {
            pt: j.pt(),
            m: j.m(),
            px: j.px,
            py: j.py,
            pz: j.pz,
            e: j.e,
            eta: j.eta(),
            phi: j.phi(),
            flow: momentum_flows(&real, r),
            n: real.len(),
        }
    }

    pub fn values(&self) -> [f64; 13] {
        [
            self.pt,
            self.m,
            self.px,
            self.py,
            self.pz,
            self.e,
            self.eta,
            self.phi,
            self.flow[0],
            self.flow[1],
            self.flow[2],
            self.flow[3],
            self.n as f64,
        ]
    }
}

/// Flow_n = Σ pT/pT_jet over the constituents with ΔR to the jet axis in ((n−1)R/4, nR/4],
/// n = 1…4 (seed 001, section 6; ring 1 includes ΔR = 0). Particles beyond R count in no ring,
/// so the sum is ≤ 1 up to the difference between Σ pT and the jet's vector pT.
pub fn momentum_flows(particles: &[Particle], r: f64) -> [f64; 4] {
    let jet = jet_momentum(particles);
    let pt_jet = jet.pt();
    let mut flow = [0.0; 4];
    if pt_jet <= 0.0 {
        return flow;
    }
    let (eta_j, phi_j) = (jet.eta(), jet.phi());
    for p in particles.iter().filter(|p| !p.is_padding()) {
        let dr = (p.eta() - eta_j).hypot(delta_phi(p.phi(), phi_j));
        let ring = (dr / (r / 4.0)).ceil().max(1.0) as usize;
        if ring <= 4 {
            flow[ring - 1] += p.pt() / pt_jet;
        }
    }
    flow
}

/// The file layout of one jet: the first 50 constituents by decreasing pT as (px, py, pz),
/// zero-padded (seed 001, section 3).
pub fn to_fixed(particles: &[Particle]) -> [[f32; 3]; MAX_PARTICLES] {
    let mut sorted: Vec<Particle> = particles.to_vec();
    sorted.sort_by(|a, b| b.pt().total_cmp(&a.pt()));
    let mut out = [[0f32; 3]; MAX_PARTICLES];
    for (slot, p) in out.iter_mut().zip(&sorted) {
        *slot = [p.px as f32, p.py as f32, p.pz as f32];
    }
    out
}

/// The real constituents of a fixed-layout jet (padding dropped).
pub fn from_fixed(rows: &[[f32; 3]]) -> Vec<Particle> {
    rows.iter()
        .map(|r| Particle {
            px: r[0] as f64,
            py: r[1] as f64,
            pz: r[2] as f64,
        })
        .filter(|p| !p.is_padding())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + b.abs())
    }

    /// Two massless 100 GeV particles at η = 0, φ = ±0.1: by hand, E = 200, px = 200 cos 0.1,
    /// py = 0, so pT = 200 cos 0.1 and m² = E² − px² = 200² sin² 0.1.
    #[test]
    fn jet_mass_and_pt_by_hand() {
        let ps = [
            Particle::from_pt_eta_phi(100.0, 0.0, 0.1),
            Particle::from_pt_eta_phi(100.0, 0.0, -0.1),
        ];
        let f = JetFeatures::of(&ps, 0.5);
        assert!(close(f.pt, 200.0 * 0.1f64.cos()));
        assert!(close(f.m, 200.0 * 0.1f64.sin()));
        assert!(close(f.e, 200.0));
        assert!(f.eta.abs() < 1e-12);
        assert_eq!(f.n, 2);
        // Each particle sits ΔR = 0.1 from the axis: ring 1 is (0, 0.125].
        assert!(close(f.flow[0], 200.0 / f.pt));
    }

    #[test]
    fn flows_sum_to_at_most_one_and_to_one_for_collinear_particles() {
        // All particles at the same (η, φ): Σ pT = pT_jet, everything in ring 1.
        let ps: Vec<Particle> = (1..6)
            .map(|i| Particle::from_pt_eta_phi(10.0 * i as f64, 0.7, 1.2))
            .collect();
        let f = momentum_flows(&ps, 0.5);
        assert!(close(f.iter().sum::<f64>(), 1.0));
        // One particle beyond R: the sum falls short of the in-cone share.
        let mut wide = ps.clone();
        wide.push(Particle::from_pt_eta_phi(20.0, 0.7 + 0.9, 1.2));
        let f = momentum_flows(&wide, 0.5);
        assert!(f.iter().sum::<f64>() < 1.0);
    }

    #[test]
    fn fixed_layout_orders_pads_and_round_trips() {
        let ps = [
            Particle::from_pt_eta_phi(5.0, 0.1, 0.2),
            Particle::from_pt_eta_phi(50.0, 0.0, 0.0),
        ];
        let rows = to_fixed(&ps);
        assert!((rows[0][0] - 50.0).abs() < 1e-5);
        assert_eq!(rows[2], [0.0; 3]);
        let back = from_fixed(&rows);
        assert_eq!(back.len(), 2);
        assert!((back[1].pt() - 5.0).abs() < 1e-5);
    }
}
