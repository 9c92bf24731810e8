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
            Value::Text(s) => s.chars().all(is_space),
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

/// Returns the first member named `key`.
pub fn get<'a>(object: &'a Object, key: &str) -> Option<&'a Value> {
    object.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}
