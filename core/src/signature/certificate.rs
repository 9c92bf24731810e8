//! X.509 certificates and CRLs of NCA RK: what the signature check reads from them, and the
//! verification of the signatures they carry (RSA-SHA256, GOST 2004, GOST 2015 512).

use base64::Engine;
use der::{Decode, Encode};
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};

use super::gost::Curve;
use crate::digest::Algorithm;

/// OID of sha256WithRSAEncryption.
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
/// OID of the RSA public key.
const RSA_KEY: &str = "1.2.840.113549.1.1.1";
/// OIDs of GOST 34.310-2004 with GOST 34.311-95 (certificates use the first, CMS the second).
const GOST2004_SIGNATURE: [&str; 2] = ["1.2.398.3.10.1.1.1.2", "1.2.398.3.10.1.1.1.1"];
/// OID of a GOST 34.310-2004 public key.
const GOST2004_KEY: &str = "1.2.398.3.10.1.1.1.1";
/// OID of GOST 34.10-2015 512 with Streebog-512.
const GOST2015_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";
/// OID of a GOST 34.10-2015 512-bit public key.
const GOST2015_KEY: &str = "1.2.398.3.10.1.1.2.2";

/// A signature algorithm tekser verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaSha256,
    /// GOST 34.310-2004 on the CryptoPro-A curve with GOST 34.311-95.
    Gost2004,
    /// GOST 34.10-2015 512-bit (tc26 paramSetA) with Streebog-512.
    Gost2015,
}

impl SignatureAlgorithm {
    /// The short name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "rsa-sha256",
            SignatureAlgorithm::Gost2004 => "gost34310-2004",
            SignatureAlgorithm::Gost2015 => "gost34102015-512",
        }
    }

    /// The hash the algorithm signs.
    pub fn digest(self) -> Algorithm {
        match self {
            SignatureAlgorithm::RsaSha256 => Algorithm::Sha256,
            SignatureAlgorithm::Gost2004 => Algorithm::Gost34311,
            SignatureAlgorithm::Gost2015 => Algorithm::Streebog512,
        }
    }

    fn from_oid(oid: &str) -> Option<SignatureAlgorithm> {
        match oid {
            RSA_SHA256 => Some(SignatureAlgorithm::RsaSha256),
            GOST2015_SIGNATURE => Some(SignatureAlgorithm::Gost2015),
            o if GOST2004_SIGNATURE.contains(&o) => Some(SignatureAlgorithm::Gost2004),
            _ => None,
        }
    }
}

/// A public key tekser can verify with.
#[derive(Debug, Clone)]
enum PublicKey {
    Rsa(Box<rsa::PublicKey>),
    Gost2004(Vec<u8>),
    Gost2015(Vec<u8>),
    Unsupported,
}

/// Why a certificate or CRL cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

/// A parsed certificate with the facts the check needs.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    signature_oid: String,
    signature: Vec<u8>,
    subject_der: Vec<u8>,
    issuer_der: Vec<u8>,
    key: PublicKey,
    /// Subject, as `CN=…, SERIALNUMBER=…` in the order written.
    pub subject: String,
    /// Issuer, in the same form.
    pub issuer: String,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// keyUsage bits set, by name (`digitalSignature`, `nonRepudiation`, …); `None` if absent.
    pub key_usage: Option<Vec<&'static str>>,
    /// extendedKeyUsage OIDs.
    pub extended_key_usage: Vec<String>,
    /// Whether basicConstraints says it is a CA.
    pub is_ca: bool,
}

/// The content bytes' range of the first element inside a DER SEQUENCE, with its header.
fn first_inner_element(der: &[u8]) -> Option<std::ops::Range<usize>> {
    fn header(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
        // Returns (header length, content length) of the TLV at `at`.
        let first = *bytes.get(at + 1)?;
        if first < 0x80 {
            return Some((2, usize::from(first)));
        }
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*bytes.get(at + 2 + i)?);
        }
        Some((2 + n, len))
    }
    let (outer_header, _) = header(der, 0)?;
    let (inner_header, inner_len) = header(der, outer_header)?;
    let end = outer_header.checked_add(inner_header)?.checked_add(inner_len)?;
    (end <= der.len()).then_some(outer_header..end)
}

const ATTRIBUTE_NAMES: [(&str, &str); 12] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SURNAME"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.42", "G"),
    ("1.2.840.113549.1.9.1", "E"),
    ("2.5.4.12", "T"),
    ("0.9.2342.19200300.100.1.25", "DC"),
];

fn name_text(name: &x509_cert::name::Name) -> String {
    name.iter()
        .map(|atv| {
            let oid = atv.oid.to_string();
            let label = ATTRIBUTE_NAMES
                .iter()
                .find(|(o, _)| *o == oid)
                .map_or(oid.clone(), |(_, l)| (*l).to_owned());
            let value = String::from_utf8_lossy(atv.value.value()).into_owned();
            format!("{label}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn octets_in_bit_string(bits: &[u8]) -> Option<Vec<u8>> {
    der::asn1::OctetString::from_der(bits)
        .ok()
        .map(|o| o.as_bytes().to_vec())
}

impl Certificate {
    /// Reads a certificate from DER, PEM, or base64 text (line breaks and `\r` allowed).
    pub fn parse(bytes: &[u8]) -> Result<Certificate, Unreadable> {
        let der = if bytes.first() == Some(&0x30) {
            bytes.to_vec()
        } else {
            decode_text(bytes)?
        };
        Certificate::from_der(der)
    }

    fn from_der(der: Vec<u8>) -> Result<Certificate, Unreadable> {
        let cert =
            x509_cert::Certificate::from_der(&der).map_err(|e| Unreadable(format!("not an X.509 certificate: {e}")))?;
        let tbs = first_inner_element(&der).ok_or_else(|| Unreadable("not an X.509 certificate".into()))?;
        let t = cert.tbs_certificate();
        let spki = t.subject_public_key_info();
        let key_oid = spki.algorithm.oid.to_string();
        let key_bits = spki.subject_public_key.raw_bytes();
        let key = match key_oid.as_str() {
            RSA_KEY => match <rsa::PublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(key_bits) {
                Ok(k) => PublicKey::Rsa(Box::new(k)),
                Err(_) => PublicKey::Unsupported,
            },
            GOST2004_KEY => octets_in_bit_string(key_bits).map_or(PublicKey::Unsupported, PublicKey::Gost2004),
            GOST2015_KEY => octets_in_bit_string(key_bits).map_or(PublicKey::Unsupported, PublicKey::Gost2015),
            _ => PublicKey::Unsupported,
        };
        let key_usage = match t.get_extension::<KeyUsage>() {
            Ok(Some((_, ku))) => {
                let names = [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                ];
                Some(names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect())
            }
            Ok(None) => None,
            Err(e) => return Err(Unreadable(format!("keyUsage: {e}"))),
        };
        let extended_key_usage = match t.get_extension::<ExtendedKeyUsage>() {
            Ok(Some((_, eku))) => eku.0.iter().map(|o| o.to_string()).collect(),
            Ok(None) => Vec::new(),
            Err(e) => return Err(Unreadable(format!("extendedKeyUsage: {e}"))),
        };
        let is_ca = match t.get_extension::<x509_cert::ext::pkix::BasicConstraints>() {
            Ok(Some((_, bc))) => bc.ca,
            _ => false,
        };
        let encode = |n: &x509_cert::name::Name| n.to_der().map_err(|e| Unreadable(e.to_string()));
        Ok(Certificate {
            tbs,
            signature_oid: cert.signature_algorithm().oid.to_string(),
            signature: cert.signature().raw_bytes().to_vec(),
            subject_der: encode(t.subject())?,
            issuer_der: encode(t.issuer())?,
            subject: name_text(t.subject()),
            issuer: name_text(t.issuer()),
            serial: crate::digest::hex(t.serial_number().as_bytes()),
            not_before: t.validity().not_before.to_unix_duration().as_secs() as i64,
            not_after: t.validity().not_after.to_unix_duration().as_secs() as i64,
            key,
            key_usage,
            extended_key_usage,
            is_ca,
            der,
        })
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The value of the first subject attribute labelled `label` (`CN`, `SERIALNUMBER`, `OU`…).
    pub fn subject_attribute(&self, label: &str) -> Option<&str> {
        self.subject
            .split(", ")
            .find_map(|part| part.strip_prefix(label)?.strip_prefix('='))
    }

    /// The IIN of the subject (`SERIALNUMBER=IIN…`).
    pub fn iin(&self) -> Option<&str> {
        self.subject_attribute("SERIALNUMBER")
            .and_then(|s| s.strip_prefix("IIN"))
    }

    /// The BIN of the subject's organisation (`OU=BIN…`).
    pub fn bin(&self) -> Option<&str> {
        self.subject.split(", ").find_map(|part| part.strip_prefix("OU=BIN"))
    }

    /// The algorithm of this certificate's own key, as a signature algorithm.
    pub fn key_algorithm(&self) -> Option<SignatureAlgorithm> {
        match self.key {
            PublicKey::Rsa(_) => Some(SignatureAlgorithm::RsaSha256),
            PublicKey::Gost2004(_) => Some(SignatureAlgorithm::Gost2004),
            PublicKey::Gost2015(_) => Some(SignatureAlgorithm::Gost2015),
            PublicKey::Unsupported => None,
        }
    }

    /// Whether `signature` over `message` by `algorithm` verifies with this certificate's key.
    pub fn verifies(&self, algorithm: SignatureAlgorithm, message_digest: &[u8], signature: &[u8]) -> bool {
        match (&self.key, algorithm) {
            (PublicKey::Rsa(key), SignatureAlgorithm::RsaSha256) => key
                .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), message_digest, signature)
                .is_ok(),
            (PublicKey::Gost2004(key), SignatureAlgorithm::Gost2004) => {
                Curve::cryptopro_a().verify(key, message_digest, signature)
            }
            (PublicKey::Gost2015(key), SignatureAlgorithm::Gost2015) => {
                Curve::tc26_512_a().verify(key, message_digest, signature)
            }
            _ => false,
        }
    }

    /// Whether this certificate's subject is `other`'s issuer and its key verifies `other`.
    pub fn issued(&self, other: &Certificate) -> bool {
        self.subject_der == other.issuer_der
            && signed_by(
                self,
                &other.signature_oid,
                &other.der[other.tbs.clone()],
                &other.signature,
            )
    }

    /// Whether the certificate's own signature verifies with its own key (a root).
    pub fn self_signed(&self) -> bool {
        self.issued(self)
    }

    /// Whether it is the same certificate as `other` (the same DER bytes).
    pub fn same_as(&self, other: &Certificate) -> bool {
        self.der == other.der
    }

    /// Whether it is meant for signing documents: keyUsage has nonRepudiation.
    pub fn for_signing(&self) -> bool {
        self.key_usage.as_ref().is_some_and(|ku| ku.contains(&"nonRepudiation"))
    }
}

/// Whether `signature` by the algorithm `oid` over `tbs` verifies with `issuer`'s key.
fn signed_by(issuer: &Certificate, oid: &str, tbs: &[u8], signature: &[u8]) -> bool {
    let Some(algorithm) = SignatureAlgorithm::from_oid(oid) else {
        return false;
    };
    let digest = algorithm.digest().hash(tbs);
    issuer.verifies(algorithm, &digest, signature)
}

/// Decodes PEM or bare base64 (white space and `&#13;` residue ignored).
fn decode_text(bytes: &[u8]) -> Result<Vec<u8>, Unreadable> {
    let text = std::str::from_utf8(bytes).map_err(|_| Unreadable("neither DER nor PEM/base64 text".into()))?;
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("-----"))
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| Unreadable(format!("neither DER nor PEM/base64 text: {e}")))
}

/// A certificate revocation list whose signature has been checked against its issuer.
#[derive(Debug, Clone)]
pub struct Crl {
    issuer_der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    der: Vec<u8>,
    signature_oid: String,
    signature: Vec<u8>,
    /// Issuer, as in [`Certificate::subject`].
    pub issuer: String,
    /// thisUpdate, seconds since the Unix epoch.
    pub this_update: i64,
    /// nextUpdate, if given.
    pub next_update: Option<i64>,
    /// Revoked serial numbers (lower-case hex) with their revocation times.
    pub revoked: Vec<(String, i64)>,
}

impl Crl {
    /// Reads a CRL from DER or PEM.
    pub fn parse(bytes: &[u8]) -> Result<Crl, Unreadable> {
        let der = if bytes.first() == Some(&0x30) {
            bytes.to_vec()
        } else {
            decode_text(bytes)?
        };
        let list = x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(&der)
            .map_err(|e| Unreadable(format!("not a CRL: {e}")))?;
        let tbs = first_inner_element(&der).ok_or_else(|| Unreadable("not a CRL".into()))?;
        let t = &list.tbs_cert_list;
        Ok(Crl {
            issuer_der: t.issuer.to_der().map_err(|e| Unreadable(e.to_string()))?,
            issuer: name_text(&t.issuer),
            this_update: t.this_update.to_unix_duration().as_secs() as i64,
            next_update: t.next_update.map(|n| n.to_unix_duration().as_secs() as i64),
            revoked: t
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| {
                    (
                        crate::digest::hex(r.serial_number.as_bytes()),
                        r.revocation_date.to_unix_duration().as_secs() as i64,
                    )
                })
                .collect(),
            signature_oid: list.signature_algorithm.oid.to_string(),
            signature: list.signature.raw_bytes().to_vec(),
            tbs,
            der,
        })
    }

    /// Whether `issuer` issued this CRL and its signature verifies.
    pub fn signed_by(&self, issuer: &Certificate) -> bool {
        issuer.subject_der == self.issuer_der
            && signed_by(
                issuer,
                &self.signature_oid,
                &self.der[self.tbs.clone()],
                &self.signature,
            )
    }

    /// Whether the CRL is about certificates of `issuer` (by name).
    pub fn covers(&self, certificate: &Certificate) -> bool {
        self.issuer_der == certificate.issuer_der
    }
}
