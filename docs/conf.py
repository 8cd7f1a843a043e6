"""Sphinx configuration for the calsync_core documentation.

Built with ``-W -n`` (every warning is an error, every reference must resolve)
by ``nox -s docs`` and ``.ci/run``. The package is documented as installed, so
the version and every docstring come from the code the tests ran against, and
no page needs network access (intersphinx is off).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TypeVar

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

import calsync_core

DOCS = Path(__file__).parent
sys.path.insert(0, str(DOCS / "_ext"))

# -- project -------------------------------------------------------------------------------

project = "calsync_core"
author = "the calsync_core authors"
copyright = f"%Y, {author}"
release = calsync_core.__version__
version = ".".join(release.split(".")[:2])

# -- general -------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "rules",  # docs/_ext/rules.py: `.. calsync-rules::` and the :rule: role
    "architecture",  # docs/_ext/architecture.py: the module graph and rule -> module table
    "fieldmap",  # docs/_ext/fieldmap.py: `.. calsync-field-map::`, the adapters' mappings
    "formats",  # docs/_ext/formats.py: `.. calsync-formats::`, the JSON files' fields
    "sphinx_copybutton",  # a copy button on code blocks, without prompts or output
]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
# rules.md is the Markdown rendering a test compares with the table (tests/test_values.py);
# the Sphinx page is rules.rst, generated from the same table at build time.
exclude_patterns = ["_build", "_ext", "rules.md"]

nitpicky = True
# Every calsync_core name must resolve. What is ignored is outside the package: the
# standard library's and Hypothesis's types, which only intersphinx could link, and the
# build must not need the network.
nitpick_ignore_regex = [
    ("py:class", r"(datetime|collections\.abc|os)\.\w+"),
    # The state store's signatures name SyncState, documented with the incremental API.
    ("py:class", r"calsync_core\.incremental\._state\.SyncState"),
]
nitpick_ignore = [
    ("py:class", "hypothesis.strategies.SearchStrategy"),
    ("py:class", "hypothesis.errors.InvalidArgument"),
    # The strategies module's docstring names the entry-point hook, a private function
    # that is deliberately undocumented (pyproject.toml, [project.entry-points.hypothesis]).
    ("py:func", "calsync_core.testing._register.register"),
]
default_role = "code"  # a stray `single backquotes` renders as code, never as a guess
calsync_tests = "../tests"  # where `.. calsync-rules::` looks for tests named after rules

# -- autodoc -------------------------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_type_aliases = {
    "Action": "calsync_core.Action",
}

# -- doctest -------------------------------------------------------------------------------

doctest_test_doctest_blocks = "default"  # plain `>>>` blocks in pages and docstrings run too
# The connector tutorial runs on the recorded payloads the adapters' tests use, found
# from here rather than from the build's working directory.
doctest_global_setup = f"CALSYNC_FIXTURES = {str(DOCS.parent / 'tests' / 'fixtures')!r}"

# -- copy button ---------------------------------------------------------------------------

# Copy what a reader would type: the commands after "$ " and the Python after ">>> " and
# "... ", never the prompts or the output between them.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# -- html ----------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"calsync_core {release}"
html_static_path: list[str] = []


# -- public names --------------------------------------------------------------------------


def _public_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Link ``calsync_core._values.Snapshot``, as type hints spell it, to ``calsync_core.Snapshot``.

    Public classes live in private modules and are re-exported by the package;
    type hints name their defining module, the API page documents them under the
    package. Only names the package exports are redirected, so a hint naming a
    private helper still fails the nitpicky build.
    """
    target: str = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("calsync_core._"):
        return None
    _, _, rest = target.partition("._")
    _, _, name = rest.partition(".")
    head = name.split(".", 1)[0]
    module = sys.modules.get(target[: -len(name) - 1])
    if isinstance(getattr(module, head, None), TypeVar):
        return contnode  # a type variable has no page of its own: show it, link nothing
    if head not in calsync_core.__all__:
        return None
    py = env.get_domain("py")
    return py.resolve_xref(
        env,
        node.get("refdoc", ""),
        app.builder,
        node["reftype"],
        f"calsync_core.{name}",
        node,
        contnode,
    )


_ALIAS_REF = re.compile(r"TypeAliasForwardRef\('([\w.]+)'\)")


def _tidy_signature(
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None]:
    """Show signatures as a reader would write them.

    * ``Iterable[Action]`` where autodoc prints ``TypeAliasForwardRef('...')``:
      Sphinx unwraps an ``autodoc_type_aliases`` name at the top of an annotation
      but not inside one (``tuple[Action, ...]``).
    * ``Action`` rather than ``calsync_core.Action``, as for every other name.
    * No ``(*args, **kwargs)`` on a ``typing.Protocol``: nobody instantiates one.
    """
    if what == "class" and isinstance(obj, type) and getattr(obj, "_is_protocol", False):
        return "", return_annotation

    def named(text: str | None) -> str | None:
        if text is None:
            return None
        text = _ALIAS_REF.sub(r"~\1", text)
        for alias in autodoc_type_aliases.values():
            text = re.sub(rf"(?<![~\w.]){re.escape(alias)}\b", f"~{alias}", text)
        return text

    return named(signature), named(return_annotation)


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", _public_name)
    app.connect("autodoc-process-signature", _tidy_signature)
