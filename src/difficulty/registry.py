"""Registries of extensions: each kind (source, variant, feature, metric, model) maps type names to entries.

A new type is one module that calls its kind's ``register_*`` function; the
config names entries freely and says their ``type``. Built-in types are the
modules of the kind's subpackage that make that call (:meth:`Registry.discover`
finds them, no list names them). Plugin modules outside the package register
the same way and are named in the config's ``plugins`` list, so that every job
of the pipeline loads them.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from .options import ConfigError, Option, resolve


@dataclass(frozen=True, kw_only=True)
class Registered:
    """What every registered type has: a name, its options, a description, its module and an example.

    Attributes
    ----------
    name : the type's name (the ``type`` of a config entry).
    options : the type's own options (an option every entry of the kind takes may be declared again here
        with another default, nothing else of it changed).
    help : one line for the configuration reference (by default the first line of the function's docstring).
    module : the module that registered the type (found by the registry).
    example : ``example(folder) -> options``: writes what an example entry needs (a small dataset, a
        checkpoint) into ``folder`` and returns that entry's options; the common tests run every type on
        its example. Without it the example is the type's defaults.
    """

    name: str
    options: Mapping[str, Option] = field(default_factory=dict)
    help: str = ""
    module: str = ""
    example: Callable[[Path], dict] | None = None

    def shared_options(self) -> dict[str, Option]:
        """The options every entry of this kind takes besides its type's own (none unless the kind has some)."""
        return {}

    def all_options(self) -> dict[str, Option]:
        """Every option an entry of this type takes: the kind's shared ones, then the type's own."""
        return self.shared_options() | dict(self.options)

    def split(self, spec: Mapping) -> tuple[dict, dict]:
        """A resolved entry's values as (the kind's shared options, the type's own options); ``type`` is in neither."""
        shared = self.shared_options()
        own = {k: v for k, v in spec.items() if k in self.options}
        return {k: v for k, v in spec.items() if k in shared and k not in own}, own

    def describe(self) -> str:
        """The type's line in the configuration reference."""
        return self.help.rstrip(".")

    def example_options(self, folder) -> dict:
        """The options of this type's example entry, its files written into ``folder``."""
        return dict(self.example(Path(folder))) if self.example is not None else {}

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
    entry_type : the dataclass of the entries (a :class:`Registered`); its fields and their defaults are the
        registration's keywords.
    section : the config section whose entries name these types (``metrics``).
    slot : the field of ``entry_type`` that holds the registered function (``fn``).
    function : the name of the kind's registration function (``register_metric``): the modules of a
        subpackage that call it are its built-in types (:meth:`discover`).
    """

    def __init__(self, kind: str, entry_type: type[T], section: str, slot: str, function: str):
        self.kind, self.entry_type, self.section = kind, entry_type, section
        self.slot, self.function = slot, function
        self._entries: dict[str, T] = {}

    def register(self, name: str, fn=None, /, **fields):
        """Register ``fn`` as the ``slot`` of a new type ``name``; without ``fn``, a decorator that does so.

        ``fields`` are the entry type's other fields (``options``, ``help``, ...); those left out keep the
        defaults the entry type declares. ``help`` defaults to the first line of ``fn``'s docstring.
        """

        def add(fn):
            given = {k: v for k, v in fields.items() if v is not None or k not in ("options", "help")}
            given["help"] = given.get("help") or doc_line(fn)
            if "options" in given:
                given["options"] = dict(given["options"])
            self.add(self.entry_type(name=name, module=fn.__module__, **{self.slot: fn}, **given))
            return fn

        return add if fn is None else add(fn)

    def add(self, entry: T) -> T:
        """Register ``entry``; a name taken by another module is refused, and so is an own option that
        changes more than the default of an option every entry of the kind takes."""
        old = self._entries.get(entry.name)
        if old is not None and old.module != entry.module:
            raise ValueError(f"{self.kind} type {entry.name!r} is already registered by {old.module}")
        shared = entry.shared_options()
        for key, option in entry.options.items():
            if key in shared and (option.schema, option.help) != (shared[key].schema, shared[key].help):
                raise ValueError(
                    f"{self.kind} type {entry.name!r}: option {key!r} is an option of every {self.kind} entry "
                    "(only its default may be given again); choose another name"
                )
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

    def resolve(self, name: str, spec: Mapping, defaults: Mapping | None = None) -> dict:
        """A config entry (``type`` and options) checked against its type, with defaults filled.

        ``type`` may be left out where the entry's name is a registered type. ``defaults`` replace the
        declared defaults of some options (the config's ``bootstrap:`` block for every metric entry).
        """
        spec = dict(spec)
        where = f"{self.section}.{name}"
        kind = spec.pop("type", name)
        try:
            entry = self.get(kind)
        except ConfigError as err:
            raise ConfigError(f"config: {where}.type: {err}") from None
        options = {
            key: replace(option, default=defaults[key]) if key in (defaults or {}) else option
            for key, option in entry.all_options().items()
        }
        return {"type": entry.name, **resolve(options, spec, where)}

    def discover(self, package: str) -> list[str]:
        """Import every module of ``package`` and of its subpackages that calls :attr:`function`: its built-in
        types register.

        Each module's source is read (not run) to find the call, so a module that registers nothing is not
        imported, and a new built-in type (a module, or a subpackage whose ``__init__`` registers) is found
        without any list to edit. Returns the modules imported.
        """
        folder = Path(sys.modules[package].__file__).parent
        found = [_module_of(package, folder, path) for path in _package_files(folder) if _calls(path, self.function)]
        for module in found:
            importlib.import_module(module)
        return found

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self._entries[name] for name in self.names())


def _package_files(folder: Path) -> list[Path]:
    """The ``.py`` files of the package in ``folder`` and of its subpackages (folders with an ``__init__.py``),
    sorted; the package's own ``__init__.py`` left out."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".py" and path.name != "__init__.py":
            files.append(path)
        elif path.is_dir() and (path / "__init__.py").exists():
            files += [path / "__init__.py", *_package_files(path)]
    return files


def _module_of(package: str, folder: Path, path: Path) -> str:
    """The dotted name of the module at ``path`` in ``package`` (at ``folder``); a subpackage for an ``__init__.py``."""
    parts = path.relative_to(folder).with_suffix("").parts
    return ".".join([package, *(parts[:-1] if parts[-1] == "__init__" else parts)])


def _calls(path: Path, function: str) -> bool:
    """Whether the module at ``path`` calls ``function`` by that name (as a call or a decorator)."""
    text = path.read_text()
    return function in text and any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function
        for node in ast.walk(ast.parse(text, str(path)))
    )


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
