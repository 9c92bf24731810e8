//! The validator: walks a packet's header and records and collects findings.
//!
//! Records are pushed one at a time ([`Validator::record`]); the only state kept across
//! records is the set of record keys for duplicate detection. A later streaming reader
//! can therefore feed records as it parses them without changing any rule.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, FieldDef, Kind, RecordSchema};
use crate::codes;
use crate::entity::Entity;
use crate::kinds::{self, NumberCode, Parsed, Problem};
use crate::report::{canonical_order, Finding, Lang, Report, Status};
use crate::rules;
use crate::suggest;
use crate::value::{Object, Value};

/// The state of one field of a checked record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldState {
    /// Not given (absent, null or blank).
    Absent,
    /// Given but with an error already reported: rules depending on it do not run.
    Invalid,
    /// Given and valid.
    Valid(Parsed),
    /// A list field (detail rows): how many rows it has, and how many distinct lots they
    /// name (`None` when a row's `lot_id` is not valid).
    List { rows: usize, lots: Option<usize> },
}

/// The checked fields of one record, for the record rules.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    states: Vec<(String, FieldState)>,
}

impl Fields {
    pub(crate) fn state(&self, name: &str) -> &FieldState {
        self.states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .unwrap_or(&FieldState::Absent)
    }

    pub(crate) fn valid(&self, name: &str) -> Option<&Parsed> {
        match self.state(name) {
            FieldState::Valid(p) => Some(p),
            _ => None,
        }
    }
}

/// Which rows a key belongs to: keys are unique among records, and among detail rows.
#[derive(Clone, Copy)]
enum Rows {
    Records,
    Details,
}

/// Escapes one JSON Pointer segment.
pub(crate) fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Collects the findings of one packet.
pub struct Validator<'c> {
    catalog: &'c Catalog,
    entity: Entity,
    lang: Option<Lang>,
    findings: Vec<Finding>,
    record_count: usize,
    packet_id: Option<String>,
    created_at: Option<crate::calendar::LocalDateTime>,
    record_keys: BTreeMap<String, String>,
    detail_keys: BTreeMap<String, String>,
    /// Lot id → the record that names its winner (results packets only).
    winners: BTreeMap<String, usize>,
    collected: Option<crate::dataset::Collected>,
}

impl<'c> Validator<'c> {
    /// A validator for records of `entity`.
    pub fn new(catalog: &'c Catalog, entity: Entity, lang: Option<Lang>) -> Validator<'c> {
        Validator {
            catalog,
            entity,
            lang,
            findings: Vec::new(),
            record_count: 0,
            packet_id: None,
            created_at: None,
            record_keys: BTreeMap::new(),
            detail_keys: BTreeMap::new(),
            winners: BTreeMap::new(),
            collected: None,
        }
    }

    /// Also gathers the ids and references of the records for dataset checks.
    pub(crate) fn collect_references(&mut self) {
        self.collected = Some(crate::dataset::Collected::default());
    }

    pub(crate) fn push(
        &mut self,
        code: &'static str,
        path: String,
        record: Option<usize>,
        field: Option<&str>,
        problem_params: Vec<(&'static str, String)>,
        suggestion: Option<String>,
    ) {
        let severity = self
            .catalog
            .rule(code)
            .map(|r| r.severity)
            .unwrap_or(crate::report::Severity::Error);
        self.findings.push(Finding {
            code,
            severity,
            path,
            record,
            field: field.map(str::to_owned),
            suggestion,
            params: problem_params,
        });
    }

    /// A value of the wrong JSON type (`expected` names the type wanted).
    fn type_mismatch(&mut self, path: String, record: Option<usize>, field: &str, expected: &str) {
        self.push(
            codes::FIELD_TYPE,
            path,
            record,
            Some(field),
            vec![("expected", expected.to_owned())],
            None,
        );
    }

    /// Records `record` as naming the winner of `lot`; returns the earlier record that
    /// already did, if any.
    pub(crate) fn winner_seen(&mut self, lot: &str, record: usize) -> Option<usize> {
        match self.winners.get(lot) {
            Some(first) => Some(*first),
            None => {
                self.winners.insert(lot.to_owned(), record);
                None
            }
        }
    }

    /// The catalog this validator checks against.
    pub(crate) fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    fn push_problem(&mut self, problem: Problem, path: String, record: Option<usize>, field: &str) {
        self.push(
            problem.code,
            path,
            record,
            Some(field),
            problem.params,
            problem.suggestion,
        );
    }

    /// Adds a finding for an XML attribute that carries no data in the packet format.
    pub(crate) fn ignored_attribute(&mut self, path: &str, element: &str, attribute: &str, record: Option<usize>) {
        self.push(
            codes::XML_ATTRIBUTE_IGNORED,
            path.to_owned(),
            record,
            Some(element),
            vec![("value", attribute.to_owned())],
            None,
        );
    }

    /// Checks the packet header (a JSON object at `/header`); `caller` is the entity the caller expects.
    pub fn header(&mut self, header: &Value, caller: Option<Entity>) {
        let Value::Object(object) = header else {
            self.type_mismatch("/header".into(), None, "header", "object");
            return;
        };
        let schema = &self.catalog.header;
        let fields = self.check_object(schema, object, "/header", None);
        if let Some(Parsed::Text(id)) = fields.valid("packet_id") {
            self.packet_id = Some(id.clone());
        }
        if let Some(Parsed::DateTime(at)) = fields.valid("created_at") {
            self.created_at = Some(*at);
        }
        if let (Some(Parsed::Text(named)), Some(expected)) = (fields.valid("entity"), caller) {
            if named != expected.as_str() {
                self.push(
                    codes::HEADER_ENTITY_MISMATCH,
                    "/header/entity".into(),
                    None,
                    Some("entity"),
                    vec![("value", named.clone()), ("expected", expected.as_str().to_owned())],
                    None,
                );
            }
        }
        if let Some(Parsed::Text(rule_set)) = fields.valid("rule_set") {
            if rule_set != &self.catalog.rule_set {
                self.push(
                    codes::HEADER_RULE_SET_UNKNOWN,
                    "/header/rule_set".into(),
                    None,
                    Some("rule_set"),
                    vec![("value", rule_set.clone())],
                    None,
                );
            }
        }
    }

    /// Reports a packet-level finding (missing or mistyped `header` / `records`, unknown top-level keys).
    pub(crate) fn packet_finding(
        &mut self,
        code: &'static str,
        path: &str,
        field: &str,
        params: Vec<(&'static str, String)>,
        suggestion: Option<String>,
    ) {
        self.push(code, path.to_owned(), None, Some(field), params, suggestion);
    }

    /// Checks one record at `path` (e.g. `/records/3`).
    pub fn record(&mut self, index: usize, path: &str, record: &Value) {
        self.record_count += 1;
        let Value::Object(object) = record else {
            self.push(
                codes::RECORD_TYPE,
                path.to_owned(),
                Some(index),
                None,
                vec![("value", record.type_name().to_owned())],
                None,
            );
            return;
        };
        let schema = self.catalog.entity(self.entity);
        let fields = self.check_object(schema, object, path, Some(index));
        self.duplicate_key(Rows::Records, schema, &fields, path, Some(index));
        rules::check_record(self, self.entity, &fields, path, index);
        if let Some(collected) = &mut self.collected {
            collected.record(self.entity, schema, &fields, path, index);
        }
    }

    /// Reports a record (or detail row) whose key was seen before in this packet.
    ///
    /// `first_seen` is what the finding names as the earlier occurrence: the record
    /// index for records, the JSON Pointer for detail rows (which may sit in any record).
    fn duplicate_key(&mut self, rows: Rows, schema: &RecordSchema, fields: &Fields, path: &str, record: Option<usize>) {
        let Some(key) = record_key(schema, fields) else { return };
        let first_field = schema.key.first().cloned().unwrap_or_default();
        let here = match rows {
            Rows::Records => record.map(|r| r.to_string()).unwrap_or_default(),
            Rows::Details => path.to_owned(),
        };
        let seen = match rows {
            Rows::Records => &mut self.record_keys,
            Rows::Details => &mut self.detail_keys,
        };
        match seen.get(&key) {
            Some(first) => {
                let first = first.clone();
                self.push(
                    codes::RECORD_DUPLICATE_KEY,
                    format!("{path}/{}", pointer_segment(&first_field)),
                    record,
                    Some(&first_field),
                    vec![("value", key), ("expected", first)],
                    None,
                );
            }
            None => {
                seen.insert(key, here);
            }
        }
    }

    /// Checks the members of an object against a record schema; returns the field states.
    fn check_object(&mut self, schema: &RecordSchema, object: &Object, path: &str, record: Option<usize>) -> Fields {
        // Repeated keys: reported once per name; the first occurrence is the one checked.
        // Sets, not lists: a hostile record may have a great many keys.
        let mut seen_set: BTreeSet<&str> = BTreeSet::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut repeated: Vec<&str> = Vec::new();
        let mut repeated_set: BTreeSet<&str> = BTreeSet::new();
        for (key, _) in object {
            if !seen_set.insert(key) {
                if repeated_set.insert(key) {
                    repeated.push(key);
                }
            } else {
                seen.push(key);
            }
        }
        for key in repeated {
            self.push(
                codes::FIELD_DUPLICATE,
                format!("{path}/{}", pointer_segment(key)),
                record,
                Some(key),
                Vec::new(),
                None,
            );
        }
        for key in &seen {
            if schema.field(key).is_none() {
                let suggestion =
                    suggest::nearest(key, schema.fields.iter().map(|f| f.name.as_str())).map(str::to_owned);
                self.push(
                    codes::FIELD_UNKNOWN,
                    format!("{path}/{}", pointer_segment(key)),
                    record,
                    Some(key),
                    Vec::new(),
                    suggestion,
                );
            }
        }
        let mut fields = Fields::default();
        for def in &schema.fields {
            let value = crate::value::get(object, &def.name);
            let state = self.check_field(def, value, path, record);
            fields.states.push((def.name.clone(), state));
        }
        fields
    }

    fn check_field(&mut self, def: &FieldDef, value: Option<&Value>, path: &str, record: Option<usize>) -> FieldState {
        let field_path = format!("{path}/{}", pointer_segment(&def.name));
        let value = match value {
            None | Some(Value::Null) => {
                if def.mandatory {
                    self.push(
                        codes::FIELD_MISSING,
                        field_path,
                        record,
                        Some(&def.name),
                        Vec::new(),
                        None,
                    );
                    return FieldState::Invalid;
                }
                return FieldState::Absent;
            }
            Some(v) if v.is_blank() => {
                if def.mandatory {
                    self.push(codes::TEXT_BLANK, field_path, record, Some(&def.name), Vec::new(), None);
                    return FieldState::Invalid;
                }
                return FieldState::Absent;
            }
            Some(v) => v,
        };
        if let Kind::List(nested) = &def.kind {
            let Value::Array(items) = value else {
                self.type_mismatch(field_path, record, &def.name, "array");
                return FieldState::Invalid;
            };
            // The table marks every detail field mandatory: a contract needs at least one row.
            if items.is_empty() && def.mandatory {
                self.push(codes::LIST_EMPTY, field_path, record, Some(&def.name), Vec::new(), None);
                return FieldState::Invalid;
            }
            // Lots are counted by their ids: two rows (two certificates) of one lot are one lot.
            let mut lots: Option<BTreeSet<String>> = Some(BTreeSet::new());
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{field_path}/{i}");
                let Value::Object(object) = item else {
                    self.type_mismatch(item_path, record, &def.name, "object");
                    lots = None;
                    continue;
                };
                let detail = self.check_object(nested, object, &item_path, record);
                self.duplicate_key(Rows::Details, nested, &detail, &item_path, record);
                match (&mut lots, detail.valid("lot_id")) {
                    (Some(set), Some(Parsed::Text(lot))) => {
                        set.insert(lot.to_ascii_lowercase());
                    }
                    _ => lots = None,
                }
                if let (Some(collected), Some(index)) = (&mut self.collected, record) {
                    collected.detail(&detail, &item_path, index);
                }
            }
            return FieldState::List {
                rows: items.len(),
                lots: lots.map(|set| set.len()),
            };
        }
        // A code typed «число» may come as a JSON number: read it as the code's text.
        let read_number;
        let value = match value {
            Value::Number(literal) if def.numeric => match self.number_as_code(def, literal, &field_path, record) {
                Some(text) => {
                    read_number = Value::Text(text);
                    &read_number
                }
                None => return FieldState::Invalid,
            },
            other => other,
        };
        let checked = kinds::check(&def.kind, value, self.catalog);
        for problem in checked.problems {
            self.push_problem(problem, field_path.clone(), record, &def.name);
        }
        match checked.parsed {
            Some(p) => FieldState::Valid(p),
            None => FieldState::Invalid,
        }
    }

    /// The text of a code sent as a JSON number, with its warnings; `None` (finding
    /// reported) when the number cannot be that code.
    fn number_as_code(&mut self, def: &FieldDef, literal: &str, path: &str, record: Option<usize>) -> Option<String> {
        match kinds::number_code(&def.kind, literal) {
            NumberCode::Plain(text) => {
                if text.len() > literal.len() {
                    self.push(
                        codes::NUMBER_ZEROS_RESTORED,
                        path.to_owned(),
                        record,
                        Some(&def.name),
                        vec![("value", literal.to_owned()), ("expected", text.clone())],
                        None,
                    );
                }
                if kinds::beyond_double(&text) {
                    self.push(
                        codes::NUMBER_UNSAFE_INTEGER,
                        path.to_owned(),
                        record,
                        Some(&def.name),
                        vec![("value", literal.to_owned())],
                        None,
                    );
                }
                Some(text)
            }
            NumberCode::NotWhole => {
                self.type_mismatch(path.to_owned(), record, &def.name, "string of digits or whole number");
                None
            }
            NumberCode::Spelled(text) => {
                // What a schema validator also rejects (too many digits, not in the
                // dictionary) is reported as that; otherwise the spelling is the problem.
                let checked = kinds::check(&def.kind, &Value::Text(text), self.catalog);
                let structural = checked
                    .problems
                    .into_iter()
                    .find(|p| self.catalog.rule(p.code).is_some_and(|r| r.structural));
                match structural {
                    Some(mut problem) => {
                        for (name, value) in &mut problem.params {
                            if *name == "value" {
                                *value = literal.to_owned();
                            }
                        }
                        self.push_problem(problem, path.to_owned(), record, &def.name);
                    }
                    None => self.push(
                        codes::NUMBER_FORM,
                        path.to_owned(),
                        record,
                        Some(&def.name),
                        vec![("value", literal.to_owned())],
                        None,
                    ),
                }
                None
            }
        }
    }

    /// Finishes the packet: sorts the findings canonically and builds the report.
    pub fn finish(self) -> Report {
        self.finish_collected().0
    }

    /// Finishes the packet and hands over what was gathered for dataset checks.
    pub(crate) fn finish_collected(mut self) -> (Report, Option<crate::dataset::Collected>) {
        self.findings.sort_by(canonical_order);
        let rejected = self
            .findings
            .iter()
            .any(|f| f.severity == crate::report::Severity::Error);
        let report = Report {
            status: if rejected { Status::Rejected } else { Status::Accepted },
            entity: self.entity,
            rule_set: self.catalog.rule_set.clone(),
            rules_digest: self.catalog.digest.clone(),
            dictionaries: self.catalog.dictionaries_version.clone(),
            engine: format!("tekser {}", crate::VERSION),
            digest: None,
            created_at: self.created_at,
            packet_id: self.packet_id,
            record_count: self.record_count,
            findings: self.findings,
            lang: self.lang,
        };
        (report, self.collected)
    }
}

/// The key of a record (`id=…` or `id=…, bin_iin=…`), when all its key fields are valid.
pub(crate) fn record_key(schema: &RecordSchema, fields: &Fields) -> Option<String> {
    if schema.key.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for name in &schema.key {
        let text = match fields.valid(name)? {
            // GUIDs compare case-insensitively: the same id in upper and lower case is one id.
            Parsed::Text(t) if schema.field(name).is_some_and(|f| f.kind == Kind::Guid) => t.to_ascii_lowercase(),
            Parsed::Text(t) => t.clone(),
            Parsed::Date(d) => format!("{:02}.{:02}.{:04}", d.day, d.month, d.year),
            other => format!("{other:?}"),
        };
        parts.push(format!("{name}={text}"));
    }
    Some(parts.join(", "))
}
