//! Deterministic random numbers: xoshiro256** seeded by SplitMix64, uniforms on (0, 1) and the
//! Student-t with 4 degrees of freedom by its closed-form inverse CDF (so it can be stratified).

/// xoshiro256** (Blackman and Vigna), seeded from one `u64` by SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut split = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { s: [split(), split(), split(), split()] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on the open interval (0, 1): 53 random bits, centred in their cell.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform on (lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0), by the multiply-high method.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Unit-variance Student-t (4 degrees of freedom).
    pub fn t4(&mut self) -> f64 {
        t4_unit_quantile(self.uniform())
    }
}

/// Quantile of the standard Student-t with 4 degrees of freedom (variance 2), closed form
/// (Shaw 2006): with `a = 4p(1-p)`, `t = sign(p - 1/2) 2 sqrt(cos(acos(sqrt a) / 3) / sqrt a - 1)`.
pub fn t4_quantile(p: f64) -> f64 {
    let a = 4.0 * p * (1.0 - p);
    let sa = a.sqrt();
    let q = (sa.acos() / 3.0).cos() / sa;
    let t = 2.0 * (q - 1.0).max(0.0).sqrt();
    if p < 0.5 {
        -t
    } else {
        t
    }
}

/// Quantile of the unit-variance Student-t(4): `t4_quantile(p) / sqrt(2)`.
pub fn t4_unit_quantile(p: f64) -> f64 {
    t4_quantile(p) * std::f64::consts::FRAC_1_SQRT_2
}

/// CDF of the standard Student-t(4): `1/2 + (3/8) x / sqrt(1 + x^2/4) (1 - x^2 / (12 (1 + x^2/4)))`.
pub fn t4_cdf(x: f64) -> f64 {
    let u = 1.0 + x * x / 4.0;
    0.5 + 0.375 * x / u.sqrt() * (1.0 - x * x / (12.0 * u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_uniform_moments() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
        let n = 200_000;
        let mut r = Rng::new(1);
        let (mut s1, mut s2) = (0.0, 0.0);
        let mut counts = [0u32; 10];
        for _ in 0..n {
            let u = r.uniform();
            assert!(u > 0.0 && u < 1.0);
            s1 += u;
            s2 += u * u;
            counts[r.below(10) as usize] += 1;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!((mean - 0.5).abs() < 0.003, "{mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "{var}");
        for c in counts {
            assert!((c as f64 - 20_000.0).abs() < 600.0, "{counts:?}");
        }
    }

    #[test]
    fn t4_quantile_known_values() {
        // Tables of the t distribution, 4 degrees of freedom: 0.95 -> 2.132, 0.99 -> 3.747, 0.999 -> 7.173.
        assert!((t4_quantile(0.95) - 2.131_847).abs() < 1e-5);
        assert!((t4_quantile(0.99) - 3.746_947).abs() < 1e-5);
        assert!((t4_quantile(0.999) - 7.173_182).abs() < 1e-5);
        assert_eq!(t4_quantile(0.5), 0.0);
        // Unit variance: the 99.9% one-day move is about 5.07 standard deviations (a normal: 3.09).
        assert!((t4_unit_quantile(0.999) - 5.0722).abs() < 1e-3);
        // Round trip with the CDF, and symmetry.
        for p in [1e-6, 1e-3, 0.02, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-6] {
            assert!((t4_cdf(t4_quantile(p)) - p).abs() < 1e-12 * p.max(1e-3) / 1e-3, "{p}");
            assert!((t4_quantile(p) + t4_quantile(1.0 - p)).abs() < 1e-6 * (1.0 + t4_quantile(p).abs()));
        }
    }

    #[test]
    fn t4_sample_moments_and_tails() {
        let n = 400_000;
        let mut r = Rng::new(42);
        let (mut s1, mut s2) = (0.0, 0.0);
        let mut beyond = 0;
        let q = t4_unit_quantile(0.999);
        for _ in 0..n {
            let z = r.t4();
            s1 += z;
            s2 += z * z;
            if z > q {
                beyond += 1;
            }
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "{mean}");
        // The sample variance of a t(4) converges slowly (infinite fourth moment): 5%.
        assert!((var - 1.0).abs() < 0.05, "{var}");
        assert!((beyond as f64 - 400.0).abs() < 80.0, "{beyond}");
    }
}
