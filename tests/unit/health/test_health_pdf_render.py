"""themes.pdf.render_pdf: CJK font embedded, language activated, fast enough."""

import re
import subprocess
import time

import pytest
from django.template import engines

from themes.pdf import PDF_FONT_FAMILY, render_html, render_pdf

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdffonts"], capture_output=True).returncode != 0,
    reason="poppler-utils (pdffonts/pdftotext) is missing: `make test` installs it",
)


@pytest.fixture
def sample_template(settings, tmp_path):
    (tmp_path / "sample.html").write_text(
        '{% extends "themes/pdf/base.html" %}{% load i18n %}'
        "{% block running_title %}示例{% endblock %}"
        "{% block content %}<h1>健康报告 {{ name }}</h1><p>{% translate 'Confidential' %}</p>"
        "<table><tr><th>综合得分</th><td class='num'>72.5</td></tr></table>{% endblock %}",
        encoding="utf-8",
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine.get("DIRS", []), str(tmp_path)]}]
    engines._engines = {}  # settings changed: rebuild the template engines
    engines.__dict__.pop("templates", None)
    yield "sample.html"
    engines._engines = {}
    engines.__dict__.pop("templates", None)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_pdf_embeds_noto_cjk_and_renders_chinese(sample_template, tmp_path):
    pdf = render_pdf(sample_template, {"name": "华信科技"}, language="zh-hans")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "cjk.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK-SC" in line]
    assert cjk, fonts
    assert all(" yes yes " in line for line in cjk), fonts  # embedded and subset
    text = _text(pdf, tmp_path)
    assert "健康报告 华信科技" in text
    assert "综合得分" in text
    assert "机密" in text  # "Confidential" in the default language, header/footer included
    assert re.search(r"\b1\s*/\s*1\b", text)  # page numbers in the footer


def test_language_is_activated_for_the_template(sample_template, tmp_path):
    html = render_html(sample_template, {"name": "X"}, language="en")
    assert 'lang="en"' in html
    assert "Confidential" in html
    assert PDF_FONT_FAMILY.split(",")[0] in html
    assert "Confidential" in _text(render_pdf(sample_template, {"name": "X"}, language="en"), tmp_path)


def test_render_is_fast_after_warm_up(sample_template):
    render_pdf(sample_template, {"name": "预热"}, language="zh-hans")
    started = time.perf_counter()
    render_pdf(sample_template, {"name": "华信科技"}, language="zh-hans")
    assert time.perf_counter() - started < 1.5
