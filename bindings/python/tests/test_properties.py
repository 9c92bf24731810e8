"""Properties of the Python host on generated packets (Hypothesis); the Rust host checks
the same with proptest (core/tests/properties.rs), the JS hosts with
tests/hostile/properties.mjs.

- A packet given as str, as bytes, as a path and through a file object read in chunks cut
  anywhere (inside multi-byte characters too) gives one report; generated free text
  (Cyrillic, Kazakh letters, emoji, quotes, backslashes, markup characters) keeps a valid
  packet valid.
- The digest and the report are over meaning: members reordered and any white space
  between JSON tokens give the same.
"""

import io
import json

import tekser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS

HOST = "python"
ENTITIES = ["plan_item", "lot", "announcement", "contract", "participant", "result", "unreliable_supplier", "legal_act"]
VALID = {e: json.loads((CORPUS / e / "valid.json").read_text(encoding="utf-8")) for e in ENTITIES}
LETTERS = "АаБбВвЖжЗзИиЁёЯяӘәҒғҚқҢңӨөҰұҮүҺһІі"
OTHERS = "AZaz09 ,.;:«»\"'()\\/<>&№%+=?!_-😀"

free_text = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS),
    st.text(alphabet=LETTERS + OTHERS, max_size=30),
)


def with_texts(packet, texts):
    """The packet with its records' names and descriptions replaced by generated text."""
    packet = json.loads(json.dumps(packet))
    n = 0
    for record in packet["records"]:
        for key in list(record):
            if key.split("_")[0] in ("name", "description") and key.endswith(("_ru", "_kz")) and isinstance(record[key], str):
                record[key] = texts[n % len(texts)]
                n += 1
    return packet


class Chunked(io.RawIOBase):
    """A binary file object that gives its bytes in the generated chunk sizes."""

    def __init__(self, data, sizes):
        self._data, self._sizes, self._at, self._n = data, sizes, 0, 0

    def readable(self):
        return True

    def read(self, size=-1):
        step = self._sizes[self._n % len(self._sizes)]
        self._n += 1
        if size >= 0:
            step = min(step, size)
        out = self._data[self._at:self._at + step]
        self._at += len(out)
        return out


def spaced(value, spaces):
    """JSON text with the generated white space wherever JSON allows it."""
    it = iter(spaces * 1000)

    def s():
        return next(it, "")

    def write(v):
        if isinstance(v, list):
            return "[" + s() + ",".join(s() + write(x) + s() for x in v) + "]"
        if isinstance(v, dict):
            return "{" + s() + ",".join(f"{s()}{json.dumps(k, ensure_ascii=False)}{s()}:{s()}{write(x)}{s()}" for k, x in v.items()) + "}"
        return json.dumps(v, ensure_ascii=False)

    return s() + write(value) + s()


def reordered(value, rnd):
    if isinstance(value, list):
        return [reordered(v, rnd) for v in value]
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: reordered(value[k], rnd) for k in keys}
    return value


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entity=st.sampled_from(ENTITIES),
    texts=st.lists(free_text, min_size=1, max_size=4),
    sizes=st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=8),
)
def test_one_report_whatever_the_input_form(entity, texts, sizes):
    packet = with_texts(VALID[entity], texts)
    text = json.dumps(packet, ensure_ascii=False)
    data = text.encode("utf-8")
    report = tekser.validate(data, lang="all")
    assert report.accepted, f"host {HOST}: {entity} with generated text is {report.status}: {text[:300]}"
    whole = report.to_json()
    assert tekser.validate(text, lang="all").to_json() == whole, f"host {HOST}: {entity} as str"
    chunked = tekser.validate(Chunked(data, sizes), lang="all").to_json()
    assert chunked == whole, f"host {HOST}: {entity} read in chunks of {sizes}"


@settings(max_examples=100, deadline=None)
@given(
    entity=st.sampled_from(ENTITIES),
    rnd=st.randoms(use_true_random=False),
    spaces=st.lists(st.sampled_from(["", " ", "\n", "\t", "\r\n  "]), min_size=1, max_size=40),
)
def test_digest_and_report_over_meaning(entity, rnd, spaces):
    packet = VALID[entity]
    reference = json.dumps(packet, ensure_ascii=False)
    moved = spaced(reordered(packet, rnd), spaces)
    assert tekser.digest(moved) == tekser.digest(reference), f"host {HOST}: {entity} reordered and spaced: {moved[:300]}"
    assert tekser.validate(moved, lang="all").to_json() == tekser.validate(reference, lang="all").to_json()
