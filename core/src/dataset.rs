//! Cross-entity checks over a dataset: several packets validated together (e.g. a full
//! load of Appendix 2 of the ЕОЗ regulation).
//!
//! Each packet is validated on its own first; while its records are checked, only their
//! ids, references and the sums the checks need are kept ([`Collected`]), so the memory
//! of a dataset grows with its ids, not with its records. When every packet is in,
//! [`Dataset::finish`] checks that references resolve (lot → announcement, lot → plan
//! item, result → lot, contract detail → lot), that keys are unique per entity across
//! packets, that an announcement's sum equals the sum of its lots' plan-item sums, and
//! that a lot has at most one winner across packets. The relations the tables imply but do
//! not state are warnings (errata `dataset-consistency`): a plan item, its announcement and
//! its contract name one customer and one procurement method, a contract's supplier is the
//! winner of its lot, and results are not summed up before reception ends. The dataset is
//! taken as complete: a reference to a record no packet contains is an error (errata
//! `dataset-closed-world`).

use std::collections::{BTreeMap, BTreeSet};

use crate::calendar::Instant;
use crate::catalog::{Catalog, RecordSchema};
use crate::codes;
use crate::decimal::Decimal;
use crate::engine::{record_key, Fields};
use crate::entity::Entity;
use crate::error::Error;
use crate::kinds::Parsed;
use crate::report::{canonical_order, Finding, Lang, Report, Severity, Status};
use crate::value::{int, opt_text, text, Value};
use crate::Options;

/// A lot's references (tender and plan item) and where the lot is.
#[derive(Debug, Clone)]
struct LotRef {
    id: Option<String>,
    tender_id: Option<String>,
    plan_id: Option<String>,
    place: Place,
}

/// A place in a packet of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    packet: usize,
    record: usize,
    path: String,
}

/// One record's contribution to the dataset checks (ids are lower-cased GUIDs).
#[derive(Debug, Clone)]
enum Row {
    Plan {
        id: String,
        sum: Option<Decimal>,
        facts: Facts,
        record: usize,
        path: String,
    },
    Lot {
        id: Option<String>,
        tender_id: Option<String>,
        plan_id: Option<String>,
        record: usize,
        path: String,
    },
    Announcement {
        id: String,
        sum: Option<Decimal>,
        facts: Facts,
        reception_to: Option<Moment>,
        record: usize,
        path: String,
    },
    Result {
        lot_id: String,
        winner: bool,
        bin_iin: Option<String>,
        finish: Option<Moment>,
        record: usize,
        path: String,
    },
    Contract {
        facts: Facts,
        provider_bin: Option<String>,
        record: usize,
        path: String,
    },
    Detail {
        lot_id: String,
        record: usize,
        path: String,
    },
}

/// The fields the consistency checks compare across entities (valid values only).
#[derive(Debug, Clone, Default)]
struct Facts {
    customer_bin: Option<String>,
    method: Option<String>,
}

/// A date-time as an instant (to compare) and as written (to report).
#[derive(Debug, Clone)]
struct Moment {
    instant: Instant,
    shown: String,
}

fn facts(fields: &Fields) -> Facts {
    Facts {
        customer_bin: text_of(fields, "customer_bin"),
        method: text_of(fields, "h_method_trade_id"),
    }
}

fn text_of(fields: &Fields, name: &str) -> Option<String> {
    match fields.valid(name) {
        Some(Parsed::Text(t)) => Some(t.to_string()),
        _ => None,
    }
}

fn moment(fields: &Fields, name: &str) -> Option<Moment> {
    match fields.valid(name) {
        Some(Parsed::DateTime(d)) => Some(Moment {
            instant: d.instant(),
            shown: format!(
                "{:02}.{:02}.{:04} {:02}:{:02}",
                d.date.day, d.date.month, d.date.year, d.hour, d.minute
            ),
        }),
        _ => None,
    }
}

/// The ids and references of one packet, gathered while it is validated.
#[derive(Debug, Default)]
pub struct Collected {
    keys: Vec<(String, usize, String)>,
    rows: Vec<Row>,
}

fn guid(fields: &Fields, name: &str) -> Option<String> {
    match fields.valid(name) {
        Some(Parsed::Text(t)) => Some(t.to_ascii_lowercase()),
        _ => None,
    }
}

fn decimal(fields: &Fields, name: &str) -> Option<Decimal> {
    match fields.valid(name) {
        Some(Parsed::Decimal(d)) => Some(*d),
        _ => None,
    }
}

impl Collected {
    /// Takes what the checks need from one valid-enough record.
    pub(crate) fn record(&mut self, entity: Entity, schema: &RecordSchema, fields: &Fields, path: &str, index: usize) {
        if let Some(key) = record_key(schema, fields) {
            self.keys.push((key, index, path.to_owned()));
        }
        let row = match entity {
            Entity::PlanItem => guid(fields, "id").map(|id| Row::Plan {
                id,
                sum: decimal(fields, "sum"),
                facts: facts(fields),
                record: index,
                path: path.to_owned(),
            }),
            Entity::Lot => Some(Row::Lot {
                id: guid(fields, "id"),
                tender_id: guid(fields, "tender_id"),
                plan_id: guid(fields, "plan_id"),
                record: index,
                path: path.to_owned(),
            }),
            Entity::Announcement => guid(fields, "id").map(|id| Row::Announcement {
                id,
                sum: decimal(fields, "sum"),
                facts: facts(fields),
                reception_to: moment(fields, "reception_to"),
                record: index,
                path: path.to_owned(),
            }),
            Entity::Result => guid(fields, "id").map(|lot_id| Row::Result {
                lot_id,
                winner: matches!(fields.valid("h_state_member_id"), Some(Parsed::Text(s)) if s == "winner"),
                bin_iin: text_of(fields, "bin_iin"),
                finish: moment(fields, "finish_date"),
                record: index,
                path: path.to_owned(),
            }),
            Entity::Contract => Some(Row::Contract {
                facts: facts(fields),
                provider_bin: text_of(fields, "provider_bin"),
                record: index,
                path: path.to_owned(),
            }),
            _ => None,
        };
        self.rows.extend(row);
    }

    /// Takes the lot reference of a contract's detail row.
    pub(crate) fn detail(&mut self, fields: &Fields, path: &str, index: usize) {
        if let Some(lot_id) = guid(fields, "lot_id") {
            self.rows.push(Row::Detail {
                lot_id,
                record: index,
                path: path.to_owned(),
            });
        }
    }
}

/// What a fact row of a packet is about (see [`Fact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    /// A record key (`key`), to check keys are unique per entity across packets.
    Key,
    /// A plan item: `id`, `sum`, `customer_bin`, `method`.
    PlanItem,
    /// A lot: `id`, `tender_id`, `plan_id`.
    Lot,
    /// An announcement: `id`, `sum`, `customer_bin`, `method`, `at` = reception_to.
    Announcement,
    /// A result row: `id` = the lot id, `winner`, `bin` = bin_iin, `at` = finish_date.
    Result,
    /// A contract: `customer_bin`, `method`, `bin` = provider_bin.
    Contract,
    /// A contract's detail row: `id` = lot_id (`record` is the contract's).
    Detail,
}

impl FactKind {
    /// The kind's name in fact tables (`key`, `plan_item`, `lot`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::Key => "key",
            FactKind::PlanItem => "plan_item",
            FactKind::Lot => "lot",
            FactKind::Announcement => "announcement",
            FactKind::Result => "result",
            FactKind::Contract => "contract",
            FactKind::Detail => "detail",
        }
    }
}

/// One record's contribution to the dataset checks as a flat row: what [`Dataset`] keeps of
/// a packet, handed out so that another engine (e.g. Spark joins) can run the same checks
/// over more packets than one machine holds. Only valid values are facts; ids are
/// lower-cased GUIDs; which members are set depends on `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the row is about.
    pub kind: FactKind,
    /// Index of the record in its packet.
    pub record: usize,
    /// JSON Pointer of the record (or of the detail row) in its packet.
    pub path: String,
    /// The key (kind `key`) or the id the row is known by.
    pub id: Option<String>,
    /// A lot's announcement id.
    pub tender_id: Option<String>,
    /// A lot's plan item id.
    pub plan_id: Option<String>,
    /// A plan item's or an announcement's sum, as decimal text.
    pub sum: Option<String>,
    /// The customer's BIN (plan item, announcement, contract).
    pub customer_bin: Option<String>,
    /// The procurement method (`h_method_trade_id`).
    pub method: Option<String>,
    /// reception_to (announcement) or finish_date (result) in minutes since the epoch, UTC.
    pub at_minutes: Option<i64>,
    /// The same time as reports show it (`dd.mm.yyyy HH:MM`, Astana time).
    pub at_shown: Option<String>,
    /// A result row names the winner.
    pub winner: bool,
    /// A result's bin_iin or a contract's provider_bin.
    pub bin: Option<String>,
}

impl Fact {
    fn new(kind: FactKind, record: usize, path: String) -> Fact {
        Fact {
            kind,
            record,
            path,
            id: None,
            tender_id: None,
            plan_id: None,
            sum: None,
            customer_bin: None,
            method: None,
            at_minutes: None,
            at_shown: None,
            winner: false,
            bin: None,
        }
    }

    fn with_moment(mut self, moment: Option<Moment>) -> Fact {
        if let Some(m) = moment {
            self.at_minutes = Some(m.instant.utc_minutes);
            self.at_shown = Some(m.shown);
        }
        self
    }
}

impl Collected {
    /// The gathered ids and references as fact rows (keys first, then records in order).
    pub(crate) fn into_facts(self) -> Vec<Fact> {
        let mut facts = Vec::with_capacity(self.keys.len() + self.rows.len());
        for (key, record, path) in self.keys {
            facts.push(Fact {
                id: Some(key),
                ..Fact::new(FactKind::Key, record, path)
            });
        }
        for row in self.rows {
            facts.push(match row {
                Row::Plan {
                    id,
                    sum,
                    facts,
                    record,
                    path,
                } => Fact {
                    id: Some(id),
                    sum: sum.map(|s| s.to_string()),
                    customer_bin: facts.customer_bin,
                    method: facts.method,
                    ..Fact::new(FactKind::PlanItem, record, path)
                },
                Row::Lot {
                    id,
                    tender_id,
                    plan_id,
                    record,
                    path,
                } => Fact {
                    id,
                    tender_id,
                    plan_id,
                    ..Fact::new(FactKind::Lot, record, path)
                },
                Row::Announcement {
                    id,
                    sum,
                    facts,
                    reception_to,
                    record,
                    path,
                } => Fact {
                    id: Some(id),
                    sum: sum.map(|s| s.to_string()),
                    customer_bin: facts.customer_bin,
                    method: facts.method,
                    ..Fact::new(FactKind::Announcement, record, path)
                }
                .with_moment(reception_to),
                Row::Result {
                    lot_id,
                    winner,
                    bin_iin,
                    finish,
                    record,
                    path,
                } => Fact {
                    id: Some(lot_id),
                    winner,
                    bin: bin_iin,
                    ..Fact::new(FactKind::Result, record, path)
                }
                .with_moment(finish),
                Row::Contract {
                    facts,
                    provider_bin,
                    record,
                    path,
                } => Fact {
                    customer_bin: facts.customer_bin,
                    method: facts.method,
                    bin: provider_bin,
                    ..Fact::new(FactKind::Contract, record, path)
                },
                Row::Detail { lot_id, record, path } => Fact {
                    id: Some(lot_id),
                    ..Fact::new(FactKind::Detail, record, path)
                },
            });
        }
        facts
    }
}

/// Validates one packet read from `reader` (streamed, any size) and returns its report
/// and its [`Fact`]s: the per-packet half of [`Dataset::add`], for engines that run the
/// cross-entity half themselves. `catalog` fixes the rule set as in [`Dataset::with_catalog`].
pub fn packet_facts<R: std::io::Read>(
    reader: R,
    options: &Options,
    catalog: Option<&Catalog>,
    progress: impl FnMut(u64),
) -> Result<(Report, Vec<Fact>), Error> {
    Catalog::get()?;
    let named = match &options.rule_set {
        Some(name) => Some(Catalog::named(name)?),
        None => None,
    };
    let mut stream = crate::PacketStream::build(options, catalog.or(named), true);
    if catalog.is_none() {
        stream = stream.shared_catalog(named);
    }
    stream.read_all(reader, progress)?;
    let (report, collected) = stream.finish_collected()?;
    Ok((report, collected.map(Collected::into_facts).unwrap_or_default()))
}

/// A cross-entity finding found outside [`Dataset`] (e.g. by joins over [`Fact`]s), with
/// the parameters [`Dataset::finish`] gives its own: `value`, `expected`, and `related`
/// (the other record, as `packet path/field`) for the consistency warnings.
#[derive(Debug, Clone, Copy)]
pub struct CrossFinding<'a> {
    /// A `dataset.*` code.
    pub code: &'a str,
    /// Index of the record in its packet.
    pub record: usize,
    /// JSON Pointer of the record (or detail row) in its packet.
    pub path: &'a str,
    /// The field the finding is about.
    pub field: &'a str,
    /// The `value` parameter (a sum is written as decimal text; it is shown with two decimals).
    pub value: &'a str,
    /// The `expected` parameter (the same for sums).
    pub expected: &'a str,
    /// The `related` parameter of the consistency warnings.
    pub related: Option<&'a str>,
}

impl CrossFinding<'_> {
    /// The finding as [`Dataset::finish`] would make it (severity from `catalog`), or an
    /// error when the code is not a dataset code or a sum is not decimal text.
    pub fn to_finding(&self, catalog: &Catalog) -> Result<Finding, Error> {
        let code = codes::ALL
            .iter()
            .copied()
            .find(|c| *c == self.code && c.starts_with("dataset."))
            .ok_or_else(|| Error::Catalog(format!("{} is not a dataset code", self.code)))?;
        let shown = |text: &str| -> Result<String, Error> {
            if code == codes::DATASET_ANNOUNCEMENT_SUM {
                // Engines write sums at their own scale (Spark: 18 places); zeros at the
                // end of a fraction are not significant.
                let text = if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.')
                } else {
                    text
                };
                Decimal::parse_text(text)
                    .map(|d| d.to_string_scale(2))
                    .map_err(|_| Error::Catalog(format!("{text:?} is not a decimal sum")))
            } else {
                Ok(text.to_owned())
            }
        };
        let mut params = vec![("value", shown(self.value)?), ("expected", shown(self.expected)?)];
        if let Some(related) = self.related {
            params.push(("related", related.to_owned()));
        }
        Ok(Finding {
            code,
            severity: catalog.rule(code).map_or(Severity::Error, |r| r.severity),
            path: format!("{}/{}", self.path, self.field),
            record: Some(self.record),
            field: Some(self.field.to_owned()),
            suggestion: None,
            params,
        })
    }
}

/// The other side of a dataset finding: where the first occurrence is, or which record
/// a reference expected to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The entity of the other side.
    pub entity: Entity,
    /// Index of its packet in the dataset, when it exists.
    pub packet: Option<usize>,
    /// JSON Pointer in that packet, when it exists; else the field that was looked up.
    pub path: Option<String>,
    /// The id looked up or repeated.
    pub value: String,
}

/// A finding of the dataset: a packet's own finding, or a cross-entity one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetFinding {
    /// Index of the packet in the dataset.
    pub packet: usize,
    /// The finding (its path is inside that packet).
    pub finding: Finding,
    /// The other side of a cross-entity finding.
    pub related: Option<Related>,
}

/// What the dataset report says of one packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketSummary {
    /// The caller's label (e.g. the file name).
    pub label: String,
    /// The packet's own report.
    pub report: Report,
}

/// A dataset being validated.
pub struct Dataset<'c> {
    catalog: Option<&'c Catalog>,
    options: Options,
    packets: Vec<PacketSummary>,
    keys: BTreeMap<(Entity, String), Place>,
    duplicates: Vec<(Entity, String, Place, Place)>,
    plans: BTreeMap<String, PlanInfo>,
    lots: BTreeMap<String, Place>,
    announcements: BTreeMap<String, AnnouncementInfo>,
    lot_rows: Vec<LotRef>,
    result_rows: Vec<ResultInfo>,
    detail_rows: Vec<(String, Place)>,
    /// (packet, record) of a contract → what the consistency checks compare.
    contracts: BTreeMap<(usize, usize), ContractInfo>,
}

/// What the dataset keeps of a plan item.
#[derive(Debug, Clone)]
struct PlanInfo {
    sum: Option<Decimal>,
    facts: Facts,
    place: Place,
}

/// What the dataset keeps of an announcement.
#[derive(Debug, Clone)]
struct AnnouncementInfo {
    sum: Option<Decimal>,
    facts: Facts,
    reception_to: Option<Moment>,
    place: Place,
}

/// What the dataset keeps of a result row.
#[derive(Debug, Clone)]
struct ResultInfo {
    lot_id: String,
    winner: bool,
    bin_iin: Option<String>,
    finish: Option<Moment>,
    place: Place,
}

/// What the dataset keeps of a contract.
#[derive(Debug, Clone)]
struct ContractInfo {
    facts: Facts,
    provider_bin: Option<String>,
    place: Place,
}

impl<'c> Dataset<'c> {
    /// An empty dataset; each packet's rule set is chosen as [`crate::validate`] does.
    pub fn new(options: Options) -> Dataset<'static> {
        Dataset::build(None, options)
    }

    /// An empty dataset validated against one catalog (e.g. with run-time dictionaries).
    pub fn with_catalog(catalog: &'c Catalog, options: Options) -> Dataset<'c> {
        Dataset::build(Some(catalog), options)
    }

    fn build(catalog: Option<&'c Catalog>, options: Options) -> Dataset<'c> {
        Dataset {
            catalog,
            options,
            packets: Vec::new(),
            keys: BTreeMap::new(),
            duplicates: Vec::new(),
            plans: BTreeMap::new(),
            lots: BTreeMap::new(),
            announcements: BTreeMap::new(),
            lot_rows: Vec::new(),
            result_rows: Vec::new(),
            detail_rows: Vec::new(),
            contracts: BTreeMap::new(),
        }
    }

    /// Validates one packet and adds its ids to the dataset; returns its own report.
    /// An unreadable packet is an `Err` and is not added.
    pub fn add(&mut self, label: &str, input: &[u8]) -> Result<&Report, Error> {
        let (report, collected) = crate::run(input, &self.options, self.catalog, true)?;
        let packet = self.packets.len();
        let entity = report.entity;
        if let Some(collected) = collected {
            self.absorb(packet, entity, collected);
        }
        self.packets.push(PacketSummary {
            label: label.to_owned(),
            report,
        });
        let summary = self
            .packets
            .last()
            .ok_or_else(|| Error::Catalog("packet list is empty".to_owned()))?;
        Ok(&summary.report)
    }

    fn absorb(&mut self, packet: usize, entity: Entity, collected: Collected) {
        for (key, record, path) in collected.keys {
            let place = Place { packet, record, path };
            match self.keys.get(&(entity, key.clone())) {
                // Repeats inside one packet are already record.duplicate_key findings.
                Some(first) if first.packet != packet => {
                    self.duplicates.push((entity, key, first.clone(), place));
                }
                Some(_) => {}
                None => {
                    self.keys.insert((entity, key), place);
                }
            }
        }
        for row in collected.rows {
            match row {
                Row::Plan {
                    id,
                    sum,
                    facts,
                    record,
                    path,
                } => {
                    self.plans.entry(id).or_insert(PlanInfo {
                        sum,
                        facts,
                        place: Place { packet, record, path },
                    });
                }
                Row::Lot {
                    id,
                    tender_id,
                    plan_id,
                    record,
                    path,
                } => {
                    let place = Place { packet, record, path };
                    if let Some(id) = &id {
                        self.lots.entry(id.clone()).or_insert_with(|| place.clone());
                    }
                    self.lot_rows.push(LotRef {
                        id,
                        tender_id,
                        plan_id,
                        place,
                    });
                }
                Row::Announcement {
                    id,
                    sum,
                    facts,
                    reception_to,
                    record,
                    path,
                } => {
                    self.announcements.entry(id).or_insert(AnnouncementInfo {
                        sum,
                        facts,
                        reception_to,
                        place: Place { packet, record, path },
                    });
                }
                Row::Result {
                    lot_id,
                    winner,
                    bin_iin,
                    finish,
                    record,
                    path,
                } => self.result_rows.push(ResultInfo {
                    lot_id,
                    winner,
                    bin_iin,
                    finish,
                    place: Place { packet, record, path },
                }),
                Row::Contract {
                    facts,
                    provider_bin,
                    record,
                    path,
                } => {
                    self.contracts.insert(
                        (packet, record),
                        ContractInfo {
                            facts,
                            provider_bin,
                            place: Place { packet, record, path },
                        },
                    );
                }
                Row::Detail { lot_id, record, path } => self.detail_rows.push((lot_id, Place { packet, record, path })),
            }
        }
    }

    /// Runs the cross-entity checks and builds the dataset report.
    pub fn finish(self) -> DatasetReport {
        let mut cross: Vec<DatasetFinding> = Vec::new();
        let rules = self.catalog_for_messages();
        let finding = |code: &'static str, place: &Place, field: &str, params: Vec<(&'static str, String)>| Finding {
            code,
            // The catalog's severity (all four are errors today); fail closed if it is missing.
            severity: rules.and_then(|c| c.rule(code)).map_or(Severity::Error, |r| r.severity),
            path: format!("{}/{field}", place.path),
            record: Some(place.record),
            field: Some(field.to_owned()),
            suggestion: None,
            params,
        };
        let missing = |place: &Place, field: &str, target: Entity, id: &str| DatasetFinding {
            packet: place.packet,
            finding: finding(
                codes::DATASET_REFERENCE_MISSING,
                place,
                field,
                vec![
                    ("value", id.to_owned()),
                    ("expected", format!("{}.id", target.as_str())),
                ],
            ),
            related: Some(Related {
                entity: target,
                packet: None,
                path: Some("/records/*/id".to_owned()),
                value: id.to_owned(),
            }),
        };
        let label = |packet: usize, path: &str| {
            let name = self.packets.get(packet).map(|p| p.label.as_str()).unwrap_or("");
            format!("{name} {path}")
        };
        // References.
        let mut lots_of: BTreeMap<&str, Vec<Option<&str>>> = BTreeMap::new();
        for LotRef {
            tender_id,
            plan_id,
            place,
            ..
        } in &self.lot_rows
        {
            if let Some(t) = tender_id {
                if !self.announcements.contains_key(t) {
                    cross.push(missing(place, "tender_id", Entity::Announcement, t));
                }
                lots_of.entry(t.as_str()).or_default().push(plan_id.as_deref());
            }
            if let Some(p) = plan_id {
                if !self.plans.contains_key(p) {
                    cross.push(missing(place, "plan_id", Entity::PlanItem, p));
                }
            }
        }
        let mut winners: BTreeMap<&str, &Place> = BTreeMap::new();
        for ResultInfo {
            lot_id, winner, place, ..
        } in &self.result_rows
        {
            if !self.lots.contains_key(lot_id) {
                cross.push(missing(place, "id", Entity::Lot, lot_id));
            }
            if *winner {
                match winners.get(lot_id.as_str()) {
                    // Two winners in one packet are that packet's own result.winner_repeated.
                    Some(first) if first.packet == place.packet => {}
                    Some(first) => cross.push(DatasetFinding {
                        packet: place.packet,
                        finding: finding(
                            codes::DATASET_WINNER_REPEATED,
                            place,
                            "h_state_member_id",
                            vec![
                                ("value", lot_id.clone()),
                                ("expected", label(first.packet, &first.path)),
                            ],
                        ),
                        related: Some(Related {
                            entity: Entity::Result,
                            packet: Some(first.packet),
                            path: Some(first.path.clone()),
                            value: lot_id.clone(),
                        }),
                    }),
                    None => {
                        winners.insert(lot_id, place);
                    }
                }
            }
        }
        for (lot_id, place) in &self.detail_rows {
            if !self.lots.contains_key(lot_id) {
                cross.push(missing(place, "lot_id", Entity::Lot, lot_id));
            }
        }
        // Keys unique per entity across packets.
        for (entity, key, first, place) in &self.duplicates {
            let field = self
                .catalog_for_messages()
                .map(|c| c.entity(*entity).key.first().cloned().unwrap_or_default())
                .unwrap_or_default();
            cross.push(DatasetFinding {
                packet: place.packet,
                finding: finding(
                    codes::DATASET_DUPLICATE_KEY,
                    place,
                    &field,
                    vec![("value", key.clone()), ("expected", label(first.packet, &first.path))],
                ),
                related: Some(Related {
                    entity: *entity,
                    packet: Some(first.packet),
                    path: Some(first.path.clone()),
                    value: key.clone(),
                }),
            });
        }
        // An announcement's sum equals the sum of its lots' plan-item sums.
        for (id, AnnouncementInfo { sum, place, .. }) in &self.announcements {
            let (Some(sum), Some(plan_ids)) = (sum, lots_of.get(id.as_str())) else {
                continue;
            };
            let mut total = Some(Decimal::ZERO);
            for plan_id in plan_ids {
                let plan_sum = plan_id.and_then(|p| self.plans.get(p).and_then(|plan| plan.sum));
                total = match (total, plan_sum) {
                    (Some(t), Some(s)) => t.add(&s),
                    // A lot without a resolvable plan sum is reported elsewhere; no sum check.
                    _ => None,
                };
            }
            if let Some(total) = total {
                if total != *sum {
                    cross.push(DatasetFinding {
                        packet: place.packet,
                        finding: finding(
                            codes::DATASET_ANNOUNCEMENT_SUM,
                            place,
                            "sum",
                            vec![
                                ("value", sum.to_string_scale(2)),
                                ("expected", total.to_string_scale(2)),
                            ],
                        ),
                        related: None,
                    });
                }
            }
        }
        self.consistency(&mut cross, &finding);
        cross.sort_by(|a, b| {
            a.packet
                .cmp(&b.packet)
                .then_with(|| canonical_order(&a.finding, &b.finding))
        });
        DatasetReport {
            lang: self.options.lang,
            rule_set: self.catalog.map(|c| c.rule_set.clone()),
            packets: self.packets,
            findings: cross,
        }
    }

    /// The relations the tables imply between a plan item, its lot's announcement, the
    /// lot's results and the contract that names the lot (errata `dataset-consistency`):
    /// one customer, one procurement method, the contract's supplier is the lot's winner,
    /// and results are summed up no earlier than the end of reception.
    fn consistency<F>(&self, cross: &mut Vec<DatasetFinding>, finding: &F)
    where
        F: Fn(&'static str, &Place, &str, Vec<(&'static str, String)>) -> Finding,
    {
        let label = |place: &Place, field: &str| {
            let name = self.packets.get(place.packet).map(|p| p.label.as_str()).unwrap_or("");
            format!("{name} {}/{field}", place.path)
        };
        // One finding per (code, record, other record): a contract of three lots of one
        // plan item is told once.
        let mut told: BTreeSet<(&'static str, usize, usize, usize, usize)> = BTreeSet::new();
        let mut differ =
            |cross: &mut Vec<DatasetFinding>,
             code: &'static str,
             field: &str,
             (ours, here): (&Option<String>, &Place),
             (theirs, there, entity, their_field): (&Option<String>, &Place, Entity, &str)| {
                let (Some(ours), Some(theirs)) = (ours, theirs) else {
                    return;
                };
                if ours == theirs || !told.insert((code, here.packet, here.record, there.packet, there.record)) {
                    return;
                }
                cross.push(DatasetFinding {
                    packet: here.packet,
                    finding: finding(
                        code,
                        here,
                        field,
                        vec![
                            ("value", ours.clone()),
                            ("expected", theirs.clone()),
                            ("related", label(there, their_field)),
                        ],
                    ),
                    related: Some(Related {
                        entity,
                        packet: Some(there.packet),
                        path: Some(format!("{}/{their_field}", there.path)),
                        value: theirs.clone(),
                    }),
                });
            };
        // The first lot of each id (a repeated id is dataset.duplicate_key).
        let mut lot_refs: BTreeMap<&str, &LotRef> = BTreeMap::new();
        for lot in &self.lot_rows {
            if let Some(id) = &lot.id {
                lot_refs.entry(id.as_str()).or_insert(lot);
            }
        }
        // Announcement ↔ plan item of each of its lots.
        for lot in &self.lot_rows {
            let (Some(announcement), Some(plan)) = (
                lot.tender_id.as_ref().and_then(|t| self.announcements.get(t)),
                lot.plan_id.as_ref().and_then(|p| self.plans.get(p)),
            ) else {
                continue;
            };
            differ(
                cross,
                codes::DATASET_CUSTOMER_MISMATCH,
                "customer_bin",
                (&announcement.facts.customer_bin, &announcement.place),
                (&plan.facts.customer_bin, &plan.place, Entity::PlanItem, "customer_bin"),
            );
            differ(
                cross,
                codes::DATASET_METHOD_MISMATCH,
                "h_method_trade_id",
                (&announcement.facts.method, &announcement.place),
                (&plan.facts.method, &plan.place, Entity::PlanItem, "h_method_trade_id"),
            );
        }
        // Contract ↔ plan item and winner of each lot its detail rows name.
        let winners: BTreeMap<&str, &ResultInfo> =
            self.result_rows
                .iter()
                .filter(|r| r.winner)
                .fold(BTreeMap::new(), |mut map, r| {
                    map.entry(r.lot_id.as_str()).or_insert(r);
                    map
                });
        for (lot_id, detail) in &self.detail_rows {
            let Some(contract) = self.contracts.get(&(detail.packet, detail.record)) else {
                continue;
            };
            if let Some(plan) = lot_refs
                .get(lot_id.as_str())
                .and_then(|l| l.plan_id.as_ref())
                .and_then(|p| self.plans.get(p))
            {
                differ(
                    cross,
                    codes::DATASET_CUSTOMER_MISMATCH,
                    "customer_bin",
                    (&contract.facts.customer_bin, &contract.place),
                    (&plan.facts.customer_bin, &plan.place, Entity::PlanItem, "customer_bin"),
                );
                differ(
                    cross,
                    codes::DATASET_METHOD_MISMATCH,
                    "h_method_trade_id",
                    (&contract.facts.method, &contract.place),
                    (&plan.facts.method, &plan.place, Entity::PlanItem, "h_method_trade_id"),
                );
            }
            if let Some(winner) = winners.get(lot_id.as_str()) {
                differ(
                    cross,
                    codes::DATASET_SUPPLIER_NOT_WINNER,
                    "provider_bin",
                    (&contract.provider_bin, &contract.place),
                    (&winner.bin_iin, &winner.place, Entity::Result, "bin_iin"),
                );
            }
        }
        // Results are summed up no earlier than the end of the announcement's reception.
        for result in &self.result_rows {
            let Some(announcement) = lot_refs
                .get(result.lot_id.as_str())
                .and_then(|l| l.tender_id.as_ref())
                .and_then(|t| self.announcements.get(t))
            else {
                continue;
            };
            let (Some(finish), Some(end)) = (&result.finish, &announcement.reception_to) else {
                continue;
            };
            if finish.instant < end.instant
                && told.insert((
                    codes::DATASET_RESULT_BEFORE_RECEPTION_END,
                    result.place.packet,
                    result.place.record,
                    announcement.place.packet,
                    announcement.place.record,
                ))
            {
                cross.push(DatasetFinding {
                    packet: result.place.packet,
                    finding: finding(
                        codes::DATASET_RESULT_BEFORE_RECEPTION_END,
                        &result.place,
                        "finish_date",
                        vec![
                            ("value", finish.shown.clone()),
                            ("expected", end.shown.clone()),
                            ("related", label(&announcement.place, "reception_to")),
                        ],
                    ),
                    related: Some(Related {
                        entity: Entity::Announcement,
                        packet: Some(announcement.place.packet),
                        path: Some(format!("{}/reception_to", announcement.place.path)),
                        value: end.shown.clone(),
                    }),
                });
            }
        }
    }

    fn catalog_for_messages(&self) -> Option<&Catalog> {
        match self.catalog {
            Some(c) => Some(c),
            None => Catalog::get().ok(),
        }
    }
}

/// The result of validating a dataset: each packet's report and the cross-entity findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetReport {
    /// Language of messages; `None` renders all three.
    pub lang: Option<Lang>,
    /// The rule set fixed by the caller, if any (else each packet's own).
    pub rule_set: Option<String>,
    /// The packets, in the order they were added.
    pub packets: Vec<PacketSummary>,
    /// Cross-entity findings, by packet, in canonical order.
    pub findings: Vec<DatasetFinding>,
}

impl DatasetReport {
    /// Accepted only when every packet is accepted and no cross-entity check failed.
    pub fn status(&self) -> Status {
        let packets_ok = self.packets.iter().all(|p| p.report.accepted());
        let cross_ok = !self.findings.iter().any(|f| f.finding.severity == Severity::Error);
        if packets_ok && cross_ok {
            Status::Accepted
        } else {
            Status::Rejected
        }
    }

    /// Whether the dataset was accepted.
    pub fn accepted(&self) -> bool {
        self.status() == Status::Accepted
    }

    /// The canonical JSON form: packet summaries, then every finding (the packets' own
    /// findings first, in packet order, then the cross-entity ones), each naming its packet.
    pub fn to_json(&self) -> String {
        let Ok(current) = Catalog::get() else {
            return "{\n  \"error\": \"the embedded rule catalog is defective\"\n}\n".to_owned();
        };
        let catalog_of = |rule_set: &str| Catalog::named(rule_set).unwrap_or(current);
        let mut errors = 0usize;
        let mut warnings = 0usize;
        let mut findings = Vec::new();
        let mut packets = Vec::new();
        for p in &self.packets {
            let r = &p.report;
            errors += r.count(Severity::Error);
            warnings += r.count(Severity::Warning);
            packets.push(Value::Object(vec![
                ("packet".into(), text(&p.label)),
                ("status".into(), text(r.status.as_str())),
                ("entity".into(), text(r.entity.as_str())),
                ("rule_set".into(), text(&r.rule_set)),
                ("rules_digest".into(), text(&r.rules_digest)),
                ("packet_id".into(), opt_text(r.packet_id.as_deref())),
                ("digest".into(), opt_text(r.digest.as_deref())),
                ("record_count".into(), int(r.record_count)),
                ("errors".into(), int(r.count(Severity::Error))),
                ("warnings".into(), int(r.count(Severity::Warning))),
            ]));
            let catalog = catalog_of(&r.rule_set);
            for f in &r.findings {
                findings.push(with_related(f.to_value(catalog, self.lang, Some(&p.label)), None));
            }
        }
        for f in &self.findings {
            match f.finding.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            let label = self.packets.get(f.packet).map(|p| p.label.as_str()).unwrap_or("");
            let catalog = self.rule_set.as_deref().map_or(current, catalog_of);
            let related = f.related.as_ref().map(|r| {
                Value::Object(vec![
                    ("entity".into(), text(r.entity.as_str())),
                    (
                        "packet".into(),
                        opt_text(r.packet.and_then(|i| self.packets.get(i)).map(|p| p.label.as_str())),
                    ),
                    ("path".into(), opt_text(r.path.as_deref())),
                    ("value".into(), text(&r.value)),
                ])
            });
            findings.push(with_related(
                f.finding.to_value(catalog, self.lang, Some(label)),
                related,
            ));
        }
        Value::Object(vec![
            ("status".into(), text(self.status().as_str())),
            ("engine".into(), text(format!("tekser {}", crate::VERSION))),
            ("packets".into(), Value::Array(packets)),
            ("errors".into(), int(errors)),
            ("warnings".into(), int(warnings)),
            ("findings".into(), Value::Array(findings)),
        ])
        .to_pretty_json()
    }
}

/// Adds `related` (or null) to a finding document, before its messages.
fn with_related(finding: Value, related: Option<Value>) -> Value {
    match finding {
        Value::Object(mut members) => {
            let at = members
                .iter()
                .position(|(k, _)| k == "message" || k == "messages")
                .unwrap_or(members.len());
            members.insert(at, ("related".to_owned(), related.unwrap_or(Value::Null)));
            Value::Object(members)
        }
        other => other,
    }
}
