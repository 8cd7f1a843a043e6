"""Sphinx extension: the rule reference, rendered from ``calsync_core.RULE_TABLE``.

``.. calsync-rules::`` writes one section per section of the table, in table
order, and under it every rule and whole-plan property with its sentence, the
issue codes it can raise (each linked to its :class:`~calsync_core.IssueCode`
member) and the tests that name it. Tests are found at build time by scanning
``tests/**/*.py`` for ``def test_<rule id in snake case>...`` -- the naming the
project's tests follow (``test_r_link_...`` for R-LINK) -- so the page lists
what exists, not what someone remembered to write down. The list is folded
under its count, so that the rules' sentences, not the test names, fill the page.

Every rule ID becomes a cross-reference target: ``:rule:`R-LINK``` links to its
entry from any page, and a misspelt ID is a nitpick warning, so the narrative
pages cannot cite a rule the table does not have.

A rule that no test names is a warning (``calsync.untested``), since RULES.md
promises "every rule has tests named after it"; silence it with
``suppress_warnings = ["calsync.untested"]`` if that is ever wanted.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import calsync_core

logger = logging.getLogger(__name__)

#: The std-domain object type of a rule ID (``.. rule::`` / ``:rule:``).
OBJTYPE = "rule"


def snake(rule_id: str) -> str:
    """``R-AUTOSAVE-MEETING`` -> ``r_autosave_meeting``: how test names spell a rule."""
    return rule_id.lower().replace("-", "_")


def test_ids(path: Path, root: Path) -> Iterator[str]:
    """The pytest node ids of the test functions in one file, in source order.

    The source is parsed, so methods of ``Test*`` classes get their class in the
    id. A file that does not parse (someone is editing it) is read line by line
    for ``def test_...`` instead, so the build never breaks on another's work.
    """
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError:
        for match in re.finditer(r"^\s*(?:async\s+)?def\s+(test_\w+)", text, flags=re.M):
            yield f"{rel}::{match.group(1)}"
        return
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test_"):
            yield f"{rel}::{node.name}"
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for inner in node.body:
                if isinstance(inner, functions) and inner.name.startswith("test_"):
                    yield f"{rel}::{node.name}::{inner.name}"


def tests_by_rule(
    tests_dir: Path, rule_ids: Iterable[str]
) -> tuple[dict[str, list[str]], list[Path]]:
    """Map each rule ID to the node ids of the tests named after it; also the files read.

    A test belongs to the longest rule ID its name starts with (followed by ``_``
    or nothing), so a rule whose ID extends another's never lends it its tests.
    """
    by_prefix = {f"test_{snake(rule_id)}": rule_id for rule_id in rule_ids}
    prefixes = sorted(by_prefix, key=len, reverse=True)
    found: dict[str, list[str]] = {rule_id: [] for rule_id in by_prefix.values()}
    files = sorted(tests_dir.rglob("*.py"))
    for path in files:
        for node_id in test_ids(path, tests_dir.parent):
            name = node_id.rsplit("::", 1)[1]
            for prefix in prefixes:
                if name == prefix or name.startswith(prefix + "_"):
                    found[by_prefix[prefix]].append(node_id)
                    break
    return found, files


class RulesDirective(SphinxDirective):
    """``.. calsync-rules::`` -- the whole rule reference, from the table."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"tests-dir": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        tests_dir = Path(self.env.srcdir, self.options.get("tests-dir", self.config.calsync_tests))
        tests_dir = tests_dir.resolve()
        if not tests_dir.is_dir():
            logger.warning(
                "calsync-rules: no tests directory at %s", tests_dir, location=self.get_location()
            )
            tests: dict[str, list[str]] = {}
        else:
            tests, files = tests_by_rule(tests_dir, (rule.id for rule in calsync_core.RULE_TABLE))
            for path in files:  # re-read this page when a test file changes
                self.env.note_dependency(str(path))
        rules_source = getattr(calsync_core._rules, "__file__", None)
        if rules_source:
            self.env.note_dependency(rules_source)

        result: list[nodes.Node] = []
        title: str | None = None
        entries = nodes.definition_list()
        for rule in calsync_core.RULE_TABLE:
            if rule.section != title:
                title = rule.section
                section = self._section(title)
                entries = nodes.definition_list()
                section += entries
                result.append(section)
            entries += self._entry(rule, tests.get(rule.id, []))
        return result

    def _section(self, title: str) -> nodes.section:
        section = nodes.section()
        section["names"].append(title)
        section["ids"].append(nodes.make_id(f"rules {title}"))
        section += nodes.title(title, title)
        self.state.document.note_implicit_target(section, section)
        return section

    def _entry(self, rule: calsync_core.Rule, tests: list[str]) -> nodes.definition_list_item:
        node_id = nodes.make_id(f"rule {rule.id}")
        term = nodes.term()
        term["ids"].append(node_id)
        term += nodes.literal(rule.id, rule.id)
        std = self.env.get_domain("std")
        assert isinstance(std, StandardDomain)
        std.note_object(OBJTYPE, rule.id, node_id, location=term)

        body = nodes.definition()
        body += nodes.paragraph(rule.sentence, rule.sentence)
        fields = nodes.field_list()
        if rule.issues:
            para = nodes.paragraph()
            for n, code in enumerate(rule.issues):
                if n:
                    para += nodes.Text(", ")
                para += self._issue_ref(code.value)
            fields += _field("Issues", para)
        if tests:
            fields += _field("Tests", folded(tests))
        else:
            fields += _field("Tests", nodes.paragraph(text="none yet"))
            logger.warning(
                "calsync-rules: no test is named after %s (expected def test_%s_...)",
                rule.id,
                snake(rule.id),
                location=self.get_location(),
                type="calsync",
                subtype="untested",
            )
        body += fields
        return nodes.definition_list_item("", term, body)

    def _issue_ref(self, code: str) -> addnodes.pending_xref:
        # Resolved like :py:attr:`~calsync_core.IssueCode.X`; api.rst documents the members.
        ref = addnodes.pending_xref(
            "",
            nodes.literal(code, code, classes=["xref", "py", "py-attr"]),
            refdomain="py",
            reftype="attr",
            reftarget=f"calsync_core.IssueCode.{code}",
            refexplicit=True,
            refwarn=True,
        )
        ref["py:module"] = "calsync_core"
        ref["py:class"] = None
        self.set_source_info(ref)
        return ref


def folded(tests: list[str]) -> nodes.container:
    """The tests' names by file, folded away under a count: the rule's text leads the entry.

    HTML gets a ``<details>`` element, which opens on a click with no script;
    other builders drop the raw parts and show the list.
    """
    count = len({test.partition("::")[0] for test in tests})
    summary = f"{len(tests)} test{'s' * (len(tests) != 1)} in {count} file{'s' * (count != 1)}"
    box = nodes.container(classes=["calsync-tests"])
    box += nodes.raw("", f"<details><summary>{summary}</summary>", format="html")
    box += _by_file(tests)
    box += nodes.raw("", "</details>", format="html")
    return box


def _by_file(tests: list[str]) -> nodes.bullet_list:
    """One bullet per test file, holding the names (with any class) of its tests."""
    files: dict[str, list[str]] = {}
    for test in tests:
        path, _, name = test.partition("::")
        files.setdefault(path, []).append(name)
    outer = nodes.bullet_list()
    for path, names in files.items():
        inner = nodes.bullet_list()
        for name in names:
            inner += nodes.list_item("", nodes.paragraph("", "", nodes.literal(name, name)))
        outer += nodes.list_item("", nodes.paragraph("", "", nodes.literal(path, path)), inner)
    return outer


def _field(name: str, body: nodes.Element) -> nodes.field:
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", body))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("calsync_tests", "../tests", "env", types=[str])
    # `.. rule:: R-X` makes a target by hand; `:rule:`R-X`` links to one.
    app.add_crossref_type(OBJTYPE, OBJTYPE)
    app.add_directive("calsync-rules", RulesDirective)
    return {"version": calsync_core.__version__, "parallel_read_safe": True}
