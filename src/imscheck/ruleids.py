"""The registry of built-in rules: every id the code produces, by family and metadata file.

The code finds problems; ``rules/<file>`` gives each id its title, severity and guidance. The two
lists must agree: :func:`imscheck.rules.load_builtin_rules` refuses a file that names an id the
code never produces or lacks one it does, so a mistyped id cannot drop findings silently.
"""

from __future__ import annotations

from imscheck.terms import CONFIGURATION, GIT, HYGIENE

# document hygiene (rules/hygiene.yaml): every repository
DOC_PARSE = "DOC-PARSE"
DOC_EMPTY = "DOC-EMPTY"
DOC_SYMLINK = "DOC-SYMLINK"
DOC_DUPKEY = "DOC-DUPKEY"
DOC_SCHEMA = "DOC-SCHEMA"
DOC_ID_UNIQUE = "DOC-ID-UNIQUE"
DOC_REF = "DOC-REF"
DOC_APPROVAL = "DOC-APPROVAL"
DOC_REVIEW = "DOC-REVIEW"
DOC_CLAUSE = "DOC-CLAUSE"
DOC_DATE = "DOC-DATE"
DOC_SERVICE = "DOC-SERVICE"

# document control over git history (rules/git.yaml): only when compared with a revision
GIT_VERSION = "GIT-VERSION"
GIT_RECORD = "GIT-RECORD"
GIT_ID = "GIT-ID"

# imscheck.yaml's own waivers, exclusions and overrides (rules/configuration.yaml)
CFG_WAIVER = "CFG-WAIVER"
CFG_WAIVER_UNUSED = "CFG-WAIVER-UNUSED"
CFG_SCOPE = "CFG-SCOPE"

HYGIENE_FILE = "hygiene.yaml"
GIT_RULES_FILE = "git.yaml"
CONFIG_RULES_FILE = "configuration.yaml"

# metadata file -> (the family its results are, the ids the code produces)
BUILTIN: dict[str, tuple[str, frozenset[str]]] = {
    HYGIENE_FILE: (HYGIENE, frozenset({DOC_PARSE, DOC_EMPTY, DOC_SYMLINK, DOC_DUPKEY, DOC_SCHEMA, DOC_ID_UNIQUE, DOC_REF,
                                       DOC_APPROVAL, DOC_REVIEW, DOC_CLAUSE, DOC_DATE, DOC_SERVICE})),
    GIT_RULES_FILE: (GIT, frozenset({GIT_VERSION, GIT_RECORD, GIT_ID})),
    CONFIG_RULES_FILE: (CONFIGURATION, frozenset({CFG_WAIVER, CFG_WAIVER_UNUSED, CFG_SCOPE})),
}
BUILTIN_RULE_FILES: tuple[str, ...] = tuple(BUILTIN)
