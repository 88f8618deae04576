"""Requirement rules evaluated against the evidence (DESIGN.md section 2).

- :mod:`~imscheck.evaluation.index`: the documents that count, by the requirement they address;
- :mod:`~imscheck.evaluation.lookups`: what a rule's checks look things up in during a run;
- :mod:`~imscheck.evaluation.engine`: the relation semantics (full, partial, none), one result per rule;
- :mod:`~imscheck.evaluation.defects`, :mod:`~imscheck.evaluation.freshness`,
  :mod:`~imscheck.evaluation.checklist`: what an auditor looks at in one piece of evidence
  (structured content, its date, the topics of its prose);
- :mod:`~imscheck.evaluation.absence`: why evidence that is there earns no credit.

What the rule language means apart from evaluating it is :mod:`imscheck.rulelang`.
"""
