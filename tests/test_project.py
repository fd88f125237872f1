"""Project consistency: conda envs match pyproject pins, every rule is complete."""

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml

from conftest import REPO


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {norm(d.split("==")[0]): d.split("==")[1] for d in deps}


def env_pins(path):
    pins = {}
    for dep in yaml.safe_load(path.read_text())["dependencies"]:
        if isinstance(dep, dict):
            pins |= {norm(p.split("==")[0]): p.split("==")[1] for p in dep["pip"]}
        elif "=" in dep:
            name, version = dep.split("=", 1)
            pins[norm(name)] = version
    return pins


@pytest.mark.parametrize("env", sorted((REPO / "envs").glob("*.yaml")), ids=lambda p: p.name)
def test_conda_envs_pin_what_pyproject_pins(env):
    pins, expected = env_pins(env), pyproject_pins()
    assert pins.pop("python") == "3.11"
    pins.pop("pip", None)
    assert pins, f"{env.name} pins nothing"
    for name, version in pins.items():
        assert name in expected, f"{env.name}: {name} is not a dependency in pyproject.toml"
        assert version == expected[name], f"{env.name}: {name}={version}, pyproject.toml has {expected[name]}"


def imported_distributions(files):
    """Third-party distributions that ``files`` import, at the top or inside functions."""
    names = set()
    for file in files:
        for node in ast.walk(ast.parse(Path(file).read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    distributions = packages_distributions()
    # A standard-library module is no distribution, even where a backport shadows its name (rt-utils pulls one).
    names -= {"difficulty", *sys.stdlib_module_names}
    return {norm(d) for name in names for d in distributions.get(name, ())}


def test_each_conda_env_installs_what_its_rules_import_and_this_package():
    """A rule's env has every distribution its script and the package modules it may run import (all types of
    its kind); its post-deploy script installs this package from the project without dependencies."""
    from difficulty.data.sources import SOURCES
    from difficulty.data.variants import VARIANTS
    from difficulty.features.registry import FEATURES
    from difficulty.metrics.registry import METRICS
    from difficulty.models.registry import MODELS
    from difficulty.pipeline.code import code_files

    registries = {"datasets": SOURCES, "variants": VARIANTS, "features": FEATURES, "metrics": METRICS, "models": MODELS}
    for smk, name, block in rules():
        env = REPO / "envs" / re.search(r"envs/(\w+\.yaml)", block).group(1)
        script = REPO / "workflow" / "scripts" / re.search(r"scripts/(\w+\.py)", block).group(1)
        kind = re.search(r'(?:code|entry_job)\("\w+\.py", "(\w+)"', block)
        types = [entry.source_file for entry in registries[kind.group(1)]] if kind else []
        needed = imported_distributions(code_files(script, *types))
        missing = needed - set(env_pins(env))
        assert not missing, f"{smk}: rule {name} imports {sorted(missing)}, which {env.name} does not install"
    for env in (REPO / "envs").glob("*.yaml"):
        deploy = env.with_suffix(".post-deploy.sh").read_text()
        assert 'pip install --no-deps -e "$project"' in deploy, env.name


def rules(inherited=False):
    """(file, rule, its text) of every rule; with ``inherited``, also the rules made by ``use rule ... with:``
    (their text is what they change)."""
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"\n(?=\s*(?:use )?rule \w+)", smk.read_text()):
            match = re.match(r"\s*(?:rule (\w+):|use rule \w+ as (\w+) with:)", block)
            if match and (match.group(1) or inherited):
                yield smk.name, match.group(1) or match.group(2), block


def job_kinds():
    """The name of every shared resources block of common.smk (``TABLE_JOB = {...}``) → its text."""
    text = (REPO / "workflow" / "rules" / "common.smk").read_text()
    return dict(re.findall(r"^(\w+_JOB) = \{\n(.*?)\n\}", text, flags=re.M | re.S))


def test_every_rule_declares_log_memory_runtime_and_env():
    """Each rule states its log, benchmark and env, and its resources in full or as one of common.smk's shared
    blocks (threads: one, Snakemake's default, unless the rule says otherwise)."""
    found = list(rules())
    assert len(found) >= 15
    kinds = job_kinds()
    assert {"TABLE_JOB", "TRAIN_JOB", "EXTRACT_JOB", "BOOTSTRAP_JOB"} <= set(kinds)
    assert all('"mem_mb"' in text and '"runtime"' in text for text in kinds.values())
    assert (
        '"gpu": 1' in kinds["TRAIN_JOB"]
        and '"gpu": lambda w: int(PLAN.features[w.feature].gpu)' in kinds["EXTRACT_JOB"]
    )
    used_envs = set()
    for smk, name, block in found:
        for key in ("log:", "benchmark:", "resources:", "conda:"):
            assert key in block, f"{smk}: rule {name} has no {key}"
        shared = re.search(r"resources:\n\s+\*\*(\w+_JOB),", block)
        assert shared and shared.group(1) in kinds or ("mem_mb=" in block and "runtime=" in block), (smk, name)
        assert "threads: 1" not in block, f"{smk}: rule {name} states Snakemake's default threads"
        used_envs |= set(re.findall(r"envs/(\w+\.yaml)", block))
    assert used_envs == {p.name for p in (REPO / "envs").glob("*.yaml")}


def test_rules_state_only_what_is_their_own():
    """The shared resources, seeds, plugins, code hashes and report entries come from common.smk's helpers: a rule
    is at most 20 non-blank lines on average (the snakemake-workflows catalog's are about 15)."""
    lines = [len([line for line in block.splitlines() if line.strip()]) for _, _, block in rules(inherited=True)]
    assert sum(lines) / len(lines) <= 20, sum(lines) / len(lines)


def test_every_rule_passes_the_hash_of_its_code():
    """Download rules excepted: what they fetch is checked against published checksums, not made by our code."""
    for smk, name, block in rules():
        if "script:" in block and not name.startswith("download_"):
            assert re.search(r"code=code\(|\*\*entry_job\(", block), f"{smk}: rule {name} passes no code hash"


def test_scripts_are_one_library_call_each():
    """Imports, the log setup, then one call of a library function with keyword arguments only."""
    for script in sorted((REPO / "workflow" / "scripts").glob("*.py")):
        body = ast.parse(script.read_text()).body
        statements = [node for node in body if not isinstance(node, ast.Import | ast.ImportFrom)]
        assert ast.get_docstring(ast.Module(body=body, type_ignores=[])), f"{script.name} has no docstring"
        statements = statements[1:]  # the docstring
        assert [ast.unparse(node) for node in statements[:1]] == ["setup(snakemake.log[0])"], script.name
        assert len(statements) == 2, f"{script.name}: {len(statements)} statements; move logic into src/difficulty"
        call = statements[1].value
        assert isinstance(call, ast.Call) and not call.args and call.keywords, f"{script.name}: keyword arguments"


def test_the_command_says_its_version_the_one_of_the_package_and_the_changelog():
    import difficulty

    out = subprocess.run(
        [sys.executable, "-m", "difficulty.cli", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"difficulty {difficulty.__version__}"
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{difficulty.__version__}] - " in changelog and "## [0.1.0] - " in changelog  # Keep a Changelog
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text()
