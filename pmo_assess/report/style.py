"""The look of the report documents: one stylesheet for the screen (any width) and for print (A4 PDF).

``{header}`` is the running header's text as a CSS string (see :func:`css_string`).
"""
from __future__ import annotations

STYLESHEET = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #1f4e79; --soft: #f0f4f8; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; font-size: 15px; }
main.report { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 2.2em; color: var(--accent); margin: .2em 0 .6em; line-height: 1.15; }
h2 { font-size: 1.45em; color: var(--accent); border-bottom: 2px solid var(--accent); padding-bottom: .15em;
     margin: 1.8em 0 .6em; }
h3 { font-size: 1.1em; margin: 1.3em 0 .4em; }
p { margin: .4em 0 .8em; max-width: 60em; }
.cover { padding: 32px 0 24px; border-bottom: 1px solid var(--line); }
.cover .kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0; }
.cover-facts { border-collapse: collapse; margin-top: 1em; }
.cover-facts th { text-align: left; color: var(--muted); font-weight: normal; padding: 4px 24px 4px 0;
                  vertical-align: top; white-space: nowrap; }
.cover-facts td { padding: 4px 0; }
.key-figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.key-figures .figure { flex: 1 1 130px; border: 1px solid var(--line); border-left: 4px solid var(--accent);
                       border-radius: 4px; padding: 10px 14px; background: var(--soft); }
.key-figures .value { display: block; font-size: 1.35em; font-weight: bold; }
.key-figures .label { color: var(--muted); font-size: .85em; }
.columns { display: flex; flex-wrap: wrap; gap: 8px 32px; }
.columns > div { flex: 1 1 300px; }
.was { font-weight: normal; color: var(--muted); font-size: .8em; }
.table-wrap { margin: .5em 0 1.2em; }
table.pmo-table { border-collapse: collapse; width: 100%; font-size: .85em; }
table.pmo-table th { background: var(--soft); text-align: left; vertical-align: bottom; padding: 5px 8px;
                     border-bottom: 2px solid var(--line); }
table.pmo-table td { padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: right; }
table.pmo-table tbody tr:nth-child(even) { background: #fafbfc; }
img.chart { display: block; max-width: 100%; height: auto; margin: 12px auto; }
@media screen {
  .table-wrap { overflow-x: auto; }
}
@media screen and (max-width: 640px) {
  body { font-size: 14px; }
  main.report { padding: 12px 14px 40px; }
  h1 { font-size: 1.7em; }
  .cover-facts th { white-space: normal; padding-right: 12px; }
  table.pmo-table td[style] { min-width: 11em; }  /* text columns: scroll sideways rather than one word a line */
}
@page { size: A4; margin: 20mm 14mm 18mm;
  @top-left { content: {header}; font: 8pt "DejaVu Sans", Arial, sans-serif; color: #52606d; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif;
                  color: #52606d; } }
@page :first { @top-left { content: none; } }
@media print {
  body { font-size: 9.5pt; }
  main.report { max-width: none; padding: 0; }
  .cover { break-after: page; padding-top: 50mm; border: none; }
  .cover h1 { font-size: 28pt; }
  h2 { break-before: auto; break-after: avoid; }
  h3, .dimension > p { break-after: avoid; }
  tr, img.chart, .key-figures .figure, li { break-inside: avoid; }
  .key-figures .figure { flex: 1 1 0; }
  .key-figures .figure:first-child { flex: 0 0 40%; }  /* the headline level reads on one line */
  thead { display: table-header-group; }
  table.pmo-table { font-size: 7.5pt; }
  table.pmo-table td, table.pmo-table th { padding: 2px 5px; }
  img.chart { max-height: 170mm; }
}
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character that is not a plain letter, digit or space escaped."""
    # a space ends each escape (and is eaten by it), so the space after an escaped character survives
    return '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):06x} " for c in text) + '"'


def stylesheet(header: str) -> str:
    """The stylesheet with ``header`` as the running header of printed pages."""
    return STYLESHEET.replace("{header}", css_string(header))
