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

import functools as _functools

from . import _tekser
from ._tekser import (
    CatalogError,
    InternalError,
    ReadError,
    DatasetReport,
    EmptyInputError,
    EntityNotNamedError,
    Finding,
    InvalidDictionaryFileError,
    InvalidCertificateError,
    InvalidDigestListError,
    InvalidOptionError,
    InvalidReplyError,
    InvalidTimeError,
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
    validate_arrow,
    ArrowReport,
    verify,
    verify_json,
)
from .loads import PacketRecords, packet_files, read_packets

__all__ = [
    "CatalogError",
    "InternalError",
    "ReadError",
    "DatasetReport",
    "EmptyInputError",
    "EntityNotNamedError",
    "Finding",
    "InvalidDictionaryFileError",
    "InvalidCertificateError",
    "InvalidDigestListError",
    "InvalidOptionError",
    "InvalidReplyError",
    "InvalidTimeError",
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
    "validate_arrow",
    "ArrowReport",
    "verify",
    "verify_json",
    "PacketRecords",
    "packet_files",
    "read_packets",
]


def _guarded(function):
    """``function`` with a panic of the Rust core (pyo3's ``PanicException``, which derives
    from ``BaseException`` and would pass ``except Exception``) raised as
    :class:`InternalError`, a :class:`TekserError`."""

    @_functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except BaseException as raised:
            if type(raised).__name__ != "PanicException":
                raise
            error = InternalError(f"tekser internal error (a bug, please report it): {raised}")
            error.kind = "internal"
            raise error from raised

    return call


canonical_form = _guarded(canonical_form)
compare_digests = _guarded(compare_digests)
compare_packets = _guarded(compare_packets)
digest = _guarded(digest)
digest_list = _guarded(digest_list)
reply = _guarded(reply)
rule_sets = _guarded(rule_sets)
validate = _guarded(validate)
validate_dataset = _guarded(validate_dataset)
validate_many = _guarded(validate_many)
validate_records = _guarded(validate_records)
verify = _guarded(verify)
validate_arrow = _guarded(validate_arrow)
verify_json = _guarded(verify_json)
_panic_for_tests = _guarded(_tekser._panic_for_tests)
