"""The stored correction, defined once (digit/corrections.py): the object the function writes, byte for byte as
the tools that read corrections expect it, and what training accepts of such objects and refuses."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from digit.corrections import FOLDER, Correction, from_record, object_name

PIXELS = [0] * 400 + [255, 128] + [0] * 382
SEVEN = Correction(pixels=PIXELS, label=7, read_as=1, model="cnn3-a5d9596a84c3")
# An hour east of UTC: the record and the object's folder say the time in UTC.
AT = datetime(2026, 12, 1, 0, 30, 12, tzinfo=timezone(timedelta(hours=1)))


def test_the_stored_object_holds_the_correction_and_the_time_in_utc_in_this_layout():
    pixels = ", ".join(map(str, PIXELS))
    assert (
        SEVEN.record(AT)
        == (
            f'{{"label": 7, "pixels": [{pixels}], "read_as": 1, "model": "cnn3-a5d9596a84c3", '
            f'"time": "2026-11-30T23:30:12Z"}}'
        ).encode()
    )


def test_each_correction_has_an_object_of_its_own_in_the_folder_of_its_day_in_utc():
    first, second = object_name(AT), object_name(AT)
    assert first.startswith(f"{FOLDER}2026-11-30/") and first.endswith(".json")
    assert first != second


def test_a_stored_object_reads_back_as_the_correction_stored():
    assert from_record(SEVEN.record(AT)) == SEVEN
    unread = Correction(pixels=PIXELS, label=3, read_as=None, model=None)
    assert from_record(unread.record(AT)) == unread


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"{label: 7", "not JSON"),
        (b"[7]", "not a JSON object"),
        (b'{"pixels": []}', "no label 0..9"),
        (json.dumps({"label": 10, "pixels": PIXELS}).encode(), "no label 0..9"),
        (b'{"label": 7, "pixels": [255, 0]}', "no list of 784 pixels"),
        (json.dumps({"label": 7, "pixels": [0.5] * 784}).encode(), "pixels that are not whole numbers 0..255"),
        (json.dumps({"label": 7, "pixels": [256] * 784}).encode(), "pixels that are not whole numbers 0..255"),
    ],
)
def test_an_object_that_is_not_a_correction_is_refused_with_the_reason(content, reason):
    with pytest.raises(ValueError) as refused:
        from_record(content)
    assert str(refused.value) == reason


def test_a_reading_or_a_version_that_is_not_well_formed_is_left_out():
    record = {"label": 7, "pixels": PIXELS, "read_as": "one", "model": 5}
    assert from_record(json.dumps(record).encode()) == Correction(PIXELS, 7, None, None)
