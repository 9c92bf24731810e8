//! The fast reading of a piece in plain markup: elements without attributes, text
//! without references or carriage returns, no comments, CDATA or processing
//! instructions. That is what packets written by programs are made of, and it is read
//! in one pass straight into the data model, without quick-xml's events or the element
//! tree. Anything else (or any error) is left to the general reader, which says what is
//! wrong with the same words as before: [`PlainReader::read`] answers `None` and the
//! piece is read again by `read_tree` and `convert`. A test compares the two readers on
//! every XML packet of the corpus, whole and with each byte removed or replaced.

use crate::recycle::Recycler;
use crate::value::Value;

/// An element open in the piece being read.
struct Frame {
    /// Where the qualified name is in the piece (for the end tag's check).
    qname: (usize, usize),
    /// The local name, the member name in the parent.
    name: String,
    /// Whether the element is a list (its children are items).
    list: bool,
    /// Child elements seen so far.
    children: usize,
    /// Where the text before the first child (or all of a leaf's text) is.
    text: (usize, usize),
    members: Vec<(String, Value)>,
    items: Vec<Value>,
}

/// Reads pieces in plain markup; keeps its stack between pieces.
#[derive(Default)]
pub(crate) struct PlainReader {
    frames: Vec<Frame>,
}

impl PlainReader {
    /// The value of the piece `text` (one whole element), or `None` when the piece is not
    /// plain markup or is not well formed. Elements named in `lists` are arrays.
    pub(crate) fn read(&mut self, text: &str, lists: &[String], pool: &mut Recycler) -> Option<Value> {
        let value = self.scan(text, lists, pool);
        // A piece left half read gives its storage back.
        while let Some(frame) = self.frames.pop() {
            pool.reclaim(Value::Text(frame.name));
            pool.reclaim(Value::Object(frame.members));
            pool.reclaim(Value::Array(frame.items));
        }
        value
    }

    fn scan(&mut self, text: &str, lists: &[String], pool: &mut Recycler) -> Option<Value> {
        let bytes = text.as_bytes();
        let mut i = 0;
        loop {
            if bytes.get(i) != Some(&b'<') {
                // Text: up to the next markup; the root element's start comes first.
                let frame = self.frames.last_mut()?;
                let end = i + memchr::memchr(b'<', &bytes[i..])?;
                let between = &bytes[i..end];
                if memchr::memchr2(b'&', b'\r', between).is_some() {
                    return None;
                }
                if frame.children == 0 {
                    frame.text = (i, end);
                } else if !is_blank(between) {
                    return None;
                }
                i = end;
                continue;
            }
            let gt = i + memchr::memchr(b'>', &bytes[i..])?;
            match bytes.get(i + 1)? {
                b'/' => {
                    let frame = self.frames.pop()?;
                    if bytes.get(i + 2..gt)? != bytes.get(frame.qname.0..frame.qname.1)? {
                        self.frames.push(frame);
                        return None;
                    }
                    if let Closed::Root(value) = self.close(frame, text, pool)? {
                        return root_alone(value, gt + 1 == bytes.len(), pool);
                    }
                }
                b'!' | b'?' => return None,
                _ => {
                    let empty = bytes[gt - 1] == b'/';
                    let qname = (i + 1, if empty { gt - 1 } else { gt });
                    let local = text.get(qname.0 + plain_name_prefix(&bytes[qname.0..qname.1])?..qname.1)?;
                    if self.frames.len() >= super::MAX_DEPTH {
                        return None;
                    }
                    if let Some(parent) = self.frames.last_mut() {
                        // Text before a first child must be white space.
                        if parent.children == 0 && !is_blank(&bytes[parent.text.0..parent.text.1]) {
                            return None;
                        }
                        parent.children += 1;
                        if parent.children == 1 {
                            if parent.list {
                                parent.items = pool.items();
                            } else {
                                parent.members = pool.members();
                            }
                        }
                    }
                    let list = lists.iter().any(|l| l == local);
                    if !empty && !list {
                        // Most elements are `<name>text</name>`: read at once, no frame.
                        if let Some(end) = self.leaf(text, qname, gt + 1, local, pool) {
                            i = end;
                            continue;
                        }
                    }
                    let frame = Frame {
                        qname,
                        name: pool.string(local),
                        list,
                        children: 0,
                        text: (gt + 1, gt + 1),
                        members: Vec::new(),
                        items: Vec::new(),
                    };
                    if !empty {
                        self.frames.push(frame);
                    } else if let Closed::Root(value) = self.close(frame, text, pool)? {
                        return root_alone(value, gt + 1 == bytes.len(), pool);
                    }
                }
            }
            i = gt + 1;
        }
    }

    /// Reads `text[from..]` as the text and end tag of a leaf element inside the piece
    /// named `qname`, and gives it to its parent; where it ends, or `None` when it is not
    /// such a leaf (the caller then reads it the long way).
    fn leaf(
        &mut self,
        text: &str,
        qname: (usize, usize),
        from: usize,
        local: &str,
        pool: &mut Recycler,
    ) -> Option<usize> {
        let bytes = text.as_bytes();
        let parent = self.frames.last_mut()?;
        let lt = from + memchr::memchr(b'<', &bytes[from..])?;
        let name = &bytes[qname.0..qname.1];
        let close = lt + 2 + name.len();
        let is_end = bytes.get(lt + 1) == Some(&b'/')
            && bytes.get(lt + 2..close) == Some(name)
            && bytes.get(close) == Some(&b'>');
        if !is_end || memchr::memchr2(b'&', b'\r', &bytes[from..lt]).is_some() {
            return None;
        }
        // Cut at markup, so on character boundaries.
        let content = text.get(from..lt)?;
        if parent.list {
            parent.items.push(Value::Text(pool.string(content)));
        } else {
            // The name first: the pool gives back storage in the order records hold it.
            let name = pool.string(local);
            parent.members.push((name, Value::Text(pool.string(content))));
        }
        Some(close + 1)
    }

    /// Ends `frame`: its value goes to its parent, or is the piece's when it is the root.
    fn close(&mut self, frame: Frame, text: &str, pool: &mut Recycler) -> Option<Closed> {
        let bytes = text.as_bytes();
        let value = if frame.list {
            if frame.children == 0 && !is_blank(&bytes[frame.text.0..frame.text.1]) {
                return None;
            }
            Value::Array(if frame.children == 0 { pool.items() } else { frame.items })
        } else if frame.children == 0 {
            // Cut at markup, so on character boundaries.
            Value::Text(pool.string(text.get(frame.text.0..frame.text.1)?))
        } else {
            Value::Object(frame.members)
        };
        match self.frames.last_mut() {
            None => {
                pool.reclaim(Value::Text(frame.name));
                Some(Closed::Root(value))
            }
            Some(parent) if parent.list => {
                pool.reclaim(Value::Text(frame.name));
                parent.items.push(value);
                Some(Closed::Child)
            }
            Some(parent) => {
                parent.members.push((frame.name, value));
                Some(Closed::Child)
            }
        }
    }
}

/// The piece's value when its element is all of it (nothing may follow it).
fn root_alone(value: Value, alone: bool, pool: &mut Recycler) -> Option<Value> {
    if alone {
        Some(value)
    } else {
        pool.reclaim(value);
        None
    }
}

/// What closing an element gave.
enum Closed {
    /// The piece's own element ended: its value.
    Root(Value),
    /// A child ended and went to its parent.
    Child,
}

/// XML white space only.
fn is_blank(text: &[u8]) -> bool {
    text.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The length of the prefix (with its colon) of a name the fast reader takes: ASCII
/// letters, digits, `_`, `-`, `.` and `:`, starting with a letter or `_`; `None` for any
/// other name, and for a start tag with attributes (they go to the general reader).
fn plain_name_prefix(name: &[u8]) -> Option<usize> {
    if !matches!(name.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'_') {
        return None;
    }
    let mut prefix = 0;
    for (i, b) in name.iter().enumerate() {
        match b {
            b':' => prefix = i + 1,
            b'_' | b'-' | b'.' => {}
            b if b.is_ascii_alphanumeric() => {}
            _ => return None,
        }
    }
    Some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Value> {
        PlainReader::default().read(text, &["details".to_owned()], &mut Recycler::default())
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn plain_markup_is_read_in_one_pass() {
        let value =
            read("<record>\n <id>7</id><p:name>тест</p:name><e/><details><d><n>1</n></d><d/></details></record>");
        let expected = Value::Object(vec![
            ("id".into(), Value::Text("7".into())),
            ("name".into(), Value::Text("тест".into())),
            ("e".into(), Value::Text(String::new())),
            (
                "details".into(),
                Value::Array(vec![
                    Value::Object(vec![("n".into(), Value::Text("1".into()))]),
                    Value::Text(String::new()),
                ]),
            ),
        ]);
        assert_eq!(value, Some(expected));
        assert_eq!(read("<details/>"), Some(Value::Array(Vec::new())));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn anything_else_goes_to_the_general_reader() {
        for piece in [
            "<record a=\"1\"><id>7</id></record>",
            "<record><id>&amp;</id></record>",
            "<record><id>7\r\n</id></record>",
            "<record><!-- c --><id>7</id></record>",
            "<record><id><![CDATA[7]]></id></record>",
            "<record><id>7</idx></record>",
            "<record>x<id>7</id></record>",
            "<record><id>7</id>x</record>",
            "<record><id>7</id></record><more/>",
            "<record><id>7</id>",
            "<1record/>",
        ] {
            assert_eq!(read(piece), None, "{piece}");
        }
    }
}
