//! Calorimeter images and their observables (seed 003): the reduction of section 2 (fig. 1)
//! from the cells of a shower to 10 × 10 pixels, the half-MIP cut, and the observables of
//! eq. (2.2) with the number of active pixels. Energies MeV, positions mm.

/// Pixels per image side after the reduction (seed 003, section 2).
pub const IMAGE_SIDE: usize = 10;
/// Values per image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Cells pooled per pixel side (3 × 3 patches of the 30 × 30 projection).
pub const POOL: usize = 3;
/// Half a MIP in 0.5 mm of silicon (MeV): pixels below it are cut from evaluation and
/// generated images, not from training images (seed 003, fig. 1 caption).
pub const MIP_CUT_MEV: f32 = 0.1;
/// Pixels above this energy (MeV) enter the per-pixel distribution E_pixel.
pub const PIXEL_CUT_MEV: f32 = 5.0;

/// Sums a `[layers][side][side]` cell grid along the beam axis and pools `POOL × POOL`
/// patches: a `(side/POOL)²` image, row-major over (x, y).
pub fn reduce(grid: &[f32], layers: usize, side: usize) -> Vec<f32> {
    let out_side = side / POOL;
    let mut out = vec![0f32; out_side * out_side];
    for layer in grid.chunks_exact(side * side).take(layers) {
        for ix in 0..side {
            for iy in 0..side {
                out[(ix / POOL) * out_side + iy / POOL] += layer[ix * side + iy];
            }
        }
    }
    out
}

/// Sets pixels below `cut` (MeV) to zero.
pub fn apply_cut(images: &mut [f32], cut: f32) {
    for v in images {
        if *v < cut {
            *v = 0.0;
        }
    }
}

/// The observables of seed 003, eq. (2.2), and the number of active pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Observable {
    /// Sum of the pixel energies (MeV).
    EVis,
    /// The highest pixel energy (MeV).
    EPeak,
    /// Every pixel energy above [`PIXEL_CUT_MEV`] (MeV): several values per shower.
    EPixel,
    /// Energy-weighted centre of gravity (mm from the image centre).
    CgX,
    CgY,
    /// Pixels above the half-MIP cut.
    NActive,
}

impl Observable {
    pub const ALL: [Observable; 6] = [
        Observable::EVis,
        Observable::EPeak,
        Observable::EPixel,
        Observable::CgX,
        Observable::CgY,
        Observable::NActive,
    ];

    /// The five of the paper's model selection and figures (eq. 2.2).
    pub const PAPER: [Observable; 5] = [
        Observable::EVis,
        Observable::EPeak,
        Observable::EPixel,
        Observable::CgX,
        Observable::CgY,
    ];

    /// The name in tables and files.
    pub fn name(self) -> &'static str {
        match self {
            Observable::EVis => "E_vis",
            Observable::EPeak => "E_peak",
            Observable::EPixel => "E_pixel",
            Observable::CgX => "CG_x",
            Observable::CgY => "CG_y",
            Observable::NActive => "n_active",
        }
    }

    /// The axis label, with its unit.
    pub fn label(self) -> &'static str {
        match self {
            Observable::EVis => "E_vis [MeV]",
            Observable::EPeak => "E_peak [MeV]",
            Observable::EPixel => "E_pixel [MeV]",
            Observable::CgX => "CG_x [mm]",
            Observable::CgY => "CG_y [mm]",
            Observable::NActive => "active pixels",
        }
    }

    /// True for the observables drawn on a logarithmic axis.
    pub fn log_axis(self) -> bool {
        matches!(self, Observable::EPixel)
    }

    /// This observable's values over `images` (each [`IMAGE_PIXELS`] values, already cut):
    /// one per image, or one per pixel above the cut for [`Observable::EPixel`]. `pixel_mm`
    /// is the pixel pitch (15 mm: three 5 mm cells).
    pub fn values(self, images: &[f32], pixel_mm: f32) -> Vec<f32> {
        let per_image = images.chunks_exact(IMAGE_PIXELS);
        match self {
            Observable::EPixel => images
                .iter()
                .copied()
                .filter(|&v| v > PIXEL_CUT_MEV)
                .collect(),
            _ => per_image.map(|im| self.of_image(im, pixel_mm)).collect(),
        }
    }

    /// The value of one image (not defined for [`Observable::EPixel`], which is a list).
    fn of_image(self, im: &[f32], pixel_mm: f32) -> f32 {
        let sum: f32 = im.iter().sum();
        let centre = |axis: usize| -> f32 {
            if sum <= 0.0 {
                return 0.0;
            }
            let weighted: f32 = im
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let k = if axis == 0 {
                        i / IMAGE_SIDE
                    } else {
                        i % IMAGE_SIDE
                    };
                    v * (k as f32 + 0.5 - 0.5 * IMAGE_SIDE as f32)
                })
                .sum();
            pixel_mm * weighted / sum
        };
        match self {
            Observable::EVis => sum,
            Observable::EPeak => im.iter().copied().fold(0.0, f32::max),
            Observable::CgX => centre(0),
            Observable::CgY => centre(1),
            Observable::NActive => im.iter().filter(|&&v| v >= MIP_CUT_MEV).count() as f32,
            Observable::EPixel => f32::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_sums_layers_and_pools() {
        // Two layers of a 6 × 6 grid: every cell 1 MeV → each 3 × 3 pixel holds 18 MeV.
        let grid = vec![1f32; 2 * 36];
        assert_eq!(reduce(&grid, 2, 6), vec![18.0; 4]);
        let mut one = vec![0f32; 36];
        one[5 * 6 + 4] = 2.0; // x = 5, y = 4 → pixel (1, 1)
        assert_eq!(reduce(&one, 1, 6), vec![0.0, 0.0, 0.0, 2.0]);
    }

    #[test]
    fn observables_of_a_known_image() {
        let mut im = vec![0f32; IMAGE_PIXELS];
        im[5 * IMAGE_SIDE + 5] = 30.0; // x pixel 5: +7.5 mm of a 15 mm pitch
        im[4 * IMAGE_SIDE + 5] = 10.0; // x pixel 4: −7.5 mm
        im[0] = 0.05; // below the half-MIP cut
        apply_cut(&mut im, MIP_CUT_MEV);
        let v = |o: Observable| o.values(&im, 15.0);
        assert_eq!(v(Observable::EVis), vec![40.0]);
        assert_eq!(v(Observable::EPeak), vec![30.0]);
        assert_eq!(v(Observable::EPixel), vec![10.0, 30.0]);
        assert_eq!(v(Observable::CgX), vec![(30.0 * 7.5 - 10.0 * 7.5) / 40.0]);
        assert_eq!(v(Observable::CgY), vec![7.5]);
        assert_eq!(v(Observable::NActive), vec![2.0]);
        // An empty image has its centre of gravity at the centre.
        assert_eq!(
            Observable::CgX.values(&[0.0; IMAGE_PIXELS], 15.0),
            vec![0.0]
        );
    }
}
