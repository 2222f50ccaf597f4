"""The documentation runner itself, on small documents: what it counts as a block and a section, that state
carries within a section, and that a failure names the file, the line and the section."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from docs_blocks import read_sections
from docs_runner import BlockFailed, SectionRunner
from mlext_server import REPO

FENCE = "`" * 3


def document(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "GUIDE.md"
    path.write_text(textwrap.dedent(text).replace("~~~", FENCE))
    return path


def env() -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("MLEXT_")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
    }


def run_section(tmp_path: Path, text: str, index: int = 0) -> None:
    path = document(tmp_path, text)
    section = read_sections(path, tmp_path)[index]
    with SectionRunner(section, tmp_path, env()) as runner:
        runner.run()


def test_blocks_are_grouped_by_section_with_their_lines_and_kinds(tmp_path):
    path = document(
        tmp_path,
        """\
        # Guide

        ## One

        ~~~bash
        echo one
        ~~~

        <!-- illustrative: it starts a server -->
        ~~~bash
        make lab
        ~~~

        ~~~text
        an output
        ~~~

        ## Two

        ~~~python jupyter_server_config.py
        c.MLExtApp.dispatch = False
        ~~~
        """,
    )
    one, two = read_sections(path, tmp_path)
    assert (one.file, one.title, two.title) == ("GUIDE.md", "One", "Two")
    assert [(b.line, b.language, b.illustrative) for b in one.blocks] == [
        (6, "bash", None),
        (11, "bash", "it starts a server"),
        (15, "text", "```text: a diagram or an output sample"),
    ]
    assert [b.line for b in one.runnable] == [6]
    assert (two.blocks[0].language, two.blocks[0].target) == ("python", "jupyter_server_config.py")


def test_shell_variables_carry_over_within_a_section_and_a_failure_names_its_line(tmp_path):
    text = """\
        ## Shell

        ~~~bash
        GREETING=hello
        ~~~

        ~~~bash
        test "$GREETING" = hello
        ls no-such-file
        echo never
        ~~~
        """
    with pytest.raises(BlockFailed) as failed:
        run_section(tmp_path, text)
    message = str(failed.value)
    assert message.startswith('GUIDE.md:9 (section "Shell"): `ls no-such-file` exited with status 2')
    assert "No such file" in message
    assert "never" not in message


def test_a_failing_python_block_names_its_file_line_and_section_with_the_traceback(tmp_path):
    text = """\
        ## Kernel

        ~~~python
        numbers = [1, 2]
        ~~~

        ~~~python
        numbers[5]
        ~~~
        """
    with pytest.raises(BlockFailed) as failed:
        run_section(tmp_path, text)
    message = str(failed.value)
    assert message.startswith('GUIDE.md:8 (section "Kernel"): python block raised')
    assert "IndexError" in message


def test_an_unmarked_block_in_another_language_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(BlockFailed, match=r"GUIDE.md:4 \(section \"Data\"\): a ```yaml block is neither run"):
        run_section(tmp_path, "## Data\n\n~~~yaml\nkey: value\n~~~\n")


def test_a_config_block_is_written_and_a_misspelt_option_fails(tmp_path):
    good = "## Config\n\n~~~python jupyter_server_config.py\nc.MLExtApp.dispatch_interval = 0.5\n~~~\n"
    run_section(tmp_path, good)
    assert (tmp_path / "jupyter_server_config.py").read_text() == "c.MLExtApp.dispatch_interval = 0.5\n"
    bad = "## Config\n\n~~~python jupyter_server_config.py\nc.MLExtApp.dispatch_intervall = 0.5\n~~~\n"
    with pytest.raises(BlockFailed, match="MLExtApp has no option dispatch_intervall"):
        run_section(tmp_path, bad)


def test_a_magic_that_refuses_its_line_fails_the_block(tmp_path):
    """IPython prints a UsageError as one line on stderr, not as a traceback: it must still fail the block."""
    text = "## Magic\n\n~~~python\n%load_ext jupyter_mlext\n~~~\n\n~~~python\n%mlrun compare onlyone\n~~~\n"
    with pytest.raises(BlockFailed, match=r'GUIDE.md:8 \(section "Magic"\): python block raised[\s\S]*at least 2'):
        run_section(tmp_path, text)
