//! The JSON reader: bytes to [`Value`] with serde_json.
//!
//! serde_json checks the syntax once over the whole text (`&RawValue`), then each
//! object and array is split into raw members. Working on raw slices keeps number
//! literals exact, keeps repeated keys visible, and lets a caller walk records one at a
//! time without building the whole tree first.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt;

use crate::error::Error;
use crate::value::Value;

/// Deepest nesting of arrays and objects accepted (a packet needs four levels).
pub(crate) const MAX_DEPTH: usize = 64;

/// Refuses nesting deeper than [`MAX_DEPTH`] in one linear pass, before any parsing:
/// serde_json skips a raw value without a depth limit, and converting a deep tree level
/// by level would take quadratic time.
fn check_depth(text: &str) -> Result<(), Error> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut column) = (1usize, 0usize);
    for c in text.chars() {
        column += 1;
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Error::Json {
                        line,
                        column,
                        message: format!("arrays and objects nested deeper than {MAX_DEPTH} levels"),
                    });
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '\n' => {
                line += 1;
                column = 0;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks the syntax of `text` and returns the raw top-level value.
pub(crate) fn parse_raw(text: &str) -> Result<&RawValue, Error> {
    check_depth(text)?;
    serde_json::from_str::<&RawValue>(text).map_err(|e| Error::Json {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

/// Converts a syntax-checked raw value into the data model.
pub(crate) fn to_value(raw: &RawValue) -> Result<Value, Error> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'{') => {
            let members = raw_object(raw)?;
            let mut object = Vec::with_capacity(members.len());
            for (key, member) in members {
                object.push((key, to_value(member)?));
            }
            Ok(Value::Object(object))
        }
        Some(b'[') => {
            let items = raw_array(raw)?;
            items
                .into_iter()
                .map(to_value)
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Some(b'"') => serde_json::from_str::<String>(text).map(Value::Text).map_err(internal),
        Some(b't') => Ok(Value::Bool(true)),
        Some(b'f') => Ok(Value::Bool(false)),
        Some(b'n') => Ok(Value::Null),
        _ => Ok(Value::Number(text.to_owned())),
    }
}

/// Splits a raw JSON object into its raw members, in document order, keeping repeats.
pub(crate) fn raw_object(raw: &RawValue) -> Result<Vec<(String, &RawValue)>, Error> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let RawObject(members) = RawObject::deserialize(&mut de).map_err(internal)?;
    Ok(members)
}

/// Splits a raw JSON array into its raw items.
pub(crate) fn raw_array(raw: &RawValue) -> Result<Vec<&RawValue>, Error> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).map_err(internal)
}

/// The first non-whitespace byte of a raw value (`{`, `[`, `"`, …).
pub(crate) fn raw_kind(raw: &RawValue) -> u8 {
    raw.get().trim_start().as_bytes().first().copied().unwrap_or(b' ')
}

struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key, value));
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

fn internal(e: serde_json::Error) -> Error {
    // The text was syntax-checked as a whole before it was split, so this only fires on
    // an inconsistency of serde_json itself; still an error value, never a panic.
    Error::Json {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn keeps_number_literals_and_repeated_keys() {
        let raw = parse_raw(r#"{"a": 0.1, "a": 1e3, "b": [true, null, "x\u0041"]}"#).expect("valid");
        let value = to_value(raw).expect("converts");
        assert_eq!(
            value,
            Value::Object(vec![
                ("a".into(), Value::Number("0.1".into())),
                ("a".into(), Value::Number("1e3".into())),
                (
                    "b".into(),
                    Value::Array(vec![Value::Bool(true), Value::Null, Value::Text("xA".into())])
                ),
            ])
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn syntax_error_has_position() {
        match parse_raw("{\n  \"a\": ,\n}") {
            Err(Error::Json { line, column, .. }) => assert_eq!((line, column), (2, 8)),
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }
}
