"""`skunkworks review`: every check passes on a good repository and fails on a broken one (that
check and no other), realistic supplier repositories, odd inputs, the outputs (JSON against
docs/review-schema.json, HTML parsed and escaped, text) and plain `repo-review`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from harness import REPO
from skunkworks_poc.review import run_review
from skunkworks_poc.review.checks import ALL_CHECKS
from skunkworks_poc.review.output import to_html, to_json, to_text
from toolkit.review_fixtures import (
    APACHE,
    DEFECTS,
    GOOD,
    MIT,
    VALID_NHS_NUMBER,
    notebook,
    with_defect,
    write_repo,
)

SCHEMA = json.loads((REPO / "docs" / "review-schema.json").read_text(encoding="utf-8"))
ALL_IDS = [check.__name__ for check in ALL_CHECKS]


def results(path: Path) -> dict[str, str]:
    return {finding.id: finding.result for finding in run_review(path).findings}


def review_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "skunkworks_poc", "review", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def test_every_check_is_documented_and_in_a_fixture():
    docs = (REPO / "docs" / "review.md").read_text(encoding="utf-8")
    assert sorted(DEFECTS) == sorted(ALL_IDS)
    for check in ALL_CHECKS:
        instance = check()
        assert f'<a id="{instance.id.lower()}"></a>' in docs, instance.id
        assert instance.url.endswith(f"review.md#{instance.id.lower()}")
        assert instance.title and instance.fix, instance.id


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return write_repo(tmp_path_factory.mktemp("good"), GOOD)


def test_good_repository_passes_every_check(good):
    found = results(good)
    assert found == {
        **dict.fromkeys(ALL_IDS, "pass"),
        "D104": "skip",  # no notebooks
        "D106": "skip",  # no environment files
    }


@pytest.mark.parametrize("check_id", ALL_IDS)
def test_each_defect_fails_its_own_check_and_no_other(tmp_path, good, check_id):
    broken = write_repo(tmp_path / "repo", with_defect(GOOD, check_id))
    found = results(broken)
    failed = sorted(name for name, result in found.items() if result == "fail")
    assert failed == [check_id]


def test_passing_fixtures_for_the_checks_that_skip_on_the_good_repository(tmp_path):
    files = {
        **GOOD,
        "notebooks/explore.ipynb": notebook(outputs=False),
        ".env.example": "DB_PASSWORD=\nMLFLOW_TRACKING_URI=sqlite:///mlflow.db\n",
    }
    found = results(write_repo(tmp_path, files))
    assert found["D104"] == "pass" and found["D106"] == "pass"


def test_evidence_names_the_file_line_and_size(tmp_path):
    files = with_defect(GOOD, "D101") | DEFECTS["D102"] | DEFECTS["D104"]
    review = run_review(write_repo(tmp_path, files))
    by_id = {finding.id: finding for finding in review.findings}
    assert by_id["D101"].evidence == [
        {"file": "input/patients.xlsx", "size": 204, "note": "Excel workbook"}
    ]
    [number] = by_id["D102"].evidence
    assert number["file"] == "docs/notes.md" and number["line"] == 1
    assert VALID_NHS_NUMBER not in json.dumps(number)  # masked: reports end up in CI logs
    assert by_id["D104"].evidence[0]["note"] == "1 cell(s) with outputs"


# A delivered PoC not made from the template: notebooks and a requirements.txt, no package,
# `LICENSE` spelled the American way, an Apache licence without a NOTICE, the README's
# sections under other headings, data under input/, a tracked spreadsheet, a notebook with
# outputs, a long decimal that looks like ten digits.
SUPPLIER_README = """# Ambulance handover delay

## Purpose and scope
Research prototype only: this is not a medical device and must not be used for clinical
decisions.

## Information governance
Data stayed within the trust.

## Context
Handover delays.

## Approach
We compared three models.

## Caveats
One site only. Threshold 0.4012345678 was chosen by hand.
"""


def test_a_realistic_supplier_repository(tmp_path):
    files = {
        "LICENSE": APACHE,
        "README.md": SUPPLIER_README,
        "requirements.txt": "pandas==2.2.3\nscikit-learn==1.5.2\nmlflow==2.17.0\n",
        "notebooks/01_explore.ipynb": notebook(outputs=True),
        "notebooks/02_model.ipynb": notebook(outputs=False),
        "input/cases.xlsx": b"PK\x03\x04" + b"\0" * 5000,
        # Decimals whose digits are a valid NHS number: not NHS numbers.
        "notebooks/results.md": f"AUC 0.{VALID_NHS_NUMBER}, lift {VALID_NHS_NUMBER}.5\n",
    }
    root = write_repo(tmp_path, files, git=True)
    review = run_review(root)
    assert review.source == "git"
    found = {finding.id: finding for finding in review.findings}
    assert found["L101"].result == "pass" and "Apache-2.0" in found["L101"].message
    assert found["L103"].result == "skip"  # no pyproject.toml
    assert found["G101"].result == "pass"  # sections under other headings
    assert found["D101"].result == "fail"
    assert [item["file"] for item in found["D101"].evidence] == ["input/cases.xlsx"]
    assert found["D102"].result == "pass"  # decimals are not NHS numbers
    assert found["D103"].result == "fail"  # input/ and mlflow.db not ignored
    assert found["D104"].result == "fail"
    assert [item["file"] for item in found["D104"].evidence] == ["notebooks/01_explore.ipynb"]
    assert found["R101"].result == "pass"  # every requirement pinned
    assert found["R103"].result == "fail"  # data, but no pipeline
    assert found["R104"].result == "pass"  # mlflow in requirements.txt
    assert found["C101"].result == "fail" and found["C103"].result == "skip"
    assert not review.ok


def test_git_repository_judges_what_git_tracks(tmp_path):
    root = write_repo(tmp_path, GOOD, git=True)
    (root / "data").mkdir()
    (root / "data" / "untracked.csv").write_text("a,b\n1,2\n3,4\n5,6\n", encoding="utf-8")
    review = run_review(root)
    assert review.source == "git" and review.file_count == len(GOOD)
    assert {f.id: f.result for f in review.findings}["D101"] == "pass"
    subprocess.run(["git", "-C", str(root), "add", "-f", "data/untracked.csv"], check=True)
    assert results(root)["D101"] == "fail"


def test_licences_are_identified_from_their_text_not_their_name(tmp_path):
    root = write_repo(tmp_path, {**GOOD, "LICENCE": None, "COPYING.md": MIT.upper()})
    found = run_review(root)
    assert {f.id: f.message for f in found.findings}["L101"] == "COPYING.md is MIT"
    bsd = (
        "Redistribution and use in source and binary forms, with or without modification, "
        "are permitted provided that ... Neither the name of the copyright holder ..."
    )
    root = write_repo(tmp_path / "bsd", {**GOOD, "LICENCE": bsd})
    found = {f.id: f for f in run_review(root).findings}
    assert found["L101"].result == "pass" and "BSD-3-Clause" in found["L101"].message
    assert found["L103"].result == "fail"  # pyproject.toml says MIT


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"main.go": "package main\n", "go.mod": "module x\n", "README.md": "# Tool\n"},
        {"model.py": bytes(range(256)) * 40, "weights.py": b"\x80\x04\x95" + b"\0" * 64},
        {
            "broken.ipynb": "{not json",
            "dvc.yaml": ": : :",
            "CITATION.cff": "- [",
            "pyproject.toml": "[project\n",
            ".github/workflows/ci.yml": "jobs: [1, 2]\n",
            "Makefile": "test:\n\tpytest\n",
            "README.md": b"\xff\xfe\x00\x00",
        },
    ],
    ids=["empty", "not-python", "binary-named-py", "unparsable-files"],
)
def test_odd_repositories_never_crash(tmp_path, files):
    review = run_review(write_repo(tmp_path, files))
    assert len(review.findings) == len(ALL_IDS)
    validate(json.loads(to_json(review)))
    to_html(review)
    to_text(review)


def test_this_template_repository_never_crashes():
    review = run_review(REPO)
    assert review.source == "git" and review.file_count > 100
    validate(json.loads(to_json(review)))


def test_select_and_ignore(good):
    review = run_review(good, select=frozenset({"D", "L101"}), ignore=frozenset({"D102"}))
    assert [f.id for f in review.findings] == ["L101", "D101", "D103", "D104", "D105", "D106"]


# Outputs ------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>\x1b[31m&amp;.csv'


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.resources += [v for k, v in attrs if k in {"src", "srcset"} or tag == "link"]

    def handle_data(self, data):
        self.text.append(data)


def test_cli_json_html_and_text(tmp_path):
    files = with_defect(GOOD, "D101") | {f"data/{HOSTILE}": "a,b\n1,2\n3,4\n5,6\n"}
    root = write_repo(tmp_path / "repo", files)
    json_out = review_cli(str(root), "--format", "json")
    assert json_out.returncode == 1, json_out.stderr
    document = json.loads(json_out.stdout)
    validate(document)
    assert document["passed"] is False
    d101 = next(r for r in document["results"] if r["id"] == "D101")
    assert {item["file"] for item in d101["evidence"]} == {"input/patients.xlsx", f"data/{HOSTILE}"}
    assert document["summary"]["data-safety"] == {
        "name": "Data safety",
        "pass": 3,
        "fail": 1,
        "skip": 2,
    }
    page_path = tmp_path / "review.html"
    html_out = review_cli(str(root), "--format", "html", "--output", str(page_path))
    assert html_out.returncode == 1 and "wrote" in html_out.stdout
    page = _Page()
    page.feed(page_path.read_text(encoding="utf-8"))
    assert "script" not in page.tags and not page.resources  # self-contained, no scripts
    # The name shows as its characters (control characters as "?"), never as markup.
    assert any(HOSTILE.replace("\x1b", "?") in chunk for chunk in page.text)
    text_out = review_cli(str(root))
    assert text_out.returncode == 1
    assert "\x1b" not in text_out.stdout  # no terminal escapes: not a TTY, and none from names
    assert "Data safety (" in text_out.stdout and "FAIL D101" in text_out.stdout
    assert text_out.stdout.rstrip().splitlines()[-1].startswith("2")  # the summary line
    assert "passed/failed/skipped per family: L 3/0/0" in text_out.stdout


def test_cli_exit_codes(tmp_path, good):
    assert review_cli(str(good)).returncode == 0
    assert review_cli(str(good), "--ignore", "D,R").returncode == 0
    usage = review_cli(str(good), "--select", "X9")
    assert usage.returncode == 2 and usage.stderr.startswith("skunkworks review: unknown check")
    assert review_cli("--format", "pdf").returncode == 2
    missing = review_cli(str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("nowhere: not a folder")
    assert "Traceback" not in missing.stderr


def test_plain_repo_review_runs_our_checks(good):
    """The entry points: `repo-review` itself finds and runs the Skunkworks family."""
    tool = Path(sys.executable).with_name("repo-review")
    completed = subprocess.run(
        [str(tool), str(good), "--format", "json", "--select", "L,G,D,R,C,P"],
        capture_output=True,
        text=True,
        check=False,
    )
    checks = json.loads(completed.stdout)["checks"]
    assert sorted(checks) == sorted(ALL_IDS)
    assert checks["D101"]["result"] is True and checks["D104"]["result"] is None
    assert completed.returncode == 0, completed.stderr


def test_nhs_numbers_in_every_form_the_guard_knows_are_found(tmp_path):
    """The reviewer hands the guard only lines that may hold a number: none is lost."""
    n = VALID_NHS_NUMBER
    forms = [
        n,
        f"{n[:3]} {n[3:6]} {n[6:]}",
        f"{n[:3]}\u00a0{n[3:6]}\u2013{n[6:]}",
        f"{n[:3]} - {n[3:6]} - {n[6:]}",
        f"{n[:5]}\u200b{n[5:]}",
        f"NHS{n}",
        f"{n}.0",
    ]
    text = "".join(f"row {index}: {form}\nfiller 0.{n}\n" for index, form in enumerate(forms))
    root = write_repo(tmp_path, {**GOOD, "docs/cases.md": text})
    d102 = next(f for f in run_review(root).findings if f.id == "D102")
    assert [item["line"] for item in d102.evidence] == list(range(1, 2 * len(forms), 2))


def test_text_is_coloured_on_a_terminal_only(tmp_path):
    import pexpect

    root = write_repo(tmp_path / "repo", with_defect(GOOD, "G102"))
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    child = pexpect.spawn(
        sys.executable, ["-m", "skunkworks_poc", "review", str(root)], env=env, timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    assert "\x1b[31mFAIL\x1b[0m G102" in child.before.decode()
    assert child.exitstatus == 1
    assert "\x1b[" not in review_cli(str(root)).stdout  # a pipe: no colour


def test_a_tracked_symbolic_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(f"{VALID_NHS_NUMBER}\n", encoding="utf-8")
    root = write_repo(tmp_path / "repo", GOOD)
    (root / "docs" / "linked.md").symlink_to(outside)
    write_repo(root, {}, git=True)
    review = run_review(root)
    assert review.file_count == len(GOOD)
    assert {f.id: f.result for f in review.findings}["D102"] == "pass"


def test_selection_is_what_repo_review_understands(good):
    assert review_cli(str(good), "--select", "L1").returncode == 2  # neither an id nor a family
    assert review_cli(str(good), "--select", "*", "--ignore", "P").returncode == 0


def test_the_reviewed_repository_cannot_make_git_run_a_command(tmp_path):
    """git is asked only for `ls-files`, with the repository's fsmonitor hook switched off."""
    root = write_repo(tmp_path / "repo", GOOD, git=True)
    witness = tmp_path / "ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {witness}\n", encoding="utf-8")
    hook.chmod(0o755)
    subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", str(hook)], check=True)
    subprocess.run(["git", "-C", str(root), "status", "--short"], capture_output=True, check=True)
    assert witness.exists()  # the hook is real: plain git runs it
    witness.unlink()
    assert run_review(root).source == "git"
    assert not witness.exists()


def test_help_imports_nothing_heavy():
    """`skunkworks review --help` answers before repo-review, YAML or the checks load."""
    code = (
        "import sys\n"
        "from skunkworks_poc.cli import main\n"
        "try:\n    main(['review', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('repo_review', 'yaml', 'markdown_it', 'skunkworks_poc.review.checks')\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "usage: skunkworks review" in completed.stdout
    assert completed.stdout.strip().endswith("[]")


def test_a_package_module_named_data_is_not_data(tmp_path):
    files = {"src/x.py": "", "data/__init__.py": "", "data/loaders.py": "def load(): ...\n"}
    assert results(write_repo(tmp_path / "code", files))["R103"] == "skip"
    files["data/extract.parquet"] = b"PAR1" + b"\0" * 16
    assert results(write_repo(tmp_path / "data", files))["R103"] == "fail"


def test_the_gpl_family_is_told_apart_by_title():
    from skunkworks_poc.review.licences import identify
    from toolkit.review_fixtures import PROJECT

    gpl = (PROJECT / "{% if cookiecutter.code_licence == 'GPL-3.0' %}LICENCE{% endif %}").read_text(
        encoding="utf-8"
    )
    assert identify(gpl) == "GPL-3.0"  # it names the Affero and Lesser licences in its text
    affero = gpl.replace("GNU GENERAL PUBLIC LICENSE", "GNU AFFERO GENERAL PUBLIC LICENSE", 1)
    assert identify(affero) == "AGPL-3.0"
    assert identify("GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n") == "LGPL-3.0"
    assert identify(MIT.replace("Permission", "No permission")[:400]) is None


def test_dependencies_are_read_as_requirements_not_words(tmp_path):
    pyproject = (
        '[project]\nname = "flow"\nlicense = "MIT"\ndescription = "We aim to track mlflow runs"\n'
        'dependencies = ["pandas==2.2.3", "scikit-learn==1.5.2"]\n'
    )
    files = {**GOOD, "pyproject.toml": pyproject, "uv.lock": None}
    files["src/flow/train.py"] = "def train():\n    return 1\n"
    found = results(write_repo(tmp_path / "a", files))
    assert found["R104"] == "fail"  # "aim" and "mlflow" in a description are not trackers
    assert found["R101"] == "pass"  # every dependency pinned in pyproject.toml
    files["pyproject.toml"] = pyproject.replace('"pandas==2.2.3"', '"pandas>=2", "dvclive>=3"')
    found = results(write_repo(tmp_path / "b", files))
    assert found["R104"] == "pass" and found["R101"] == "fail"


def test_a_file_name_that_is_not_utf8_is_shown_not_fatal(tmp_path):
    root = write_repo(tmp_path / "repo", GOOD)
    (root / os.fsdecode(b"input/\xff\xfe.csv")).parent.mkdir()
    (root / os.fsdecode(b"input/\xff\xfe.csv")).write_text("a,b\n1,2\n3,4\n5,6\n", "utf-8")
    for output_format in ("json", "html", "text"):
        out = tmp_path / f"review.{output_format}"
        completed = review_cli(str(root), "--format", output_format, "--output", str(out))
        assert completed.returncode == 1, completed.stderr
        assert "\ufffd\ufffd.csv" in out.read_text(encoding="utf-8")
    validate(json.loads((tmp_path / "review.json").read_text(encoding="utf-8")))
