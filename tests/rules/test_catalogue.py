"""The rule catalogue is complete: every rule has its docs page (as ``dockernet.rules.docs`` makes it, with
the four headings), a broken and a fixed sample (a live-engine test for live-only rules) and a test. Adding a
rule without one of these fails here, naming the rule and what it lacks.

Also the command line's self-description: ``--help`` with examples, shell completion, ``--version``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import re
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockernet import __version__, cli, rules
from dockernet.rules import docs
from tests.conftest import REPO
from tests.samples import SAMPLES, expected_lines

TESTS = REPO / "tests"
DOCS = REPO / "docs/rules"
HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
RULE_IDS = sorted(rules.RULES)
REGENERATE = "regenerate with `python -m dockernet.rules.docs` and commit docs/rules/"

# Fixtures that need a live Docker engine (tests/conftest.py).
ENGINE_FIXTURES = {"docker_engine", "busybox_image", "nginx_image", "compose_cli"}


@cache
def modules_of_tests() -> dict[Path, str]:
    """Every Python module under tests/, at any depth, but this one (it names no rule on purpose)."""
    this = Path(__file__).resolve()
    return {p: p.read_text() for p in sorted(TESTS.rglob("*.py")) if p.resolve() != this}


@cache
def live_test_bodies() -> list[str]:
    """Source of each test function in a module that uses the live engine (some function of the module
    takes an engine fixture, directly or through a fixture of its own)."""
    out = []
    for source in modules_of_tests().values():
        tree = ast.parse(source)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        params = {a.arg for f in functions for a in f.args.args + f.args.kwonlyargs}
        if params & ENGINE_FIXTURES:
            out += [ast.get_source_segment(source, f) or "" for f in functions if f.name.startswith("test")]
    return out


def sample_projects(rule_id: str, variant: str) -> list[Path]:
    return sorted(
        p.parent for p in SAMPLES.glob(f"{rule_id.lower()}-*/{variant}/expected.txt") if p.parent.is_dir()
    )


def fires(project: Path, rule_id: str) -> bool:
    return any(line.endswith(" " + rule_id) for line in expected_lines(project / "expected.txt"))


def sections(rule_id: str) -> tuple[list[str], list[str]]:
    """The docstring's ``##`` headings and the text under each."""
    text = inspect.cleandoc(rules.RULES[rule_id].__doc__ or "")
    return re.findall(r"^## .*$", text, re.M), re.split(r"^## .*$", text, flags=re.M)[1:]


# ------------------------------------------------------------------------------------------ docs pages


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_its_docs_page(rule_id: str) -> None:
    path = DOCS / f"{rule_id}.md"
    assert path.is_file(), f"{rule_id} has no docs page docs/rules/{path.name}: {REGENERATE}"
    assert path.read_text() == docs.page(rules.RULES[rule_id]), (
        f"docs/rules/{path.name} differs from the rule's docstring: {REGENERATE}"
    )


def test_rules_index_and_no_stale_pages() -> None:
    assert (DOCS / "README.md").read_text() == docs.index(), f"docs/rules/README.md is stale: {REGENERATE}"
    stale = sorted(p.name for p in DOCS.glob("*.md") if p.name not in docs.pages())
    assert not stale, f"docs/rules/ has pages of no rule: {stale}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_docs_have_the_four_headings(rule_id: str) -> None:
    headings, bodies = sections(rule_id)
    assert headings == HEADINGS, (
        f"{rule_id}'s docstring needs exactly the headings {HEADINGS}, has {headings}"
    )
    empty = [h for h, body in zip(headings, bodies, strict=True) if not body.strip()]
    assert not empty, f"{rule_id}: nothing under {empty}"


# A sentence that ends inside `code` ("`server ... resolve`") cuts the summary short: docs.summary splits the
# first paragraph at ". ". Filed with the report of this test; the marker goes when the summary is whole.
KNOWN_CUT_SUMMARIES: set[str] = set()


@pytest.mark.parametrize(
    "rule_id",
    [
        pytest.param(
            r,
            marks=pytest.mark.xfail(strict=True, reason="docs.summary cuts at the `...` in a code span")
            if r in KNOWN_CUT_SUMMARIES
            else (),
        )
        for r in RULE_IDS
    ],
)
def test_rule_summary_is_a_whole_sentence(rule_id: str) -> None:
    # The one line of `dockernet rules`, docs/rules/README.md and SARIF's shortDescription.
    line = docs.summary(rules.RULES[rule_id])
    assert line.count("`") % 2 == 0 and line.count("(") == line.count(")"), f"{rule_id}: cut short: {line}"
    assert len(line.split()) >= 4, f"{rule_id}: summary too short: {line}"


# ------------------------------------------------------------------------------------- samples and tests


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_a_broken_and_a_fixed_sample(rule_id: str) -> None:
    if rules.meta(rule_id).live:
        # Only a live engine fires these (scan, check --engine): the proof is a test on the engine.
        assert any(rule_id in body for body in live_test_bodies()), (
            f"{rule_id} is live-only (META.live) and needs a live-engine test that names it: a test in a "
            f"module that uses {sorted(ENGINE_FIXTURES)}"
        )
        return
    where = f"compose-samples/{rule_id.lower()}-*/"
    broken, fixed = sample_projects(rule_id, "broken"), sample_projects(rule_id, "fixed")
    assert broken, f"{rule_id} has no broken sample: {where}broken/ with compose.yaml and expected.txt"
    assert fixed, f"{rule_id} has no fixed sample: {where}fixed/ with compose.yaml and expected.txt"
    assert any(fires(p, rule_id) for p in broken), f"{rule_id} must fire on {where}broken (expected.txt)"
    assert not any(fires(p, rule_id) for p in fixed), f"{rule_id} must stay quiet on {where}fixed"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_a_test(rule_id: str) -> None:
    word = re.compile(rf"\b{rule_id}\b")
    in_tests = [p for p, text in modules_of_tests().items() if word.search(text)]
    in_samples = [p for p in SAMPLES.glob("*/*/expected.txt") if fires(p.parent, rule_id)]
    assert in_tests or in_samples, (
        f"{rule_id} is named by no test: neither in tests/**/*.py nor in a compose-samples/*/*/expected.txt"
    )


def test_every_sample_directory_belongs_to_a_rule() -> None:
    # A sample named for a rule that was renumbered or removed would silently prove nothing.
    prefixes = {d.name.split("-", 1)[0].upper() for d in SAMPLES.iterdir() if d.is_dir()}
    unknown = sorted(p for p in prefixes if re.fullmatch(r"DN\d+", p) and p not in rules.RULES)
    assert not unknown, f"compose-samples/ has samples of no rule: {unknown}"


# ------------------------------------------------------------------------------------------- the CLI


def registered() -> set[str]:
    return {c.name or c.callback.__name__ for c in cli.app.registered_commands if c.callback}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, list(args), prog_name="dockernet", env={"NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def commands() -> list[str]:
    return sorted(registered())


def test_rules_lists_every_rule_and_explain_prints_its_page() -> None:
    code, out = invoke("rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(rules.RULES)
    for rule_id, module in rules.RULES.items():
        assert invoke("explain", rule_id) == (0, docs.page(module))
        assert invoke("explain", module.META.name)[1] == docs.page(module)


# Commands whose --help has no examples yet (issue 5 asks for them everywhere). Strict: the marker must go
# as soon as the examples are there.
NO_EXAMPLES_YET: set[str] = set()


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(
            c,
            id=c or "dockernet",
            marks=pytest.mark.xfail(strict=True, reason="no examples in this --help yet")
            if c in NO_EXAMPLES_YET
            else (),
        )
        for c in ["", *commands()]
    ],
)
def test_help_shows_examples(command: str) -> None:
    code, out = invoke(*([command] if command else []), "--help")
    assert code == 0
    assert "Examples:" in out and f"dockernet {command}".strip() in out.split("Examples:", 1)[1], out


def test_check_help_examples_include_the_ci_line() -> None:
    _, out = invoke("check", "--help")
    assert "dockernet check --format sarif -o dockernet.sarif" in " ".join(out.split())


def test_version_matches_the_package() -> None:
    code, out = invoke("--version")
    assert (code, out) == (0, f"dockernet {__version__}\n")
    assert __version__ == importlib.metadata.version("dockernet")


def test_show_completion_prints_a_bash_script() -> None:
    code, out = invoke("--show-completion", "bash")
    assert code == 0, out
    assert "complete " in out and "dockernet" in out and "_DOCKERNET_COMPLETE" in out, out


def test_completion_completes_commands_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the installed script asks: the program itself, with the completion variables set.
    def complete(words: str) -> list[str]:
        cword = len(words.split()) - (0 if words.endswith(" ") else 1)
        env = {"_DOCKERNET_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        result = CliRunner().invoke(cli.app, [], prog_name="dockernet", env=env)
        return result.output.split()

    assert {"check", "rules", "explain", "scan", "graph"} <= set(complete("dockernet "))
    assert complete("dockernet ch") == ["check"]
    assert {"sarif", "github", "junit"} <= set(complete("dockernet check --format "))
