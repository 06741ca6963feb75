"""The compliance report as one self-contained HTML page (no network, no scripts; charts inline SVG)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from aiflab.compliance import charts
from aiflab.compliance.report import ComplianceReport
from aiflab.compliance.sections.common import STATE_TEXT
from aiflab.pipeline.recipe_yaml import dump_yaml


def render_html(report: ComplianceReport) -> str:
    env = Environment(loader=PackageLoader("aiflab.compliance", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.tests["startingwith"] = str.startswith
    template = env.get_template("report.html.j2")
    return template.render(report=report, recipe_yaml=dump_yaml(report.recipe.document),
                           state_text=STATE_TEXT, charts=_charts(report))


def _charts(report: ComplianceReport) -> dict[str, Markup]:
    """The SVG charts the report has data for (charts build their markup with escaped text only)."""
    found: dict[str, Markup] = {}
    risk = report.sections.anonymisation.risk
    if risk:
        found["risk"] = Markup(charts.risk_chart(risk[0], risk[-1]))
        found["classes"] = Markup(charts.class_size_chart(risk[0], risk[-1]))
    for exam in report.sections.data_governance.bias:
        found[f"marginal:{exam.column}"] = Markup(charts.marginal_chart(exam))
    for step in report.steps:  # synth.evaluate draws its plots itself (text escaped in synth/plots.py)
        plots = step.metrics.get("plots") if step.stage == "synth.evaluate" else None
        if plots:
            for column, svg in plots.get("marginals", {}).items():
                found[f"synthetic:{step.index}:{column}"] = Markup(svg)
            if plots.get("correlations"):
                found[f"synthetic:{step.index}:correlations"] = Markup(plots["correlations"])
    return found
