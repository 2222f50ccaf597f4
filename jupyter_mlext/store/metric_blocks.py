"""The sealed block of a metric series: BLOCK_POINTS consecutive points packed into one blob, plus its summary.

A row per point costs SQLite tens of bytes and a B-tree insert; a block costs one row per BLOCK_POINTS points
and about 8 bytes a point. Each column is packed the cheapest way that keeps every bit:

- steps: nothing when they are one arithmetic progression (the usual 0, 1, 2, …; first and last step are in the
  row), else int64s, byte-shuffled and zlib-compressed;
- timestamps: one float64 when every point shares it (a batch logged at once), else float64s, byte-shuffled
  (the high bytes of nearby times are equal, so they compress to almost nothing) and zlib-compressed;
- values: raw float64s (random-looking mantissas do not compress, and raw bytes read back fastest), or
  shuffled and compressed when a block has few distinct values (a learning rate, an epoch counter).

Points in a block are sorted by step (ties in the order they were logged), so the first and last step bound
it and a whole series reads back as a concatenation when blocks do not overlap. The summary columns (count,
first/last step, last timestamp and value, NaN-skipping min and max) answer downsampled reads without opening
the blob. Python's `array` and `zlib` do the packing: no NumPy import on the write path of every process.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import NamedTuple

BLOCK_POINTS = 512

# How each of the three columns is packed (the first three bytes of the blob).
_RANGE, _CONSTANT, _PACKED, _RAW = 0, 1, 2, 3
_HEADER = struct.Struct("<BBBxIII")
_DOUBLE = struct.Struct("<d")
_LITTLE = sys.byteorder == "little"
_ZLIB_LEVEL = 1
_FEW_DISTINCT = BLOCK_POINTS // 4


class Block(NamedTuple):
    """One block as it is stored: the summary columns and the packed blob."""

    points: int
    first_step: int
    last_step: int
    last_timestamp: float
    last: float
    min_value: float | None
    max_value: float | None
    data: bytes


def nan_min_max(values: Sequence[float]) -> tuple[float | None, float | None]:
    """min and max skipping NaN (None when every value is NaN); the C builtins on the common all-number case."""
    if not values:
        return None, None
    if not math.isnan(sum(values)):  # one C pass: NaN anywhere (or inf - inf) sends us the careful way
        return min(values), max(values)
    numbers = [v for v in values if v == v]
    return (min(numbers), max(numbers)) if numbers else (None, None)


def _shuffled(data: bytes, width: int = 8) -> bytes:
    """Byte-plane order (all first bytes, then all second bytes, …), which zlib compresses far better."""
    return b"".join(data[i::width] for i in range(width))


def _unshuffled(data: bytes, width: int = 8) -> bytes:
    out = bytearray(len(data))
    plane = len(data) // width
    for i in range(width):
        out[i::width] = data[i * plane : (i + 1) * plane]
    return bytes(out)


def _to_bytes(typecode: str, values: Sequence[float] | Sequence[int]) -> bytes:
    packed = array(typecode, values)
    if not _LITTLE:
        packed.byteswap()
    return packed.tobytes()


def _from_bytes(typecode: str, data: bytes) -> array:  # type: ignore[type-arg]
    packed = array(typecode)
    packed.frombytes(data)
    if not _LITTLE:
        packed.byteswap()
    return packed


def _compressed(data: bytes) -> bytes:
    return zlib.compress(_shuffled(data), _ZLIB_LEVEL)


def _decompressed(data: bytes) -> bytes:
    return _unshuffled(zlib.decompress(data))


def encode(steps: list[int], timestamps: list[float], values: list[float]) -> Block:
    """Pack points already sorted by step (ties in logging order)."""
    count = len(steps)
    first, last = steps[0], steps[-1]
    step_kind, step_data = _RANGE, b""
    if first != last:
        stride = (last - first) // (count - 1)
        if stride * (count - 1) != last - first or steps != list(range(first, last + 1, stride)):
            step_kind, step_data = _PACKED, _compressed(_to_bytes("q", steps))
    if timestamps.count(timestamps[0]) == count:
        time_kind, time_data = _CONSTANT, _DOUBLE.pack(timestamps[0])
    else:
        time_kind, time_data = _PACKED, _compressed(_to_bytes("d", timestamps))
    value_kind, value_data = _RAW, _to_bytes("d", values)
    if len(set(values)) <= _FEW_DISTINCT:
        packed = _compressed(value_data)
        if len(packed) < len(value_data) * 3 // 4:
            value_kind, value_data = _PACKED, packed
    header = _HEADER.pack(step_kind, time_kind, value_kind, len(step_data), len(time_data), len(value_data))
    vmin, vmax = nan_min_max(values)
    return Block(
        count, first, last, timestamps[-1], values[-1], vmin, vmax, b"".join((header, step_data, time_data, value_data))
    )


def encode_column(first_step: int, timestamps: array, values: array) -> Block:  # type: ignore[type-arg]
    """`encode` of points with the steps first_step, first_step + 1, … given as float64 arrays (the fast path's
    columns): the same blob, without a Python object per point."""
    count = len(values)
    if timestamps.count(timestamps[0]) == count:
        time_kind, time_data = _CONSTANT, _DOUBLE.pack(timestamps[0])
    else:
        time_kind, time_data = _PACKED, _compressed(_array_bytes(timestamps))
    value_kind, value_data = _RAW, _array_bytes(values)
    if len(set(values)) <= _FEW_DISTINCT:
        packed = _compressed(value_data)
        if len(packed) < len(value_data) * 3 // 4:
            value_kind, value_data = _PACKED, packed
    header = _HEADER.pack(_RANGE, time_kind, value_kind, 0, len(time_data), len(value_data))
    vmin, vmax = nan_min_max(values)
    last_step = first_step + count - 1
    return Block(count, first_step, last_step, timestamps[-1], values[-1], vmin, vmax, header + time_data + value_data)


def _array_bytes(packed: array) -> bytes:  # type: ignore[type-arg]
    if not _LITTLE:
        packed = array(packed.typecode, packed)
        packed.byteswap()
    return packed.tobytes()


class Columns:
    """Decoded points of many blocks, appended block after block: steps and timestamps as lists, values as a
    float64 array (turned into a list once, at the end, which is what makes a long read fast)."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.timestamps: list[float] = []
        self.values: array = array("d")  # type: ignore[type-arg]

    def add_block(self, count: int, first_step: int, last_step: int, data: bytes) -> None:
        step_kind, time_kind, value_kind, step_len, time_len, value_len = _HEADER.unpack_from(data)
        offset = _HEADER.size
        step_data = data[offset : offset + step_len]
        time_data = data[offset + step_len : offset + step_len + time_len]
        value_data = data[offset + step_len + time_len : offset + step_len + time_len + value_len]
        if step_kind == _RANGE:
            if first_step == last_step:
                self.steps.extend([first_step] * count)
            else:
                self.steps.extend(range(first_step, last_step + 1, (last_step - first_step) // (count - 1)))
        else:
            self.steps.extend(_from_bytes("q", _decompressed(step_data)).tolist())
        if time_kind == _CONSTANT:
            self.timestamps.extend([_DOUBLE.unpack(time_data)[0]] * count)
        else:
            self.timestamps.extend(_from_bytes("d", _decompressed(time_data)).tolist())
        if value_kind == _RAW:
            self.values.frombytes(value_data if _LITTLE else _from_bytes("d", value_data).tobytes())
        else:
            self.values.extend(_from_bytes("d", _decompressed(value_data)))

    def add_points(self, steps: list[int], timestamps: list[float], values: list[float]) -> None:
        self.steps.extend(steps)
        self.timestamps.extend(timestamps)
        self.values.extend(values)
