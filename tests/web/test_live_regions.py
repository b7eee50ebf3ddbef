"""Search and filter updates are announced (a polite live region with the count), and the
current sort is shown (aria-sort and a visible indicator)."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import World, client_for

HTMX = {"HX-Request": "true"}


def test_a_search_by_htmx_updates_the_live_region_out_of_band(world: World) -> None:
    client = client_for(world.mona)
    full = client.get(reverse("person_list")).content.decode()
    # The region is in the page, empty, outside the results HTMX replaces.
    region = (
        '<p id="results-status" class="govuk-visually-hidden" role="status" '
        'aria-live="polite" aria-atomic="true"></p>'
    )
    assert 0 < full.index(region) < full.index('<div id="results">')
    response = client.post(reverse("person_list"), {"q": "Heldbypriya"}, headers=HTMX)
    partial = response.content.decode()
    assert 'id="results-status"' in partial
    assert 'hx-swap-oob="innerHTML">1 person found</p>' in partial
    assert partial.count("aria-live") == 1


def test_a_waiting_list_filter_by_htmx_updates_the_live_region(world: World) -> None:
    client = client_for(world.mona)
    url = reverse("team_waiting_list", args=[world.team_north.pk])
    assert (
        'aria-live="polite" aria-atomic="true">1 case waiting</p>'
        in client.get(url).content.decode()
    )
    partial = client.get(url, {"status": "awaiting_screening"}, headers=HTMX).content.decode()
    assert 'hx-swap-oob="innerHTML">0 cases waiting</p>' in partial


def test_sorted_columns_say_how_they_are_sorted(world: World) -> None:
    client = client_for(world.mona)
    waiting = client.get(reverse("team_waiting_list", args=[world.team_north.pk])).content.decode()
    assert 'aria-sort="ascending">Received <span class="caseload-sort-indicator"' in waiting
    assert "oldest first" in waiting
    people = client.get(reverse("person_list")).content.decode()
    assert 'aria-sort="ascending">Name <span class="caseload-sort-indicator"' in people


def test_a_refused_search_by_htmx_replaces_the_main_content_not_the_results(
    world: World,
) -> None:
    response = client_for(world.mona).post(reverse("person_list"), {"q": ""}, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#main-content"
    assert response.headers["HX-Reselect"] == "#main-content"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "There is a problem" in response.content.decode()
