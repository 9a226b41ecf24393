"""The files ``sahifa new project`` writes: every generated text of a new paper, in one place.

A new project is a folder a desk can render in at once: ``sahifa.yaml`` (each key explained
where it is written), a local layout that ``extends: builtin:NAME`` (one of the layouts that
ship with sahifa) with a stylesheet for the paper's own rules, a font manifest that takes the
fonts shipped with sahifa (``builtin: true``), one sample article and a sample edition using
it, and a short README. The sample article is one of the repository's (its words verbatim).
"""

from __future__ import annotations

import json
import re

BUILTIN_LAYOUTS = ("tabloid", "broadsheet", "a4")
DEFAULT_PAPER = "صحيفتي"  # "my newspaper": the nameplate until the desk writes its own
SAMPLE_DATE = "2023-05-02"  # the sample article's date
SAMPLE_FOLDER = "articles/2023/05/02"  # editions live in a folder per day, as in sahifa's sample
SAMPLE_ARTICLE = "taqs-harara.yaml"

# Where the sample story sits on each built-in layout's front page (column, span, row, rows):
# the sample article fits whole and ends without underset (checked by the tests on every
# layout: sahifa check reports overset and underset).
_SAMPLE_BOX = {
    "tabloid": (1, 3, 1, 6),  # 5 x 12 grid
    "broadsheet": (1, 4, 1, 5),  # 6 x 16 grid
    "a4": (1, 3, 1, 9),  # 3 x 12 grid
}

# Plain YAML scalars we may write unquoted: words, spaces, dots and dashes (Arabic letters are
# word characters). Anything else is double-quoted; a JSON string is a YAML double-quoted one.
_PLAIN = re.compile(r"\w(?:[\w .\-]*\w)?")


def yaml_text(value: str) -> str:
    """``value`` as a YAML scalar that sahifa's strict reader reads back as the same text."""
    return value if _PLAIN.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def settings_yaml(paper: str, layout: str, digits: str) -> str:
    return f"""\
# {paper}: the paper's settings. sahifa finds them by looking up from the file it renders,
# so every command run inside this folder uses them (see sahifa's README, "Newspaper settings").
paper: {yaml_text(paper)}
#   The nameplate on the front page and the paper's name in the running heads.
masthead:
#   Credits printed in the masthead, as many as the paper prints. An example: write your own.
  - role: رئيس التحرير
    name: اسم رئيس التحرير
layout: {layout}
#   The layout every edition and article uses unless it names another: a folder under
#   layouts/. layouts/{layout}/ extends sahifa's built-in {layout} layout and changes only
#   what it writes.
digits: {digits}
#   arabic-indic (٠١٢…) or western (012…): numbers in Arabic text, dates and folios.
date_line: both
#   both | gregorian | hijri: the date line under the nameplate and in the running heads.
# limits: {{render_seconds: 300, pages: 300, output_mb: 200, image_megapixels: 80}}
#   What one render may cost (these are the defaults).
#
# Press output (sahifa render --press, sahifa check --press). Uncomment and give the plant's
# CMYK output profile: the ICC file and its sha256 (sha256sum FILE); a changed file is
# refused. This example is Ghostscript's SWOP-like profile (Debian's libgs-common); newsprint
# (ISO 12647-3) goes with ink_limit: 240.
# press:
#   variant: pdf/x-4                   # pdf/x-4 | pdf/x-1a
#   bleed: 3mm                         # 0 to 20mm (or pt)
#   marks: [crop, registration]        # or []
#   icc:
#     path: /usr/share/color/icc/ghostscript/default_cmyk.icc   # absolute or project-relative
#     sha256: 8472fa1493a024b800b67dee9424835ec0c41ab79490200ae8ec4a689fd1b9a9
#     condition: Artifex CMYK SWOP     # OutputConditionIdentifier (default: the file's name)
#   ink_limit: 300                     # percent C+M+Y+K
#   paper_code: mypaper                # the paper in plate file names (plants want ASCII)
#   split_pattern: "{{paper}}-{{date}}-{{edition}}-p{{page:02}}.pdf"   # --split-pages file names
"""


def layout_yaml(layout: str) -> str:
    return f"""\
# The paper's layout: sahifa's built-in {layout} layout, changed only where this file (or
# style.css beside it) says so. Settings written here merge over the built-in's, key by key
# (see sahifa's README, "Layouts"):
#   page:  size, margin, inner, outer
#   grid:  columns, rows, gap, row-gap, masthead, banner, rule
#   image: height, slot-height
#   fonts: body, headline, subhead, caption, masthead, folio (families of fonts/fonts.yaml)
# For example, a thicker column rule:
#   grid: {{rule: 1pt}}
# A template put in this folder under the built-in's name (pages/front.html.j2, …) replaces it.
extends: builtin:{layout}
"""


def layout_css(layout: str) -> str:
    return f"""\
/* The paper's own style rules, applied after the built-in {layout} layout's stylesheet: a
   rule here wins. The layout's geometry and font stacks are CSS custom properties
   (--page-size, --page-margin, --grid-columns, --grid-gap, --grid-rule, --image-height,
   --font-body, --font-headline, --font-subhead, --font-caption, --font-masthead,
   --font-folio). For example, to override one of them, a thicker column rule, uncomment:

:root {{ --grid-rule: 1pt; }}
*/
"""


FONTS_YAML = """\
# The fonts that print the paper. builtin: true takes the fonts that ship with sahifa (pinned
# by sahifa's version). To add a font of the paper's own, put the file in this folder and list
# it, pinned by its sha256 (sha256sum FILE), with its licence file:
#   - file: MyFont-Regular.ttf
#     sha256: …
#     licence: licenses/MyFont-OFL.txt
# then name its family in a role of layouts/*/layout.yaml (fonts:).
builtin: true
fonts: []
"""

# One of sahifa's sample articles (articles/2023/05/02/taqs-harara.yaml), its words verbatim.
SAMPLE_ARTICLE_YAML = """\
kicker: الطقس
headline: موجة حارة تضرب البلاد حتى نهاية الأسبوع والعظمى في أسوان 44 درجة
deck: الأرصاد تنصح بتجنب التعرض المباشر لأشعة الشمس وقت الظهيرة
byline: كتبت - هبة الله سالم
section: محليات
date: 2023-05-02
tags: [الطقس, الأرصاد الجوية]
body: |
  توقعت الهيئة العامة للأرصاد الجوية أن تشهد البلاد موجة شديدة الحرارة بدءاً من اليوم وحتى نهاية الأسبوع، مع ارتفاع ملحوظ في درجات الحرارة على أغلب الأنحاء، ونشاط للرياح المثيرة للرمال على مناطق من الصحراء الغربية، فيما تصل نسبة الرطوبة إلى 60% على السواحل الشمالية.

  وأوضحت الهيئة في نشرتها اليومية أن درجات الحرارة العظمى المتوقعة اليوم كالتالي:

  - القاهرة الكبرى 38 درجة
  - الإسكندرية 31 درجة
  - الأقصر 42 درجة
  - أسيوط 40 درجة
  - أسوان 44 درجة
  - مرسى مطروح 29 درجة

  ونصحت الهيئة المواطنين بتجنب التعرض المباشر لأشعة الشمس في ساعات الذروة، والإكثار من شرب المياه، كما طالبت كبار السن والأطفال ومرضى القلب بملازمة الأماكن جيدة التهوية، مشيرة إلى أن الطقس يعتدل تدريجياً مع مطلع الأسبوع المقبل، مع انخفاض العظمى بمعدل 3 إلى 4 درجات.
"""  # noqa: E501 - the sample article, verbatim: its paragraphs are single lines


def sample_edition_yaml(layout: str) -> str:
    column, span, row, rows = _SAMPLE_BOX[layout]
    return f"""\
# A sample edition: one page, one story (see sahifa's README, "Editions"). Stories are
# article files next to this one; each sits on the layout's page grid: column 1 is the
# rightmost, row 1 the first row under the masthead. Tomorrow's plan from this one:
#   sahifa new edition 2023-05-03 --from {SAMPLE_FOLDER}/edition.yaml
issue: "1"
date: {SAMPLE_DATE}
pages:
  - template: front           # front | inside | back
    stories:
      - article: {SAMPLE_ARTICLE}
        column: {column}
        span: {span}              # columns wide
        row: {row}
        rows: {rows}              # rows high
        size: lead            # headline size: lead | normal | small
        overflow: error       # error | cut | continue (into a continued: slot on a later page)
"""


def readme_md(paper: str, layout: str) -> str:
    return f"""\
# {paper}

A newspaper made with [sahifa](https://pypi.org/project/sahifa/): Arabic article files
(YAML or Markdown) into print PDFs.

```sh
sahifa check {SAMPLE_FOLDER}/edition.yaml                          # does every story fit?
sahifa render {SAMPLE_FOLDER}/edition.yaml -o build/edition.pdf    # the issue as a PDF
sahifa new edition 2023-05-03 --from {SAMPLE_FOLDER}/edition.yaml  # tomorrow's plan
```

- `sahifa.yaml`: the paper's name, masthead credits, digits, date line and press preset.
- `layouts/{layout}/`: the paper's layout, sahifa's built-in `{layout}` with the changes
  written there (`layout.yaml`, `style.css`).
- `fonts/fonts.yaml`: the fonts that ship with sahifa, and any of the paper's own.
- `articles/`: the articles and an `edition.yaml` per issue. `sahifa new edition` copies
  an issue's pages and slots with every story a placeholder; `sahifa check` lists the slots
  still to fill.
"""


def project_files(paper: str, layout: str, digits: str) -> dict[str, str]:
    """Every file of a new project, by its path inside the project folder."""
    return {
        "sahifa.yaml": settings_yaml(paper, layout, digits),
        f"layouts/{layout}/layout.yaml": layout_yaml(layout),
        f"layouts/{layout}/style.css": layout_css(layout),
        "fonts/fonts.yaml": FONTS_YAML,
        f"{SAMPLE_FOLDER}/{SAMPLE_ARTICLE}": SAMPLE_ARTICLE_YAML,
        f"{SAMPLE_FOLDER}/edition.yaml": sample_edition_yaml(layout),
        "README.md": readme_md(paper, layout),
    }
