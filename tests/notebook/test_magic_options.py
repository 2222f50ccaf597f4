"""What follows `%mlrun` / `%%mlrun` on its line: a trailing `# comment` is not part of the command (the README's
examples carry one on every line), while a `#` inside quotes or inside a word is kept."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from jupyter_mlext.magics.lines import NotebookState, run_line
from jupyter_mlext.magics.options import parse_cell_options, split_words, strip_comment


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("show 3f2a91c0                      # RunDetails: status, params", "show 3f2a91c0"),
        ("list metrics.mse < 3000  # a RunsTable: filter, sort", "list metrics.mse < 3000"),
        ("# only a comment", ""),
        ("list tags.note = '#1'", "list tags.note = '#1'"),
        ('list tags.note = "a # b"  # the quoted one stays', 'list tags.note = "a # b"'),
        ("list `odd # key` = 1 # backticks quote a key", "list `odd # key` = 1"),
        ("list tags.ref = a#b", "list tags.ref = a#b"),
        (r"submit train.py -- --label \#3", r"submit train.py -- --label \#3"),
        ('experiment "it\'s # mine"', 'experiment "it\'s # mine"'),
        ("list tags.x = 'unclosed # still quoted", "list tags.x = 'unclosed # still quoted"),
    ],
)
def test_a_trailing_comment_outside_quotes_is_cut(line, expected):
    assert strip_comment(line) == expected


def test_a_line_command_with_a_trailing_comment_runs_as_without_it(capsys):
    state = NotebookState()
    run_line(state, "experiment diabetes                # the default experiment of this notebook")
    assert state.experiment == "diabetes"
    assert "experiment 'diabetes'" in capsys.readouterr().out


def test_a_quoted_hash_reaches_the_command_whole():
    state = NotebookState()
    run_line(state, "experiment 'team #1'   # quoted, so the name keeps its #")
    assert state.experiment == "team #1"


def test_the_cell_magic_line_may_end_with_a_comment():
    options = parse_cell_options("--experiment diabetes --param alpha=0.1 --tag team=health  # one run per cell")
    assert options.experiment == "diabetes"
    assert options.params == {"alpha": 0.1}
    assert options.tags == {"team": "health"}


def test_an_unbalanced_quote_is_still_a_one_line_usage_error():
    with pytest.raises(UsageError, match="No closing quotation"):
        split_words(strip_comment("show 'abc  # never closed"), "%mlrun show")
