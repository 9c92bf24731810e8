//! The rule catalog, read from the JSON files in `schemas/` (embedded at build time).
//!
//! The schemas are the source of truth for the field rules: each entity property names
//! its kind (or dictionary) by `$ref`, its mandatory flag by `required`, and its title.
//! This module turns them into the tables the engine walks, once per process.

use std::sync::OnceLock;

use crate::calendar::Date;
use crate::digest::Algorithm;
use crate::entity::Entity;
use crate::error::Error;
use crate::report::{Lang, Severity};
use crate::value::{get, Object, Value};

/// The name of the current rule set: the 2019 ЕОЗ regulation.
pub const RULE_SET: &str = "eoz-2019";

/// The version name of the dictionaries embedded in a rule set (no dictionary file given).
pub const BUILT_IN_DICTIONARIES: &str = "built-in";

const RULE_SETS: &str = include_str!("../../schemas/rule-sets.json");

const ENTITY_SCHEMAS: [(Entity, &str); 8] = [
    (Entity::PlanItem, include_str!("../../schemas/plan_item.schema.json")),
    (Entity::Lot, include_str!("../../schemas/lot.schema.json")),
    (
        Entity::Announcement,
        include_str!("../../schemas/announcement.schema.json"),
    ),
    (Entity::Contract, include_str!("../../schemas/contract.schema.json")),
    (
        Entity::Participant,
        include_str!("../../schemas/participant.schema.json"),
    ),
    (Entity::Result, include_str!("../../schemas/result.schema.json")),
    (
        Entity::UnreliableSupplier,
        include_str!("../../schemas/unreliable_supplier.schema.json"),
    ),
    (Entity::LegalAct, include_str!("../../schemas/legal_act.schema.json")),
];
const PACKET_SCHEMA: &str = include_str!("../../schemas/packet.schema.json");
const DICTIONARIES: &str = include_str!("../../schemas/dictionaries.schema.json");
const KINDS: &str = include_str!("../../schemas/kinds.schema.json");
const RULES: &str = include_str!("../../schemas/rules.json");

/// The files of the `eoz-2019` rule set that its digest covers (dictionaries are covered
/// as the effective dictionary entries, so that a dictionary file changes the digest).
const EOZ_2019_FILES: [(&str, &str); 11] = [
    ("announcement.schema.json", ENTITY_SCHEMAS[2].1),
    ("contract.schema.json", ENTITY_SCHEMAS[3].1),
    ("kinds.schema.json", KINDS),
    ("legal_act.schema.json", ENTITY_SCHEMAS[7].1),
    ("lot.schema.json", ENTITY_SCHEMAS[1].1),
    ("packet.schema.json", PACKET_SCHEMA),
    ("participant.schema.json", ENTITY_SCHEMAS[4].1),
    ("plan_item.schema.json", ENTITY_SCHEMAS[0].1),
    ("result.schema.json", ENTITY_SCHEMAS[5].1),
    ("rules.json", RULES),
    ("unreliable_supplier.schema.json", ENTITY_SCHEMAS[6].1),
];

/// How a field's value is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Non-empty string.
    Text,
    /// GUID.
    Guid,
    /// Non-negative decimal quantity.
    Decimal,
    /// Non-negative amount in tenge, at most two decimals.
    Amount,
    /// Non-negative whole number.
    Count,
    /// Percentage 0–100.
    Percent,
    /// BIN of a legal entity.
    Bin,
    /// IIN of an individual.
    Iin,
    /// BIN or IIN.
    BinIin,
    /// Date `dd.mm.yyyy`.
    Date,
    /// Astana date-time `dd.mm.yyyy HH:MM`.
    DateTime,
    /// Four-digit year.
    Year,
    /// Month 1–12.
    Month,
    /// Boolean.
    Boolean,
    /// KATO code.
    Kato,
    /// MKEI unit code.
    Mkei,
    /// Address register code.
    Rca,
    /// ENS TRU code (format is a warning).
    Enstru,
    /// Absolute http(s) URL.
    Url,
    /// E-mail address.
    Email,
    /// Phone number.
    Phone,
    /// Comma-separated participant flags.
    Flags,
    /// A code of the dictionary with this index in [`Catalog::dictionaries`].
    Dictionary(usize),
    /// The header's entity name.
    EntityName,
    /// An array of nested records (a contract's detail rows).
    List(Box<RecordSchema>),
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "text" => Kind::Text,
            "guid" => Kind::Guid,
            "decimal" => Kind::Decimal,
            "amount" => Kind::Amount,
            "count" => Kind::Count,
            "percent" => Kind::Percent,
            "bin" => Kind::Bin,
            "iin" => Kind::Iin,
            "bin_iin" => Kind::BinIin,
            "date" => Kind::Date,
            "datetime" => Kind::DateTime,
            "year" => Kind::Year,
            "month" => Kind::Month,
            "boolean" => Kind::Boolean,
            "kato" => Kind::Kato,
            "mkei" => Kind::Mkei,
            "rca" => Kind::Rca,
            "enstru" => Kind::Enstru,
            "url" => Kind::Url,
            "email" => Kind::Email,
            "phone" => Kind::Phone,
            "flags" => Kind::Flags,
            _ => return None,
        })
    }

    /// The kinds that also have an `X_number` form in `kinds.schema.json`: X, or a whole
    /// JSON number read as its digits (Appendix 1 types these identifiers «число»).
    pub const NUMBER_FORMS: [&'static str; 8] = ["text", "bin", "iin", "bin_iin", "kato", "mkei", "rca", "phone"];

    /// The kind named `name` in `kinds.schema.json`, and whether it is an `X_number` form.
    fn from_schema_name(name: &str) -> Option<(Kind, bool)> {
        match name.strip_suffix("_number") {
            Some(base) if Kind::NUMBER_FORMS.contains(&base) => Kind::from_name(base).map(|k| (k, true)),
            _ => Kind::from_name(name).map(|k| (k, false)),
        }
    }

    /// How many digits a fixed-length code has: a number sent for it gets its leading
    /// zeros back up to this length (BIN/IIN 12, KATO 9, MKEI at least 3).
    pub fn code_length(&self) -> usize {
        match self {
            Kind::Bin | Kind::Iin | Kind::BinIin => 12,
            Kind::Kato => 9,
            Kind::Mkei => 3,
            _ => 0,
        }
    }

    /// Names of the kinds defined in `kinds.schema.json` that core implements.
    pub const NAMES: [&'static str; 22] = [
        "text", "guid", "decimal", "amount", "count", "percent", "bin", "iin", "bin_iin", "date", "datetime", "year",
        "month", "boolean", "kato", "mkei", "rca", "enstru", "url", "email", "phone", "flags",
    ];
}

/// One field of a record: a property of an entity schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// Service name (the JSON key / XML element).
    pub name: String,
    /// Russian title from the regulation's table.
    pub title: String,
    /// How its value is checked.
    pub kind: Kind,
    /// Whether the table marks it mandatory.
    pub mandatory: bool,
    /// Whether a whole JSON number is accepted in place of the code's text: the table
    /// types the field «число» (errata identifier-numbers-as-strings).
    pub numeric: bool,
}

/// The fields of one kind of record, in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSchema {
    /// Table title.
    pub title: String,
    /// Fields in the table's order.
    pub fields: Vec<FieldDef>,
    /// Fields whose values identify a record (duplicate detection).
    pub key: Vec<String>,
    /// Field name → position in `fields` (looked up for every member of every record).
    index: NameIndex,
    /// Each field's place in the canonical member order (UTF-16 order of the names).
    canonical_rank: Vec<u32>,
    /// Each field's name as a canonical JSON string, quotes included.
    names_json: Vec<String>,
}

impl RecordSchema {
    /// The place of field `index` in the canonical member order.
    pub(crate) fn canonical_rank(&self, index: usize) -> Option<u32> {
        self.canonical_rank.get(index).copied()
    }

    /// The name of field `index` written as a canonical JSON string.
    pub(crate) fn name_json(&self, index: usize) -> Option<&str> {
        self.names_json.get(index).map(String::as_str)
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.index_of(name).and_then(|i| self.fields.get(i))
    }

    /// The position of the field named `name` in `fields`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// A dictionary of Appendix 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    /// Name in `dictionaries.schema.json` (`currency`, `lot_status`, …).
    pub name: String,
    /// Russian title.
    pub title: String,
    /// (code, Russian value) in the regulation's order; a code may repeat (see errata).
    pub entries: Vec<(String, String)>,
    /// Whether its codes may also be written as JSON numbers (the ОПФ codes are numbers).
    pub numeric: bool,
}

impl Dictionary {
    /// True when `code` is a code of this dictionary (exact match).
    pub fn contains(&self, code: &str) -> bool {
        self.entries.iter().any(|(c, _)| same_text(c, code))
    }

    /// The codes in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> + Clone {
        self.entries.iter().map(|(c, _)| c.as_str())
    }
}

/// One rule of the catalog: a finding code and how it is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable finding code.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// True when the JSON Schemas express the same violation.
    pub structural: bool,
    /// The clause of the regulation it enforces.
    pub clause: String,
    /// One-line English description.
    pub title: String,
    /// Message templates in Russian, Kazakh, English.
    messages: [String; 3],
}

impl Rule {
    /// The message template in `lang`.
    pub fn template(&self, lang: Lang) -> &str {
        &self.messages[lang.index()]
    }
}

/// Everything the engine knows about one rule set.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Rule set name.
    pub rule_set: String,
    /// The regulation edition it implements.
    pub title: String,
    /// First day it applies (Astana date).
    pub applies_from: Date,
    /// First day it no longer applies, once a newer rule set replaces it.
    pub applies_until: Option<Date>,
    /// Version of the dictionaries in use: [`BUILT_IN_DICTIONARIES`] or a dictionary file's.
    pub dictionaries_version: String,
    /// `sha256:<hex>` over the rule set's files and effective dictionaries (CANONICAL.md).
    pub digest: String,
    files: &'static [(&'static str, &'static str)],
    entities: Vec<(Entity, RecordSchema)>,
    /// The packet header's fields.
    pub header: RecordSchema,
    /// The dictionaries.
    pub dictionaries: Vec<Dictionary>,
    /// The rules, in catalog order.
    pub rules: Vec<Rule>,
    /// Code → position in `rules` (looked up for every finding).
    rule_index: NameIndex,
    phrases: Vec<(String, [String; 3])>,
    /// Element names read as arrays in XML (`records` and every array field).
    pub xml_lists: Vec<String>,
}

static CATALOGS: OnceLock<Result<Vec<Catalog>, String>> = OnceLock::new();

impl Catalog {
    /// Every embedded rule set, oldest first.
    pub fn all() -> Result<&'static [Catalog], Error> {
        CATALOGS
            .get_or_init(load_all)
            .as_ref()
            .map(Vec::as_slice)
            .map_err(|e| Error::Catalog(e.clone()))
    }

    /// The current rule set (the newest).
    pub fn get() -> Result<&'static Catalog, Error> {
        Catalog::all()?
            .last()
            .ok_or_else(|| Error::Catalog("no rule set is embedded".to_owned()))
    }

    /// The rule set named `name`; an unknown name is [`Error::UnknownRuleSet`].
    pub fn named(name: &str) -> Result<&'static Catalog, Error> {
        let all = Catalog::all()?;
        all.iter()
            .find(|c| c.rule_set == name)
            .ok_or_else(|| Error::UnknownRuleSet {
                name: name.to_owned(),
                expected: all.iter().map(|c| c.rule_set.as_str()).collect::<Vec<_>>().join(", "),
            })
    }

    /// The rule set in force on `date`; before the first one, the first one.
    pub fn for_date(date: Date) -> Result<&'static Catalog, Error> {
        let all = Catalog::all()?;
        let periods: Vec<(Date, Option<Date>)> = all.iter().map(|c| (c.applies_from, c.applies_until)).collect();
        all.get(select_by_date(&periods, date))
            .ok_or_else(|| Error::Catalog("no rule set is embedded".to_owned()))
    }

    /// This rule set with its dictionaries replaced or extended by a dictionary file
    /// (`schemas/dictionary-file.schema.json`), without a rebuild. The result records the
    /// file's version and has its own digest.
    pub fn with_dictionaries(&self, file: &[u8]) -> Result<Catalog, Error> {
        let bad = |m: String| Error::InvalidDictionaryFile(m);
        let text = std::str::from_utf8(file).map_err(|e| bad(format!("not UTF-8 at byte {}", e.valid_up_to())))?;
        let doc = crate::json::to_value(crate::json::parse_raw(text)?)?;
        let doc = object(&doc, "the dictionary file").map_err(bad)?;
        let rule_set = text_of(doc, "rule_set").map_err(bad)?;
        if rule_set != self.rule_set {
            return Err(bad(format!("it is for rule set {rule_set:?}, not {:?}", self.rule_set)));
        }
        let version = text_of(doc, "version").map_err(bad)?;
        if version.trim().is_empty() || version == BUILT_IN_DICTIONARIES {
            return Err(bad(format!("version {version:?} is blank or reserved")));
        }
        let mut out = self.clone();
        let updates = object(
            member(doc, "dictionaries", "the dictionary file").map_err(bad)?,
            "dictionaries",
        )
        .map_err(bad)?;
        for (name, update) in updates {
            let update = object(update, name).map_err(bad)?;
            let Some(dictionary) = out.dictionaries.iter_mut().find(|d| &d.name == name) else {
                return Err(bad(format!("unknown dictionary {name:?}")));
            };
            let mode = text_of(update, "mode").map_err(bad)?;
            let mut entries = Vec::new();
            match member(update, "entries", name).map_err(bad)? {
                Value::Array(items) => {
                    for item in items {
                        let item = object(item, name).map_err(bad)?;
                        let code = text_of(item, "const").map_err(bad)?;
                        let title = text_of(item, "title").map_err(bad)?;
                        if code.trim().is_empty() || code.trim() != code {
                            return Err(bad(format!("{name}: code {code:?} is blank or has surrounding spaces")));
                        }
                        entries.push((code.to_owned(), title.to_owned()));
                    }
                }
                _ => return Err(bad(format!("{name}: entries is not an array"))),
            }
            match mode {
                "extend" => {
                    for (code, title) in entries {
                        if dictionary.contains(&code) {
                            return Err(bad(format!(
                                "{name}: code {code:?} is already in the dictionary (use mode \"replace\")"
                            )));
                        }
                        dictionary.entries.push((code, title));
                    }
                }
                "replace" => {
                    if entries.is_empty() {
                        return Err(bad(format!("{name}: a replacement needs at least one entry")));
                    }
                    dictionary.entries = entries;
                }
                other => return Err(bad(format!("{name}: mode {other:?} is not extend or replace"))),
            }
        }
        out.dictionaries_version = version.to_owned();
        out.digest = out.compute_digest().map_err(Error::Catalog)?;
        Ok(out)
    }

    /// The rule-set digest: SHA-256 of the canonical JSON of `{"dictionaries": {name:
    /// [[code, title], …]}, "dictionaries_version": …, "files": {file name: content},
    /// "rule_set": name}` (see CANONICAL.md).
    fn compute_digest(&self) -> Result<String, String> {
        let mut files = Vec::new();
        for (name, source) in self.files {
            files.push(((*name).to_owned(), parse(name, source)?));
        }
        let dictionaries = self
            .dictionaries
            .iter()
            .map(|d| {
                let entries = d
                    .entries
                    .iter()
                    .map(|(code, title)| Value::Array(vec![Value::Text(code.clone()), Value::Text(title.clone())]))
                    .collect();
                (d.name.clone(), Value::Array(entries))
            })
            .collect();
        let doc = Value::Object(vec![
            ("dictionaries".into(), Value::Object(dictionaries)),
            (
                "dictionaries_version".into(),
                Value::Text(self.dictionaries_version.clone()),
            ),
            ("files".into(), Value::Object(files)),
            ("rule_set".into(), Value::Text(self.rule_set.clone())),
        ]);
        Ok(Algorithm::Sha256.digest(crate::integrity::canonical_json(&doc).as_bytes()))
    }

    /// The record schema of `entity`.
    pub fn entity(&self, entity: Entity) -> &RecordSchema {
        // Every entity is loaded (load fails otherwise), so the fallback never applies.
        self.entities
            .iter()
            .find(|(e, _)| *e == entity)
            .map(|(_, s)| s)
            .unwrap_or(&self.header)
    }

    /// The rule with this code.
    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rule_index.get(code).and_then(|i| self.rules.get(*i))
    }

    /// A localized phrase (reasons and the suggestion suffix).
    pub fn phrase(&self, key: &str, lang: Lang) -> Option<&str> {
        self.phrases
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, texts)| texts[lang.index()].as_str())
    }
}

fn parse(name: &str, text: &str) -> Result<Value, String> {
    let raw = crate::json::parse_raw(text).map_err(|e| format!("{name}: {e}"))?;
    crate::json::to_value(raw).map_err(|e| format!("{name}: {e}"))
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Object, String> {
    match value {
        Value::Object(o) => Ok(o),
        _ => Err(format!("{what} is not an object")),
    }
}

fn member<'a>(o: &'a Object, key: &str, what: &str) -> Result<&'a Value, String> {
    get(o, key).ok_or_else(|| format!("{what} has no {key:?}"))
}

fn text<'a>(o: &'a Object, key: &str, what: &str) -> Result<&'a str, String> {
    match member(o, key, what)? {
        Value::Text(s) => Ok(s),
        _ => Err(format!("{what}.{key} is not a string")),
    }
}

fn texts(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Text(s) => Ok(s.clone()),
                _ => Err(format!("{what} has a non-string item")),
            })
            .collect(),
        _ => Err(format!("{what} is not an array")),
    }
}

fn languages(o: &Object, what: &str) -> Result<[String; 3], String> {
    Ok([
        text(o, "ru", what)?.to_owned(),
        text(o, "kk", what)?.to_owned(),
        text(o, "en", what)?.to_owned(),
    ])
}

/// The index of the period that contains `date` (from ≤ date < until); the first one
/// when `date` is before every period, the last one when after.
pub(crate) fn select_by_date(periods: &[(Date, Option<Date>)], date: Date) -> usize {
    if let Some(i) = periods
        .iter()
        .position(|(from, until)| *from <= date && until.is_none_or(|u| date < u))
    {
        return i;
    }
    if periods.first().is_some_and(|(from, _)| date < *from) {
        0
    } else {
        periods.len().saturating_sub(1)
    }
}

fn text_of<'a>(o: &'a Object, key: &str) -> Result<&'a str, String> {
    text(o, key, "the dictionary file")
}

fn load_all() -> Result<Vec<Catalog>, String> {
    let doc = parse("rule-sets", RULE_SETS)?;
    let doc = object(&doc, "rule-sets.json")?;
    let Value::Array(entries) = member(doc, "rule_sets", "rule-sets.json")? else {
        return Err("rule-sets.json: rule_sets is not an array".to_owned());
    };
    let date = |o: &Object, key: &str, name: &str| -> Result<Option<Date>, String> {
        match get(o, key) {
            Some(Value::Text(t)) => Date::parse(t)
                .map(Some)
                .map_err(|_| format!("{name}: {key} is not dd.mm.yyyy")),
            Some(Value::Null) | None => Ok(None),
            _ => Err(format!("{name}: {key} is not a string")),
        }
    };
    let mut out: Vec<Catalog> = Vec::new();
    for entry in entries {
        let entry = object(entry, "rule set")?;
        let name = text(entry, "name", "rule set")?;
        let files: &'static [(&'static str, &'static str)] = match name {
            RULE_SET => &EOZ_2019_FILES,
            other => return Err(format!("rule set {other} has no embedded files")),
        };
        let mut catalog = load(name, files)?;
        catalog.title = text(entry, "title", name)?.to_owned();
        catalog.applies_from = date(entry, "applies_from", name)?.ok_or(format!("{name}: applies_from is missing"))?;
        catalog.applies_until = date(entry, "applies_until", name)?;
        if let Some(previous) = out.last() {
            if previous.applies_until != Some(catalog.applies_from) {
                return Err(format!("{name}: rule sets must follow one another without gaps"));
            }
        }
        catalog.digest = catalog.compute_digest()?;
        out.push(catalog);
    }
    Ok(out)
}

fn load(name: &str, files: &'static [(&'static str, &'static str)]) -> Result<Catalog, String> {
    let dictionaries = load_dictionaries()?;
    let mut entities = Vec::new();
    for (entity, source) in ENTITY_SCHEMAS {
        let schema = parse(entity.as_str(), source)?;
        let schema = object(&schema, entity.as_str())?;
        let declared = text(schema, "x-entity", entity.as_str())?;
        if declared != entity.as_str() {
            return Err(format!("{} schema declares entity {declared}", entity.as_str()));
        }
        entities.push((entity, record_schema(schema, schema, &dictionaries, entity.as_str())?));
    }
    let packet = parse("packet", PACKET_SCHEMA)?;
    let packet = object(&packet, "packet")?;
    let defs = object(member(packet, "$defs", "packet")?, "packet.$defs")?;
    let header = object(member(defs, "header", "packet.$defs")?, "packet header")?;
    let header = record_schema(header, packet, &dictionaries, "packet header")?;
    let (rules, phrases) = load_rules()?;
    // Every kind the schemas define must be one core implements, and the other way round.
    let kinds = parse("kinds", KINDS)?;
    let kind_defs = object(member(object(&kinds, "kinds")?, "$defs", "kinds")?, "kinds.$defs")?;
    for (name, _) in kind_defs {
        if name != "absent" && Kind::from_schema_name(name).is_none() {
            return Err(format!(
                "kinds.schema.json defines {name}, which core does not implement"
            ));
        }
    }
    let number_forms = Kind::NUMBER_FORMS.map(|n| format!("{n}_number"));
    for name in Kind::NAMES
        .iter()
        .copied()
        .chain(number_forms.iter().map(String::as_str))
    {
        if get(kind_defs, name).is_none() {
            return Err(format!(
                "core implements kind {name}, which kinds.schema.json does not define"
            ));
        }
    }
    let mut xml_lists = vec!["records".to_owned()];
    for (_, schema) in &entities {
        for field in &schema.fields {
            if matches!(field.kind, Kind::List(_)) && !xml_lists.contains(&field.name) {
                xml_lists.push(field.name.clone());
            }
        }
    }
    Ok(Catalog {
        rule_set: name.to_owned(),
        title: String::new(),
        applies_from: Date {
            year: 1,
            month: 1,
            day: 1,
        },
        applies_until: None,
        dictionaries_version: BUILT_IN_DICTIONARIES.to_owned(),
        digest: String::new(),
        files,
        entities,
        header,
        dictionaries,
        rule_index: rules.iter().enumerate().map(|(i, r)| (r.code.clone(), i)).collect(),
        rules,
        phrases,
        xml_lists,
    })
}

fn load_dictionaries() -> Result<Vec<Dictionary>, String> {
    let doc = parse("dictionaries", DICTIONARIES)?;
    let defs = object(
        member(object(&doc, "dictionaries")?, "$defs", "dictionaries")?,
        "dictionaries.$defs",
    )?;
    let mut out = Vec::new();
    for (name, def) in defs {
        let def = object(def, name)?;
        let mut entries = Vec::new();
        let mut as_numbers = Vec::new();
        match member(def, "anyOf", name)? {
            Value::Array(items) => {
                for item in items {
                    let item = object(item, name)?;
                    // `{"type": "integer", "enum": [...]}`: the same codes written as JSON numbers.
                    if let Some(Value::Array(numbers)) = get(item, "enum") {
                        for number in numbers {
                            match number {
                                Value::Number(n) => as_numbers.push(n.clone()),
                                _ => return Err(format!("dictionary {name}: a numeric code is not a number")),
                            }
                        }
                        continue;
                    }
                    entries.push((
                        text(item, "const", name)?.to_owned(),
                        text(item, "title", name)?.to_owned(),
                    ));
                }
            }
            _ => return Err(format!("dictionary {name}: anyOf is not an array")),
        }
        for number in &as_numbers {
            if !entries.iter().any(|(code, _)| code == number) {
                return Err(format!(
                    "dictionary {name}: numeric code {number} is not one of its codes"
                ));
            }
        }
        out.push(Dictionary {
            name: name.clone(),
            title: text(def, "title", name)?.to_owned(),
            entries,
            numeric: !as_numbers.is_empty(),
        });
    }
    Ok(out)
}

/// Reads the kind named by a `$ref`, relative to the schema document `root`, and
/// whether the field accepts a whole JSON number in place of its text.
fn kind_of_ref(
    reference: &str,
    root: &Object,
    dictionaries: &[Dictionary],
    what: &str,
) -> Result<(Kind, bool), String> {
    if let Some(name) = reference.strip_prefix("kinds.schema.json#/$defs/") {
        return Kind::from_schema_name(name).ok_or_else(|| format!("{what}: unknown kind {name}"));
    }
    if let Some(name) = reference.strip_prefix("dictionaries.schema.json#/$defs/") {
        return dictionaries
            .iter()
            .position(|d| d.name == name)
            .map(|i| (Kind::Dictionary(i), dictionaries[i].numeric))
            .ok_or_else(|| format!("{what}: unknown dictionary {name}"));
    }
    if reference == "#/$defs/entity" {
        return Ok((Kind::EntityName, false));
    }
    if let Some(name) = reference.strip_prefix("#/$defs/") {
        let defs = object(member(root, "$defs", what)?, what)?;
        let nested = object(member(defs, name, what)?, what)?;
        return Ok((
            Kind::List(Box::new(record_schema(nested, root, dictionaries, name)?)),
            false,
        ));
    }
    Err(format!("{what}: unsupported $ref {reference}"))
}

fn record_schema(
    schema: &Object,
    root: &Object,
    dictionaries: &[Dictionary],
    what: &str,
) -> Result<RecordSchema, String> {
    let required = texts(member(schema, "required", what)?, what)?;
    let properties = object(member(schema, "properties", what)?, what)?;
    let mut fields = Vec::new();
    for (name, property) in properties {
        let where_ = format!("{what}.{name}");
        let property = object(property, &where_)?;
        let (kind, numeric) = if let Some(Value::Text(reference)) = get(property, "$ref") {
            kind_of_ref(reference, root, dictionaries, &where_)?
        } else if let Some(Value::Array(alternatives)) = get(property, "anyOf") {
            // Optional field: anyOf [absent, kind].
            let refs: Vec<&str> = alternatives
                .iter()
                .filter_map(|a| match a {
                    Value::Object(o) => match get(o, "$ref") {
                        Some(Value::Text(r)) => Some(r.as_str()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            match refs.as_slice() {
                ["kinds.schema.json#/$defs/absent", kind] => kind_of_ref(kind, root, dictionaries, &where_)?,
                _ => return Err(format!("{where_}: anyOf must be [absent, kind]")),
            }
        } else if let Some(Value::Object(items)) = get(property, "items") {
            match get(items, "$ref") {
                Some(Value::Text(reference)) => kind_of_ref(reference, root, dictionaries, &where_)?,
                _ => return Err(format!("{where_}: array items need a $ref")),
            }
        } else {
            return Err(format!("{where_}: no $ref, anyOf or items"));
        };
        fields.push(FieldDef {
            name: name.clone(),
            title: text(property, "title", &where_)?.to_owned(),
            kind,
            mandatory: required.contains(name),
            numeric,
        });
    }
    for name in &required {
        if !fields.iter().any(|f| &f.name == name) {
            return Err(format!("{what}: required {name} is not a property"));
        }
    }
    let key = match get(schema, "x-key") {
        Some(v) => texts(v, what)?,
        None => Vec::new(),
    };
    let index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
    let mut order: Vec<usize> = (0..fields.len()).collect();
    order.sort_by(|a, b| crate::canonical::utf16_order(&fields[*a].name, &fields[*b].name));
    let mut canonical_rank = vec![0u32; fields.len()];
    for (rank, field) in order.into_iter().enumerate() {
        canonical_rank[field] = u32::try_from(rank).map_err(|_| format!("{what}: too many fields"))?;
    }
    let names_json = fields
        .iter()
        .map(|f| {
            let mut out = String::new();
            crate::report::write_json_string(&mut out, &f.name);
            out
        })
        .collect();
    Ok(RecordSchema {
        title: text(schema, "title", what)?.to_owned(),
        fields,
        key,
        index,
        canonical_rank,
        names_json,
    })
}

type Phrases = Vec<(String, [String; 3])>;

fn load_rules() -> Result<(Vec<Rule>, Phrases), String> {
    let doc = parse("rules", RULES)?;
    let doc = object(&doc, "rules.json")?;
    let mut rules = Vec::new();
    match member(doc, "rules", "rules.json")? {
        Value::Array(items) => {
            for item in items {
                let item = object(item, "rule")?;
                let code = text(item, "code", "rule")?;
                let severity = match text(item, "severity", code)? {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    other => return Err(format!("{code}: severity {other}")),
                };
                let structural = matches!(member(item, "structural", code)?, Value::Bool(true));
                rules.push(Rule {
                    code: code.to_owned(),
                    severity,
                    structural,
                    clause: text(item, "clause", code)?.to_owned(),
                    title: text(item, "title", code)?.to_owned(),
                    messages: languages(object(member(item, "message", code)?, code)?, code)?,
                });
            }
        }
        _ => return Err("rules.json: rules is not an array".to_owned()),
    }
    let mut phrases = Vec::new();
    for (key, texts) in object(member(doc, "phrases", "rules.json")?, "phrases")? {
        phrases.push((key.clone(), languages(object(texts, key)?, key)?));
    }
    Ok((rules, phrases))
}

#[cfg(test)]
mod tests {

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn same_text_sees_a_difference_at_any_byte() {
        for len in 0..24 {
            let a: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_text(&a, &a.clone()), "{a}");
            assert!(!same_text(&a, &format!("{a}x")), "{a}");
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] = b'Z';
                let b = String::from_utf8(b).expect("ASCII");
                assert!(!same_text(&a, &b), "{a} {b}");
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_field_and_rule_is_found_by_name_and_nothing_else() {
        let catalog = Catalog::get().expect("catalog loads");
        for schema in Entity::ALL.iter().map(|e| catalog.entity(*e)).chain([&catalog.header]) {
            for (i, field) in schema.fields.iter().enumerate() {
                assert_eq!(schema.index_of(&field.name), Some(i), "{}", field.name);
                for other in [
                    format!("{}x", field.name),
                    field.name[1..].to_owned(),
                    field.name.to_uppercase(),
                ] {
                    if schema.fields.iter().all(|f| f.name != other) {
                        assert_eq!(schema.index_of(&other), None, "{other}");
                    }
                }
            }
            assert_eq!(schema.index_of(""), None);
        }
        for rule in &catalog.rules {
            assert_eq!(catalog.rule(&rule.code).map(|r| &r.code), Some(&rule.code));
        }
        let empty: NameIndex = std::iter::empty().collect();
        assert_eq!(empty.get("a"), None);
    }

    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).expect("valid date")
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_rule_set_is_chosen_by_date() {
        let periods = [(d("01.01.2019"), Some(d("01.07.2025"))), (d("01.07.2025"), None)];
        assert_eq!(select_by_date(&periods, d("31.12.2018")), 0);
        assert_eq!(select_by_date(&periods, d("01.01.2019")), 0);
        assert_eq!(select_by_date(&periods, d("30.06.2025")), 0);
        assert_eq!(select_by_date(&periods, d("01.07.2025")), 1);
        assert_eq!(select_by_date(&periods, d("01.01.2030")), 1);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rule_sets_are_named_and_dated() {
        let current = Catalog::get().expect("catalog");
        assert_eq!(current.rule_set, RULE_SET);
        assert_eq!(current.applies_from, d("01.01.2019"));
        assert!(Catalog::named("eoz-2019").is_ok());
        assert!(matches!(Catalog::named("eoz-2030"), Err(Error::UnknownRuleSet { .. })));
        assert_eq!(Catalog::for_date(d("01.02.2016")).expect("catalog").rule_set, RULE_SET);
        assert!(current.digest.starts_with("sha256:") && current.digest.len() == 71);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_dictionary_file_extends_or_replaces_and_changes_the_digest() {
        let base = Catalog::get().expect("catalog");
        let file = r#"{"rule_set": "eoz-2019", "version": "agreement-2026-11",
            "dictionaries": {"currency": {"mode": "extend", "entries": [{"const": "CNY", "title": "Юань"}]}}}"#;
        let extended = base.with_dictionaries(file.as_bytes()).expect("accepted");
        assert_eq!(extended.dictionaries_version, "agreement-2026-11");
        assert_ne!(extended.digest, base.digest);
        let currency = extended
            .dictionaries
            .iter()
            .find(|d| d.name == "currency")
            .expect("currency");
        assert!(currency.contains("CNY") && currency.contains("KZT"));
        let replace = r#"{"rule_set": "eoz-2019", "version": "v2",
            "dictionaries": {"currency": {"mode": "replace", "entries": [{"const": "KZT", "title": "Тенге"}]}}}"#;
        let replaced = base.with_dictionaries(replace.as_bytes()).expect("accepted");
        let currency = replaced
            .dictionaries
            .iter()
            .find(|d| d.name == "currency")
            .expect("currency");
        assert_eq!(currency.codes().collect::<Vec<_>>(), ["KZT"]);
        for bad in [
            &br#"{"rule_set": "eoz-2030", "version": "v", "dictionaries": {}}"#[..],
            br#"{"rule_set": "eoz-2019", "version": " ", "dictionaries": {}}"#,
            br#"{"rule_set": "eoz-2019", "version": "v", "dictionaries": {"colour": {"mode": "extend", "entries": []}}}"#,
            br#"{"rule_set": "eoz-2019", "version": "v", "dictionaries": {"currency": {"mode": "extend", "entries": [{"const": "KZT", "title": "x"}]}}}"#,
            br#"{"rule_set": "eoz-2019", "version": "v", "dictionaries": {"currency": {"mode": "merge", "entries": []}}}"#,
            br#"[]"#,
        ] {
            assert!(
                matches!(base.with_dictionaries(bad), Err(Error::InvalidDictionaryFile(_) | Error::Json { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

/// Whether two short texts (names, codes) are equal, eight bytes at a time: in
/// WebAssembly `==` on strings calls a `memcmp` that compares byte by byte.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in x.by_ref().zip(y.by_ref()) {
        let word = |c: &[u8]| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            u64::from_le_bytes(w)
        };
        if word(p) != word(q) {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// Names (fields, rule codes) to positions: looked up for every member of every record
/// and by every rule, so found in an open-addressed table by a hash of four bytes and
/// the length, then one comparison. The names come from the catalog and are only looked
/// up, never inserted from input, so input that collides only costs a longer probe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct NameIndex {
    /// (name, position) in the order given.
    names: Vec<(String, usize)>,
    /// Slots of the table: 1 + an index into `names`, or 0 for an empty slot.
    slots: Vec<u32>,
}

impl NameIndex {
    fn slot_of(name: &[u8], mask: usize) -> usize {
        let n = name.len();
        let (first, middle, last) = match n {
            0 => (0, 0, 0),
            _ => (name[0], name[n / 2], name[n - 1]),
        };
        let second = name.get(1).copied().unwrap_or(0);
        let h = (n as u32).wrapping_mul(0x9E37_79B9)
            ^ u32::from_le_bytes([first, second, middle, last]).wrapping_mul(0x85EB_CA6B);
        (h ^ (h >> 15)) as usize & mask
    }

    fn get(&self, name: &str) -> Option<&usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = NameIndex::slot_of(name.as_bytes(), mask);
        loop {
            let entry = *self.slots.get(slot)? as usize;
            let (known, position) = self.names.get(entry.checked_sub(1)?)?;
            if same_text(known, name) {
                return Some(position);
            }
            slot = (slot + 1) & mask;
        }
    }
}

impl FromIterator<(String, usize)> for NameIndex {
    fn from_iter<I: IntoIterator<Item = (String, usize)>>(iter: I) -> NameIndex {
        let mut names: Vec<(String, usize)> = Vec::new();
        for (name, position) in iter {
            // A repeated name keeps its last position, as a map built in order would.
            match names.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 = position,
                None => names.push((name, position)),
            }
        }
        // At most half full, so a probe ends at an empty slot soon.
        let size = (names.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u32; size];
        for (i, (name, _)) in names.iter().enumerate() {
            let mut slot = NameIndex::slot_of(name.as_bytes(), size - 1);
            while slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            slots[slot] = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        NameIndex { names, slots }
    }
}
