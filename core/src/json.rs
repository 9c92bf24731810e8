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
use crate::recycle::Recycler;
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

/// A syntax error inside a piece: its byte offset in the piece and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PieceError {
    pub offset: usize,
    pub message: &'static str,
}

/// Parses one piece of a packet (a member's value or a record) straight into the data
/// model, in one pass: RFC 8259 syntax, number literals kept as written, repeated keys
/// kept, strings unescaped (a lone surrogate is an error, as Rust strings cannot hold
/// one). Nesting was limited by the reader that cut the piece.
#[cfg(test)]
pub(crate) fn parse_piece(text: &str) -> Result<Value, PieceError> {
    parse_piece_with(text, &mut Recycler::default())
}

/// [`parse_piece`] with the strings and vectors taken from `pool` where it has some.
pub(crate) fn parse_piece_with(text: &str, pool: &mut Recycler) -> Result<Value, PieceError> {
    let mut parser = PieceParser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        pool,
    };
    parser.space();
    let value = parser.value()?;
    parser.space();
    if parser.at != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct PieceParser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    pool: &'a mut Recycler,
}

impl PieceParser<'_> {
    fn error(&self, message: &'static str) -> PieceError {
        PieceError {
            offset: self.at,
            message,
        }
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Value, PieceError> {
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::Text),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
            None => Err(self.error("EOF while parsing a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, PieceError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected ident"))
        }
    }

    fn object(&mut self) -> Result<Value, PieceError> {
        self.at += 1;
        let mut members = self.pool.members();
        self.space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.error("key must be a string"));
            }
            let key = self.string()?;
            self.space();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.error("expected `:`"));
            }
            self.at += 1;
            self.space();
            let value = self.value()?;
            members.push((key, value));
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                Some(_) => return Err(self.error("expected `,` or `}`")),
                None => return Err(self.error("EOF while parsing an object")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, PieceError> {
        self.at += 1;
        let mut items = self.pool.items();
        self.space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.space();
            items.push(self.value()?);
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                Some(_) => return Err(self.error("expected `,` or `]`")),
                None => return Err(self.error("EOF while parsing a list")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as written.
    fn number(&mut self) -> Result<Value, PieceError> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => {
                self.at += 1;
                if self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Value::Number(self.pool.string(&self.text[start..self.at])))
    }

    fn hex4(&mut self) -> Result<u32, PieceError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.error("EOF while parsing a string"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid escape"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("invalid escape"));
        }
        self.at += 4;
        Ok(code)
    }

    /// Skips whole eight-byte words of string content with no quote, backslash or control
    /// character (most of a packet's text).
    fn skip_plain_words(&mut self) {
        while let Some(word) = self.bytes.get(self.at..self.at + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            if crate::report::needs_escape(u64::from_le_bytes(w)) {
                return;
            }
            self.at += 8;
        }
    }

    fn string(&mut self) -> Result<String, PieceError> {
        self.at += 1;
        let start = self.at;
        // Fast path: no escape before the closing quote.
        self.skip_plain_words();
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'"' => {
                    let text = self.pool.string(&self.text[start..self.at]);
                    self.at += 1;
                    return Ok(text);
                }
                b'\\' => break,
                0x00..=0x1f => {
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
                _ => self.at += 1,
            }
        }
        let mut out = self.pool.string(&self.text[start..self.at]);
        loop {
            let run = self.at;
            self.skip_plain_words();
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[run..self.at]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = self.bytes.get(self.at).copied();
                    self.at += 1;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{08}'),
                        Some(b'f') => out.push('\u{0c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let code = match first {
                                0xD800..=0xDBFF => {
                                    if !self.bytes[self.at..].starts_with(b"\\u") {
                                        return Err(self.error("lone leading surrogate in hex escape"));
                                    }
                                    self.at += 2;
                                    let second = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&second) {
                                        return Err(self.error("lone leading surrogate in hex escape"));
                                    }
                                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in hex escape")),
                                other => other,
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?);
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
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
    fn the_piece_parser_agrees_with_serde_json() {
        let cases = [
            r#"{"a": 0.1, "a": 1e3, "b": [true, null, "x\u0041"]}"#,
            r#"  {"k\"ey": "\\ \/ \b \f \n \r \t \ud83d\ude00 ё"}  "#,
            r#"[-0, 0, 12.50, 1E+5, 1e-7, -12.5e1, 123456789012345678901234567890]"#,
            r#"{"": {}, "x": [], "y": [[], {}]}"#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\uZZZZ""#,
            r#""\x""#,
            "\"a\u{1}b\"",
            r#"01"#,
            r#"1."#,
            r#".5"#,
            r#"-"#,
            r#"1e"#,
            r#"+1"#,
            r#"tru"#,
            r#"nul"#,
            r#"[1,]"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{1: 2}"#,
            r#"[1 2]"#,
            r#"{"a": [1, {"b": "c"}]} x"#,
            r#""unterminated"#,
            r#"[\n1,\n2\n]"#,
        ];
        for case in cases {
            let ours = parse_piece(case).ok();
            let theirs = parse_raw(case).and_then(to_value).ok();
            assert_eq!(ours, theirs, "{case}");
        }
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
