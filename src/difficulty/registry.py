"""Registries of extensions: each kind (source, feature, metric, model) maps type names to entries.

A new kind of something is one module that calls its kind's ``register_*``
function; the config names entries freely and says their ``type``. Plugin
modules outside the package register the same way and are named in the
config's ``plugins`` list, so that every job of the pipeline loads them.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from .options import ConfigError, Option, resolve


@dataclass(frozen=True, kw_only=True)
class Registered:
    """What every registered type has: a name, its options, a description and the module that registered it."""

    name: str
    options: Mapping[str, Option] = field(default_factory=dict)
    help: str = ""
    module: str = ""

    def all_options(self) -> dict[str, Option]:
        """Every option an entry of this type takes (kinds add the options all their entries share)."""
        return dict(self.options)

    @property
    def source_file(self) -> str | None:
        """File of the registering module (what a job of this type runs), if it is a file."""
        module = sys.modules.get(self.module)
        return getattr(module, "__file__", None)


T = TypeVar("T", bound=Registered)


class Registry(Generic[T]):
    """Type name → entry, for one kind of extension.

    Parameters
    ----------
    kind : what the entries are, for messages ("metric").
    entry_type : the dataclass of the entries (a :class:`Registered`).
    section : the config section whose entries name these types (``metrics``).
    """

    def __init__(self, kind: str, entry_type: type[T], section: str):
        self.kind, self.entry_type, self.section = kind, entry_type, section
        self._entries: dict[str, T] = {}

    def decorator(self, name: str, slot: str, *, options=None, help: str | None = None, **fields):
        """A decorator that registers the function it decorates as the ``slot`` field of a new entry."""

        def add(fn):
            self.add(
                self.entry_type(
                    name=name,
                    options=dict(options or {}),
                    help=help or doc_line(fn),
                    module=fn.__module__,
                    **{slot: fn},
                    **fields,
                )
            )
            return fn

        return add

    def add(self, entry: T) -> T:
        """Register ``entry``; a name taken by another module is refused."""
        old = self._entries.get(entry.name)
        if old is not None and old.module != entry.module:
            raise ValueError(f"{self.kind} type {entry.name!r} is already registered by {old.module}")
        self._entries[entry.name] = entry
        return entry

    def remove(self, name: str) -> None:
        """Forget a type (tests use it to leave the registry as they found it)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        """The entry of a type name; an unknown name is a ConfigError that lists the known ones."""
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} type {name!r}; registered: {', '.join(self.names())}. "
                "A module listed under 'plugins' in the config can register more."
            ) from None

    def resolve(self, name: str, spec: Mapping, shared: Mapping[str, Option] | None = None) -> dict:
        """A config entry (``type`` and options) checked against its type, with defaults filled.

        ``type`` may be left out where the entry's name is a registered type.
        ``shared`` are options that the entry takes besides its type's (their defaults from the config).
        """
        spec = dict(spec)
        where = f"{self.section}.{name}"
        kind = spec.pop("type", name)
        try:
            entry = self.get(kind)
        except ConfigError as err:
            raise ConfigError(f"config: {where}.type: {err}") from None
        return {"type": entry.name, **resolve(dict(shared or {}) | entry.all_options(), spec, where)}

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self._entries[name] for name in self.names())


def no_inputs(options: dict) -> dict[str, str]:
    """An entry that reads no files besides its stage's inputs."""
    return {}


def doc_line(obj) -> str:
    """First line of an object's docstring."""
    return (getattr(obj, "__doc__", None) or "").strip().split("\n")[0]


def load_plugins(plugins) -> list[str]:
    """Import plugin modules so that they register their types; returns their module names.

    A plugin is a ``.py`` file path or a dotted module name. Types must be
    registered in the plugin module itself.
    """
    names = []
    for plugin in plugins or ():
        plugin = str(plugin)
        if not plugin.endswith(".py"):
            try:
                importlib.import_module(plugin)
            except ModuleNotFoundError as err:
                raise ConfigError(f"config: plugins: cannot import {plugin!r}: {err}") from None
            names.append(plugin)
            continue
        path = Path(plugin).resolve()
        if not path.exists():
            raise ConfigError(f"config: plugins: file {plugin} does not exist")
        name = f"difficulty_plugin_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}_{path.stem}"
        names.append(name)
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return names
