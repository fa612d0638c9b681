"""The built wheel, installed in a fresh venv the way users install the tool (README: ``pip install .``),
runs: the console script, its version, and a check of a bundled sample. Offline: pip installs from the
wheelhouse that ``.ci/run`` builds (``.wheelhouse/``: dockernet's wheel and its dependencies)."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from dockernet import __version__
from tests.cli.test_precommit import WHEELHOUSE, unavailable  # the same wheelhouse, the same rule
from tests.conftest import REPO


def test_the_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    wheels = sorted(WHEELHOUSE.glob(f"dockernet-{__version__}-*.whl"))
    if not wheels:
        unavailable(f"no dockernet {__version__} wheel in {WHEELHOUSE}: run the wheelhouse step of .ci/run")
    names = zipfile.ZipFile(wheels[-1]).namelist()
    assert not [n for n in names if n.startswith("tests/")], "the wheel ships the test suite"
    assert "dockernet/rules/dn101_loopback_upstream.py" in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(WHEELHOUSE)]
    subprocess.run([*install, str(wheels[-1])], check=True, timeout=300, capture_output=True)
    tool = env_dir / "bin" / "dockernet"
    version = subprocess.run(
        [str(tool), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert version.stdout.strip() == f"dockernet {__version__}"
    sample = REPO / "compose-samples" / "classic-localhost" / "broken"
    done = subprocess.run(
        [str(tool), "check", str(sample)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1 and "error DN101" in done.stdout, done.stdout + done.stderr
    assert sys.prefix not in done.stdout  # the tool runs from its own venv, not this one


def test_pipx_install_of_the_checkout(tmp_path: Path) -> None:
    """README's install line, ``pipx install .``, as written (offline: pipx's own venvs take their packages
    from the wheelhouse)."""
    if not any(WHEELHOUSE.glob("pipx-*.whl")):
        unavailable(f"no pipx wheel in {WHEELHOUSE}: run the wheelhouse step of .ci/run")
    tools = tmp_path / "tools"
    venv.create(tools, with_pip=True)
    offline = ["--no-index", "--find-links", str(WHEELHOUSE)]
    subprocess.run(
        [str(tools / "bin" / "python"), "-m", "pip", "install", "-q", *offline, "pipx"],
        check=True,
        timeout=300,
        capture_output=True,
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
    }
    done = subprocess.run(
        [str(tools / "bin" / "pipx"), "install", "--pip-args", " ".join(offline), "."],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    version = subprocess.run(
        [str(tmp_path / "bin" / "dockernet"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert version.stdout.strip() == f"dockernet {__version__}"
