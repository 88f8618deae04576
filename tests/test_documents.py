"""Discovery and parsing: what counts as a document, and where each field is."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from imscheck.documents import discover, load_corpus, read_document
from imscheck.yamlparse import Limits

POLICY = """\
---
id: POL-1
title: Service policy
type: policy
version: "1.0"
review:
  last_reviewed: 2026-01-10
  interval_months: 12
---
# Service policy

## Purpose

```markdown
## Not a heading: inside a code fence
```

## Commitments ##
"""


def test_front_matter_fields_keep_their_lines(tmp_path: Path) -> None:
    (tmp_path / "policy.md").write_text(POLICY)
    doc = read_document(tmp_path / "policy.md", "policy.md", Limits())
    assert doc is not None and doc.id == "POL-1"
    assert doc.line_of("id") == 2
    assert doc.line_of("version") == 5
    assert doc.line_of("review", "interval_months") == 8
    assert doc.line_of("missing") == doc.line == 2


def test_sections_are_headings_outside_code_fences(tmp_path: Path) -> None:
    (tmp_path / "policy.md").write_text(POLICY)
    doc = read_document(tmp_path / "policy.md", "policy.md", Limits())
    assert [(s.title, s.level, s.line) for s in doc.sections] == [
        ("Service policy", 1, 10),
        ("Purpose", 2, 12),
        ("Commitments", 2, 18),
    ]


def test_yaml_dates_arrive_as_dates_and_quoted_ones_as_strings(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text('id: R-1\ntitle: r\ntype: record\ndate: 2026-03-01\nother: "2026-03-02"\n')
    doc = read_document(tmp_path / "r.yaml", "r.yaml", Limits())
    assert doc.meta["date"] == dt.date(2026, 3, 1)
    assert doc.meta["other"] == "2026-03-02"
    assert doc.line_of("other") == 5


def test_json_documents_are_read_with_key_lines(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text('{\n  "id": "R-2",\n  "title": "r",\n  "type": "record",\n  "date": "2026-03-01"\n}\n')
    doc = read_document(tmp_path / "r.json", "r.json", Limits())
    assert doc.format == "json" and doc.id == "R-2" and doc.line_of("date") == 5


def test_files_that_are_not_documents_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Just a readme\n")
    (tmp_path / "ci.yaml").write_text("stages: [test]\n")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    for name in ("README.md", "ci.yaml", "list.yaml"):
        assert read_document(tmp_path / name, name, Limits()) is None


def test_discovery_honours_gitignore_hidden_folders_and_globs(make_repo) -> None:
    repo = make_repo(
        {
            ".gitignore": "scratch/\n",
            "docs/a.md": POLICY,
            "docs/b.yaml": "id: B\ntitle: b\ntype: record\ndate: 2026-01-01\n",
            "scratch/c.md": POLICY,
            ".github/workflow.yaml": "id: X\ntype: record\n",
            "archive/old.md": POLICY,
            "imscheck.yaml": "exclude: ['archive/**']\n",
            "notes.txt": "not a document",
        }
    )
    (repo / "docs" / "untracked.md").write_text(POLICY)  # new files are read before they are committed
    files, links = discover(repo, (), ("archive/**",))
    assert files == ["docs/a.md", "docs/b.yaml", "docs/untracked.md"]
    files, _ = discover(repo, ("docs/*.yaml",), ())
    assert files == ["docs/b.yaml"]


def test_discovery_without_git_walks_the_tree(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text(POLICY)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.md").write_text(POLICY)
    files, _ = discover(tmp_path, (), ())
    assert files == ["sub/a.md"]


def test_symlinks_are_reported_not_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(POLICY)
    repo = make_repo({"a.md": POLICY})
    os.symlink(outside, repo / "link.md")
    corpus = load_corpus(repo, (), (), Limits())
    assert [d.path for d in corpus.documents] == ["a.md"]
    assert [(p.rule, p.path) for p in corpus.problems] == [("DOC-SYMLINK", "link.md")]


def test_a_directory_named_like_a_document_is_just_a_folder(make_repo) -> None:
    repo = make_repo({"policy.md/inner.md": POLICY})
    corpus = load_corpus(repo, (), (), Limits())
    assert [d.path for d in corpus.documents] == ["policy.md/inner.md"]
    assert corpus.problems == ()


def test_headings_follow_commonmark_setext_indented_and_long_fences(tmp_path: Path) -> None:
    text = (
        "---\nid: P-1\ntitle: p\ntype: procedure\n---\n"
        "Scope\n=====\n\n"  # setext level 1 (line 6)
        "   ## Indented heading\n\n"  # up to three spaces of indent (line 9)
        "````markdown\n```\n## Inside a fence\n```\n````\n\n"  # a four-backtick fence holds a three-backtick one
        "Method\n------\n"  # setext level 2 (line 17)
        "    ## Indented code, not a heading\n"
    )
    (tmp_path / "p.md").write_text(text)
    doc = read_document(tmp_path / "p.md", "p.md", Limits())
    assert [(s.title, s.level, s.line) for s in doc.sections] == [
        ("Scope", 1, 6),
        ("Indented heading", 2, 9),
        ("Method", 2, 17),
    ]
