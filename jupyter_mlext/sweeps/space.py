"""The search space: one distribution per hyperparameter, checked when it is made, stored as JSON.

`mlx.uniform(0, 1)`, `mlx.loguniform(1e-4, 1e-1)`, `mlx.quniform(0, 10, 0.5)`, `mlx.qloguniform(1, 1000, 1)`,
`mlx.normal(0, 1)`, `mlx.randint(8, 64)` (both ends included) and `mlx.choice([2, 4, 8])`. Grid sampling takes
only the distributions with finitely many values (choice, randint, quniform, qloguniform).
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import InvalidInput

MAX_GRID = 100_000
MAX_CHOICES = 1_000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
Value = str | int | float | bool


@dataclasses.dataclass(frozen=True)
class Distribution:
    """One hyperparameter's distribution. `kind` names it as in the SDK; the other fields are its arguments."""

    kind: str
    low: float | None = None
    high: float | None = None
    q: float | None = None
    mu: float | None = None
    sigma: float | None = None
    values: tuple[Value, ...] = ()

    def sample(self, rng: random.Random) -> Value:
        if self.kind == "choice":
            return self.values[rng.randrange(len(self.values))]
        if self.kind == "randint":
            return rng.randint(int(self._low), int(self._high))
        if self.kind == "normal":
            assert self.mu is not None and self.sigma is not None
            return rng.gauss(self.mu, self.sigma)
        if self.kind in ("loguniform", "qloguniform"):
            value = math.exp(rng.uniform(math.log(self._low), math.log(self._high)))
        else:
            value = rng.uniform(self._low, self._high)
        return self.quantize(value)

    def quantize(self, value: float) -> float:
        """A q-distribution's value rounded to the nearest multiple of q inside [low, high]."""
        if self.q is None:
            return value
        first = math.ceil(self._low / self.q - 1e-9)
        last = math.floor(self._high / self.q + 1e-9)
        return _tidy(min(max(round(value / self.q), first), last) * self.q)

    def grid(self, field: str) -> list[Value]:
        """Every value, for grid sampling; InvalidInput for a continuous distribution."""
        if self.kind == "choice":
            return list(self.values)
        if self.kind == "randint":
            count = int(self._high) - int(self._low) + 1
            _check_grid_size(count, field)
            return list(range(int(self._low), int(self._high) + 1))
        if self.q is not None:
            first = math.ceil(self._low / self.q - 1e-9)
            last = math.floor(self._high / self.q + 1e-9)
            _check_grid_size(last - first + 1, field)
            return [_tidy(k * self.q) for k in range(first, last + 1)]
        raise InvalidInput(
            f"grid sampling needs a finite set of values, but {self.kind} is continuous: use choice, randint, "
            "quniform or qloguniform",
            field=field,
        )

    @property
    def _low(self) -> float:
        assert self.low is not None
        return self.low

    @property
    def _high(self) -> float:
        assert self.high is not None
        return self.high

    def to_dict(self) -> dict[str, Any]:
        fields = {"low": self.low, "high": self.high, "q": self.q, "mu": self.mu, "sigma": self.sigma}
        out: dict[str, Any] = {"kind": self.kind, **{k: v for k, v in fields.items() if v is not None}}
        if self.kind == "choice":
            out["values"] = list(self.values)
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "kind")
        return f"{self.kind}({args})"


def _tidy(value: float) -> float:
    """0.30000000000000004 → 0.3: quantized values print as people wrote them."""
    return float(f"{value:.12g}")


def _check_grid_size(count: int, field: str) -> None:
    if count > MAX_GRID:
        raise InvalidInput(f"{field} has {count} values; a grid takes at most {MAX_GRID}", field=field)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number, not {value!r}", field=field)
    return float(value)


def _range(low: Any, high: Any, field: str, positive: bool = False) -> tuple[float, float]:
    lo, hi = _number(low, f"{field}.low"), _number(high, f"{field}.high")
    if hi <= lo:
        what = "empty" if hi == lo else "inverted"
        raise InvalidInput(f"{field}: the range [{low}, {high}] is {what}; high must be greater than low", field=field)
    if positive and lo <= 0:
        raise InvalidInput(f"{field}: a log scale needs low > 0, not {low}", field=f"{field}.low")
    return lo, hi


def _step(q: Any, field: str) -> float:
    step = _number(q, f"{field}.q")
    if step <= 0:
        raise InvalidInput(f"{field}: q must be greater than 0, not {q}", field=f"{field}.q")
    return step


def uniform(low: float, high: float) -> Distribution:
    """A float drawn evenly from [low, high]."""
    return make({"kind": "uniform", "low": low, "high": high})


def loguniform(low: float, high: float) -> Distribution:
    """A float whose logarithm is drawn evenly: each factor of 10 between low and high equally likely."""
    return make({"kind": "loguniform", "low": low, "high": high})


def quniform(low: float, high: float, q: float) -> Distribution:
    """uniform(low, high) rounded to a multiple of q."""
    return make({"kind": "quniform", "low": low, "high": high, "q": q})


def qloguniform(low: float, high: float, q: float) -> Distribution:
    """loguniform(low, high) rounded to a multiple of q."""
    return make({"kind": "qloguniform", "low": low, "high": high, "q": q})


def normal(mu: float, sigma: float) -> Distribution:
    """A float from the normal distribution with mean mu and standard deviation sigma."""
    return make({"kind": "normal", "mu": mu, "sigma": sigma})


def randint(low: int, high: int) -> Distribution:
    """An integer from low to high, both included."""
    return make({"kind": "randint", "low": low, "high": high})


def choice(values: Sequence[Value]) -> Distribution:
    """One of `values` (strings, numbers or booleans), each equally likely."""
    return make({"kind": "choice", "values": values})


KINDS = ("uniform", "loguniform", "quniform", "qloguniform", "normal", "randint", "choice")


def make(spec: Mapping[str, Any], field: str = "space") -> Distribution:
    """A checked Distribution from its dict form (`to_dict()`, or a sweep.yaml entry)."""
    if isinstance(spec, Distribution):
        return spec
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"{field} must be a distribution such as mlx.uniform(0, 1), not {spec!r}", field=field)
    kind = spec.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"{field}: unknown distribution {kind!r}; one of {', '.join(KINDS)}", field=field)
    allowed = {
        "uniform": {"low", "high"},
        "loguniform": {"low", "high"},
        "quniform": {"low", "high", "q"},
        "qloguniform": {"low", "high", "q"},
        "normal": {"mu", "sigma"},
        "randint": {"low", "high"},
        "choice": {"values"},
    }[kind]
    extra = set(spec) - allowed - {"kind"}
    missing = allowed - set(spec)
    if extra or missing:
        wrong = sorted(extra or missing)[0]
        raise InvalidInput(
            f"{field}: {kind} takes {', '.join(sorted(allowed))}; {'unexpected' if extra else 'missing'} {wrong!r}",
            field=f"{field}.{wrong}",
        )
    if kind == "choice":
        return Distribution(kind, values=_choices(spec["values"], field))
    if kind == "normal":
        mu, sigma = _number(spec["mu"], f"{field}.mu"), _number(spec["sigma"], f"{field}.sigma")
        if sigma <= 0:
            raise InvalidInput(f"{field}: sigma must be greater than 0, not {spec['sigma']}", field=f"{field}.sigma")
        return Distribution(kind, mu=mu, sigma=sigma)
    if kind == "randint":
        for end in ("low", "high"):
            if isinstance(spec[end], bool) or not isinstance(spec[end], int):
                raise InvalidInput(f"{field}.{end} must be an integer, not {spec[end]!r}", field=f"{field}.{end}")
        low, high = _range(spec["low"], spec["high"], field)
        return Distribution(kind, low=int(low), high=int(high))
    low, high = _range(spec["low"], spec["high"], field, positive=kind in ("loguniform", "qloguniform"))
    q = _step(spec["q"], field) if "q" in spec else None
    if q is not None and math.floor(high / q + 1e-9) < math.ceil(low / q - 1e-9):
        raise InvalidInput(f"{field}: no multiple of q={q:g} lies in [{low:g}, {high:g}]", field=f"{field}.q")
    return Distribution(kind, low=low, high=high, q=q)


def _choices(values: Any, field: str) -> tuple[Value, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInput(f"{field}: choice takes a list of values, not {values!r}", field=f"{field}.values")
    if not values:
        raise InvalidInput(f"{field}: choice needs at least one value; the list is empty", field=f"{field}.values")
    if len(values) > MAX_CHOICES:
        raise InvalidInput(f"{field}: choice takes at most {MAX_CHOICES} values", field=f"{field}.values")
    for value in values:
        if not isinstance(value, (str, int, float, bool)) or (isinstance(value, float) and not math.isfinite(value)):
            raise InvalidInput(
                f"{field}: choice values must be strings, numbers or booleans, not {value!r}", field=f"{field}.values"
            )
    if len({(type(v), v) for v in values}) != len(values):
        raise InvalidInput(f"{field}: choice values must be distinct", field=f"{field}.values")
    return tuple(values)


def make_space(space: Any) -> dict[str, Distribution]:
    """A checked search space: a non-empty mapping of parameter names to distributions, sorted by name."""
    if not isinstance(space, Mapping) or not space:
        raise InvalidInput("space must map at least one parameter name to a distribution", field="space")
    checked = {}
    for name in sorted(space):
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInput(
                f"space: {name!r} is not a parameter name (letters, digits, _ . -, starting with a letter or _)",
                field="space",
            )
        checked[name] = make(space[name], f"space.{name}")
    return checked


def space_to_dict(space: Mapping[str, Distribution]) -> dict[str, dict[str, Any]]:
    return {name: dist.to_dict() for name, dist in space.items()}
