"""The model card's headings, parsed from each flavour's rendered Markdown: NHS England's
sections for every flavour; a flavour that trains no model gets headings for what it runs
and judges instead of a model's (Justification, Features, Human safety). The built pages are
checked in test_experiment.py and test_discovery.py."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from harness import TEMPLATE_ANSWERS

NO_MODEL = ("data-discovery", "experiment")
MODEL_ONLY = ["## Methodology and training", "### Justification", "### Features"]
MODEL_ONLY += ["### Hyperparameters", "### Human safety"]


def headings(markdown: str) -> list[str]:
    tokens = MarkdownIt().parse(markdown)
    return [
        f"{'#' * int(token.tag[1])} {tokens[index + 1].content}"
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag in {"h2", "h3"}
    ]


@pytest.mark.parametrize("task", TEMPLATE_ANSWERS["task"])
def test_model_card_headings_fit_the_flavour(bake_shared, task):
    card = (bake_shared(task=task) / "docs" / "model-card.md").read_text(encoding="utf-8")
    shown = headings(card)
    for section in ("## Specification", "## Intended use", "## Data"):
        assert section in shown, (task, shown)
    assert shown[-1] == "### Caveats and recommendations", (task, shown)
    assert "Written by `make report`." in card and "{%" not in card and "{{" not in card
    if task in NO_MODEL:
        assert not set(MODEL_ONLY) & set(shown), (task, shown)
        assert {"## Method", "### What is run", "### Limits of the method"} <= set(shown)
        assert "This model" not in card and "the model " not in card.lower(), task
    else:
        assert set(MODEL_ONLY) <= set(shown), (task, shown)
        assert "### What is run" not in shown
