"""Full loads from files: the packet files of folders, and their records as Arrow batches.

A load is folders of packets (JSON or XML, any size). :func:`packet_files` lists them in a
stable order; :func:`read_packets` streams the records of one entity out of them as Arrow
record batches, for pyarrow, Polars, DuckDB or Spark (``tekser.spark.read_packets``)::

    import tekser
    files = tekser.packet_files("load/")
    lots = tekser.read_packets(files, entity="lot").read_all()      # a pyarrow.Table
    report = tekser.validate_dataset([open(f, "rb").read() for f in files])

Nothing is checked while reading: each field is a text column holding its value as written
(a string as it is, a number's literal, ``true``/``false``, anything nested as JSON), null
when absent or null; members that are not fields of the entity are kept in ``_other`` as a
JSON object. ``packet`` (the label) and ``record`` (the index in the packet, the ``n`` of
``/records/n``) join the rows to the findings of :func:`tekser.validate_dataset` and of
:func:`tekser.spark.check_packets`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, Callable

from . import _tekser

__all__ = ["PacketRecords", "packet_files", "read_packets"]


def packet_files(*places: str | os.PathLike[str], suffixes: Sequence[str] = (".json", ".xml")) -> list[str]:
    """The packet files of a load: each place is a file or a folder searched recursively for
    files ending in one of ``suffixes`` (any case); a folder's files are sorted by path, so
    that the dataset's order (the first occurrence of a key, of a winner) does not depend on
    the file system. Raises :class:`FileNotFoundError` for a place that does not exist."""
    ends = tuple(s.lower() for s in suffixes)
    files: list[str] = []
    for place in places:
        place = os.fspath(place)
        if os.path.isdir(place):
            found = []
            for folder, _, names in os.walk(place):
                found.extend(os.path.join(folder, n) for n in names if n.lower().endswith(ends))
            files.extend(sorted(found))
        elif os.path.exists(place):
            files.append(place)
        else:
            raise FileNotFoundError(place)
    return files


class PacketRecords:
    """The records of one entity in packet files, as Arrow record batches (read lazily, once).

    Iterate for ``pyarrow.RecordBatch`` objects, or call :meth:`read_all` for a Table; the
    object exports the Arrow C stream interface, so ``polars.from_arrow``, ``pyarrow.table``
    and DuckDB take it directly. A packet that cannot be read raises the :class:`TekserError`
    the check would (``packet`` and ``path`` attributes name it) when the iteration reaches
    it; its records read before the error are in the batches already given.
    """

    def __init__(self, batches: Any, schema: Any, progress: Callable[[int, int], None] | None) -> None:
        self._batches = batches
        self._progress = progress
        self._started = False
        #: The Arrow schema: ``packet``, ``record``, the entity's fields in the table's order, ``_other``.
        self.schema = schema

    def __iter__(self) -> Iterator[Any]:
        if self._started:
            raise RuntimeError("the records of these packets have been read already; call read_packets again")
        self._started = True
        for batch in self._batches:
            if self._progress is not None:
                self._progress(*self._batches.progress)
            yield batch

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Packets read so far that gave no records, with the reason: a packet of another entity."""
        return self._batches.skipped

    @property
    def progress(self) -> tuple[int, int]:
        """Records and bytes read so far."""
        return self._batches.progress

    def to_reader(self) -> Any:
        """A ``pyarrow.RecordBatchReader`` over the batches."""
        import pyarrow as pa

        return pa.RecordBatchReader.from_batches(self.schema, iter(self))

    def read_all(self) -> Any:
        """All the records as one ``pyarrow.Table`` (held in memory: for loads that fit)."""
        return self.to_reader().read_all()

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.to_reader().__arrow_c_stream__(requested_schema)


def _bar(total_bytes: int) -> Callable[[int, int], None]:
    """A progress line on stderr: records and megabytes read of the total."""

    def show(records: int, read: int) -> None:
        share = f" ({100 * read / total_bytes:.0f} %)" if total_bytes else ""
        sys.stderr.write(f"\rtekser: {records:,} records, {read / 1e6:,.1f} of {total_bytes / 1e6:,.1f} MB{share}")
        if read >= total_bytes:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def read_packets(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    entity: str,
    *,
    labels: Sequence[str] | None = None,
    ruleset: str | None = None,
    batch_size: int = 65_536,
    max_record_bytes: int | None = None,
    progress: bool | Callable[[int, int], None] | None = None,
) -> PacketRecords:
    """The records of ``entity`` in packet files (JSON or XML, streamed: any size) as Arrow
    record batches of at most ``batch_size`` rows.

    ``paths`` are files or folders (see :func:`packet_files`), read in order; a packet whose
    header names another entity is skipped (:attr:`PacketRecords.skipped`), and a bare list
    of records is read as ``entity``. A packet's label (the ``packet`` column) is its path
    as given unless ``labels`` name them. ``ruleset`` chooses the field list (default: the
    current rule set's). ``progress``: ``True`` writes a progress line to stderr (by default
    when stderr is a terminal and the files hold 32 MB or more), or a callable gets
    ``(records, bytes)`` after each batch.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = packet_files(*paths)
    if labels is None:
        labels = files
    elif any(os.path.isdir(p) for p in paths):
        raise ValueError("labels name files: give files, not folders, with labels")
    labels = [str(label) for label in labels]
    if len(labels) != len(files):
        raise ValueError(f"{len(labels)} labels for {len(files)} packets")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    batches, schema = _tekser._read_packets(
        list(zip(labels, files)), entity, ruleset=ruleset, batch_size=batch_size, max_record_bytes=max_record_bytes
    )
    if progress is None:
        total = sum(os.path.getsize(f) for f in files)
        progress = sys.stderr.isatty() and total >= 32 * 1024 * 1024
    if progress is True:
        progress = _bar(sum(os.path.getsize(f) for f in files))
    return PacketRecords(batches, schema, progress or None)
