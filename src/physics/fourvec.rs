//! A Lorentz four-vector in GeV, with the collider coordinates (pT, η, φ, m) physicists read.

use std::f64::consts::PI;

/// Four-momentum (px, py, pz, E) in GeV.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FourVector {
    pub px: f64,
    pub py: f64,
    pub pz: f64,
    pub e: f64,
}

impl FourVector {
    pub fn new(px: f64, py: f64, pz: f64, e: f64) -> Self {
        Self { px, py, pz, e }
    }

    /// From transverse momentum, pseudorapidity, azimuth and mass (GeV, rad).
    pub fn from_pt_eta_phi_m(pt: f64, eta: f64, phi: f64, m: f64) -> Self {
        let px = pt * phi.cos();
        let py = pt * phi.sin();
        let pz = pt * eta.sinh();
        let p2 = px * px + py * py + pz * pz;
        Self::new(px, py, pz, (p2 + m * m).sqrt())
    }

    /// From transverse momentum, rapidity y, azimuth and mass: E = mT cosh y, pz = mT sinh y.
    pub fn from_pt_y_phi_m(pt: f64, y: f64, phi: f64, m: f64) -> Self {
        let mt = (pt * pt + m * m).sqrt();
        Self::new(pt * phi.cos(), pt * phi.sin(), mt * y.sinh(), mt * y.cosh())
    }

    pub fn pt(&self) -> f64 {
        self.px.hypot(self.py)
    }

    pub fn p(&self) -> f64 {
        (self.px * self.px + self.py * self.py + self.pz * self.pz).sqrt()
    }

    /// Pseudorapidity η = asinh(pz / pT); ±∞ is avoided by a floor on pT (1e-12 GeV).
    pub fn eta(&self) -> f64 {
        (self.pz / self.pt().max(1e-12)).asinh()
    }

    /// Rapidity y = ½ ln((E + pz)/(E − pz)).
    pub fn rapidity(&self) -> f64 {
        0.5 * ((self.e + self.pz) / (self.e - self.pz)).ln()
    }

    /// Azimuth in (−π, π].
    pub fn phi(&self) -> f64 {
        let phi = self.py.atan2(self.px);
        if phi <= -PI {
            phi + 2.0 * PI
        } else {
            phi
        }
    }

    /// Invariant mass; a tiny negative m² from rounding gives 0.
    pub fn m(&self) -> f64 {
        let m2 = self.e * self.e - self.p() * self.p();
        m2.max(0.0).sqrt()
    }

    /// ΔR = √(Δη² + Δφ²).
    pub fn delta_r(&self, other: &FourVector) -> f64 {
        let deta = self.eta() - other.eta();
        let dphi = delta_phi(self.phi(), other.phi());
        deta.hypot(dphi)
    }

    /// Boost by velocity β (the rest frame of a particle moving with β maps to the lab).
    pub fn boost(&self, bx: f64, by: f64, bz: f64) -> Self {
        let b2 = bx * bx + by * by + bz * bz;
        if b2 <= 0.0 {
            return *self;
        }
        let gamma = 1.0 / (1.0 - b2).sqrt();
        let bp = bx * self.px + by * self.py + bz * self.pz;
        let gamma2 = (gamma - 1.0) / b2;
        Self::new(
            self.px + gamma2 * bp * bx + gamma * bx * self.e,
            self.py + gamma2 * bp * by + gamma * by * self.e,
            self.pz + gamma2 * bp * bz + gamma * bz * self.e,
            gamma * (self.e + bp),
        )
    }
}

impl std::ops::Add for FourVector {
    type Output = FourVector;
    fn add(self, o: FourVector) -> FourVector {
        FourVector::new(self.px + o.px, self.py + o.py, self.pz + o.pz, self.e + o.e)
    }
}

/// φ₁ − φ₂ wrapped into (−π, π].
pub fn delta_phi(phi1: f64, phi2: f64) -> f64 {
    let mut d = (phi1 - phi2) % (2.0 * PI);
    if d > PI {
        d -= 2.0 * PI;
    } else if d <= -PI {
        d += 2.0 * PI;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_round_trip() {
        let v = FourVector::from_pt_eta_phi_m(50.0, 1.2, -2.0, 10.0);
        assert!((v.pt() - 50.0).abs() < 1e-9);
        assert!((v.eta() - 1.2).abs() < 1e-9);
        assert!((v.phi() + 2.0).abs() < 1e-9);
        assert!((v.m() - 10.0).abs() < 1e-6);
    }

    #[test]
    fn known_vector() {
        // pT = 5, pz = 0 ⇒ η = 0; φ = atan2(4, 3).
        let v = FourVector::new(3.0, 4.0, 0.0, 13.0);
        assert_eq!(v.pt(), 5.0);
        assert_eq!(v.eta(), 0.0);
        assert!((v.phi() - 4f64.atan2(3.0)).abs() < 1e-12);
        assert!((v.m() - 12.0).abs() < 1e-12);
        // pz = pT sinh η: η = asinh(1) for pz = pT.
        let w = FourVector::new(3.0, 4.0, 5.0, 20.0);
        assert!((w.eta() - 1f64.asinh()).abs() < 1e-12);
    }

    #[test]
    fn delta_phi_wraps() {
        assert!((delta_phi(3.0, -3.0) - (6.0 - 2.0 * PI)).abs() < 1e-12);
        assert!((delta_phi(-3.0, 3.0) + (6.0 - 2.0 * PI)).abs() < 1e-12);
        assert_eq!(delta_phi(0.5, 0.25), 0.25);
    }

    #[test]
    fn boost_preserves_mass() {
        let v = FourVector::new(10.0, -3.0, 7.0, 40.0);
        let b = v.boost(0.3, -0.2, 0.5);
        assert!((b.m() - v.m()).abs() < 1e-9);
    }
}
