"""DN115 resolver-cannot-see-docker: each way a runtime lookup misses the container, on inline projects.

On the test engine (nginx 1.22, Engine 20.10.24), each broken case below answers 502:

* ``resolver 127.0.0.11`` in a proxy on the default bridge (``network_mode: bridge``, ``links: [app]``) or
  in ``network_mode: host``: ``recv() failed (111: Connection refused) while resolving, resolver:
  127.0.0.11:53``, then ``app could not be resolved (110: Operation timed out)``;
* a name that only ``extra_hosts`` gives, looked up through ``resolver 127.0.0.11``: ``backend-alias could
  not be resolved`` (the embedded DNS does not know it; nginx's resolver never reads /etc/hosts);
* a resolver that is not Docker's: compose-samples/dn115-resolver-cannot-see-docker/broken.

A public resolver (``8.8.8.8``) is only checked statically here: running it would send queries off the
machine.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from dockernet import pipeline
from dockernet.model.findings import Finding
from dockernet.pipeline.requests import ComposeRequest

APP = """
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "3000"]
"""
PROXY = """
  proxy:
    image: dockernet-test/nginx:latest
    volumes:
      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
    depends_on: [app]
"""


def conf(resolver: str | None, value: str = "app:3000", listen: str = "80") -> str:
    lines = ["server {", f"    listen {listen};", "    proxy_connect_timeout 2s;"]
    if resolver:
        lines.append(f"    resolver {resolver} valid=10s ipv6=off;")
    lines += [
        "    location /app/ {",
        f"        set $backend {value};",
        "        proxy_pass http://$backend;",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def findings(tmp_path: Path, compose: str, nginx_conf: str) -> list[Finding]:
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(compose).lstrip("\n"))
    (tmp_path / "nginx.conf").write_text(nginx_conf)
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    return list(pipeline.analyse(topology).findings)


def dn115(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.rule == "DN115"]


PROXY_PASS_LINE = 7  # `proxy_pass http://$backend;` in conf() with a resolver


def test_public_resolver(tmp_path: Path) -> None:
    found = dn115(findings(tmp_path, "name: t\nservices:" + PROXY + APP, conf("8.8.8.8")))
    assert len(found) == 1
    (f,) = found
    assert (Path(f.loc.file).name, f.loc.line) == ("nginx.conf", PROXY_PASS_LINE)
    assert f.severity.value == "error"
    assert "resolver 8.8.8.8 does not know container names" in f.message
    assert "127.0.0.11" in f.hint


def test_docker_dns_on_a_user_defined_network_is_quiet(tmp_path: Path) -> None:
    found = findings(tmp_path, "name: t\nservices:" + PROXY + APP, conf("127.0.0.11"))
    assert dn115(found) == []
    assert not any(f.rule == "DN114" for f in found)


def test_public_resolver_with_a_static_name_is_quiet(tmp_path: Path) -> None:
    # No variable: the name is resolved once at start through /etc/resolv.conf (Docker's DNS); `resolver`
    # is not used for it.
    static = (
        "server {\n    listen 80;\n    resolver 8.8.8.8;\n    location /app/ {\n"
        "        proxy_pass http://app:3000;\n    }\n}\n"
    )
    assert dn115(findings(tmp_path, "name: t\nservices:" + PROXY + APP, static)) == []


def test_public_resolver_with_an_upstream_group_is_quiet(tmp_path: Path) -> None:
    # A variable whose value names an upstream block is looked up among the groups, not in DNS.
    grouped = (
        "upstream backend {\n    server app:3000;\n}\n"
        "server {\n    listen 80;\n    resolver 8.8.8.8;\n    location /app/ {\n"
        "        set $b backend;\n        proxy_pass http://$b;\n    }\n}\n"
    )
    assert dn115(findings(tmp_path, "name: t\nservices:" + PROXY + APP, grouped)) == []


def test_docker_dns_on_the_default_bridge(tmp_path: Path) -> None:
    compose = """
        name: t
        services:
          proxy:
            image: dockernet-test/nginx:latest
            network_mode: bridge
            links: [app]
            volumes:
              - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
            depends_on: [app]
          app:
            image: dockernet-test/busybox:latest
            network_mode: bridge
            command: ["httpd", "-f", "-p", "3000"]
        """
    found = dn115(findings(tmp_path, compose, conf("127.0.0.11")))
    assert len(found) == 1
    assert "proxy is on the default bridge, where no DNS server listens on 127.0.0.11" in found[0].message


def test_docker_dns_in_the_host_network(tmp_path: Path) -> None:
    compose = """
        name: t
        services:
          proxy:
            image: dockernet-test/nginx:latest
            network_mode: host
            volumes:
              - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
        """
    found = dn115(findings(tmp_path, compose, conf("127.0.0.11", listen="127.0.0.1:18115")))
    assert len(found) == 1
    assert "proxy is on the host network, where no DNS server listens on 127.0.0.11" in found[0].message


def test_name_only_in_extra_hosts(tmp_path: Path) -> None:
    compose = """
        name: t
        services:
          proxy:
            image: dockernet-test/nginx:latest
            extra_hosts: ["backend-alias:10.211.116.10"]
            volumes:
              - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
            depends_on: [app]
          app:
            image: dockernet-test/busybox:latest
            command: ["httpd", "-f", "-p", "3000"]
            networks:
              default:
                ipv4_address: 10.211.116.10
        networks:
          default:
            ipam:
              config:
                - subnet: 10.211.116.0/24
        """
    found = dn115(findings(tmp_path, compose, conf("127.0.0.11", value="backend-alias:3000")))
    assert len(found) == 1
    assert "only in /etc/hosts (extra_hosts)" in found[0].message


def test_extra_hosts_name_without_variable_is_quiet(tmp_path: Path) -> None:
    # A static name is resolved at start with getaddrinfo, which does read /etc/hosts.
    compose = """
        name: t
        services:
          proxy:
            image: dockernet-test/nginx:latest
            extra_hosts: ["backend-alias:10.211.116.10"]
            volumes:
              - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
        """
    static = (
        "server {\n    listen 80;\n    resolver 127.0.0.11;\n    location /app/ {\n"
        "        proxy_pass http://backend-alias:3000;\n    }\n}\n"
    )
    assert dn115(findings(tmp_path, compose, static)) == []
