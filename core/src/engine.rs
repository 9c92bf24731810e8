//! The validator: walks a packet's header and records and collects findings.
//!
//! Records are pushed one at a time ([`Validator::record`]); the only state kept across
//! records is the set of record keys for duplicate detection. A later streaming reader
//! can therefore feed records as it parses them without changing any rule.

use std::collections::BTreeSet;

use crate::catalog::{same_text, Catalog, FieldDef, Kind, RecordSchema};
use crate::codes;
use crate::entity::Entity;
use crate::keys::KeySet;
use crate::kinds::{self, NumberCode, Parsed, Problem};
use crate::report::{canonical_order, Finding, Lang, Omitted, Report, Severity, Status};
use crate::rules;
use crate::suggest;
use crate::value::{Object, Value};

/// The state of one field of a checked record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldState<'v> {
    /// Not given (absent, null or blank).
    Absent,
    /// Given but with an error already reported: rules depending on it do not run.
    Invalid,
    /// Given and valid.
    Valid(Parsed<'v>),
    /// A list field (detail rows): how many rows it has, and how many distinct lots they
    /// name (`None` when a row's `lot_id` is not valid).
    List { rows: usize, lots: Option<usize> },
}

/// The checked fields of one record, for the record rules: one state per field of the
/// schema, in the schema's order (no field name is copied per record).
#[derive(Debug)]
pub(crate) struct Fields<'s, 'v> {
    schema: &'s RecordSchema,
    states: Vec<FieldState<'v>>,
}

impl<'v> Fields<'_, 'v> {
    pub(crate) fn state(&self, name: &str) -> &FieldState<'v> {
        self.schema
            .index_of(name)
            .and_then(|i| self.states.get(i))
            .unwrap_or(&FieldState::Absent)
    }

    pub(crate) fn valid(&self, name: &str) -> Option<&Parsed<'v>> {
        match self.state(name) {
            FieldState::Valid(p) => Some(p),
            _ => None,
        }
    }
}

/// Which keys a key is checked against: record keys are unique among records, detail
/// keys among detail rows, and a lot has one winner among result records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    Records,
    Details,
    Winners,
}

/// A check against the keys of the whole packet, left for the thread that sees every
/// record ([`Validator::merge_record`]) by a validator checking records on another thread.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[derive(Debug, Clone)]
pub(crate) struct KeyCheck {
    /// How many findings of the batch came before it (its place among them).
    pub(crate) at: usize,
    pub(crate) rows: Rows,
    /// Where the key is (record index; for a detail row the record and the row).
    pub(crate) here: u64,
    pub(crate) record: Option<usize>,
    /// The key, the path of the record or row, and the field a finding names: ranges of
    /// [`Deferred::text`] (no allocation per record).
    pub(crate) key: std::ops::Range<usize>,
    pub(crate) path: std::ops::Range<usize>,
    pub(crate) field: std::ops::Range<usize>,
}

/// What a validator on another thread leaves for the merge: the key checks of the
/// records it checked and their texts. See [`Validator::deferring`].
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    pub(crate) checks: Vec<KeyCheck>,
    pub(crate) text: String,
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
impl Deferred {
    fn put(&mut self, text: &str) -> std::ops::Range<usize> {
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    fn get(&self, range: &std::ops::Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or("")
    }
}

/// Appends `/` and an array index to a JSON Pointer: the digits written by hand, since
/// the formatting machinery costs more than the rest of a record's path in WebAssembly.
pub(crate) fn push_index(path: &mut String, index: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = index;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    path.push('/');
    for &d in &digits[at..] {
        path.push(char::from(d));
    }
}

/// Escapes one JSON Pointer segment (borrowed when there is nothing to escape).
pub(crate) fn pointer_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        std::borrow::Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
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
    record_keys: KeySet,
    detail_keys: KeySet,
    /// Lot id → the record that names its winner (results packets only).
    winners: KeySet,
    /// Reused per object: each schema field's first member, and whether it repeats.
    first_member: Vec<u32>,
    /// Reused per record: the text of its key.
    key_text: String,
    /// The field of each member of the last record checked (`u16::MAX`: not a field).
    member_fields: Vec<u16>,
    repeat_marks: Vec<bool>,
    /// Per schema (by address), the field each member position named in the last object
    /// checked (`u16::MAX`: none): records of a packet list their members in one order,
    /// so a name is compared with its predicted field rather than looked up.
    member_order: Vec<(usize, Vec<u16>)>,
    /// The most findings kept; past it only their number per code is.
    max_findings: usize,
    omitted: std::collections::BTreeMap<&'static str, (Severity, u64)>,
    errors: u64,
    collected: Option<crate::dataset::Collected>,
    /// On a thread checking some of the records: key checks left for the merge.
    deferred: Option<Deferred>,
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
            record_keys: KeySet::default(),
            detail_keys: KeySet::default(),
            winners: KeySet::default(),
            first_member: Vec::new(),
            key_text: String::new(),
            member_fields: Vec::new(),
            repeat_marks: Vec::new(),
            member_order: Vec::new(),
            max_findings: crate::DEFAULT_MAX_FINDINGS,
            omitted: std::collections::BTreeMap::new(),
            errors: 0,
            collected: None,
            deferred: None,
        }
    }

    /// Keeps at most `max` findings in the report; the rest are counted per code (the
    /// verdict still covers every record).
    pub fn max_findings(mut self, max: usize) -> Self {
        self.max_findings = max;
        self
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
        if self.over_cap(code) {
            return;
        }
        let severity = self.catalog.rule(code).map(|r| r.severity).unwrap_or(Severity::Error);
        if severity == Severity::Error {
            self.errors += 1;
        }
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

    /// Past `max_findings`: counts a finding of `code` without building it, and says so.
    /// Callers on hot paths ask first, so a flood of findings costs no allocation each.
    fn over_cap(&mut self, code: &'static str) -> bool {
        if self.findings.len() < self.max_findings {
            return false;
        }
        let severity = self.catalog.rule(code).map(|r| r.severity).unwrap_or(Severity::Error);
        if severity == Severity::Error {
            self.errors += 1;
        }
        self.omitted.entry(code).or_insert((severity, 0)).1 += 1;
        true
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

    /// Records `record` (at `path`) as naming the winner of `lot`; a record that named
    /// it before makes a finding on `field`.
    pub(crate) fn winner(&mut self, lot: &str, record: usize, path: &str, field: &str) {
        self.key_seen(Rows::Winners, lot, record as u64, path, field, Some(record));
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
        let fields = self.check_object(schema, object, "/header", None, false);
        if let Some(Parsed::Text(id)) = fields.valid("packet_id") {
            self.packet_id = Some(id.to_string());
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
                    vec![("value", named.to_string()), ("expected", expected.as_str().to_owned())],
                    None,
                );
            }
        }
        if let Some(Parsed::Text(rule_set)) = fields.valid("rule_set") {
            if *rule_set != self.catalog.rule_set {
                self.push(
                    codes::HEADER_RULE_SET_UNKNOWN,
                    "/header/rule_set".into(),
                    None,
                    Some("rule_set"),
                    vec![("value", rule_set.to_string())],
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

    /// How many findings are kept so far (a host that streams records learns from it which
    /// records had findings, e.g. to keep only their ids).
    pub fn findings_len(&self) -> usize {
        self.findings.len()
    }

    /// Checks one record at `path` (e.g. `/records/3`).
    pub fn record(&mut self, index: usize, path: &str, record: &Value) {
        self.record_count += 1;
        self.member_fields.clear();
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
        let fields = self.check_object(schema, object, path, Some(index), true);
        self.duplicate_key(Rows::Records, schema, &fields, path, Some(index));
        rules::check_record(self, self.entity, &fields, path, index);
        if let Some(collected) = &mut self.collected {
            collected.record(self.entity, schema, &fields, path, index);
        }
    }

    /// The field of each member of the record last given to [`Validator::record`]
    /// (`u16::MAX` for a member that is not a field; empty when it was not an object).
    pub(crate) fn member_fields(&self) -> &[u16] {
        &self.member_fields
    }

    /// Reports a record (or detail row) whose key was seen before in this packet.
    fn duplicate_key(&mut self, rows: Rows, schema: &RecordSchema, fields: &Fields, path: &str, record: Option<usize>) {
        let mut key = std::mem::take(&mut self.key_text);
        if record_key_into(&mut key, schema, fields) {
            let first_field = schema.key.first().map_or("", String::as_str);
            // Where a key is first seen, in 64 bits: the record, and for a detail row its row.
            let record_index = record.unwrap_or(0) as u64;
            let here = match rows {
                Rows::Details => {
                    let row: u64 = path.rsplit('/').next().and_then(|r| r.parse().ok()).unwrap_or(0);
                    (record_index << 32) | (row & 0xFFFF_FFFF)
                }
                Rows::Records | Rows::Winners => record_index,
            };
            self.key_seen(rows, &key, here, path, first_field, record);
        }
        self.key_text = key;
    }

    /// Checks `key` (at `here`) against the keys of its kind seen before in the packet and
    /// reports a repeat on `field` of the record or row at `path`; a deferring validator
    /// leaves the check for the merge.
    ///
    /// The finding names the earlier occurrence: the record index for records and
    /// winners, the JSON Pointer for detail rows (which may sit in any record).
    fn key_seen(&mut self, rows: Rows, key: &str, here: u64, path: &str, field: &str, record: Option<usize>) {
        if let Some(deferred) = &mut self.deferred {
            let check = KeyCheck {
                at: self.findings.len(),
                rows,
                here,
                record,
                key: deferred.put(key),
                path: deferred.put(path),
                field: deferred.put(field),
            };
            deferred.checks.push(check);
            return;
        }
        let seen = match rows {
            Rows::Records => &mut self.record_keys,
            Rows::Details => &mut self.detail_keys,
            Rows::Winners => &mut self.winners,
        };
        let Some(first) = seen.first_or_insert(key, here) else {
            return;
        };
        let (code, first) = match rows {
            Rows::Records => (codes::RECORD_DUPLICATE_KEY, first.to_string()),
            Rows::Details => (
                codes::RECORD_DUPLICATE_KEY,
                detail_path(path, first >> 32, first & 0xFFFF_FFFF),
            ),
            Rows::Winners => (codes::RESULT_WINNER_REPEATED, first.to_string()),
        };
        if self.over_cap(code) {
            return;
        }
        self.push(
            code,
            format!("{path}/{}", pointer_segment(field)),
            record,
            Some(field),
            vec![("value", key.to_owned()), ("expected", first)],
            None,
        );
    }

    /// Checks the members of an object against a record schema; returns the field states.
    ///
    /// One pass over the members finds each field's first value, repeated names and
    /// unknown names; nothing is allocated per member for an ordinary record.
    fn check_object<'s, 'v>(
        &mut self,
        schema: &'s RecordSchema,
        object: &'v Object,
        path: &str,
        record: Option<usize>,
        keep_member_fields: bool,
    ) -> Fields<'s, 'v> {
        const ABSENT: u32 = u32::MAX;
        let mut first = std::mem::take(&mut self.first_member);
        first.clear();
        first.resize(schema.fields.len(), ABSENT);
        let mut repeats = std::mem::take(&mut self.repeat_marks);
        repeats.clear();
        repeats.resize(schema.fields.len(), false);
        // Unknown names are rare; sets only for them (a hostile record may have many).
        let mut unknown: BTreeSet<&str> = BTreeSet::new();
        let mut unknown_repeated: BTreeSet<&str> = BTreeSet::new();
        if keep_member_fields {
            self.member_fields.clear();
        }
        let schema_at = std::ptr::from_ref(schema) as usize;
        let slot = match self.member_order.iter().position(|(at, _)| *at == schema_at) {
            Some(slot) => slot,
            None => {
                self.member_order.push((schema_at, Vec::new()));
                self.member_order.len() - 1
            }
        };
        let mut order = self
            .member_order
            .get_mut(slot)
            .map(|(_, o)| std::mem::take(o))
            .unwrap_or_default();
        for (position, (key, _)) in object.iter().enumerate() {
            let predicted = order
                .get(position)
                .and_then(|&i| Some(usize::from(i)).zip(schema.fields.get(usize::from(i))));
            let field = match predicted {
                Some((i, def)) if same_text(&def.name, key) => Some(i),
                _ => {
                    let found = schema.index_of(key);
                    let mark = found.and_then(|i| u16::try_from(i).ok()).unwrap_or(u16::MAX);
                    // Positions past a few hundred are not predicted (a hostile record may
                    // have any number of members).
                    if let Some(at) = order.get_mut(position) {
                        *at = mark;
                    } else if position == order.len() && position < 512 {
                        order.push(mark);
                    }
                    found
                }
            };
            if keep_member_fields {
                self.member_fields
                    .push(field.and_then(|i| u16::try_from(i).ok()).unwrap_or(u16::MAX));
            }
            match field {
                Some(i) if first[i] == ABSENT => first[i] = u32::try_from(position).unwrap_or(ABSENT - 1),
                Some(i) => {
                    if !repeats[i] {
                        repeats[i] = true;
                        self.member_finding(codes::FIELD_DUPLICATE, path, key, record, None);
                    }
                }
                None if unknown.insert(key) => {
                    let suggestion =
                        suggest::nearest(key, schema.fields.iter().map(|f| f.name.as_str())).map(str::to_owned);
                    self.member_finding(codes::FIELD_UNKNOWN, path, key, record, suggestion);
                }
                None => {
                    if unknown_repeated.insert(key) {
                        self.member_finding(codes::FIELD_DUPLICATE, path, key, record, None);
                    }
                }
            }
        }
        if let Some((_, at)) = self.member_order.get_mut(slot) {
            *at = order;
        }
        let mut states = Vec::with_capacity(schema.fields.len());
        for (def, at) in schema.fields.iter().zip(&first) {
            let value = object.get(*at as usize).map(|(_, v)| v);
            states.push(self.check_field(def, value, path, record));
        }
        self.first_member = first;
        self.repeat_marks = repeats;
        Fields { schema, states }
    }

    /// A finding about a member of an object (repeated or unknown name).
    fn member_finding(
        &mut self,
        code: &'static str,
        path: &str,
        key: &str,
        record: Option<usize>,
        suggestion: Option<String>,
    ) {
        self.push(
            code,
            format!("{path}/{}", pointer_segment(key)),
            record,
            Some(key),
            Vec::new(),
            suggestion,
        );
    }

    fn check_field<'v>(
        &mut self,
        def: &FieldDef,
        value: Option<&'v Value>,
        path: &str,
        record: Option<usize>,
    ) -> FieldState<'v> {
        // Built only when a finding needs it: no allocation per valid value.
        let field_path = || format!("{path}/{}", pointer_segment(&def.name));
        // Absent or null is field.missing, a blank string text.blank: both only when mandatory.
        let value = match value {
            Some(v) if !v.is_blank() => v,
            _ => {
                let code = match value {
                    None | Some(Value::Null) => codes::FIELD_MISSING,
                    _ => codes::TEXT_BLANK,
                };
                if def.mandatory && !self.over_cap(code) {
                    self.push(code, field_path(), record, Some(&def.name), Vec::new(), None);
                }
                return if def.mandatory {
                    FieldState::Invalid
                } else {
                    FieldState::Absent
                };
            }
        };
        if let Kind::List(nested) = &def.kind {
            let Value::Array(items) = value else {
                self.type_mismatch(field_path(), record, &def.name, "array");
                return FieldState::Invalid;
            };
            // The table marks every detail field mandatory: a contract needs at least one row.
            if items.is_empty() && def.mandatory {
                self.push(
                    codes::LIST_EMPTY,
                    field_path(),
                    record,
                    Some(&def.name),
                    Vec::new(),
                    None,
                );
                return FieldState::Invalid;
            }
            let list_path = field_path();
            // Lots are counted by their ids: two rows (two certificates) of one lot are one lot.
            let mut lots: Option<BTreeSet<String>> = Some(BTreeSet::new());
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{list_path}/{i}");
                let Value::Object(object) = item else {
                    self.type_mismatch(item_path, record, &def.name, "object");
                    lots = None;
                    continue;
                };
                let detail = self.check_object(nested, object, &item_path, record, false);
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
        let checked = match value {
            Value::Number(literal) if def.numeric => match self.number_as_code(def, literal, &field_path(), record) {
                Some(text) => {
                    let read_number = Value::Text(text);
                    let checked = kinds::check(&def.kind, &read_number, self.catalog);
                    kinds::Checked {
                        parsed: checked.parsed.map(Parsed::into_owned),
                        problems: checked.problems,
                    }
                }
                None => return FieldState::Invalid,
            },
            other => kinds::check(&def.kind, other, self.catalog),
        };
        for problem in checked.problems {
            if !self.over_cap(problem.code) {
                self.push_problem(problem, field_path(), record, &def.name);
            }
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
                let spelled = Value::Text(text);
                let checked = kinds::check(&def.kind, &spelled, self.catalog);
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

    /// Also gathers the records' [`crate::Fact`]s, for [`Validator::finish_with_facts`].
    pub fn with_facts(mut self) -> Self {
        self.collect_references();
        self
    }

    /// Finishes the packet: sorts the findings canonically and builds the report.
    pub fn finish(self) -> Report {
        self.finish_collected().0
    }

    /// Finishes like [`Validator::finish`] and hands over the records' facts (none unless
    /// [`Validator::with_facts`] was asked for).
    pub fn finish_with_facts(self) -> (Report, Vec<crate::Fact>) {
        let (report, collected) = self.finish_collected();
        (
            report,
            collected.map(crate::dataset::Collected::into_facts).unwrap_or_default(),
        )
    }

    /// Finishes the packet and hands over what was gathered for dataset checks.
    pub(crate) fn finish_collected(mut self) -> (Report, Option<crate::dataset::Collected>) {
        self.findings.sort_by(canonical_order);
        let rejected = self.errors > 0;
        let omitted = self
            .omitted
            .into_iter()
            .map(|(code, (severity, count))| Omitted { code, severity, count })
            .collect();
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
            omitted,
            lang: self.lang,
            signature: None,
        };
        (report, self.collected)
    }
}

/// Checking on checker threads (not in WebAssembly, which has none here): a deferring
/// validator there, the merge on the caller's thread.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
impl<'c> Validator<'c> {
    /// A validator for records checked on another thread: every finding is kept (the
    /// merge applies the cap) and the checks against the whole packet's keys (duplicate
    /// records and rows, repeated winners) are left for [`Validator::merge_record`].
    pub(crate) fn deferring(catalog: &'c Catalog, entity: Entity, lang: Option<Lang>) -> Validator<'c> {
        let mut v = Validator::new(catalog, entity, lang).max_findings(usize::MAX);
        v.deferred = Some(Deferred::default());
        v
    }

    /// Sets the most findings kept (for a deferring validator: none once the merge has
    /// kept all it will, so that a flood costs no allocation per finding there either).
    pub(crate) fn set_max_findings(&mut self, max: usize) {
        self.max_findings = max;
    }

    /// The findings kept so far (a deferring validator's, to be handed to the merge).
    pub(crate) fn findings_mut(&mut self) -> &mut Vec<Finding> {
        &mut self.findings
    }

    /// The key checks left so far (a deferring validator's).
    pub(crate) fn deferred_mut(&mut self) -> Option<&mut Deferred> {
        self.deferred.as_mut()
    }

    /// Takes the counts of the findings past the cap (a deferring validator's), per code.
    pub(crate) fn take_omitted(&mut self) -> Vec<(&'static str, Severity, u64)> {
        let omitted = std::mem::take(&mut self.omitted);
        omitted
            .into_iter()
            .map(|(code, (severity, n))| (code, severity, n))
            .collect()
    }

    /// Whether the cap on findings has been reached: every later finding is only counted.
    pub(crate) fn full(&self) -> bool {
        self.findings.len() >= self.max_findings
    }

    /// Adds a record checked by a deferring validator on another thread: its findings
    /// and its key checks in the order they were made there, as if checked here. The
    /// report is the same as when the record is checked here. `first` is the place of
    /// its first finding among all those of the batch (what [`KeyCheck`]s count).
    pub(crate) fn merge_record(
        &mut self,
        findings: impl Iterator<Item = Finding>,
        first: usize,
        deferred: &Deferred,
        checks: &[KeyCheck],
    ) {
        self.record_count += 1;
        let mut checks = checks.iter().peekable();
        for (i, finding) in findings.enumerate() {
            while let Some(check) = checks.next_if(|c| c.at <= first + i) {
                self.key_check(check, deferred);
            }
            self.push_finding(finding);
        }
        for check in checks {
            self.key_check(check, deferred);
        }
    }

    /// Adds counts of findings left out past the cap on another thread.
    pub(crate) fn merge_omitted(&mut self, omitted: &[(&'static str, Severity, u64)]) {
        for (code, severity, n) in omitted {
            if *severity == Severity::Error {
                self.errors += n;
            }
            self.omitted.entry(code).or_insert((*severity, 0)).1 += n;
        }
    }

    fn key_check(&mut self, check: &KeyCheck, deferred: &Deferred) {
        self.key_seen(
            check.rows,
            deferred.get(&check.key),
            check.here,
            deferred.get(&check.path),
            deferred.get(&check.field),
            check.record,
        );
    }

    /// Adds a finding made elsewhere (subject to the cap, as one made here).
    fn push_finding(&mut self, finding: Finding) {
        if self.over_cap(finding.code) {
            return;
        }
        if finding.severity == Severity::Error {
            self.errors += 1;
        }
        self.findings.push(finding);
    }
}

/// The path of detail row `row` of record `record`, shaped like `path` (a detail row's
/// path: `<records prefix><record>/<list field>/<row>`).
fn detail_path(path: &str, record: u64, row: u64) -> String {
    let mut parts = path.rsplitn(3, '/');
    let (_, field, rest) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let prefix = rest.trim_end_matches(|c: char| c.is_ascii_digit());
    format!("{prefix}{record}/{field}/{row}")
}

/// The key of a record (`id=…` or `id=…, bin_iin=…`), when all its key fields are valid.
pub(crate) fn record_key(schema: &RecordSchema, fields: &Fields) -> Option<String> {
    let mut key = String::new();
    record_key_into(&mut key, schema, fields).then_some(key)
}

/// Writes the key of a record into `out` (cleared first); false when it has none.
fn record_key_into(out: &mut String, schema: &RecordSchema, fields: &Fields) -> bool {
    use std::fmt::Write;
    out.clear();
    if schema.key.is_empty() {
        return false;
    }
    for (i, name) in schema.key.iter().enumerate() {
        let Some(parsed) = fields.valid(name) else {
            return false;
        };
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push('=');
        match parsed {
            // GUIDs compare case-insensitively: the same id in upper and lower case is one id.
            Parsed::Text(t) if schema.field(name).is_some_and(|f| f.kind == Kind::Guid) => {
                out.extend(t.chars().map(|c| c.to_ascii_lowercase()))
            }
            Parsed::Text(t) => out.push_str(t),
            Parsed::Date(d) => {
                let _ = write!(out, "{:02}.{:02}.{:04}", d.day, d.month, d.year);
            }
            other => {
                let _ = write!(out, "{other:?}");
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn indexes_are_written_as_decimal_segments() {
        for n in [
            0usize,
            7,
            10,
            99,
            100,
            12_345,
            4_000_000_000,
            usize::MAX / 7,
            usize::MAX,
        ] {
            let mut path = "/records".to_owned();
            super::push_index(&mut path, n);
            assert_eq!(path, format!("/records/{n}"));
        }
    }
}
