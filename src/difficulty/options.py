"""Options of configurable things: a default, a description and a JSON schema, declared once.

Every registered type (dataset source, feature extractor, difficulty metric,
reference model) and every stage that takes settings declares its options
here; the workflow validates the config against them, fills the defaults and
writes the README's configuration reference from them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from .errors import ConfigError, DataError

__all__ = ["REQUIRED", "ConfigError", "DataError", "Option", "resolve"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


@dataclass(frozen=True)
class Option:
    """One option: its default (``REQUIRED`` if none), a one-line description, a JSON schema of its value.

    ``affects_results`` is False for an option that changes how a job runs (how many jobs, how many cases per
    batch), not what it estimates: calibration points are compared without it (:mod:`difficulty.prediction`).
    ``neutral_default`` is True for an option whose default gives the results the entry gives without it (a
    step that is off by default): calibration points are compared without it where it is at its default.
    """

    default: Any = REQUIRED
    help: str = ""
    schema: Mapping[str, Any] = field(default_factory=dict)
    affects_results: bool = True
    neutral_default: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def compared(self, value) -> bool:
        """Whether calibration points are compared on this option at ``value``."""
        return self.affects_results and not (self.neutral_default and value == self.default)


def resolve(options: Mapping[str, Option], given: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``given`` checked against ``options``, with the defaults of the options it leaves out.

    Parameters
    ----------
    options : the declared options, by name.
    given : the values from the config.
    where : the config path of the entry, for error messages (``features.rad_fast``).

    Raises
    ------
    ConfigError : an unknown or missing option, or a value of the wrong type.
    """
    unknown = sorted(set(given) - set(options))
    if unknown:
        known = ", ".join(sorted(options)) or "none"
        raise ConfigError(f"config: {where}: unknown option {unknown[0]!r} (known options: {known})")
    missing = [name for name, opt in options.items() if opt.required and name not in given]
    if missing:
        raise ConfigError(f"config: {where}: option {missing[0]!r} is required ({options[missing[0]].help})")
    schema = {"type": "object", "properties": {name: dict(opt.schema) for name, opt in options.items()}}
    error = next(iter(sorted(Draft202012Validator(schema).iter_errors(dict(given)), key=lambda e: e.path)), None)
    if error is not None:
        key = ".".join(str(p) for p in error.absolute_path)
        raise ConfigError(f"config: {where}.{key}: {error.message}")
    return {
        name: copy.deepcopy(given[name] if name in given else opt.default)
        for name, opt in options.items()
        if name in given or not opt.required
    }
