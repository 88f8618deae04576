"""Rule packs: loading the declarative YAML rules and validating them when they load.

A broken rule file is a set-up error (exit 2) naming the file, the rule and the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imscheck.errors import ImscheckError
from imscheck.excerpt import excerpt, kind_of, short_schema_message
from imscheck.globs import glob_problem
from imscheck.resources import is_shipped
from imscheck.ruleids import BUILTIN
from imscheck.ruleschema import pattern_problem, rule_validator
from imscheck.schemas import describe_error, errors, load_setup_file, load_yaml_file, parse_setup_text
from imscheck.sources import FOLDER, MISSING, SYMLINK, Source, Unreadable, WorkTree
from imscheck.standards import Catalogue, Catalogues, Ref, parse_ref
from imscheck.vocabulary import Vocabulary, shipped_vocabulary
from imscheck.yamlparse import Limits

PACK_FILE = "pack.yaml"
CASES_SUFFIX = ".cases.yaml"  # a rule's test cases beside it (imscheck rules test): never rules themselves


@dataclass(frozen=True)
class Selector:
    """Which documents a check looks at; every given criterion must hold."""

    types: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()  # "self", "base", clause numbers or full references
    ids: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    where: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Check:
    """One piece of evidence an auditor looks for, and what it must show."""

    select: Selector
    expect: str | None = None
    at_least: int = 1
    every: bool = False
    none: bool = False
    per_service: bool = False
    when_present: bool = False  # event records: none is fine (no emergency change this year)
    kind: str | None = None  # vocabulary kind the concepts below belong to
    fields: tuple[str, ...] = ()  # concepts of ``kind`` each document must hold
    covers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # concept -> topics its value must mention
    topics: tuple[str, ...] = ()  # what an auditor reads the prose for (observations)
    services_catalogued: bool = False  # every service a document names is in the catalogue
    listed_documents: str | None = None  # concept whose document ids must each count as evidence
    schema: Mapping[str, Any] | None = None
    fresh_field: str = "date"
    fresh_months: int | None = None
    fresh_grace: int = 0  # months of grace after the window (a review held a few days late)
    fresh_declared_by: str | None = None  # topic naming the activity whose stated interval wins
    references: tuple[tuple[str, Selector], ...] = ()
    validator: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Relation:
    type: str  # full | partial | none
    base: tuple[str, ...] = ()
    adds: str | None = None
    neighbours: tuple[str, ...] = ()  # none: ISO 9001 clauses whose arrangements are reused, without credit


@dataclass(frozen=True)
class Rule:
    """One requirement of the target edition as data."""

    id: str
    clause: str
    title: str
    severity: str
    relation: Relation
    checks: tuple[Check, ...]
    guidance: str
    target: str  # edition key, e.g. iso20000-1:2018
    base: str  # edition key, e.g. iso9001:2015
    source: str
    justification: str | None = None

    @property
    def ref(self) -> Ref:
        standard, edition = self.target.split(":", 1)
        return Ref(standard, edition, self.clause)

    @property
    def base_refs(self) -> tuple[Ref, ...]:
        standard, edition = self.base.split(":", 1)
        return tuple(Ref(standard, edition, number) for number in self.relation.base)


@dataclass(frozen=True)
class Pack:
    """A rule pack: the rules for one target edition, checked against one base edition."""

    target: str
    base: str
    title: str
    rules: tuple[Rule, ...]
    directory: Path

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@dataclass(frozen=True)
class BuiltinRule:
    """A built-in rule (document hygiene, git history or configuration): logic in code, metadata in data."""

    id: str
    title: str
    severity: str
    description: str
    guidance: str
    kind: str  # hygiene | git | configuration (imscheck.terms)


def available_packs(rules_root: Path) -> dict[str, Path]:
    """Target edition key -> pack directory, for every ``packs/*/pack.yaml``."""
    found: dict[str, Path] = {}
    for manifest in sorted((rules_root / "packs").glob(f"*/{PACK_FILE}")):
        data = load_setup_file(manifest, "pack")
        found[data["target"]] = manifest.parent
    return found


def load_pack(
    rules_root: Path,
    target: str,
    catalogues: Catalogues,
    extra_dirs: Sequence[Path | RuleFolder] = (),
    base: str | None = None,
    source: str = "--standard",
    base_source: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> Pack:
    """Load and validate the pack for ``target`` plus the user's rule folders.

    ``extra_dirs`` are folders named on the command line (paths: trusted) or the repository's
    own (a :class:`RuleFolder` read through the repository's source).
    """
    packs = available_packs(rules_root)
    directory = packs.get(target)
    if directory is None:
        known = ", ".join(sorted(packs)) or "none"
        raise ImscheckError(f"no rule pack for standard {target!r} (available: {known})", source)
    manifest = load_setup_file(directory / PACK_FILE, "pack")
    base_key = manifest["base"]
    if base is not None and base != base_key:
        # the rules' base clauses are clauses of the pack's own base edition: no other reads them
        raise ImscheckError(
            f"{base!r} is not the base of {target}: its rules relate it to {base_key} (use {base_key} or leave the base out)",
            base_source or source,
        )
    target_catalogue = catalogues.require(target, str(directory / PACK_FILE))
    base_catalogue = catalogues.require(base_key, str(directory / PACK_FILE))
    words = vocabulary or shipped_vocabulary()
    loaded = [(str(path), _load_rule_file(path, target_catalogue, base_catalogue, catalogues, words))
              for path in sorted(directory.glob("*.yaml")) if path.name != PACK_FILE and not path.name.endswith(CASES_SUFFIX)]
    for extra in extra_dirs:
        folder = extra if isinstance(extra, RuleFolder) else RuleFolder(WorkTree(Path(extra), use_git=False))
        for name, text in folder.rule_files():
            loaded.append((name, _rules_from_text(text, name, target_catalogue, base_catalogue, catalogues, words)))
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for name, found in loaded:
        for rule in found:
            if rule.id in seen:
                raise ImscheckError(f"rule {rule.id} is also defined in {seen[rule.id]}", name)
            seen[rule.id] = name
            rules.append(rule)
    rules.sort(key=lambda r: (tuple(int(p) for p in r.clause.split(".")), r.id))
    return Pack(target, base_key, manifest["title"], tuple(rules), directory)


# A rule file of the repository is read whole: it cannot be larger than this.
RULE_FILE_LIMITS = Limits(max_bytes=5_000_000, max_depth=64, max_nodes=1_000_000)


@dataclass(frozen=True)
class RuleFolder:
    """A folder of rule files (``*.yaml``) inside a source: the repository's, or one from ``--rules``.

    Whatever the folder, its files are read as documents are: regular files only, never through
    a symbolic link, within :data:`RULE_FILE_LIMITS`; a FIFO or device is an error, not a hang.
    The folder named by ``--rules`` may itself be reached through a link (the command line is
    trusted); ``path`` inside the repository may not.
    """

    source: Source
    path: str = "."

    def rule_files(self) -> list[tuple[str, str]]:
        """(name for messages, text) of each rule file, sorted by file name."""
        where = self.source.describe(self.path)
        try:
            entries = self.source.listdir(self.path)
        except Unreadable as exc:
            if exc.reason == MISSING:
                raise ImscheckError("rule folder does not exist", where) from None
            if exc.reason == SYMLINK:
                raise ImscheckError("rule folder is (or lies in) a symbolic link: not followed; "
                                    "keep rule folders as real folders in the repository", where) from None
            raise ImscheckError(f"rule folder cannot be read: {exc}", where) from None
        out: list[tuple[str, str]] = []
        for name, kind in entries:
            if not name.endswith(".yaml") or name.endswith(CASES_SUFFIX) or name.startswith(".") or kind == FOLDER:
                continue
            rel = name if self.path in ("", ".") else f"{self.path}/{name}"
            shown = self.source.describe(rel)
            if kind == SYMLINK:
                raise ImscheckError("symbolic link not followed: keep rule files as regular files in the rule folder", shown)
            try:
                raw = self.source.read(rel, RULE_FILE_LIMITS.max_bytes)
            except Unreadable as exc:
                raise ImscheckError(f"{exc}: a rule file must be a regular file", shown) from None
            try:
                out.append((shown, raw.decode("utf-8")))
            except UnicodeDecodeError:
                raise ImscheckError("not valid UTF-8", shown) from None
        return out


def load_builtin_rules(rules_root: Path, name: str) -> dict[str, BuiltinRule]:
    """Metadata of the built-in rules of ``rules/<name>``, which must name exactly the ids the
    code produces (:mod:`imscheck.ruleids`): a mismatch is a broken installation, exit 2."""
    kind, produced = BUILTIN[name]
    path = rules_root / name
    data = load_setup_file(path, "builtin")
    rules = {r["id"]: BuiltinRule(r["id"], r["title"], r["severity"], r["description"], r["guidance"], kind) for r in data["rules"]}
    unknown, lacking = sorted(set(rules) - produced), sorted(produced - set(rules))
    if unknown or lacking:
        said = [f"names {', '.join(unknown)}, which imscheck does not produce"] if unknown else []
        said += [f"lacks {', '.join(lacking)}, which imscheck produces"] if lacking else []
        raise ImscheckError(f"built-in rule metadata {' and '.join(said)}: reinstall imscheck", str(path))
    return rules


_FILE_CACHE: dict[tuple[str, int, int, int, int], list[Rule]] = {}


def _load_rule_file(path: Path, target: Catalogue, base: Catalogue, catalogues: Catalogues, vocabulary: Vocabulary) -> list[Rule]:
    """Rules of one file; a library caller checking many repositories parses each file once."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    key = (str(path), stat.st_mtime_ns, stat.st_size, id(catalogues), id(vocabulary)) if stat else None
    if key is not None and key in _FILE_CACHE and all(r.target == target.key and r.base == base.key for r in _FILE_CACHE[key]):
        return _FILE_CACHE[key]
    rules = _parse_rule_file(path, target, base, catalogues, vocabulary)
    if key is not None:
        _FILE_CACHE[key] = rules
    return rules


# content hash -> (catalogues, vocabulary, rules): the objects are kept and compared by identity,
# so an id reused after garbage collection can never serve rules built against other data.
_TEXT_CACHE: dict[tuple[str, str], tuple[Catalogues, Vocabulary, list[Rule]]] = {}
_TEXT_CACHE_SIZE = 256


def _rules_from_text(text: str, name: str, target: Catalogue, base: Catalogue, catalogues: Catalogues,
                     vocabulary: Vocabulary) -> list[Rule]:
    """Rules of a user's rule file, validated; parsed once per content for a library caller."""
    key = (name, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    hit = _TEXT_CACHE.get(key)
    if (hit is not None and hit[0] is catalogues and hit[1] is vocabulary
            and all(r.target == target.key and r.base == base.key for r in hit[2])):
        return hit[2]
    rules = _validated_rules(parse_setup_text(text, RULE_FILE_LIMITS, name).data, name, target, base, catalogues, vocabulary)
    if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
        _TEXT_CACHE.pop(next(iter(_TEXT_CACHE)))  # oldest first: a library caller's cache stays bounded
    _TEXT_CACHE[key] = (catalogues, vocabulary, rules)
    return rules


def _validated_rules(data: Any, name: str, target: Catalogue, base: Catalogue, catalogues: Catalogues,
                     vocabulary: Vocabulary) -> list[Rule]:
    if not isinstance(data, dict):
        # said without the content: a file of the repository may hold anything (a token, a key)
        raise ImscheckError(f"not a rule file: expected a mapping with a rules: list, found {kind_of(data)} {excerpt(data)}", name)
    found = errors(data, "rule")
    if found:
        first = found[0]
        where = list(first.absolute_path)
        prefix = ""
        if len(where) >= 2 and where[0] == "rules":
            rule = data["rules"][where[1]]
            rule_id = rule.get("id") if isinstance(rule, dict) else None
            shown = rule_id if isinstance(rule_id, str) and len(rule_id) <= 40 and rule_id.isprintable() else None
            prefix = f"rule {shown or '#' + str(where[1] + 1)}: "
        raise ImscheckError(prefix + short_schema_message(describe_error(first)), name)
    return [_build_rule(raw, name, target, base, catalogues, vocabulary) for raw in data["rules"]]


def _parse_rule_file(path: Path, target: Catalogue, base: Catalogue, catalogues: Catalogues, vocabulary: Vocabulary,
                     validate: bool | None = None) -> list[Rule]:
    if validate is None:
        validate = not is_shipped(path)  # shipped rules are validated by the test suite
    if not validate:
        return [_build_rule(raw, str(path), target, base, catalogues, vocabulary) for raw in load_setup_file(path, "rule", False)["rules"]]
    return _validated_rules(load_yaml_file(path), str(path), target, base, catalogues, vocabulary)


def _build_rule(raw: Mapping[str, Any], source: str, target: Catalogue, base: Catalogue, catalogues: Catalogues,
                vocabulary: Vocabulary) -> Rule:
    rule_id = raw["id"]

    def fail(message: str) -> ImscheckError:
        return ImscheckError(f"rule {rule_id}: {message}", source)

    clause = target.get(raw["clause"])
    if clause is None:
        raise fail(f"at clause: {raw['clause']} is not a clause of {target.title}")
    relation_raw = raw["relation"]
    for key in ("base", "neighbours"):
        for number in relation_raw.get(key, ()):
            if base.get(number) is None:
                raise fail(f"at relation/{key}: {number} is not a clause of {base.title}")
    relation = Relation(relation_raw["type"], tuple(relation_raw.get("base", ())), relation_raw.get("adds"),
                        tuple(relation_raw.get("neighbours", ())))
    checks = tuple(_build_check(c, i, fail, target, catalogues, relation, vocabulary) for i, c in enumerate(raw.get("evidence", ())))
    return Rule(
        id=rule_id,
        clause=clause.number,
        title=raw.get("title") or clause.display_title,
        severity=raw["severity"],
        relation=relation,
        checks=checks,
        guidance=" ".join(raw["guidance"].split()),
        target=target.key,
        base=base.key,
        source=source,
        justification=raw.get("justification"),
    )


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _build_selector(raw: Mapping[str, Any], where: str, fail: Any, target: Catalogue, catalogues: Catalogues,
                    relation: Relation) -> Selector:
    addresses = _strings(raw.get("addresses"))
    for token in addresses:
        if token == "base" and relation.type == "none":
            raise fail(f"at {where}/addresses: 'base' used in a rule whose relation is none")
        if token in ("self", "base"):
            continue
        ref = parse_ref(token) if ":" in token else target.ref(token)
        problem = catalogues.problem_with(ref) if ref else f"{token!r} is not a requirement reference"
        if problem:
            raise fail(f"at {where}/addresses: {problem}")
    for pattern in _strings(raw.get("path")):
        problem = glob_problem(pattern)
        if problem:
            raise fail(f"at {where}/path: {problem}")
    return Selector(
        types=_strings(raw.get("type")),
        addresses=addresses,
        ids=_strings(raw.get("id")),
        paths=_strings(raw.get("path")),
        where=tuple(sorted((raw.get("where") or {}).items())),
    )


# Keywords that move where a reference resolves, or resolve at evaluation time: each made a
# rule's schema fail (or loop) on the first document it checked.
_UNSUPPORTED_REFERENCES = ("$id", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor")
# Keywords whose schemas apply to the value itself, not to a part of it (JSON Schema 2020-12)
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("not", "if", "then", "else")


def _pointer_target(schema: Any, ref: str) -> Any:
    """What a local ``$ref`` (``#`` or ``#/...``) points at in ``schema``, or None."""
    target: Any = schema
    for part in (p.replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/")[1:]):
        target = target.get(part) if isinstance(target, dict) else (
            target[int(part)] if isinstance(target, list) and part.isdigit() and int(part) < len(target) else None)
        if target is None:
            return None
    return target


def _in_place(node: dict[str, Any], schema: Any) -> list[Any]:
    """The schemas ``node`` applies to the same value: its in-place applicators and its $ref's target."""
    out = [sub for key in _IN_PLACE_LISTS if isinstance(node.get(key), list) for sub in node[key]]
    out += [node[key] for key in _IN_PLACE_ONE if key in node]
    if isinstance(node.get("dependentSchemas"), dict):
        out += list(node["dependentSchemas"].values())
    if isinstance(node.get("$ref"), str):
        out.append(_pointer_target(schema, node["$ref"]))
    return [sub for sub in out if isinstance(sub, dict)]


def _reference_problem(schema: Any) -> str | None:
    """A reference that would fail or never end during evaluation: rules are self-contained and
    nothing is fetched; a ``$ref`` that reaches itself must step into a part of the value
    (``properties``, ``items``...) on the way, so the document's own depth ends it.

    ``{"$ref": "#"}``, or two ``$defs`` naming each other through ``allOf``, recursed on the
    first document until Python's stack ran out; ``$id`` and dynamic references resolve
    elsewhere than the pointer says.
    """
    schemas: list[dict[str, Any]] = []
    targets: dict[int, Any] = {}  # what the references point at, once each
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            unsupported = next((key for key in _UNSUPPORTED_REFERENCES if key in node), None)
            if unsupported is not None:
                return f"{unsupported} is not supported: a rule's schema is self-contained (use $defs and $ref '#/$defs/...')"
            ref = node.get("$ref")
            if isinstance(ref, str):
                if not ref.startswith("#"):
                    return f"$ref {ref!r} points outside the rule: only local references (#/...) are allowed"
                if ref != "#" and (not ref.startswith("#/") or "%" in ref):
                    return f"$ref {excerpt(ref)} is not supported: write a JSON pointer such as '#/$defs/name', without percent-encoding"
                target = _pointer_target(schema, ref)
                if target is None:
                    return f"$ref {ref!r} points at nothing in the schema"
                if id(target) not in targets:
                    targets[id(target)] = target
            schemas.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    # a reference into a value (an enum, a const, a list of schemas) is no schema: check_schema never saw it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for target in targets.values():
        try:
            Draft202012Validator.check_schema(target)
        except SchemaError as exc:
            return f"a $ref points at something that is not a schema: {short_schema_message(exc.message)}"
        problem = pattern_problem(target)  # a const or enum value used as a schema was not looked at for patterns
        if problem:
            return problem
    # a cycle of in-place steps never ends: depth-first search, iterative (schemas nest deeply)
    state: dict[int, int] = {}  # id(schema): 1 on the current path, 2 done
    for root in schemas:
        if id(root) in state:
            continue
        path: list[tuple[dict[str, Any], list[Any]]] = [(root, _in_place(root, schema))]
        state[id(root)] = 1
        while path:
            node, pending = path[-1]
            if not pending:
                state[id(node)] = 2
                path.pop()
                continue
            sub = pending.pop()
            seen = state.get(id(sub))
            if seen == 1:
                return ("a $ref reaches its own schema without stepping into a part of the value (through properties, items...): "
                        "it would never end")
            if seen is None:
                state[id(sub)] = 1
                path.append((sub, _in_place(sub, schema)))
    return None


def _vocabulary_problem(raw: Mapping[str, Any], vocabulary: Vocabulary) -> str | None:
    """A kind, concept or topic the check names that the vocabulary lacks (rules/vocabulary.yaml)."""
    kind_name = raw.get("kind")
    concepts = list(raw.get("fields", ())) + list(raw.get("covers", {})) + ([raw["listed_documents"]] if "listed_documents" in raw else [])
    if kind_name is None and (raw.get("covers") or raw.get("listed_documents")):
        return "covers and listed_documents name concepts: give the kind they belong to (kind:)"
    if kind_name is not None:
        kind = vocabulary.kinds.get(kind_name)
        if kind is None:
            return f"at kind: no kind {kind_name!r} in the vocabulary (known: {', '.join(sorted(vocabulary.kinds))})"
        for concept in concepts:
            if concept not in kind.concepts:
                return f"{kind_name} has no concept {concept!r} (known: {', '.join(sorted(kind.concepts))})"
    topics = list(raw.get("topics", ())) + [t for names in raw.get("covers", {}).values() for t in names]
    topics += [raw["fresh"]["declared_by"]] if "declared_by" in raw.get("fresh", {}) else []
    for topic in topics:
        if topic not in vocabulary.topics:
            return f"no topic {topic!r} in the vocabulary"
    return None


def _build_check(raw: Mapping[str, Any], index: int, fail: Any, target: Catalogue, catalogues: Catalogues, relation: Relation,
                 vocabulary: Vocabulary) -> Check:
    where = f"evidence/{index}"
    problem = _vocabulary_problem(raw, vocabulary)
    if problem:
        raise fail(f"at {where}: {problem}")
    schema = raw.get("assert")
    validator = None
    if schema is not None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise fail(f"at {where}/assert: not a valid JSON Schema: {short_schema_message(exc.message)}") from None
        problem = _reference_problem(schema) or pattern_problem(schema)
        if problem:
            raise fail(f"at {where}/assert: {problem}")
        validator = rule_validator(schema)  # patterns matched in linear time: the documents are untrusted
    fresh = raw.get("fresh") or {}
    references = tuple(
        (ref["field"], _build_selector(ref["select"], f"{where}/references/{i}/select", fail, target, catalogues, relation))
        for i, ref in enumerate(raw.get("references", ()))
    )
    return Check(
        select=_build_selector(raw["select"], f"{where}/select", fail, target, catalogues, relation),
        expect=raw.get("expect"),
        at_least=raw.get("at_least", 1),
        every=bool(raw.get("every")),
        none=bool(raw.get("none")),
        per_service=bool(raw.get("per_service")),
        when_present=bool(raw.get("when_present")),
        kind=raw.get("kind"),
        fields=tuple(raw.get("fields", ())),
        covers=tuple((concept, tuple(topics)) for concept, topics in (raw.get("covers") or {}).items()),
        topics=tuple(raw.get("topics", ())),
        services_catalogued=bool(raw.get("services_catalogued")),
        listed_documents=raw.get("listed_documents"),
        schema=schema,
        fresh_field=fresh.get("field", "date"),
        fresh_months=fresh.get("within_months"),
        fresh_grace=fresh.get("grace_months", 0),
        fresh_declared_by=fresh.get("declared_by"),
        references=references,
        validator=validator,
    )
