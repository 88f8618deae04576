"""A hostile merge request: the repository, its imscheck.yaml and its history are untrusted.

Each row is one crafted repository (issue 10, items 2, 3, 4, 5, 7 and 11): a symlinked or special
imscheck.yaml, rule folders that reach outside, limits raised past their ceilings, a base commit
made with ``git mktree``, oversized blobs, shallow and damaged repositories. Every row runs the
real command in a subprocess (a FIFO must not hang the suite: the harness timeout is generous)
and asserts the exit code, one line of message or the finding, no traceback, no secret quoted,
and that nothing outside the temporary folders was written or read into the output.
"""

from __future__ import annotations

import binascii
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import commit_all, git, init_git, write_files
from gate_docs import AS_OF, base_files, record

import imscheck

SECRET = "TOKEN-" + "s3cr3t" * 30  # longer than any excerpt a message may quote
OUTSIDE_RULE = """\
rules:
  - id: LOCAL-8.5
    clause: "8.5"
    title: Our own check on service design
    severity: observation
    relation: {type: none}
    guidance: Keep a service design record for every new service.
"""
BILLION_LAUGHS = "id: LOL\ntype: record\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
)
_PACKAGE_PARENT = str(Path(imscheck.__file__).resolve().parents[1])


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def findings(self) -> list[tuple[str, str]]:
        report = json.loads(self.stdout)
        return [(r["rule"], loc["path"]) for r in report["results"] if r["status"] == "fail" for loc in r["locations"]]

    def rules(self) -> list[str]:
        return [r["rule"] for r in json.loads(self.stdout)["results"]]


def imscheck_run(*args: object, cwd: Path | None = None) -> Run:
    """The real command in its own process: a hang fails the test instead of blocking the suite."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (_PACKAGE_PARENT, os.environ.get("PYTHONPATH"))))}
    proc = subprocess.run([sys.executable, "-m", "imscheck", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every path below ``folder`` (links as their target, not followed) and every file's content."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            out[rel] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = b"<special>" if not path.is_dir() else b"<folder>"
    return out


# --- builders: each changes the committed repository and returns the extra command-line arguments


Builder = Callable[[Path, Path], Sequence[str]]


def _config_link(target: str) -> Builder:
    def build(repo: Path, outside: Path) -> Sequence[str]:
        os.symlink(target.format(outside=outside), repo / "imscheck.yaml")
        return ()
    return build


def _config_fifo(repo: Path, outside: Path) -> Sequence[str]:
    os.mkfifo(repo / "imscheck.yaml")
    return ()


def _config_folder(repo: Path, outside: Path) -> Sequence[str]:
    write_files(repo, {"imscheck.yaml/readme.txt": "a folder named like the configuration"})
    return ()


def _config_text(text: str) -> Builder:
    def build(repo: Path, outside: Path) -> Sequence[str]:
        (repo / "imscheck.yaml").write_text(text, encoding="utf-8")
        return ()
    return build


def _rules_config(*folders: str) -> str:
    return "rules:\n" + "".join(f"  - {json.dumps(folder)}\n" for folder in folders)


def _rules_named(folder: str) -> Builder:
    def build(repo: Path, outside: Path) -> Sequence[str]:
        (repo / "imscheck.yaml").write_text(_rules_config(folder.format(outside=outside)), encoding="utf-8")
        return ()
    return build


def _rule_folder_with(make: Callable[[Path, Path], None]) -> Builder:
    """imscheck.yaml names ``ours``; ``make(folder, outside)`` fills it."""
    def build(repo: Path, outside: Path) -> Sequence[str]:
        (repo / "imscheck.yaml").write_text(_rules_config("ours"), encoding="utf-8")
        (repo / "ours").mkdir()
        make(repo / "ours", outside)
        return ()
    return build


def _linked_rule_folder(repo: Path, outside: Path) -> Sequence[str]:
    (repo / "imscheck.yaml").write_text(_rules_config("ours"), encoding="utf-8")
    os.symlink(outside / "rules", repo / "ours")
    return ()


def _rules_on_command_line(repo: Path, outside: Path) -> Sequence[str]:
    return ("--rules", str(outside / "rules"))


def _mktree_base(repo: Path, outside: Path) -> Sequence[str]:
    """A base commit holding a link ``evil.md -> outside`` and a folder ``evil.md/x.md``, a ``..``
    folder, a ``.git`` folder and names with slashes: what ``git mktree`` and a raw tree allow."""
    def obj(*args: str, data: bytes) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, check=True).stdout.decode().strip()

    doc = obj("hash-object", "-w", "--stdin", data=record("X-1").encode())
    link = obj("hash-object", "-w", "--stdin", data=os.fsencode(str(outside)))
    sub = obj("mktree", data=f"100644 blob {doc}\tx.md\n".encode())
    raw = b"".join(f"100644 {name}".encode() + b"\0" + binascii.unhexlify(doc) for name in ("/abs.md", "a/b.md"))
    slashed = obj("hash-object", "-t", "tree", "--literally", "-w", "--stdin", data=raw)
    tree = obj("mktree", data=(f"120000 blob {link}\tevil.md\n040000 tree {sub}\tevil.md\n040000 tree {sub}\t..\n"
                               f"040000 tree {sub}\t.git\n040000 tree {slashed}\tslashed\n100644 blob {doc}\tok.yaml\n").encode())
    commit = obj("commit-tree", tree, "-m", "crafted", data=b"")
    return ("--changed-since", commit)


def _base_big_blob(repo: Path, outside: Path) -> Sequence[str]:
    (repo / "big.md").write_text("---\nid: BIG-1\ntitle: big\ntype: policy\n---\n" + "x" * 2_000_000 + "\n", encoding="utf-8")
    commit_all(repo, "a blob over the size limit")
    (repo / "big.md").write_text("---\nid: BIG-1\ntitle: big\ntype: policy\n---\nsmall now\n", encoding="utf-8")
    return ("--changed-since", "HEAD")


def _staged_big_blob(repo: Path, outside: Path) -> Sequence[str]:
    (repo / "big.md").write_text("---\nid: BIG-1\ntitle: big\ntype: policy\n---\n" + "x" * 2_000_000 + "\n", encoding="utf-8")
    git(repo, "add", "big.md")
    return ("--staged",)


def _staged_document_link(repo: Path, outside: Path) -> Sequence[str]:
    os.symlink(outside / "secret.md", repo / "linked.md")
    git(repo, "add", "linked.md")
    return ("--staged",)


def _shallow_clone(repo: Path, outside: Path) -> Sequence[str]:
    (repo / "records/inc-0002.yaml").write_text(record("INC-0002"), encoding="utf-8")
    commit_all(repo, "second")
    clone = repo.parent / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True, capture_output=True)
    return ("--repo", str(clone), "--changed-since", "HEAD~1")


def _loose_object(repo: Path, oid: str) -> Path:
    return repo / ".git" / "objects" / oid[:2] / oid[2:]


def _corrupt_staged_object(repo: Path, outside: Path) -> Sequence[str]:
    (repo / "records/inc-0001.yaml").write_text(record(summary="changed and staged"), encoding="utf-8")
    git(repo, "add", "records/inc-0001.yaml")
    loose = _loose_object(repo, git(repo, "rev-parse", ":records/inc-0001.yaml").strip())
    os.chmod(loose, 0o644)
    loose.write_bytes(b"not zlib at all")
    return ("--staged",)


def _corrupt_pack(repo: Path, outside: Path) -> Sequence[str]:
    git(repo, "gc", "-q", "--aggressive")
    [pack] = list((repo / ".git/objects/pack").glob("*.pack"))
    data = bytearray(pack.read_bytes())
    for offset in range(12, len(data) - 20, 7):  # past the header: damage every object
        data[offset] ^= 0xFF
    os.chmod(pack, 0o644)
    pack.write_bytes(bytes(data))
    return ("--changed-since", "HEAD")


def _missing_head_commit(repo: Path, outside: Path) -> Sequence[str]:
    loose = _loose_object(repo, git(repo, "rev-parse", "HEAD").strip())
    loose.unlink()
    return ("--changed-since", "HEAD")


def _broken_base_document(text: str) -> Builder:
    def build(repo: Path, outside: Path) -> Sequence[str]:
        (repo / "records/inc-0009.yaml").write_text(text, encoding="utf-8")
        commit_all(repo, "a broken record")
        (repo / "records/inc-0009.yaml").write_text(record("INC-0009"), encoding="utf-8")
        return ("--changed-since", "HEAD")
    return build


def _document_fifo(repo: Path, outside: Path) -> Sequence[str]:
    os.mkfifo(repo / "records/pipe.yaml")
    return ()


# case id -> (builder, expected exit code, fragment of the one error line, or a finding (rule, path) for exit 0/1)
Expectation = tuple[Builder, int, str, tuple[str, str] | None]
CASES: dict[str, Expectation] = {
    # 2: imscheck.yaml read like a document
    "2-config-symlink-to-outside-secret": (_config_link("{outside}/secret.txt"), 2, "imscheck.yaml: is a symbolic link: not followed", None),
    "2-config-symlink-to-dev-zero": (_config_link("/dev/zero"), 2, "imscheck.yaml: is a symbolic link", None),
    "2-config-fifo": (_config_fifo, 2, "imscheck.yaml: not a regular file: a FIFO", None),
    "2-config-folder": (_config_folder, 2, "imscheck.yaml: is a folder", None),
    "2-config-over-size-limit": (_config_text("# padding\n" * 150_000), 2, "over the 1000000-byte limit", None),
    "2-config-holding-a-secret": (_config_text(SECRET + "\n"), 2, "is not of type 'object'", None),
    "2-config-passwd-like-content": (_config_text("root:x:0:0:root:/root:/bin/bash " + SECRET + "\n"), 2, "is not of type 'object'", None),
    "2-config-secret-as-a-date": (_config_text(f"as_of: {SECRET}\n"), 2, "imscheck.yaml: ", None),
    "2-config-secret-as-a-key": (_config_text(f"{SECRET}: 1\n"), 2, "imscheck.yaml: line 1", None),
    # 3: rule folders named by the repository stay inside it
    "3-rules-absolute-path": (_rules_named("{outside}/rules"), 2, "is an absolute path: rule folders named in imscheck.yaml must lie inside", None),
    "3-rules-dotdot": (_rules_named("../outside/rules"), 2, "leaves the repository", None),
    "3-rules-dotdot-through-a-subfolder": (_rules_named("records/../../outside/rules"), 2, "leaves the repository", None),
    "3-rules-inside-git-folder": (_rules_named(".git/hooks"), 2, "is inside .git", None),
    "3-rules-symlinked-folder": (_linked_rule_folder, 2, "rule folder is (or lies in) a symbolic link", None),
    "3-rules-symlinked-file": (_rule_folder_with(lambda f, o: os.symlink(o / "rules" / "local.yaml", f / "local.yaml")), 2,
                               "ours/local.yaml: symbolic link not followed", None),
    "3-rules-file-linked-to-dev-zero": (_rule_folder_with(lambda f, o: os.symlink("/dev/zero", f / "zero.yaml")), 2,
                                        "ours/zero.yaml: symbolic link not followed", None),
    "3-rules-fifo": (_rule_folder_with(lambda f, o: os.mkfifo(f / "pipe.yaml")), 2, "ours/pipe.yaml: not a regular file: a FIFO", None),
    "3-rules-file-holding-one-string": (_rule_folder_with(lambda f, o: (f / "token.yaml").write_text(SECRET + "\n")), 2,
                                        "ours/token.yaml: not a rule file: expected a mapping with a rules: list, found a string", None),
    "3-rules-list-holding-a-string": (_rule_folder_with(lambda f, o: (f / "token.yaml").write_text(f"rules: {SECRET}\n")), 2,
                                      "ours/token.yaml: at rules: ", None),
    "3-rules-file-over-size-limit": (_rule_folder_with(lambda f, o: (f / "big.yaml").write_text("# padding\n" * 600_000)), 2,
                                     "ours/big.yaml: file is 6000000 bytes, over the 5000000-byte limit", None),
    "3-rules-missing-folder": (_rules_named("nowhere"), 2, "nowhere: rule folder does not exist", None),
    "3-rules-inside-the-repository-load": (_rule_folder_with(lambda f, o: (f / "local.yaml").write_text(OUTSIDE_RULE)), 1, "", None),
    "3-rules-outside-only-from-the-command-line": (_rules_on_command_line, 1, "", None),
    # 4: a crafted base commit writes nothing, anywhere
    "4-base-link-and-folder-dotdot-and-slashes": (_mktree_base, 1, "", None),
    # 5: limits have ceilings
    "5-max-bytes-above-ceiling": (_config_text("limits: {max_bytes: 1000000000}\n"), 2, "limits.max_bytes: 1000000000 is above the ceiling of 16777216", None),
    "5-max-depth-above-ceiling": (_config_text("limits: {max_depth: 100000}\n"), 2, "limits.max_depth: 100000 is above the ceiling of 100", None),
    "5-max-nodes-above-ceiling": (_config_text("limits: {max_nodes: 10000000000}\n"), 2, "limits.max_nodes: 10000000000 is above the ceiling of 1000000", None),
    "5-alias-bomb-with-limits-at-their-ceilings": (
        lambda r, o: (_config_text("limits: {max_bytes: 16777216, max_depth: 100, max_nodes: 1000000}\n")(r, o),
                      (r / "lol.yaml").write_text(BILLION_LAUGHS), ())[-1],
        1, "", ("DOC-PARSE", "lol.yaml")),
    # 7: blobs over the size limit are never read
    "7-base-blob-over-limit": (_base_big_blob, 1, "", None),
    "7-staged-blob-over-limit": (_staged_big_blob, 1, "", ("DOC-PARSE", "big.md")),
    "7-staged-symlink-not-materialised": (_staged_document_link, 1, "", ("DOC-SYMLINK", "linked.md")),
    "7-document-fifo": (_document_fifo, 1, "", None),  # git lists no FIFO: skipped, never opened
    # 11: git states
    "11-shallow-clone": (_shallow_clone, 2, "is not in this shallow clone: fetch more history", None),
    "11-corrupt-object-staged": (_corrupt_staged_object, 2, "the repository is damaged or incomplete", None),
    "11-corrupt-pack-changed-since": (_corrupt_pack, 2, "the repository is damaged or incomplete", None),
    "11-missing-head-commit-is-not-an-empty-base": (_missing_head_commit, 2, "the repository is damaged or incomplete", None),
    "11-base-document-with-a-bad-tag": (_broken_base_document("id: INC-0009\ntype: record\ntitle: !!int abc\n"), 1, "", None),
    "11-base-document-with-a-huge-integer": (_broken_base_document("id: INC-0009\ntype: record\nn: " + "9" * 5000 + "\n"), 1, "", None),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the repository: a secret, a document and a rule folder an attacker points at."""
    folder = tmp_path / "outside"
    write_files(folder, {"secret.txt": SECRET + "\n", "secret.md": record("SECRET-1", summary=SECRET),
                         "rules/local.yaml": OUTSIDE_RULE})
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_repository_stays_in_its_bounds(case: str, tmp_path: Path, outside: Path) -> None:
    build, code, message, finding = CASES[case]
    repo = tmp_path / "repo"
    write_files(repo, base_files())
    init_git(repo)
    commit_all(repo, "initial")
    extra = list(build(repo, outside))
    if "--repo" in extra:  # the case checks another clone of the repository
        at = extra.index("--repo")
        repo = Path(extra.pop(at + 1))
        extra.pop(at)
    before_outside, before_repo = snapshot(outside), snapshot(repo)
    status = git(repo, "status", "--porcelain") if (repo / ".git/index").exists() and "damaged" not in message else None
    temp_before = set(os.listdir(tmp_path))

    run = imscheck_run("check", repo, "--as-of", AS_OF, "--format", "json", *extra)

    assert "Traceback" not in run.stderr, run.stderr
    assert run.code == code, (run.code, run.stderr[-2000:])
    assert SECRET not in run.stdout + run.stderr  # never quoted whole
    if code == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], lines
        assert len(lines[0]) < 500 and run.stdout == ""
    else:
        assert run.stderr == ""
        if finding is not None:
            assert finding in run.findings(), run.findings()
    # nothing written outside (nor in) the repository, no new file beside it
    assert snapshot(outside) == before_outside
    assert snapshot(repo) == before_repo
    if status is not None:
        assert git(repo, "status", "--porcelain") == status
    assert set(os.listdir(tmp_path)) == temp_before


def test_rules_from_the_repository_and_the_command_line_take_part(tmp_path: Path, outside: Path) -> None:
    """The positive rows above exit 1 for other reasons: the rules they load must be in the report."""
    repo = tmp_path / "repo"
    write_files(repo, {**base_files(), "imscheck.yaml": _rules_config("ours"), "ours/local.yaml": OUTSIDE_RULE.replace("LOCAL-8.5", "OURS-8.5")})
    init_git(repo)
    commit_all(repo)
    run = imscheck_run("check", repo, "--as-of", AS_OF, "--format", "json", "--rules", outside / "rules")
    assert {"OURS-8.5", "LOCAL-8.5"} <= set(run.rules()), run.stderr


def test_the_base_of_a_comparison_reads_its_rule_folders_from_git(tmp_path: Path, outside: Path) -> None:
    """In --changed-since the base side's configuration and rule folders are the committed ones."""
    repo = tmp_path / "repo"
    write_files(repo, {**base_files(), "imscheck.yaml": _rules_config("ours"), "ours/local.yaml": SECRET + "\n"})
    init_git(repo)
    commit_all(repo, "a broken rule file at the base")
    (repo / "ours/local.yaml").write_text(OUTSIDE_RULE, encoding="utf-8")
    run = imscheck_run("check", repo, "--as-of", AS_OF, "--format", "json", "--changed-since", "HEAD")
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    problem = json.loads(run.stdout)["changed_since"]["base_problem"]
    assert problem.startswith("ours/local.yaml at HEAD: not a rule file") and SECRET not in problem
    # a symlinked rule folder committed at the base is refused there too, read from git objects
    os.replace(repo / "ours", repo / "real")
    os.symlink("real", repo / "ours")
    commit_all(repo, "link the rule folder")
    os.unlink(repo / "ours")
    os.replace(repo / "real", repo / "ours")
    run = imscheck_run("check", repo, "--as-of", AS_OF, "--format", "json", "--changed-since", "HEAD")
    assert json.loads(run.stdout)["changed_since"]["base_problem"].startswith("ours at HEAD: rule folder is (or lies in) a symbolic link")


def test_a_repository_without_commits_compares_with_an_empty_base(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, base_files())
    init_git(repo)
    git(repo, "add", "-A")
    run = imscheck_run("check", repo, "--as-of", AS_OF, "--format", "json", "--staged")
    assert run.code in (0, 1) and run.stderr == "", run.stderr
    report = json.loads(run.stdout)
    assert report["changed_since"]["commit"] is None and report["changed_since"]["base_problem"] is None


def test_a_blob_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """The size comes from the listing (ls-tree -l, cat-file --batch-check): the blob never enters memory."""
    from imscheck.comparison.repository import GitRepository
    from imscheck.sources import TOO_LARGE, Unreadable

    repo = tmp_path / "repo"
    write_files(repo, {"big.md": "---\nid: BIG-1\n---\n" + "0123456789abcdef" * 1_000_000})  # 16 MB
    init_git(repo)
    commit_all(repo)
    with GitRepository(repo) as history:
        for source in (history.commit_source(history.resolve("HEAD")), history.index_source()):
            tracemalloc.start()
            try:
                with pytest.raises(Unreadable) as caught:
                    source.read("big.md", 1_000_000)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert caught.value.reason == TOO_LARGE and "16000018 bytes" in str(caught.value)
            assert peak < 1_000_000


def test_a_symlink_in_any_folder_of_a_path_is_never_followed(tmp_path: Path, outside: Path) -> None:
    from imscheck.sources import SYMLINK, Unreadable, WorkTree

    repo = tmp_path / "repo"
    write_files(repo, {"docs/real.md": "x"})
    os.symlink(outside, repo / "linked")
    with pytest.raises(Unreadable) as caught:
        WorkTree(repo).read("linked/secret.txt", 1_000_000)
    assert caught.value.reason == SYMLINK
    assert WorkTree(repo).read("docs/real.md", 10) == b"x"
    with pytest.raises(Unreadable):
        WorkTree(repo).read("docs/../../outside/secret.txt", 1_000_000)


def test_special_files_are_reported_not_opened_when_the_tree_is_walked(tmp_path: Path) -> None:
    from imscheck.documents import load_corpus
    from imscheck.yamlparse import Limits

    repo = tmp_path / "repo"
    write_files(repo, {"a.yaml": record("INC-1")})
    os.mkfifo(repo / "pipe.yaml")
    corpus = load_corpus(repo, (), (), Limits(), use_git=False)
    assert [(p.rule, p.path, p.message) for p in corpus.problems] == [
        ("DOC-PARSE", "pipe.yaml", "not a regular file: a FIFO (named pipe): keep documents as regular files")]
    assert [d.id for d in corpus.documents] == ["INC-1"]
