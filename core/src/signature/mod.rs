//! The signature stage of the Registry's acceptance pipeline (Rules p.3; Appendix 2, scheme 1
//! step 3): an XMLDSig enveloped signature over the packet, its certificate's chain to a
//! trust anchor, validity at the packet's time, fitness for signing and revocation.
//!
//! Pure and offline: the certificates, CRLs and the verification time all come from the
//! caller or the packet (`header/created_at`, Astana time), never the network or the clock.

mod anchors;
pub mod certificate;
mod document;
mod gost;
mod report;
mod xmldsig;

use std::io::BufRead;

pub use anchors::Anchors;
pub use certificate::{Certificate, Crl, SignatureAlgorithm, Unreadable};
pub use report::{CertificateSummary, Revocation, SignatureCheck, SignatureReport, TimeSource};

use crate::calendar::LocalDateTime;
use crate::codes;
use crate::digest::Algorithm;
use crate::error::Error;
use crate::report::Finding;
use document::Captured;

/// How a document with several signatures is read (errata `several-signatures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Semantics {
    /// The last signature covers the document without itself; each earlier one covers the
    /// document without itself and every later signature (signatures appended one after
    /// another, as NCA RK's own verifier reads them).
    #[default]
    Sequential,
    /// Each signature covers the document without itself only (XMLDSig's enveloped transform
    /// read literally).
    Strict,
}

impl Semantics {
    /// The name used in reports and options.
    pub fn as_str(self) -> &'static str {
        match self {
            Semantics::Sequential => "sequential",
            Semantics::Strict => "strict",
        }
    }
}

impl std::str::FromStr for Semantics {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "sequential" => Ok(Semantics::Sequential),
            "strict" => Ok(Semantics::Strict),
            other => Err(Error::InvalidOption(format!(
                "unknown signature semantics {other:?}; expected sequential or strict"
            ))),
        }
    }
}

/// What the signature check is asked to do.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The certificates to trust.
    pub anchors: Anchors,
    /// CRLs to check revocation against.
    pub crls: Vec<Crl>,
    /// The verification time (seconds since the Unix epoch, UTC); `None`: the packet's
    /// `header/created_at` (Astana time).
    pub at: Option<i64>,
    /// How several signatures are read.
    pub semantics: Semantics,
}

/// A file's name (or a label) and its bytes.
pub type NamedBytes = (String, Vec<u8>);

impl VerifyOptions {
    /// Options from the plain values every host takes: `anchors` a set's name (`test`,
    /// `prod`) or `own` certificates (file name or label, DER or PEM bytes) shown in reports
    /// as `own_name`; CRLs as DER or PEM bytes; `at` as [`parse_time`] reads it; `semantics`
    /// `sequential` or `strict`.
    pub fn from_host(
        anchors: Option<&str>,
        own: Option<(&str, &[NamedBytes])>,
        crls: &[Vec<u8>],
        at: Option<&str>,
        semantics: Option<&str>,
    ) -> Result<VerifyOptions, Error> {
        let anchors = match (anchors, own) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidOption(
                    "give either a named anchor set or certificates of your own, not both".to_owned(),
                ))
            }
            (Some(name), None) => Anchors::named(name)?,
            (None, Some((name, files))) => Anchors::custom(name, files)?,
            (None, None) => Anchors::default(),
        };
        let crls = crls
            .iter()
            .enumerate()
            .map(|(i, bytes)| Crl::parse(bytes).map_err(|e| Error::InvalidCertificate(format!("CRL {}: {e}", i + 1))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(VerifyOptions {
            anchors,
            crls,
            at: at.map(parse_time).transpose()?,
            semantics: semantics.map(str::parse).transpose()?.unwrap_or_default(),
        })
    }
}

/// Reads a verification time: `dd.mm.yyyy HH:MM` in Astana time (as the regulation writes
/// times), or ISO 8601 in UTC (`2020-06-01T00:00:00Z`, seconds optional).
pub fn parse_time(text: &str) -> Result<i64, Error> {
    let text = text.trim();
    if let Ok(local) = LocalDateTime::parse(text) {
        return Ok(local.instant().utc_minutes * 60);
    }
    parse_utc(text).ok_or_else(|| {
        Error::InvalidTime(format!(
            "cannot read the time {text:?}: expected \"dd.mm.yyyy HH:MM\" (Astana time) or \"yyyy-mm-ddTHH:MM[:SS]Z\" (UTC)"
        ))
    })
}

fn parse_utc(text: &str) -> Option<i64> {
    let body = text.strip_suffix('Z')?;
    let (date, time) = body.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || m.len() != 2 || day.len() != 2 {
        return None;
    }
    let date = crate::calendar::Date::new(y.parse().ok()?, m.parse().ok()?, day.parse().ok()?)?;
    let parts: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, min) = (parts[0].parse::<i64>().ok()?, parts[1].parse::<i64>().ok()?);
    let s = parts.get(2).map_or(Some(0), |s| s.parse::<i64>().ok())?;
    if h > 23 || min > 59 || s > 59 {
        return None;
    }
    Some(crate::calendar::days_from_epoch(date) * 86_400 + h * 3600 + min * 60 + s)
}

/// Checks the signatures of an XML document held in memory.
pub fn verify(document: &[u8], options: &VerifyOptions) -> Result<SignatureReport, Error> {
    verify_source(|| Ok(document), options)
}

/// Checks the signatures of an XML document that `open` can read twice (a file): the first
/// pass finds the signatures and their algorithms, the second hashes the canonical document
/// with only those. Neither pass holds the document.
pub fn verify_source<R: BufRead>(
    mut open: impl FnMut() -> std::io::Result<R>,
    options: &VerifyOptions,
) -> Result<SignatureReport, Error> {
    let first = document::walk(open().map_err(|e| Error::Read(e.to_string()))?, &[], 0)?;
    let mut checks: Vec<Prepared> = first.signatures.iter().map(prepare).collect();
    let mut algorithms: Vec<Algorithm> = Vec::new();
    for p in checks.iter().filter_map(|c| c.parsed.as_ref().ok()) {
        if !algorithms.contains(&p.digest) {
            algorithms.push(p.digest);
        }
    }
    let digests = if algorithms.is_empty() {
        Vec::new()
    } else {
        document::walk(
            open().map_err(|e| Error::Read(e.to_string()))?,
            &algorithms,
            first.signatures.len(),
        )?
        .digests
    };
    for (check, digests) in checks.iter_mut().zip(digests) {
        check.digests = Some(digests);
    }
    let (at, source) = match options.at {
        Some(at) => (Some(at), TimeSource::Caller),
        None => match first.created_at.as_deref().map(LocalDateTime::parse) {
            Some(Ok(local)) => (Some(local.instant().utc_minutes * 60), TimeSource::CreatedAt),
            _ => (None, TimeSource::Unknown),
        },
    };
    let anchors = options.anchors.certificates();
    let mut report = SignatureReport::new(options, at, source);
    if checks.is_empty() {
        report.findings.push(finding(codes::SIGNATURE_MISSING, "", vec![]));
    }
    for (index, check) in checks.into_iter().enumerate() {
        let result = check_one(index, check, at, &anchors, options, first.sender_bin.as_deref());
        report.push(result);
    }
    report.settle();
    Ok(report)
}

/// One signature between the passes.
struct Prepared {
    parsed: Result<xmldsig::Parsed, xmldsig::Problem>,
    digests: Option<document::SignatureDigests>,
}

fn prepare(captured: &Captured) -> Prepared {
    Prepared {
        parsed: xmldsig::parse(captured),
        digests: None,
    }
}

pub(crate) fn finding(code: &'static str, path: &str, params: Vec<(&'static str, String)>) -> Finding {
    let severity = crate::catalog::Catalog::get()
        .ok()
        .and_then(|c| c.rule(code).map(|r| r.severity))
        .unwrap_or(crate::report::Severity::Error);
    Finding {
        code,
        severity,
        path: path.to_owned(),
        record: None,
        field: None,
        suggestion: None,
        params,
    }
}

/// Seconds since the epoch as `2020-06-01T00:00:00Z`.
pub(crate) fn utc(seconds: i64) -> String {
    let minutes = crate::calendar::Instant {
        utc_minutes: seconds.div_euclid(60),
        offset_minutes: 0,
    }
    .to_iso8601_utc();
    // `…T00:00:00Z` from the minute form, with the seconds put back.
    format!("{}{:02}Z", &minutes[..minutes.len() - 3], seconds.rem_euclid(60))
}

fn check_one(
    index: usize,
    prepared: Prepared,
    at: Option<i64>,
    anchors: &[Certificate],
    options: &VerifyOptions,
    sender_bin: Option<&str>,
) -> SignatureCheck {
    let path = format!("/signatures/{index}");
    let mut check = SignatureCheck::new(index + 1);
    let parsed = match prepared.parsed {
        Ok(p) => p,
        Err(xmldsig::Problem::Malformed(why)) => {
            check
                .findings
                .push(finding(codes::SIGNATURE_MALFORMED, &path, vec![("value", why)]));
            return check;
        }
        Err(xmldsig::Problem::Unsupported(what)) => {
            check
                .findings
                .push(finding(codes::SIGNATURE_UNSUPPORTED, &path, vec![("value", what)]));
            return check;
        }
    };
    check.method = Some(parsed.method.clone());
    check.algorithm = Some(parsed.algorithm);
    // The reference digest.
    if let Some(d) = &prepared.digests {
        let list = match options.semantics {
            Semantics::Sequential => &d.sequential,
            Semantics::Strict => &d.strict,
        };
        let matched = list
            .iter()
            .any(|(a, v)| *a == parsed.digest && *v == parsed.digest_value);
        check.reference_matches = Some(matched);
        if !matched {
            check
                .findings
                .push(finding(codes::SIGNATURE_REFERENCE_MISMATCH, &path, vec![]));
        }
    }
    // The signer's certificate.
    let Some(first) = parsed.certificates.first() else {
        check.findings.push(finding(
            codes::CERTIFICATE_MALFORMED,
            &path,
            vec![("value", "KeyInfo has no X509Certificate".to_owned())],
        ));
        return check;
    };
    let signer = match xmldsig::base64(first, "X509Certificate")
        .map_err(|p| match p {
            xmldsig::Problem::Malformed(why) | xmldsig::Problem::Unsupported(why) => why,
        })
        .and_then(|der| Certificate::parse(&der).map_err(|e| e.0))
    {
        Ok(c) => c,
        Err(e) => {
            check
                .findings
                .push(finding(codes::CERTIFICATE_MALFORMED, &path, vec![("value", e)]));
            return check;
        }
    };
    let extra: Vec<Certificate> = parsed.certificates[1..]
        .iter()
        .filter_map(|c| Certificate::parse(&xmldsig::base64(c, "X509Certificate").ok()?).ok())
        .collect();
    // The signature value, with the certificate's key.
    let digest = parsed.algorithm.digest().hash(&parsed.signed_info);
    let value_ok =
        signer.key_algorithm() == Some(parsed.algorithm) && signer.verifies(parsed.algorithm, &digest, &parsed.value);
    check.value_verifies = Some(value_ok);
    if !value_ok {
        check.findings.push(finding(codes::SIGNATURE_INVALID, &path, vec![]));
    }
    // Validity at the verification time.
    match at {
        Some(at) if at < signer.not_before => check.findings.push(finding(
            codes::CERTIFICATE_NOT_YET_VALID,
            &path,
            vec![("value", utc(at)), ("expected", utc(signer.not_before))],
        )),
        Some(at) if at > signer.not_after => check.findings.push(finding(
            codes::CERTIFICATE_EXPIRED,
            &path,
            vec![("value", utc(at)), ("expected", utc(signer.not_after))],
        )),
        Some(_) => {}
        None => check
            .findings
            .push(finding(codes::CERTIFICATE_TIME_UNKNOWN, &path, vec![])),
    }
    if !signer.for_signing() {
        let usage = signer.key_usage.as_ref().map_or("—".to_owned(), |k| k.join(", "));
        check.findings.push(finding(
            codes::CERTIFICATE_NOT_FOR_SIGNING,
            &path,
            vec![("value", usage)],
        ));
    }
    // The chain to an anchor.
    let chain = build_chain(&signer, &extra, anchors);
    match &chain {
        Some(chain) => {
            if let Some(at) = at {
                for ca in chain.iter().filter(|c| at < c.not_before || at > c.not_after) {
                    check.findings.push(finding(
                        codes::CERTIFICATE_ISSUER_INVALID,
                        &path,
                        vec![
                            ("value", ca.subject_attribute("CN").unwrap_or(&ca.subject).to_owned()),
                            ("expected", format!("{} – {}", utc(ca.not_before), utc(ca.not_after))),
                        ],
                    ));
                }
            }
        }
        None => check.findings.push(finding(
            codes::CERTIFICATE_UNTRUSTED,
            &path,
            vec![
                ("value", signer.issuer.clone()),
                ("expected", options.anchors.name().to_owned()),
            ],
        )),
    }
    // Revocation, against the CRLs of the signer's issuer.
    check.revocation = revocation(&signer, chain.as_deref(), at, options, &path, &mut check.findings);
    // The sender.
    if let Some(expected) = sender_bin {
        let signer_bin = signer.bin().or_else(|| signer.iin());
        if signer_bin != Some(expected) {
            check.findings.push(finding(
                codes::SIGNATURE_SIGNER_MISMATCH,
                &path,
                vec![
                    ("value", signer_bin.unwrap_or("—").to_owned()),
                    ("expected", expected.to_owned()),
                ],
            ));
        }
    }
    check.chain = chain.unwrap_or_default().iter().map(CertificateSummary::of).collect();
    check.signer = Some(CertificateSummary::of(&signer));
    check
}

fn build_chain(signer: &Certificate, extra: &[Certificate], anchors: &[Certificate]) -> Option<Vec<Certificate>> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = signer.clone();
    for _ in 0..8 {
        if let Some(anchor) = anchors.iter().find(|a| a.issued(&current)) {
            if !anchor.same_as(&current) {
                chain.push(anchor.clone());
            }
            // Up to a self-signed root when the anchors have it, for the report.
            let mut top = anchor.clone();
            while !top.self_signed() {
                match anchors.iter().find(|a| a.issued(&top) && !a.same_as(&top)) {
                    Some(up) if chain.len() < 8 => {
                        chain.push(up.clone());
                        top = up.clone();
                    }
                    _ => break,
                }
            }
            return Some(chain);
        }
        let next = extra
            .iter()
            .find(|c| c.is_ca && c.issued(&current) && !c.same_as(&current))?;
        chain.push(next.clone());
        current = next.clone();
    }
    None
}

fn revocation(
    signer: &Certificate,
    chain: Option<&[Certificate]>,
    at: Option<i64>,
    options: &VerifyOptions,
    path: &str,
    findings: &mut Vec<Finding>,
) -> Revocation {
    let relevant: Vec<&Crl> = options.crls.iter().filter(|c| c.covers(signer)).collect();
    if relevant.is_empty() {
        return Revocation::NotChecked;
    }
    let issuer = chain.and_then(|c| c.first());
    let mut status = Revocation::NotChecked;
    for crl in relevant {
        if !issuer.is_some_and(|i| crl.signed_by(i)) {
            findings.push(finding(codes::CRL_INVALID, path, vec![("value", crl.issuer.clone())]));
            continue;
        }
        if let (Some(at), Some(next)) = (at, crl.next_update) {
            if at > next {
                findings.push(finding(
                    codes::CRL_STALE,
                    path,
                    vec![("value", utc(at)), ("expected", utc(next))],
                ));
            }
        }
        match crl.revoked.iter().find(|(serial, _)| *serial == signer.serial) {
            Some((_, when)) if at.is_none_or(|at| *when <= at) => {
                findings.push(finding(codes::CERTIFICATE_REVOKED, path, vec![("value", utc(*when))]));
                return Revocation::Revoked;
            }
            _ => status = Revocation::Good,
        }
    }
    status
}
