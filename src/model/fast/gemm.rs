//! Row-major f32 matrix products on the `gemm` crate (the kernels burn-flex itself uses), which
//! picks AVX2/FMA or AVX-512 at run time natively and SIMD128 in the browser's wasm.

/// C (m × n) ← A·B, or C += A·B with `accumulate`. A is m × k, stored k × m when `ta`
/// (so Aᵀ is read without copying); B is k × n, stored n × k when `tb`. All row-major.
/// Large products are cut into two halves of C's rows, computed at once where the machine
/// has two threads: always the same halves (and never within a piece of parallel work), so
/// the bytes do not depend on the core count.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    c: &mut [f32],
    a: &[f32],
    b: &[f32],
    (m, k, n): (usize, usize, usize),
    ta: bool,
    tb: bool,
    accumulate: bool,
) {
    assert!(
        c.len() >= m * n && a.len() >= m * k && b.len() >= k * n,
        "matmul shapes"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    // Strides (column, row) of each operand in elements.
    let a_strides = if ta { (m, 1) } else { (1, k) };
    let b_strides = if tb { (k, 1) } else { (1, n) };
    let op = |c, a, rows| Operands {
        c,
        a,
        b,
        shape: (rows, k, n),
        a_strides,
        b_strides,
        accumulate,
    };
    if m >= 64 && m * n * k >= SPLIT_PRODUCT && !super::parallel::inside() {
        let h = m / 2;
        let (top, bottom) = c[..m * n].split_at_mut(h * n);
        // Row h of A: at h·k, or at h when stored transposed (strides unchanged).
        let a_bottom = if ta { &a[h..] } else { &a[h * k..] };
        let (upper, lower) = (op(top, a, h), op(bottom, a_bottom, m - h));
        super::parallel::join(|| upper.run(), || lower.run());
    } else {
        op(c, a, m).run();
    }
}

/// m·n·k above which a product is cut in two (about 2 ms of one core's work).
const SPLIT_PRODUCT: usize = 1 << 23;

/// One call of the `gemm` crate on slices, with the strides of [`matmul`].
#[derive(Debug)]
struct Operands<'a> {
    c: &'a mut [f32],
    a: &'a [f32],
    b: &'a [f32],
    shape: (usize, usize, usize),
    a_strides: (usize, usize),
    b_strides: (usize, usize),
    accumulate: bool,
}

impl Operands<'_> {
    fn run(self) {
        let (m, k, n) = self.shape;
        let reach =
            |(cs, rs): (usize, usize), rows: usize, cols: usize| (rows - 1) * rs + (cols - 1) * cs;
        assert!(
            self.c.len() >= m * n
                && self.a.len() > reach(self.a_strides, m, k)
                && self.b.len() > reach(self.b_strides, k, n),
            "matmul operands"
        );
        // SAFETY: the assert above keeps every index the strides reach inside the slices: C(i, j)
        // at i·n + j, A(i, p) at i·rs + p·cs, B(p, j) likewise, with i < m, p < k, j < n. `c`
        // does not alias `a` or `b` (it is borrowed mutably).
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                self.c.as_mut_ptr(),
                1,
                n as isize,
                self.accumulate,
                self.a.as_ptr(),
                self.a_strides.0 as isize,
                self.a_strides.1 as isize,
                self.b.as_ptr(),
                self.b_strides.0 as isize,
                self.b_strides.1 as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut t = vec![0.0; x.len()];
        for i in 0..rows {
            for j in 0..cols {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        t
    }

    /// C = A·B for every transpose of the operands, against the definition; then, with
    /// `accumulate`, C + A·B.
    fn check_all_transposes((m, k, n): (usize, usize, usize), tol: f32) {
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.73).cos()).collect();
        let want = naive(&a, &b, m, k, n);
        let (at, bt) = (transpose(&a, m, k), transpose(&b, k, n));
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut c = vec![0.0; m * n];
            let aa = if ta { &at } else { &a };
            let bb = if tb { &bt } else { &b };
            matmul(&mut c, aa, bb, (m, k, n), ta, tb, false);
            for (x, y) in c.iter().zip(&want) {
                assert!((x - y).abs() < tol, "ta {ta} tb {tb}: {x} vs {y}");
            }
            matmul(&mut c, aa, bb, (m, k, n), ta, tb, true);
            for (x, y) in c.iter().zip(&want) {
                assert!(
                    (x - 2.0 * y).abs() < 2.0 * tol,
                    "accumulated: {x} vs {}",
                    2.0 * y
                );
            }
        }
    }

    #[test]
    fn products_with_and_without_transposes_match_the_definition() {
        check_all_transposes((7, 5, 3), 1e-5);
    }

    /// A product large enough to be cut in two halves of rows.
    #[test]
    fn large_products_cut_in_two_match_the_definition() {
        let shape = (257, 130, 260);
        assert!(shape.0 * shape.1 * shape.2 >= SPLIT_PRODUCT);
        check_all_transposes(shape, 1e-3);
    }
}
