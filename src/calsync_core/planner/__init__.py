"""The planner: ``reconcile`` and the rule families it is made of.

Data flows one way. ``run`` builds a read-only ``World`` (``org``, ``index``,
``world``) from the settings and both snapshots, and a ``PlanBuilder``
(``builder``), the only thing that changes. Meeting by meeting it hands each
copy to the per-item ``ladder``, whose steps are the rule families:
``cancel``, ``duplicates``, ``unsync``, ``linked`` (with ``fields``,
``sharing``, ``linking``, ``attachments``), ``downdelete``, ``saving`` (with
``eligibility``, ``limits``, ``invitees``). Events made in Salesforce go to
``downsync`` and ``routes``. ``guard`` holds R-EMPTY-GUARD, ``steady`` the
steady state's shortcut. ``docs/concepts.rst`` ("Architecture") draws the
module graph and maps each rule ID to its module.
"""

from __future__ import annotations

from .run import plan, reconcile

__all__ = ["plan", "reconcile"]
