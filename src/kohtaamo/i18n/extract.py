"""Message extraction for Babel: the Python extractor, plus the msgids it cannot see.

``babel.cfg`` names :func:`extract_python` for the sources and ``tests/test_i18n.py``
uses it too, so the catalog and its completeness check agree. Besides the calls of the
``KEYWORDS`` functions it yields two kinds of msgids that are not function calls:

- ``default_message = "..."`` in a class body: the fallback text of an error class;
- the string values of module-level tables whose name ends in ``_MESSAGES`` or
  ``_TITLES`` (``http.problems.VALIDATION_MESSAGES``, ``STATUS_TITLES``): texts looked
  up at run time by key.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Collection, Iterator
from typing import IO, Any

from babel.messages.extract import extract_python as babel_extract_python

TABLE_SUFFIXES = ("_MESSAGES", "_TITLES")

# (line, function name, message or messages, translator comments); Babel's own hints
# for extractors are not consistent, so results are loosely typed.
Extracted = tuple[Any, ...]


def _table_strings(value: ast.expr) -> Iterator[ast.Constant]:
    if isinstance(value, ast.Dict):
        items = value.values
    elif isinstance(value, ast.Tuple | ast.List):
        items = value.elts
    else:
        return
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            yield item


def _assigned_names(node: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id], node.value
    return [], None


def _non_call_msgids(tree: ast.Module) -> Iterator[Extracted]:
    for node in tree.body:
        names, value = _assigned_names(node)
        if value is not None and any(n.endswith(TABLE_SUFFIXES) for n in names):
            for const in _table_strings(value):
                yield const.lineno, None, const.value, []
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            names, value = _assigned_names(stmt)
            is_text = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if "default_message" in names and is_text:
                assert isinstance(value, ast.Constant)
                yield value.lineno, None, value.value, []


def extract_python(
    fileobj: IO[bytes],
    keywords: Any,
    comment_tags: Collection[str],
    options: Any,
) -> Iterator[Extracted]:
    source = fileobj.read()
    yield from babel_extract_python(io.BytesIO(source), keywords, comment_tags, options)
    yield from _non_call_msgids(ast.parse(source))
