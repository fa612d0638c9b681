"""The command line as a user meets it: exit codes, formats, configuration, suppressions, baseline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from dockernet import cli
from tests.conftest import REPO
from tests.samples import all_samples

SCHEMA = json.loads((REPO / "tests/data/sarif-2.1.0-rtm.5.json").read_text())

COMPOSE = """\
name: demo
services:
  nginx:
    image: dockernet-test/nginx:latest
    volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [app]
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "3000"]
    ports: ["8080:3000"]
"""
NGINX = """\
server {
    listen 80;
    error_page 502 /50x.html;
    location / {
        proxy_pass http://app:8080;
    }
}
"""


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, cwd: Path) -> Done:
    """The CLI in-process (typer's runner), from ``cwd``; one real subprocess test guards the entry point."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.app, list(args), env={"NO_COLOR": "1"})
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr)


def test_console_entry_point(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dockernet", "check", "nowhere"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stderr == "nowhere: error: no such file or directory\n"


@pytest.mark.parametrize(
    "args",
    [("check", "--bogus"), ("check", "--format", "nope"), ("nosuchcommand",), ("explain",)],
    ids=["unknown-option", "bad-value", "unknown-command", "missing-argument"],
)
def test_arguments_the_parser_rejects_exit_3(args: tuple[str, ...], tmp_path: Path) -> None:
    """Exit 3 is a usage error (docs/ci.md); 2 means an input file could not be read."""
    done = subprocess.run(
        [sys.executable, "-m", "dockernet", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "Error:" in done.stderr and "Traceback" not in done.stderr


def test_dash_h_is_help(tmp_path: Path) -> None:
    for args in (["-h"], ["check", "-h"], ["graph", "-h"]):
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 0 and "Usage: dockernet" in done.stdout, args


def test_an_override_of_a_service_that_does_not_exist_is_a_usage_error(project: Path) -> None:
    done = run("check", "--nginx", "ngnix=nginx.conf", cwd=project)
    assert done.returncode == 3
    assert 'no service "ngnix"' in done.stderr and "did you mean" in done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "nginx.conf").write_text(NGINX)
    return tmp_path


def test_text_output_and_exit_1(project: Path) -> None:
    done = run("check", cwd=project)
    assert done.returncode == 1, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("nginx.conf:5: error DN105 ")
    assert "hint: use the container port: proxy_pass http://app:3000;" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("1 error")


def test_json_contract(project: Path) -> None:
    done = run("check", "--format", "json", cwd=project)
    doc = json.loads(done.stdout)
    assert doc["version"] == 1
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert errors == [
        {
            "rule": "DN105",
            "name": "published-port-used",
            "severity": "error",
            "message": errors[0]["message"],
            "hint": "use the container port: proxy_pass http://app:3000;",
            "file": "nginx.conf",
            "line": 5,
            "project": "demo",
            "service": "nginx",
            "target": "http://app:8080",
            "related": [{"file": "compose.yaml", "line": 3}, {"file": "compose.yaml", "line": 7}],
            "edits": [
                {
                    "file": "nginx.conf",
                    "line": 5,
                    "old": "proxy_pass http://app:8080;",
                    "new": "proxy_pass http://app:3000;",
                    "before": False,
                }
            ],
        }
    ]
    assert doc["summary"]["errors"] == 1


def test_fail_on_and_clean_exit(project: Path) -> None:
    (project / "nginx.conf").write_text(NGINX.replace("app:8080", "app:3000"))
    assert run("check", cwd=project).returncode == 0
    assert run("check", "--fail-on", "note", cwd=project).returncode == 0  # the notes are opt-in
    done = run("check", "--fail-on", "note", "--select", "ALL", cwd=project)
    assert done.returncode == 1 and "note DN301" in done.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a: [\n")
    done = run("check", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("compose.yaml:")
    assert "Traceback" not in done.stderr


def test_what_the_loader_read_in_part_is_a_warning_on_stderr(tmp_path: Path) -> None:
    """A missing env file and a second compose file name are said on stderr, as ``file:line: warning:``
    lines with relative paths, and the report on stdout stays machine-readable."""
    body = "services:\n  a:\n    image: x\n    env_file: secrets.env\n"
    (tmp_path / "compose.yaml").write_text(body)
    (tmp_path / "docker-compose.yml").write_text(body)
    for cmd in (("check", "--format", "json"), ("graph", "--format", "dot")):
        done = run(*cmd, cwd=tmp_path)
        assert done.stderr.splitlines() == [
            ".: warning: several compose files (compose.yaml, docker-compose.yml); using compose.yaml like "
            "docker compose",
            "compose.yaml:4: warning: env file secrets.env not found: its variables are unknown here, and "
            "docker compose refuses to start without it (unless `required: false`)",
        ], cmd
    assert json.loads(run("check", "--format", "json", cwd=tmp_path).stdout)["findings"] == []


def test_missing_project_dir(tmp_path: Path) -> None:
    done = run("check", "nowhere", cwd=tmp_path)
    assert done.returncode == 2 and "nowhere" in done.stderr and done.stderr.count("\n") == 1


def test_sarif_validates_and_points_at_the_file(project: Path) -> None:
    done = run("check", "--format", "sarif", cwd=project)
    doc = json.loads(done.stdout)
    jsonschema.validate(doc, SCHEMA)
    run_ = doc["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == sorted(
        {r["ruleId"] for r in run_["results"]}
    )
    dn105 = next(r for r in run_["results"] if r["ruleId"] == "DN105")
    loc = dn105["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "nginx.conf" and loc["region"]["startLine"] == 5
    assert dn105["level"] == "error" and dn105["relatedLocations"]


def test_github_format_matches_json(project: Path) -> None:
    gh = run("check", "--format", "github", cwd=project).stdout.splitlines()
    doc = json.loads(run("check", "--format", "json", cwd=project).stdout)
    assert len(gh) == len(doc["findings"])
    assert gh[0].startswith("::error file=nginx.conf,line=5,title=DN105 published-port-used::")


def test_junit_has_a_failing_case(project: Path) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(run("check", "--format", "junit", cwd=project).stdout)
    failing = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert ("DN105", "nginx.conf") in {(c.get("classname"), c.get("name")) for c in failing}


def test_output_file(project: Path) -> None:
    done = run("check", "--format", "json", "-o", "out.json", cwd=project)
    assert done.stdout == "" and json.loads((project / "out.json").read_text())["version"] == 1


def test_config_ignore_and_severity(project: Path) -> None:
    (project / ".dockernet.toml").write_text('ignore = ["published-port-used"]\n')
    assert run("check", cwd=project).returncode == 0
    (project / ".dockernet.toml").write_text('[severity]\nDN105 = "warning"\n')
    assert "warning DN105" in run("check", cwd=project).stdout
    (project / ".dockernet.toml").write_text('fail-on = "note"\n')
    assert run("check", cwd=project).returncode == 1


def test_config_in_pyproject_found_walking_up(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.dockernet]\nignore = ["DN1"]\n')
    sub = project / "sub"
    sub.mkdir()
    assert run("check", "..", cwd=sub).returncode == 0


def test_config_errors_name_the_problem(project: Path) -> None:
    (project / ".dockernet.toml").write_text('ignroe = ["DN105"]\n')
    done = run("check", cwd=project)
    assert done.returncode == 3 and "unknown key ignroe" in done.stderr
    (project / ".dockernet.toml").write_text('ignore = ["DN999"]\n')
    done = run("check", cwd=project)
    assert done.returncode == 3 and 'unknown rule "DN999"' in done.stderr


def test_per_path_ignores(project: Path) -> None:
    (project / ".dockernet.toml").write_text('[per-path-ignores]\n"nginx.conf" = ["DN105"]\n')
    assert run("check", cwd=project).returncode == 0


def test_inline_suppression_and_unused_note(project: Path) -> None:
    (project / "nginx.conf").write_text(
        NGINX.replace(
            "proxy_pass http://app:8080;", "proxy_pass http://app:8080;  # dockernet: ignore[DN105]"
        )
    )
    assert run("check", cwd=project).returncode == 0
    # in YAML, above the line; it suppresses nothing there, so it is reported
    (project / "compose.yaml").write_text(
        COMPOSE.replace("    ports:", "    # dockernet: ignore[DN104]\n    ports:")
    )
    out = run("check", "--fail-on", "note", cwd=project).stdout
    assert "note DN300 suppression of DN104 matches no finding" in out


def test_baseline_reports_only_new(project: Path) -> None:
    first = run("check", "--baseline", "base.json", cwd=project)
    assert first.returncode == 0 and (project / "base.json").exists()
    assert run("check", "--baseline", "base.json", cwd=project).returncode == 0
    (project / "nginx.conf").write_text(
        NGINX.replace(
            "location / {", "location /x/ {\n        proxy_pass http://127.0.0.1:9;\n    }\n    location / {"
        )
    )
    done = run("check", "--baseline", "base.json", cwd=project)
    assert done.returncode == 1 and "DN101" in done.stdout and "DN105" not in done.stdout


def test_rules_and_explain() -> None:
    out = run("rules", cwd=REPO).stdout
    assert out.splitlines()[0].startswith("DN101  loopback-upstream")
    # one column per field, however long the longest name: the severities line up
    assert len({line.index(" error ") for line in out.splitlines() if " error " in line}) == 1
    page = run("explain", "no-shared-network", cwd=REPO).stdout
    assert page.startswith("# DN103 `no-shared-network`") and "## Use instead" in page
    assert run("explain", "DN999", cwd=REPO).returncode == 3


def test_every_reader_with_files_has_its_option_in_each_command() -> None:
    """DN305's hint names the reader's ``override_option``: check, graph and trace all take it."""
    from dockernet.dialects import DIALECTS

    options = {d.override_option for d in DIALECTS.values() if d.override_option is not None}
    assert options == {"--nginx", "--caddy", "--traefik", "--haproxy", "--apache"}
    for command in ("check", "graph", "trace"):
        helped = run(command, "--help", cwd=REPO).stdout
        assert all(option in helped for option in options), command


def test_version() -> None:
    assert run("--version", cwd=REPO).stdout.startswith("dockernet ")


@pytest.mark.parametrize("sample", all_samples(), ids=[s.name for s in all_samples()])
def test_sarif_on_every_sample(sample) -> None:
    dirs = [str(d) for d in sample.dirs] + (["--stack"] if sample.stack else [])
    dirs += [f"--host-proxy={h}" for h in sample.host_proxies]
    done = run("check", *dirs, "--format", "sarif", "--fail-on", "note", "--select", "ALL", cwd=REPO)
    doc = json.loads(done.stdout)
    jsonschema.validate(doc, SCHEMA)
    got = set()
    for r in doc["runs"][0]["results"]:
        physical = r["locations"][0]["physicalLocation"]
        file = os.path.relpath(REPO / physical["artifactLocation"]["uri"], sample.path)
        got.add(f"{file}:{physical.get('region', {}).get('startLine', 0)} {r['level']} {r['ruleId']}")
    assert got == set(sample.expected)
    gh = run("check", *dirs, "--format", "github", "--select", "ALL", cwd=REPO).stdout.splitlines()
    assert len(gh) == len(sample.expected)


def _bomb(root: Path) -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)
    ]
    (root / "compose.yaml").write_text("\n".join(levels) + "\nservices: {}\n")


def _big(root: Path) -> None:
    with (root / "compose.yaml").open("w") as fh:
        fh.write("services:\n")
        line = "  # " + "x" * 1000 + "\n"
        for _ in range(50_000):
            fh.write(line)


def _with_nginx(conf: str, extra: dict[str, str] | None = None) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / "compose.yaml").write_text(
            COMPOSE.replace("./nginx.conf:/etc/nginx/conf.d/default.conf", "./conf:/etc/nginx/conf.d")
        )
        (root / "conf").mkdir()
        (root / "conf" / "default.conf").write_text(conf)
        for name, text in (extra or {}).items():
            (root / "conf" / name).write_text(text)

    return make


MALFORMED = {
    "bad-yaml": (lambda r: (r / "compose.yaml").write_text("services:\n  a: [\n"), "compose.yaml:3: error: "),
    "yaml-bomb": (_bomb, "compose.yaml:1: error: "),
    "binary": (lambda r: (r / "compose.yaml").write_bytes(b"\x7fELF\x00\x01\x02"), "compose.yaml: error: "),
    "non-utf8": (lambda r: (r / "compose.yaml").write_bytes(b"services:\n  caf\xe9: {}\n"), "compose.yaml"),
    "50MB": (_big, "compose.yaml: error: file too large"),
    "include-cycle": (
        _with_nginx(
            "include /etc/nginx/conf.d/a.inc;\n",
            {"a.inc": "include /etc/nginx/conf.d/b.inc;\n", "b.inc": "include /etc/nginx/conf.d/a.inc;\n"},
        ),
        "conf/b.inc:1: error: ",
    ),
}


# What nginx itself refuses is a finding (DN401), as hadolint and yamllint report a parse error, and the
# rest is still checked: exit 1, not 2.
REFUSED = {
    "missing-include": (
        _with_nginx("include /etc/nginx/conf.d/missing.inc;\n"),
        'conf/default.conf:1: error DN401 nginx will refuse to start: open() "/etc/nginx/conf.d/missing.inc"'
        " failed (2: No such file or directory)",
    ),
    "nginx-syntax": (
        _with_nginx("server {\n    listen 80\n}\n"),
        'conf/default.conf:3: error DN401 nginx will refuse to start: unexpected "}"',
    ),
    "unknown-directive": (
        _with_nginx("server {\n    listen 80;\n    proxy_pas http://app:3000;\n}\n"),
        'conf/default.conf:3: error DN401 nginx will refuse to start: unknown directive "proxy_pas"',
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_config_nginx_refuses_is_a_finding(case: str, tmp_path: Path) -> None:
    make, first_line = REFUSED[case]
    make(tmp_path)
    done = run("check", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == first_line, done.stdout
    assert done.stderr == ""
    if case != "unknown-directive":  # refused before any route was read
        assert done.stdout.splitlines()[-1] == (
            "nothing else was checked: nginx refuses the configuration before any route (DN401 above)"
        )


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_is_one_line_exit_2_and_fast(case: str, tmp_path: Path) -> None:
    import time

    make, prefix = MALFORMED[case]
    make(tmp_path)
    start = time.monotonic()
    done = run("check", cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(prefix) and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 20, f"{case} took {elapsed:.1f} s"


def test_a_suppression_of_an_opt_in_rule_is_not_stale_by_default(project: Path) -> None:
    """``ignore[DN301]`` suppresses a note that does not run by default: DN300 must not call it unused,
    and with ``--select ALL`` it suppresses the note."""
    (project / "nginx.conf").write_text(
        NGINX.replace("app:8080", "app:3000").replace(
            "proxy_pass http://app:3000;", "proxy_pass http://app:3000;  # dockernet: ignore[DN301]"
        )
    )
    assert "DN300" not in run("check", "--fail-on", "note", cwd=project).stdout
    everything = run("check", "--select", "ALL", cwd=project).stdout
    assert "DN300" not in everything and "DN301" not in everything


def test_explain_renders_on_a_terminal_and_suggests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR stands for a terminal: the page comes without Markdown marks; NO_COLOR wins; piped, the
    Markdown itself. A code close to a rule's gets a suggestion."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    shown = subprocess.run(
        [sys.executable, "-m", "dockernet", "explain", "DN101"], capture_output=True, text=True, check=False
    ).stdout
    assert "\x1b[1mWhat it does" in shown and "```" not in shown and "## " not in shown
    monkeypatch.setenv("NO_COLOR", "1")
    plain = subprocess.run(
        [sys.executable, "-m", "dockernet", "explain", "DN101"], capture_output=True, text=True, check=False
    ).stdout
    assert plain.startswith("# DN101") and "\x1b[" not in plain
    done = run("explain", "DN1033", cwd=tmp_path)
    assert done.returncode == 3 and 'did you mean "DN103" (no-shared-network)?' in done.stderr
    done = run("check", "--select", "no-shard-network", cwd=tmp_path)
    assert done.returncode == 3 and 'did you mean "no-shared-network" (DN103)?' in done.stderr


def test_output_refuses_a_symlink_and_exit_2_leaves_no_stale_report(project: Path, tmp_path: Path) -> None:
    """-o never writes through a symlink a pull request planted, and a run that cannot read its input
    removes the report an earlier run left (docs/ci.md: exit 2 writes no report)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (project / "report.sarif").symlink_to(victim)
    done = run("check", "--format", "sarif", "-o", "report.sarif", cwd=project)
    assert done.returncode == 3 and "symbolic link" in done.stderr
    assert victim.read_text() == "precious\n"
    (project / "report.sarif").unlink()
    assert run("check", "--format", "sarif", "-o", "report.sarif", cwd=project).returncode == 1  # DN105
    assert json.loads((project / "report.sarif").read_text())["version"] == "2.1.0"
    (project / "compose.yaml").write_text("services:\n  a: [\n")
    assert run("check", "--format", "sarif", "-o", "report.sarif", cwd=project).returncode == 2
    assert not (project / "report.sarif").exists()
    assert not [p for p in project.iterdir() if p.name.startswith(".report.sarif.")]
