"""Type stubs of the native module (re-exported by the ``tekser`` package)."""

import os
from typing import Any, BinaryIO, Iterable, Literal, Mapping, Sequence

PacketData = bytes | bytearray | memoryview | str | os.PathLike[str]
"""A packet: its bytes, its text (``str``), or a path-like object naming its file."""
Entity = Literal["plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act"]
Lang = Literal["ru", "kk", "en", "all"]
Algorithm = Literal["sha256", "streebog256", "streebog512", "gost34311"]

__version__: str

class TekserError(Exception):
    """A packet (or another input) could not be read at all. Findings are never exceptions."""

    kind: str
    """The core's stable error kind (``json``, ``xml_doctype``, ``unknown_entity``, …)."""
    index: int
    """For ``validate_many``: the position of the input that failed."""
    packet: str
    """For ``validate_dataset``: the label of the packet that failed."""

class InvalidUtf8Error(TekserError):
    offset: int

class TooLargeError(TekserError):
    limit: int
    """The limit passed."""
    option: str
    """The option that sets it: ``max_input_bytes``, ``max_record_bytes`` or ``max_records``."""
    size: int
    """For a whole input past ``max_input_bytes``: its size."""
    at: str
    """For a record: where it starts (``line 3, column 7`` or ``byte offset 1200``)."""

class InternalError(TekserError):
    """A bug inside tekser (a panic of the Rust core), caught at the boundary; the module
    goes on working. ``kind`` is ``internal``."""

class EmptyInputError(TekserError): ...

class UnknownFormatError(TekserError):
    found: str

class JsonSyntaxError(TekserError):
    line: int
    column: int
    detail: str

class XmlSyntaxError(TekserError):
    offset: int
    detail: str

class XmlDoctypeError(TekserError):
    offset: int

class NotAPacketError(TekserError):
    found: str

class UnknownEntityError(TekserError):
    name: str
    expected: str

class EntityNotNamedError(TekserError): ...

class UnknownRuleSetError(TekserError):
    name: str
    expected: str

class UnknownAlgorithmError(TekserError):
    name: str

class InvalidDigestListError(TekserError):
    detail: str

class InvalidReplyError(TekserError):
    detail: str

class InvalidDictionaryFileError(TekserError):
    detail: str

class CatalogError(TekserError):
    detail: str

class ReadError(TekserError):
    """Reading a streamed input (a file object or path) failed."""
    detail: str

class InvalidTimeError(TekserError):
    """A verification time (``at``) cannot be read."""
    detail: str

class InvalidCertificateError(TekserError):
    """A trust anchor or CRL given to ``verify`` cannot be read."""
    detail: str

class InvalidOptionError(TekserError):
    """An option's value is not one of those allowed (``anchors``, ``semantics``)."""
    detail: str

class Finding:
    """One problem found in a packet."""

    @property
    def code(self) -> str:
        """Stable finding code (``schemas/rules.json``), e.g. ``bin.checksum``."""
    @property
    def severity(self) -> Literal["error", "warning"]: ...
    @property
    def path(self) -> str:
        """JSON Pointer into the packet (the same for its JSON and XML forms)."""
    @property
    def record_index(self) -> int | None:
        """Index of the record, or None for the header and the packet."""
    @property
    def field(self) -> str | None: ...
    @property
    def message(self) -> str:
        """The message in the report's language (Russian when it has all three)."""
    @property
    def messages(self) -> dict[str, str]:
        """The message in ``ru``, ``kk`` and ``en``."""
    @property
    def suggestion(self) -> str | None:
        """The nearest known spelling of a mistyped code or field name."""

class Report:
    """The result of validating one packet. ``bool(report)`` is ``report.accepted``."""

    @property
    def accepted(self) -> bool: ...
    @property
    def status(self) -> Literal["accepted", "rejected"]: ...
    @property
    def entity(self) -> Entity: ...
    @property
    def rule_set(self) -> str: ...
    @property
    def rules_digest(self) -> str: ...
    @property
    def dictionaries(self) -> str: ...
    @property
    def engine(self) -> str: ...
    @property
    def packet_id(self) -> str | None: ...
    @property
    def digest(self) -> str | None: ...
    @property
    def record_count(self) -> int: ...
    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def omitted(self) -> dict[str, int]:
        """Findings left out past ``max_findings``, counted per code (empty when none were)."""
    def to_json(self) -> str:
        """The canonical report JSON, byte for byte as on every tekser host."""
    def to_dict(self) -> dict[str, Any]:
        """The canonical report as dicts and lists."""
    def to_text(self, name: str = "packet") -> str:
        """The report as readable text (what the ``tekser`` command prints)."""
    def __bool__(self) -> bool: ...

class DatasetReport:
    """The result of validating packets together (cross-entity checks)."""

    @property
    def accepted(self) -> bool: ...
    @property
    def status(self) -> Literal["accepted", "rejected"]: ...
    @property
    def reports(self) -> list[tuple[str, Report]]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_text(self) -> str: ...
    def __bool__(self) -> bool: ...

def validate(
    data: PacketData | BinaryIO,
    *,
    entity: Entity | None = None,
    lang: Lang | None = "ru",
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
    max_findings: int = 1000,
    max_record_bytes: int = 16777216,
    max_records: int = 10000000,
    max_input_bytes: int | None = None,
) -> Report:
    """Validates one packet (JSON or XML, optionally in a SOAP envelope).

    A path-like object or a binary file object is streamed: read in chunks and checked
    record by record (the GIL released), so a full load of any size needs little memory.
    ``lang=None`` or ``"all"`` gives messages in all three languages; ``dictionaries`` is a
    dictionary file (``schemas/dictionary-file.schema.json``) applied at run time. The
    report keeps at most ``max_findings`` findings and counts the rest per code
    (``Report.omitted``); its verdict and totals cover every record. A record (or other
    member of the packet) longer than ``max_record_bytes`` (default 16 MiB) raises
    :class:`TooLargeError`: reading one holds it whole; so do records that come before
    the packet's header and pass that limit together (they wait for the header), more
    than ``max_records`` records, and more than ``max_input_bytes`` bytes (default: 256 MiB
    for bytes and str, no limit for paths and file objects, which are streamed). The
    error's ``option`` and ``limit`` attributes name the limit.
    Raises a :class:`TekserError` subclass when the input is not a readable packet
    (:class:`ReadError` when the file cannot be read).
    """

def validate_many(
    items: Iterable[PacketData],
    *,
    entity: Entity | None = None,
    lang: Lang | None = "ru",
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
    workers: int | None = None,
    return_exceptions: bool = False,
) -> list[Report | TekserError]:
    """Validates many packets on ``workers`` threads with the GIL released, in order."""

def validate_records(
    records: Iterable[Mapping[str, Any] | str | bytes],
    *,
    entity: Entity,
    lang: Lang | None = "ru",
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
) -> Report:
    """Validates records of one entity (dicts or JSON texts) as one bare list."""

def validate_dataset(
    packets: Mapping[str, PacketData] | Iterable[tuple[str, PacketData]],
    *,
    lang: Lang | None = "ru",
    entity: Entity | None = None,
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
) -> DatasetReport:
    """Validates packets together: references between entities, unique ids, sums, winners."""

def digest(data: PacketData, *, alg: Algorithm = "sha256", entity: Entity | None = None) -> str:
    """The integrity digest ``<alg>:<hex>``: the same for a packet's JSON and XML forms."""

def digest_list(data: PacketData, *, alg: Algorithm = "sha256", entity: Entity | None = None) -> dict[str, Any]:
    """The per-record digest list: packet digest, root, one digest per record id."""

def canonical_form(data: PacketData, *, entity: Entity | None = None) -> str:
    """The canonical form the digest hashes (``schemas/CANONICAL.md``)."""

def compare_digests(ours: Mapping[str, Any] | str | bytes, theirs: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Records only in ours, only in theirs, and changed (the audit of Rules p.12)."""

def compare_packets(
    ours: PacketData,
    theirs: PacketData,
    *,
    alg: Algorithm = "sha256",
    entity: Entity | None = None,
) -> dict[str, Any]:
    """Compares two packets (ours, the receiver's copy) record by record.

    Like :func:`compare_digests` on their digest lists, plus ``changed_fields``: for each
    changed record id, the names of the fields whose canonical values differ (present on
    one side only, or different in meaning; ``24.150`` and ``"24.15"`` are the same value).
    """

def reply(
    data: PacketData,
    *,
    format: Literal["json", "xml"] = "json",
    lang: Literal["ru", "kk", "en"] = "ru",
    entity: Entity | None = None,
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
    replied_at: str | None = None,
) -> str:
    """Validates a packet and returns the reply message ("accepted" or "error").

    ``replied_at`` is the receiver's Astana local time of the reply (``dd.mm.yyyy HH:MM``);
    a reply more than an hour after the packet's ``created_at`` carries the warning
    ``reply.transfer_late`` (Rules p.18 (3)).
    """

def rule_sets() -> list[dict[str, str | None]]:
    """The rule sets the engine has, oldest first."""

def _panic_for_tests() -> None:
    """For the binding's tests: a deliberate panic inside the native module."""

Anchors = Literal["test", "prod"] | os.PathLike[str] | Sequence[PacketData]

def verify(
    data: PacketData,
    *,
    anchors: Anchors | None = "prod",
    anchors_name: str | None = None,
    crls: Sequence[PacketData] | None = None,
    at: str | None = None,
    semantics: Literal["sequential", "strict"] = "sequential",
    lang: Lang | None = "ru",
) -> dict[str, Any]:
    """Verifies the XMLDSig signatures of a signed XML packet or document (Rules, App. 2
    scheme 1 step 3): reference digest (C14N 1.0), signature value (RSA-SHA256, GOST
    34.310-2004, GOST 34.10-2015 512), the certificate's chain to ``anchors`` (``"prod"`` or
    ``"test"``: NCA RK's certificates shipped with tekser; a directory of certificates; or a
    list of DER/PEM certificates, shown in reports as ``anchors_name``), validity at ``at``
    (``"dd.mm.yyyy HH:MM"`` Astana time or ``"yyyy-mm-ddTHH:MM[:SS]Z"``; default the packet's
    ``header/created_at``, never the clock), key usage and revocation against ``crls``.
    Returns the signature report (``schemas/report.schema.json``, ``$defs/signature``);
    ``report["status"]`` is ``"accepted"`` or ``"rejected"``."""

def verify_json(
    data: PacketData,
    *,
    anchors: Anchors | None = "prod",
    anchors_name: str | None = None,
    crls: Sequence[PacketData] | None = None,
    at: str | None = None,
    semantics: Literal["sequential", "strict"] = "sequential",
    lang: Lang | None = "ru",
) -> str:
    """:func:`verify`, returning the canonical report JSON (byte for byte as on every host)."""

class ArrowReport:
    """The result of :func:`validate_arrow`."""

    @property
    def findings(self) -> Any:
        """The findings as a ``pyarrow.Table``: ``record`` (row number in the input, from 0),
        ``record_id`` (the ``id_column`` value of that row), ``field``, ``code``, ``severity``,
        ``message``, ``path``, ``related``. Join it back to the data on ``record``."""
    @property
    def status(self) -> Literal["accepted", "rejected"]: ...
    @property
    def accepted(self) -> bool: ...
    @property
    def record_count(self) -> int: ...
    @property
    def errors(self) -> int:
        """Error findings, those past ``max_findings`` included."""
    @property
    def warnings(self) -> int: ...
    @property
    def counts(self) -> dict[str, int]:
        """Findings per code, those past ``max_findings`` included."""
    @property
    def facts(self) -> Any | None:
        """With ``facts=True``: the records' dataset facts (ids, references, sums, customers,
        methods, times) as a ``pyarrow.Table`` with the columns of
        ``tekser.spark.FACTS_SCHEMA`` but ``order`` (``packet`` is null); else None."""
    def to_json(self) -> str:
        """The canonical report of the records as a bare list (paths ``/<record>/<field>``)."""

def validate_arrow(
    data: Any,
    *,
    entity: Entity,
    lang: Literal["ru", "kk", "en"] = "ru",
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
    max_findings: int = 1000,
    columns: Mapping[str, str] | None = None,
    id_column: str = "id",
    facts: bool = False,
) -> ArrowReport:
    """Validates records held as Arrow data, without a JSON round trip: anything that exports
    the Arrow C stream or array interface (``pyarrow.Table``, ``RecordBatch``,
    ``RecordBatchReader``, a Polars ``DataFrame``; pandas through ``pyarrow.Table.from_pandas``),
    read batch by batch. Columns are service names (``columns`` renames them); a null is an
    absent value. Arrow types read: strings (also dictionary-encoded), integers, floats,
    decimals (their scale kept), booleans, date32/date64 (``dd.mm.yyyy``), timestamps
    (``dd.mm.yyyy HH:MM``: a zoned one in Astana time, a naive one as written), lists and
    structs (``details``). The findings are those ``validate_records`` gives for the same
    records. ``facts=True`` also gathers what the dataset checks need (``ArrowReport.facts``,
    for ``tekser.spark.check_facts``)."""

def _packet_facts(
    source: str | os.PathLike[str] | bytes,
    label: str,
    *,
    lang: Literal["ru", "kk", "en"] = "ru",
    entity: Entity | None = None,
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
) -> tuple[dict[str, Any], Any, Any]:
    """For tekser.spark: one packet (a path, streamed, or bytes) validated; its summary, its
    own findings and its facts (two ``pyarrow.Table``)."""

def _cross_findings(
    rows: Any,
    *,
    lang: Literal["ru", "kk", "en"] = "ru",
    ruleset: str | None = None,
    dictionaries: PacketData | None = None,
) -> Any:
    """For tekser.spark: severity and message of cross-entity rows found by joins."""

def _key_field(entity: Entity) -> str:
    """The field a ``dataset.duplicate_key`` finding names for ``entity``."""

def _entity_fields(entity: Entity) -> list[str]:
    """The service names of ``entity``'s fields."""

class _PacketBatches:
    """For tekser.read_packets: an iterator of pyarrow RecordBatches over packet files."""

    def __iter__(self) -> _PacketBatches: ...
    def __next__(self) -> Any: ...
    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Packets that gave no records, with the reason."""
    @property
    def progress(self) -> tuple[int, int]:
        """Records and bytes read so far."""

def _read_packets(
    files: Sequence[tuple[str, str | os.PathLike[str]]],
    entity: Entity,
    *,
    ruleset: str | None = None,
    batch_size: int = 65536,
    max_record_bytes: int | None = None,
) -> tuple[_PacketBatches, Any]:
    """For tekser.read_packets: the batches of ``(label, path)`` files and their pyarrow schema."""
