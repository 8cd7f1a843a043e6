"""The README's promises: its Python example runs, its commands are what CI runs."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs_as_a_doctest() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "README has no python example"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for n, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README[{n}]", "README.md", 0)
        assert test.examples, f"README python block {n} has no examples"
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    lines = [line for block in commands for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].endswith("calsync plan --example")
    test_command = lines[1].split("&&")[-1].strip()  # ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.replace(".venv/bin/python", '"$py"') in ci
