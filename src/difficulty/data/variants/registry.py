"""The registry of variant kinds: datasets made from another dataset's cases (``parent:``).

A variant entry names its ``parent`` and one kind, as the key of the kind's
own option (``label_noise: 0.2``). Variants of variants chain. Every variant
is in its root's family: it shares the root's cases. A kind with an ``image``
hook changes the images: a variant of such a kind (or of a descendant of one)
has its own preparation and features, its originals read through its root's
source with each image change of its chain applied in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...options import ConfigError, Option, resolve
from ...registry import Registered, Registry
from ..cases import Case

LabelsFn = Callable[..., pd.DataFrame]
ImageFn = Callable[[Case, dict, int], Case]

TRAIN = Option(
    True,
    "train the reference models on this dataset; false: features and measures only, its AUC predicted "
    "from the calibration (results/prediction/predicted_auc.tsv)",
    {"type": "boolean"},
)
# Options every variant takes, besides its kind's own.
VARIANT_OPTIONS = {
    "parent": Option(help="the dataset whose cases (images and features) this one reuses", schema={"type": "string"}),
    "train": TRAIN,
}


@dataclass(frozen=True, kw_only=True)
class VariantKind(Registered):
    """A kind of variant.

    Attributes
    ----------
    labels : ``labels(table, options, seed) -> table``: the variant's label table from its parent's
        (``case_id, patient_id, label``, one row per case, in the parent's order); a kind may change labels
        or leave cases out. ``options`` are the kind's own; ``seed`` comes from the config's seed, the
        variant's name and the kind. A kind that declares ``inputs`` receives them as the keyword
        ``inputs``: name → path of each file.
    inputs : optional ``inputs(parent) -> {name: path}``: files of the results folder (paths relative to it)
        that the kind reads besides its parent's label table, from the parent's name (the parent's curation
        table, for example); the labels job waits for them.
    example_inputs : with ``inputs``, for the common tests: ``example_inputs(table, folder) -> {name: path}``
        writes into ``folder`` the files ``inputs`` names, made for the parent label table ``table``.
    image : ``image(case, options, seed) -> case``, for a kind that changes images: each case's original
        view (:class:`~difficulty.data.Case`) as the variant sees it, with the same shape, geometry and
        mask; ``seed`` as for ``labels`` (a kind derives each case's draw from it and the case id). None:
        the kind keeps its parent's images (and reuses its prepared data and features).
    """

    labels: LabelsFn
    inputs: Callable[[str], dict[str, str]] | None = None
    example_inputs: Callable[[pd.DataFrame, Path], dict[str, str]] | None = None
    image: ImageFn | None = None

    def shared_options(self) -> dict[str, Option]:
        """``parent``."""
        return dict(VARIANT_OPTIONS)

    def make_labels(self, table: pd.DataFrame, options: dict, seed: int, inputs: Mapping | None = None):
        """The variant's label table: :attr:`labels`, given ``inputs`` (name → path) where the kind declares them."""
        if self.inputs is None:
            return self.labels(table, options, seed)
        return self.labels(table, options, seed, inputs=dict(inputs or {}))


VARIANTS: Registry[VariantKind] = Registry("variant kind", VariantKind, "datasets", "labels", "register_variant")


def register_variant(name: str, labels: LabelsFn | None = None, /, **fields):
    """Register a variant kind; decorates its ``labels(table, options, seed)`` function.

    An entry selects the kind by giving its option named ``name``; ``fields`` are those of
    :class:`VariantKind` (``options``, which must hold ``name``, ``help``, ``example``, ``inputs`` with
    ``example_inputs``, ``image``).
    """
    if name not in (fields.get("options") or {}):
        raise ValueError(f"variant kind {name!r}: declare its own option {name!r}, the key that selects the kind")
    if (fields.get("inputs") is None) != (fields.get("example_inputs") is None):
        raise ValueError(f"variant kind {name!r}: declare inputs= and example_inputs= together")
    return VARIANTS.register(name, labels, **fields)


def resolve_variant(spec: Mapping, where: str) -> dict:
    """A variant entry (``parent`` and one kind's options, no ``name``) checked, with ``variant`` (its kind) added."""
    kinds = [key for key in spec if key in VARIANTS]
    if len(kinds) > 1:
        raise ConfigError(
            f"config: {where}: combines the variant kinds {kinds[0]!r} and {kinds[1]!r}; "
            "make one a variant of the other (its `parent`)"
        )
    if not kinds:
        known = VARIANT_OPTIONS | {key: option for kind in VARIANTS for key, option in kind.options.items()}
        resolve(known, {key: value for key, value in spec.items() if key != "parent"}, where)  # an unknown option
        raise ConfigError(f"config: {where}: a variant names its kind, one of: {', '.join(VARIANTS.names())}")
    kind = VARIANTS.get(kinds[0])
    return {"variant": kind.name, **resolve(kind.all_options(), spec, where)}
