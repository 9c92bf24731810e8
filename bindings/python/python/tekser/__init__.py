"""tekser: validate Kazakhstan public-procurement data packets (ЕОЗ 2019 regulation).

The engine is the same Rust core every tekser host runs, so a report here is byte for
byte the report a receiver's system, a browser or a Node backend produces::

    import tekser
    report = tekser.validate(open("packet.json", "rb").read(), lang="en")
    if not report.accepted:
        for f in report.findings:
            print(f.record_index, f.field, f.message)

Findings are data, never exceptions; an input that cannot be read as a packet at all
raises a subclass of :class:`TekserError` named after the core's error kind.
"""

from ._tekser import (
    CatalogError,
    ReadError,
    DatasetReport,
    EmptyInputError,
    EntityNotNamedError,
    Finding,
    InvalidDictionaryFileError,
    InvalidDigestListError,
    InvalidReplyError,
    InvalidUtf8Error,
    JsonSyntaxError,
    NotAPacketError,
    Report,
    TekserError,
    TooLargeError,
    UnknownAlgorithmError,
    UnknownEntityError,
    UnknownFormatError,
    UnknownRuleSetError,
    XmlDoctypeError,
    XmlSyntaxError,
    __version__,
    canonical_form,
    compare_digests,
    compare_packets,
    digest,
    digest_list,
    reply,
    rule_sets,
    validate,
    validate_dataset,
    validate_many,
    validate_records,
)

__all__ = [
    "CatalogError",
    "ReadError",
    "DatasetReport",
    "EmptyInputError",
    "EntityNotNamedError",
    "Finding",
    "InvalidDictionaryFileError",
    "InvalidDigestListError",
    "InvalidReplyError",
    "InvalidUtf8Error",
    "JsonSyntaxError",
    "NotAPacketError",
    "Report",
    "TekserError",
    "TooLargeError",
    "UnknownAlgorithmError",
    "UnknownEntityError",
    "UnknownFormatError",
    "UnknownRuleSetError",
    "XmlDoctypeError",
    "XmlSyntaxError",
    "__version__",
    "canonical_form",
    "compare_digests",
    "compare_packets",
    "digest",
    "digest_list",
    "reply",
    "rule_sets",
    "validate",
    "validate_dataset",
    "validate_many",
    "validate_records",
]
