//! GOST R 34.10 signature verification on the two curves NCA RK uses, with its byte order.
//!
//! Verification only: no secret ever passes through here, so the arithmetic is plain
//! variable-time big-integer code (`num-bigint`) in Jacobian coordinates. No maintained
//! crate verifies GOST R 34.10 over these curves with NCA RK's little-endian conventions.

use num_bigint::BigUint;
use num_traits::{One, Zero};

/// A short Weierstrass curve y² = x³ + ax + b over GF(p) with a base point of prime order q.
pub(crate) struct Curve {
    p: BigUint,
    a: BigUint,
    b: BigUint,
    q: BigUint,
    gx: BigUint,
    gy: BigUint,
    /// Bytes of one coordinate (32 or 64).
    pub size: usize,
}

fn hex(text: &str) -> BigUint {
    // The constants below are written by us: a parse failure is a programming error caught by
    // the curve tests, never an input-dependent path.
    BigUint::parse_bytes(text.as_bytes(), 16).unwrap_or_default()
}

impl Curve {
    /// id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 §11.4), NCA RK OID 1.2.398.3.10.1.1.1.1.1.
    pub fn cryptopro_a() -> Curve {
        Curve {
            p: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd97"),
            a: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd94"),
            b: hex("a6"),
            q: hex("ffffffffffffffffffffffffffffffff6c611070995ad10045841b09b761b893"),
            gx: hex("1"),
            gy: hex("8d91e471e0989cda27df505a453f2b7635294f2ddf23e3b122acc99c9e9f1e14"),
            size: 32,
        }
    }

    /// id-tc26-gost-3410-12-512-paramSetA, NCA RK OID 1.2.398.3.10.1.1.2.2.1.
    pub fn tc26_512_a() -> Curve {
        Curve {
            p: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc7"),
            a: hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffdc4"),
            b: hex("e8c2505dedfc86ddc1bd0b2b6667f1da34b82574761cb0e879bd081cfd0b6265ee3cb090f30d27614cb4574010da90dd862ef9d4ebee4761503190785a71c760"),
            q: hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff27e69532f48d89116ff22b8d4e0560609b4b38abfad2b85dcacdb1411f10b275"),
            gx: hex("3"),
            gy: hex("7503cfe87a836ae3a61b8816e25450e6ce5e1c93acf1abc1778064fdcbefa921df1626be4fd036e93d75e6a50e3a41e98028fe5fc235f5b889a589cb5215f2a4"),
            size: 64,
        }
    }

    #[cfg(test)]
    fn from_hex(p: &str, a: &str, b: &str, q: &str, x: &str, y: &str, size: usize) -> Curve {
        Curve {
            p: hex(p),
            a: hex(a),
            b: hex(b),
            q: hex(q),
            gx: hex(x),
            gy: hex(y),
            size,
        }
    }

    fn on_curve(&self, x: &BigUint, y: &BigUint) -> bool {
        let p = &self.p;
        x < p && y < p && (y * y) % p == (x * x * x + &self.a * x + &self.b) % p
    }

    fn sub(&self, x: &BigUint, y: &BigUint) -> BigUint {
        if x >= y {
            x - y
        } else {
            &self.p - (y - x) % &self.p
        }
    }

    fn double(&self, pt: &Jacobian) -> Jacobian {
        let p = &self.p;
        if pt.z.is_zero() || pt.y.is_zero() {
            return Jacobian::infinity();
        }
        let yy = (&pt.y * &pt.y) % p;
        let s = (BigUint::from(4u8) * &pt.x * &yy) % p;
        let zz = (&pt.z * &pt.z) % p;
        let m = (BigUint::from(3u8) * &pt.x * &pt.x + &self.a * ((&zz * &zz) % p)) % p;
        let x3 = self.sub(&((&m * &m) % p), &((BigUint::from(2u8) * &s) % p));
        let y3 = self.sub(&((&m * self.sub(&s, &x3)) % p), &((BigUint::from(8u8) * &yy * &yy) % p));
        let z3 = (BigUint::from(2u8) * &pt.y * &pt.z) % p;
        Jacobian { x: x3, y: y3, z: z3 }
    }

    fn add(&self, a: &Jacobian, b: &Jacobian) -> Jacobian {
        let p = &self.p;
        if a.z.is_zero() {
            return b.clone();
        }
        if b.z.is_zero() {
            return a.clone();
        }
        let z1z1 = (&a.z * &a.z) % p;
        let z2z2 = (&b.z * &b.z) % p;
        let u1 = (&a.x * &z2z2) % p;
        let u2 = (&b.x * &z1z1) % p;
        let s1 = (&a.y * &b.z * &z2z2) % p;
        let s2 = (&b.y * &a.z * &z1z1) % p;
        if u1 == u2 {
            return if s1 == s2 { self.double(a) } else { Jacobian::infinity() };
        }
        let h = self.sub(&u2, &u1);
        let r = self.sub(&s2, &s1);
        let hh = (&h * &h) % p;
        let hhh = (&h * &hh) % p;
        let v = (&u1 * &hh) % p;
        let x3 = self.sub(&self.sub(&((&r * &r) % p), &hhh), &((BigUint::from(2u8) * &v) % p));
        let y3 = self.sub(&((&r * self.sub(&v, &x3)) % p), &((&s1 * &hhh) % p));
        let z3 = (&a.z * &b.z * &h) % p;
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// k₁·P₁ + k₂·P₂ by one double-and-add over both scalars (Shamir's trick).
    fn double_mul(&self, k1: &BigUint, p1: &Jacobian, k2: &BigUint, p2: &Jacobian) -> Jacobian {
        let both = self.add(p1, p2);
        let bits = k1.bits().max(k2.bits());
        let mut acc = Jacobian::infinity();
        for i in (0..bits).rev() {
            acc = self.double(&acc);
            match (k1.bit(i), k2.bit(i)) {
                (true, true) => acc = self.add(&acc, &both),
                (true, false) => acc = self.add(&acc, p1),
                (false, true) => acc = self.add(&acc, p2),
                (false, false) => {}
            }
        }
        acc
    }

    fn affine_x(&self, pt: &Jacobian) -> Option<BigUint> {
        if pt.z.is_zero() {
            return None;
        }
        let zinv = pt.z.modinv(&self.p)?;
        let zinv2 = (&zinv * &zinv) % &self.p;
        Some((&pt.x * zinv2) % &self.p)
    }

    /// GOST R 34.10 verification with integers: 0 < r, s < q; v = e⁻¹; z₁ = s·v; z₂ = −r·v;
    /// C = z₁G + z₂Q; valid when C.x mod q = r.
    fn verify_integers(&self, qx: &BigUint, qy: &BigUint, e: &BigUint, r: &BigUint, s: &BigUint) -> bool {
        let q = &self.q;
        if r.is_zero() || s.is_zero() || r >= q || s >= q || !self.on_curve(qx, qy) {
            return false;
        }
        let mut e = e % q;
        if e.is_zero() {
            e = BigUint::one();
        }
        let Some(v) = e.modinv(q) else { return false };
        let z1 = (s * &v) % q;
        let z2 = (q - (r * &v) % q) % q;
        let g = Jacobian::affine(self.gx.clone(), self.gy.clone());
        let key = Jacobian::affine(qx.clone(), qy.clone());
        let c = self.double_mul(&z1, &g, &z2, &key);
        self.affine_x(&c).is_some_and(|x| &(x % q) == r)
    }

    /// Verifies a signature in NCA RK's layout: `key` is X then Y, `signature` r then s, each
    /// little-endian; `digest` is the hash bytes, read as a little-endian integer.
    pub fn verify(&self, key: &[u8], digest: &[u8], signature: &[u8]) -> bool {
        if key.len() != 2 * self.size || signature.len() != 2 * self.size {
            return false;
        }
        let (x, y) = key.split_at(self.size);
        let (r, s) = signature.split_at(self.size);
        self.verify_integers(
            &BigUint::from_bytes_le(x),
            &BigUint::from_bytes_le(y),
            &BigUint::from_bytes_le(digest),
            &BigUint::from_bytes_le(r),
            &BigUint::from_bytes_le(s),
        )
    }
}

#[derive(Clone)]
struct Jacobian {
    x: BigUint,
    y: BigUint,
    z: BigUint,
}

impl Jacobian {
    fn infinity() -> Jacobian {
        Jacobian {
            x: BigUint::one(),
            y: BigUint::one(),
            z: BigUint::zero(),
        }
    }

    fn affine(x: BigUint, y: BigUint) -> Jacobian {
        Jacobian {
            x,
            y,
            z: BigUint::one(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GOST R 34.10-2012 Appendix A (RFC 7091 §7), example 1 and 2: the published (r, s)
    /// verifies; a changed e, r or s does not.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn standard_examples_verify() {
        let examples = [
            (
                Curve::from_hex(
                    "8000000000000000000000000000000000000000000000000000000000000431",
                    "7",
                    "5fbff498aa938ce739b8e022fbafef40563f6e6a3472fc2a514c0ce9dae23b7e",
                    "8000000000000000000000000000000150fe8a1892976154c59cfc193accf5b3",
                    "2",
                    "8e2a8a0e65147d4bd6316030e16d19c85c97f0a9ca267122b96abbcea7e8fc8",
                    32,
                ),
                "7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80b",
                "26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77da",
                "2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5",
                "41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493",
                "1456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40",
            ),
            (
                Curve::from_hex(
                    "4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15df1d852741af4704a0458047e80e4546d35b8336fac224dd81664bbf528be6373",
                    "7",
                    "1cff0806a31116da29d8cfa54e57eb748bc5f377e49400fdd788b649eca1ac4361834013b2ad7322480a89ca58e0cf74bc9e540c2add6897fad0a3084f302adc",
                    "4531acd1fe0023c7550d267b6b2fee80922b14b2ffb90f04d4eb7c09b5d2d15da82f2d7ecb1dbac719905c5eecc423f1d86e25edbe23c595d644aaf187e6e6df",
                    "24d19cc64572ee30f396bf6ebbfd7a6c5213b3b3d7057cc825f91093a68cd762fd60611262cd838dc6b60aa7eee804e28bc849977fac33b4b530f1b120248a9a",
                    "2bb312a43bd2ce6e0d020613c857acddcfbf061e91e5f2c3f32447c259f39b2c83ab156d77f1496bf7eb3351e1ee4e43dc1a18b91b24640b6dbb92cb1add371e",
                    64,
                ),
                "115dc5bc96760c7b48598d8ab9e740d4c4a85a65be33c1815b5c320c854621dd5a515856d13314af69bc5b924c8b4ddff75c45415c1d9dd9dd33612cd530efe1",
                "37c7c90cd40b0f5621dc3ac1b751cfa0e2634fa0503b3d52639f5d7fb72afd61ea199441d943ffe7f0c70a2759a3cdb84c114e1f9339fdf27f35eca93677beec",
                "3754f3cfacc9e0615c4f4a7c4d8dab531b09b6f9c170c533a71d147035b0c5917184ee536593f4414339976c647c5d5a407adedb1d560c4fc6777d2972075b8c",
                "2f86fa60a081091a23dd795e1e3c689ee512a3c82ee0dcc2643c78eea8fcacd35492558486b20f1c9ec197c90699850260c93bcbcd9c5c3317e19344e173ae36",
                "1081b394696ffe8e6585e7a9362d26b6325f56778aadbc081c0bfbe933d52ff5823ce288e8c4f362526080df7f70ce406a6eeb1f56919cb92a9853bde73e5b4a",
            ),
        ];
        for (curve, qx, qy, e, r, s) in examples {
            let (qx, qy, e, r, s) = (hex(qx), hex(qy), hex(e), hex(r), hex(s));
            assert!(curve.verify_integers(&qx, &qy, &e, &r, &s));
            assert!(!curve.verify_integers(&qx, &qy, &(&e + 1u8), &r, &s));
            assert!(!curve.verify_integers(&qx, &qy, &e, &(&r + 1u8), &s));
            assert!(!curve.verify_integers(&qx, &qy, &e, &r, &(&s + 1u8)));
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn kalkan_base_points_are_on_their_curves() {
        for curve in [Curve::cryptopro_a(), Curve::tc26_512_a()] {
            assert!(curve.on_curve(&curve.gx, &curve.gy));
        }
    }
}
