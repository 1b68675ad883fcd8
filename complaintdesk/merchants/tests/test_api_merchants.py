import pytest

from complaintdesk.merchants.models import Merchant

VALID = "914403001922038216"


@pytest.mark.django_db
def test_the_regulator_creates_updates_and_deactivates_a_shop(people, api):
    client = api(people.rita)
    created = client.post(
        "/merchants", {"name": "Tencent Mall", "credit_code": VALID.lower(), "platform": "jd"}
    )
    assert created.status_code == 201, created.content
    shop = created.json()
    assert shop["credit_code"] == VALID
    assert shop["service_hours"]["0"] == [["09:00", "18:00"]]
    assert shop["time_zone"] == "Asia/Shanghai"
    tuesday_to_saturday = {str(d): [["10:00", "16:00"]] for d in range(1, 6)}
    patched = client.patch(f"/merchants/{shop['id']}", {"service_hours": tuesday_to_saturday})
    assert patched.status_code == 200
    assert patched.json()["service_hours"] == tuesday_to_saturday
    assert client.delete(f"/merchants/{shop['id']}").status_code == 204
    assert Merchant.objects.get(pk=shop["id"]).is_active is False
    assert all(s["id"] != shop["id"] for s in api(None).get("/merchants/directory").json()["items"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"credit_code": "914403001922038217"}, "credit_code", "check character is 7, GB 32100 gives 6"),
        ({"credit_code": "12345"}, "credit_code", "must be 18 characters"),
        ({"platform": "ebay-ish"}, "platform", "not a valid choice"),
        ({"service_hours": {"9": [["09:00", "18:00"]]}}, "service_hours", "Unknown weekday 9"),
        ({"service_hours": {"0": [["18:00", "09:00"]]}}, "service_hours", "ends before it starts"),
        ({"service_hours": {"5": [["10:00", "16:00"]]}}, "service_hours", "at least 5 days a week"),
        ({"name": ""}, "name", "at least 1 character"),
    ],
)
def test_bad_shop_data_names_the_field_and_changes_nothing(people, api, payload, field, message):
    before = list(Merchant.objects.values_list("pk", "name", "credit_code"))
    body = {"name": "New shop", "credit_code": VALID, **payload}
    response = api(people.rita).post("/merchants", body)
    assert response.status_code == 422, response.content
    issues = response.json()["detail"]
    assert any(i["loc"][-1] == field and message in i["msg"] for i in issues), issues
    assert list(Merchant.objects.values_list("pk", "name", "credit_code")) == before


@pytest.mark.django_db
def test_a_duplicate_credit_code_is_refused(people, api):
    response = api(people.rita).post("/merchants", {"name": "Copy", "credit_code": people.acme.credit_code})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "credit_code"
    assert "already exists" in response.json()["detail"][0]["msg"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_only_the_regulator_manages_shops(people, api, who):
    client = api(getattr(people, who))
    assert client.post("/merchants", {"name": "X", "credit_code": VALID}).status_code == 403
    assert client.patch(f"/merchants/{people.acme.pk}", {"name": "Hacked"}).status_code in (403, 404)
    assert client.delete(f"/merchants/{people.acme.pk}").status_code in (403, 404)
    people.acme.refresh_from_db()
    assert (people.acme.name, people.acme.is_active) == ("Acme Online", True)


@pytest.mark.django_db
def test_the_public_directory_searches_by_name(people, api):
    names = [s["name"] for s in api(None).get("/merchants/directory", {"q": "baz"}).json()["items"]]
    assert names == ["Bazaar Mall"]


@pytest.mark.django_db
def test_the_list_of_shops_pages_by_name(people, api):
    """Every shop a caller may see, once, by name, a page at a time (5,000 shops at a national scale)."""
    for n in range(7):
        Merchant.objects.create(name=f"Shop {n:02d}", credit_code=f"91440300192203{n:04d}", platform="jd")
    expected = list(Merchant.objects.order_by("name", "id").values_list("id", flat=True))
    seen, after = [], None
    while True:
        page = api(people.rita).get("/merchants", {"page_size": 3, **({"cursor": after} if after else {})})
        assert page.status_code == 200, page.content
        seen += [row["id"] for row in page.json()["items"]]
        after = page.json()["next"]
        if not after:
            break
    assert seen == expected and page.json()["count"] == len(expected)
    assert api(people.rita).get("/merchants", {"cursor": "tampered"}).status_code == 422
