"""The pre-commit hook (.pre-commit-hooks.yaml) as a pre-commit user meets it: a sample repository whose
.pre-commit-config.yaml is the snippet from docs/ci.md, pointing at this repository at its HEAD commit.

pre-commit clones the hook repository at ``rev``, makes a virtualenv and pip-installs it there. Tests have no
network, so pip installs from the wheelhouse that ``.ci/run`` builds (``.wheelhouse/``: dockernet's
dependencies and its build backend) with ``PIP_NO_INDEX``; pre-commit's store is private to the test. The
first run installs the hook (the slow part, once per module); the other runs reuse it.

pre-commit takes what is committed, so the hook definition tested is HEAD's: commit .pre-commit-hooks.yaml
before running this. Without a wheelhouse or with a HEAD that lacks the file the tests are skipped, and
failed under CI=true (where .ci/run has built the wheelhouse in a fresh clone).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
import yaml

from tests.conftest import REPO, in_ci

WHEELHOUSE = REPO / ".wheelhouse"
SAMPLE = REPO / "compose-samples/classic-localhost"
DOCS = REPO / "docs/ci.md"


def unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason}; CI=true, so .ci/run should have provided it", pytrace=False)
    pytest.skip(reason)


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def docs_config() -> dict:
    """The .pre-commit-config.yaml of docs/ci.md (the yaml block naming the dockernet hook)."""
    for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S):
        doc = yaml.safe_load(block)
        if isinstance(doc, dict) and "repos" in doc and "id: dockernet" in block:
            return doc
    raise AssertionError("docs/ci.md has no ```yaml block with a .pre-commit-config.yaml for dockernet")


@dataclass
class Hook:
    """Runs pre-commit in sample repositories against this repository's HEAD."""

    home: Path
    rev: str
    env: dict[str, str]

    def repository(self, path: Path, sample: Path, args: list[str] | None = None) -> Path:
        """A git repository at ``path`` with ``sample``'s project and the docs' pre-commit config."""
        path.mkdir()
        for item in sample.iterdir():
            if item.name != "expected.txt":
                shutil.copy(item, path / item.name)
        (path / "README.md").write_text("# a project behind nginx\n")
        config = docs_config()
        config["repos"][0]["repo"] = str(REPO)
        config["repos"][0]["rev"] = self.rev
        if args:
            config["repos"][0]["hooks"][0]["args"] = args
        (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        git("init", "-q", cwd=path, env=self.env)
        git("add", ".", cwd=path, env=self.env)
        git("commit", "-q", "-m", "sample", cwd=path, env=self.env)
        return path

    def run(self, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--color", "never", *args],
            cwd=repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> Hook:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        unavailable("pre-commit is not installed: pip install -e '.[test]'")
    if not any(WHEELHOUSE.glob("*.whl")):
        unavailable(f"no wheelhouse at {WHEELHOUSE}: run the wheelhouse step of .ci/run")
    if not (REPO / ".git").exists():
        unavailable(f"{REPO} is not a git repository (pre-commit clones the hook repository)")
    rev = git("rev-parse", "HEAD", cwd=REPO)
    has_hooks = subprocess.run(
        ["git", "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"], cwd=REPO, capture_output=True, check=False
    )
    if has_hooks.returncode != 0:
        unavailable(f"HEAD ({rev[:12]}) has no .pre-commit-hooks.yaml: commit it first")
    tmp = tmp_path_factory.mktemp("pre-commit")
    (tmp / "gitconfig").write_text("[user]\n\tname = sample\n\temail = sample@example.invalid\n")
    # Nothing from the caller's git, pip, virtualenv or pre-commit settings; pip strictly offline.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PIP_", "PRE_COMMIT", "VIRTUALENV_"))
    }
    env.update(
        GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp / "home"),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp / "virtualenv"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        NO_COLOR="1",
    )
    return Hook(home=tmp / "home", rev=rev, env=env)


def test_hook_fails_on_the_broken_project(hook: Hook, tmp_path: Path) -> None:
    repo = hook.repository(tmp_path / "broken", SAMPLE / "broken")
    done = hook.run(repo, "--all-files")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert re.search(r"^dockernet\.+Failed$", done.stdout, re.M), out
    assert "nginx.conf:7: error DN101 nginx (location /app/) connects to localhost:3000" in done.stdout
    assert "hint: use the service name: proxy_pass http://app:3000;" in done.stdout
    # Only a change to a file that can change a verdict runs the hook.
    skipped = hook.run(repo, "--files", "README.md")
    assert skipped.returncode == 0 and re.search(
        r"^dockernet\.+\(no files to check\)Skipped$", skipped.stdout, re.M
    )
    assert hook.run(repo, "--files", "nginx.conf").returncode == 1
    assert hook.run(repo, "--files", "compose.yaml").returncode == 1


def test_hook_passes_on_the_fixed_project(hook: Hook, tmp_path: Path) -> None:
    repo = hook.repository(tmp_path / "fixed", SAMPLE / "fixed")
    done = hook.run(repo, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^dockernet\.+Passed$", done.stdout, re.M), done.stdout


def test_hook_args_reach_dockernet(hook: Hook, tmp_path: Path) -> None:
    # docs/ci.md: `args: [--format, github]` turns the findings into GitHub Actions annotations.
    repo = hook.repository(tmp_path / "github", SAMPLE / "broken", args=["--format", "github"])
    done = hook.run(repo, "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=nginx.conf,line=7,title=DN101 loopback-upstream::" in done.stdout


def test_the_recipes_name_only_refs_that_exist() -> None:
    """docs/ci.md's install lines and pre-commit ``rev`` name the branch or a tag this repository has:
    a recipe copied as written must work."""
    text = DOCS.read_text()
    refs = set(re.findall(r"github\.com/dockernet/dockernet@([\w.\-/]+)", text))
    refs |= set(re.findall(r"^\s*rev:\s*(\S+)", text, re.M))
    assert refs, "docs/ci.md names no ref at all"
    tags = set(git("tag", "--list", cwd=REPO).split()) if (REPO / ".git").exists() else set()
    assert refs <= {"main"} | tags, f"refs that do not exist: {sorted(refs - {'main'} - tags)}"
