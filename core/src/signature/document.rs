//! One streaming pass over a signed XML document: captures its `ds:Signature` elements and,
//! when asked, hashes the document's canonical form (C14N 1.0) with those signatures removed.
//!
//! A `Reference URI=""` selects the whole document without comments (XMLDSig §4.3.3.3), so
//! comments never reach the hash, whatever the canonicalisation's comment mode. Signatures are
//! small and are kept as trees; the rest of the document is rendered as it streams past and
//! never held.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::digest::{Algorithm, Hasher};
use crate::error::Error;

/// The XMLDSig namespace.
pub(crate) const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The namespace the `xml` prefix is bound to.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// At most this many signatures in one document.
pub(crate) const MAX_SIGNATURES: usize = 16;
/// One signature's elements take at most this many bytes of input.
const MAX_SIGNATURE_BYTES: u64 = 1 << 20;
/// Elements nest at most this deep (as the packet reader).
const MAX_DEPTH: usize = 64;
/// Canonical bytes are handed to the hashers in pieces of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// A node of a captured signature.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An element.
    Element(Element),
    /// Character data, with line ends normalised and references resolved.
    Text(String),
    /// A comment.
    Comment(String),
    /// A processing instruction.
    Pi(String, String),
}

/// An element of a captured signature, its names resolved.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// The name as written (`ds:SignedInfo`).
    pub qname: String,
    /// Its namespace.
    pub ns: String,
    /// Its local name.
    pub local: String,
    /// Namespace declarations written on it (prefix `""` is the default namespace).
    pub declarations: Vec<(String, String)>,
    /// Its other attributes: name as written, namespace, local name, normalised value.
    pub attributes: Vec<Attribute>,
    /// Its children in order.
    pub children: Vec<Node>,
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    pub qname: String,
    pub ns: String,
    pub local: String,
    pub value: String,
}

impl Element {
    /// The first child element in `ns` named `local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.ns == ns && e.local == local)
    }

    /// Every child element.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The value of the unqualified attribute `local`.
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.ns.is_empty() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The text directly inside it.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A `ds:Signature` as found in the document.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    /// The element and everything in it.
    pub element: Element,
    /// The namespace declarations in force around it (outermost first).
    pub scope: Vec<(String, String)>,
    /// `xml:*` attributes of its ancestors (outermost first), which C14N carries onto an apex.
    pub xml_attributes: Vec<Attribute>,
}

/// What a pass found.
pub(crate) struct Walk {
    /// The signatures in document order.
    pub signatures: Vec<Captured>,
    /// Per signature, when hashing was asked for: the digests of the document without that
    /// signature and every later one (sequential), and without that signature only (strict).
    pub digests: Vec<SignatureDigests>,
    /// Texts of `header/created_at` and `header/sender_bin`, the first of each, if present.
    pub created_at: Option<String>,
    /// See `created_at`.
    pub sender_bin: Option<String>,
}

/// The reference digests of one signature, one per algorithm asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct SignatureDigests {
    /// The document without this signature and every later one.
    pub sequential: Vec<(Algorithm, Vec<u8>)>,
    /// The document without this signature only.
    pub strict: Vec<(Algorithm, Vec<u8>)>,
}

/// The canonical bytes' destinations while the document streams past.
struct Streams {
    algorithms: Vec<Algorithm>,
    expected: usize,
    /// The whole document so far (signatures included); dropped once the last signature starts.
    base: Option<Vec<Hasher>>,
    /// Per signature seen: hashers skipping it and every later signature.
    sequential: Vec<Vec<Hasher>>,
    /// Per signature seen but the last: hashers skipping it only.
    strict: Vec<Option<Vec<Hasher>>>,
    pending: Vec<u8>,
}

impl Streams {
    fn new(algorithms: &[Algorithm], expected: usize) -> Streams {
        Streams {
            algorithms: algorithms.to_vec(),
            expected,
            base: Some(algorithms.iter().map(|a| a.hasher()).collect()),
            sequential: Vec::new(),
            strict: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn active(&self) -> bool {
        !self.algorithms.is_empty()
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.active() {
            self.pending.extend_from_slice(bytes);
            if self.pending.len() >= FLUSH_AT {
                self.flush();
            }
        }
    }

    /// Hands the pending bytes (outside any signature) to every stream.
    fn flush(&mut self) {
        let bytes = std::mem::take(&mut self.pending);
        let all = self
            .base
            .iter_mut()
            .chain(self.sequential.iter_mut())
            .chain(self.strict.iter_mut().flatten());
        for hashers in all {
            for h in hashers {
                h.update(&bytes);
            }
        }
        self.pending = bytes;
        self.pending.clear();
    }

    /// Signature number `index` (from 0) starts, rendered as `canonical` in the document.
    fn signature(&mut self, index: usize, canonical: &[u8]) {
        if !self.active() {
            return;
        }
        self.flush();
        let Some(base) = self.base.as_mut() else { return };
        self.sequential.push(base.clone());
        let last = index + 1 >= self.expected;
        self.strict.push(if last { None } else { Some(base.clone()) });
        for h in base.iter_mut() {
            h.update(canonical);
        }
        // Earlier signatures' strict streams keep the later ones.
        for hashers in self.strict[..index].iter_mut().flatten() {
            for h in hashers.iter_mut() {
                h.update(canonical);
            }
        }
        if last {
            self.base = None;
        }
    }

    fn finish(mut self) -> Vec<SignatureDigests> {
        if !self.active() {
            return Vec::new();
        }
        self.flush();
        let algorithms = self.algorithms;
        let strict = self.strict;
        self.sequential
            .into_iter()
            .zip(strict)
            .map(|(sequential, strict)| {
                let done = |hashers: Vec<Hasher>| -> Vec<(Algorithm, Vec<u8>)> {
                    algorithms
                        .iter()
                        .copied()
                        .zip(hashers.into_iter().map(Hasher::finish))
                        .collect()
                };
                let sequential = done(sequential);
                let strict = match strict {
                    Some(s) => done(s),
                    None => sequential.clone(),
                };
                SignatureDigests { sequential, strict }
            })
            .collect()
    }
}

fn xml_error(offset: u64, message: impl Into<String>) -> Error {
    Error::Xml {
        offset,
        message: message.into(),
    }
}

/// The namespace bound to `prefix` in `scope` (innermost last).
fn lookup<'a>(scope: &'a [(String, String)], prefix: &str) -> Option<&'a str> {
    scope.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
}

fn split_qname(qname: &str) -> (&str, &str) {
    // A byte search: a name's ':' is ASCII, and this runs for every element.
    match memchr::memchr(b':', qname.as_bytes()) {
        Some(i) => (&qname[..i], &qname[i + 1..]),
        None => ("", qname),
    }
}

/// Reads a start tag: the element (children empty) with names resolved in `scope` plus its own
/// declarations.
fn read_start(start: &BytesStart, scope: &[(String, String)], offset: u64) -> Result<Element, Error> {
    let qname = start.name().as_ref().to_owned();
    let mut declarations = Vec::new();
    let mut raw = Vec::new();
    for attribute in start.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| xml_error(offset, e.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| xml_error(offset, e.to_string()))?
            .into_owned();
        if key == "xmlns" {
            declarations.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            declarations.push((p.to_owned(), value));
        } else {
            raw.push((key, value));
        }
    }
    let resolve = |prefix: &str| -> Result<String, Error> {
        if prefix == "xml" {
            return Ok(XML_NS.to_owned());
        }
        declarations
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
            .or_else(|| lookup(scope, prefix))
            .map(str::to_owned)
            .ok_or_else(|| xml_error(offset, format!("namespace prefix {prefix:?} is not declared")))
    };
    let (prefix, local) = split_qname(&qname);
    let ns = if prefix.is_empty() {
        resolve("").unwrap_or_default()
    } else {
        resolve(prefix)?
    };
    let local = local.to_owned();
    let mut attributes = Vec::with_capacity(raw.len());
    for (key, value) in raw {
        let (p, l) = split_qname(&key);
        let ns = if p.is_empty() { String::new() } else { resolve(p)? };
        let local = l.to_owned();
        attributes.push(Attribute {
            qname: key,
            ns,
            local,
            value,
        });
    }
    Ok(Element {
        qname,
        ns,
        local,
        declarations,
        attributes,
        children: Vec::new(),
    })
}

fn escape_text(out: &mut Vec<u8>, text: &str) {
    // Runs without a character to escape (nearly all text) are copied whole.
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes[from..]
        .iter()
        .position(|&b| matches!(b, b'&' | b'<' | b'>' | b'\r'))
    {
        let at = from + i;
        out.extend_from_slice(&bytes[from..at]);
        out.extend_from_slice(match bytes[at] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            _ => b"&#xD;",
        });
        from = at + 1;
    }
    out.extend_from_slice(&bytes[from..]);
}

fn escape_attribute(out: &mut Vec<u8>, text: &str) {
    for b in text.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\t' => out.extend_from_slice(b"&#x9;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            _ => out.push(b),
        }
    }
}

fn render_pi(out: &mut Vec<u8>, target: &str, content: &str) {
    out.extend_from_slice(b"<?");
    out.extend_from_slice(target.as_bytes());
    if !content.is_empty() {
        out.push(b' ');
        out.extend_from_slice(content.as_bytes());
    }
    out.extend_from_slice(b"?>");
}

/// The declarations of an element that C14N renders: those that change what its parent has in
/// scope (`parent`), sorted default first then by prefix.
fn rendered_declarations<'a>(
    declarations: &'a [(String, String)],
    parent: &[(String, String)],
) -> Vec<&'a (String, String)> {
    let mut out: Vec<&(String, String)> = Vec::new();
    for d in declarations {
        let (prefix, uri) = (d.0.as_str(), d.1.as_str());
        if prefix == "xml" || out.iter().any(|o| o.0 == prefix) {
            continue;
        }
        let inherited = lookup(parent, prefix).unwrap_or("");
        if inherited != uri {
            out.push(d);
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Renders a start tag in canonical form.
fn render_start(out: &mut Vec<u8>, element: &Element, declarations: &[&(String, String)], extra: &[Attribute]) {
    out.push(b'<');
    out.extend_from_slice(element.qname.as_bytes());
    write_declarations(out, declarations);
    let mut attributes: Vec<&Attribute> = element.attributes.iter().chain(extra.iter()).collect();
    attributes.sort_by(|a, b| (a.ns.as_str(), a.local.as_str()).cmp(&(b.ns.as_str(), b.local.as_str())));
    for a in attributes {
        write_attribute(out, a);
    }
    out.push(b'>');
}

fn write_declarations(out: &mut Vec<u8>, declarations: &[&(String, String)]) {
    for (prefix, uri) in declarations.iter().map(|d| (&d.0, &d.1)) {
        if prefix.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attribute(out, uri);
        out.push(b'"');
    }
}

fn write_attribute(out: &mut Vec<u8>, a: &Attribute) {
    out.push(b' ');
    out.extend_from_slice(a.qname.as_bytes());
    out.extend_from_slice(b"=\"");
    escape_attribute(out, &a.value);
    out.push(b'"');
}

fn render_end(out: &mut Vec<u8>, element: &Element) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(element.qname.as_bytes());
    out.push(b'>');
}

/// Canonical form (C14N 1.0) of a captured element inside a parent whose in-scope namespaces
/// are `parent`; comments are kept only when `comments`.
pub(crate) fn canonical_element(out: &mut Vec<u8>, element: &Element, parent: &[(String, String)], comments: bool) {
    let declarations = rendered_declarations(&element.declarations, parent);
    render_start(out, element, &declarations, &[]);
    let mut scope = parent.to_vec();
    scope.extend(element.declarations.iter().cloned());
    canonical_children(out, element, &scope, comments);
    render_end(out, element);
}

fn canonical_children(out: &mut Vec<u8>, element: &Element, scope: &[(String, String)], comments: bool) {
    for child in &element.children {
        match child {
            Node::Element(e) => canonical_element(out, e, scope, comments),
            Node::Text(t) => escape_text(out, t),
            Node::Comment(c) if comments => {
                out.extend_from_slice(b"<!--");
                out.extend_from_slice(c.as_bytes());
                out.extend_from_slice(b"-->");
            }
            Node::Comment(_) => {}
            Node::Pi(target, content) => render_pi(out, target, content),
        }
    }
}

/// Canonical form (C14N 1.0) of `apex` as a document subset: every namespace in scope at it
/// (`scope`, which includes its own declarations) and its ancestors' `xml:*` attributes it
/// does not override are rendered on it.
pub(crate) fn canonical_apex(
    out: &mut Vec<u8>,
    apex: &Element,
    scope: &[(String, String)],
    inherited_xml: &[Attribute],
    comments: bool,
) {
    let mut in_scope: Vec<(String, String)> = Vec::new();
    for (p, u) in scope.iter().rev() {
        if !in_scope.iter().any(|(q, _)| q == p) {
            in_scope.push((p.clone(), u.clone()));
        }
    }
    let declarations = rendered_declarations(&in_scope, &[]);
    let mut extra: Vec<Attribute> = Vec::new();
    for a in inherited_xml.iter().rev() {
        let overridden = apex.attributes.iter().any(|b| b.ns == XML_NS && b.local == a.local)
            || extra.iter().any(|b| b.local == a.local);
        if !overridden {
            extra.push(a.clone());
        }
    }
    render_start(out, apex, &declarations, &extra);
    canonical_children(out, apex, scope, comments);
    render_end(out, apex);
}

/// An element being read: its scope length before its declarations and its `xml:*` attributes.
struct Open {
    scope_len: usize,
    xml_attributes: Vec<Attribute>,
    /// Where its name starts in the walk's `names` buffer (it runs to the next one's start).
    name_at: usize,
}

/// Attributes of the element being rendered, kept between elements so that reading one
/// allocates nothing once the walk is warm (a packet has millions of elements).
#[derive(Default)]
struct AttributePool {
    items: Vec<Attribute>,
    used: usize,
}

impl AttributePool {
    fn clear(&mut self) {
        self.used = 0;
    }

    /// The next entry, emptied.
    fn next(&mut self) -> &mut Attribute {
        if self.used == self.items.len() {
            self.items.push(Attribute {
                qname: String::new(),
                ns: String::new(),
                local: String::new(),
                value: String::new(),
            });
        }
        let a = &mut self.items[self.used];
        self.used += 1;
        a.qname.clear();
        a.ns.clear();
        a.local.clear();
        a.value.clear();
        a
    }

    fn used(&mut self) -> &mut [Attribute] {
        &mut self.items[..self.used]
    }
}

/// Renders the start tag of an element outside the signatures without building it: its
/// declarations are pushed onto `scope` (from `scope_len`), its attributes go through `pool`,
/// and the canonical tag is written to `out` when `render`.
fn open_element(
    start: &BytesStart,
    scope: &mut Vec<(String, String)>,
    pool: &mut AttributePool,
    out: &mut Vec<u8>,
    render: bool,
    offset: u64,
) -> Result<(), Error> {
    let parent_len = scope.len();
    pool.clear();
    for attribute in start.attributes().with_checks(true) {
        let attribute = attribute.map_err(|e| xml_error(offset, e.to_string()))?;
        let key: &str = attribute.key.as_ref();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| xml_error(offset, e.to_string()))?;
        if key == "xmlns" {
            scope.push((String::new(), value.into_owned()));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            scope.push((p.to_owned(), value.into_owned()));
        } else if render {
            let a = pool.next();
            a.qname.push_str(key);
            a.value.push_str(&value);
        }
    }
    if !render {
        return Ok(());
    }
    for a in pool.used() {
        let (prefix, local) = split_qname(&a.qname);
        a.local.push_str(local);
        if !prefix.is_empty() {
            let ns = if prefix == "xml" {
                XML_NS
            } else {
                lookup(scope, prefix)
                    .ok_or_else(|| xml_error(offset, format!("namespace prefix {prefix:?} is not declared")))?
            };
            a.ns.push_str(ns);
        }
    }
    let (parent, own) = scope.split_at(parent_len);
    let declarations = rendered_declarations(own, parent);
    out.push(b'<');
    out.extend_from_slice(start.name().as_ref().as_bytes());
    write_declarations(out, &declarations);
    let attributes = pool.used();
    attributes.sort_by(|a, b| (a.ns.as_str(), a.local.as_str()).cmp(&(b.ns.as_str(), b.local.as_str())));
    for a in attributes.iter() {
        write_attribute(out, a);
    }
    out.push(b'>');
    Ok(())
}

/// A signature being captured: the stack of its open elements.
struct Capture {
    stack: Vec<Element>,
    scope: Vec<(String, String)>,
    xml_attributes: Vec<Attribute>,
    offset: u64,
}

/// The text of a text, CDATA or reference event, borrowed where it can be: a character
/// reference is written into `buf`.
fn text_in<'a>(event: &'a Event, buf: &'a mut [u8; 4], offset: u64) -> Result<std::borrow::Cow<'a, str>, Error> {
    use std::borrow::Cow;
    Ok(match event {
        Event::Text(t) => t.xml10_content(),
        Event::CData(t) => t.xml10_content(),
        Event::GeneralRef(r) => match r.resolve_char_ref().map_err(|e| xml_error(offset, e.to_string()))? {
            Some(c) => Cow::Borrowed(c.encode_utf8(buf)),
            None => Cow::Borrowed(match &**r {
                "lt" => "<",
                "gt" => ">",
                "amp" => "&",
                "apos" => "'",
                "quot" => "\"",
                other => return Err(xml_error(offset, format!("unknown entity &{other};"))),
            }),
        },
        _ => Cow::Borrowed(""),
    })
}

fn text_of(event: &Event, offset: u64) -> Result<String, Error> {
    Ok(match event {
        Event::Text(t) => t.xml10_content().into_owned(),
        Event::CData(t) => t.xml10_content().into_owned(),
        Event::GeneralRef(r) => match r.resolve_char_ref().map_err(|e| xml_error(offset, e.to_string()))? {
            Some(c) => c.to_string(),
            None => match &**r {
                "lt" => "<".to_owned(),
                "gt" => ">".to_owned(),
                "amp" => "&".to_owned(),
                "apos" => "'".to_owned(),
                "quot" => "\"".to_owned(),
                other => return Err(xml_error(offset, format!("unknown entity &{other};"))),
            },
        },
        _ => String::new(),
    })
}

/// Reads the document once. With `algorithms` empty it only captures the signatures; otherwise
/// it also hashes the canonical document for each of the `expected` signatures.
pub(crate) fn walk<R: BufRead>(input: R, algorithms: &[Algorithm], expected: usize) -> Result<Walk, Error> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = true;
    let mut streams = Streams::new(algorithms, expected);
    let mut buf = Vec::new();
    let mut scope: Vec<(String, String)> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut capture: Option<Capture> = None;
    let mut signatures: Vec<Captured> = Vec::new();
    let mut seen_root = false;
    let mut out: Vec<u8> = Vec::new();
    // The header field being read (0 created_at, 1 sender_bin) and what was found.
    let mut header_field: Option<usize> = None;
    let mut header: [Option<String>; 2] = [None, None];
    let mut pool = AttributePool::default();
    let mut names = String::new();
    let mut char_buf = [0u8; 4];
    loop {
        buf.clear();
        let offset = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(reader.error_position(), e.to_string()))?;
        if let Some(c) = capture.as_mut() {
            if offset - c.offset > MAX_SIGNATURE_BYTES {
                return Err(xml_error(
                    c.offset,
                    format!("a signature longer than {MAX_SIGNATURE_BYTES} bytes"),
                ));
            }
            match event {
                Event::Start(ref start) => {
                    let mut inner_scope = c.scope.clone();
                    for e in &c.stack {
                        inner_scope.extend(e.declarations.iter().cloned());
                    }
                    if c.stack.len() + open.len() >= MAX_DEPTH {
                        return Err(xml_error(
                            offset,
                            format!("elements nested deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    c.stack.push(read_start(start, &inner_scope, offset)?);
                }
                Event::End(_) => {
                    let Some(done) = c.stack.pop() else {
                        return Err(xml_error(offset, "unexpected end tag"));
                    };
                    match c.stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(done)),
                        None => {
                            let Some(c) = capture.take() else { continue };
                            let index = signatures.len();
                            if index >= MAX_SIGNATURES {
                                return Err(xml_error(c.offset, format!("more than {MAX_SIGNATURES} signatures")));
                            }
                            if streams.active() {
                                out.clear();
                                canonical_element(&mut out, &done, &c.scope, false);
                                streams.signature(index, &out);
                            }
                            signatures.push(Captured {
                                element: done,
                                scope: c.scope,
                                xml_attributes: c.xml_attributes,
                            });
                        }
                    }
                }
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    let text = text_of(&event, offset)?;
                    if let Some(parent) = c.stack.last_mut() {
                        if let Some(Node::Text(t)) = parent.children.last_mut() {
                            t.push_str(&text);
                        } else {
                            parent.children.push(Node::Text(text));
                        }
                    }
                }
                Event::Comment(ref t) => {
                    if let Some(parent) = c.stack.last_mut() {
                        parent.children.push(Node::Comment(t.xml10_content().into_owned()));
                    }
                }
                Event::PI(ref pi) => {
                    if let Some(parent) = c.stack.last_mut() {
                        let content = pi
                            .content()
                            .trim_start_matches([' ', '\t', '\r', '\n'])
                            .replace("\r\n", "\n");
                        parent.children.push(Node::Pi(pi.target().to_owned(), content));
                    }
                }
                Event::Eof => return Err(xml_error(offset, "unexpected end of input inside a signature")),
                // Empty elements are read as a start and an end (expand_empty_elements).
                Event::Empty(_) => return Err(xml_error(offset, "unexpected empty-element event")),
                Event::Decl(_) | Event::DocType(_) => return Err(xml_error(offset, "a declaration inside an element")),
            }
            continue;
        }
        match event {
            Event::Start(ref start) => {
                if open.is_empty() && seen_root {
                    return Err(xml_error(offset, "content after the root element"));
                }
                if open.len() >= MAX_DEPTH {
                    return Err(xml_error(
                        offset,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let name = start.name();
                let qname: &str = name.as_ref();
                let (prefix, local) = split_qname(qname);
                // Only an element named Signature can be one: the rest are never built.
                if local == "Signature" {
                    let element = read_start(start, &scope, offset)?;
                    if element.ns == DSIG {
                        if open.is_empty() {
                            return Err(xml_error(offset, "the root element is a signature: nothing is signed"));
                        }
                        let xml_attributes = open.iter().flat_map(|o| o.xml_attributes.iter().cloned()).collect();
                        capture = Some(Capture {
                            stack: vec![element],
                            scope: scope.clone(),
                            xml_attributes,
                            offset,
                        });
                        continue;
                    }
                }
                seen_root = true;
                let scope_len = scope.len();
                out.clear();
                open_element(start, &mut scope, &mut pool, &mut out, streams.active(), offset)?;
                if !prefix.is_empty() && prefix != "xml" && lookup(&scope, prefix).is_none() {
                    return Err(xml_error(
                        offset,
                        format!("namespace prefix {prefix:?} is not declared"),
                    ));
                }
                streams.write(&out);
                let parent_is_header = open
                    .last()
                    .is_some_and(|o| split_qname(&names[o.name_at..]).1 == "header");
                header_field = match local {
                    "created_at" if parent_is_header && header[0].is_none() => Some(0),
                    "sender_bin" if parent_is_header && header[1].is_none() => Some(1),
                    _ => None,
                };
                if let Some(i) = header_field {
                    header[i] = Some(String::new());
                }
                // xml:* attributes are inherited by a signature's SignedInfo (rare: built only then).
                let xml_attributes = if start
                    .attributes()
                    .any(|a| a.is_ok_and(|a| a.key.as_ref().starts_with("xml:")))
                {
                    read_start(start, &scope[..scope_len], offset)?
                        .attributes
                        .into_iter()
                        .filter(|a| a.ns == XML_NS)
                        .collect()
                } else {
                    Vec::new()
                };
                // Names of open elements are kept end to end in one buffer.
                let name_at = names.len();
                names.push_str(qname);
                open.push(Open {
                    scope_len,
                    xml_attributes,
                    name_at,
                });
            }
            Event::End(_) => {
                let Some(done) = open.pop() else {
                    return Err(xml_error(offset, "unexpected end tag"));
                };
                scope.truncate(done.scope_len);
                header_field = None;
                if streams.active() {
                    out.clear();
                    out.extend_from_slice(b"</");
                    out.extend_from_slice(&names.as_bytes()[done.name_at..]);
                    out.push(b'>');
                    streams.write(&out);
                }
                names.truncate(done.name_at);
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if !open.is_empty() && !streams.active() && header_field.is_none() {
                    // The first pass needs no text outside the signatures (references are
                    // still resolved, so an unknown entity is refused in both passes).
                    if let Event::GeneralRef(_) = event {
                        text_in(&event, &mut char_buf, offset)?;
                    }
                    continue;
                }
                let text = text_in(&event, &mut char_buf, offset)?;
                if open.is_empty() {
                    if !text.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                        return Err(xml_error(offset, "text outside the root element"));
                    }
                } else if streams.active() || header_field.is_some() {
                    if let Some(field) = header_field.and_then(|i| header[i].as_mut()) {
                        field.push_str(&text);
                    }
                    out.clear();
                    escape_text(&mut out, &text);
                    streams.write(&out);
                }
            }
            // URI="" selects the document without its comments.
            Event::Comment(_) => {}
            Event::PI(ref pi) => {
                if streams.active() {
                    out.clear();
                    if open.is_empty() && seen_root {
                        out.push(b'\n');
                    }
                    let content = pi
                        .content()
                        .trim_start_matches([' ', '\t', '\r', '\n'])
                        .replace("\r\n", "\n")
                        .replace('\r', "\n");
                    render_pi(&mut out, pi.target(), &content);
                    if open.is_empty() && !seen_root {
                        out.push(b'\n');
                    }
                    streams.write(&out);
                }
            }
            Event::Decl(ref decl) => {
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
            Event::DocType(_) => return Err(Error::XmlDoctype { offset }),
            Event::Empty(_) => return Err(xml_error(offset, "unexpected empty-element event")),
            Event::Eof => break,
        }
    }
    if !open.is_empty() {
        return Err(xml_error(
            reader.buffer_position(),
            "unexpected end of input: unclosed elements",
        ));
    }
    if !seen_root {
        return Err(xml_error(0, "no root element"));
    }
    let [created_at, sender_bin] = header;
    Ok(Walk {
        signatures,
        digests: streams.finish(),
        created_at: created_at.map(|t| t.trim().to_owned()),
        sender_bin: sender_bin.map(|t| t.trim().to_owned()),
    })
}
