//! Findings, the report, and its one canonical JSON form.
//!
//! Every host returns the bytes of [`Report::to_json`], so the serialisation is written
//! out here by hand: fixed key order, two-space indentation, `\n` line ends, strings
//! escaped as RFC 8785 does (only `"`, `\` and control characters), no floats.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::catalog::Catalog;
use crate::entity::Entity;
use crate::value::{int, opt_text, text, Value};

/// Language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// Russian.
    Ru,
    /// Kazakh.
    Kk,
    /// English.
    En,
}

impl Lang {
    /// All languages in report order.
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    /// ISO 639-1 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Lang::Ru => 0,
            Lang::Kk => 1,
            Lang::En => 2,
        }
    }
}

/// An unknown language code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}; expected ru, kk or en")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code {
            "ru" => Ok(Lang::Ru),
            "kk" | "kz" => Ok(Lang::Kk),
            "en" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_owned())),
        }
    }
}

/// How serious a finding is: errors reject the packet, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Rejects the packet.
    Error,
    /// Reported, does not reject.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The verdict on a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every check ran and no error was found.
    Accepted,
    /// At least one error.
    Rejected,
}

impl Status {
    /// `accepted` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }
}

/// One problem found in a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code from the rule catalog.
    pub code: &'static str,
    /// Severity from the rule catalog.
    pub severity: Severity,
    /// JSON Pointer of the offending value in the packet's data model.
    pub path: String,
    /// Index of the record, or `None` for the header and the packet as a whole.
    pub record: Option<usize>,
    /// Service name of the field, if the finding is about one field.
    pub field: Option<String>,
    /// The nearest known spelling, when the value looks like a typo of one.
    pub suggestion: Option<String>,
    /// Message parameters (`value`, `expected`, …).
    pub params: Vec<(&'static str, String)>,
}

impl Finding {
    /// The message in `lang`, rendered from the catalog's template.
    pub fn message(&self, catalog: &Catalog, lang: Lang) -> String {
        let template = catalog.rule(self.code).map(|r| r.template(lang)).unwrap_or(self.code);
        let mut message = template.replace("{field}", self.field.as_deref().unwrap_or(""));
        for (name, value) in &self.params {
            let value = if *name == "reason" {
                catalog.phrase(value, lang).unwrap_or(value).to_owned()
            } else {
                shorten(value)
            };
            message = message.replace(&format!("{{{name}}}"), &value);
        }
        if let Some(suggestion) = &self.suggestion {
            if let Some(suffix) = catalog.phrase("suggestion", lang) {
                message.push(' ');
                message.push_str(&suffix.replace("{suggestion}", suggestion));
            }
        }
        message
    }
}

/// Long values are cut in messages so that a report stays readable.
fn shorten(value: &str) -> String {
    const LIMIT: usize = 80;
    if value.chars().count() <= LIMIT {
        value.to_owned()
    } else {
        let mut cut: String = value.chars().take(LIMIT).collect();
        cut.push('…');
        cut
    }
}

/// The result of validating one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Accepted or rejected.
    pub status: Status,
    /// The entity of the records.
    pub entity: Entity,
    /// The rule set applied.
    pub rule_set: String,
    /// Digest of the rule set's files and the dictionaries actually used.
    pub rules_digest: String,
    /// Version of the dictionaries used (`built-in` or a dictionary file's version).
    pub dictionaries: String,
    /// The engine that produced the report: `tekser <version>`.
    pub engine: String,
    /// Integrity digest of the packet's canonical form (SHA-256), when the whole packet was read.
    pub digest: Option<String>,
    /// The header's creation time (Astana local time), when valid; used by the reply.
    pub created_at: Option<crate::calendar::LocalDateTime>,
    /// The packet id from the header, when it is a valid GUID.
    pub packet_id: Option<String>,
    /// Number of records in the packet.
    pub record_count: usize,
    /// Findings in canonical order (at most the options' `max_findings`).
    pub findings: Vec<Finding>,
    /// Findings left out when there were more than `max_findings`: how many of each code
    /// (and its severity), by code. The verdict and the counts cover them all.
    pub omitted: Vec<Omitted>,
    /// Language of messages; `None` renders all three.
    pub lang: Option<Lang>,
    /// The signature stage's result, when it ran (a signed packet; [`Report::with_signature`]).
    pub signature: Option<crate::signature::SignatureReport>,
}

/// How many findings of one code a report left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    /// The finding code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// How many were left out.
    pub count: u64,
}

impl Report {
    /// Whether the packet was accepted.
    pub fn accepted(&self) -> bool {
        self.status == Status::Accepted
    }

    /// Number of findings of `severity`, those left out included.
    pub fn count(&self, severity: Severity) -> usize {
        let kept = self.findings.iter().filter(|f| f.severity == severity).count();
        let left_out: u64 = self
            .omitted
            .iter()
            .filter(|o| o.severity == severity)
            .map(|o| o.count)
            .sum();
        kept + usize::try_from(left_out).unwrap_or(usize::MAX)
    }

    /// The `omitted` member of the JSON form: `{code: count}`, only when findings were left out.
    fn omitted_value(&self) -> Option<Value> {
        (!self.omitted.is_empty()).then(|| {
            Value::Object(
                self.omitted
                    .iter()
                    .map(|o| (o.code.to_owned(), Value::Number(o.count.to_string())))
                    .collect(),
            )
        })
    }

    /// The findings as documents (shared by the report and the reply message).
    pub(crate) fn findings_value(&self, catalog: &Catalog) -> Value {
        Value::Array(
            self.findings
                .iter()
                .map(|f| f.to_value(catalog, self.lang, None))
                .collect(),
        )
    }

    /// The report with the signature stage's result: rejected when the signature is
    /// (Rules, Appendix 2 scheme 1: integrity, then the EDS certificate, then format-logical
    /// control), and the signature report in the same language.
    pub fn with_signature(mut self, mut signature: crate::signature::SignatureReport) -> Report {
        signature.lang = self.lang;
        if !signature.accepted() {
            self.status = Status::Rejected;
        }
        self.signature = Some(signature);
        self
    }

    /// The first stage of the Rules' pipeline that refused the packet: `signature` or
    /// `format_logical_control` (an unreadable packet never has a report), or `None`.
    pub fn refused_by(&self) -> Option<&'static str> {
        if self.signature.as_ref().is_some_and(|s| !s.accepted()) {
            Some("signature")
        } else if self.count(Severity::Error) > 0 {
            Some("format_logical_control")
        } else {
            None
        }
    }

    /// The canonical JSON form of the report: the same bytes on every host.
    pub fn to_json(&self) -> String {
        let catalog = match Catalog::named(&self.rule_set).or_else(|_| Catalog::get()) {
            Ok(c) => c,
            // A report only exists once the catalog loaded, so this cannot happen; still no panic.
            Err(e) => return format!("{{\n  \"error\": {}\n}}\n", json_string(&e.to_string())),
        };
        let mut members = vec![
            ("status".into(), text(self.status.as_str())),
            ("entity".into(), text(self.entity.as_str())),
            ("rule_set".into(), text(&self.rule_set)),
            ("rules_digest".into(), text(&self.rules_digest)),
            ("dictionaries".into(), text(&self.dictionaries)),
            ("engine".into(), text(&self.engine)),
            ("packet_id".into(), opt_text(self.packet_id.as_deref())),
            ("digest".into(), opt_text(self.digest.as_deref())),
            ("record_count".into(), int(self.record_count)),
            ("errors".into(), int(self.count(Severity::Error))),
            ("warnings".into(), int(self.count(Severity::Warning))),
            ("findings".into(), self.findings_value(catalog)),
        ];
        if let Some(omitted) = self.omitted_value() {
            members.push(("omitted".into(), omitted));
        }
        // Only a signed packet's report has these, so unsigned packets' reports are unchanged.
        if let Some(signature) = &self.signature {
            members.push(("refused_by".into(), opt_text(self.refused_by())));
            members.push(("signature".into(), signature.to_value()));
        }
        Value::Object(members).to_pretty_json()
    }
}

impl Finding {
    /// The finding as a document: code, severity, [packet,] path, record, field, the
    /// message (one language) or messages (all three), and the suggestion if any.
    pub(crate) fn to_value(&self, catalog: &Catalog, lang: Option<Lang>, packet: Option<&str>) -> Value {
        let mut members = vec![
            ("code".to_owned(), text(self.code)),
            ("severity".to_owned(), text(self.severity.as_str())),
        ];
        if let Some(label) = packet {
            members.push(("packet".to_owned(), text(label)));
        }
        members.push(("path".to_owned(), text(&self.path)));
        members.push(("record".to_owned(), self.record.map_or(Value::Null, int)));
        members.push(("field".to_owned(), opt_text(self.field.as_deref())));
        match lang {
            Some(lang) => members.push(("message".to_owned(), text(self.message(catalog, lang)))),
            None => members.push((
                "messages".to_owned(),
                Value::Object(
                    Lang::ALL
                        .iter()
                        .map(|l| (l.as_str().to_owned(), text(self.message(catalog, *l))))
                        .collect(),
                ),
            )),
        }
        if let Some(suggestion) = &self.suggestion {
            members.push(("suggestion".to_owned(), text(suggestion)));
        }
        Value::Object(members)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_json_string(&mut out, s);
    out
}

/// Writes `s` as a JSON string the way RFC 8785 does.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Runs of characters that need no escape are copied whole (the common case: all of
    // it); eight bytes are checked at a time.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            if !needs_escape(u64::from_le_bytes(w)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        i += 1;
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Whether any of the eight bytes of `w` is a control character, `"` or `\\`.
pub(crate) fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 (bytes of 0x80 and up are masked out by `!w`).
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    control | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) != 0
}

/// Canonical order of findings: header first, then by record, then by path (numeric
/// segments compared as numbers), then by code.
pub(crate) fn canonical_order(a: &Finding, b: &Finding) -> Ordering {
    let record = |f: &Finding| f.record.map_or(0, |r| r + 1);
    record(a)
        .cmp(&record(b))
        .then_with(|| compare_paths(&a.path, &b.path))
        .then_with(|| a.code.cmp(b.code))
}

fn compare_paths(a: &str, b: &str) -> Ordering {
    let mut left = a.split('/');
    let mut right = b.split('/');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn strings_are_escaped_as_serde_json_does_wherever_the_character_sits() {
        let specials: Vec<char> = (0u8..0x20)
            .map(char::from)
            .chain(['"', '\\', '\u{7f}', 'й', '€', '😀'])
            .collect();
        for c in specials {
            for before in 0..17 {
                for after in [0, 1, 9] {
                    let text = format!("{}{c}{}", "a".repeat(before), "ж".repeat(after));
                    let mut out = String::new();
                    write_json_string(&mut out, &text);
                    let expected = serde_json::to_string(&text).expect("a string serializes");
                    assert_eq!(out, expected, "{text:?}");
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn escaping_is_rfc8785() {
        assert_eq!(json_string("a\"b\\c\u{1}\n/é"), "\"a\\\"b\\\\c\\u0001\\n/é\"");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn numeric_path_order() {
        assert_eq!(compare_paths("/records/10/id", "/records/9/id"), Ordering::Greater);
        assert_eq!(compare_paths("/records/1", "/records/1/id"), Ordering::Less);
    }
}
