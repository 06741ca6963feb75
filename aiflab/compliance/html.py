"""The compliance report as one self-contained HTML page (no network, no scripts)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from aiflab.compliance.report import ComplianceReport
from aiflab.pipeline.recipe_yaml import dump_yaml


def render_html(report: ComplianceReport) -> str:
    env = Environment(loader=PackageLoader("aiflab.compliance", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    template = env.get_template("report.html.j2")
    return template.render(report=report, recipe_yaml=dump_yaml(report.recipe.document))
