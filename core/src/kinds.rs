//! Field kinds: checking one present, non-blank value against its kind.
//!
//! Each check mirrors the kind's definition in `schemas/kinds.schema.json`: what the
//! schema rejects, a structural code rejects here too, and the checks a schema cannot
//! express (check digits, real dates, decimal scale) have codes of their own. A value
//! gets at most one finding (flag lists: one per bad item), so one cause is one finding.

use std::borrow::Cow;

use crate::calendar::{CalendarError, Date, LocalDateTime};
use crate::catalog::{Catalog, Kind};
use crate::codes;
use crate::decimal::{Decimal, DecimalError};
use crate::entity::Entity;
use crate::identifiers::{self, IdError, IdKind};
use crate::suggest;
use crate::value::{is_space, Value};

/// A checked value, in the form the record rules use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed<'v> {
    /// Text borrowed from the record (owned only for a code written as a JSON number).
    Text(Cow<'v, str>),
    Decimal(Decimal),
    Count(u64),
    Date(Date),
    DateTime(LocalDateTime),
    Bool(bool),
    /// The valid codes of a flag list.
    Flags(Vec<Cow<'v, str>>),
}

impl Parsed<'_> {
    /// The same value, owning its text (for a value read from a temporary).
    pub(crate) fn into_owned(self) -> Parsed<'static> {
        match self {
            Parsed::Text(t) => Parsed::Text(Cow::Owned(t.into_owned())),
            Parsed::Flags(f) => Parsed::Flags(f.into_iter().map(|c| Cow::Owned(c.into_owned())).collect()),
            Parsed::Decimal(d) => Parsed::Decimal(d),
            Parsed::Count(n) => Parsed::Count(n),
            Parsed::Date(d) => Parsed::Date(d),
            Parsed::DateTime(d) => Parsed::DateTime(d),
            Parsed::Bool(b) => Parsed::Bool(b),
        }
    }
}

/// A finding about the value, before it is placed in the packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub suggestion: Option<String>,
}

impl Problem {
    fn new(code: &'static str, value: &str) -> Problem {
        Problem {
            code,
            params: vec![("value", value.to_owned())],
            suggestion: None,
        }
    }
}

/// The outcome of checking a value: its parsed form if usable, and the problems found.
#[derive(Debug, Default)]
pub(crate) struct Checked<'v> {
    pub parsed: Option<Parsed<'v>>,
    pub problems: Vec<Problem>,
}

impl<'v> Checked<'v> {
    fn ok(parsed: Parsed<'v>) -> Checked<'v> {
        Checked {
            parsed: Some(parsed),
            problems: Vec::new(),
        }
    }

    fn fail(problem: Problem) -> Checked<'v> {
        Checked {
            parsed: None,
            problems: vec![problem],
        }
    }
}

/// The value as it appears in messages.
pub(crate) fn display(value: &Value) -> String {
    match value {
        Value::Text(s) | Value::Number(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        other => other.type_name().to_owned(),
    }
}

fn type_error(expected: &str) -> Checked<'static> {
    Checked::fail(Problem {
        code: codes::FIELD_TYPE,
        params: vec![("expected", expected.to_owned())],
        suggestion: None,
    })
}

/// A JSON number sent for a code the regulation types «число» (a field with `numeric`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberCode {
    /// A plain whole literal (digits only): the code's text, leading zeros restored.
    Plain(String),
    /// A whole value spelled with a sign, fraction or exponent (`-0`, `1.0`, `1e3`): its
    /// digits (zeros restored), or the literal itself when it is too long to write out.
    Spelled(String),
    /// A negative or fractional value: no code is written so.
    NotWhole,
}

/// `digits` with zeros in front up to `length`.
pub(crate) fn pad_code(digits: &str, length: usize) -> String {
    if digits.len() >= length {
        return digits.to_owned();
    }
    let mut out = "0".repeat(length - digits.len());
    out.push_str(digits);
    out
}

/// True when a JSON number literal is digits only (no sign, fraction or exponent).
pub(crate) fn is_plain_whole(literal: &str) -> bool {
    !literal.is_empty() && literal.bytes().all(|b| b.is_ascii_digit())
}

/// Reads a JSON number literal sent for a code of `kind`.
pub(crate) fn number_code(kind: &Kind, literal: &str) -> NumberCode {
    if is_plain_whole(literal) {
        return NumberCode::Plain(pad_code(literal, kind.code_length()));
    }
    match crate::canonical::canonical_number(literal) {
        Some(c) if c.starts_with('-') || c.contains('.') || c.contains("e-") => NumberCode::NotWhole,
        Some(c) if c.contains('e') => NumberCode::Spelled(literal.to_owned()),
        Some(c) => NumberCode::Spelled(pad_code(&c, kind.code_length())),
        // An exponent beyond ±10^15: a fraction when negative, far too long otherwise.
        None if literal.contains("e-") || literal.contains("E-") => NumberCode::NotWhole,
        None => NumberCode::Spelled(literal.to_owned()),
    }
}

/// True when a whole number written out is beyond 2^53, where a JavaScript (IEEE double)
/// JSON parser no longer keeps every digit.
pub(crate) fn beyond_double(digits: &str) -> bool {
    let digits = digits.trim_start_matches('0');
    digits.len() > 16 || (digits.len() == 16 && digits > "9007199254740992")
}

/// Checks a present, non-blank value of a scalar kind (lists are walked by the engine).
pub(crate) fn check<'v>(kind: &Kind, value: &'v Value, catalog: &Catalog) -> Checked<'v> {
    match kind {
        Kind::Decimal | Kind::Amount | Kind::Percent => numeric(kind, value),
        Kind::Count | Kind::Year | Kind::Month => whole(kind, value),
        Kind::Boolean => boolean(value),
        Kind::List(_) => type_error("array"),
        _ => match value {
            Value::Text(text) => textual(kind, text, catalog),
            _ => type_error("string"),
        },
    }
}

fn decimal_of(value: &Value) -> Result<Decimal, DecimalError> {
    match value {
        Value::Number(literal) => Decimal::parse_json_number(literal),
        Value::Text(text) => Decimal::parse_text(text),
        _ => Err(DecimalError::Format),
    }
}

fn numeric(kind: &Kind, value: &Value) -> Checked<'static> {
    if !matches!(value, Value::Number(_) | Value::Text(_)) {
        return type_error("number or string");
    }
    // The value as shown in a finding; built only for one.
    let shown = value_text(value);
    match decimal_of(value) {
        Err(DecimalError::Format) => Checked::fail(Problem::new(codes::DECIMAL_FORMAT, shown)),
        Err(DecimalError::Negative) => Checked::fail(Problem::new(codes::DECIMAL_NEGATIVE, shown)),
        // Too long to compute exactly, but plainly above 100 (1000 or more): out of range.
        Err(DecimalError::Range) if *kind == Kind::Percent && Decimal::literal_exceeds(shown, 100) => {
            Checked::fail(Problem::new(codes::PERCENT_RANGE, shown))
        }
        Err(DecimalError::Range) => Checked::fail(Problem::new(codes::DECIMAL_RANGE, shown)),
        Ok(d) if *kind == Kind::Percent && d > Decimal::from_int(100) => {
            Checked::fail(Problem::new(codes::PERCENT_RANGE, shown))
        }
        Ok(d) if *kind == Kind::Amount && d.scale() > 2 => Checked::fail(Problem::new(codes::AMOUNT_SCALE, shown)),
        Ok(d) => Checked::ok(Parsed::Decimal(d)),
    }
}

fn whole(kind: &Kind, value: &Value) -> Checked<'static> {
    let code = match kind {
        Kind::Count => codes::COUNT_FORMAT,
        Kind::Year => codes::YEAR_FORMAT,
        _ => codes::MONTH_RANGE,
    };
    let shown = value_text(value);
    let number = match value {
        Value::Number(literal) => match Decimal::parse_json_number(literal) {
            Ok(d) => d.to_u64(),
            // A whole number too long to compute is a range problem; a fraction is not a count.
            Err(DecimalError::Range) if *kind == Kind::Count && !Decimal::literal_has_fraction(literal) => {
                return Checked::fail(Problem::new(codes::DECIMAL_RANGE, shown))
            }
            Err(_) => None,
        },
        Value::Text(text) => {
            let well_formed = match kind {
                Kind::Count => {
                    text == "0"
                        || (!text.starts_with('0') && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                }
                Kind::Year => text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()),
                _ => matches!(text.len(), 1 | 2) && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()),
            };
            if well_formed && *kind == Kind::Count && text.len() > crate::decimal::MAX_DIGITS {
                return Checked::fail(Problem::new(codes::DECIMAL_RANGE, shown));
            }
            if well_formed {
                text.parse::<u64>().ok()
            } else {
                None
            }
        }
        _ => return type_error("number or string"),
    };
    let in_range = |n: u64| match kind {
        Kind::Count => true,
        Kind::Year => (1000..=9999).contains(&n),
        _ => (1..=12).contains(&n),
    };
    match number {
        Some(n) if in_range(n) => Checked::ok(Parsed::Count(n)),
        _ => Checked::fail(Problem::new(code, shown)),
    }
}

/// The literal of a number or the text of a string (the only values numeric kinds read).
fn value_text(value: &Value) -> &str {
    match value {
        Value::Text(s) | Value::Number(s) => s,
        _ => "",
    }
}

fn boolean(value: &Value) -> Checked<'static> {
    match value {
        Value::Bool(b) => Checked::ok(Parsed::Bool(*b)),
        Value::Text(t) if t == "true" => Checked::ok(Parsed::Bool(true)),
        Value::Text(t) if t == "false" => Checked::ok(Parsed::Bool(false)),
        Value::Array(_) | Value::Object(_) => type_error("boolean"),
        other => Checked::fail(Problem::new(codes::BOOLEAN_FORMAT, &display(other))),
    }
}

fn all_digits(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_guid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn is_enstru(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 6 | 10) {
                *c == b'.'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// `^https?://[^\s/?#@]+([/?#]\S*)?$`
fn is_url(text: &str) -> bool {
    let rest = match text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) {
        Some(r) => r,
        None => return false,
    };
    if text.chars().any(is_space) {
        return false;
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    !host.is_empty() && !host.contains('@')
}

/// `^[^@\s]+@[^@\s]+\.[^@\s]+$`
fn is_email(text: &str) -> bool {
    if text.chars().any(is_space) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') {
        return false;
    }
    // A dot with at least one character on each side.
    domain
        .char_indices()
        .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len())
}

/// `^\+?[0-9]{10,15}$`
fn is_phone(text: &str) -> bool {
    all_digits(text.strip_prefix('+').unwrap_or(text), 10, 15)
}

fn textual<'v>(kind: &Kind, text: &'v str, catalog: &Catalog) -> Checked<'v> {
    let simple = |ok: bool, code: &'static str| {
        if ok {
            Checked::ok(Parsed::Text(Cow::Borrowed(text)))
        } else {
            Checked::fail(Problem::new(code, text))
        }
    };
    // A form the text does not name: the value stays valid, the finding is a warning.
    let with_warning = |ok: bool, code: &'static str| {
        let mut checked = Checked::ok(Parsed::Text(Cow::Borrowed(text)));
        if !ok {
            checked.problems.push(Problem::new(code, text));
        }
        checked
    };
    match kind {
        Kind::Text => Checked::ok(Parsed::Text(Cow::Borrowed(text))),
        Kind::Guid => simple(is_guid(text), codes::GUID_FORMAT),
        Kind::Kato => simple(all_digits(text, 9, 9), codes::KATO_FORMAT),
        Kind::Mkei => simple(all_digits(text, 3, 4), codes::MKEI_FORMAT),
        Kind::Rca => simple(all_digits(text, 1, 16), codes::RCA_FORMAT),
        // Typed «строка»: the link and e-mail forms are warnings, the text stays usable.
        Kind::Url => with_warning(is_url(text), codes::URL_FORMAT),
        Kind::Email => with_warning(is_email(text), codes::EMAIL_FORMAT),
        Kind::Phone => simple(is_phone(text), codes::PHONE_FORMAT),
        Kind::Enstru => with_warning(is_enstru(text), codes::ENSTRU_FORMAT),
        Kind::Bin | Kind::Iin | Kind::BinIin => {
            let id_kind = match kind {
                Kind::Bin => IdKind::Bin,
                Kind::Iin => IdKind::Iin,
                _ => IdKind::BinOrIin,
            };
            match identifiers::check(text, id_kind) {
                Ok(()) => Checked::ok(Parsed::Text(Cow::Borrowed(text))),
                Err(IdError::Format) => Checked::fail(Problem::new(codes::BIN_FORMAT, text)),
                Err(IdError::Checksum(expected)) => Checked::fail(Problem {
                    code: codes::BIN_CHECKSUM,
                    params: vec![("value", text.to_owned()), ("expected", expected.to_string())],
                    suggestion: None,
                }),
                Err(IdError::Structure(reason)) => Checked::fail(Problem {
                    code: codes::BIN_STRUCTURE,
                    params: vec![("value", text.to_owned()), ("reason", reason.to_owned())],
                    suggestion: None,
                }),
            }
        }
        Kind::Date => match Date::parse(text) {
            Ok(d) => Checked::ok(Parsed::Date(d)),
            Err(CalendarError::Format) => Checked::fail(Problem::new(codes::DATE_FORMAT, text)),
            Err(CalendarError::NoSuchDate) => Checked::fail(Problem::new(codes::DATE_CALENDAR, text)),
        },
        Kind::DateTime => match LocalDateTime::parse(text) {
            Ok(d) => Checked::ok(Parsed::DateTime(d)),
            Err(CalendarError::Format) => Checked::fail(Problem::new(codes::DATETIME_FORMAT, text)),
            Err(CalendarError::NoSuchDate) => Checked::fail(Problem::new(codes::DATETIME_CALENDAR, text)),
        },
        Kind::Dictionary(index) => match catalog.dictionaries.get(*index) {
            Some(dictionary) if dictionary.contains(text) => Checked::ok(Parsed::Text(Cow::Borrowed(text))),
            Some(dictionary) => Checked::fail(Problem {
                code: codes::DICTIONARY_UNKNOWN_CODE,
                params: vec![("value", text.to_owned()), ("dictionary", dictionary.title.clone())],
                suggestion: suggest::nearest(text, dictionary.codes()).map(str::to_owned),
            }),
            None => Checked::fail(Problem::new(codes::DICTIONARY_UNKNOWN_CODE, text)),
        },
        Kind::EntityName => {
            if Entity::ALL.iter().any(|e| e.as_str() == text) {
                Checked::ok(Parsed::Text(Cow::Borrowed(text)))
            } else {
                Checked::fail(Problem {
                    code: codes::DICTIONARY_UNKNOWN_CODE,
                    params: vec![("value", text.to_owned()), ("dictionary", "entity".to_owned())],
                    suggestion: suggest::nearest(text, Entity::ALL.iter().map(|e| e.as_str())).map(str::to_owned),
                })
            }
        }
        Kind::Flags => flags(text, catalog),
        // Numeric, boolean and list kinds are dispatched before this function.
        Kind::Decimal
        | Kind::Amount
        | Kind::Percent
        | Kind::Count
        | Kind::Year
        | Kind::Month
        | Kind::Boolean
        | Kind::List(_) => type_error("string"),
    }
}

fn flags<'v>(text: &'v str, catalog: &Catalog) -> Checked<'v> {
    let dictionary = catalog.dictionaries.iter().find(|d| d.name == "participant_flag");
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    for item in text.split(',').map(str::trim) {
        match dictionary {
            Some(d) if d.contains(item) => valid.push(Cow::Borrowed(item)),
            Some(d) => problems.push(Problem {
                code: codes::FLAGS_UNKNOWN_CODE,
                params: vec![("value", item.to_owned())],
                suggestion: suggest::nearest(item, d.codes()).map(str::to_owned),
            }),
            None => problems.push(Problem::new(codes::FLAGS_UNKNOWN_CODE, item)),
        }
    }
    Checked {
        parsed: Some(Parsed::Flags(valid)),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn textual_forms() {
        assert!(is_guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_guid("0f8fad5b-d9cb-469f-a165-70867728950"));
        assert!(is_url("https://goszakup.example/plan/1?x=1"));
        assert!(!is_url("https:///path"));
        assert!(!is_url("ftp://x.kz"));
        assert!(!is_url("https://user@host.kz"));
        assert!(is_email("a.b@mail.kz"));
        assert!(!is_email("a@kz."));
        assert!(!is_email("a@.kz"));
        assert!(is_email("a@b..c"));
        assert!(is_phone("+77012345678"));
        assert!(!is_phone("+7 701 234 56 78"));
        assert!(is_enstru("351210.900.000000"));
        assert!(!is_enstru("351210900000000"));
    }
}
