//! Exact decimal numbers for amounts, prices, volumes and percentages.
//!
//! Decision (see README, "Decimal handling"): a value is kept as an unsigned integer
//! mantissa and a decimal scale, parsed from the literal text, never through binary
//! floating point. At most 19 significant digits and a scale of at most 18 are accepted
//! (else `decimal.range`), so a product of two values fits exactly in 128 bits.
//! Trailing fractional zeros do not count: `12.50` and `12.5` are the same amount.

use std::cmp::Ordering;
use std::fmt;

/// Most significant digits a value may have.
pub const MAX_DIGITS: usize = 19;
/// Largest scale (digits after the point) a value may have.
pub const MAX_SCALE: u32 = 18;

/// A non-negative exact decimal: `mantissa × 10^-scale`, normalised (no trailing zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: u128,
    scale: u32,
}

/// Why a text is not an acceptable decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a number of the accepted grammar.
    Format,
    /// A negative number (other than -0).
    Negative,
    /// Too many significant digits or too large a scale to compute exactly.
    Range,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { mantissa: 0, scale: 0 };

    /// A whole number.
    pub fn from_int(value: u64) -> Decimal {
        Decimal {
            mantissa: u128::from(value),
            scale: 0,
        }
        .normalised()
    }

    /// Parses a JSON number literal (`-?int(.frac)?([eE][+-]?digits)?`).
    pub fn parse_json_number(literal: &str) -> Result<Decimal, DecimalError> {
        let (negative, rest) = match literal.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, literal),
        };
        // The sign decides first: any non-zero negative number is Negative, however long.
        let e = rest.bytes().position(|b| b == b'e' || b == b'E');
        let mantissa_text = &rest[..e.unwrap_or(rest.len())];
        if negative && mantissa_text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return Err(DecimalError::Negative);
        }
        let (number, exponent) = match e {
            Some(i) => {
                let exp_text = &rest[i + 1..];
                let exp_text = exp_text.strip_prefix('+').unwrap_or(exp_text);
                // Exponents beyond a few hundred can only mean overflow or underflow.
                if exp_text.trim_start_matches('-').len() > 4 {
                    return Err(DecimalError::Range);
                }
                let exponent: i32 = exp_text.parse().map_err(|_| DecimalError::Format)?;
                (&rest[..i], exponent)
            }
            None => (rest, 0),
        };
        let value = Self::parse_plain(number)?;
        let value = value.shift(exponent)?;
        if negative && value.mantissa != 0 {
            return Err(DecimalError::Negative);
        }
        Ok(value)
    }

    /// Parses the string form: `(0|[1-9][0-9]*)(\.[0-9]+)?`; a leading `-` gives `Negative`.
    pub fn parse_text(text: &str) -> Result<Decimal, DecimalError> {
        if let Some(rest) = text.strip_prefix('-') {
            return match Self::parse_plain(rest) {
                Err(DecimalError::Format) => Err(DecimalError::Format),
                _ => Err(DecimalError::Negative),
            };
        }
        Self::parse_plain(text)
    }

    fn parse_plain(text: &str) -> Result<Decimal, DecimalError> {
        // A byte search: `split_once` with a char pattern costs more on these short texts.
        let (int_part, frac_part) = match text.bytes().position(|b| b == b'.') {
            Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
            None => (text, None),
        };
        let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(int_part) || (int_part.len() > 1 && int_part.starts_with('0')) {
            return Err(DecimalError::Format);
        }
        if let Some(f) = frac_part {
            if !digits_only(f) {
                return Err(DecimalError::Format);
            }
        }
        let frac = frac_part.unwrap_or("").trim_end_matches('0');
        // The significant digits are the whole part then the fraction, leading zeros
        // dropped; read digit by digit (no string is built).
        let int_digits = int_part.trim_start_matches('0');
        let (first, second) = if int_digits.is_empty() {
            (frac.trim_start_matches('0'), "")
        } else {
            (int_digits, frac)
        };
        if first.len() + second.len() > MAX_DIGITS {
            return Err(DecimalError::Range);
        }
        let scale = u32::try_from(frac.len()).map_err(|_| DecimalError::Range)?;
        // The first 19 digits in 64 bits (128-bit arithmetic is emulated in WebAssembly).
        let mut digits = first.bytes().chain(second.bytes());
        let mut low: u64 = 0;
        for d in digits.by_ref().take(19) {
            low = low * 10 + u64::from(d - b'0');
        }
        let mut mantissa = u128::from(low);
        for d in digits {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(d - b'0')))
                .ok_or(DecimalError::Range)?;
        }
        if scale > MAX_SCALE {
            return Err(DecimalError::Range);
        }
        Ok(Decimal { mantissa, scale }.normalised())
    }

    /// Scientific form of a literal: significant digits `d` and point `p` with
    /// value = 0.d × 10^p; `d` is empty for zero. Works for values too long to parse.
    fn scientific(literal: &str) -> (String, i64) {
        let unsigned = literal.trim_start_matches('-');
        let (number, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((n, e)) => (n, e.trim_start_matches('+').parse::<i64>().unwrap_or(0)),
            None => (unsigned, 0),
        };
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        let all = format!("{int_part}{frac_part}");
        let leading = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0').to_owned();
        if digits.is_empty() {
            return (digits, 0);
        }
        (digits, int_part.len() as i64 - leading as i64 + exponent)
    }

    /// True when the literal's value has a fractional part (`1.5`, `1e-30`; not `2.0`, `1e30`).
    pub fn literal_has_fraction(literal: &str) -> bool {
        let (digits, point) = Self::scientific(literal);
        digits.len() as i64 > point
    }

    /// True when the literal's value (sign ignored) is greater than `limit`, exactly.
    pub fn literal_exceeds(literal: &str, limit: u64) -> bool {
        let (digits, point) = Self::scientific(literal);
        let limit_text = limit.to_string();
        let (limit_digits, limit_point) = Self::scientific(&limit_text);
        if digits.is_empty() {
            return false;
        }
        if limit_digits.is_empty() || point != limit_point {
            return limit_digits.is_empty() || point > limit_point;
        }
        let width = digits.len().max(limit_digits.len());
        let pad = |d: &str| format!("{d:0<width$}");
        pad(&digits) > pad(&limit_digits)
    }

    fn shift(self, exponent: i32) -> Result<Decimal, DecimalError> {
        if self.mantissa == 0 {
            return Ok(Decimal::ZERO);
        }
        let scale = i64::from(self.scale) - i64::from(exponent);
        if scale >= 0 {
            let scale = u32::try_from(scale).map_err(|_| DecimalError::Range)?;
            if scale > MAX_SCALE {
                return Err(DecimalError::Range);
            }
            return Ok(Decimal {
                mantissa: self.mantissa,
                scale,
            }
            .normalised());
        }
        let factor = u32::try_from(-scale).map_err(|_| DecimalError::Range)?;
        let mantissa = 10u128
            .checked_pow(factor)
            .and_then(|f| self.mantissa.checked_mul(f))
            .ok_or(DecimalError::Range)?;
        let value = Decimal { mantissa, scale: 0 };
        if value.digits() > MAX_DIGITS {
            return Err(DecimalError::Range);
        }
        Ok(value)
    }

    fn normalised(mut self) -> Decimal {
        // In 64 bits when the mantissa fits (128-bit division is a library call in
        // WebAssembly, and every amount is normalised).
        if let Ok(mut small) = u64::try_from(self.mantissa) {
            while self.scale > 0 && small % 10 == 0 {
                small /= 10;
                self.scale -= 1;
            }
            self.mantissa = u128::from(small);
        }
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        if self.mantissa == 0 {
            self.scale = 0;
        }
        self
    }

    fn digits(&self) -> usize {
        self.mantissa.to_string().len()
    }

    /// Digits after the decimal point, trailing zeros not counted.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The value as a whole number, when it is one and fits.
    pub fn to_u64(self) -> Option<u64> {
        if self.scale == 0 {
            u64::try_from(self.mantissa).ok()
        } else {
            None
        }
    }

    /// Exact product. Inputs have at most 19 digits each, so the mantissa cannot overflow.
    pub fn mul(&self, other: &Decimal) -> Option<Decimal> {
        Some(
            Decimal {
                mantissa: self.mantissa.checked_mul(other.mantissa)?,
                scale: self.scale + other.scale,
            }
            .normalised(),
        )
    }

    /// Exact sum.
    pub fn add(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = scaled_exactly(self.mantissa, scale - self.scale)?;
        let b = scaled_exactly(other.mantissa, scale - other.scale)?;
        Some(
            Decimal {
                mantissa: a.checked_add(b)?,
                scale,
            }
            .normalised(),
        )
    }

    /// Rounds half-up (away from zero, values being non-negative) to `places` decimals.
    pub fn round_half_up(&self, places: u32) -> Decimal {
        if self.scale <= places {
            return *self;
        }
        let drop = self.scale - places;
        // drop ≤ 36 since scales are bounded, so the power fits.
        let divisor = 10u128.pow(drop);
        let quotient = self.mantissa / divisor;
        let remainder = self.mantissa % divisor;
        let rounded = if remainder * 2 >= divisor {
            quotient + 1
        } else {
            quotient
        };
        Decimal {
            mantissa: rounded,
            scale: places,
        }
        .normalised()
    }
}

impl Decimal {
    /// The value with at least `min_scale` decimals (amounts are shown as `28980.00`).
    pub fn to_string_scale(self, min_scale: u32) -> String {
        let text = self.to_string();
        if self.scale >= min_scale {
            return text;
        }
        let missing = (min_scale - self.scale) as usize;
        if self.scale == 0 {
            format!("{text}.{}", "0".repeat(missing))
        } else {
            format!("{text}{}", "0".repeat(missing))
        }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        // Mantissas are < 10^38 only after a product; aligning two parsed values (< 10^19,
        // scale ≤ 36) stays below 2^128 in every use here, and saturation keeps order.
        scaled_up(self.mantissa, scale - self.scale).cmp(&scaled_up(other.mantissa, scale - other.scale))
    }
}

/// `mantissa × 10^by`, `None` past 128 bits; in 64 bits when it fits there.
fn scaled_exactly(mantissa: u128, by: u32) -> Option<u128> {
    if by == 0 {
        return Some(mantissa);
    }
    if let (Ok(small), Some(factor)) = (u64::try_from(mantissa), 10u64.checked_pow(by)) {
        if let Some(product) = small.checked_mul(factor) {
            return Some(u128::from(product));
        }
    }
    mantissa.checked_mul(10u128.checked_pow(by)?)
}

/// `mantissa × 10^by`, saturating; in 64 bits when it fits there (128-bit multiplication
/// is a library call in WebAssembly, and a comparison runs for every bounded number).
fn scaled_up(mantissa: u128, by: u32) -> u128 {
    if by == 0 {
        return mantissa;
    }
    if let (Ok(small), Some(factor)) = (u64::try_from(mantissa), 10u64.checked_pow(by)) {
        if let Some(product) = small.checked_mul(factor) {
            return u128::from(product);
        }
    }
    mantissa.saturating_mul(10u128.saturating_pow(by))
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse_text(s).expect("valid decimal")
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn order_across_scales_in_and_beyond_64_bits() {
        assert!(d("1.5") < d("2"));
        assert!(d("2") > d("1.99"));
        assert_eq!(d("2.50").cmp(&d("2.5")), Ordering::Equal);
        assert!(d("99999999999999999.99") < d("100000000000000000"));
        assert!(d("0.000000000000000001") < d("1"));
        // A product past 64 bits, aligned to a scale of 1 and 18: in 128 bits.
        let big = d("9999999999999999999").mul(&d("100")).expect("a product");
        assert!(big > d("0.5"));
        assert!(big < d("9999999999999999999").mul(&d("100.0000000001")).expect("a product"));
        assert_eq!(scaled_up(u128::from(u64::MAX), 1), u128::from(u64::MAX) * 10);
        assert_eq!(scaled_up(u128::MAX, 3), u128::MAX, "saturates");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn grammar() {
        assert_eq!(Decimal::parse_text("007"), Err(DecimalError::Format));
        assert_eq!(Decimal::parse_text("1."), Err(DecimalError::Format));
        assert_eq!(Decimal::parse_text(".5"), Err(DecimalError::Format));
        assert_eq!(Decimal::parse_text("1e3"), Err(DecimalError::Format));
        assert_eq!(Decimal::parse_text("-5"), Err(DecimalError::Negative));
        assert_eq!(Decimal::parse_text("12345678901234567890"), Err(DecimalError::Range));
        assert_eq!(d("12.500").to_string(), "12.5");
        assert_eq!(d("12.5").to_string_scale(2), "12.50");
        assert_eq!(d("12").to_string_scale(2), "12.00");
        assert_eq!(d("0.125").to_string_scale(2), "0.125");
        assert_eq!(d("0.000").to_string(), "0");
        assert_eq!(
            Decimal::parse_json_number("1.25e2").map(|v| v.to_string()),
            Ok("125".into())
        );
        assert_eq!(
            Decimal::parse_json_number("125e-4").map(|v| v.to_string()),
            Ok("0.0125".into())
        );
        assert_eq!(Decimal::parse_json_number("-0").map(|v| v.to_string()), Ok("0".into()));
        assert_eq!(Decimal::parse_json_number("-0.5"), Err(DecimalError::Negative));
        assert_eq!(Decimal::parse_json_number("1e400"), Err(DecimalError::Range));
        assert_eq!(Decimal::parse_json_number("1e99999"), Err(DecimalError::Range));
        assert_eq!(Decimal::parse_json_number("-1e99999"), Err(DecimalError::Negative));
        assert_eq!(
            Decimal::parse_text("-12345678901234567890"),
            Err(DecimalError::Negative)
        );
        assert!(Decimal::literal_exceeds("12345678901234567890", 100));
        assert!(Decimal::literal_exceeds("100.000000000000000000001", 100));
        assert!(Decimal::literal_exceeds("1.5e3", 100));
        assert!(!Decimal::literal_exceeds("100.000", 100));
        assert!(!Decimal::literal_exceeds("1e2", 100));
        assert!(!Decimal::literal_exceeds("99.99999999999999999999999", 100));
        assert!(!Decimal::literal_exceeds("0.00123e3", 100));
        assert!(!Decimal::literal_exceeds("0", 100));
        assert!(Decimal::literal_has_fraction("1e-30"));
        assert!(Decimal::literal_has_fraction("0.5"));
        assert!(!Decimal::literal_has_fraction("2.000"));
        assert!(!Decimal::literal_has_fraction("1.5e1"));
        assert!(!Decimal::literal_has_fraction("1e30"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn arithmetic_is_exact() {
        // 0.1 + 0.2 is exactly 0.3 here, unlike binary floating point.
        assert_eq!(d("0.1").add(&d("0.2")), Some(d("0.3")));
        assert_eq!(
            d("3.333").mul(&d("3")).map(|p| p.round_half_up(2).to_string()),
            Some("10".into())
        );
        assert_eq!(d("2.675").round_half_up(2).to_string(), "2.68");
        assert_eq!(d("2.665").round_half_up(2).to_string(), "2.67");
        assert_eq!(d("2.6649").round_half_up(2).to_string(), "2.66");
        assert!(d("100") > d("99.999"));
        assert_eq!(
            d("9999999999999999999")
                .mul(&d("9999999999999999999"))
                .map(|p| p.scale()),
            Some(0)
        );
    }
}
