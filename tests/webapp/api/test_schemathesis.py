"""schemathesis over the generated OpenAPI document: no 500, no undocumented status code.

Every operation is fuzzed with a real token of a demo curator and of a school; even path ids
are swapped for ids of real documents (visible, in review, or of another region) so that cases
get past the 404. Positive and negative cases; every default check runs except two that contradict
documented choices: ``positive_data_acceptance`` (a schema-valid request may still break a
business rule, e.g. no file yet, and that 422 is documented) and ``negative_data_rejection``
(unknown query parameters are ignored on purpose, and the test puts back the Authorization
header that negative cases drop). schemathesis' lazy pytest loader does not run on pytest 9,
so the operations are walked with its Python API and hypothesis' ``@given``.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.webapp.api.support import auth
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of

SKIPPED = [positive_data_acceptance, negative_data_rejection]
FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@pytest.fixture
def known_ids(app, demo) -> list[int]:
    documents = documents_of("08-UMC")
    bring_to_review(documents[0])
    return [d.id for d in documents[:3]] + [documents_of("38-VER")[0].id]


@pytest.mark.parametrize(
    ("email", "backend"),
    [(CURATOR, "postgresql"), (SCHOOL, "postgresql"), (CURATOR, "sqlite")],
    indirect=["backend"],
)
def test_every_operation_answers_only_documented_statuses(app, demo, client, known_ids, email):
    # Over WSGI schemathesis does not undo Content-Encoding: ask for the plain body (the
    # compression itself is tested in tests/webapp/test_assets.py).
    headers = {**auth(client, email), "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        cases = st.one_of(operation.as_strategy(mode) for mode in GenerationMode)

        @given(case=cases)
        @FUZZ
        def fuzz(case):
            path = case.path_parameters or {}
            value = path.get("document_id")
            if isinstance(value, int) and value % 2 == 0:
                path["document_id"] = known_ids[value // 2 % len(known_ids)]
            case.call_and_validate(headers=headers, excluded_checks=SKIPPED)

        fuzz()
