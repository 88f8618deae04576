"""Generate a realistic large management-system repository for benchmarks (deterministic per seed).

The controlled documents of sample-org (policies, plans, procedures, agreements, the service
catalogue, registers, imscheck.yaml) are copied once; the rest of the N documents are records in
sample-org's own house style: each is one of sample-org's records (or a deployment or complaint
record written the same way) re-issued with a new id, a date spread over the 12 months before
`as_of` (every date in it shifted by the same amount), services from the catalogue, and its
`related` ids pointing at other generated records of the same kinds, so a change names its
incident and problem, a problem its incidents, an audit its corrective actions. Kinds are mixed
as in a ticketing export (mostly incidents and requests, then changes), each kind at least once.

The result is a git repository with one commit, plus (by default) a second commit that adds the
newest few tickets, so `--changed-since HEAD~1` has a base. Files are written directly and added
with one `git add -A`; 100,000 documents take well under a minute.

    python benchmarks/generate_repo.py /tmp/ims10k --documents 10000 [--seed 1] [--single-commit]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample-org"
RECORD_FOLDER = "records"

# Share of records per kind (id prefix), as in an IT service provider's ticketing export; kinds
# not named here (periodic reports, reviews, audits) share the default.
WEIGHTS: dict[str, float] = {
    "INC": 45.0, "SR": 30.0, "CHG": 10.0, "PRB": 2.0, "DEP": 1.5, "REL": 0.5, "CMP": 0.6,
    "CA": 0.4, "ISI": 0.3, "TRN": 0.8, "SUP": 0.2, "SUPR": 0.2,
}
DEFAULT_WEIGHT = 0.08
WIDE_IDS = {"INC", "SR"}  # ticket numbers with five digits, the rest with four
MARKDOWN_SHARE = 0.1  # some records are Markdown with front matter, as the record template shows

_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
_REC_ID = re.compile(r"\bREC-([A-Z]+)-[A-Za-z0-9._-]+")
_LINE = re.compile(r"^(id|date|services|related): *(.*)$", re.M)
_CORE = re.compile(r"(?<![A-Za-z0-9])([A-Z]+-\d{4}(?:-[A-Za-z0-9]+)?)(?![A-Za-z0-9])")  # an id without "REC-"

# Two kinds sample-org has no record of, written in its style (ids inside point at sample-org
# records so that they are remapped like any other template's).
EXTRA_TEMPLATES: dict[str, str] = {
    "service-management/records/REC-DEP-2026-0112.yaml": """\
id: REC-DEP-2026-0112
title: Deployment DEP-2026-0112 — network baseline firmware to wave 2 customer sites
type: record
date: 2026-10-09
record_of: SMS-PRC-016
addresses:
  - iso20000-1:2018/8.5.3
services: [svc-network]
related: [REC-REL-2026-05, REC-CHG-2026-0203]
release: REL-2026-05
environment: Production, wave 2 (14 customers, 96 sites)
deployed_on: 2026-10-09
deployed_by: Network Automation Engineer
approved_by: Change Manager under CHG-2026-0203 (go decision 2026-10-08)
acceptance_tests:
  - All 96 appliances report the target firmware within 2 hours of the window
  - VPN tunnels and SD-WAN policies re-established on every site
  - No P1 or P2 raised against the wave within 48 hours
test_results: passed (96 of 96 sites; one site needed a manual reboot)
rollback_plan: Revert to the previous firmware from the dashboard per network; rehearsed in the lab on 2026-10-02
outcome: successful
""",
    "service-management/records/REC-CMP-2026-0031.yaml": """\
id: REC-CMP-2026-0031
title: Complaint CMP-2026-0031 — late on-site support visits, Cardiff office
type: record
date: 2026-08-27
record_of: SMS-PRC-008
addresses:
  - iso20000-1:2018/8.3.2
services: [svc-workplace]
related: [SMS-AGR-001, REC-INC-2026-06912]
customer: Severn Valley Housing Association
received_on: 2026-08-18
received_by: Client Services Manager
complaint: >-
  Three on-site visits to the Cardiff office in August arrived after the next-business-day
  target; the customer's facilities manager escalated through the account contact.
investigation: >-
  Two field engineers were on leave in the same week and the dispatch rota did not cover the
  Cardiff area; the visits were booked but not reassigned.
actions:
  - Dispatch rota now shows leave per area a week ahead; uncovered visits go to NightOwl Field Services
  - Service credit for the three missed visits under SMS-AGR-001
outcome: Customer accepted the response on 2026-08-27 and the complaint was closed.
status: closed
""",
}


@dataclass
class Template:
    prefix: str
    folder: str  # where sample-org keeps this kind of record, e.g. "service-management/records"
    text: str
    own_core: str  # the template's id without "REC-"
    date: dt.date
    single_service: bool
    related_prefixes: dict[str, str] = field(default_factory=dict)  # core id -> prefix


@dataclass
class Planned:
    prefix: str
    template: Template
    date: dt.date
    id: str = ""
    path: str = ""
    markdown: bool = False
    late: bool = False  # added by the second commit
    canonical: bool = False  # the first use of its template: keeps the template's services


@dataclass
class Summary:
    documents: int
    controlled: int
    records: int
    by_prefix: dict[str, int]
    second_commit: list[str]


def _templates() -> dict[str, list[Template]]:
    sources: list[tuple[str, str]] = []
    for path in sorted(SAMPLE.rglob("REC-*")):
        if RECORD_FOLDER in path.parts and path.is_file():
            sources.append((path.relative_to(SAMPLE).as_posix(), path.read_text(encoding="utf-8")))
    sources.extend(EXTRA_TEMPLATES.items())
    kinds: dict[str, list[Template]] = {}
    for rel, text in sources:
        fields = dict(_LINE.findall(text))
        core = fields["id"].strip()[len("REC-"):]
        prefix = core.split("-", 1)[0]
        related = {m.group(0)[len("REC-"):]: m.group(1) for m in _REC_ID.finditer(fields.get("related", ""))}
        services = [s for s in re.split(r"[\[\],\s]+", fields.get("services", "")) if s]
        kinds.setdefault(prefix, []).append(Template(
            prefix=prefix, folder=rel.rsplit("/", 1)[0], text=text, own_core=core,
            date=dt.date.fromisoformat(fields["date"].strip()), single_service=len(services) == 1,
            related_prefixes=related,
        ))
    return kinds


def _controlled_files() -> list[Path]:
    """Every file of sample-org but its records: controlled documents, config, README, templates."""
    return sorted(p for p in SAMPLE.rglob("*") if p.is_file() and RECORD_FOLDER not in p.relative_to(SAMPLE).parts)


def _counts_as_document(rel: str) -> bool:
    # imscheck.yaml, README.md and templates/** are not documents (sample-org's own exclude list)
    return rel.endswith((".md", ".yaml")) and rel not in ("imscheck.yaml", "README.md") and not rel.startswith("templates/")


def _catalogue_services() -> list[str]:
    text = (SAMPLE / "service-management" / "SMS-CAT-001-service-catalogue.md").read_text(encoding="utf-8")
    line = re.search(r"^services: *\[(.*)\]$", text, re.M)
    assert line is not None, "the sample catalogue lists its services"
    return [s.strip() for s in line.group(1).split(",")]


def _as_of() -> dt.date:
    text = (SAMPLE / "imscheck.yaml").read_text(encoding="utf-8")
    found = re.search(r"^as_of: *(\d{4}-\d{2}-\d{2})", text, re.M)
    assert found is not None, "sample-org fixes as_of"
    return dt.date.fromisoformat(found.group(1))


def _allocate(total: int, minimum: dict[str, int]) -> dict[str, int]:
    """Every template once, the rest by weight (largest remainder, so no randomness in the counts)."""
    prefixes = sorted(minimum)
    counts = dict(minimum)
    rest = total - sum(minimum.values())
    weight = {p: WEIGHTS.get(p, DEFAULT_WEIGHT) for p in prefixes}
    whole = sum(weight.values())
    shares = {p: rest * w / whole for p, w in weight.items()}
    for p in prefixes:
        counts[p] += int(shares[p])
    left = total - sum(counts.values())
    for p in sorted(prefixes, key=lambda p: (-(shares[p] - int(shares[p])), p))[:left]:
        counts[p] += 1
    return counts


def _plan(records: int, seed: int, as_of: dt.date, late_count: int) -> list[Planned]:
    rng = random.Random(seed)
    kinds = _templates()
    counts = _allocate(records, {p: len(t) for p, t in kinds.items()})
    plan: list[Planned] = []
    for prefix in sorted(kinds):
        count = counts[prefix]
        periodic = WEIGHTS.get(prefix, DEFAULT_WEIGHT) < 1
        for n in range(count):
            if periodic:
                # Reviews and reports come on a schedule: spread evenly, the latest within two weeks
                # (a monthly report that lapsed would be a finding no real repository has every run).
                days = n * 365 // count + rng.randrange(min(14, max(1, 365 // count)))
            else:
                days = rng.randrange(365)
            date = as_of - dt.timedelta(days=days)
            # Each of sample-org's records is re-issued at least once, so what sample-org evidences
            # (every service reviewed with its customer, say) the generated repository does too.
            canonical = n < len(kinds[prefix])
            template = kinds[prefix][n] if canonical else rng.choice(kinds[prefix])
            plan.append(Planned(prefix, template, date, markdown=rng.random() < MARKDOWN_SHARE, canonical=canonical))
    # Ticket numbers grow with time, per kind and year, as a ticketing system issues them.
    plan.sort(key=lambda p: (p.date, p.prefix, p.template.own_core))
    sequence: dict[tuple[str, int], int] = {}
    for item in plan:
        key = (item.prefix, item.date.year)
        sequence[key] = sequence.get(key, 0) + 1
        width = 5 if item.prefix in WIDE_IDS else 4
        item.id = f"REC-{item.prefix}-{item.date.year}-{sequence[key]:0{width}d}"
        suffix = ".md" if item.markdown else ".yaml"
        item.path = f"{item.template.folder}/{item.prefix.lower()}/{item.date:%Y-%m}/{item.id}{suffix}"
    # The second commit adds the newest tickets of the busy kinds: a day's work.
    busy = [item for item in plan if item.prefix in ("INC", "SR", "CHG")]
    for item in busy[len(busy) - late_count:] if late_count else []:
        item.late = True
    return plan


@functools.lru_cache(maxsize=65536)
def _moved(text: str, days: int) -> str:
    """An ISO date moved by `days` (text that only looks like a date stays as it is)."""
    try:
        return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()
    except ValueError:
        return text


def _render(item: Planned, rng: random.Random, pools: tuple[dict[str, list[str]], dict[str, list[str]]],
            services: list[str]) -> str:
    template = item.template
    mapping = {template.own_core: item.id[len("REC-"):]}
    # A record of the first commit only names records that exist at that commit.
    everything, early = pools
    for core, prefix in template.related_prefixes.items():
        mapping[core] = rng.choice(everything[prefix] if item.late else early.get(prefix) or everything[prefix])
    text = _CORE.sub(lambda m: mapping.get(m.group(1), m.group(1)), template.text)
    shift = (item.date - template.date).days
    text = _DATE.sub(lambda m: _moved(m.group(0), shift), text)
    if template.single_service and not item.canonical and rng.random() < 0.3:
        text = re.sub(r"^services: *\[.*\]$", f"services: [{rng.choice(services)}]", text, count=1, flags=re.M)
    if item.markdown:
        title = re.search(r"^title: *(.*)$", text, re.M)
        heading = title.group(1).strip().strip('"') if title else item.id
        text = (f"---\n{text.rstrip()}\n---\n\n# {heading}\n\n"
                f"Exported from the ticketing system on {item.date.isoformat()}; the fields above are the record.\n")
    return text


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
                    "-c", "commit.gpgsign=false", "-c", "gc.auto=0", *args],
                   check=True, stdout=subprocess.DEVNULL, env=env)


def _commit(repo: Path, message: str, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Harbourline Records Export", "GIT_AUTHOR_EMAIL": "records@example.invalid",
           "GIT_COMMITTER_NAME": "Harbourline Records Export", "GIT_COMMITTER_EMAIL": "records@example.invalid",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    _git(repo, "commit", "-q", "--no-verify", "-m", message, env=env)


def generate(target: Path, documents: int, seed: int = 1, second_commit: bool = True) -> Summary:
    """Write a git repository of `documents` documents into `target` (absent or empty)."""
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} is not empty")
    controlled = _controlled_files()
    n_controlled = sum(_counts_as_document(p.relative_to(SAMPLE).as_posix()) for p in controlled)
    templates = sum(len(t) for t in _templates().values())
    if documents < n_controlled + templates:
        raise ValueError(f"--documents must be at least {n_controlled + templates} "
                         f"({n_controlled} controlled documents and each of the {templates} sample records once)")
    records = documents - n_controlled
    as_of = _as_of()
    late_count = min(50, max(1, records // 200)) if second_commit else 0
    plan = _plan(records, seed, as_of, late_count)
    everything: dict[str, list[str]] = {}
    early: dict[str, list[str]] = {}
    for item in plan:
        everything.setdefault(item.prefix, []).append(item.id[len("REC-"):])
        if not item.late:
            early.setdefault(item.prefix, []).append(item.id[len("REC-"):])

    target.mkdir(parents=True, exist_ok=True)
    _git(target, "init", "-q")
    for path in controlled:
        out = target / path.relative_to(SAMPLE)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    rng = random.Random(seed * 7919 + 1)
    services = _catalogue_services()
    made: set = set()
    late: dict[str, str] = {}  # written after the first commit

    def write(rel: str, text: str) -> None:
        out = target / rel
        if out.parent not in made:
            out.parent.mkdir(parents=True, exist_ok=True)
            made.add(out.parent)
        with open(out, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)

    for item in plan:
        text = _render(item, rng, (everything, early), services)
        if item.late:
            late[item.path] = text
        else:
            write(item.path, text)
    _git(target, "add", "-A")
    _commit(target, f"Management system with {documents - len(late)} documents (generated, seed {seed})",
            f"{as_of - dt.timedelta(days=1)}T18:00:00+00:00")
    if late:
        for rel, text in late.items():
            write(rel, text)
        _git(target, "add", "--", *late)
        _commit(target, f"Records export: {len(late)} new tickets", f"{as_of}T09:00:00+00:00")
    by_prefix: dict[str, int] = {}
    for item in plan:
        by_prefix[item.prefix] = by_prefix.get(item.prefix, 0) + 1
    return Summary(documents, n_controlled, records, by_prefix, list(late))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to create (absent or empty)")
    parser.add_argument("--documents", type=int, default=1000, help="documents in the repository (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--single-commit", action="store_true", help="no second commit (no HEAD~1)")
    options = parser.parse_args(argv)
    try:
        summary = generate(options.target, options.documents, options.seed, not options.single_commit)
    except ValueError as error:
        print(f"generate_repo: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"generate_repo: git failed: {' '.join(error.cmd[:2])}... exit {error.returncode}", file=sys.stderr)
        return 2
    kinds = ", ".join(f"{p} {n}" for p, n in sorted(summary.by_prefix.items(), key=lambda kv: -kv[1]))
    print(f"{options.target}: {summary.documents} documents ({summary.controlled} controlled, {summary.records} records: {kinds}); "
          f"second commit adds {len(summary.second_commit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
