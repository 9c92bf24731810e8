//! Errors of the API itself: input that cannot be read as a packet at all.
//!
//! Everything wrong *inside* a readable packet is a finding in the report instead;
//! these errors mean no report can be produced.

use thiserror::Error;

use crate::value::Value;

/// Why a packet could not be validated at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The input is not valid UTF-8.
    #[error("input is not valid UTF-8: invalid byte at offset {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The input is larger than the configured limit.
    #[error("input is {size} bytes, more than the limit of {limit} bytes (option max_input_bytes)")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A record (or another member of the packet) is longer than
    /// [`crate::Options::max_record_bytes`]: reading it would hold it whole.
    #[error(
        "a value of the packet starting at {at} is longer than the limit of {limit} bytes (option max_record_bytes)"
    )]
    PieceTooLarge {
        /// Where the value starts (`line 3, column 7` or `byte offset 1200`).
        at: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A streamed input goes on past [`crate::Options::max_stream_bytes`]; what came before
    /// the limit was read (an error there is given instead), the rest was not.
    #[error("the input goes on past the limit of {limit} bytes (option max_input_bytes)")]
    StreamTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The packet has more records than [`crate::Options::max_records`].
    #[error("the input has more than {limit} records, the limit (option max_records); record {at} was not read")]
    TooManyRecords {
        /// Where the first record past the limit starts (`line 3, column 7` or `byte offset 1200`).
        at: String,
        /// The limit.
        limit: u64,
    },
    /// The records that came before the packet's header are, together, longer than
    /// [`crate::Options::max_record_bytes`]: they are held until the header says how to
    /// read them.
    #[error(
        "the records before the packet's header, up to the one at {at}, are longer together than the limit of {limit} bytes (option max_record_bytes): they are held until the header comes; send the header first"
    )]
    RecordsBeforeHeader {
        /// Where the record that passed the limit starts.
        at: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The input is empty or whitespace only.
    #[error("input is empty")]
    Empty,
    /// The input is neither JSON nor XML.
    #[error("input is neither JSON nor XML (it starts with {found:?})")]
    UnknownFormat {
        /// The first character of the input.
        found: char,
    },
    /// The JSON text is malformed (or nested deeper than 128 levels).
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What the JSON parser reported.
        message: String,
    },
    /// The XML text is malformed or uses a construct the packet format does not allow.
    #[error("malformed XML at byte offset {offset}: {message}")]
    Xml {
        /// Byte offset of the error.
        offset: u64,
        /// What went wrong.
        message: String,
    },
    /// The XML text has a DOCTYPE declaration, refused so that no entity can be expanded.
    #[error("XML DOCTYPE declarations are refused (byte offset {offset})")]
    XmlDoctype {
        /// Byte offset of the declaration.
        offset: u64,
    },
    /// The top level of the input is not a packet object or a list of records.
    #[error("the top level is a JSON {found}, not a packet object or a list of records")]
    NotAPacket {
        /// JSON type found at the top level.
        found: &'static str,
    },
    /// The caller or the packet header names an entity tekser does not know.
    #[error("unknown entity {name:?}; expected one of: {expected}")]
    UnknownEntity {
        /// The name given.
        name: String,
        /// The known entity names, comma-separated.
        expected: String,
    },
    /// A bare list of records was given and the caller did not name its entity.
    #[error("the entity is not named: a bare list of records needs the caller to name its entity (a packet names it in header.entity)")]
    EntityNotNamed,
    /// The caller named a rule set tekser does not have.
    #[error("unknown rule set {name:?}; expected one of: {expected}")]
    UnknownRuleSet {
        /// The name given.
        name: String,
        /// The known rule set names, comma-separated.
        expected: String,
    },
    /// The caller named a digest algorithm tekser does not have.
    #[error("unknown digest algorithm {0:?}; expected sha256, streebog256, streebog512 or gost34311")]
    UnknownAlgorithm(String),
    /// A per-record digest list (the input of a comparison) is malformed.
    #[error("not a per-record digest list: {0}")]
    InvalidDigestList(String),
    /// A reply message is malformed.
    #[error("not a reply message: {0}")]
    InvalidReply(String),
    /// A dictionary file is malformed or does not fit the rule set.
    #[error("dictionary file refused: {0}")]
    InvalidDictionaryFile(String),
    /// The embedded rule catalog could not be loaded (a build defect, never input-dependent).
    #[error("the embedded rule catalog is defective: {0}")]
    Catalog(String),
    /// Reading a streamed input failed (the reader's own error, e.g. a file that vanished).
    #[error("cannot read the input: {0}")]
    Read(String),
    /// A verification time the caller gave cannot be read.
    #[error("{0}")]
    InvalidTime(String),
    /// A certificate or CRL the caller gave (a trust anchor, a CRL file) cannot be read.
    #[error("{0}")]
    InvalidCertificate(String),
    /// An option's value is not one of those allowed.
    #[error("{0}")]
    InvalidOption(String),
}

impl Error {
    /// The error's fields (`offset`, `line`, `name`, …) as values, for hosts that put them
    /// on their exception or error objects; numbers are [`Value::Number`].
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        let n = |v: u64| Value::Number(v.to_string());
        let t = |s: &str| Value::Text(s.to_owned());
        match self {
            Error::InvalidUtf8 { offset } => vec![("offset", n(*offset as u64))],
            Error::TooLarge { size, limit } => vec![
                ("size", n(*size as u64)),
                ("limit", n(*limit as u64)),
                ("option", t("max_input_bytes")),
            ],
            Error::StreamTooLarge { limit } => vec![("limit", n(*limit)), ("option", t("max_input_bytes"))],
            Error::TooManyRecords { at, limit } => {
                vec![("at", t(at)), ("limit", n(*limit)), ("option", t("max_records"))]
            }
            Error::RecordsBeforeHeader { at, limit } => vec![
                ("at", t(at)),
                ("limit", n(*limit as u64)),
                ("option", t("max_record_bytes")),
            ],
            Error::PieceTooLarge { at, limit } => vec![
                ("at", t(at)),
                ("limit", n(*limit as u64)),
                ("option", t("max_record_bytes")),
            ],
            Error::Empty | Error::EntityNotNamed => Vec::new(),
            Error::UnknownFormat { found } => vec![("found", t(&found.to_string()))],
            Error::Json { line, column, message } => vec![
                ("line", n(*line as u64)),
                ("column", n(*column as u64)),
                ("detail", t(message)),
            ],
            Error::Xml { offset, message } => vec![("offset", n(*offset)), ("detail", t(message))],
            Error::XmlDoctype { offset } => vec![("offset", n(*offset))],
            Error::NotAPacket { found } => vec![("found", t(found))],
            Error::UnknownEntity { name, expected } | Error::UnknownRuleSet { name, expected } => {
                vec![("name", t(name)), ("expected", t(expected))]
            }
            Error::UnknownAlgorithm(name) => vec![("name", t(name))],
            Error::InvalidDigestList(detail)
            | Error::InvalidReply(detail)
            | Error::InvalidDictionaryFile(detail)
            | Error::Catalog(detail)
            | Error::Read(detail)
            | Error::InvalidTime(detail)
            | Error::InvalidCertificate(detail)
            | Error::InvalidOption(detail) => vec![("detail", t(detail))],
        }
    }

    /// A stable machine-readable name of the error kind, for hosts that map errors to codes.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidUtf8 { .. } => "invalid_utf8",
            Error::TooLarge { .. }
            | Error::PieceTooLarge { .. }
            | Error::StreamTooLarge { .. }
            | Error::TooManyRecords { .. }
            | Error::RecordsBeforeHeader { .. } => "too_large",
            Error::Empty => "empty",
            Error::UnknownFormat { .. } => "unknown_format",
            Error::Json { .. } => "json",
            Error::Xml { .. } => "xml",
            Error::XmlDoctype { .. } => "xml_doctype",
            Error::NotAPacket { .. } => "not_a_packet",
            Error::UnknownEntity { .. } => "unknown_entity",
            Error::EntityNotNamed => "entity_not_named",
            Error::UnknownRuleSet { .. } => "unknown_rule_set",
            Error::UnknownAlgorithm(_) => "unknown_algorithm",
            Error::InvalidDigestList(_) => "digest_list",
            Error::InvalidReply(_) => "reply",
            Error::InvalidDictionaryFile(_) => "dictionary_file",
            Error::Catalog(_) => "catalog",
            Error::Read(_) => "read",
            Error::InvalidTime(_) => "time",
            Error::InvalidCertificate(_) => "certificate",
            Error::InvalidOption(_) => "option",
        }
    }
}
