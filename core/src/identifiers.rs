//! BIN and IIN: the 12-digit national identifiers of legal entities and individuals.
//!
//! Check digit (Government resolutions No. 565 of 2003 and No. 406 of 2007): digits
//! 1–11 weighted 1..11, sum mod 11; when that is 10, weights 3..11,1,2 and mod 11 again;
//! when that is 10 too, no number is issued. Structure: an IIN starts with the birth date
//! YYMMDD and digit 7 is century and sex (1–6); a BIN starts with the registration YYMM,
//! digit 5 is the type (4 resident legal entity, 5 non-resident, 6 joint individual
//! entrepreneurship) and digit 6 the unit attribute (0–3). Digit 5 of an IIN is the first
//! digit of a day (0–3), so the two never overlap and a BIN/IIN field can tell them apart.

use crate::calendar::Date;

/// Which identifiers a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A legal entity's BIN.
    Bin,
    /// An individual's IIN.
    Iin,
    /// Either.
    BinOrIin,
}

/// Every reason [`IdError::Structure`] carries; each is a phrase of `schemas/rules.json` (checked in tests).
#[cfg(test)]
pub(crate) const REASONS: [&str; 8] = [
    "iin_where_bin",
    "bin_where_iin",
    "bin_type",
    "bin_month",
    "bin_attribute",
    "iin_century",
    "iin_birth_date",
    "never_issued",
];

/// What is wrong with a 12-digit identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not exactly 12 ASCII digits.
    Format,
    /// The check digit differs from the computed one (carried).
    Checksum(u8),
    /// Impossible structure; the phrase key of the reason.
    Structure(&'static str),
}

/// Computes the check digit of the first 11 digits, or `None` when no number is issued.
pub fn check_digit(digits: &[u8; 12]) -> Option<u8> {
    let first: u32 = (0..11).map(|i| u32::from(digits[i]) * (i as u32 + 1)).sum::<u32>() % 11;
    if first != 10 {
        return Some(first as u8);
    }
    let second: u32 = (0..11)
        .map(|i| u32::from(digits[i]) * (((i as u32 + 2) % 11) + 1))
        .sum::<u32>()
        % 11;
    if second != 10 {
        Some(second as u8)
    } else {
        None
    }
}

/// Checks a BIN/IIN text for the given field kind.
pub fn check(text: &str, kind: IdKind) -> Result<(), IdError> {
    let bytes = text.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdError::Format);
    }
    let mut digits = [0u8; 12];
    for (slot, b) in digits.iter_mut().zip(bytes) {
        *slot = b - b'0';
    }
    match check_digit(&digits) {
        None => return Err(IdError::Structure("never_issued")),
        Some(expected) if expected != digits[11] => return Err(IdError::Checksum(expected)),
        Some(_) => {}
    }
    let looks_like_bin = matches!(digits[4], 4..=6);
    let looks_like_iin = digits[4] <= 3;
    match kind {
        IdKind::Bin if looks_like_iin => Err(IdError::Structure("iin_where_bin")),
        IdKind::Iin if looks_like_bin => Err(IdError::Structure("bin_where_iin")),
        IdKind::Bin | IdKind::BinOrIin if !looks_like_iin => check_bin(&digits),
        _ => check_iin(&digits),
    }
}

fn check_bin(d: &[u8; 12]) -> Result<(), IdError> {
    if !matches!(d[4], 4..=6) {
        return Err(IdError::Structure("bin_type"));
    }
    let month = d[2] * 10 + d[3];
    if !(1..=12).contains(&month) {
        return Err(IdError::Structure("bin_month"));
    }
    if d[5] > 3 {
        return Err(IdError::Structure("bin_attribute"));
    }
    Ok(())
}

fn check_iin(d: &[u8; 12]) -> Result<(), IdError> {
    let century: u16 = match d[6] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return Err(IdError::Structure("iin_century")),
    };
    let year = century + u16::from(d[0] * 10 + d[1]);
    match Date::new(year, d[2] * 10 + d[3], d[4] * 10 + d[5]) {
        Some(_) => Ok(()),
        None => Err(IdError::Structure("iin_birth_date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn published_bins_are_valid() {
        for bin in ["081140000436", "940140000385", "971240001315"] {
            assert_eq!(check(bin, IdKind::Bin), Ok(()), "{bin}");
            assert_eq!(check(bin, IdKind::BinOrIin), Ok(()), "{bin}");
            assert_eq!(
                check(bin, IdKind::Iin),
                Err(IdError::Structure("bin_where_iin")),
                "{bin}"
            );
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn check_digit_errors() {
        assert_eq!(check("081140000437", IdKind::Bin), Err(IdError::Checksum(6)));
        assert_eq!(check("08114000043", IdKind::Bin), Err(IdError::Format));
        assert_eq!(check("08114000043x", IdKind::Bin), Err(IdError::Format));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn second_weights_are_used() {
        // 11 digits whose first weighted sum is 10 mod 11: the second weights decide.
        let mut digits = [0u8; 12];
        digits[..11].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
        // weights 1..11 give 10 → second weights 3..11,1,2 give 1 × 1 = 1.
        assert_eq!(check_digit(&digits), Some(1));
    }

    /// Completes 10 digits with a serial digit and check digit so that the number is issuable.
    fn complete(first10: &str) -> String {
        for serial in 0..10u8 {
            let mut digits = [0u8; 12];
            for (slot, b) in digits.iter_mut().zip(first10.bytes()) {
                *slot = b - b'0';
            }
            digits[10] = serial;
            if let Some(cd) = check_digit(&digits) {
                return format!("{first10}{serial}{cd}");
            }
        }
        unreachable!("some serial digit gives an issuable number")
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_structure_reason() {
        let cases = [
            ("0811700004", IdKind::BinOrIin, "bin_type"),
            ("0813400004", IdKind::Bin, "bin_month"),
            ("0811450004", IdKind::Bin, "bin_attribute"),
            ("8506159000", IdKind::Iin, "iin_century"),
            ("8502303000", IdKind::Iin, "iin_birth_date"),
            ("0811400004", IdKind::Iin, "bin_where_iin"),
            ("8506153000", IdKind::Bin, "iin_where_bin"),
        ];
        for (first10, kind, reason) in cases {
            let number = complete(first10);
            assert_eq!(check(&number, kind), Err(IdError::Structure(reason)), "{number}");
        }
        assert_eq!(
            check(&complete("0502295000"), IdKind::Iin),
            Err(IdError::Structure("iin_birth_date")),
            "29.02.2005 does not exist"
        );
        assert_eq!(check(&complete("0402295000"), IdKind::Iin), Ok(()), "29.02.2004 exists");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn never_issued_numbers_are_refused() {
        let found = (0..1000u32)
            .map(|serial| format!("08114000{serial:03}0"))
            .find(|n| {
                let mut digits = [0u8; 12];
                for (slot, b) in digits.iter_mut().zip(n.bytes()) {
                    *slot = b - b'0';
                }
                check_digit(&digits).is_none()
            })
            .expect("some serial has no check digit");
        assert_eq!(check(&found, IdKind::Bin), Err(IdError::Structure("never_issued")));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn iin_structure() {
        // Born 15.06.1985, male (3), serial 0001: check digit computed here.
        let base = [8u8, 5, 0, 6, 1, 5, 3, 0, 0, 0, 1, 0];
        let cd = check_digit(&base).expect("issued");
        let iin = format!("85061530001{cd}");
        assert_eq!(check(&iin, IdKind::Iin), Ok(()));
        assert_eq!(check(&iin, IdKind::Bin), Err(IdError::Structure("iin_where_bin")));
    }
}
