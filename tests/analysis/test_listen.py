"""What a service listens on, from its command and environment."""

from __future__ import annotations

import pytest

from dockernet.analysis.listen import declared_listeners, declared_ports
from dockernet.model import Loc, PortMapping, Service, frozen_map


def svc(command: tuple[str, ...] = (), env: dict[str, str | None] | None = None, **kw: object) -> Service:
    return Service(
        project="p",
        name="app",
        loc=Loc("compose.yaml", 3),
        command=command,
        environment=frozen_map(env),
        **kw,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "port", "address"),
    [
        (("gunicorn", "-b", "0.0.0.0:8000", "app:app"), 8000, None),
        (("gunicorn", "--bind=127.0.0.1:8000", "app:app"), 8000, "127.0.0.1"),
        (("httpd", "-f", "-p", "3000"), 3000, None),
        (("httpd", "-f", "-p", "127.0.0.1:3000"), 3000, "127.0.0.1"),
        (("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"), 8080, None),
        (("uvicorn", "main:app", "--port", "8080"), 8080, None),
        (("uvicorn", "main:app"), 8000, "127.0.0.1"),
        (("flask", "run"), 5000, "127.0.0.1"),
        (("flask", "run", "--host=0.0.0.0"), 5000, None),
        (("python", "manage.py", "runserver", "0.0.0.0:8000"), 8000, None),
        (("python", "manage.py", "runserver"), 8000, "127.0.0.1"),
        (("sh", "-c", "gunicorn -b [::1]:9000 app:app"), 9000, "::1"),
    ],
)
def test_command_listeners(command: tuple[str, ...], port: int, address: str | None) -> None:
    got = [(lst.port, lst.address) for lst in declared_listeners(svc(command))]
    assert got == [(port, address)]


def test_uvicorn_port_without_host_is_loopback_by_default() -> None:
    # `--port` alone keeps uvicorn's default host 127.0.0.1; dockernet must not call it all-interfaces.
    (lst,) = declared_listeners(svc(("uvicorn", "main:app", "--port", "8080")))
    assert lst.port == 8080


def test_environment_listeners() -> None:
    got = declared_listeners(
        svc(env={"ASPNETCORE_URLS": "http://+:8000;http://localhost:8001", "PORT": "3000"})
    )
    assert [(lst.port, lst.address, lst.loopback_only) for lst in got] == [
        (8000, None, False),
        (8001, "localhost", True),
        (3000, None, False),
    ]


def test_declared_ports_merge_evidence() -> None:
    s = svc(("httpd", "-p", "3000"), expose=(9000,), ports=(PortMapping(target=80, published=8080),))
    assert declared_ports(s, extra=[5000]) == {
        3000: "command -p 3000",
        9000: "expose",
        80: "ports",
        5000: "Dockerfile EXPOSE",
    }


def test_image_defaults_only_when_nothing_declared() -> None:
    assert declared_ports(svc(image="php:8.2-fpm")) == {9000: "image php:8.2-fpm"}
    assert declared_ports(svc(image="php:8.2-fpm", expose=(9001,))) == {9001: "expose"}
    assert declared_ports(svc(image="mycompany/app:1")) == {}
