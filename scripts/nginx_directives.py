"""Read the directive tables (``ngx_command_t`` arrays) out of x86-64 nginx binaries and modules.

Used once to write the table of ``dockernet/dialects/nginx/directives.py``, and by
tests/dialects/nginx/test_directives.py to check that table against the nginx binary the tests run::

    python3 scripts/nginx_directives.py /usr/sbin/nginx ngx_stream_module.so ngx_mail_module.so

prints one ``[module type]`` header per module, then one ``name contexts arguments [slot]`` line per
directive. ``slot`` is there when the directive's handler is one of nginx's generic setters that refuse a
second value for the same field (``ngx_conf_set_flag_slot`` and the others of :data:`SLOTS`):
``KIND:CONF:OFFSET``, with the configuration it writes (``main``, ``srv``, ``loc`` for the
``NGX_*_CONF_OFFSET`` of http, stream and mail; ``direct`` for core and event modules) and the field's
offset in it.

How: every module is an ``ngx_module_t`` listed in the ``ngx_modules[]`` array (and its name in
``ngx_module_names[]``, in the same order); ``ngx_module_t.commands`` points at a ``ngx_command_t`` array
ending with a null command, and ``ngx_module_t.type`` says whether the module is core, event, http, stream
or mail (https://nginx.org/en/docs/dev/development_guide.html#config_directives). Pointers in a
position-independent binary are relocations (``R_X86_64_RELATIVE``, or a symbol of the module itself), so
they are read from ``.rela.dyn``. Only the standard library is used.
"""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass

# ngx_module_t.type: the four ASCII letters nginx uses (src/core/ngx_conf_file.h and the module headers).
TYPES = {
    0x45524F43: "core",
    0x464E4F43: "conf",
    0x544E5645: "event",
    0x50545448: "http",
    0x4D525453: "stream",
    0x4C49414D: "mail",
}
# Context bits of ngx_command_t.type, per module type (ngx_conf_file.h, ngx_event.h, ngx_http_config.h,
# ngx_stream.h, ngx_mail.h). The same bit means different contexts in different module types.
CONTEXT_BITS = {
    "core": {0x01000000: "main"},
    "conf": {0x01000000: "main"},
    "event": {0x02000000: "events"},
    "http": {
        0x02000000: "http",
        0x04000000: "server",
        0x08000000: "location",
        0x10000000: "upstream",
        0x20000000: "sif",
        0x40000000: "lif",
        0x80000000: "lmt",
    },
    "stream": {0x02000000: "stream", 0x04000000: "stream_server", 0x08000000: "stream_upstream"},
    "mail": {0x02000000: "mail", 0x04000000: "mail_server"},
}
NGX_CONF_BLOCK, NGX_CONF_FLAG, NGX_CONF_ANY, NGX_CONF_1MORE, NGX_CONF_2MORE = (
    0x100,
    0x200,
    0x400,
    0x800,
    0x1000,
)
NGX_ANY_CONF = 0xFF000000
SLOTS = ("flag", "str", "num", "size", "off", "msec", "sec", "bufs", "enum")
"""ngx_conf_set_<KIND>_slot() handlers (src/core/ngx_conf_file.c) that return "is duplicate"."""
_CONF_OFFSETS = {0: "main", 8: "srv", 16: "loc"}
_NAME = re.compile(rb"[\x20-\x7e]*\0")
_COMMAND_SIZE = 56  # ngx_str_t name (16), type, set, conf, offset, post


@dataclass(frozen=True)
class Module:
    name: str
    type: str
    commands: tuple[tuple[str, int, str], ...]
    """(name, ngx_command_t.type, slot) in table order; slot as in the table, or empty."""


class _Elf:
    def __init__(self, path: str) -> None:
        with open(path, "rb") as fh:
            self.data = fh.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1 or struct.unpack_from("<H", d, 18)[0] != 62:
            raise ValueError(f"{path}: not an x86-64 ELF file")
        phoff, shoff = struct.unpack_from("<QQ", d, 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", d, 0x36)
        self.loads = []
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
                "<IIQQQQ", d, phoff + i * phentsize
            )
            if p_type == 1:  # PT_LOAD
                self.loads.append((p_vaddr, p_offset, p_filesz))
        sections = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
        symbols: list[tuple[int, int, str]] = []
        for sec in sections:
            if sec[1] == 11:  # SHT_DYNSYM: (st_value, st_shndx, name) by index
                strtab = sections[sec[6]][4]
                for j in range(0, sec[5], 24):
                    st_name, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", d, sec[4] + j)
                    start = strtab + st_name
                    symbols.append((value, shndx, d[start : d.index(b"\0", start)].decode()))
        self.function_names = {value: name for value, shndx, name in symbols if shndx and value}
        """Exported functions by address (nginx links with -E for its modules)."""
        self.symbol_refs: dict[int, str] = {}
        """Pointers to a symbol by name, defined here or not (a module's pointers into nginx)."""
        self.pointers: dict[int, int] = {}
        for sec in sections:
            if sec[1] != 4:  # SHT_RELA
                continue
            for j in range(0, sec[5], 24):
                where, info, addend = struct.unpack_from("<QQq", d, sec[4] + j)
                kind, sym = info & 0xFFFFFFFF, info >> 32
                if kind in (1, 6) and 0 < sym < len(symbols):
                    self.symbol_refs[where] = symbols[sym][2]
                if kind == 8:  # R_X86_64_RELATIVE
                    self.pointers[where] = addend
                elif kind in (1, 6) and sym < len(symbols) and symbols[sym][1] != 0:  # 64 / GLOB_DAT, defined
                    self.pointers[where] = symbols[sym][0] + (addend if kind == 1 else 0)

    def function(self, where: int) -> str | None:
        """The name of the function a pointer at ``where`` points to, when it is exported."""
        target = self.pointers.get(where)
        return self.symbol_refs.get(where) or (None if target is None else self.function_names.get(target))

    def offset(self, va: int) -> int | None:
        for v, o, size in self.loads:
            if v <= va < v + size:
                return o + va - v
        return None

    def u64(self, va: int) -> int | None:
        o = self.offset(va)
        return None if o is None else int(struct.unpack_from("<Q", self.data, o)[0])

    def string(self, va: int | None) -> str | None:
        o = None if va is None else self.offset(va)
        m = None if o is None else _NAME.match(self.data, o)
        return None if m is None else m.group(0)[:-1].decode()


def modules(path: str) -> list[Module]:
    """The modules of one binary or dynamic module, in ``ngx_modules[]`` order."""
    elf = _Elf(path)
    at: Callable[[int], int | None] = elf.pointers.get
    runs: list[list[tuple[int, str]]] = []
    for va in sorted(elf.pointers):
        s = elf.string(elf.pointers[va])
        if s and s.startswith("ngx_") and s.endswith("_module"):
            if runs and runs[-1][-1][0] == va - 8:
                runs[-1].append((va, s))
            else:
                runs.append([(va, s)])
    if not runs:
        raise ValueError(f"{path}: no ngx_module_names[]")
    names = [s for _, s in max(runs, key=len)]

    def is_module(va: int | None) -> bool:
        return va is not None and elf.u64(va + 72) in TYPES

    start = next(
        (va for va in sorted(elf.pointers) if all(is_module(at(va + 8 * i)) for i in range(len(names)))), None
    )
    if start is None:
        raise ValueError(f"{path}: no ngx_modules[]")
    out = []
    for i, name in enumerate(names):
        module = at(start + 8 * i)
        assert module is not None
        mtype = TYPES[elf.u64(module + 72) or 0]
        commands: list[tuple[str, int, str]] = []
        va = at(module + 64)  # ngx_module_t.commands (after ctx_index..ctx: 8 words)
        while va is not None and elf.u64(va):
            cname = elf.string(at(va + 8))
            ctype = elf.u64(va + 16)
            if cname is None or ctype is None or len(cname) != elf.u64(va):
                raise ValueError(f"{path}: unreadable command in {name}")
            handler = elf.function(va + 24) or ""
            kind = handler.removeprefix("ngx_conf_set_").removesuffix("_slot")
            slot = ""
            if handler.startswith("ngx_conf_set_") and kind in SLOTS:
                conf, field = elf.u64(va + 32) or 0, elf.u64(va + 40) or 0
                where = "direct" if mtype in ("core", "event", "conf") else _CONF_OFFSETS.get(conf, str(conf))
                slot = f"{kind}:{where}:{field}"
            commands.append((cname, ctype, slot))
            va += _COMMAND_SIZE
        out.append(Module(name, mtype, tuple(commands)))
    return out


def contexts(mtype: str, ctype: int) -> list[str]:
    if ctype & NGX_ANY_CONF == NGX_ANY_CONF:
        return ["any"]
    return [c for bit, c in CONTEXT_BITS[mtype].items() if ctype & bit]


def arguments(ctype: int) -> str:
    """``block:`` for NGX_CONF_BLOCK, then ``any``, ``flag``, ``1+``, ``2+`` or the allowed counts
    (``0``..``7``), checked in the order of ngx_conf_handler()."""
    prefix = "block:" if ctype & NGX_CONF_BLOCK else ""
    if ctype & NGX_CONF_ANY:
        return prefix + "any"
    if ctype & NGX_CONF_FLAG:
        return prefix + "flag"
    if ctype & NGX_CONF_1MORE:
        return prefix + "1+"
    if ctype & NGX_CONF_2MORE:
        return prefix + "2+"
    return prefix + "".join(str(n) for n in range(8) if ctype & (1 << n))


def table(paths: list[str]) -> str:
    lines = []
    for path in paths:
        for m in modules(path):
            if not m.commands:
                continue
            lines.append(f"[{m.name} {m.type}]")
            for name, ctype, slot in m.commands:
                line = f"{name} {','.join(contexts(m.type, ctype))} {arguments(ctype)} {slot}"
                lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table(sys.argv[1:]))
