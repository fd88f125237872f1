"""The code a job runs: the package files it imports (read, not executed), and a hash of what they do.

A rule passes the hash of its job's code as a parameter (:func:`code_hash`), so
Snakemake re-runs the rule's jobs when the code they use changes, and only
those; a comment or docstring changes no hash.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # src/difficulty


def _module_file(dotted: str) -> Path | None:
    """File of a ``difficulty.*`` module or package, None for anything else."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE.name:
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def _module_name(file: Path) -> str | None:
    try:
        parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    except ValueError:
        return None
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _from_imports(file: Path):
    """(module, name) of every ``from module import name`` in ``file``, relative imports made absolute."""
    own = _module_name(file)
    package = (own if file.name == "__init__.py" else own.rpartition(".")[0]) if own else ""
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                yield base, alias.name, alias.asname or alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, None


@cache
def _reexports(package: str) -> dict[str, str]:
    """Names that a package's ``__init__`` imports from its modules: name → the module that defines it."""
    return {
        bound: f"{module}.{name}" if _module_file(f"{module}.{name}") else module
        for module, name, bound in _from_imports(_module_file(package))
        if name is not None and _module_file(module)
    }


@cache
def _imports(file: Path) -> tuple[str, ...]:
    """Dotted names of the ``difficulty`` modules and packages that ``file`` imports anywhere in it.

    ``from package import name`` counts as an import of the module ``name`` comes from, where the
    package's ``__init__`` re-exports it; otherwise of the whole package.
    """
    found = []
    for module, name, _ in _from_imports(file):
        if name is None or _module_file(f"{module}.{name}"):
            found.append(module if name is None else f"{module}.{name}")
        elif _module_file(module) and _module_file(module).name == "__init__.py":
            found.append(_reexports(module).get(name, module))
        else:
            found.append(module)
    return tuple(n for n in found if _module_file(n))


def code_files(*files) -> list[Path]:
    """``files`` and every package file they import, transitively, sorted.

    An imported module is followed into its own imports. A package's
    ``__init__.py`` that is only run as the parent of an imported module is
    listed but not followed (its re-exports are not what the job runs); one
    imported by name is followed.
    """
    seen: set[Path] = set()
    stack = [Path(f).resolve() for f in files]
    listed = set(stack)
    while stack:
        file = stack.pop()
        if file in seen:
            continue
        seen.add(file)
        for dotted in _imports(file):
            parts = dotted.split(".")
            for k in range(1, len(parts)):
                listed.add(_module_file(".".join(parts[:k])))
            target = _module_file(dotted)
            listed.add(target)
            stack.append(target)
    return sorted(listed)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with the docstring of every module, class and function taken out (comments are not in an AST)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return tree


@cache
def _source_hash(text: str) -> str:
    tree = _without_docstrings(ast.parse(text))
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()


def code_hash(*files) -> str:
    """A hash of what ``files`` and the package files they import run (:func:`code_files`): their syntax trees
    without docstrings, so that a comment or docstring changes nothing and any other edit changes it.

    Files are named by their module (or file name), not their path: a moved project gives the same hash.
    """
    digest = hashlib.sha256()
    for file in code_files(*files):
        digest.update(f"{_module_name(file) or file.name}\0{_source_hash(file.read_text())}\0".encode())
    return digest.hexdigest()[:16]
