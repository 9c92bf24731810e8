//! The readable text form of reports, for terminals (the `tekser` command and the
//! console scripts of the Python and Node packages print exactly this).

use crate::catalog::Catalog;
use crate::dataset::DatasetReport;
use crate::report::{Finding, Lang, Report, Severity};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The finding as two or more lines: severity, code, record, path; then its message(s).
fn finding_text(out: &mut String, catalog: &Catalog, lang: Option<Lang>, finding: &Finding) {
    let record = finding.record.map(|r| format!("record {r}")).unwrap_or_else(|| {
        if finding.path.starts_with("/signatures") {
            "signature"
        } else {
            "header"
        }
        .to_owned()
    });
    out.push_str(&format!(
        "  {:<7} {:<36} {:<10} {}\n",
        finding.severity.as_str(),
        finding.code,
        record,
        finding.path
    ));
    match lang {
        Some(lang) => out.push_str(&format!("          {}\n", finding.message(catalog, lang))),
        None => {
            for lang in Lang::ALL {
                out.push_str(&format!(
                    "          [{}] {}\n",
                    lang.as_str(),
                    finding.message(catalog, lang)
                ));
            }
        }
    }
}

impl Report {
    /// The report as readable text, headed by `name` (a file name, `<stdin>`, …).
    pub fn to_text(&self, name: &str) -> String {
        let Ok(catalog) = Catalog::named(&self.rule_set).or_else(|_| Catalog::get()) else {
            return format!("{name}: {}\n", self.status.as_str());
        };
        let mut out = format!(
            "{name}: {} — {}, {}, {}, {} (rule set {}, packet {})\n",
            self.status.as_str(),
            self.entity,
            plural(self.record_count, "record", "records"),
            plural(self.count(Severity::Error), "error", "errors"),
            plural(self.count(Severity::Warning), "warning", "warnings"),
            self.rule_set,
            self.packet_id.as_deref().unwrap_or("-"),
        );
        out.push_str(&format!(
            "  digest {} · rules {} · dictionaries {} · {}\n",
            self.digest.as_deref().unwrap_or("-"),
            self.rules_digest,
            self.dictionaries,
            self.engine
        ));
        for finding in &self.findings {
            finding_text(&mut out, catalog, self.lang, finding);
        }
        if !self.omitted.is_empty() {
            let total: u64 = self.omitted.iter().map(|o| o.count).sum();
            let per_code: Vec<String> = self
                .omitted
                .iter()
                .map(|o| format!("{} × {}", o.count, o.code))
                .collect();
            out.push_str(&format!(
                "  … and {total} more not shown (the report keeps {} findings): {}\n",
                self.findings.len(),
                per_code.join(", ")
            ));
        }
        if let Some(signature) = &self.signature {
            signature_text(&mut out, catalog, signature);
            if let Some(stage) = self.refused_by() {
                out.push_str(&format!("  refused by: {}\n", stage.replace('_', " ")));
            }
        }
        out
    }
}

/// The signature section of a report as text: one line per signature, then its findings.
fn signature_text(out: &mut String, catalog: &Catalog, signature: &crate::signature::SignatureReport) {
    out.push_str(&format!(
        "  signature: {} — at {} ({}), anchors {}, {} reading\n",
        signature.status.as_str(),
        signature.at.as_deref().unwrap_or("unknown"),
        signature.time_source.as_str(),
        signature.anchors,
        signature.semantics.as_str()
    ));
    for finding in &signature.findings {
        finding_text(out, catalog, signature.lang, finding);
    }
    for check in &signature.signatures {
        let signer = check.signer.as_ref();
        out.push_str(&format!(
            "    #{} {} {} — signer {}{}{}, certificate {} valid {} – {}\n",
            check.index,
            if check.valid() { "valid" } else { "invalid" },
            check.algorithm.map_or("?", |a| a.as_str()),
            signer.and_then(|c| c.common_name.as_deref()).unwrap_or("?"),
            signer
                .and_then(|c| c.iin.as_deref())
                .map(|i| format!(", IIN {i}"))
                .unwrap_or_default(),
            signer
                .and_then(|c| c.bin.as_deref())
                .map(|b| format!(", BIN {b}"))
                .unwrap_or_default(),
            signer.map_or("?", |c| c.serial.as_str()),
            signer.map_or("?", |c| c.not_before.as_str()),
            signer.map_or("?", |c| c.not_after.as_str()),
        ));
        for finding in &check.findings {
            finding_text(out, catalog, signature.lang, finding);
        }
    }
}

impl crate::signature::SignatureReport {
    /// The signature report as readable text, headed by `name`.
    pub fn to_text(&self, name: &str) -> String {
        let mut out = format!("{name}: signature {}\n", self.status.as_str());
        if let Ok(catalog) = Catalog::get() {
            signature_text(&mut out, catalog, self);
        }
        out
    }
}

impl DatasetReport {
    /// The dataset report as readable text: each packet's report, then the cross-entity
    /// findings with the other side of each.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for packet in &self.packets {
            out.push_str(&packet.report.to_text(&packet.label));
        }
        let errors = self
            .findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Error)
            .count();
        out.push_str(&format!(
            "dataset of {}: {} — {} across packets\n",
            plural(self.packets.len(), "packet", "packets"),
            self.status().as_str(),
            plural(errors, "error", "errors")
        ));
        let Ok(catalog) = Catalog::get() else { return out };
        for f in &self.findings {
            let label = self.packets.get(f.packet).map(|p| p.label.as_str()).unwrap_or("");
            out.push_str(&format!("  in {label}:\n"));
            finding_text(&mut out, catalog, self.lang, &f.finding);
            if let Some(r) = &f.related {
                let other = r.packet.and_then(|i| self.packets.get(i)).map(|p| p.label.as_str());
                out.push_str(&format!(
                    "          other side: {} {} {}\n",
                    r.entity,
                    other.unwrap_or("(no packet of the dataset)"),
                    r.path.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }
}
