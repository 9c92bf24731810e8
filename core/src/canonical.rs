//! The canonical form of a packet's data model, the input of the integrity digest.
//!
//! RFC 8785 (JCS) style, specified in `schemas/CANONICAL.md` so that a third party can
//! reimplement it: no insignificant white space, object members sorted by the UTF-16 code
//! units of their names, strings escaped as RFC 8785 does, numbers in the ECMAScript
//! `Number::toString` layout computed from the exact decimal value of the literal. Two
//! rules make it "digest over meaning" rather than over bytes:
//!
//! * members whose value is null or a blank string are left out (absent, null and blank
//!   mean the same to every rule), and
//! * a field the schema types as a number (decimal, amount, count, percent, year, month)
//!   or a boolean is written as a JSON number / boolean whether it arrived as a JSON
//!   number, a JSON string or XML text, when its text is a JSON number literal (or
//!   `true`/`false`); otherwise it stays a string; a GUID field's text is written in
//!   ASCII lower case; and
//! * a code the regulation types «число» (a field of an `X_number` kind or a numeric
//!   dictionary) sent as a plain whole JSON number is written as the string of its digits,
//!   left-padded with zeros to the code's length (BIN/IIN 12, KATO 9, MKEI 3), so that
//!   `81140000436` and `"081140000436"` are one value.
//!
//! A packet object is the exception to member order: its first `records` member, when it
//! is an array, is written first and the other members after it, sorted; so a reader
//! hashes the records as they stream, whatever comes after them.
//!
//! So a packet sent as JSON or as XML, with any member order or white space, has one
//! canonical form, and a different value anywhere gives a different one.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::catalog::{FieldDef, Kind, RecordSchema};
use crate::report::write_json_string;
use crate::value::{Object, Value};

/// Orders member names by their UTF-16 code units (RFC 8785, section 3.2.3).
pub(crate) fn utf16_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        // One is a prefix of the other: the shorter comes first in either encoding.
        None => x.len().cmp(&y.len()),
        // UTF-8 bytes order as code points do, and code points as UTF-16 units do, except
        // that characters from U+10000 (lead byte F0..F4) come before U+E000..U+FFFF (EE,
        // EF) in UTF-16. A difference in a later byte of a character is within one class.
        Some(i) if x[i] < 0xEE && y[i] < 0xEE => x[i].cmp(&y[i]),
        Some(_) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// True when `text` is a JSON number literal (RFC 8259 grammar, nothing around it).
pub(crate) fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// The canonical text of a JSON number literal: the ECMAScript `Number::toString` layout
/// applied to the literal's exact decimal digits (no rounding to binary floating point).
///
/// `None` when `literal` is not a JSON number or its exponent is beyond ±10^15.
pub(crate) fn canonical_number(literal: &str) -> Option<String> {
    if already_canonical(literal) {
        return Some(literal.to_owned());
    }
    number_from_digits(literal)
}

/// [`canonical_number`] worked out from the digits and the exponent.
fn number_from_digits(literal: &str) -> Option<String> {
    if !is_json_number(literal) {
        return None;
    }
    let (negative, rest) = match literal.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, literal),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, "0"),
    };
    let exponent: i64 = {
        let digits = exponent.trim_start_matches(['+', '-']).trim_start_matches('0');
        if digits.len() > 15 {
            return None;
        }
        let magnitude: i64 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
        if exponent.starts_with('-') {
            -magnitude
        } else {
            magnitude
        }
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = int.chars().chain(frac.chars()).collect();
    // The value is 0.D × 10^n once leading zeros are stripped from the digits D.
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all[leading..].trim_end_matches('0');
    if digits.is_empty() {
        return Some("0".to_owned());
    }
    let n = i64::try_from(int.len()).ok()? + exponent - i64::try_from(leading).ok()?;
    let k = i64::try_from(digits.len()).ok()?;
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        let cut = usize::try_from(n).ok()?;
        out.push_str(&digits[..cut]);
        out.push('.');
        out.push_str(&digits[cut..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
    Some(out)
}

/// The code's text of a plain whole JSON number sent for a field typed «число».
pub(crate) fn number_as_code(def: &FieldDef, literal: &str) -> Option<String> {
    (def.numeric && crate::kinds::is_plain_whole(literal))
        .then(|| crate::kinds::pad_code(literal, def.kind.code_length()))
}

/// Whether a member is left out of the canonical form.
fn omitted(value: &Value) -> bool {
    value.is_blank()
}

fn is_numeric(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Decimal | Kind::Amount | Kind::Count | Kind::Percent | Kind::Year | Kind::Month
    )
}

/// Writes `value` canonically; `kind` is the schema's kind for it, if known.
/// Whether `literal` is a number already in its canonical form: no sign but `-`, a whole
/// part from 1 to 21 digits without leading zeros, a fraction without trailing zeros, no
/// exponent (most amounts in a packet), or `0`. Such a literal is copied as it is.
fn already_canonical(literal: &str) -> bool {
    let b = literal.strip_prefix('-').unwrap_or(literal).as_bytes();
    if b == b"0" {
        return literal == "0";
    }
    let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if int == 0 || int > 21 || b[0] == b'0' {
        return false;
    }
    match &b[int..] {
        [] => true,
        [b'.', frac @ ..] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) && frac.last() != Some(&b'0'),
        _ => false,
    }
}

/// Appends the canonical form of the number `literal`; false (nothing written) when it
/// has none.
fn write_number(out: &mut String, literal: &str) -> bool {
    if already_canonical(literal) {
        out.push_str(literal);
        return true;
    }
    match canonical_number(literal) {
        Some(c) => {
            out.push_str(&c);
            true
        }
        None => false,
    }
}

pub(crate) fn write_value(out: &mut String, value: &Value, kind: Option<&Kind>) {
    match (value, kind) {
        (Value::Number(n) | Value::Text(n), Some(k)) if is_numeric(k) => {
            if !write_number(out, n) {
                write_plain(out, value)
            }
        }
        (Value::Text(t), Some(Kind::Boolean)) if t == "true" || t == "false" => out.push_str(t),
        // A GUID in upper and lower case is one id (as for duplicate keys).
        (Value::Text(t), Some(Kind::Guid)) => {
            if t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                // Nothing to escape: lower-cased in place of a copy.
                out.push('"');
                let start = out.len();
                out.push_str(t);
                out[start..].make_ascii_lowercase();
                out.push('"');
            } else {
                write_json_string(out, &t.to_ascii_lowercase())
            }
        }
        (Value::Array(items), Some(Kind::List(schema))) => list_into(out, items, schema),
        (Value::Object(members), _) => write_object(out, members, None),
        (other, _) => write_plain(out, other),
    }
}

fn write_plain(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !write_number(out, n) {
                out.push_str(n)
            }
        }
        Value::Text(s) => write_json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, None);
            }
            out.push(']');
        }
        Value::Object(members) => write_object(out, members, None),
    }
}

/// How the members of an object are typed.
#[derive(Clone, Copy)]
enum Typing<'a> {
    /// Not at all (unknown members, nested values).
    Plain,
    /// By a record schema (header, record, detail row).
    Record(&'a RecordSchema),
    /// A packet: `header` by the header schema, `records` as records of the entity.
    Packet {
        header: &'a RecordSchema,
        entity: &'a RecordSchema,
    },
}

/// Writes an object canonically; `schema` types its known members.
pub(crate) fn write_object(out: &mut String, members: &Object, schema: Option<&RecordSchema>) {
    write_typed_object(out, members, schema.map_or(Typing::Plain, Typing::Record));
}

fn write_typed_object(out: &mut String, members: &Object, typing: Typing<'_>) {
    if let Typing::Record(schema) = typing {
        if write_known_record(out, members, schema) {
            return;
        }
    }
    write_sorted(out, members, typing);
}

/// The general way: members sorted by comparing their names.
fn write_sorted(out: &mut String, members: &Object, typing: Typing<'_>) {
    // A packet's records come first when its first `records` member is an array, so that
    // a reader can hash them as they stream, before it has seen the other members.
    let streamed = match typing {
        Typing::Packet { .. } => members
            .iter()
            .position(|(k, _)| k == "records")
            .filter(|i| matches!(members[*i].1, Value::Array(_))),
        _ => None,
    };
    let mut kept: Vec<&(String, Value)> = members
        .iter()
        .enumerate()
        .filter(|(i, (_, v))| !omitted(v) && Some(*i) != streamed)
        .map(|(_, m)| m)
        .collect();
    // A stable sort keeps repeated names (a finding of their own) in document order.
    kept.sort_by(|a, b| utf16_order(&a.0, &b.0));
    if let Some(i) = streamed {
        kept.insert(0, &members[i]);
    }
    out.push('{');
    for (i, (key, value)) in kept.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(out, key);
        out.push(':');
        match (typing, key.as_str(), value) {
            (Typing::Record(schema), _, _) => write_member(out, schema, key, value),
            (Typing::Packet { header, .. }, "header", Value::Object(h)) => {
                write_typed_object(out, h, Typing::Record(header))
            }
            (Typing::Packet { entity, .. }, "records", Value::Array(records)) => list_into(out, records, entity),
            _ => write_value(out, value, None),
        }
    }
    out.push('}');
}

/// Most members of an object written by [`write_known_record`].
const MAX_KNOWN_MEMBERS: usize = 128;

/// Writes a record whose members are all fields of `schema` (the usual case), ordered by
/// the fields' precomputed canonical ranks, without comparing names or allocating; false
/// (nothing written) when a member is not a field of the schema or there are too many.
/// The same bytes as the general way: a repeated name keeps document order (the
/// position breaks ties), and blank members are left out.
fn write_known_record(out: &mut String, members: &Object, schema: &RecordSchema) -> bool {
    if members.len() > MAX_KNOWN_MEMBERS {
        return false;
    }
    let mut fields = [0u16; MAX_KNOWN_MEMBERS];
    for ((key, _), field) in members.iter().zip(fields.iter_mut()) {
        match schema.index_of(key).and_then(|i| u16::try_from(i).ok()) {
            Some(i) if i != u16::MAX => *field = i,
            _ => return false,
        }
    }
    write_known_fields(out, members, schema, &fields[..members.len()])
}

/// Writes a record whose members are the fields `fields` (one per member, in order).
fn write_known_fields(out: &mut String, members: &Object, schema: &RecordSchema, fields: &[u16]) -> bool {
    if members.len() > MAX_KNOWN_MEMBERS {
        return false;
    }
    // (rank << 48 | field << 32 | position) for each kept member: unique, so an unstable
    // sort is stable, and the field is not looked up again to write it.
    let mut order = [0u64; MAX_KNOWN_MEMBERS];
    let mut kept = 0;
    for (position, ((_, value), field)) in members.iter().zip(fields).enumerate() {
        if omitted(value) {
            continue;
        }
        let Some(rank) = schema
            .canonical_rank(usize::from(*field))
            .and_then(|r| u16::try_from(r).ok())
        else {
            return false;
        };
        order[kept] = (u64::from(rank) << 48) | (u64::from(*field) << 32) | position as u64;
        kept += 1;
    }
    let order = &mut order[..kept];
    order.sort_unstable();
    out.push('{');
    let mut first = true;
    for entry in order.iter() {
        let value = &members[(entry & 0xFFFF_FFFF) as usize].1;
        let field = ((entry >> 32) & 0xFFFF) as usize;
        let (Some(name), Some(def)) = (schema.name_json(field), schema.fields.get(field)) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(name);
        out.push(':');
        write_member_of(out, Some(def), value);
    }
    out.push('}');
    true
}

/// Writes the value of member `key` of a record typed by `schema`.
fn write_member(out: &mut String, schema: &RecordSchema, key: &str, value: &Value) {
    write_member_of(out, schema.field(key), value);
}

/// Writes the value of a member whose field is `def` (none: not a field of the schema).
fn write_member_of(out: &mut String, def: Option<&FieldDef>, value: &Value) {
    match (def, value) {
        (Some(def), Value::Number(literal)) if def.numeric => match number_as_code(def, literal) {
            Some(code) => write_json_string(out, &code),
            None => write_value(out, value, Some(&def.kind)),
        },
        (def, _) => write_value(out, value, def.map(|f| &f.kind)),
    }
}

/// The canonical form of each member of a record, by name (null and blank members left
/// out; a repeated name keeps its first value): what "changed properties" compare.
pub(crate) fn member_forms(members: &Object, schema: &RecordSchema) -> BTreeMap<String, String> {
    let mut forms = BTreeMap::new();
    for (key, value) in members.iter().filter(|(_, v)| !omitted(v)) {
        if !forms.contains_key(key) {
            let mut out = String::new();
            write_member(&mut out, schema, key, value);
            forms.insert(key.clone(), out);
        }
    }
    forms
}

/// The canonical form of one record (or any value) of a schema.
pub(crate) fn record(value: &Value, schema: &RecordSchema) -> String {
    let mut out = String::new();
    record_into(&mut out, value, schema);
    out
}

/// Appends the canonical form of one record to `out` (a buffer reused across records).
pub(crate) fn record_into(out: &mut String, value: &Value, schema: &RecordSchema) {
    record_with_fields_into(out, value, schema, &[]);
}

/// [`record_into`] when the field of each member of the record is known already (the
/// validator found them: `u16::MAX` for a member that is not a field); `fields` that do
/// not match the record's members are not used.
pub(crate) fn record_with_fields_into(out: &mut String, value: &Value, schema: &RecordSchema, fields: &[u16]) {
    match value {
        Value::Object(members)
            if fields.len() == members.len()
                && !fields.contains(&u16::MAX)
                && write_known_fields(out, members, schema, fields) => {}
        Value::Object(members) => write_object(out, members, Some(schema)),
        other => write_value(out, other, None),
    }
}

/// The canonical form of a whole packet object (`header`, `records`, anything else).
pub(crate) fn packet(members: &Object, header: &RecordSchema, entity: &RecordSchema) -> String {
    let mut out = String::new();
    write_typed_object(&mut out, members, Typing::Packet { header, entity });
    out
}

/// The canonical form of a bare list of records.
pub(crate) fn list(records: &[Value], entity: &RecordSchema) -> String {
    let mut out = String::new();
    list_into(&mut out, records, entity);
    out
}

fn list_into(out: &mut String, records: &[Value], entity: &RecordSchema) {
    out.push('[');
    for (i, item) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item {
            Value::Object(members) => write_object(out, members, Some(entity)),
            other => write_value(out, other, None),
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn known_records_are_written_as_the_general_way_writes_them() {
        let catalog = crate::catalog::Catalog::get().expect("catalog");
        let schema = catalog.entity(crate::entity::Entity::Contract);
        let text = |s: &str| Value::Text(s.to_owned());
        let detail = |lot: &str| {
            Value::Object(vec![
                ("n_cert".to_owned(), text("  ")),
                ("lot_id".to_owned(), text(lot)),
                ("sum".to_owned(), Value::Number("10.50".to_owned())),
            ])
        };
        // Every field of the schema in reverse table order, with a repeat, a null, a blank
        // and a GUID in upper case; detail rows in a list.
        let mut members: Object = schema
            .fields
            .iter()
            .rev()
            .map(|f| (f.name.clone(), text("X")))
            .collect();
        members.push((schema.fields[0].name.clone(), text("repeated, second")));
        members.insert(0, (schema.fields[1].name.clone(), Value::Null));
        members.push(("details".to_owned(), Value::Array(vec![detail("A1"), detail("B2")])));
        members.push(("id".to_owned(), text("0F8FAD5B-D9CB-469F-A165-70867728950E")));
        let mut fast = String::new();
        assert!(write_known_record(&mut fast, &members, schema));
        let mut general = String::new();
        write_sorted(&mut general, &members, Typing::Record(schema));
        assert_eq!(fast, general);
        assert!(fast.contains("0f8fad5b-d9cb-469f-a165-70867728950e"), "{fast}");
        // With the fields the validator found for each member.
        let fields: Vec<u16> = members
            .iter()
            .map(|(k, _)| {
                schema
                    .index_of(k)
                    .and_then(|i| u16::try_from(i).ok())
                    .unwrap_or(u16::MAX)
            })
            .collect();
        let record = Value::Object(members.clone());
        let mut given = String::new();
        record_with_fields_into(&mut given, &record, schema, &fields);
        assert_eq!(given, general);
        // Fields that do not match the members are not used.
        let mut mismatched = String::new();
        record_with_fields_into(&mut mismatched, &record, schema, &fields[1..]);
        assert_eq!(mismatched, general);
        // A member that is not a field: the general way writes it.
        members.push(("zz_unknown".to_owned(), text("y")));
        assert!(!write_known_record(&mut String::new(), &members, schema));
        let mut both = String::new();
        write_object(&mut both, &members, Some(schema));
        let mut general = String::new();
        write_sorted(&mut general, &members, Typing::Record(schema));
        assert_eq!(both, general);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn numbers_take_the_ecmascript_layout_of_their_exact_value() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("-0.0e5", "0"),
            ("1", "1"),
            ("1000.50", "1000.5"),
            ("1.0", "1"),
            ("1e3", "1000"),
            ("1E+3", "1000"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("123e-9", "1.23e-7"),
            ("1e21", "1e+21"),
            ("100000000000000000000", "100000000000000000000"),
            ("1000000000000000000000", "1e+21"),
            ("12345678901234567890123", "1.2345678901234567890123e+22"),
            ("-12.5e1", "-125"),
            ("0.1", "0.1"),
            ("00", "?"),
        ];
        for (literal, expected) in cases {
            let got = canonical_number(literal).unwrap_or_else(|| "?".to_owned());
            assert_eq!(got, expected, "{literal}");
        }
        // The shortcut for literals already canonical agrees with the general way.
        let mut shortcut = 0;
        for int in [
            "0",
            "-0",
            "1",
            "-7",
            "10",
            "100200",
            "007",
            &"9".repeat(21),
            &"9".repeat(22),
        ] {
            for frac in ["", ".", ".0", ".5", ".50", ".05", ".000001", ".0000001", ".x"] {
                let literal = format!("{int}{frac}");
                if already_canonical(&literal) {
                    shortcut += 1;
                    assert_eq!(
                        number_from_digits(&literal).as_deref(),
                        Some(literal.as_str()),
                        "{literal}"
                    );
                }
            }
        }
        assert!(shortcut > 20, "{shortcut}");
        assert_eq!(canonical_number("1e9999999999999999"), None);
        assert_eq!(canonical_number("1."), None);
        assert_eq!(canonical_number("+1"), None);
        assert_eq!(canonical_number(" 1"), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn names_sort_by_utf16_code_units() {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16, after it in UTF-8.
        assert_eq!(utf16_order("\u{1F600}", "\u{FB33}"), Ordering::Less);
        assert_eq!(utf16_order("a", "b"), Ordering::Less);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn null_and_blank_members_are_left_out_and_order_does_not_matter() {
        let a = Value::Object(vec![
            ("b".into(), Value::Text("x".into())),
            ("a".into(), Value::Number("1.50".into())),
            ("c".into(), Value::Null),
            ("d".into(), Value::Text("  ".into())),
        ]);
        let b = Value::Object(vec![
            ("a".into(), Value::Number("1.5".into())),
            ("b".into(), Value::Text("x".into())),
        ]);
        let mut out_a = String::new();
        let mut out_b = String::new();
        write_value(&mut out_a, &a, None);
        write_value(&mut out_b, &b, None);
        assert_eq!(out_a, "{\"a\":1.5,\"b\":\"x\"}");
        assert_eq!(out_a, out_b);
    }
}
