"""English as the second UI language: switching, rendered screens and the message catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import nodes
from sqlalchemy import String, select

from tests.support import login
from tests.webapp import helpers as h
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
AUTONYMS = {"Русский"}  # the language switch names each language in itself
GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
FIX = (
    "run: pybabel extract -F babel.cfg -k lazy_gettext --add-comments=TRANSLATORS: "
    "-o webapp/translations/messages.pot . && pybabel update -i webapp/translations/messages.pot "
    "-d webapp/translations, translate, then pybabel compile -d webapp/translations (docs/i18n.md)"
)


def fetch(app, client, url: str, method: str = "get", **kwargs):
    """One request in its own app context: a fresh ``g``, so the locale is chosen anew, as live."""
    with app.app_context():
        return getattr(client, method)(url, **kwargs)


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', page)
    assert match, page[:300]
    return match.group(1)


def catalogue(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def keys(catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


# --- switching -------------------------------------------------------------------------------


def test_login_page_is_russian_by_default(app, client):
    page = fetch(app, client, "/login").get_data(as_text=True)
    assert html_lang(page) == "ru"
    assert "<title>Вход — Экспертиза 500+</title>" in page
    assert ">Электронная почта</label>" in page and ">Пароль</label>" in page
    assert 'id="login-submit">Войти</button>' in page
    # the switch is there for signed-out users too
    assert 'id="lang-en" href="?lang=en"' in page and ">English</a>" in page
    assert 'id="lang-ru" href="?lang=ru"' in page and ">Русский</a>" in page


def test_lang_en_switches_the_login_page_and_is_remembered(app, client):
    page = fetch(app, client, "/login?lang=en").get_data(as_text=True)
    assert html_lang(page) == "en"  # already on the request that makes the choice
    assert "<title>Sign in — Ekspertiza 500+</title>" in page
    assert ">Email</label>" in page and ">Password</label>" in page
    assert 'id="login-submit">Sign in</button>' in page
    assert CYRILLIC.findall(page.replace("Русский", "")) == []

    page = fetch(app, client, "/login").get_data(as_text=True)  # no parameter: from the session
    assert html_lang(page) == "en" and ">Email</label>" in page
    with client.session_transaction() as session:
        assert session["lang"] == "en"

    page = fetch(app, client, "/login", method="post", data={"email": "", "password": ""}).get_data(
        as_text=True
    )
    assert "Enter your email address." in page and "Enter your password." in page

    page = fetch(app, client, "/login?lang=ru").get_data(as_text=True)
    assert html_lang(page) == "ru" and ">Электронная почта</label>" in page
    page = fetch(app, client, "/login").get_data(as_text=True)
    assert html_lang(page) == "ru" and 'id="login-submit">Войти</button>' in page


def test_unknown_language_falls_back_to_russian(app, client):
    page = fetch(app, client, "/login?lang=de").get_data(as_text=True)
    assert html_lang(page) == "ru" and ">Электронная почта</label>" in page


def test_switch_keeps_the_other_query_parameters(app, demo, client):
    fetch(app, client, "/login", method="post", data=_credentials("coord.08@ekspertiza.local"))
    page = fetch(app, client, "/overview?state=draft").get_data(as_text=True)
    assert 'href="?state=draft&amp;lang=en"' in page
    assert 'class="nav-link active" id="lang-ru"' in page


def test_error_page_is_translated(app, client):
    fetch(app, client, "/login?lang=en")
    page = fetch(app, client, "/no-such-page").get_data(as_text=True)
    assert '<h1 class="h3">Error 404</h1>' in page
    assert "Page not found, or you do not have access to it." in page


def test_csrf_error_page_is_translated(csrf_app):
    client = csrf_app.test_client()
    fetch(csrf_app, client, "/login?lang=en")
    response = fetch(csrf_app, client, "/login", method="post", data={"email": "a@b.c"})
    assert response.status_code == 400
    assert "The form has expired or was not sent from this site." in response.get_data(as_text=True)


# --- screens in English ----------------------------------------------------------------------


def _credentials(email: str) -> dict:
    return {"email": email, "password": "demo-pass"}


def _prepare_documents() -> dict[str, int]:
    """08-UMC: one document returned for revision with a finished checklist, one under review,
    one waiting in the curator's queue."""
    from webapp.reviews import services as reviews

    docs = h.documents_of("08-UMC")
    returned, reviewed, waiting = docs[0], docs[1], docs[2]
    h.bring_to_review(returned)
    review = h.complete_checklist(returned, h.CURATOR)
    reviews.finish_review(
        returned.id, review, "revise", "Добавьте раздел 2", actor=h.user(h.CURATOR)
    )
    db.session.commit()
    h.bring_to_review(reviewed)
    h.upload(waiting, h.SCHOOL)
    h.fire(waiting, "submit", h.SCHOOL)
    return {"returned": returned.id, "reviewed": reviewed.id, "waiting": waiting.id}


def _data_strings() -> list[str]:
    """Every Cyrillic text stored in the database (names, titles, comments): data, not UI."""
    found: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String)]
        for column in columns:
            for value in db.session.execute(select(column).distinct()).scalars():
                if isinstance(value, str) and CYRILLIC.search(value):
                    found.update(line for line in value.splitlines() if CYRILLIC.search(line))
    return sorted(found, key=len, reverse=True)


def _leftover_cyrillic(page: str, data: list[str]) -> list[str]:
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    for value in data:
        escaped = value.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;")
        escaped = escaped.replace("<", "&lt;").replace(">", "&gt;")
        page = page.replace(escaped, "").replace(value, "")
    page = page.replace(">Русский<", "><")
    return [line.strip() for line in page.splitlines() if CYRILLIC.search(line)]


SCREENS = [
    (h.SCHOOL, "/cabinet", ["School cabinet", "Document", "State", "Versions", "Submitted"]),
    (
        h.SCHOOL,
        "/documents/{returned}",
        ["Remarks and the school’s answers", "Latest checklist (version 1):"],
    ),
    (h.SCHOOL, "/documents/{waiting}", ["Withdraw", "History", "Submit for review"]),
    (h.SCHOOL, "/notifications", ["Notifications", "Mark all as read"]),
    (h.CURATOR, "/queue", ["Review queue", "Submitted", "Due", "Open"]),
    (h.CURATOR, "/documents/{reviewed}", ["Open the review checklist", "Under curator review"]),
    (h.CURATOR, "/documents/{reviewed}/review", ["Criterion", "Decision", "Submit decision"]),
    ("coord.08@ekspertiza.local", "/overview", ["Overview by school", "All states", "3 schools"]),
    ("admin@ekspertiza.local", "/admin/checklists", ["Checklists by document type"]),
    ("admin@ekspertiza.local", "/admin/risks", ["Catalogue of risk areas:", "New risk"]),
]


@pytest.mark.parametrize(("email", "path", "expected"), SCREENS)
def test_screens_render_in_english(app, demo, client, email, path, expected):
    ids = _prepare_documents()
    data = _data_strings()
    fetch(app, client, "/login?lang=en")
    response = fetch(app, client, "/login", method="post", data=_credentials(email))
    assert response.status_code == 302
    response = fetch(app, client, path.format(**ids), follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert html_lang(page) == "en"
    for text in expected:
        assert text in page, text
    assert 'class="nav-link active" id="lang-en"' in page and ">Sign out</button>" in page
    assert _leftover_cyrillic(page, data) == []


def test_same_screens_stay_russian_by_default(app, demo, client):
    ids = _prepare_documents()
    login(client, h.SCHOOL)
    page = fetch(app, client, f"/documents/{ids['returned']}").get_data(as_text=True)
    assert html_lang(page) == "ru"
    assert "<p>Состояние: <span" in page and "Замечания и ответы школы" in page
    assert "Последний чек-лист (версия 1): На доработку" in page
    assert "<td>Отправить на проверку</td>" in page
    assert "<td>Черновик → На проверке (ожидает куратора)</td>" in page
    assert ">Кабинет школы</a>" in page and ">Выйти</button>" in page


def test_school_count_uses_plural_forms(app):
    template = app.jinja_env.from_string("{{ ngettext('школ: %(num)d', 'школ: %(num)d', n) }}")
    for lang, n, text in [("en", 1, "1 school"), ("en", 21, "21 schools"), ("ru", 1, "школ: 1")]:
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            assert template.render(n=n) == text


# --- templates and catalogue -----------------------------------------------------------------


def _template_files() -> list[Path]:
    return sorted(
        {*ROOT.glob("webapp/templates/*.html"), *ROOT.glob("webapp/*/templates/**/*.html")}
    )


def test_every_russian_text_in_templates_is_marked_for_translation(app):
    problems = []
    for path in _template_files():
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
        marked = {
            id(arg)
            for call in tree.find_all(nodes.Call)
            if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_NAMES
            for arg in call.args
        }
        for data in tree.find_all(nodes.TemplateData):
            problems += [
                f"{path.relative_to(ROOT)}:{data.lineno}: {line.strip()}"
                for line in data.data.splitlines()
                if CYRILLIC.search(line)
            ]
        for const in tree.find_all(nodes.Const):
            text = const.value
            if not isinstance(text, str) or id(const) in marked or text in AUTONYMS:
                continue
            if CYRILLIC.search(text):
                problems.append(f"{path.relative_to(ROOT)}:{const.lineno}: {text!r}")
    assert problems == [], "wrap these in {{ _('…') }}:\n" + "\n".join(problems)


# The same keywords as `make i18n`: refusals and trigger labels of the workflow modules.
KEYWORDS = ["-k", "lazy_gettext", "-k", "GuardSpec:3", "-k", "TriggerMeta:1"]


def test_catalogue_is_in_step_with_the_templates(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", *KEYWORDS, "-o", str(fresh), "."]
    )
    extracted = keys(catalogue(fresh))
    assert keys(catalogue(POT)) == extracted, f"messages.pot is stale; {FIX}"
    po = catalogue(PO)
    assert keys(po) == extracted, f"messages.po is stale; {FIX}"
    assert not po.obsolete, "drop the obsolete (#~) entries from messages.po"


def test_every_message_has_an_english_translation():
    po = catalogue(PO)
    assert str(po.locale) == "en"
    assert po.plural_forms == "nplurals=2; plural=(n != 1);"
    plural = [m for m in po if m.id and m.pluralizable]
    assert plural, "the catalogue declares plural messages"
    for message in po:
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        assert not message.fuzzy, message.id
        assert len(strings) == (po.num_plurals if message.pluralizable else 1), message.id
        assert all(s.strip() for s in strings), f"no translation for {message.id!r}"
        assert not any(CYRILLIC.search(s) for s in strings), message.id
    assert [(m.id, [str(e) for e in errors]) for m, errors in po.check()] == []


def _translations(entries) -> dict:
    """id → string of every translated message (plural ids and strings as tuples)."""
    return {
        (tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id): (
            tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
        )
        for m in entries
        if m.id and m.string
    }


def test_compiled_catalogue_is_up_to_date():
    """Compare what the .mo says with the .po, not bytes (they embed the generator's version)."""
    with MO.open("rb") as handle:
        compiled = _translations(read_mo(handle))
    assert compiled == _translations(catalogue(PO)), "messages.mo is stale; pybabel compile"


def test_labels_from_python_are_in_the_catalogue(app):
    """State, trigger, verdict and answer labels, form texts and error texts are translated at
    render time; their Russian values are listed in webapp/templates/_python_strings.html."""
    from webapp.auth.forms import LoginForm
    from webapp.auth.models import ROLE_LABELS
    from webapp.common.web import ERROR_TEXT
    from webapp.reviews.models import ANSWER_LABELS, VERDICT_LABELS
    from workflows.document import STATE_LABELS, TRIGGER_LABELS, document_workflow

    with app.test_request_context():
        form = LoginForm()
    texts = {*STATE_LABELS.values(), *TRIGGER_LABELS.values(), *VERDICT_LABELS.values()}
    texts |= {*ANSWER_LABELS.values(), *ERROR_TEXT.values(), *ROLE_LABELS.values()}
    # Refusals of facts are shown beside the actions («Что нужно сделать»).
    texts |= {g.message for g in document_workflow.guards.values() if not g.is_role}
    texts -= {document_workflow.guards["has_comment"].message}  # asked for by the form
    for field in (form.email, form.password):
        texts.add(field.label.text)
        texts |= {v.message for v in field.validators if isinstance(getattr(v, "message", 0), str)}
    translated = {m.id for m in catalogue(PO) if m.id and m.string}
    missing = sorted(texts - translated)
    assert missing == [], f"add to webapp/templates/_python_strings.html, then {FIX}"
