"""CSS text built from data: string literals that cannot break out of their rule or element."""


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element it sits in."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + escaped.replace("\n", "\\a ") + '"'
