//! The packet data model shared by the JSON and XML readers.
//!
//! Both readers produce the same tree, so every rule sees one shape whatever the wire
//! form was. Objects keep document order and repeated keys (the engine reports repeats),
//! and JSON numbers keep their literal text so that no binary floating point ever
//! touches an amount.

/// One value of a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// JSON `null`, or an XML element with `xsi:nil="true"`.
    Null,
    /// JSON `true` / `false`.
    Bool(bool),
    /// A JSON number, kept as its literal text (e.g. `"12.50"`, `"1e3"`).
    Number(String),
    /// A JSON string or the text of an XML element.
    Text(String),
    /// A JSON array, or an XML list container (`records`, `details`).
    Array(Vec<Value>),
    /// A JSON object or an XML element with child elements, in document order.
    Object(Object),
}

/// Members of an object in document order; a key may occur more than once.
pub type Object = Vec<(String, Value)>;

impl Value {
    /// The JSON type name of this value, as used in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::Text(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// True for `null` and for a string of whitespace only (an absent optional field).
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Null => true,
            // Printable ASCII first (nearly every value): not blank, without decoding.
            Value::Text(s) => match s.as_bytes().first() {
                Some(&b) if b > b' ' && b < 0x80 => false,
                _ => s.chars().all(is_space),
            },
            _ => false,
        }
    }

    /// Writes this value as JSON text (strings escaped, numbers as their literal).
    ///
    /// Used to hand a parsed XML packet to a JSON Schema validator in tests and tools.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// The value at a JSON Pointer (RFC 6901: `/records/3/sum`, `~1` for `/`, `~0` for
    /// `~`); with repeated names, the first member. Findings' paths point into this tree.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut here = self;
        for segment in pointer.strip_prefix('/')?.split('/') {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            here = match here {
                Value::Object(members) => get(members, &segment)?,
                Value::Array(items) => {
                    // RFC 6901 array indexes: no sign, no leading zeros.
                    if segment.len() > 1 && segment.starts_with('0') {
                        return None;
                    }
                    items.get(segment.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(here)
    }

    /// Writes this value as indented JSON: two spaces per level, `"key": value`, empty
    /// arrays and objects as `[]` and `{}`, a newline at the end. Reports, replies and
    /// digest lists are written this way, so their bytes are the same on every host.
    pub fn to_pretty_json(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out.push('\n');
        out
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| {
            for _ in 0..depth {
                out.push_str("  ");
            }
        };
        match self {
            Value::Array(items) if !items.is_empty() => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    indent(out, depth + 1);
                    item.write_pretty(out, depth + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                indent(out, depth);
                out.push(']');
            }
            Value::Object(members) if !members.is_empty() => {
                out.push_str("{\n");
                for (i, (key, item)) in members.iter().enumerate() {
                    indent(out, depth + 1);
                    crate::report::write_json_string(out, key);
                    out.push_str(": ");
                    item.write_pretty(out, depth + 1);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                indent(out, depth);
                out.push('}');
            }
            other => other.write_json(out),
        }
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::Text(s) => crate::report::write_json_string(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (key, item)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::report::write_json_string(out, key);
                    out.push(':');
                    item.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// White space as JSON Schema patterns see it (ECMA-262 `\s`: Unicode White_Space
/// without U+0085, plus U+FEFF), so that core and any schema validator agree on what a
/// blank value is.
pub(crate) fn is_space(c: char) -> bool {
    c == '\u{feff}' || (c.is_whitespace() && c != '\u{85}')
}

/// A text value (for building documents).
pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A whole-number value (for building documents).
pub(crate) fn int(n: impl std::fmt::Display) -> Value {
    Value::Number(n.to_string())
}

/// A text value, or null (for building documents).
pub(crate) fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::Text(s.to_owned()))
}

/// Returns the first member named `key`.
pub fn get<'a>(object: &'a Object, key: &str) -> Option<&'a Value> {
    object.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn json_pointers_find_values() {
        let v = Value::Object(vec![
            (
                "records".into(),
                Value::Array(vec![Value::Object(vec![("a/b".into(), Value::Text("x".into()))])]),
            ),
            ("m~n".into(), Value::Bool(true)),
        ]);
        assert_eq!(v.pointer("/records/0/a~1b"), Some(&Value::Text("x".into())));
        assert_eq!(v.pointer("/m~0n"), Some(&Value::Bool(true)));
        assert_eq!(v.pointer(""), Some(&v));
        assert_eq!(v.pointer("/records/00"), None);
        assert_eq!(v.pointer("/records/1"), None);
        assert_eq!(v.pointer("records"), None);
    }
}
