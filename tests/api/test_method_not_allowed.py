"""A method a path does not take is answered in the API's one error shape, with the
methods it does take (django-ninja's own answer is plain text)."""


def test_a_method_the_path_does_not_take_is_405_in_the_error_shape(client, territory):
    client.force_login(territory.users["xh_admin"])
    response = client.delete("/api/areas")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "method_not_allowed" and body["field"] is None
    assert "DELETE" in body["message"] and "GET" in response["Allow"]
    assert "GET" in body["message"]


def test_pages_keep_djangos_405(client, territory):
    client.force_login(territory.users["xh_admin"])
    response = client.get("/orgs/units/export/")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")
