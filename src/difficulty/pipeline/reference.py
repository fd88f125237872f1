"""The configuration reference and the table of measures, written from where each option and type is declared.

Top-level keys come from ``config/schema.yaml``; the options of every kind and
every registered type from their registrations (plugins too, when loaded). The
documentation carries the texts between markers (``docs/configuration.md``,
``docs/measures.md``); ``python -m difficulty.pipeline.reference
docs/configuration.md docs/measures.md`` rewrites them there, ``--check`` only
says whether they are current (a test runs it), and without a file the command
prints them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from ..curation import CURATION_OPTIONS
from ..data import DATASET_OPTIONS, SOURCES, VARIANT_OPTIONS, VARIANTS
from ..features import FEATURE_OPTIONS, FEATURES, STABILITY_OPTIONS
from ..metrics import BOOTSTRAP_OPTIONS, METRICS
from ..models import MODELS, TRAINING_OPTIONS
from ..options import Option
from ..prediction.options import CALIBRATION_OPTIONS
from ..registry import load_plugins

SCHEMA = Path(__file__).resolve().parents[3] / "config" / "schema.yaml"
BLOCKS = ("config-reference", "measures")


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
        lines += ["", f"`{key}: {entry.name}`: {entry.describe()}.", "", *_options(entry.options)]
    return lines


def config_reference(schema_path=SCHEMA) -> str:
    """Markdown reference of every config key and every registered type's options, with defaults."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    top = schema["properties"]
    lines = ["**Top level** (`config/schema.yaml`):", ""]
    for name, prop in top.items():
        if name in ("datasets", "features", "metrics", "models", "bootstrap", "correlation", "curation", "calibration"):
            continue
        lines.append(f"- `{name}` (default `{_value(prop.get('default'))}`): {prop['description']}")
    lines += ["", "**`datasets`**: a list; each entry has a `name` (letters, digits, `_`, `-`) and either"]
    lines += ["a `source` type with its options, or a `parent` and one variant kind (a dataset made from"]
    lines += ["the parent's cases; the kind is named by giving its option)."]
    lines += ["", "Options of every source dataset:", "", *_options(DATASET_OPTIONS), *_types(SOURCES, "source")]
    lines += ["", "Options of every variant:", "", *_options(VARIANT_OPTIONS)]
    for kind in VARIANTS:
        lines += ["", f"Variant kind `{kind.name}`: {kind.describe()}.", "", *_options(kind.options)]
    lines += ["", "**`features`**: `name: {type: ..., options}`. Options of every feature entry:", ""]
    lines += _options(FEATURE_OPTIONS)
    lines += ["", "Options of every feature entry whose features depend on the masks (radiomics), for datasets of"]
    lines += ["several raters' masks:", "", *_options(STABILITY_OPTIONS), *_types(FEATURES, "type")]
    lines += ["", "**`metrics`**: `name: {type: ..., options}` "]
    lines[-1] += f"(default `{_value(top['metrics']['default'])}`). "
    lines[-1] += "The bootstrap options below are set for all metrics in `bootstrap:` and may be overridden per entry:"
    lines += ["", *_options(BOOTSTRAP_OPTIONS), *_types(METRICS, "type")]
    lines += ["", "**`models`**: `name: {type: ..., options}`. Options of every model entry (training):", ""]
    lines += [*_options(TRAINING_OPTIONS), *_types(MODELS, "type")]
    lines += ["", "**`curation`**: the curation stage (per-case label issues, instance hardness, outliers):", ""]
    lines += _options(CURATION_OPTIONS)
    lines += ["", f"**`calibration`**: {top['calibration']['description'].split(';')[0]}:", ""]
    lines += _options(CALIBRATION_OPTIONS)
    lines += ["", "**`correlation`**:", ""]
    for name, prop in top["correlation"]["properties"].items():
        lines.append(f"- `{name}` (default `{_value(prop.get('default'))}`): {prop['description']}")
    return "\n".join(lines) + "\n"


def measures_table() -> str:
    """Markdown table of every registered metric type: what it measures, its direction, where it is defined."""
    lines = ["| type | measure | better | reference |", "|---|---|---|---|"]
    for metric in METRICS:
        better = "higher" if metric.higher_is_easier else "lower"
        lines.append(f"| `{metric.name}` | {metric.help.rstrip('.')} | {better} | {metric.reference or '—'} |")
    return "\n".join(lines) + "\n"


def generated() -> dict[str, str]:
    """The text of each generated block, by its marker name."""
    return {"config-reference": config_reference(), "measures": measures_table()}


def replace_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with the part between the markers of each block it holds (``<!-- name:start -->``, ``:end``)
    replaced; a ValueError where it holds none."""
    found = [name for name in blocks if f"<!-- {name}:start -->" in text]
    if not found:
        raise ValueError(f"no generated block ({', '.join(blocks)}) in the file")
    for name in found:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{blocks[name]}{end}{tail}"
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="rewrite the generated blocks in these files (none: print them)")
    parser.add_argument("--check", action="store_true", help="only say whether the files' blocks are current")
    parser.add_argument("--plugins", nargs="*", default=[], help="plugin modules whose types to include")
    args = parser.parse_args(argv)
    load_plugins(args.plugins)
    blocks = generated()
    if not args.files:
        print("\n".join(blocks.values()))
        return 0
    stale = []
    for path in map(Path, args.files):
        text = path.read_text()
        new = replace_blocks(text, blocks)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        names = " ".join(map(str, stale))
        print(f"{names}: the generated blocks are out of date; run python -m difficulty.pipeline.reference {names}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
