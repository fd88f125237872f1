"""The configuration reference, written from where each option is declared.

Top-level keys come from ``config/schema.yaml``; the options of every
registered type from its registration. The README carries this text between
markers; ``python -m difficulty.pipeline.reference README.md`` rewrites it
there, and a test keeps the two in step.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from ..data import DATASET_OPTIONS, SOURCES, VARIANT_OPTIONS
from ..features import FEATURE_OPTIONS, FEATURES
from ..features.registry import SHARDS_OPTION
from ..metrics import BOOTSTRAP_OPTIONS, METRICS
from ..models import MODELS, TRAINING_OPTIONS
from ..options import Option

SCHEMA = Path(__file__).resolve().parents[3] / "config" / "schema.yaml"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def _value(value) -> str:
    if value is None:
        return "none"
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("\n...")


def _option(name: str, option: Option) -> str:
    default = "required" if option.required else f"default `{_value(option.default)}`"
    return f"- `{name}` ({default}): {option.help}"


def _options(options) -> list[str]:
    return [_option(name, opt) for name, opt in options.items()] or ["- (no options of its own)"]


def _types(registry, key: str) -> list[str]:
    lines = []
    for entry in registry:
        lines += ["", f"`{key}: {entry.name}`: {entry.help.rstrip('.')}.", "", *_options(entry.options)]
    return lines


def config_reference(schema_path=SCHEMA) -> str:
    """Markdown reference of every config key and every registered type's options, with defaults."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    top = schema["properties"]
    lines = ["**Top level** (`config/schema.yaml`):", ""]
    for name, prop in top.items():
        if name in ("datasets", "features", "metrics", "models", "bootstrap", "correlation"):
            continue
        lines.append(f"- `{name}` (default `{_value(prop.get('default'))}`): {prop['description']}")
    lines += ["", "**`datasets`**: a list; each entry has a `name` (letters, digits, `_`, `-`) and either"]
    lines += ["a `source` type with its options, or a `parent` (a variant that reuses that dataset's images)."]
    lines += ["", "Options of every source dataset:", "", *_options(DATASET_OPTIONS)]
    lines += ["", "Options of a variant:", "", *_options(VARIANT_OPTIONS), *_types(SOURCES, "source")]
    lines += ["", "**`features`**: `name: {type: ..., options}`. Options of every feature entry:", ""]
    lines += [*_options(FEATURE_OPTIONS), _option("shards", SHARDS_OPTION) + " (extractors that shard)"]
    lines += _types(FEATURES, "type")
    lines += ["", "**`metrics`**: `name: {type: ..., options}` "]
    lines[-1] += f"(default `{_value(top['metrics']['default'])}`). "
    lines[-1] += "The bootstrap options below are set for all metrics in `bootstrap:` and may be overridden per entry:"
    lines += ["", *_options(BOOTSTRAP_OPTIONS), *_types(METRICS, "type")]
    lines += ["", "**`models`**: `name: {type: ..., options}`. Options of every model entry (training):", ""]
    lines += [*_options(TRAINING_OPTIONS), *_types(MODELS, "type")]
    lines += ["", "**`correlation`**:", ""]
    for name, prop in top["correlation"]["properties"].items():
        lines.append(f"- `{name}` (default `{_value(prop.get('default'))}`): {prop['description']}")
    return "\n".join(lines) + "\n"


def replace_block(text: str, reference: str) -> str:
    """``text`` with the part between the reference markers replaced by ``reference``."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference}{END}{tail}"


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(replace_block(readme.read_text(), config_reference()))
