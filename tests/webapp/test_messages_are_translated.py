"""Every flash message and every API ``abort(..., message=...)`` goes through the catalogue.

A static check over ``webapp/**/*.py``: the first argument of ``flash()`` and the ``message=`` of
``abort()`` must be a gettext call (``gettext``/``_``/``lazy_gettext``/``ngettext``/``pgettext``),
a call of a helper that returns translated text, or a name bound only to one of those. The few
legitimate other expressions are allow-listed below with the reason. New features are checked
by the same test, so a Russian literal in a flash fails here (see docs/i18n.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"

GETTEXT = {"gettext", "_", "lazy_gettext", "ngettext", "pgettext", "lazy_pgettext", "lazy_ngettext"}
# Helpers whose result is already in the user's language.
TRANSLATING_HELPERS = {
    "first_error",  # webapp/common/forms.py: form messages are lazy_gettext, fallback gettext
    "done_message",  # webapp/documents/messages.py
    "verdict_message",  # webapp/documents/messages.py
    "localized",  # webapp/workflow/errors.py: workflow refusals
    "_types_problem",  # webapp/expertise/admin.py: returns gettext() texts
    "upload_refusal",  # webapp/documents/uploads.py: the _MESSAGES of an UploadRejected
    "translated_errors",  # webapp/tabular/errors.py: row errors of a rejected file
}
# (file, source of the expression): why it is already translated.
ALLOWED = {
    # JobInputError messages are lazy_gettext ids (webapp/jobs/pairing.py), str() renders them.
    ("webapp/jobs/views.py", "str(exc)"),
    # SetupError is raised with gettext() texts (webapp/setup/services.py, risks.py).
    ("webapp/setup/school.py", "str(exc)"),
    ("webapp/setup/views.py", "str(exc)"),
    # ChecklistError is raised with gettext() texts (webapp/campaigns/services.py).
    ("webapp/campaigns/views.py", "str(exc)"),
    # UploadRejected carries its text translated (webapp/documents/uploads.py).
    ("webapp/documents/views.py", "str(exc)"),
    # The API's refusal of a role comes from localized() / gettext in webapp/api/base.py.
    ("webapp/api/base.py", "refusal"),
    # UploadRejected.message of the API: translated when raised.
    ("webapp/api/documents.py", "exc.message"),
}


def _is_translating_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name in GETTEXT or name in TRANSLATING_HELPERS:
        return True
    # " ".join(...)/"; ".join(...) of translated parts
    if name == "join" and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.GeneratorExp | ast.ListComp):
            return _is_translating_call(arg.elt) or (
                isinstance(arg.elt, ast.Call) and getattr(arg.elt.func, "id", "") == "str"
            )
        if isinstance(arg, ast.List | ast.Tuple):
            return all(_is_translating_call(e) for e in arg.elts)
    return False


def _bindings(scope: ast.AST, name: str) -> list[ast.AST]:
    values = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
            and node.value
        ):
            values.append(node.value)
    return values


def _ok(expr: ast.AST, scopes: list[ast.AST], rel: str) -> bool:
    if (rel, ast.unparse(expr)) in ALLOWED:
        return True
    if _is_translating_call(expr):
        return True
    if isinstance(expr, ast.IfExp):
        return _ok(expr.body, scopes, rel) and _ok(expr.orelse, scopes, rel)
    if isinstance(expr, ast.Name):
        for scope in scopes:
            values = _bindings(scope, expr.id)
            if values:
                return all(_ok(v, scopes, rel) for v in values)
    return False


def _messages() -> list[tuple[str, int, str, bool]]:
    found = []
    for path in sorted(WEBAPP.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "flash" and node.args:
                expr = node.args[0]
            elif node.func.id == "abort":
                expr = next((k.value for k in node.keywords if k.arg == "message"), None)
                if expr is None:
                    continue
            else:
                continue
            enclosing = [
                f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
            ]
            scopes = [*sorted(enclosing, key=lambda f: -f.lineno), tree]
            found.append((rel, node.lineno, ast.unparse(expr), _ok(expr, scopes, rel)))
    return found


MESSAGES = _messages()


def test_the_check_sees_the_flash_calls():
    files = {rel for rel, *_ in MESSAGES}
    assert len(MESSAGES) > 60 and "webapp/documents/views.py" in files, files


@pytest.mark.parametrize(
    ("rel", "line", "source", "ok"), MESSAGES, ids=[f"{m[0]}:{m[1]}" for m in MESSAGES]
)
def test_every_flash_and_api_message_goes_through_the_catalogue(rel, line, source, ok):
    assert ok, f"{rel}:{line}: {source} is not a gettext call (see docs/i18n.md)"


@pytest.mark.parametrize(
    "source",
    [
        'flash("Готово.", "success")',
        'flash(f"Версия {n} загружена.", "success")',
        'flash("Версия %s" % n)',
        'abort(403, message="Недостаточно прав.")',
        'text = "Готово."\nflash(text)',
    ],
)
def test_the_check_refuses_untranslated_text(source):
    tree = ast.parse(source)
    call = next(
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id in ("flash", "abort")
    )
    expr = call.args[0] if call.func.id == "flash" else call.keywords[0].value
    assert not _ok(expr, [tree], "webapp/example.py")


def test_the_check_accepts_gettext_and_names_bound_to_it():
    tree = ast.parse('text = gettext("Готово.")\nflash(text)\nflash(_("Да %(n)s", n=1))')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id == "flash"]
    assert all(_ok(c.args[0], [tree], "webapp/example.py") for c in calls)
