"""``imscheck audit``: the internal-audit dry run as a self-contained HTML (or Markdown) report.

One way only: :func:`prepare` evaluates the repository and builds a plain view model
(:mod:`imscheck.audit.model`); :mod:`imscheck.audit.render` presents it with Jinja2 templates.
Jinja2 is imported by the renderer alone, so ``imscheck check`` never pays for it.
"""

from __future__ import annotations

from imscheck.audit.context import AuditInputs, ReportContext
from imscheck.audit.doccontrol import build_document_control
from imscheck.audit.evidence import build_evidence_index
from imscheck.audit.model import AuditReport, LegendEntry, RunInfo
from imscheck.audit.nonconformities import build_nonconformities
from imscheck.audit.observations import build_observations
from imscheck.audit.readiness import build_dividend, build_readiness
from imscheck.audit.status import LEGEND, READING_ORDER, SHORT_LABEL
from imscheck.audit.waivers import build_scope
from imscheck.pipeline import evaluate
from imscheck.results import Run
from imscheck.stages import Progress, Settings, always_run_rules
from imscheck.standards import edition_name, shipped_catalogues


def prepare(settings: Settings, progress: Progress = None) -> tuple[Run, AuditReport]:
    """Evaluate the repository (read only) and build the report's view model.

    ``progress`` is told each phase (see imscheck.progress).
    """
    outcome = evaluate(settings, progress)
    run = outcome.run
    if progress is not None:
        progress("building the report", 0, 0)
    known = shipped_catalogues()
    sources = AuditInputs(run, outcome.config, outcome.pack, always_run_rules(outcome.reading.builtin),
                          known.require(run.standard), known.require(run.base), settings.repo.resolve().name or str(settings.repo))
    return run, build(sources)


def build(sources: AuditInputs) -> AuditReport:
    """The view model, sections in the order a lead auditor reads them."""
    ctx = ReportContext(sources)
    readiness = build_readiness(ctx)
    run = sources.run
    return AuditReport(
        run=RunInfo(
            repository=run.repository,
            name=sources.name,
            commit=run.commit,
            as_of=run.as_of.isoformat(),
            standard=edition_name(run.standard),
            standard_title=sources.target.title,
            base=edition_name(run.base),
            base_title=sources.base.title,
            tool_version=run.tool_version,
            config=run.config_path,
            rules=len(ctx.requirements),
            hygiene_checks=len(sources.hygiene),
            documents=len(ctx.documents),
        ),
        readiness=readiness,
        dividend=build_dividend(ctx),
        nonconformities=build_nonconformities(ctx),
        observations=build_observations(ctx),
        scope=build_scope(ctx),
        document_control=build_document_control(ctx),
        evidence=build_evidence_index(ctx),
        legend=tuple(LegendEntry(key, SHORT_LABEL[key], LEGEND[key]) for key in READING_ORDER),
    )
