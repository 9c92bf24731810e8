//! The signature report and its canonical JSON form (the same bytes on every host).

use super::certificate::{Certificate, SignatureAlgorithm};
use super::{utc, Semantics, VerifyOptions};
use crate::catalog::Catalog;
use crate::report::{Finding, Lang, Severity, Status};
use crate::value::{int, opt_text, text, Value};

/// Where the verification time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The caller gave it.
    Caller,
    /// The packet's `header/created_at` (Astana time).
    CreatedAt,
    /// Neither: certificate validity could not be judged.
    Unknown,
}

impl TimeSource {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Caller => "caller",
            TimeSource::CreatedAt => "created_at",
            TimeSource::Unknown => "unknown",
        }
    }
}

/// What the CRLs said of the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// No CRL of its issuer was given (or none could be trusted).
    NotChecked,
    /// A trusted CRL of its issuer does not list it (or lists it revoked after the time).
    Good,
    /// A trusted CRL lists it revoked at or before the time.
    Revoked,
}

impl Revocation {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Revocation::NotChecked => "not_checked",
            Revocation::Good => "good",
            Revocation::Revoked => "revoked",
        }
    }
}

/// The facts of a certificate a report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// Subject as written.
    pub subject: String,
    /// Common name.
    pub common_name: Option<String>,
    /// IIN of the person (`SERIALNUMBER=IIN…`).
    pub iin: Option<String>,
    /// BIN of the organisation (`OU=BIN…`).
    pub bin: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Issuer as written.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start, ISO 8601 UTC.
    pub not_before: String,
    /// Validity end, ISO 8601 UTC.
    pub not_after: String,
    /// keyUsage names (empty when absent).
    pub key_usage: Vec<String>,
    /// extendedKeyUsage OIDs.
    pub extended_key_usage: Vec<String>,
}

impl CertificateSummary {
    /// The summary of `c`.
    pub fn of(c: &Certificate) -> CertificateSummary {
        CertificateSummary {
            subject: c.subject.clone(),
            common_name: c.subject_attribute("CN").map(str::to_owned),
            iin: c.iin().map(str::to_owned),
            bin: c.bin().map(str::to_owned),
            organization: c.subject_attribute("O").map(str::to_owned),
            issuer: c.issuer.clone(),
            serial: c.serial.clone(),
            not_before: utc(c.not_before),
            not_after: utc(c.not_after),
            key_usage: c.key_usage.iter().flatten().map(|s| (*s).to_owned()).collect(),
            extended_key_usage: c.extended_key_usage.clone(),
        }
    }

    fn to_value(&self, full: bool) -> Value {
        let list = |items: &[String]| Value::Array(items.iter().map(text).collect());
        let mut members = vec![("subject".to_owned(), text(&self.subject))];
        if full {
            members.push(("common_name".into(), opt_text(self.common_name.as_deref())));
            members.push(("iin".into(), opt_text(self.iin.as_deref())));
            members.push(("bin".into(), opt_text(self.bin.as_deref())));
            members.push(("organization".into(), opt_text(self.organization.as_deref())));
            members.push(("issuer".into(), text(&self.issuer)));
        }
        members.push(("serial".into(), text(&self.serial)));
        members.push(("not_before".into(), text(&self.not_before)));
        members.push(("not_after".into(), text(&self.not_after)));
        if full {
            members.push(("key_usage".into(), list(&self.key_usage)));
            members.push(("extended_key_usage".into(), list(&self.extended_key_usage)));
        }
        Value::Object(members)
    }
}

/// The check of one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// Its number in document order, from 1.
    pub index: usize,
    /// SignatureMethod URI, when it could be read.
    pub method: Option<String>,
    /// The algorithm, when supported.
    pub algorithm: Option<SignatureAlgorithm>,
    /// Whether the reference digest matched (`None`: not computed).
    pub reference_matches: Option<bool>,
    /// Whether SignatureValue verified with the KeyInfo certificate.
    pub value_verifies: Option<bool>,
    /// The signer's certificate.
    pub signer: Option<CertificateSummary>,
    /// The CA certificates from the signer's issuer up to the anchor.
    pub chain: Vec<CertificateSummary>,
    /// What the CRLs said.
    pub revocation: Revocation,
    /// Its findings.
    pub findings: Vec<Finding>,
}

impl SignatureCheck {
    pub(crate) fn new(index: usize) -> SignatureCheck {
        SignatureCheck {
            index,
            method: None,
            algorithm: None,
            reference_matches: None,
            value_verifies: None,
            signer: None,
            chain: Vec::new(),
            revocation: Revocation::NotChecked,
            findings: Vec::new(),
        }
    }

    /// Whether it passed: no error finding.
    pub fn valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The result of the signature stage for one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// Accepted when every signature is valid and there is at least one.
    pub status: Status,
    /// The verification time, ISO 8601 UTC.
    pub at: Option<String>,
    /// Where it came from.
    pub time_source: TimeSource,
    /// The trust anchor set's name.
    pub anchors: String,
    /// How several signatures were read.
    pub semantics: Semantics,
    /// Each signature.
    pub signatures: Vec<SignatureCheck>,
    /// Findings about the document as a whole (no signature at all).
    pub findings: Vec<Finding>,
    /// The language of messages, or `None` for all three.
    pub lang: Option<Lang>,
}

impl SignatureReport {
    pub(crate) fn new(options: &VerifyOptions, at: Option<i64>, source: TimeSource) -> SignatureReport {
        SignatureReport {
            status: Status::Rejected,
            at: at.map(utc),
            time_source: source,
            anchors: options.anchors.name().to_owned(),
            semantics: options.semantics,
            signatures: Vec::new(),
            findings: Vec::new(),
            lang: None,
        }
    }

    pub(crate) fn push(&mut self, check: SignatureCheck) {
        self.signatures.push(check);
    }

    pub(crate) fn settle(&mut self) {
        let ok = !self.signatures.is_empty()
            && self.signatures.iter().all(SignatureCheck::valid)
            && !self.findings.iter().any(|f| f.severity == Severity::Error);
        self.status = if ok { Status::Accepted } else { Status::Rejected };
    }

    /// Whether the document's signatures are all valid.
    pub fn accepted(&self) -> bool {
        self.status == Status::Accepted
    }

    /// Every finding, the document's first, then each signature's.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.signatures.iter().flat_map(|s| s.findings.iter()))
    }

    /// Number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.all_findings().filter(|f| f.severity == severity).count()
    }

    /// The report as a document (what [`SignatureReport::to_json`] writes).
    pub fn to_value(&self) -> Value {
        let catalog = Catalog::get().ok();
        let findings = |list: &mut dyn Iterator<Item = &Finding>| -> Value {
            Value::Array(
                list.map(|f| match catalog {
                    Some(c) => f.to_value(c, self.lang, None),
                    None => text(f.code),
                })
                .collect(),
            )
        };
        let signatures = self
            .signatures
            .iter()
            .map(|s| {
                let flag = |v: Option<bool>, yes: &str, no: &str| match v {
                    Some(true) => text(yes),
                    Some(false) => text(no),
                    None => text("not_checked"),
                };
                Value::Object(vec![
                    ("index".into(), int(s.index)),
                    ("result".into(), text(if s.valid() { "valid" } else { "invalid" })),
                    (
                        "algorithm".into(),
                        opt_text(s.algorithm.map(SignatureAlgorithm::as_str)),
                    ),
                    ("signature_method".into(), opt_text(s.method.as_deref())),
                    (
                        "reference_digest".into(),
                        flag(s.reference_matches, "match", "mismatch"),
                    ),
                    ("signature_value".into(), flag(s.value_verifies, "valid", "invalid")),
                    (
                        "signer".into(),
                        s.signer.as_ref().map_or(Value::Null, |c| c.to_value(true)),
                    ),
                    (
                        "chain".into(),
                        Value::Array(s.chain.iter().map(|c| c.to_value(false)).collect()),
                    ),
                    ("revocation".into(), text(s.revocation.as_str())),
                    ("findings".into(), findings(&mut s.findings.iter())),
                ])
            })
            .collect();
        Value::Object(vec![
            ("stage".into(), text("signature")),
            ("status".into(), text(self.status.as_str())),
            ("at".into(), opt_text(self.at.as_deref())),
            ("time_source".into(), text(self.time_source.as_str())),
            ("anchors".into(), text(&self.anchors)),
            ("semantics".into(), text(self.semantics.as_str())),
            ("errors".into(), int(self.count(Severity::Error))),
            ("warnings".into(), int(self.count(Severity::Warning))),
            ("signatures".into(), Value::Array(signatures)),
            ("findings".into(), findings(&mut self.findings.iter())),
        ])
    }

    /// The canonical JSON form: the same bytes on every host.
    pub fn to_json(&self) -> String {
        self.to_value().to_pretty_json()
    }
}
