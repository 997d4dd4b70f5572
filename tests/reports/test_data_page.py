"""The open data page: every dataset with its downloads and a data dictionary that covers every field the API
sends, in both languages; links that work."""

from __future__ import annotations

from django.urls import reverse

from civicplan.api import schemas
from civicplan.reports.views.data import DESCRIPTIONS, datasets


def test_every_field_the_api_sends_has_a_description():
    for schema in (schemas.ItemOut, schemas.IndicatorOut, schemas.UpdateOut):
        missing = set(schema.model_fields) - set(DESCRIPTIONS)
        assert not missing, f"describe these fields on the data page: {sorted(missing)}"


def test_the_page_lists_the_datasets_and_its_links_answer(client, adopted_plan):
    page = client.get(reverse("reporting:data"))
    html = page.content.decode()
    assert page.status_code == 200 and "Data dictionary: Plan items" in html
    assert "<code>due_date</code>" in html and "whole number" in html
    for dataset in datasets():
        for _label, url in dataset.links:
            assert url in html.replace("&amp;", "&")
            assert client.get(url).status_code == 200, url


def test_the_page_in_spanish(client, adopted_plan):
    page = client.get(reverse("reporting:data").replace("/en/", "/es/")).content.decode()
    assert '<html lang="es"' in page and "Datos abiertos" in page


def test_the_footer_links_to_it(client, adopted_plan):
    assert reverse("reporting:data") in client.get(reverse("web:home")).content.decode()
