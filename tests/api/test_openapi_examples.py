"""The request examples integrators read in the OpenAPI document (issue 18) are there,
and each is a body the schema accepts: an example that drifted from its schema fails."""

import pytest

from jiceng.appeals.schemas import IntakeIn, PlaceIn
from jiceng.integrations.schemas import SubscriptionIn, TokenIn, WorkOrderBatchIn
from jiceng.places.schemas import MatchIn

SCHEMAS = [IntakeIn, PlaceIn, MatchIn, TokenIn, SubscriptionIn, WorkOrderBatchIn]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_examples_are_in_the_document_and_valid(schema):
    from jiceng.api import api

    document = api.get_openapi_schema()["components"]["schemas"]
    examples = document[schema.__name__]["examples"]
    assert examples
    for example in examples:
        schema.model_validate(example)
