//! The packet reader: one pass over a JSON packet that arrives in chunks of any size.
//!
//! [`JsonSplitter`] scans the bytes once and cuts the document into the pieces the
//! validator needs: each top-level member of a packet object, and each record of the
//! packet's first `records` array (or of a bare list). A piece is handed to the sink as
//! soon as it ends; only the bytes of the piece being read are kept (one buffer, reused),
//! so memory does not grow with the number of records. The structure between pieces
//! (braces, colons, commas), nesting depth and UTF-8 are checked here; each piece's own
//! syntax is checked when it is parsed.

use crate::error::Error;

/// Deepest nesting of arrays and objects accepted (a packet needs four levels).
pub(crate) const MAX_DEPTH: usize = 64;

/// Where a piece starts in the document (line and column from 1, byte offset from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

/// A piece of the document, handed to the sink as soon as it ends.
#[derive(Debug)]
pub(crate) enum Piece<'a> {
    /// A member of the packet object other than a streamed `records` array.
    Member {
        key: &'a str,
        value: &'a [u8],
        at: Position,
    },
    /// The packet's first `records` member is an array: its records follow.
    RecordsStart,
    /// The document is a bare list of records: its records follow.
    ListStart,
    /// One record of the `records` array or of the bare list.
    Record { value: &'a [u8], at: Position },
    /// The document is a single value that is neither an object nor an array.
    Scalar { value: &'a [u8], at: Position },
}

/// Where the splitter is in the document's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first value (white space and a byte-order mark allowed).
    Start,
    /// After `{`: a key or `}`.
    KeyOrEnd,
    /// After `,` in the object: a key.
    Key,
    /// Inside a key string.
    InKey,
    /// After a key: `:`.
    Colon,
    /// After `:`: the member's value.
    MemberValue,
    /// Inside a member's value.
    InMember,
    /// After a member: `,` or `}`.
    AfterMember,
    /// After `[` of the records (or the list): a record or `]`.
    ItemOrEnd,
    /// After `,` in the records: a record.
    Item,
    /// Inside a record.
    InItem,
    /// After a record: `,` or `]`.
    AfterItem,
    /// Inside a top-level scalar.
    InScalar,
    /// After the top-level value: only white space.
    Done,
}

/// Scanning of one value (a member's, a record, or a key string).
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// A number or literal, which ends at the first delimiter.
    scalar: bool,
}

/// Splits a JSON packet pushed in chunks; see the module documentation.
pub(crate) struct JsonSplitter {
    state: State,
    /// Whether the top-level value is a list (records directly under the root).
    list: bool,
    /// Whether the current array is the records array.
    scan: Scan,
    /// Bytes of the piece being read that arrived in earlier chunks.
    buf: Vec<u8>,
    /// Whether the current piece started in an earlier chunk (its bytes are in `buf`).
    carried: bool,
    key: String,
    key_raw: Vec<u8>,
    records_seen: bool,
    line: usize,
    column: usize,
    offset: u64,
    piece_at: Position,
    /// Bytes of an incomplete UTF-8 sequence at the end of the last chunk.
    utf8_tail: Vec<u8>,
    /// The longest piece read (a longer one would be held whole): an error past it.
    max_piece: usize,
}

fn json_error(at: Position, message: &str) -> Error {
    Error::Json {
        line: at.line,
        column: at.column,
        message: message.to_owned(),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl JsonSplitter {
    /// A splitter at the start of a document.
    pub(crate) fn new() -> JsonSplitter {
        JsonSplitter {
            state: State::Start,
            list: false,
            scan: Scan::default(),
            buf: Vec::new(),
            carried: false,
            key: String::new(),
            key_raw: Vec::new(),
            records_seen: false,
            line: 1,
            column: 1,
            offset: 0,
            piece_at: Position { line: 1, column: 1 },
            utf8_tail: Vec::new(),
            max_piece: usize::MAX,
        }
    }

    /// Refuses pieces (records, members, keys) longer than `max` bytes.
    pub(crate) fn limit_pieces(&mut self, max: usize) {
        self.max_piece = max;
    }

    /// The error for a piece longer than the limit.
    fn too_large(&self) -> Error {
        Error::PieceTooLarge {
            at: format!("line {}, column {}", self.piece_at.line, self.piece_at.column),
            limit: self.max_piece,
        }
    }

    fn here(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// Feeds the next chunk; `sink` receives each piece that ends in it.
    pub(crate) fn push<F>(&mut self, chunk: &[u8], sink: &mut F) -> Result<(), Error>
    where
        F: FnMut(Piece<'_>) -> Result<(), Error>,
    {
        let mut chunk = chunk;
        // Complete a UTF-8 sequence cut by the previous chunk.
        if let Some(&lead) = self.utf8_tail.first() {
            let need = match lead {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let take = (need - self.utf8_tail.len()).min(chunk.len());
            self.utf8_tail.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.utf8_tail.len() < need {
                return Ok(());
            }
            let joined = std::mem::take(&mut self.utf8_tail);
            if simdutf8::basic::from_utf8(&joined).is_err() {
                return Err(Error::InvalidUtf8 {
                    offset: usize::try_from(self.offset).unwrap_or(usize::MAX),
                });
            }
            self.scan_bytes(&joined, sink)?;
        }
        match simdutf8::compat::from_utf8(chunk) {
            Ok(_) => self.scan_bytes(chunk, sink),
            Err(e) => {
                let (valid, rest) = chunk.split_at(e.valid_up_to());
                self.scan_bytes(valid, sink)?;
                if e.error_len().is_some() {
                    return Err(Error::InvalidUtf8 {
                        offset: usize::try_from(self.offset).unwrap_or(usize::MAX),
                    });
                }
                // A sequence cut by the end of the chunk: completed by the next one.
                self.utf8_tail.extend_from_slice(rest);
                Ok(())
            }
        }
    }

    /// Ends the document: a cut UTF-8 sequence, an open structure or no value is an error.
    pub(crate) fn finish<F>(&mut self, sink: &mut F) -> Result<(), Error>
    where
        F: FnMut(Piece<'_>) -> Result<(), Error>,
    {
        if !self.utf8_tail.is_empty() {
            return Err(Error::InvalidUtf8 {
                offset: usize::try_from(self.offset).unwrap_or(usize::MAX),
            });
        }
        match self.state {
            State::Done => Ok(()),
            State::Start => Err(Error::Empty),
            State::InScalar => {
                let at = self.piece_at;
                let value = std::mem::take(&mut self.buf);
                self.state = State::Done;
                sink(Piece::Scalar { value: &value, at })
            }
            State::KeyOrEnd | State::Key | State::InKey | State::Colon | State::MemberValue | State::AfterMember => {
                Err(json_error(self.here(), "EOF while parsing an object"))
            }
            State::InMember if self.scan.scalar && self.scan.depth == 0 => {
                Err(json_error(self.here(), "EOF while parsing an object"))
            }
            _ => Err(json_error(self.here(), "EOF while parsing a list")),
        }
    }

    /// Advances line and column over `bytes` (already scanned).
    fn advance(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as u64;
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count();
                self.column = bytes.len() - last;
            }
            None => self.column += bytes.len(),
        }
    }

    /// Starts a piece at `bytes[i]`.
    fn begin_piece(&mut self, first: u8) {
        self.piece_at = self.here();
        self.buf.clear();
        self.carried = false;
        self.scan = Scan {
            depth: usize::from(matches!(first, b'{' | b'[')),
            in_string: first == b'"',
            escaped: false,
            scalar: !matches!(first, b'{' | b'[' | b'"'),
        };
    }

    /// The nesting of the root and, in a record, of the records array around a piece.
    fn base_depth(&self) -> usize {
        match self.state {
            State::InItem if self.list => 1,
            State::InItem => 2,
            State::InMember => 1,
            _ => 0,
        }
    }

    /// Scans a piece's bytes from `bytes[i]`; returns where it ends (exclusive) in
    /// `bytes`, or `None` when it goes on past them.
    /// `Err(i)`: nesting goes deeper than [`MAX_DEPTH`] at `bytes[i]`.
    fn scan_value(&mut self, bytes: &[u8], mut i: usize) -> Result<Option<usize>, usize> {
        let base = self.base_depth();
        while i < bytes.len() {
            let b = bytes[i];
            if self.scan.in_string {
                if self.scan.escaped {
                    self.scan.escaped = false;
                } else if b == b'\\' {
                    self.scan.escaped = true;
                } else if b == b'"' {
                    self.scan.in_string = false;
                    if self.scan.depth == 0 {
                        return Ok(Some(i + 1));
                    }
                } else {
                    // Jump to the next quote or backslash.
                    if let Some(j) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                        i += j;
                        continue;
                    }
                    return Ok(None);
                }
                i += 1;
                continue;
            }
            if self.scan.scalar {
                if is_space(b) || matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"' | b':') {
                    return Ok(Some(i));
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => self.scan.in_string = true,
                b'{' | b'[' => {
                    self.scan.depth += 1;
                    if base + self.scan.depth > MAX_DEPTH {
                        return Err(i);
                    }
                }
                b'}' | b']' => {
                    self.scan.depth -= 1;
                    if self.scan.depth == 0 {
                        return Ok(Some(i + 1));
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Ok(None)
    }

    fn scan_bytes<F>(&mut self, bytes: &[u8], sink: &mut F) -> Result<(), Error>
    where
        F: FnMut(Piece<'_>) -> Result<(), Error>,
    {
        let mut i = 0;
        // Start of the current piece in `bytes` (when it started in this chunk).
        let mut piece_start: Option<usize> = None;
        if matches!(
            self.state,
            State::InKey | State::InMember | State::InItem | State::InScalar
        ) {
            piece_start = Some(0);
        }
        let mut advanced = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.state {
                State::InKey | State::InMember | State::InItem | State::InScalar => {
                    let start = piece_start.unwrap_or(0);
                    // The piece may not grow past the limit: it is scanned no further than
                    // one byte past it, so that whatever comes first in the document (a
                    // nesting error or the limit) is the error, however it is chunked.
                    let before = if start == 0 && self.carried {
                        if self.state == State::InKey {
                            self.key_raw.len()
                        } else {
                            self.buf.len()
                        }
                    } else {
                        0
                    };
                    let window = start
                        .saturating_add(self.max_piece.saturating_sub(before))
                        .saturating_add(1)
                        .min(bytes.len());
                    let scanned = self.scan_value(&bytes[..window], i);
                    if let Ok(Some(end)) = scanned {
                        if before + (end - start) > self.max_piece {
                            return Err(self.too_large());
                        }
                    }
                    // Unfinished after the window: too large once what is held of it and
                    // the window pass the limit (the chunk may end right at the window).
                    if matches!(scanned, Ok(None)) && before + (window - start) > self.max_piece {
                        return Err(self.too_large());
                    }
                    match scanned {
                        Err(deep) => {
                            self.advance(&bytes[advanced..deep]);
                            return Err(json_error(
                                self.here(),
                                &format!("arrays and objects nested deeper than {MAX_DEPTH} levels"),
                            ));
                        }
                        Ok(None) => break,
                        Ok(Some(end)) => {
                            self.advance(&bytes[advanced..end]);
                            advanced = end;
                            self.end_piece(&bytes[start..end], sink)?;
                            piece_start = None;
                            i = end;
                        }
                    }
                    continue;
                }
                _ => {}
            }
            if is_space(b) {
                i += 1;
                continue;
            }
            // A structural byte: account for everything before it.
            self.advance(&bytes[advanced..i]);
            advanced = i;
            let at = self.here();
            match (self.state, b) {
                (State::Start, 0xEF) if self.offset == 0 && bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                    // A byte-order mark at the very start.
                    self.advance(&bytes[i..i + 3]);
                    advanced = i + 3;
                    i += 3;
                    continue;
                }
                (State::Start, b'{') => self.state = State::KeyOrEnd,
                (State::Start, b'[') => {
                    self.list = true;
                    self.state = State::ItemOrEnd;
                    sink(Piece::ListStart)?;
                }
                (State::Start, _) => {
                    self.begin_piece(b);
                    self.state = State::InScalar;
                    piece_start = Some(i);
                    i += usize::from(!self.scan.scalar);
                    continue;
                }
                (State::KeyOrEnd, b'}') | (State::AfterMember, b'}') => self.state = State::Done,
                (State::KeyOrEnd | State::Key, b'"') => {
                    self.begin_piece(b);
                    self.key_raw.clear();
                    self.state = State::InKey;
                    piece_start = Some(i);
                    // The opening quote is part of the key's bytes.
                    self.scan.in_string = true;
                    i += 1;
                    continue;
                }
                (State::KeyOrEnd | State::Key, _) => return Err(json_error(at, "key must be a string")),
                (State::Colon, b':') => self.state = State::MemberValue,
                (State::Colon, _) => return Err(json_error(at, "expected `:`")),
                (State::MemberValue, b'}' | b']' | b',' | b':') => {
                    return Err(json_error(at, "expected value"));
                }
                // Only the first `records` member is streamed, and only when it is an array.
                (State::MemberValue, _) if self.key == "records" && !self.records_seen && b == b'[' => {
                    self.records_seen = true;
                    self.state = State::ItemOrEnd;
                    sink(Piece::RecordsStart)?;
                }
                (State::MemberValue, _) => {
                    if self.key == "records" {
                        self.records_seen = true;
                    }
                    self.begin_piece(b);
                    self.state = State::InMember;
                    piece_start = Some(i);
                    i += usize::from(!self.scan.scalar);
                    continue;
                }
                (State::AfterMember, b',') => self.state = State::Key,
                (State::AfterMember, _) => return Err(json_error(at, "expected `,` or `}`")),
                (State::ItemOrEnd | State::AfterItem, b']') => {
                    self.state = if self.list { State::Done } else { State::AfterMember };
                }
                (State::ItemOrEnd | State::Item, b'}' | b']' | b',' | b':') => {
                    return Err(json_error(at, "expected value"));
                }
                (State::ItemOrEnd | State::Item, _) => {
                    self.begin_piece(b);
                    self.state = State::InItem;
                    piece_start = Some(i);
                    i += usize::from(!self.scan.scalar);
                    continue;
                }
                (State::AfterItem, b',') => self.state = State::Item,
                (State::AfterItem, _) => return Err(json_error(at, "expected `,` or `]`")),
                (State::Done, _) => return Err(json_error(at, "trailing characters")),
                (State::InKey | State::InMember | State::InItem | State::InScalar, _) => {}
            }
            i += 1;
        }
        // A piece that goes on in the next chunk: keep its bytes.
        if matches!(
            self.state,
            State::InKey | State::InMember | State::InItem | State::InScalar
        ) {
            let rest = &bytes[piece_start.unwrap_or(0)..];
            if self.state == State::InKey {
                self.key_raw.extend_from_slice(rest);
            } else {
                self.buf.extend_from_slice(rest);
            }
            self.carried = true;
        }
        self.advance(&bytes[advanced..]);
        Ok(())
    }

    /// A piece ended with `tail` (its bytes in this chunk): hands it to the sink.
    fn end_piece<F>(&mut self, tail: &[u8], sink: &mut F) -> Result<(), Error>
    where
        F: FnMut(Piece<'_>) -> Result<(), Error>,
    {
        let at = self.piece_at;
        match self.state {
            State::InKey => {
                let raw: &[u8] = if self.carried {
                    self.key_raw.extend_from_slice(tail);
                    &self.key_raw
                } else {
                    tail
                };
                let text = std::str::from_utf8(raw).map_err(|_| json_error(at, "invalid key"))?;
                self.key = serde_json::from_str::<String>(text).map_err(|e| relative_error(&e, at))?;
                self.state = State::Colon;
                Ok(())
            }
            State::InMember => {
                self.state = State::AfterMember;
                let key = std::mem::take(&mut self.key);
                let result = if self.carried {
                    self.buf.extend_from_slice(tail);
                    sink(Piece::Member {
                        key: &key,
                        value: &self.buf,
                        at,
                    })
                } else {
                    sink(Piece::Member {
                        key: &key,
                        value: tail,
                        at,
                    })
                };
                self.key = key;
                self.buf.clear();
                result
            }
            State::InItem => {
                self.state = State::AfterItem;
                let result = if self.carried {
                    self.buf.extend_from_slice(tail);
                    sink(Piece::Record { value: &self.buf, at })
                } else {
                    sink(Piece::Record { value: tail, at })
                };
                self.buf.clear();
                result
            }
            State::InScalar => {
                self.state = State::Done;
                let result = if self.carried {
                    self.buf.extend_from_slice(tail);
                    sink(Piece::Scalar { value: &self.buf, at })
                } else {
                    sink(Piece::Scalar { value: tail, at })
                };
                self.buf.clear();
                result
            }
            _ => Ok(()),
        }
    }
}

/// A serde_json error inside a piece, placed in the whole document.
pub(crate) fn relative_error(e: &serde_json::Error, at: Position) -> Error {
    let (line, column) = if e.line() <= 1 {
        (at.line, at.column + e.column().saturating_sub(1))
    } else {
        (at.line + e.line() - 1, e.column())
    };
    let message = e.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    Error::Json { line, column, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` fed in chunks of `size` bytes; returns the pieces as strings.
    fn split(text: &[u8], size: usize) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut splitter = JsonSplitter::new();
        let mut sink = |p: Piece<'_>| {
            out.push(match p {
                Piece::Member { key, value, .. } => format!("M {key}={}", String::from_utf8_lossy(value)),
                Piece::RecordsStart => "R[".to_owned(),
                Piece::ListStart => "L[".to_owned(),
                Piece::Record { value, .. } => format!("r {}", String::from_utf8_lossy(value)),
                Piece::Scalar { value, .. } => format!("S {}", String::from_utf8_lossy(value)),
            });
            Ok(())
        };
        for chunk in text.chunks(size.max(1)) {
            splitter.push(chunk, &mut sink)?;
        }
        splitter.finish(&mut sink)?;
        Ok(out)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn pieces_are_the_same_for_any_chunking() {
        let text = "\u{feff} {\"h\\u0065ader\": {\"a\": [1, \"]\\\"}\"]}, \"records\": [ {\"x\": \"ё\"}, 12.5e3 ,\"s\" , null],\n \"records\": [], \"z\":true}  ".as_bytes();
        let whole = split(text, text.len()).expect("valid");
        assert_eq!(
            whole,
            [
                "M header={\"a\": [1, \"]\\\"}\"]}",
                "R[",
                "r {\"x\": \"ё\"}",
                "r 12.5e3",
                "r \"s\"",
                "r null",
                "M records=[]",
                "M z=true",
            ]
        );
        for size in [1, 2, 3, 7, 4096] {
            assert_eq!(split(text, size).expect("valid"), whole, "chunks of {size}");
        }
        assert_eq!(split(b" [1,{}] ", 1).expect("list"), ["L[", "r 1", "r {}"]);
        assert_eq!(split(b" 42 ", 1).expect("scalar"), ["S 42"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn structure_errors_depth_and_utf8_are_reported_for_any_chunking() {
        for size in [1, 3, 4096] {
            assert!(matches!(split(b"{\"a\" 1}", size), Err(Error::Json { .. })));
            assert!(matches!(split(b"{\"a\": 1 \"b\": 2}", size), Err(Error::Json { .. })));
            assert!(matches!(split(b"[1 2]", size), Err(Error::Json { .. })));
            assert!(matches!(split(b"{\"records\": [1,", size), Err(Error::Json { .. })));
            assert!(matches!(split(b"{} x", size), Err(Error::Json { .. })));
            assert!(matches!(split(b"   ", size), Err(Error::Empty)));
            assert_eq!(
                split(b"[\"\xd0\xbf\xd0\"]", size).err(),
                Some(Error::InvalidUtf8 { offset: 4 })
            );
            assert_eq!(
                split(b"[\"\xd0\xbf\"]\xd0", size).err(),
                Some(Error::InvalidUtf8 { offset: 6 })
            );
            let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
            assert!(matches!(split(deep.as_bytes(), size), Err(Error::Json { .. })));
            let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
            assert!(split(ok.as_bytes(), size).is_ok());
        }
        match split(b"{\n  \"a\": ,\n}", 2) {
            Err(Error::Json { line, column, .. }) => assert_eq!((line, column), (2, 8)),
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }
}
