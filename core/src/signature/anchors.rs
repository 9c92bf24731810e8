//! Trust anchors: the NCA RK certificates shipped as named sets, or the caller's own.

use super::certificate::Certificate;
use crate::error::Error;

/// The test hierarchies of NCA RK (GOST 2004, RSA, GOST 2015; the GOST 2015 test root is not
/// public, so its intermediate is the anchor).
const TEST: [(&str, &[u8]); 5] = [
    (
        "test_root_gost2004_negizgi_ko_test.pem",
        include_bytes!("../../anchors/test/test_root_gost2004_negizgi_ko_test.pem"),
    ),
    (
        "test_nca_gost2004_uko30.pem",
        include_bytes!("../../anchors/test/test_nca_gost2004_uko30.pem"),
    ),
    (
        "test_root_rsa_negizgi_ko_test.pem",
        include_bytes!("../../anchors/test/test_root_rsa_negizgi_ko_test.pem"),
    ),
    (
        "test_nca_rsa_uko30.pem",
        include_bytes!("../../anchors/test/test_nca_rsa_uko30.pem"),
    ),
    (
        "test_nca_gost2015_2022.cer",
        include_bytes!("../../anchors/test/test_nca_gost2015_2022.cer"),
    ),
];

/// The production roots of 2015 and NCA certificates of 2018 (GOST 2004 and RSA).
const PROD: [(&str, &[u8]); 4] = [
    (
        "prod_root_gost2004_2015.cer",
        include_bytes!("../../anchors/prod/prod_root_gost2004_2015.cer"),
    ),
    (
        "prod_nca_gost2004_2018.cer",
        include_bytes!("../../anchors/prod/prod_nca_gost2004_2018.cer"),
    ),
    (
        "prod_root_rsa_2015.cer",
        include_bytes!("../../anchors/prod/prod_root_rsa_2015.cer"),
    ),
    (
        "prod_nca_rsa_2018.cer",
        include_bytes!("../../anchors/prod/prod_nca_rsa_2018.cer"),
    ),
];

/// The certificates a signer's chain must reach.
#[derive(Debug, Clone, Default)]
pub enum Anchors {
    /// NCA RK's production certificates shipped with tekser.
    #[default]
    Prod,
    /// NCA RK's test certificates shipped with tekser.
    Test,
    /// The caller's certificates, under a name for reports (a directory, say).
    Custom {
        /// Shown in reports.
        name: String,
        /// The certificates.
        certificates: Vec<Certificate>,
    },
}

impl Anchors {
    /// `test` or `prod`.
    pub fn named(name: &str) -> Result<Anchors, Error> {
        match name {
            "test" => Ok(Anchors::Test),
            "prod" => Ok(Anchors::Prod),
            other => Err(Error::InvalidOption(format!(
                "unknown trust anchor set {other:?}; expected test, prod, or certificates of your own"
            ))),
        }
    }

    /// The caller's certificates (DER or PEM each), named `name` in reports.
    pub fn custom(name: &str, files: &[(String, Vec<u8>)]) -> Result<Anchors, Error> {
        let certificates = files
            .iter()
            .map(|(file, bytes)| {
                Certificate::parse(bytes).map_err(|e| Error::InvalidCertificate(format!("trust anchor {file}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Anchors::Custom {
            name: name.to_owned(),
            certificates,
        })
    }

    /// The name in reports.
    pub fn name(&self) -> &str {
        match self {
            Anchors::Prod => "prod",
            Anchors::Test => "test",
            Anchors::Custom { name, .. } => name,
        }
    }

    /// The certificates.
    pub fn certificates(&self) -> Vec<Certificate> {
        let shipped = |set: &[(&str, &[u8])]| -> Vec<Certificate> {
            // Shipped files are checked by the tests; one that fails to parse is left out.
            set.iter()
                .filter_map(|(_, bytes)| Certificate::parse(bytes).ok())
                .collect()
        };
        match self {
            Anchors::Prod => shipped(&PROD),
            Anchors::Test => shipped(&TEST),
            Anchors::Custom { certificates, .. } => certificates.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn shipped_anchors_parse_and_chain() {
        for (set, expected) in [(&TEST[..], 5), (&PROD[..], 4)] {
            let certificates: Vec<Certificate> = set
                .iter()
                .map(|(name, bytes)| Certificate::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}")))
                .collect();
            assert_eq!(certificates.len(), expected);
            // Every certificate is issued by one of its set (a root by itself), but the GOST 2015
            // test intermediate, whose root is not public.
            for c in &certificates {
                assert!(c.is_ca, "{}", c.subject);
                assert!(
                    certificates.iter().any(|i| i.issued(c)) || c.subject.contains("TEST 2022"),
                    "{}",
                    c.subject
                );
            }
        }
    }
}
