"""Proxy knowledge: one sub-package per proxy kind, each turning that proxy's configuration into the
proxy-neutral routes of :mod:`dockernet.model.proxy`. Pure: bytes in through a config tree, model out."""
