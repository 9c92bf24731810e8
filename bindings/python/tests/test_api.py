"""The Python API: inputs, report objects, errors, batch, datasets, the console script."""

import io
import json
import pathlib
import subprocess
import sys
import threading

import pytest
import tekser

from conftest import CORPUS, ROOT

EXAMPLE = ROOT / "examples" / "plan_item.json"
THREE = ROOT / "examples" / "plan_item_three_findings.json"


def test_inputs_bytes_str_path_bytearray_memoryview_agree():
    data = EXAMPLE.read_bytes()
    expected = tekser.validate(data).to_json()
    for form in (data.decode("utf-8"), EXAMPLE, str(EXAMPLE).encode() and bytearray(data), memoryview(data)):
        assert tekser.validate(form).to_json() == expected
    with pytest.raises(TypeError):
        tekser.validate(12345)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        tekser.validate(pathlib.Path("no/such/packet.json"))


def test_a_record_past_max_record_bytes_is_refused():
    packet = (ROOT / "examples" / "plan_item.json").read_bytes()
    assert tekser.validate(packet).accepted
    with pytest.raises(tekser.TooLargeError) as refused:
        tekser.validate(packet, max_record_bytes=200)
    assert refused.value.kind == "too_large"
    assert "max_record_bytes" in str(refused.value)


def test_paths_and_binary_files_are_streamed_with_the_same_report(tmp_path):
    packet = CORPUS / "plan_item" / "max-findings.json"
    expected = tekser.validate(packet.read_bytes(), max_findings=5).to_json()
    with open(packet, "rb") as f:
        assert tekser.validate(f, max_findings=5).to_json() == expected
    assert tekser.validate(packet, max_findings=5).to_json() == expected

    class Trickle(io.RawIOBase):
        """A binary reader that hands out 3 bytes at a time."""

        def __init__(self, data: bytes) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            chunk, self.data = self.data[:3], self.data[3:]
            return chunk

    assert tekser.validate(Trickle(packet.read_bytes()), max_findings=5).to_json() == expected
    with open(packet, encoding="utf-8") as text_mode:
        with pytest.raises(TypeError, match="binary mode"):
            tekser.validate(text_mode)
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"header": {"entity": "lot"}, "records": [')
    with pytest.raises(tekser.JsonSyntaxError):
        tekser.validate(broken)


def test_max_findings_keeps_the_first_and_counts_the_rest():
    packet = (CORPUS / "plan_item" / "max-findings.json").read_bytes()
    full = tekser.validate(packet)
    bounded = tekser.validate(packet, max_findings=5)
    assert len(full.findings) == 12 and full.omitted == {}
    assert len(bounded.findings) == 5 and sum(bounded.omitted.values()) == 7
    assert (bounded.errors, bounded.warnings, bounded.status) == (full.errors, full.warnings, full.status)
    assert json.loads(bounded.to_json())["omitted"] == bounded.omitted


def test_report_and_findings():
    report = tekser.validate(THREE.read_bytes(), lang="en")
    assert not report.accepted and not report and report.status == "rejected"
    assert (report.errors, report.warnings, report.record_count) == (3, 0, 1)
    assert report.entity == "plan_item" and report.rule_set == "eoz-2019"
    assert report.digest.startswith("sha256:") and report.rules_digest.startswith("sha256:")
    assert report.engine == f"tekser {tekser.__version__}" and report.dictionaries == "built-in"
    codes = [f.code for f in report.findings]
    assert codes == ["bin.checksum", "dictionary.unknown_code", "plan.sum_mismatch"]
    first = report.findings[0]
    assert (first.severity, first.record_index, first.field, first.path) == ("error", 0, "customer_bin", "/records/0/customer_bin")
    assert "check digit" in first.message and set(first.messages) == {"ru", "kk", "en"}
    assert report.findings[1].suggestion == "openTender"
    assert json.loads(report.to_json()) == report.to_dict()
    assert report.to_text("x.json").startswith("x.json: rejected")
    assert "Report(status='rejected'" in repr(report) and "bin.checksum" in repr(first)
    assert tekser.validate(EXAMPLE).accepted


def test_languages_and_options():
    ru = tekser.validate(THREE, lang="ru").findings[0].message
    kk = tekser.validate(THREE, lang="kk").findings[0].message
    assert ru != kk
    assert "messages" in tekser.validate(THREE, lang="all").to_dict()["findings"][0]
    assert "messages" in tekser.validate(THREE, lang=None).to_dict()["findings"][0]
    with pytest.raises(ValueError):
        tekser.validate(THREE, lang="de")  # type: ignore[arg-type]
    bare = (CORPUS / "lot" / "bare-list.json").read_bytes()
    assert tekser.validate(bare, entity="lot").accepted
    with pytest.raises(tekser.EntityNotNamedError):
        tekser.validate(bare)
    with pytest.raises(tekser.UnknownEntityError) as raised:
        tekser.validate(bare, entity="lots")  # type: ignore[arg-type]
    assert raised.value.name == "lots" and "plan_item" in raised.value.expected
    with pytest.raises(tekser.UnknownRuleSetError) as raised:
        tekser.validate(EXAMPLE, ruleset="eoz-2030")
    assert raised.value.kind == "unknown_rule_set"
    agreed = CORPUS / "contract" / "currency-agreed.json"
    assert not tekser.validate(agreed).accepted
    with_file = tekser.validate(agreed, dictionaries=CORPUS / "dictionaries" / "agreement.json")
    assert with_file.accepted and with_file.dictionaries.startswith("2026-11")
    with pytest.raises(tekser.InvalidDictionaryFileError):
        tekser.validate(agreed, dictionaries=b'{"rule_set": "eoz-2030", "version": "x", "dictionaries": {}}')


@pytest.mark.parametrize(
    ("data", "cls", "fields"),
    [
        (b"", tekser.EmptyInputError, {}),
        (b"\xff{}", tekser.InvalidUtf8Error, {"offset": 0}),
        (b'{"a": \n', tekser.JsonSyntaxError, {"line": 2}),
        (b"<packet><header></packet>", tekser.XmlSyntaxError, {}),
        (b'<!DOCTYPE p [<!ENTITY e "x">]><p/>', tekser.XmlDoctypeError, {"offset": 0}),
        (b'"plan_item"', tekser.NotAPacketError, {"found": "string"}),
        (b"hello", tekser.UnknownFormatError, {"found": "h"}),
    ],
)
def test_each_error_kind_is_its_own_exception(data, cls, fields):
    with pytest.raises(cls) as raised:
        tekser.validate(data)
    error = raised.value
    assert isinstance(error, tekser.TekserError) and isinstance(error, Exception)
    assert isinstance(error.kind, str) and str(error)
    for name, value in fields.items():
        assert getattr(error, name) == value


def test_findings_are_never_exceptions():
    report = tekser.validate(b'{"header": {"entity": "lot"}, "records": [1, "x", null]}')
    assert report.status == "rejected" and report.errors >= 3


def test_validate_many_in_order_with_threads_and_errors():
    packets = [p for p in sorted(CORPUS.glob("*/valid.json"))] * 5
    expected = [tekser.validate(p).to_json() for p in packets]
    for workers in (1, 2, 4):
        reports = tekser.validate_many(packets, workers=workers)
        assert [r.to_json() for r in reports] == expected
    mixed = [EXAMPLE, b"{", THREE]
    with pytest.raises(tekser.JsonSyntaxError) as raised:
        tekser.validate_many(mixed)
    assert raised.value.index == 1
    results = tekser.validate_many(mixed, return_exceptions=True)
    assert results[0].accepted and isinstance(results[1], tekser.JsonSyntaxError) and not results[2].accepted
    assert tekser.validate_many([]) == []


def test_validate_many_releases_the_gil():
    # While the core validates on worker threads, a Python thread keeps running.
    big = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    record = big["records"][0]
    big["records"] = [dict(record, id=record["id"][:24] + f"{n:012x}") for n in range(3000)]
    data = json.dumps(big).encode()
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        reports = tekser.validate_many([data] * 8, workers=2)
    finally:
        stop.set()
        thread.join()
    assert all(r.accepted for r in reports) and reports[0].record_count == 3000
    assert len(ticks) > 5


def test_validate_records_of_one_entity():
    records = json.loads(EXAMPLE.read_text(encoding="utf-8"))["records"]
    report = tekser.validate_records(iter(records * 2), entity="plan_item")
    assert report.record_count == 2 and [f.code for f in report.findings] == ["record.duplicate_key"]
    as_text = tekser.validate_records([json.dumps(records[0])], entity="plan_item")
    assert as_text.accepted and as_text.to_json() == tekser.validate(json.dumps(records), entity="plan_item").to_json()
    with pytest.raises(ValueError):
        tekser.validate_records([{"price": float("nan")}], entity="plan_item")


def test_digests_replies_datasets_rule_sets():
    xml = ROOT / "examples" / "plan_item.xml"
    for alg in ("sha256", "streebog256", "streebog512", "gost34311"):
        assert tekser.digest(EXAMPLE, alg=alg) == tekser.digest(xml, alg=alg)
    with pytest.raises(tekser.UnknownAlgorithmError):
        tekser.digest(EXAMPLE, alg="md5")  # type: ignore[arg-type]
    assert tekser.canonical_form(EXAMPLE) == tekser.canonical_form(xml)
    listed = tekser.digest_list(EXAMPLE)
    assert tekser.compare_digests(listed, json.dumps(listed))["same"] is True
    with pytest.raises(tekser.InvalidDigestListError):
        tekser.compare_digests("{}", listed)
    message = json.loads(tekser.reply(THREE, replied_at="01.03.2024 10:00"))
    assert message["status"] == "error" and message["replied_at"] == "2024-03-01T10:00:00+05:00"
    assert tekser.reply(EXAMPLE, format="xml").startswith("<?xml")
    dataset_dir = CORPUS / "dataset" / "lot-missing-announcement"
    report = tekser.validate_dataset({p.name: p for p in sorted(dataset_dir.glob("*.json"))}, lang="en")
    assert not report.accepted and report.to_dict()["findings"][0]["code"] == "dataset.reference_missing"
    assert [label for label, _ in report.reports] == sorted(p.name for p in dataset_dir.glob("*.json"))
    assert "dataset of 4 packets" in report.to_text()
    with pytest.raises(tekser.JsonSyntaxError) as raised:
        tekser.validate_dataset([("bad.json", b"{")])
    assert raised.value.packet == "bad.json"
    sets = tekser.rule_sets()
    assert sets[0]["name"] == "eoz-2019" and sets[0]["applies_from"] == "01.01.2019"


def test_console_script_matches_the_cli_check():
    command = [sys.executable, "-m", "tekser", "check"]
    ok = subprocess.run(command + [str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and ": accepted" in ok.stdout
    bad = subprocess.run(command + ["--format", "json", str(THREE)], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1 and bad.stdout == tekser.validate(THREE).to_json()
    unusable = subprocess.run(command + ["Cargo.toml"], capture_output=True, text=True, cwd=ROOT)
    assert unusable.returncode == 2 and "unusable input" in unusable.stderr
    piped = subprocess.run(command + ["-"], input=EXAMPLE.read_text(encoding="utf-8"), capture_output=True, text=True, cwd=ROOT)
    assert piped.returncode == 0 and piped.stdout.startswith("<stdin>: accepted")
    dataset = sorted(str(p) for p in (CORPUS / "dataset" / "full-load").glob("*.json"))
    assert subprocess.run(command + ["--dataset"] + dataset, capture_output=True, cwd=ROOT).returncode == 0


def test_text_output_is_the_rust_commands(tmp_path):
    report = tekser.validate(THREE, lang="en")
    text = report.to_text("examples/plan_item_three_findings.json")
    assert "wrong BIN/IIN check digit" in text and text.count("\n") == 2 + 2 * 3
