"""The live Docker engine as a source of the model: what is running, read through the Engine API
(https://docs.docker.com/reference/api/engine/).

One module per step, each usable on its own:

* :mod:`~dockernet.sources.engine.client`: :func:`connect` opens a read-only session with the engine named by
  ``--host``, ``DOCKER_HOST`` or the current ``docker context`` (the order of the docker CLI), with the API
  version negotiated; the HTTP transport and its errors;
* :mod:`~dockernet.sources.engine.snapshot`: :func:`snapshot` reads the engine's raw answers for a
  :class:`Scope` with as few calls as the data allows: ``GET /containers/json?all=1`` and ``GET /networks``
  carry names, state, labels, ports, mounts, network mode and every endpoint's address; one
  ``GET /containers/{id}/json`` per container in scope adds what the list leaves out (aliases and
  ``DNSNames``, ``ExtraHosts``, links, health, the full ``Config``), a few at a time. The list is "a
  different, smaller representation of a container than inspecting a single container"
  (https://docs.docker.com/reference/api/engine/version/v1.57/operations/ContainerList/); its aliases are
  null on every engine version. A :class:`Snapshot` is also the recording format of tests/data/engine/;
* :mod:`~dockernet.sources.engine.api`: the tolerant accessors of those raw answers that the other modules
  share;
* :mod:`~dockernet.sources.engine.build`: :func:`build` turns a :class:`Snapshot` into model objects. It is
  a pure function, tested against recorded answers of real engines (tests/data/engine/);
* :mod:`~dockernet.sources.engine.proxies`: :func:`read_proxies` reads each proxy container's nginx
  configuration out of the container with the archive endpoint (the ``docker cp`` path), or, only when the
  user allows it, with ``nginx -T`` through exec;
* :mod:`~dockernet.sources.engine.procnet`: the listening sockets (``/proc/net/tcp``) of the containers that
  the proxies' routes target;
* :mod:`~dockernet.sources.engine.context`: :func:`context_for`, the engine as context of a static check
  (``check --engine``).

A scan is read-only: every request is a GET, except the two exec calls behind ``--exec``. Engine answers
differ between versions (``DNSNames`` from API 1.44; ``Aliases`` without the short ID from 1.45, see
https://docs.docker.com/reference/api/engine/version-history/), so every field is read with a default; a
container that disappears between the list and its inspect is skipped and the result is marked partial.

Costs: the two list calls are cheap; the inspects run a few at a time, and on a local unix socket they
bypass the docker SDK's requests stack (about 1-2 ms per request) for plain keep-alive HTTP/1.1; the engine
takes 100-200 ms per archive and serves them one at a time, so the proxies' archives are fetched while the
inspects run (docs/scan.md, "What it reads, and what that costs").

Secrets: container environments and labels are copied into the model (rules read listen addresses from
them) and never into a message.
"""
