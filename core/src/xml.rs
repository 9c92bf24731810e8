//! The XML reader: a packet pushed in chunks, cut into members and records
//! ([`XmlSplitter`]), each piece converted to a [`Value`] with quick-xml.
//!
//! Shape: `<packet><header>…</header><records><record>…</record>…</records></packet>`,
//! optionally inside a SOAP 1.1 or 1.2 `Envelope/Body`; or a bare list of records
//! (any other root element whose children are the records). Elements with child
//! elements become objects, text-only elements become text, `xsi:nil="true"` becomes
//! null, and the list containers (`records` and the array fields of the catalog, such as
//! a contract's `details`) become arrays. DOCTYPE is refused, so no entity is expanded.
//!
//! The splitter scans the markup once to find where each record (and each other member
//! of the packet element) ends, and keeps only the bytes of the piece being read; the
//! elements around the records (SOAP envelope, packet, records) are checked as they
//! pass. A whole small document (a reply) is still read as one tree ([`parse_rooted`]).

use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

mod plain;

use std::sync::Arc;

use crate::error::Error;
use crate::recycle::Recycler;
use crate::splitter::{Bounds, Parsed};
use crate::value::Value;
pub(crate) use plain::PlainReader;

/// Where the XML splitter's pieces go.
pub(crate) trait PieceSink {
    /// One piece, read.
    fn piece(&mut self, piece: Parsed) -> Result<(), Error>;

    /// A record's text before it is read: true when the sink takes it as it is (to be
    /// read elsewhere with [`read_record`]), false to have it read and handed to
    /// [`PieceSink::piece`].
    fn raw_record(&mut self, _record: &RawRecord<'_>) -> Result<bool, Error> {
        Ok(false)
    }
}

impl<F: FnMut(Parsed) -> Result<(), Error>> PieceSink for F {
    fn piece(&mut self, piece: Parsed) -> Result<(), Error> {
        self(piece)
    }
}

/// Namespace declarations (prefix, URI) in scope, shared by the pieces of a container.
pub(crate) type Namespaces = Arc<Vec<(String, String)>>;

/// A record's text, not yet read, and what reading it needs.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) struct RawRecord<'a> {
    pub(crate) text: &'a str,
    /// Where it starts in the document (errors are placed from it).
    pub(crate) offset: u64,
    /// The namespace declarations of the elements around it (shared by its siblings).
    pub(crate) inherited: &'a Namespaces,
}

/// Reads one piece: in one pass when its markup is plain, else with quick-xml (`path`
/// writes the piece's JSON Pointer, for the findings on its attributes). Gives the value
/// and the attributes to report; errors are placed from the piece's `offset`.
pub(crate) fn read_record(
    text: &str,
    offset: u64,
    inherited: &[(String, String)],
    lists: &[String],
    plain: Option<&mut PlainReader>,
    path: impl FnOnce(&mut String),
    pool: &mut Recycler,
) -> Result<(Value, Vec<IgnoredAttribute>), Error> {
    if let Some(value) = plain.and_then(|plain| plain.read(text, lists, pool)) {
        return Ok((value, Vec::new()));
    }
    let mut at = String::new();
    path(&mut at);
    read_general(text, inherited, lists, &mut at, pool).map_err(|e| shift(e, offset))
}

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The XMLDSig namespace: a `Signature` in it directly inside the packet is the packet's
/// signature, not a member.
const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
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

struct Element {
    name: String,
    nil: bool,
    attributes: Vec<String>,
    namespaces: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    offset: u64,
    /// Whether this element or one inside it carries an attribute to report (only then
    /// are JSON Pointers built while converting).
    attributed: bool,
}

/// Reads a whole XML packet into the data model through [`XmlSplitter`] (for tools that
/// want the packet's JSON shape; validation streams instead).
pub(crate) fn parse(input: &[u8], lists: &[String]) -> Result<Value, Error> {
    parse_with(input, lists, true)
}

/// [`parse`], with or without the fast reading of plain pieces (the tests compare both).
fn parse_with(input: &[u8], lists: &[String], plain: bool) -> Result<Value, Error> {
    let mut splitter = XmlSplitter::new(lists.to_vec(), "packet");
    if !plain {
        splitter.plain = None;
    }
    let mut members: Vec<(String, Value)> = Vec::new();
    let mut records: Option<usize> = None;
    let mut list: Option<Vec<Value>> = None;
    let mut sink = |piece: Parsed| {
        match piece {
            Parsed::Member { key, value } => members.push((key, value)),
            Parsed::RecordsStart => {
                records = Some(members.len());
                members.push(("records".to_owned(), Value::Array(Vec::new())));
            }
            Parsed::ListStart => list = Some(Vec::new()),
            Parsed::Record(record) => match (&mut list, records.and_then(|i| members.get_mut(i))) {
                (Some(items), _) | (None, Some((_, Value::Array(items)))) => items.push(record),
                _ => {}
            },
            Parsed::Attributes(_) => {}
        }
        Ok(())
    };
    splitter.push(input, &mut sink)?;
    splitter.finish(&mut sink)?;
    Ok(match list {
        Some(items) => Value::Array(items),
        None => Value::Object(members),
    })
}

/// Parses a whole document; a root element named `object_root` is an object, any other
/// a list. For small documents (a reply); packets go through [`XmlSplitter`].
pub(crate) fn parse_rooted(text: &str, lists: &[&str], object_root: &str) -> Result<Value, Error> {
    let pool = &mut Recycler::default();
    let root = read_tree(text, &[], pool)?;
    let mut payload = unwrap_soap(root)?;
    let mut ignored = Vec::new();
    let name = std::mem::take(&mut payload.name);
    let as_list = name != object_root;
    convert(payload, &name, &mut String::new(), lists, &mut ignored, as_list, pool)
}

fn local(name: &str) -> String {
    local_part(name).to_owned()
}

/// The part of a qualified name after its prefix.
fn local_part(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn prefix(name: &str) -> String {
    match name.find(':') {
        Some(i) => name[..i].to_owned(),
        None => String::new(),
    }
}

/// The declaration names no encoding but UTF-8 (the only one read).
fn utf8_only(decl: &BytesDecl, offset: u64) -> Result<(), Error> {
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| xml_error(offset, e.to_string()))?;
        if !encoding.eq_ignore_ascii_case("utf-8") {
            return Err(xml_error(
                offset,
                format!("encoding {encoding} is not supported, only UTF-8"),
            ));
        }
    }
    Ok(())
}

fn too_deep(offset: u64) -> Error {
    xml_error(offset, format!("elements nested deeper than {MAX_DEPTH} levels"))
}

fn xml_error(offset: u64, message: impl Into<String>) -> Error {
    Error::Xml {
        offset,
        message: message.into(),
    }
}

/// Reads a start tag; returns the element and its `prefix:nil` attribute (prefix, value), if any.
fn start_element(
    start: &BytesStart,
    offset: u64,
    pool: &mut Recycler,
) -> Result<(Element, Option<(String, String)>), Error> {
    let mut element = Element {
        name: pool.string(local_part(start.name().as_ref())),
        nil: false,
        attributes: Vec::new(),
        namespaces: Vec::new(),
        children: Vec::new(),
        attributed: false,
        text: pool.string(""),
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

/// Applies an element's `prefix:nil` attribute: in the XSI namespace it makes the element
/// null when true (`true` or `1`); in any other it is an attribute like the others.
fn settle_nil(element: &mut Element, nil: Option<(String, String)>, is_xsi: bool) {
    if let Some((p, v)) = nil {
        if is_xsi {
            element.nil = v == "true" || v == "1";
        } else {
            element.attributes.push(format!("{p}:nil"));
        }
    }
}

/// The namespace bound to `prefix` at `current`: its own declarations, then its open
/// ancestors', then those `inherited` from elements around the text being read.
fn resolve<'a>(
    stack: &'a [Element],
    current: &'a Element,
    inherited: &'a [(String, String)],
    prefix: &str,
) -> Option<&'a str> {
    current
        .namespaces
        .iter()
        .chain(stack.iter().rev().flat_map(|e| e.namespaces.iter()))
        .chain(inherited.iter().rev())
        .find(|(p, _)| p == prefix)
        .map(|(_, uri)| uri.as_str())
}

/// Reads one element (with everything in it) into a tree; `inherited` are the namespace
/// declarations in force around it (innermost last).
fn read_tree(text: &str, inherited: &[(String, String)], pool: &mut Recycler) -> Result<Element, Error> {
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
                let (mut element, nil) = start_element(start, offset, pool)?;
                let is_xsi = nil
                    .as_ref()
                    .is_some_and(|(p, _)| resolve(&stack, &element, inherited, p) == Some(XSI));
                settle_nil(&mut element, nil, is_xsi);
                if is_empty {
                    attach(&mut stack, &mut root, element);
                } else if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(offset));
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
            Event::Decl(decl) => utf8_only(&decl, offset)?,
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

fn attach(stack: &mut [Element], root: &mut Option<Element>, mut element: Element) {
    element.attributed |= !element.attributes.is_empty();
    match stack.last_mut() {
        Some(parent) => {
            parent.attributed |= element.attributed;
            parent.children.push(element)
        }
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
    let mut bodies = root.children.into_iter().filter(|c| c.name == "Body");
    let body = bodies
        .next()
        .ok_or_else(|| xml_error(offset, "SOAP Envelope has no Body"))?;
    if let Some(second) = bodies.next() {
        return Err(xml_error(second.offset, "SOAP Envelope has a second Body"));
    }
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

/// Refuses characters XML 1.0 does not allow anywhere in a document (production Char):
/// control characters other than tab, line feed and carriage return, and U+FFFE/U+FFFF.
/// A parser that takes them would read text no other XML reader reads. `text` is valid
/// UTF-8 starting at byte `offset` of the document.
pub(crate) fn refuse_forbidden_chars(text: &[u8], offset: u64) -> Result<(), Error> {
    // Whole blocks first, without a branch per byte (vectorised); a block with a suspect
    // byte is looked at byte by byte.
    const BLOCK: usize = 32;
    let suspect = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    let mut start = 0;
    while start < text.len() {
        let block = &text[start..(start + BLOCK).min(text.len())];
        if block.iter().fold(false, |any, &b| any | suspect(b)) {
            for (i, &b) in block.iter().enumerate() {
                let at = start + i;
                let forbidden = match b {
                    0xEF => matches!(text.get(at + 1..at + 3), Some([0xBF, 0xBE | 0xBF])),
                    _ => b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'),
                };
                if forbidden {
                    let c = std::str::from_utf8(&text[at..(at + if b == 0xEF { 3 } else { 1 })])
                        .ok()
                        .and_then(|s| s.chars().next())
                        .map_or(u32::from(b), u32::from);
                    return Err(xml_error(
                        offset + at as u64,
                        format!("character U+{c:04X} is not allowed in XML"),
                    ));
                }
            }
        }
        start += BLOCK;
    }
    Ok(())
}

/// XML's white space (production S): only these separate elements.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Converts an element into the data model; `path` is its JSON Pointer (restored on return).
fn convert(
    element: Element,
    name: &str,
    path: &mut String,
    lists: &[&str],
    ignored: &mut Vec<IgnoredAttribute>,
    as_list: bool,
    pool: &mut Recycler,
) -> Result<Value, Error> {
    ignored.extend(self::ignored(&element.attributes, path, name));
    if element.nil {
        return Ok(Value::Null);
    }
    let is_list = as_list || lists.contains(&name);
    if element.children.is_empty() && !is_list {
        return Ok(Value::Text(element.text));
    }
    if !element.text.chars().all(is_xml_space) {
        return Err(xml_error(
            element.offset,
            format!("element <{name}> mixes text and child elements"),
        ));
    }
    // The white space between child elements: its storage goes back to the pool.
    pool.reclaim(Value::Text(element.text));
    let base = path.len();
    if is_list {
        let mut items = pool.items();
        items.reserve(element.children.len());
        for (i, mut child) in element.children.into_iter().enumerate() {
            if child.attributed {
                crate::engine::push_index(path, i);
            }
            let child_name = std::mem::take(&mut child.name);
            let item = convert(child, &child_name, path, lists, ignored, false, pool);
            path.truncate(base);
            items.push(item?);
        }
        Ok(Value::Array(items))
    } else {
        let mut members = pool.members();
        members.reserve(element.children.len());
        for mut child in element.children {
            let child_name = std::mem::take(&mut child.name);
            if child.attributed {
                path.push('/');
                push_pointer(path, &child_name);
            }
            let member = convert(child, &child_name, path, lists, ignored, false, pool);
            path.truncate(base);
            members.push((child_name, member?));
        }
        Ok(Value::Object(members))
    }
}

fn push_pointer(path: &mut String, segment: &str) {
    for c in segment.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// What an element around the records is to the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A SOAP envelope; whether its `Body` was seen.
    Envelope { body: bool },
    /// The SOAP body; whether its payload was seen.
    Body { payload: bool },
    /// The packet element: its children are members.
    Packet,
    /// The packet's streamed `records` element: its children are records.
    Records,
    /// The root of a bare list; whether `ListStart` was handed over.
    List { started: bool },
}

/// An open element around the pieces.
#[derive(Debug)]
struct Container {
    qname: String,
    name: String,
    role: Role,
    namespaces: Vec<(String, String)>,
    offset: u64,
    children: usize,
    text: bool,
}

/// What the piece being read becomes when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PieceKind {
    /// A member of the packet, by name.
    Member(String),
    /// A record.
    Record,
    /// An element the packet does not use (a SOAP header): checked, then dropped.
    Skip,
}

/// The piece being read: where it starts in the buffer and how deep the scan is in it.
#[derive(Debug)]
struct OpenPiece {
    start: usize,
    depth: usize,
    kind: PieceKind,
}

/// One unit of markup or text found by the scan (byte range in the buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Text,
    Start,
    Empty,
    End,
    CData,
    Decl,
    Skipped,
}

/// Splits an XML packet pushed in chunks; see the module documentation.
pub(crate) struct XmlSplitter {
    lists: Vec<String>,
    object_root: &'static str,
    /// Bytes not yet consumed: the piece being read, or the token being scanned.
    buf: Vec<u8>,
    /// Offset of `buf[0]` in the document.
    base: u64,
    /// Where the next token starts in `buf`.
    pos: usize,
    /// `buf[..checked]` is valid UTF-8; the rest is an incomplete sequence.
    checked: usize,
    /// How far past `pos` the search for the end of an incomplete token has looked.
    searched: usize,
    /// The quote open at `searched` in an incomplete start tag.
    quote: u8,
    containers: Vec<Container>,
    piece: Option<OpenPiece>,
    root_seen: bool,
    root_done: bool,
    records_taken: bool,
    records: usize,
    /// Storage of records given back, for the records read next.
    pool: Recycler,
    /// The one-pass reader of pieces in plain markup (`None` only in tests).
    plain: Option<PlainReader>,
    /// The namespaces the pieces at a depth of containers inherit (reset when a
    /// container opens or closes).
    inherited_cache: Option<(usize, Namespaces)>,
    /// The limits on what is read and held, and the counts against them.
    bounds: Bounds,
}

/// The error for members other than the records that together pass the limit.
pub(crate) fn members_too_large(at: &str, limit: usize) -> Error {
    Error::PieceTooLarge {
        at: format!("{at} (the members other than the records, together)"),
        limit,
    }
}

/// The namespace declarations of `containers`, outermost first.
fn inherited_of(containers: &[Container]) -> Vec<(String, String)> {
    containers.iter().flat_map(|c| c.namespaces.iter().cloned()).collect()
}

impl XmlSplitter {
    /// A splitter at the start of a document; elements named in `lists` are arrays, a
    /// payload named `object_root` is an object, any other a bare list.
    pub(crate) fn new(lists: Vec<String>, object_root: &'static str) -> XmlSplitter {
        XmlSplitter {
            lists,
            object_root,
            buf: Vec::new(),
            base: 0,
            pos: 0,
            checked: 0,
            searched: 0,
            quote: 0,
            containers: Vec::new(),
            piece: None,
            root_seen: false,
            root_done: false,
            records_taken: false,
            records: 0,
            pool: Recycler::default(),
            plain: Some(PlainReader::default()),
            inherited_cache: None,
            bounds: Bounds::new(usize::MAX, u64::MAX),
        }
    }

    /// Keeps to `bounds`: refuses pieces (records, members) longer than their limit, too
    /// many records, too much held.
    pub(crate) fn bound(&mut self, bounds: Bounds) {
        self.bounds = bounds;
    }

    /// An error when the open piece, up to `end` in the buffer, is past the limit.
    fn check_piece_size(&self, end: usize) -> Result<(), Error> {
        match &self.piece {
            Some(piece) if end.saturating_sub(piece.start) > self.bounds.max_piece => Err(Error::PieceTooLarge {
                at: format!("byte offset {}", self.offset_of(piece.start)),
                limit: self.bounds.max_piece,
            }),
            _ => Ok(()),
        }
    }

    /// Takes back the storage of records the caller is done with.
    pub(crate) fn recycle(&mut self, done: Vec<Value>) {
        for record in done {
            self.pool.reclaim(record);
        }
    }

    /// Feeds the next chunk; `sink` receives each piece that ends in it.
    pub(crate) fn push<F>(&mut self, chunk: &[u8], sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        self.buf.extend_from_slice(chunk);
        if self.base == 0 && self.checked == 0 {
            // A byte-order mark is not part of the document.
            if self.buf.len() < 3 && [0xEF, 0xBB, 0xBF].starts_with(&self.buf) {
                return Ok(());
            }
            if self.buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.pos = 3;
                self.checked = 3;
            }
        }
        // Bytes that are not UTF-8 are an error once the tokens before them are read: a
        // malformed token earlier in the document is the error then, however the input
        // is chunked (found by fuzzing: whole, the bytes were refused first).
        let mut not_utf8 = None;
        match simdutf8::compat::from_utf8(&self.buf[self.checked..]) {
            Ok(_) => self.checked = self.buf.len(),
            Err(e) => {
                let valid = self.checked + e.valid_up_to();
                if e.error_len().is_some() {
                    not_utf8 = Some(Error::InvalidUtf8 {
                        offset: usize::try_from(self.base + valid as u64).unwrap_or(usize::MAX),
                    });
                }
                self.checked = valid;
            }
        }
        while let Some((token, end)) = self.next_token()? {
            // Token by token, so that the limit and a malformed token fail in document
            // order however the input is chunked.
            self.check_piece_size(end)?;
            self.take(token, end, sink)?;
        }
        if let Some(e) = not_utf8 {
            return Err(e);
        }
        // An incomplete token (a long text, say) may not grow the piece past the limit.
        self.check_piece_size(self.buf.len())?;
        // Drop what was consumed; keep the open piece and the incomplete token.
        let keep = self.piece.as_ref().map_or(self.pos, |p| p.start);
        if keep > 0 {
            self.buf.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
            self.checked -= keep;
            if let Some(piece) = &mut self.piece {
                piece.start -= keep;
            }
        }
        Ok(())
    }

    /// Ends the document: an incomplete character, token or element is an error.
    pub(crate) fn finish<F>(&mut self, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        if self.checked < self.buf.len() {
            return Err(Error::InvalidUtf8 {
                offset: usize::try_from(self.base + self.checked as u64).unwrap_or(usize::MAX),
            });
        }
        // Text at the very end has no `<` after it: take it now.
        if self.pos < self.buf.len() && self.buf[self.pos] != b'<' {
            let end = self.buf.len();
            self.take(Token::Text, end, sink)?;
        }
        let end = self.base + self.buf.len() as u64;
        if self.pos < self.buf.len() || self.piece.is_some() || !self.containers.is_empty() {
            return Err(xml_error(end, "unexpected end of input: unclosed elements"));
        }
        if !self.root_seen {
            return Err(xml_error(0, "no root element"));
        }
        Ok(())
    }

    fn offset_of(&self, i: usize) -> u64 {
        self.base + i as u64
    }

    /// The next complete token at `pos` (its kind and end), or `None` until more bytes come.
    fn next_token(&mut self) -> Result<Option<(Token, usize)>, Error> {
        let bytes = &self.buf[..self.checked];
        let start = self.pos;
        let Some(&first) = bytes.get(start) else {
            return Ok(None);
        };
        if first != b'<' {
            return Ok(Some(match memchr::memchr(b'<', &bytes[start..]) {
                Some(i) => (Token::Text, start + i),
                // Text runs to the end of what came: take it (it holds no markup).
                None => (Token::Text, bytes.len()),
            }));
        }
        let rest = &bytes[start..];
        let Some(&second) = rest.get(1) else {
            return Ok(None);
        };
        let (token, from, terminator): (Token, usize, &[u8]) = match second {
            b'?' => {
                let is_decl =
                    rest.len() >= 6 && &rest[2..5] == b"xml" && matches!(rest[5], b' ' | b'\t' | b'\r' | b'\n' | b'?');
                if rest.len() < 6 && !rest.contains(&b'>') {
                    return Ok(None);
                }
                (if is_decl { Token::Decl } else { Token::Skipped }, 2, b"?>")
            }
            b'!' => {
                if rest.starts_with(b"<!--") {
                    (Token::Skipped, 4, b"-->")
                } else if rest.starts_with(b"<![CDATA[") {
                    (Token::CData, 9, b"]]>")
                } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
                    return Err(Error::XmlDoctype {
                        offset: self.offset_of(start),
                    });
                } else if rest.len() < 9
                    && (b"<!--".starts_with(rest) || b"<![CDATA[".starts_with(rest) || b"<!DOCTYPE".starts_with(rest))
                {
                    return Ok(None);
                } else {
                    return Err(xml_error(self.offset_of(start), "unexpected markup declaration"));
                }
            }
            b'/' => (Token::End, 2, b">"),
            _ => {
                // A start tag ends at the first `>` outside a quoted attribute value.
                let mut i = start + 1 + self.searched;
                let mut quote = self.quote;
                while i < bytes.len() {
                    let found = if quote == 0 {
                        memchr::memchr3(b'>', b'"', b'\'', &bytes[i..])
                    } else {
                        memchr::memchr(quote, &bytes[i..])
                    };
                    let Some(j) = found else {
                        i = bytes.len();
                        break;
                    };
                    let b = bytes[i + j];
                    i += j + 1;
                    if quote != 0 {
                        quote = 0;
                    } else if b == b'>' {
                        self.searched = 0;
                        self.quote = 0;
                        let empty = bytes[i - 2] == b'/' && i - 2 > start;
                        return Ok(Some((if empty { Token::Empty } else { Token::Start }, i)));
                    } else {
                        quote = b;
                    }
                }
                self.searched = i - start - 1;
                self.quote = quote;
                return Ok(None);
            }
        };
        let search_from = start + from + self.searched;
        match memchr::memmem::find(&bytes[search_from..], terminator) {
            Some(i) => {
                self.searched = 0;
                Ok(Some((token, search_from + i + terminator.len())))
            }
            None => {
                // Look again only at what may still start the terminator.
                let seen = bytes.len() - search_from;
                self.searched += seen.saturating_sub(terminator.len() - 1);
                Ok(None)
            }
        }
    }

    /// Consumes the token `buf[pos..end]`.
    fn take<F>(&mut self, token: Token, end: usize, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        let start = self.pos;
        self.pos = end;
        if let Some(piece) = &mut self.piece {
            match token {
                Token::Start => {
                    piece.depth += 1;
                    if self.containers.len() + piece.depth > MAX_DEPTH {
                        return Err(too_deep(self.offset_of(start)));
                    }
                }
                Token::End => {
                    piece.depth -= 1;
                    if piece.depth == 0 {
                        return self.end_piece(end, sink);
                    }
                }
                _ => {}
            }
            return Ok(());
        }
        // Outside the pieces (checked whole when they end), text, comments and processing
        // instructions may not hold what XML forbids either. Text is judged first: it may
        // come in parts (cut where a chunk ends), and its first error is at its first
        // non-blank byte, never after a forbidden character (which is not blank).
        let forbidden = |s: &Self| refuse_forbidden_chars(&s.buf[start..end], s.offset_of(start));
        match token {
            Token::Text => self.container_text(start, end).and_then(|()| forbidden(self)),
            Token::CData => self.container_text(start + 9, end - 3).and_then(|()| forbidden(self)),
            Token::Decl => self.declaration(start, end).and_then(|()| forbidden(self)),
            Token::Skipped => forbidden(self),
            Token::Start | Token::Empty => self.start_tag(start, end, token == Token::Empty, sink),
            Token::End => self.end_tag(start, end, sink),
        }
    }

    /// Text between the elements around the pieces: white space only, except that a
    /// packet or list element holding text alone is read as text.
    fn container_text(&mut self, start: usize, end: usize) -> Result<(), Error> {
        // Text may come in parts (cut where a chunk ends): an error is placed at its first
        // non-blank byte, the same wherever the parts were cut.
        let Some(first) = self.buf[start..end]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        else {
            return Ok(());
        };
        let offset = self.offset_of(start + first);
        match self.containers.last_mut() {
            None => Err(xml_error(offset, "text outside the root element")),
            Some(c) if matches!(c.role, Role::Envelope { .. } | Role::Body { .. }) => Ok(()),
            Some(c) if c.children > 0 => Err(mixed(c)),
            Some(c) => {
                c.text = true;
                Ok(())
            }
        }
    }

    /// An XML declaration: only UTF-8 is read.
    fn declaration(&self, start: usize, end: usize) -> Result<(), Error> {
        let offset = self.offset_of(start);
        let text = simdutf8::basic::from_utf8(&self.buf[start..end]).map_err(|_| xml_error(offset, "invalid UTF-8"))?;
        let mut reader = Reader::from_str(text);
        match reader.read_event() {
            Ok(Event::Decl(decl)) => utf8_only(&decl, offset),
            _ => Ok(()),
        }
    }

    /// The namespace declarations in force inside the open containers (innermost last).
    fn inherited(&self) -> Vec<(String, String)> {
        inherited_of(&self.containers)
    }

    /// Reads the start tag at `start..end`: its name as written, the element and its
    /// `prefix:nil` attribute (as [`start_element`]).
    #[allow(clippy::type_complexity)]
    fn read_tag(
        &self,
        start: usize,
        end: usize,
        offset: u64,
    ) -> Result<(String, Element, Option<(String, String)>), Error> {
        let text = simdutf8::basic::from_utf8(&self.buf[start..end]).map_err(|_| xml_error(offset, "invalid UTF-8"))?;
        refuse_forbidden_chars(text.as_bytes(), offset)?;
        let mut reader = Reader::from_str(text);
        let event = reader.read_event().map_err(|e| xml_error(offset, e.to_string()))?;
        let (Event::Start(tag) | Event::Empty(tag)) = event else {
            return Err(xml_error(offset, "malformed start tag"));
        };
        let qname = tag.name().as_ref().to_owned();
        let (element, nil) = start_element(&tag, offset, &mut Recycler::default())?;
        Ok((qname, element, nil))
    }

    /// Whether the start tag at `start..end` is in the XMLDSig namespace.
    fn is_xmldsig(&self, start: usize, end: usize, offset: u64) -> Result<bool, Error> {
        let (qname, element, _) = self.read_tag(start, end, offset)?;
        Ok(resolve(&[], &element, &self.inherited(), &prefix(&qname)) == Some(XMLDSIG))
    }

    /// [`XmlSplitter::inherited`], made once for the pieces of one container.
    fn shared_inherited(&mut self) -> Namespaces {
        let depth = self.containers.len();
        match &self.inherited_cache {
            Some((at, shared)) if *at == depth => Arc::clone(shared),
            _ => {
                let shared = Arc::new(self.inherited());
                self.inherited_cache = Some((depth, Arc::clone(&shared)));
                shared
            }
        }
    }

    fn start_tag<F>(&mut self, start: usize, end: usize, empty: bool, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        let offset = self.offset_of(start);
        if self.root_done {
            return Err(xml_error(offset, "content after the root element"));
        }
        // Where the element goes is decided by its parent.
        let parent = self.containers.last().map(|c| c.role);
        let piece_kind = match parent {
            Some(Role::Envelope { body: true }) => {
                // A second Body could carry a second packet that another reader takes
                // for the one sent: refused, whichever Body a reader would pick.
                if local_name_of(&self.buf[start..end]) == "Body" {
                    return Err(xml_error(offset, "SOAP Envelope has a second Body"));
                }
                Some(PieceKind::Skip)
            }
            Some(Role::Packet) => {
                let name = local_name_of(&self.buf[start..end]);
                if name == "records" && !self.records_taken {
                    self.records_taken = true;
                    None
                } else if name == "Signature" && self.is_xmldsig(start, end, offset)? {
                    // The packet's signature (tekser::signature checks it): not packet content.
                    Some(PieceKind::Skip)
                } else {
                    Some(PieceKind::Member(name))
                }
            }
            Some(Role::Records | Role::List { .. }) => Some(PieceKind::Record),
            _ => None,
        };
        if let Some(c) = self.containers.last_mut() {
            if matches!(c.role, Role::Packet | Role::Records | Role::List { .. }) {
                if c.text {
                    return Err(mixed(c));
                }
                c.children += 1;
            }
            if let Role::List { started: false } = c.role {
                c.role = Role::List { started: true };
                sink.piece(Parsed::ListStart)?;
            }
        }
        if let Some(kind) = piece_kind {
            self.piece = Some(OpenPiece { start, depth: 1, kind });
            if empty {
                return self.end_piece(end, sink);
            }
            if self.containers.len() + 1 > MAX_DEPTH {
                return Err(too_deep(offset));
            }
            return Ok(());
        }
        // A container element: read its tag.
        let (qname, mut element, nil) = self.read_tag(start, end, offset)?;
        if let Some((p, _)) = &nil {
            let is_xsi = resolve(&[], &element, &self.inherited(), p) == Some(XSI);
            settle_nil(&mut element, nil, is_xsi);
        }
        let is_nil = element.nil;
        let attributes = std::mem::take(&mut element.attributes);
        let role = match parent {
            None if element.name == "Envelope" => {
                if !element.namespaces.iter().any(|(_, uri)| uri == SOAP11 || uri == SOAP12) {
                    return Err(xml_error(offset, "Envelope is not in the SOAP 1.1 or 1.2 namespace"));
                }
                Role::Envelope { body: false }
            }
            Some(Role::Envelope { body: false }) if element.name == "Body" => {
                if let Some(c) = self.containers.last_mut() {
                    c.role = Role::Envelope { body: true };
                }
                Role::Body { payload: false }
            }
            Some(Role::Envelope { body: false }) => {
                // Anything before the Body (a SOAP Header): checked, then dropped.
                self.piece = Some(OpenPiece {
                    start,
                    depth: 1,
                    kind: PieceKind::Skip,
                });
                return if empty { self.end_piece(end, sink) } else { Ok(()) };
            }
            Some(Role::Body { payload: true }) => {
                return Err(xml_error(offset, "SOAP Body has more than one element"));
            }
            None | Some(Role::Body { payload: false }) => {
                if let Some(c) = self.containers.last_mut() {
                    c.role = Role::Body { payload: true };
                }
                self.root_seen = true;
                if is_nil {
                    return Err(Error::NotAPacket { found: "null" });
                }
                if !attributes.is_empty() {
                    sink.piece(Parsed::Attributes(ignored(&attributes, "", &element.name).collect()))?;
                }
                if element.name == self.object_root {
                    Role::Packet
                } else {
                    Role::List { started: false }
                }
            }
            Some(Role::Packet) => {
                // The first `records`: a list streamed record by record, or (nil) a null member.
                if !attributes.is_empty() {
                    sink.piece(Parsed::Attributes(
                        ignored(&attributes, "/records", &element.name).collect(),
                    ))?;
                }
                if is_nil {
                    sink.piece(Parsed::Member {
                        key: element.name,
                        value: Value::Null,
                    })?;
                    return if empty {
                        Ok(())
                    } else {
                        // Its content is dropped, as a nil element's is.
                        self.piece = Some(OpenPiece {
                            start,
                            depth: 1,
                            kind: PieceKind::Skip,
                        });
                        Ok(())
                    };
                }
                sink.piece(Parsed::RecordsStart)?;
                Role::Records
            }
            Some(Role::Records | Role::List { .. } | Role::Envelope { body: true }) => {
                return Err(xml_error(offset, "unexpected element"));
            }
        };
        self.root_seen = true;
        if self.containers.len() >= MAX_DEPTH {
            return Err(too_deep(offset));
        }
        self.inherited_cache = None;
        self.containers.push(Container {
            qname,
            name: element.name,
            role,
            namespaces: element.namespaces,
            offset,
            children: 0,
            text: false,
        });
        if empty {
            self.close_container(offset, sink)?;
        }
        Ok(())
    }

    fn end_tag<F>(&mut self, start: usize, end: usize, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        let offset = self.offset_of(start);
        let name = self.buf[start + 2..end - 1].trim_ascii_end();
        let Some(open) = self.containers.last() else {
            return Err(xml_error(offset, "unexpected end tag"));
        };
        if open.qname.as_bytes() != name {
            return Err(xml_error(
                offset,
                format!(
                    "ending tag mismatch: expected </{}>, found </{}>",
                    open.qname,
                    String::from_utf8_lossy(name)
                ),
            ));
        }
        self.close_container(offset, sink)
    }

    /// Closes the innermost container: what its end says about the packet.
    fn close_container<F>(&mut self, offset: u64, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        self.inherited_cache = None;
        let Some(c) = self.containers.pop() else {
            return Err(xml_error(offset, "unexpected end tag"));
        };
        match c.role {
            Role::Envelope { body: false } => return Err(xml_error(c.offset, "SOAP Envelope has no Body")),
            Role::Body { payload: false } => return Err(xml_error(c.offset, "SOAP Body is empty")),
            // A packet element without members is text, not a packet object.
            Role::Packet if c.children == 0 => return Err(Error::NotAPacket { found: "string" }),
            Role::Records | Role::List { .. } if c.text => return Err(mixed(&c)),
            Role::List { started: false } => sink.piece(Parsed::ListStart)?,
            _ => {}
        }
        if self.containers.is_empty() {
            self.root_done = true;
        }
        Ok(())
    }

    /// The piece `buf[start..end]` is complete: read it and hand it over.
    fn end_piece<F>(&mut self, end: usize, sink: &mut F) -> Result<(), Error>
    where
        F: PieceSink,
    {
        let Some(piece) = self.piece.take() else {
            return Ok(());
        };
        let offset = self.offset_of(piece.start);
        let records_container = self.containers.last().is_some_and(|c| c.role == Role::Records);
        let at = || format!("byte offset {offset}");
        match &piece.kind {
            PieceKind::Member(key) => self.bounds.member(key, end - piece.start, at)?,
            PieceKind::Record => self.bounds.record(records_container, end - piece.start, at)?,
            PieceKind::Skip => {}
        }
        // The namespaces the piece inherits, shared with its siblings (a record may be
        // read elsewhere).
        let inherited = self.shared_inherited();
        let text =
            simdutf8::basic::from_utf8(&self.buf[piece.start..end]).map_err(|_| xml_error(offset, "invalid UTF-8"))?;
        refuse_forbidden_chars(text.as_bytes(), offset)?;
        if piece.kind == PieceKind::Skip {
            // Checked, then dropped.
            read_tree(text, &self.inherited(), &mut self.pool).map_err(|e| shift(e, offset))?;
            return Ok(());
        }
        if piece.kind == PieceKind::Record
            && sink.raw_record(&RawRecord {
                text,
                offset,
                inherited: &inherited,
            })?
        {
            self.records += 1;
            return Ok(());
        }
        let records = self.records;
        let (value, attributes) = read_record(
            text,
            offset,
            &inherited,
            &self.lists,
            self.plain.as_mut(),
            |path| {
                // The piece's JSON Pointer, for the findings on its attributes.
                if let PieceKind::Member(key) = &piece.kind {
                    path.push('/');
                    push_pointer(path, key);
                } else {
                    if records_container {
                        path.push_str("/records");
                    }
                    crate::engine::push_index(path, records);
                }
            },
            &mut self.pool,
        )?;
        match piece.kind {
            PieceKind::Member(key) => sink.piece(Parsed::Member { key, value })?,
            PieceKind::Record => {
                self.records += 1;
                sink.piece(Parsed::Record(value))?
            }
            PieceKind::Skip => {}
        }
        if !attributes.is_empty() {
            sink.piece(Parsed::Attributes(attributes))?;
        }
        Ok(())
    }
}

/// Reads a piece with quick-xml into an element tree and converts it (any markup, and the
/// errors' words); `path` is the piece's JSON Pointer. Gives the value and the attributes
/// to report.
fn read_general(
    text: &str,
    inherited: &[(String, String)],
    lists: &[String],
    path: &mut String,
    pool: &mut Recycler,
) -> Result<(Value, Vec<IgnoredAttribute>), Error> {
    let mut element = read_tree(text, inherited, pool)?;
    let name = std::mem::take(&mut element.name);
    let lists: Vec<&str> = lists.iter().map(String::as_str).collect();
    let mut attributes = Vec::new();
    let value = convert(element, &name, path, &lists, &mut attributes, false, pool)?;
    Ok((value, attributes))
}

/// The local name of the element whose start tag is `tag` (`<p:name …>`).
fn local_name_of(tag: &[u8]) -> String {
    let name_end = tag[1..]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
        .map_or(tag.len(), |i| i + 1);
    let qname = String::from_utf8_lossy(&tag[1..name_end]);
    local(&qname)
}

/// The findings-to-be for the `attributes` of `element` at `path`.
fn ignored<'a>(
    attributes: &'a [String],
    path: &'a str,
    element: &'a str,
) -> impl Iterator<Item = IgnoredAttribute> + 'a {
    attributes.iter().map(|a| IgnoredAttribute {
        path: path.to_owned(),
        element: element.to_owned(),
        attribute: a.clone(),
    })
}

fn mixed(c: &Container) -> Error {
    xml_error(c.offset, format!("element <{}> mixes text and child elements", c.name))
}

/// Places an error found inside a piece in the whole document.
fn shift(error: Error, by: u64) -> Error {
    match error {
        Error::Xml { offset, message } => Error::Xml {
            offset: offset + by,
            message,
        },
        Error::XmlDoctype { offset } => Error::XmlDoctype { offset: offset + by },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both_readers(input: &[u8], lists: &[String]) {
        let fast = parse_with(input, lists, true);
        let general = parse_with(input, lists, false);
        assert_eq!(
            format!("{fast:?}"),
            format!("{general:?}"),
            "the plain reader differs on {:?}",
            String::from_utf8_lossy(input)
        );
    }

    /// Alters `packet` at each byte with each of a few bytes that matter to markup, and
    /// checks that both readers give the same value or the same error.
    fn both_readers_on_alterations(packet: &[u8], lists: &[String], bytes: &[u8]) {
        both_readers(packet, lists);
        for at in 0..packet.len() {
            let mut cut = packet.to_vec();
            cut.remove(at);
            both_readers(&cut, lists);
            for &b in bytes {
                let mut altered = packet.to_vec();
                altered[at] = b;
                both_readers(&altered, lists);
                altered.insert(at, b);
                both_readers(&altered, lists);
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_plain_reader_reads_as_the_general_one() {
        let lists = ["records".to_owned(), "details".to_owned()];
        let packets: [&str; 6] = [
            "<packet><header><entity>lot</entity></header><records><record><a>1</a><b/><details><d><n>2</n></d></details></record></records></packet>",
            "<packet><records>\n  <record>\n    <a> x </a>\n    <details/>\n  </record>\n</records></packet>",
            "<list><r><a>]]></a><p:b>q</p:b><details>  </details></r><r/></list>",
            "<packet><records><record><a>т</a><a>2</a><c></c></record><record>t</record></records></packet>",
            "<packet><records><record><details><x>1</x>y</details></record></records></packet>",
            "<packet><h><x>1</x></h><records><record><a>1<!--c-->2</a><b>&amp;</b></record></records></packet>",
        ];
        for packet in packets {
            both_readers_on_alterations(packet.as_bytes(), &lists, b"<>/& \rx!?=\"");
        }
    }

    /// The corpus packets in XML, read by both readers, whole and altered.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_plain_reader_reads_the_corpus_as_the_general_one() {
        let lists = &crate::catalog::Catalog::get().expect("catalog").xml_lists;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
        let mut seen = 0;
        for folder in std::fs::read_dir(&root).expect("corpus").flatten() {
            if !folder.path().is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(folder.path()).expect("folder").flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "xml") {
                    let packet = std::fs::read(&path).expect("packet");
                    both_readers(&packet, lists);
                    // Alterations of the smaller ones (each costs two reads per byte and byte
                    // value; the packets above try every byte that matters to markup).
                    if packet.len() < 1000 {
                        both_readers_on_alterations(&packet, lists, b"</&");
                    }
                    seen += 1;
                }
            }
        }
        assert!(seen > 50, "only {seen} XML packets in the corpus");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn soap_envelope_and_lists() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>
<packet xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <header><entity>lot</entity><rule_set xsi:nil="true"/></header>
  <records><record><number>A&amp;B &#1040;</number><details/></record></records>
</packet></s:Body></s:Envelope>"#;
        let doc = parse(text.as_bytes(), &["records".to_owned(), "details".to_owned()]).expect("parses");
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
        assert_eq!(doc, expected);
    }

    /// Everything the splitter hands over for `text` pushed in chunks of `size` bytes:
    /// one line per piece, or the error kind.
    fn split(text: &[u8], size: usize) -> Result<Vec<String>, String> {
        let mut splitter = XmlSplitter::new(vec!["records".to_owned(), "details".to_owned()], "packet");
        let mut out = Vec::new();
        let mut sink = |piece: Parsed| {
            out.push(match piece {
                Parsed::Member { key, value } => format!("M {key}={value:?}"),
                Parsed::RecordsStart => "R".to_owned(),
                Parsed::ListStart => "L".to_owned(),
                Parsed::Record(v) => format!("r {v:?}"),
                Parsed::Attributes(a) => format!("A {a:?}"),
            });
            Ok(())
        };
        let mut result = Ok(());
        for chunk in text.chunks(size.clamp(1, text.len().max(1))) {
            result = splitter.push(chunk, &mut sink);
            if result.is_err() {
                break;
            }
        }
        if result.is_ok() {
            result = splitter.finish(&mut sink);
        }
        match result {
            Ok(()) => Ok(out),
            Err(e) => Err(format!("{} {e}", e.kind())),
        }
    }

    /// The tree reader's reading of a packet, for comparison with the splitter's.
    fn tree(text: &str) -> Result<Value, String> {
        parse_rooted(text, &["records", "details"], "packet").map_err(|e| format!("{} {e}", e.kind()))
    }

    const DOCUMENTS: &[&str] = &[
        "\u{feff}<?xml version=\"1.0\"?>\n<!-- a > b --><packet a=\"1\"><?pi x?><header x='>'><entity>lot</entity></header>\
         <records q=\"2\"><record><n><![CDATA[<x>&]]></n></record><record xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:nil=\"true\"/>\
         <record><details><d><k>1</k></d><d/></details></record></records><extra>t</extra><records/></packet>\n",
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><h><x/></h></s:Header>\
         <s:Body><list><rec><a>б</a></rec><rec/></list></s:Body><after/></s:Envelope>",
        "<packet><records><r><a>1</a></r></records><header><entity>lot</entity></header></packet>",
        "<packet xmlns:x=\"http://www.w3.org/2001/XMLSchema-instance\"><records x:nil=\"true\"/><records><r/></records></packet>",
        "<list/>",
        "<packet><p:records xmlns:p=\"urn:p\"><r>1</r></p:records></packet>",
    ];

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn any_chunking_gives_the_same_pieces_as_the_tree_reader() {
        for text in DOCUMENTS {
            let whole = split(text.as_bytes(), usize::MAX).expect(text);
            for size in [1, 2, 3, 5, 7, 64] {
                assert_eq!(
                    split(text.as_bytes(), size),
                    Ok(whole.clone()),
                    "{text} in chunks of {size}"
                );
            }
            let collected = parse(text.as_bytes(), &["records".to_owned(), "details".to_owned()]).expect(text);
            let from_tree = tree(text.trim_start_matches('\u{feff}')).expect(text);
            assert_eq!(collected, from_tree, "{text}");
        }
        let first = split(DOCUMENTS[0].as_bytes(), 3).expect("splits");
        assert_eq!(
            first[0],
            "A [IgnoredAttribute { path: \"\", element: \"packet\", attribute: \"a\" }]"
        );
        assert!(first
            .iter()
            .any(|l| l.contains("path: \"/header\", element: \"header\", attribute: \"x\"")));
        assert!(first
            .iter()
            .any(|l| l.contains("path: \"/records\", element: \"records\", attribute: \"q\"")));
        assert!(first.iter().any(|l| l == "r Null"), "{first:?}");
        assert!(first.iter().any(|l| l == "M extra=Text(\"t\")"), "{first:?}");
        assert!(first.iter().any(|l| l == "M records=Array([])"), "{first:?}");
        assert!(first.iter().any(|l| l.contains("Text(\"<x>&\")")), "{first:?}");
        assert_eq!(split(DOCUMENTS[4].as_bytes(), 1), Ok(vec!["L".to_owned()]));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn malformed_documents_are_refused_for_any_chunking() {
        let cases: &[(&str, &str)] = &[
            ("<packet><header></packet>", "xml "),
            ("<packet><records><r></x></records></packet>", "xml "),
            ("<packet></records></packet>", "xml "),
            ("<packet><header/></packet><more/>", "xml "),
            ("<packet><header/></packet>text", "xml "),
            ("<packet>text<header/></packet>", "xml "),
            ("<packet><records>t<r/></records></packet>", "xml "),
            ("<packet><header/>", "xml "),
            ("<packet><header/><!-- open", "xml "),
            ("<packet><header/><!DOCTYPE x></packet>", "xml_doctype "),
            ("<!DOCTYPE packet><packet/>", "xml_doctype "),
            ("<packet/>", "not_a_packet "),
            ("<packet>text</packet>", "not_a_packet "),
            ("<packet xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:nil=\"1\"><h/></packet>", "not_a_packet "),
            ("<Envelope xmlns=\"urn:x\"><Body><packet/></Body></Envelope>", "xml "),
            ("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body/></e:Envelope>", "xml "),
            ("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"/>", "xml "),
            ("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><a/><b/></e:Body></e:Envelope>", "xml "),
            ("<?xml version=\"1.0\" encoding=\"windows-1251\"?><packet/>", "xml "),
            ("<packet><records><r a=\"1\" a=\"2\"/></records></packet>", "xml "),
            ("<packet><records><r>&unknown;</r></records></packet>", "xml "),
            ("  ", "xml "),
        ];
        for (text, kind) in cases {
            for size in [1, 4, usize::MAX] {
                let result = split(text.as_bytes(), size);
                assert!(
                    result.as_ref().is_err_and(|e| e.starts_with(kind)),
                    "{text} in chunks of {size}: {result:?}"
                );
            }
        }
        // Invalid UTF-8 is placed in the document, wherever the chunks are cut.
        let mut bytes = b"<packet><records><r>".to_vec();
        bytes.extend_from_slice(&[0xD0, 0x41]);
        for size in [1, 2, 3, 64] {
            assert_eq!(
                split(&bytes, size).map_err(|e| e.split(' ').next().map(str::to_owned)),
                Err(Some("invalid_utf8".to_owned()))
            );
        }
        let deep = format!(
            "<packet><records>{}{}</records></packet>",
            "<a>".repeat(70),
            "</a>".repeat(70)
        );
        assert!(split(deep.as_bytes(), 16).is_err_and(|e| e.contains("deeper")));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(matches!(parse(text.as_bytes(), &[]), Err(Error::Xml { .. })));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn doctype_is_refused() {
        let text = "<!DOCTYPE p [<!ENTITY x \"y\">]><packet>&x;</packet>";
        assert!(matches!(parse(text.as_bytes(), &[]), Err(Error::XmlDoctype { .. })));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn foreign_envelope_is_refused() {
        let text = r#"<Envelope xmlns="urn:other"><Body><packet/></Body></Envelope>"#;
        assert!(matches!(parse(text.as_bytes(), &[]), Err(Error::Xml { .. })));
    }
}
