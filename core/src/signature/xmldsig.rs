//! The parts of an XMLDSig `Signature` element the check uses, read from its captured tree.

use base64::Engine;

use super::certificate::SignatureAlgorithm;
use super::document::{canonical_apex, Captured, Element, DSIG};
use crate::digest::Algorithm;

/// C14N 1.0 without and with comments.
const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const C14N_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// SignatureMethod URIs and what they mean.
const SIGNATURE_METHODS: [(&str, SignatureAlgorithm); 3] = [
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        SignatureAlgorithm::RsaSha256,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311",
        SignatureAlgorithm::Gost2004,
    ),
    (
        "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512",
        SignatureAlgorithm::Gost2015,
    ),
];

/// DigestMethod URIs and their hashes.
const DIGEST_METHODS: [(&str, Algorithm); 3] = [
    ("http://www.w3.org/2001/04/xmlenc#sha256", Algorithm::Sha256),
    ("http://www.w3.org/2001/04/xmldsig-more#gost34311", Algorithm::Gost34311),
    (
        "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-512",
        Algorithm::Streebog512,
    ),
];

/// Why a signature element cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Its structure is not that of an XMLDSig signature (what is wrong).
    Malformed(String),
    /// An algorithm or transform tekser does not implement (its URI).
    Unsupported(String),
}

/// A signature ready to be checked.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The SignatureMethod URI.
    pub method: String,
    /// What it means.
    pub algorithm: SignatureAlgorithm,
    /// The reference's digest algorithm.
    pub digest: Algorithm,
    /// The reference's digest value.
    pub digest_value: Vec<u8>,
    /// The canonical SignedInfo.
    pub signed_info: Vec<u8>,
    /// The SignatureValue bytes.
    pub value: Vec<u8>,
    /// The X509Certificate texts of KeyInfo, in order (the first is the signer's); decoded by
    /// the certificate check, so that bad base64 there is a certificate finding.
    pub certificates: Vec<String>,
}

pub(crate) fn base64(text: &str, what: &str) -> Result<Vec<u8>, Problem> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| {
            Problem::Malformed(format!(
                "{what} is not base64 ({})",
                e.to_string().trim_end_matches('.')
            ))
        })
}

fn child<'a>(parent: &'a Element, local: &str) -> Result<&'a Element, Problem> {
    parent
        .child(DSIG, local)
        .ok_or_else(|| Problem::Malformed(format!("{} has no {local}", parent.local)))
}

fn algorithm_of(element: &Element) -> Result<&str, Problem> {
    element
        .attribute("Algorithm")
        .ok_or_else(|| Problem::Malformed(format!("{} has no Algorithm", element.local)))
}

/// The digest algorithm a DigestMethod URI names.
pub(crate) fn digest_method(uri: &str) -> Option<Algorithm> {
    DIGEST_METHODS.iter().find(|(u, _)| *u == uri).map(|(_, a)| *a)
}

/// Reads a captured signature: an enveloped signature over the whole document (one Reference,
/// `URI=""`, C14N 1.0), as the exchange's signers make them.
pub(crate) fn parse(captured: &Captured) -> Result<Parsed, Problem> {
    let signature = &captured.element;
    let signed_info = child(signature, "SignedInfo")?;
    let c14n = algorithm_of(child(signed_info, "CanonicalizationMethod")?)?;
    let comments = match c14n {
        C14N => false,
        C14N_COMMENTS => true,
        other => return Err(Problem::Unsupported(other.to_owned())),
    };
    let method = algorithm_of(child(signed_info, "SignatureMethod")?)?;
    let algorithm = SIGNATURE_METHODS
        .iter()
        .find(|(u, _)| *u == method)
        .map(|(_, a)| *a)
        .ok_or_else(|| Problem::Unsupported(method.to_owned()))?;
    let references: Vec<&Element> = signed_info
        .elements()
        .filter(|e| e.ns == DSIG && e.local == "Reference")
        .collect();
    let reference = match references.as_slice() {
        [one] => *one,
        [] => return Err(Problem::Malformed("SignedInfo has no Reference".into())),
        _ => return Err(Problem::Unsupported("more than one Reference".into())),
    };
    match reference.attribute("URI") {
        Some("") => {}
        Some(other) => return Err(Problem::Unsupported(format!("Reference URI={other:?}"))),
        None => return Err(Problem::Unsupported("Reference without URI".into())),
    }
    let mut enveloped = false;
    if let Some(transforms) = reference.child(DSIG, "Transforms") {
        for (i, transform) in transforms
            .elements()
            .filter(|e| e.ns == DSIG && e.local == "Transform")
            .enumerate()
        {
            match (i, algorithm_of(transform)?) {
                (0, ENVELOPED) => enveloped = true,
                (1, C14N | C14N_COMMENTS) if enveloped => {}
                (_, other) => return Err(Problem::Unsupported(other.to_owned())),
            }
        }
    }
    if !enveloped {
        return Err(Problem::Unsupported(
            "a Reference without the enveloped-signature transform".into(),
        ));
    }
    let digest_uri = algorithm_of(child(reference, "DigestMethod")?)?;
    let digest = digest_method(digest_uri).ok_or_else(|| Problem::Unsupported(digest_uri.to_owned()))?;
    let digest_value = base64(&child(reference, "DigestValue")?.text(), "DigestValue")?;
    let value = base64(&child(signature, "SignatureValue")?.text(), "SignatureValue")?;
    let certificates = match signature.child(DSIG, "KeyInfo").and_then(|k| k.child(DSIG, "X509Data")) {
        Some(data) => data
            .elements()
            .filter(|e| e.ns == DSIG && e.local == "X509Certificate")
            .map(Element::text)
            .collect(),
        None => Vec::new(),
    };
    let mut scope = captured.scope.clone();
    scope.extend(signature.declarations.iter().cloned());
    scope.extend(signed_info.declarations.iter().cloned());
    let mut xml_attributes = captured.xml_attributes.clone();
    xml_attributes.extend(
        signature
            .attributes
            .iter()
            .filter(|a| a.ns == "http://www.w3.org/XML/1998/namespace")
            .cloned(),
    );
    let mut canonical = Vec::new();
    canonical_apex(&mut canonical, signed_info, &scope, &xml_attributes, comments);
    Ok(Parsed {
        method: method.to_owned(),
        algorithm,
        digest,
        digest_value,
        signed_info: canonical,
        value,
        certificates,
    })
}
