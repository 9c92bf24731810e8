//! The XML reader: bytes to [`Value`] with quick-xml.
//!
//! Shape: `<packet><header>…</header><records><record>…</record>…</records></packet>`,
//! optionally inside a SOAP 1.1 or 1.2 `Envelope/Body`; or a bare list of records
//! (any other root element whose children are the records). Elements with child
//! elements become objects, text-only elements become text, `xsi:nil="true"` becomes
//! null, and the list containers (`records` and the array fields of the catalog, such as
//! a contract's `details`) become arrays. DOCTYPE is refused, so no entity is expanded.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::Error;
use crate::value::Value;

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// Deepest element nesting accepted (a packet needs six levels inside a SOAP envelope).
pub(crate) const MAX_DEPTH: usize = 64;

/// An attribute the packet format does not use, reported as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IgnoredAttribute {
    /// JSON Pointer of the element in the data model.
    pub path: String,
    /// Local name of the element.
    pub element: String,
    /// Qualified name of the attribute.
    pub attribute: String,
}

/// A parsed XML document: the payload as a value, and the attributes that were ignored.
#[derive(Debug)]
pub(crate) struct XmlDocument {
    pub value: Value,
    pub ignored_attributes: Vec<IgnoredAttribute>,
}

struct Element {
    name: String,
    nil: bool,
    attributes: Vec<String>,
    namespaces: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    offset: u64,
}

/// Parses `text` and converts the payload, treating elements named in `lists` as arrays.
pub(crate) fn parse(text: &str, lists: &[&str]) -> Result<XmlDocument, Error> {
    parse_rooted(text, lists, "packet")
}

/// Parses `text`; a root element named `object_root` is an object, any other a list.
pub(crate) fn parse_rooted(text: &str, lists: &[&str], object_root: &str) -> Result<XmlDocument, Error> {
    let root = read_tree(text)?;
    let payload = unwrap_soap(root)?;
    let mut ignored = Vec::new();
    let value = if payload.name == object_root {
        convert(&payload, "", lists, &mut ignored, false)?
    } else {
        // A bare list of records: the root is the list whatever its name.
        convert(&payload, "", lists, &mut ignored, true)?
    };
    Ok(XmlDocument {
        value,
        ignored_attributes: ignored,
    })
}

fn local(name: &str) -> String {
    match name.rfind(':') {
        Some(i) => name[i + 1..].to_owned(),
        None => name.to_owned(),
    }
}

fn prefix(name: &str) -> String {
    match name.find(':') {
        Some(i) => name[..i].to_owned(),
        None => String::new(),
    }
}

fn xml_error(offset: u64, message: impl Into<String>) -> Error {
    Error::Xml {
        offset,
        message: message.into(),
    }
}

/// Reads a start tag; returns the element and its `prefix:nil` attribute (prefix, value), if any.
fn start_element(start: &BytesStart, offset: u64) -> Result<(Element, Option<(String, String)>), Error> {
    let mut element = Element {
        name: local(start.name().as_ref()),
        nil: false,
        attributes: Vec::new(),
        namespaces: Vec::new(),
        children: Vec::new(),
        text: String::new(),
        offset,
    };
    let mut nil_value = None;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| xml_error(offset, e.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| xml_error(offset, e.to_string()))?
            .into_owned();
        if key == "xmlns" {
            element.namespaces.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            element.namespaces.push((p.to_owned(), value));
        } else if local(&key) == "nil" && key.contains(':') {
            nil_value = Some((prefix(&key), value));
        } else {
            element.attributes.push(key);
        }
    }
    Ok((element, nil_value))
}

fn resolve(stack: &[Element], current: &Element, prefix: &str) -> Option<String> {
    current
        .namespaces
        .iter()
        .chain(stack.iter().rev().flat_map(|e| e.namespaces.iter()))
        .find(|(p, _)| p == prefix)
        .map(|(_, uri)| uri.clone())
}

fn read_tree(text: &str) -> Result<Element, Error> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_error(reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(xml_error(offset, "content after the root element"));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let (mut element, nil) = start_element(start, offset)?;
                if let Some((p, v)) = nil {
                    let is_xsi = resolve(&stack, &element, &p).as_deref() == Some(XSI);
                    if is_xsi && (v == "true" || v == "1") {
                        element.nil = true;
                    } else if !is_xsi {
                        element.attributes.push(format!("{p}:nil"));
                    }
                }
                if is_empty {
                    attach(&mut stack, &mut root, element);
                } else if stack.len() >= MAX_DEPTH {
                    return Err(xml_error(
                        offset,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| xml_error(offset, "unexpected end tag"))?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content, offset)?;
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content, offset)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| xml_error(offset, e.to_string()))? {
                    Some(c) => c.to_string(),
                    None => match &*r {
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "amp" => "&".to_owned(),
                        "apos" => "'".to_owned(),
                        "quot" => "\"".to_owned(),
                        other => return Err(xml_error(offset, format!("unknown entity &{other};"))),
                    },
                };
                push_text(&mut stack, &resolved, offset)?;
            }
            Event::DocType(_) => return Err(Error::XmlDoctype { offset }),
            Event::Decl(decl) => {
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding.map_err(|e| xml_error(offset, e.to_string()))?;
                    if !encoding.eq_ignore_ascii_case("utf-8") {
                        return Err(xml_error(
                            offset,
                            format!("encoding {encoding} is not supported, only UTF-8"),
                        ));
                    }
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            text.len() as u64,
            "unexpected end of input: unclosed elements",
        ));
    }
    root.ok_or_else(|| xml_error(0, "no root element"))
}

fn push_text(stack: &mut [Element], content: &str, offset: u64) -> Result<(), Error> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(content);
            Ok(())
        }
        None if content.chars().all(is_xml_space) => Ok(()),
        None => Err(xml_error(offset, "text outside the root element")),
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn unwrap_soap(root: Element) -> Result<Element, Error> {
    if root.name != "Envelope" {
        return Ok(root);
    }
    let namespace = root
        .namespaces
        .iter()
        .map(|(_, uri)| uri.as_str())
        .find(|uri| *uri == SOAP11 || *uri == SOAP12);
    if namespace.is_none() {
        return Err(xml_error(
            root.offset,
            "Envelope is not in the SOAP 1.1 or 1.2 namespace",
        ));
    }
    let offset = root.offset;
    let body = root
        .children
        .into_iter()
        .find(|c| c.name == "Body")
        .ok_or_else(|| xml_error(offset, "SOAP Envelope has no Body"))?;
    let body_offset = body.offset;
    let mut payloads = body.children.into_iter();
    let payload = payloads
        .next()
        .ok_or_else(|| xml_error(body_offset, "SOAP Body is empty"))?;
    if payloads.next().is_some() {
        return Err(xml_error(body_offset, "SOAP Body has more than one element"));
    }
    Ok(payload)
}

/// XML's white space (production S): only these separate elements.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn convert(
    element: &Element,
    path: &str,
    lists: &[&str],
    ignored: &mut Vec<IgnoredAttribute>,
    as_list: bool,
) -> Result<Value, Error> {
    for attribute in &element.attributes {
        ignored.push(IgnoredAttribute {
            path: path.to_owned(),
            element: element.name.clone(),
            attribute: attribute.clone(),
        });
    }
    if element.nil {
        return Ok(Value::Null);
    }
    let is_list = as_list || lists.contains(&element.name.as_str());
    if element.children.is_empty() && !is_list {
        return Ok(Value::Text(element.text.clone()));
    }
    if !element.text.chars().all(is_xml_space) {
        return Err(xml_error(
            element.offset,
            format!("element <{}> mixes text and child elements", element.name),
        ));
    }
    if is_list {
        let mut items = Vec::with_capacity(element.children.len());
        for (i, child) in element.children.iter().enumerate() {
            items.push(convert(child, &format!("{path}/{i}"), lists, ignored, false)?);
        }
        Ok(Value::Array(items))
    } else {
        let mut members = Vec::with_capacity(element.children.len());
        for child in &element.children {
            let child_path = format!("{path}/{}", escape_pointer(&child.name));
            members.push((child.name.clone(), convert(child, &child_path, lists, ignored, false)?));
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn soap_envelope_and_lists() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>
<packet xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <header><entity>lot</entity><rule_set xsi:nil="true"/></header>
  <records><record><number>A&amp;B &#1040;</number><details/></record></records>
</packet></s:Body></s:Envelope>"#;
        let doc = parse(text, &["records", "details"]).expect("parses");
        let expected = Value::Object(vec![
            (
                "header".into(),
                Value::Object(vec![
                    ("entity".into(), Value::Text("lot".into())),
                    ("rule_set".into(), Value::Null),
                ]),
            ),
            (
                "records".into(),
                Value::Array(vec![Value::Object(vec![
                    ("number".into(), Value::Text("A&B А".into())),
                    ("details".into(), Value::Array(vec![])),
                ])]),
            ),
        ]);
        assert_eq!(doc.value, expected);
        assert!(doc.ignored_attributes.is_empty());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(matches!(parse(&text, &[]), Err(Error::Xml { .. })));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn doctype_is_refused() {
        let text = "<!DOCTYPE p [<!ENTITY x \"y\">]><packet>&x;</packet>";
        assert!(matches!(parse(text, &[]), Err(Error::XmlDoctype { .. })));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn foreign_envelope_is_refused() {
        let text = r#"<Envelope xmlns="urn:other"><Body><packet/></Body></Envelope>"#;
        assert!(matches!(parse(text, &[]), Err(Error::Xml { .. })));
    }
}
