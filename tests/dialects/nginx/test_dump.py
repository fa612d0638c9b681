"""``nginx -T`` output (dockernet.dialects.nginx.dump) split back into the files it names."""

from __future__ import annotations

from dockernet.dialects.nginx import dump as nginx_dump
from dockernet.sources import tartree


def test_nginx_dump_is_split_into_files() -> None:
    out = (
        b"# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include conf.d/*.conf; }\n\n"
        b"# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 80; }\n\n"
    )
    files = nginx_dump.parse_dump(out)
    assert files == {
        "/etc/nginx/nginx.conf": b"events {}\nhttp { include conf.d/*.conf; }\n",
        "/etc/nginx/conf.d/a.conf": b"server { listen 80; }\n",
    }
    tree = tartree.DumpTree(files)
    assert tree.glob("/etc/nginx/conf.d/*.conf") == ["/etc/nginx/conf.d/a.conf"]
    assert tree.read("/etc/nginx/mime.types") is None
