//! Format-logical control (ФЛК) within one record: the rules that relate fields.
//!
//! A rule runs only when every field it reads is valid (or, where the rule allows it,
//! absent): a malformed input already has its own finding, and one cause gives one
//! finding.

use crate::codes;
use crate::decimal::Decimal;
use crate::engine::{pointer_segment, FieldState, Fields, Validator};
use crate::entity::Entity;
use crate::kinds::Parsed;

fn decimal(fields: &Fields, name: &str) -> Option<Decimal> {
    match fields.valid(name) {
        Some(Parsed::Decimal(d)) => Some(*d),
        _ => None,
    }
}

fn text<'f>(fields: &'f Fields, name: &str) -> Option<&'f str> {
    match fields.valid(name) {
        Some(Parsed::Text(t)) => Some(t),
        _ => None,
    }
}

/// An optional amount: `Some(None)` when absent, `None` when invalid.
fn optional_decimal(fields: &Fields, name: &str) -> Option<Option<Decimal>> {
    match fields.state(name) {
        FieldState::Absent => Some(None),
        FieldState::Valid(Parsed::Decimal(d)) => Some(Some(*d)),
        _ => None,
    }
}

fn at(path: &str, field: &str) -> String {
    format!("{path}/{}", pointer_segment(field))
}

/// Runs the record rules of `entity` on one checked record.
pub(crate) fn check_record(v: &mut Validator, entity: Entity, fields: &Fields, path: &str, index: usize) {
    match entity {
        Entity::PlanItem => plan_item(v, fields, path, index),
        Entity::Announcement => announcement(v, fields, path, index),
        Entity::Contract => contract(v, fields, path, index),
        Entity::Participant => participant(v, fields, path, index),
        Entity::UnreliableSupplier => register(v, fields, path, index),
        Entity::Result => result(v, fields, path, index),
        Entity::Lot | Entity::LegalAct => {}
    }
    bilingual(v, entity, fields, path, index);
}

fn plan_item(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    let record = Some(index);
    let sum = decimal(fields, "sum");
    if let (Some(volume), Some(price), Some(sum)) = (decimal(fields, "volume"), decimal(fields, "price"), sum) {
        if let Some(product) = volume.mul(&price) {
            let expected = product.round_half_up(2);
            if expected != sum {
                v.push(
                    codes::PLAN_SUM_MISMATCH,
                    at(path, "sum"),
                    record,
                    Some("sum"),
                    vec![
                        ("value", sum.to_string_scale(2)),
                        ("expected", expected.to_string_scale(2)),
                    ],
                    None,
                );
            }
        }
    }
    if let (Some(period), Some(sum), Some(year1)) =
        (text(fields, "h_tender_period_id"), sum, decimal(fields, "sum_year1"))
    {
        match period {
            "annualplan" if year1 != sum => v.push(
                codes::PLAN_ANNUAL_YEAR_SUM,
                at(path, "sum_year1"),
                record,
                Some("sum_year1"),
                vec![
                    ("value", year1.to_string_scale(2)),
                    ("expected", sum.to_string_scale(2)),
                ],
                None,
            ),
            "longTermPlan" => {
                if let (Some(year2), Some(year3)) = (
                    optional_decimal(fields, "sum_year2"),
                    optional_decimal(fields, "sum_year3"),
                ) {
                    let total = year1
                        .add(&year2.unwrap_or(Decimal::ZERO))
                        .and_then(|t| t.add(&year3.unwrap_or(Decimal::ZERO)));
                    if let Some(total) = total {
                        if total != sum {
                            v.push(
                                codes::PLAN_LONG_TERM_YEAR_SUMS,
                                at(path, "sum_year1"),
                                record,
                                Some("sum_year1"),
                                vec![
                                    ("value", total.to_string_scale(2)),
                                    ("expected", sum.to_string_scale(2)),
                                ],
                                None,
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let payments = ["advance", "step_pay", "last_pay"];
    let states: Option<Vec<Option<Decimal>>> = payments.iter().map(|p| optional_decimal(fields, p)).collect();
    if let Some(states) = states {
        if let Some(first) = payments.iter().zip(&states).find(|(_, s)| s.is_some()).map(|(p, _)| *p) {
            let total = states.iter().flatten().try_fold(Decimal::ZERO, |acc, d| acc.add(d));
            if let Some(total) = total {
                if total != Decimal::from_int(100) {
                    v.push(
                        codes::PLAN_PAYMENTS_TOTAL,
                        at(path, first),
                        record,
                        Some(first),
                        vec![("value", total.to_string())],
                        None,
                    );
                }
            }
        }
    }
}

fn announcement(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    // Compared as instants (Astana offset in force at each time), not as local text.
    let datetime = |name: &str| match fields.valid(name) {
        Some(Parsed::DateTime(d)) => Some(d.instant()),
        _ => None,
    };
    let shown = |name: &str| match fields.valid(name) {
        Some(Parsed::DateTime(d)) => format!(
            "{:02}.{:02}.{:04} {:02}:{:02}",
            d.date.day, d.date.month, d.date.year, d.hour, d.minute
        ),
        _ => String::new(),
    };
    if let (Some(publish), Some(from)) = (datetime("publish_date"), datetime("reception_from")) {
        if publish > from {
            v.push(
                codes::ANNOUNCEMENT_PUBLISH_AFTER_RECEPTION,
                at(path, "publish_date"),
                Some(index),
                Some("publish_date"),
                vec![("value", shown("publish_date")), ("expected", shown("reception_from"))],
                None,
            );
        }
    }
    if let (Some(from), Some(to)) = (datetime("reception_from"), datetime("reception_to")) {
        if to <= from {
            v.push(
                codes::ANNOUNCEMENT_RECEPTION_WINDOW,
                at(path, "reception_to"),
                Some(index),
                Some("reception_to"),
                vec![("value", shown("reception_to")), ("expected", shown("reception_from"))],
                None,
            );
        }
    }
}

fn contract(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    let goods = fields.state("local_content");
    let works = fields.state("local_content_works_services");
    if *goods == FieldState::Absent && *works == FieldState::Absent {
        v.push(
            codes::CONTRACT_LOCAL_CONTENT_MISSING,
            at(path, "local_content"),
            Some(index),
            Some("local_content"),
            Vec::new(),
            None,
        );
    }
    if let (Some(Parsed::Count(lot_count)), FieldState::List { lots: Some(lots), .. }) =
        (fields.valid("lot_count"), fields.state("details"))
    {
        if *lot_count != *lots as u64 {
            v.push(
                codes::CONTRACT_LOT_COUNT_MISMATCH,
                at(path, "lot_count"),
                Some(index),
                Some("lot_count"),
                vec![("value", lot_count.to_string()), ("expected", lots.to_string())],
                None,
            );
        }
    }
}

/// A lot has one winner: a second result row naming a winner of the same lot is an error.
fn result(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    let winner = matches!(fields.valid("h_state_member_id"), Some(Parsed::Text(s)) if s == "winner");
    let Some(lot) = text(fields, "id").filter(|_| winner).map(str::to_ascii_lowercase) else {
        return;
    };
    v.winner(&lot, index, path, "h_state_member_id");
}

fn participant(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    let non_resident = matches!(fields.valid("h_flag_member_list"), Some(Parsed::Flags(f)) if f.iter().any(|c| c == "supplierNon-Resident"));
    if non_resident && fields.valid("is_resident") == Some(&Parsed::Bool(true)) {
        v.push(
            codes::PARTICIPANT_RESIDENT_CONFLICT,
            at(path, "is_resident"),
            Some(index),
            Some("is_resident"),
            Vec::new(),
            None,
        );
    }
}

fn register(v: &mut Validator, fields: &Fields, path: &str, index: usize) {
    if let (Some(Parsed::Date(start)), Some(Parsed::Date(end))) = (fields.valid("start_date"), fields.valid("end_date"))
    {
        if end < start {
            let show = |d: &crate::calendar::Date| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year);
            v.push(
                codes::REGISTER_DATES_ORDER,
                at(path, "end_date"),
                Some(index),
                Some("end_date"),
                vec![("value", show(end)), ("expected", show(start))],
                None,
            );
        }
    }
}

/// A Kazakh text without its Russian pair (`X_kz` given, `X_ru` absent).
fn bilingual(v: &mut Validator, entity: Entity, fields: &Fields, path: &str, index: usize) {
    // The validator's own catalog: the rule must never silently skip on a lookup.
    let catalog = v.catalog();
    for field in &catalog.entity(entity).fields {
        let Some(base) = field.name.strip_suffix("_kz") else {
            continue;
        };
        if !matches!(fields.state(&field.name), FieldState::Valid(_)) {
            continue;
        }
        // The pair's name, built on the stack: this runs for every record.
        let mut buffer = [0u8; 64];
        let pair = buffer
            .get_mut(..base.len() + 3)
            .map(|room| {
                room[..base.len()].copy_from_slice(base.as_bytes());
                room[base.len()..].copy_from_slice(b"_ru");
                &*room
            })
            .and_then(|bytes| std::str::from_utf8(bytes).ok());
        let owned;
        let russian = match pair {
            Some(name) => name,
            None => {
                owned = format!("{base}_ru");
                owned.as_str()
            }
        };
        if *fields.state(russian) == FieldState::Absent {
            v.push(
                codes::BILINGUAL_RU_MISSING,
                at(path, russian),
                Some(index),
                Some(russian),
                vec![("pair", field.name.clone())],
                None,
            );
        }
    }
}
