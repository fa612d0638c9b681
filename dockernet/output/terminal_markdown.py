"""A rule's Markdown page for a terminal (``dockernet explain`` when stdout is one): headings in bold, code
blocks indented and dimmed without their fences, inline code in bold without its backticks. Piped or
redirected, ``explain`` prints the Markdown itself."""

from __future__ import annotations

import re

_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_INLINE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")


def render(page: str) -> str:
    """The page with ANSI styles instead of Markdown marks."""
    out: list[str] = []
    in_code = False
    for line in page.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(f"    {_DIM}{line}{_RESET}")
        elif line.startswith("#"):
            out.append(f"{_BOLD}{line.lstrip('#').strip().replace('`', '')}{_RESET}")
        else:
            line = _STRONG.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}", line)
            out.append(_INLINE.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}", line))
    return "\n".join(out) + "\n"
