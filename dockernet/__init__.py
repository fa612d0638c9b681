"""dockernet: find out why a site behind a reverse proxy in Docker answers 502 Bad Gateway."""

__version__ = "0.1.0"
