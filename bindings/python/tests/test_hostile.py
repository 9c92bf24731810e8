"""The hostile corpus (tests/hostile) on the Python host: each case's report or error.

Inputs are streamed through a file object that generates them chunk by chunk (a large
case is never held whole); inputs up to 1 MiB are also given whole as bytes. A failure
names the host and the case. Also: a panic inside the native module is an InternalError
and the module goes on working.
"""

import json

import pytest
import tekser

from conftest import ROOT

HOST = "python"
HOSTILE = ROOT / "tests" / "hostile"
CASES = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))["cases"]


class Generated:
    """A binary file object whose bytes are a case's parts, made as they are read."""

    def __init__(self, case):
        if "file" in case:
            self._parts = [((HOSTILE / case["file"]).read_bytes(), 1)]
        else:
            self._parts = [
                (p.encode("utf-8"), 1) if isinstance(p, str) else (p["repeat"].encode("utf-8"), p["times"])
                for p in case["parts"]
            ]
        self._part = 0
        self._done = 0
        self._pending = b""

    def size(self):
        return sum(len(b) * n for b, n in self._parts)

    def read(self, n=-1):
        out = bytearray(self._pending)
        self._pending = b""
        while (n < 0 or len(out) < n) and self._part < len(self._parts):
            unit, times = self._parts[self._part]
            if n >= 0 and unit:
                # Whole repetitions that fit, at least one.
                count = min(times - self._done, max(1, (n - len(out)) // len(unit)))
            else:
                count = times - self._done
            out += unit * count
            self._done += count
            if self._done == times:
                self._part += 1
                self._done = 0
        if n >= 0 and len(out) > n:
            self._pending = bytes(out[n:])
            del out[n:]
        return bytes(out)


def _options(case):
    o = case.get("options", {})
    options = {"lang": o.get("lang", "all"), "entity": o.get("entity")}
    for key in ("max_findings", "max_records", "max_input_bytes", "max_record_bytes"):
        if key in o:
            options[key] = o[key]
    return options


def _outcome(run, case):
    try:
        return run().to_json()
    except tekser.TekserError as e:
        fields = " ".join(f"{k}={getattr(e, k, '(none)')}" for k in case.get("fields", {}))
        return f"error {e.kind}" + (f" {fields}" if fields else "")


def _expected(case):
    if "error" in case:
        fields = " ".join(f"{k}={v}" for k, v in case.get("fields", {}).items())
        return f"error {case['error']}" + (f" {fields}" if fields else "")
    return (HOSTILE / case["report"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_hostile_case(case):
    expected = _expected(case)
    streamed = _outcome(lambda: tekser.validate(Generated(case), **_options(case)), case)
    assert streamed == expected, f"host {HOST}: hostile case {case['name']} (streamed): {streamed[:200]}"
    source = Generated(case)
    if source.size() <= 1 << 20:
        whole = _outcome(lambda: tekser.validate(source.read(), **_options(case)), case)
        assert whole == expected, f"host {HOST}: hostile case {case['name']} (given whole): {whole[:200]}"


def test_a_panic_is_an_internal_error_and_the_module_still_works():
    with pytest.raises(tekser.InternalError) as raised:
        tekser._panic_for_tests()
    assert isinstance(raised.value, tekser.TekserError)
    assert raised.value.kind == "internal"
    assert "internal error" in str(raised.value)
    example = (ROOT / "examples" / "plan_item.json").read_bytes()
    assert tekser.validate(example).accepted, f"host {HOST}: the module works after a panic"


def test_limits_name_themselves():
    example = (ROOT / "examples" / "plan_item.json").read_bytes()
    with pytest.raises(tekser.TooLargeError) as raised:
        tekser.validate(example, max_input_bytes=100)
    assert (raised.value.option, raised.value.limit, raised.value.kind) == ("max_input_bytes", 100, "too_large")
    with pytest.raises(tekser.TooLargeError) as raised:
        tekser.validate(ROOT / "examples" / "plan_item.json", max_input_bytes=100)
    assert (raised.value.option, raised.value.limit) == ("max_input_bytes", 100)
    with pytest.raises(tekser.TooLargeError) as raised:
        tekser.validate(example, max_records=0)
    assert (raised.value.option, raised.value.limit) == ("max_records", 0)
    assert tekser.validate(example, max_records=1, max_input_bytes=len(example)).accepted
