"""The code blocks of our Markdown documents, found with markdown-it (CommonMark), grouped by `##` section.

Holds no tests: `test_docs.py` runs what this finds. A block is classified by its fence's info string:

- ```` ```python ```` and ```` ```bash ```` run; ```` ```python jupyter_server_config.py ```` (a language, then a
  file name) is the content of that file: it is written into the working folder and, for a Jupyter config file,
  loaded and applied to the server's configurable classes;
- ```` ```text ```` is an output sample, and a block preceded by `<!-- illustrative: why -->` is not run either:
  both are *illustrative*, and `test_docs.py` keeps an explicit list of them;
- any other fence is an error (it must be made runnable or marked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

RUNNABLE = ("python", "bash")
OUTPUT_SAMPLE = "text"
_MARKER = re.compile(r"^<!--\s*illustrative:\s*(?P<why>.+?)\s*-->\s*$", re.S)


@dataclass(frozen=True)
class Block:
    file: str  # relative to the repository, e.g. README.md
    section: str
    line: int  # 1-based line of the block's first line of code
    language: str
    target: str | None  # the file the block is the content of, from the info string
    source: str
    illustrative: str | None  # why it is not run (None: it runs)

    def where(self, line: int | None = None) -> str:
        """`README.md:93 (section "In the notebook")`: what a person fixing a failing block needs first."""
        return f'{self.file}:{line or self.line} (section "{self.section}")'

    @property
    def first_line(self) -> str:
        return next((text.strip() for text in self.source.splitlines() if text.strip()), "")


@dataclass
class Section:
    file: str
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)

    @property
    def runnable(self) -> list[Block]:
        return [block for block in self.blocks if block.illustrative is None]


def read_sections(path: Path, repo: Path) -> list[Section]:
    """The document's `##` sections that hold a code block, in order (blocks above the first `##` belong to the
    `#` title's section)."""
    file = path.relative_to(repo).as_posix()
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    sections: list[Section] = []
    current = Section(file, path.stem, 1)
    marker: tuple[int, str] | None = None  # (line after the comment, why)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            current = Section(file, tokens[index + 1].content.strip(), token.map[0] + 1 if token.map else 1)
            sections.append(current)
        elif token.type == "html_block" and token.map:
            found = _MARKER.match(token.content.strip())
            marker = (token.map[1], found["why"]) if found else None
        elif token.type == "fence" and token.map:
            why = marker[1] if marker and marker[0] == token.map[0] else None
            current.blocks.append(_block(file, current.title, token.map[0] + 2, token.info, token.content, why))
            marker = None
    return [section for section in sections if section.blocks]


def _block(file: str, section: str, line: int, info: str, source: str, why: str | None) -> Block:
    words = info.split()
    language = words[0] if words else ""
    target = words[1] if len(words) > 1 else None
    if why is None and language == OUTPUT_SAMPLE:
        why = "```text: a diagram or an output sample"
    return Block(file, section, line, language, target, source, why)


def documents(repo: Path) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [repo / "README.md", *sorted((repo / "docs").rglob("*.md"))]
