"""Checking a change: the repository compared with a git revision (``--changed-since``, ``--staged``).

- :mod:`~imscheck.comparison.repository` talks to git (plumbing only, nothing written);
- :mod:`~imscheck.comparison.compare` runs the pipeline's stages on both sides and marks each
  failing result new or not;
- :mod:`~imscheck.comparison.document_control` holds the git rules (GIT-VERSION, GIT-RECORD,
  GIT-ID): what changed between the sides that document control forbids.

A plain check never imports this package.
"""
