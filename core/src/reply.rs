//! The reply message of Rules p.13 and Appendix 2, scheme 1: after the integrity check
//! and format-logical control the receiver answers "data accepted" (step 5) or "error"
//! (step 7). The reply names the packet and the digest of what was received, so the
//! sender can check that the receiver validated exactly the packet it sent.
//!
//! Written as JSON or XML (`https://tekser.example/schemas/eoz-2019/reply`), read back
//! from either; times are ISO 8601 with the Astana offset in force (Rules p.13).

use crate::calendar::LocalDateTime;
use crate::catalog::Catalog;
use crate::codes;
use crate::digest::parse_digest;
use crate::error::Error;
use crate::report::{Finding, Lang, Report, Severity, Status};
use crate::value::{get, int, opt_text, text, Object, Value};

/// The XML namespace of reply messages.
pub const XML_NAMESPACE: &str = "https://tekser.example/schemas/eoz-2019/reply";

/// One finding as the reply carries it (one message, in the reply's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyFinding {
    /// Stable finding code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// JSON Pointer in the packet.
    pub path: String,
    /// Record index, if the finding is about a record.
    pub record: Option<usize>,
    /// Field name, if the finding is about one field.
    pub field: Option<String>,
    /// The message.
    pub message: String,
}

/// The longest time, in minutes, from a packet's formation to its transfer (Rules p.18 (3)).
pub const TRANSFER_LIMIT_MINUTES: i64 = 60;

/// Rules p.18 (3): information reaches the Registry within one hour of its formation.
/// The reply time stands for the moment of transfer; both are Astana local times, turned
/// into instants so that the 2024 switch from UTC+6 to UTC+5 counts right.
fn transfer_late(
    catalog: &Catalog,
    lang: Lang,
    created: LocalDateTime,
    replied: LocalDateTime,
) -> Option<ReplyFinding> {
    let minutes = replied.instant().utc_minutes - created.instant().utc_minutes;
    if minutes <= TRANSFER_LIMIT_MINUTES {
        return None;
    }
    let rule = catalog.rule(codes::REPLY_TRANSFER_LATE);
    let finding = Finding {
        code: codes::REPLY_TRANSFER_LATE,
        severity: rule.map_or(Severity::Warning, |r| r.severity),
        path: "/header/created_at".to_owned(),
        record: None,
        field: Some("created_at".to_owned()),
        suggestion: None,
        params: vec![
            ("value", minutes.to_string()),
            ("created", created.to_iso8601()),
            ("replied", replied.to_iso8601()),
        ],
    };
    Some(ReplyFinding {
        code: finding.code.to_owned(),
        severity: finding.severity.as_str().to_owned(),
        path: finding.path.clone(),
        record: None,
        field: finding.field.clone(),
        message: finding.message(catalog, lang),
    })
}

/// A reply message: "data accepted" or "error".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// True for "data accepted", false for "error".
    pub accepted: bool,
    /// The packet id from the header.
    pub packet_id: Option<String>,
    /// The entity of the packet.
    pub entity: String,
    /// Integrity digest of the packet as received (`<algorithm>:<hex>`).
    pub digest: String,
    /// The packet's creation time, ISO 8601 with the Astana offset in force then.
    pub created_at: Option<String>,
    /// The moment of the reply, ISO 8601 with the Astana offset, when the caller gives it.
    pub replied_at: Option<String>,
    /// The rule set applied.
    pub rule_set: String,
    /// Digest of the rule set and dictionaries used.
    pub rules_digest: String,
    /// Version of the dictionaries used.
    pub dictionaries: String,
    /// The engine that validated the packet.
    pub engine: String,
    /// Number of records.
    pub record_count: usize,
    /// Language of the messages.
    pub lang: Lang,
    /// The findings (errors and warnings); a signed packet's signature findings first.
    pub findings: Vec<ReplyFinding>,
    /// The signature stage's result (`accepted` or `rejected`) when the packet was signed.
    pub signature: Option<String>,
}

impl Reply {
    /// The reply to a report. `replied_at` is the receiver's Astana local time of the
    /// reply (core has no clock); messages are in the report's language, Russian when
    /// the report has all three. A reply more than an hour after the packet's
    /// `created_at` carries the warning `reply.transfer_late` (Rules p.18 (3)).
    pub fn from_report(report: &Report, replied_at: Option<LocalDateTime>) -> Result<Reply, Error> {
        let catalog = Catalog::named(&report.rule_set).or_else(|_| Catalog::get())?;
        let digest = report
            .digest
            .clone()
            .ok_or_else(|| Error::InvalidReply("the report has no packet digest".to_owned()))?;
        let lang = report.lang.unwrap_or(Lang::Ru);
        let signature_findings = report.signature.iter().flat_map(|s| s.all_findings());
        let mut findings: Vec<ReplyFinding> = signature_findings
            .chain(report.findings.iter())
            .map(|f| ReplyFinding {
                code: f.code.to_owned(),
                severity: f.severity.as_str().to_owned(),
                path: f.path.clone(),
                record: f.record,
                field: f.field.clone(),
                message: f.message(catalog, lang),
            })
            .collect();
        if let (Some(created), Some(replied)) = (report.created_at, replied_at) {
            findings.extend(transfer_late(catalog, lang, created, replied));
        }
        Ok(Reply {
            accepted: report.status == Status::Accepted,
            packet_id: report.packet_id.clone(),
            entity: report.entity.as_str().to_owned(),
            digest,
            created_at: report.created_at.map(|t| t.to_iso8601()),
            replied_at: replied_at.map(|t| t.to_iso8601()),
            rule_set: report.rule_set.clone(),
            rules_digest: report.rules_digest.clone(),
            dictionaries: report.dictionaries.clone(),
            engine: report.engine.clone(),
            record_count: report.record_count,
            lang,
            findings,
            signature: report.signature.as_ref().map(|s| s.status.as_str().to_owned()),
        })
    }

    /// `accepted` or `error`.
    pub fn status(&self) -> &'static str {
        if self.accepted {
            "accepted"
        } else {
            "error"
        }
    }

    /// True when the reply names `digest`: the receiver validated what was sent.
    pub fn confirms(&self, digest: &str) -> bool {
        self.digest == digest
    }

    fn count(&self, severity: &str) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    fn to_value(&self) -> Value {
        let findings = self
            .findings
            .iter()
            .map(|f| {
                Value::Object(vec![
                    ("code".into(), text(&f.code)),
                    ("severity".into(), text(&f.severity)),
                    ("path".into(), text(&f.path)),
                    ("record".into(), f.record.map_or(Value::Null, int)),
                    ("field".into(), opt_text(f.field.as_deref())),
                    ("message".into(), text(&f.message)),
                ])
            })
            .collect();
        let mut members = vec![
            ("status".into(), text(self.status())),
            ("packet_id".into(), opt_text(self.packet_id.as_deref())),
            ("entity".into(), text(&self.entity)),
            ("digest".into(), text(&self.digest)),
            ("created_at".into(), opt_text(self.created_at.as_deref())),
            ("replied_at".into(), opt_text(self.replied_at.as_deref())),
            ("rule_set".into(), text(&self.rule_set)),
            ("rules_digest".into(), text(&self.rules_digest)),
            ("dictionaries".into(), text(&self.dictionaries)),
            ("engine".into(), text(&self.engine)),
            ("record_count".into(), int(self.record_count)),
            ("errors".into(), int(self.count("error"))),
            ("warnings".into(), int(self.count("warning"))),
            ("lang".into(), text(self.lang.as_str())),
            ("findings".into(), Value::Array(findings)),
        ];
        // Only a signed packet's reply has it, so other replies are unchanged.
        if let Some(signature) = &self.signature {
            members.push(("signature".into(), text(signature)));
        }
        Value::Object(members)
    }

    /// The reply as indented JSON.
    pub fn to_json(&self) -> String {
        self.to_value().to_pretty_json()
    }

    /// The reply as XML: `<reply xmlns="…/reply">` with one element per JSON member, null
    /// members left out, findings as `<findings><finding>…</finding></findings>`.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!("<reply xmlns=\"{XML_NAMESPACE}\">\n"));
        if let Value::Object(members) = self.to_value() {
            for (name, value) in &members {
                write_xml(&mut out, name, value, 1);
            }
        }
        out.push_str("</reply>\n");
        out
    }

    /// Reads a reply written as JSON or XML.
    pub fn parse(input: &[u8]) -> Result<Reply, Error> {
        let (text, format) = crate::detect(input)?;
        let tree = match format {
            crate::InputFormat::Json => crate::json::to_value(crate::json::parse_raw(text)?)?,
            crate::InputFormat::Xml => crate::xml::parse_rooted(text, &["findings"], "reply")?,
        };
        let Value::Object(doc) = &tree else {
            return Err(bad("the top level is not an object / <reply> element"));
        };
        let status = required_text(doc, "status")?;
        let accepted = match status.as_str() {
            "accepted" => true,
            "error" => false,
            other => {
                return Err(Error::InvalidReply(format!(
                    "status {other:?} is not accepted or error"
                )))
            }
        };
        let digest = required_text(doc, "digest")?;
        if parse_digest(&digest).is_none() {
            return Err(Error::InvalidReply(format!("{digest:?} is not a digest")));
        }
        let lang = optional_text(doc, "lang")?
            .map(|l| l.parse::<Lang>().map_err(|e| Error::InvalidReply(e.to_string())))
            .transpose()?
            .unwrap_or(Lang::Ru);
        let mut findings = Vec::new();
        match get(doc, "findings") {
            None | Some(Value::Null) => {}
            Some(Value::Text(t)) if t.trim().is_empty() => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(f) = item else {
                        return Err(bad("a finding is not an object"));
                    };
                    findings.push(ReplyFinding {
                        code: required_text(f, "code")?,
                        severity: required_text(f, "severity")?,
                        path: optional_text(f, "path")?.unwrap_or_default(),
                        record: optional_index(f, "record")?,
                        field: optional_text(f, "field")?,
                        message: optional_text(f, "message")?.unwrap_or_default(),
                    });
                }
            }
            Some(_) => return Err(bad("findings is not a list")),
        }
        let reply = Reply {
            accepted,
            packet_id: optional_text(doc, "packet_id")?,
            entity: required_text(doc, "entity")?,
            digest,
            created_at: optional_text(doc, "created_at")?,
            replied_at: optional_text(doc, "replied_at")?,
            rule_set: required_text(doc, "rule_set")?,
            rules_digest: required_text(doc, "rules_digest")?,
            dictionaries: optional_text(doc, "dictionaries")?.unwrap_or_default(),
            engine: optional_text(doc, "engine")?.unwrap_or_default(),
            record_count: optional_index(doc, "record_count")?.unwrap_or(0),
            lang,
            findings,
            signature: optional_text(doc, "signature")?,
        };
        if reply.accepted && reply.count("error") > 0 {
            return Err(bad("an accepted reply lists errors"));
        }
        Ok(reply)
    }
}

fn bad(message: &str) -> Error {
    Error::InvalidReply(message.to_owned())
}

fn optional_text(o: &Object, key: &str) -> Result<Option<String>, Error> {
    match get(o, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Text(t)) => Ok(Some(t.clone())),
        Some(_) => Err(Error::InvalidReply(format!("{key} is not a string"))),
    }
}

fn required_text(o: &Object, key: &str) -> Result<String, Error> {
    optional_text(o, key)?.ok_or_else(|| Error::InvalidReply(format!("{key} is missing")))
}

fn optional_index(o: &Object, key: &str) -> Result<Option<usize>, Error> {
    match get(o, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n) | Value::Text(n)) => n
            .parse()
            .map(Some)
            .map_err(|_| Error::InvalidReply(format!("{key} is not a whole number"))),
        Some(_) => Err(Error::InvalidReply(format!("{key} is not a number"))),
    }
}

/// Escapes XML text; characters XML 1.0 cannot carry at all become U+FFFD, and CR is
/// written as a character reference so that it survives line-end normalisation.
fn escape_xml(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

fn write_xml(out: &mut String, name: &str, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Null => {}
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str(&format!("{pad}<{name}/>\n"));
                return;
            }
            out.push_str(&format!("{pad}<{name}>\n"));
            let item_name = name.strip_suffix('s').unwrap_or("item");
            for item in items {
                write_xml(out, item_name, item, depth + 1);
            }
            out.push_str(&format!("{pad}</{name}>\n"));
        }
        Value::Object(members) => {
            out.push_str(&format!("{pad}<{name}>\n"));
            for (key, member) in members {
                write_xml(out, key, member, depth + 1);
            }
            out.push_str(&format!("{pad}</{name}>\n"));
        }
        Value::Bool(b) => out.push_str(&format!("{pad}<{name}>{b}</{name}>\n")),
        Value::Number(n) => out.push_str(&format!("{pad}<{name}>{n}</{name}>\n")),
        Value::Text(t) => {
            out.push_str(&format!("{pad}<{name}>"));
            escape_xml(out, t);
            out.push_str(&format!("</{name}>\n"));
        }
    }
}
