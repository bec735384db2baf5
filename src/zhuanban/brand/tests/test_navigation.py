"""An enterprise's own login uses the brand screens only: its navigation holds nothing
else and the home page takes it to its enterprise."""

import pytest
from django.urls import reverse

from zhuanban.navigation import MAIN_NAV
from zhuanban.org.scoping import scope_for


def _nav_urls(response) -> list[str]:
    return [item["url"] for item in response.context["main_nav"] if item["url"]]


def test_the_enterprise_login_sees_only_the_brand_in_its_navigation(login, brand):
    assert scope_for(brand.applicant).is_enterprise_login
    response = login(brand.applicant).get(reverse("brand:enterprise", args=[brand.yinshan.pk]))
    assert _nav_urls(response) == [reverse("brand:home")]


def test_bureau_staff_keep_the_whole_navigation(login, world, brand):
    assert not scope_for(world.brand_staff).is_enterprise_login
    response = login(world.brand_staff).get(reverse("brand:home"))
    built = [reverse(name) for _label, name, _ns in MAIN_NAV if name]
    assert _nav_urls(response)[: len(built)] == built


def test_home_takes_the_enterprise_login_to_the_brand(login, brand):
    response = login(brand.applicant).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("brand:home")


def test_a_person_of_a_county_is_not_an_enterprise_login(world):
    assert not scope_for(world.zhuozi_liaison).is_enterprise_login
    assert not scope_for(world.outsider).is_enterprise_login


@pytest.mark.parametrize(
    "address",
    ["tasks:ledger", "dispatch:home", "supervision:home", "documents:home", "assessment:home"],
)
def test_the_enterprise_login_reaches_nothing_of_the_bureau_beyond_the_brand(
    login, world, brand, address
):
    assert login(brand.applicant).get(reverse(address)).status_code == 404
    # The same pages open for the bureau's own people.
    assert login(world.zhuozi_liaison).get(reverse(address)).status_code == 200


def test_the_enterprise_login_reaches_its_brand_pages_account_and_the_api_not(login, brand):
    client = login(brand.applicant)
    assert client.get(reverse("brand:enterprise", args=[brand.yinshan.pk])).status_code == 200
    assert client.get(reverse("core:notifications")).status_code == 200
    assert client.get("/api/v1/org/units").status_code == 404


def test_the_organisation_directory_lists_no_enterprise(login, world, brand):
    units = login(world.zhuozi_liaison).get("/api/v1/org/units", {"limit": 500}).json()
    items = units["items"] if isinstance(units, dict) else units
    names = {unit["name"] for unit in items}
    assert "卓资县" in names
    assert brand.yinshan.name not in names
    assert brand.shudu.name not in names
