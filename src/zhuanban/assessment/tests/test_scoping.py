"""Who sees and files on which scorecard when the units assessed are themselves the
responsible units of an item ("各旗县市区")."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuanban.assessment import scoping, services
from zhuanban.org.tests.factories import person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def every_county_responsible(world, opened):
    opened.items.manual.responsible_units.set([world.zhuozi, world.huade, world.crops])
    return opened


def test_a_county_responsible_for_an_item_sees_and_files_only_its_own_card(
    world, every_county_responsible
):
    opened = every_county_responsible
    liaison = world.zhuozi_liaison
    assert list(scoping.visible_participants(liaison, opened.scheme)) == [opened.zhuozi]
    assert not scoping.can_add_evidence(liaison, opened.huade, opened.items.manual)
    with pytest.raises(PermissionDenied):
        services.evidence_upload(
            actor=liaison,
            participant=opened.huade,
            item=opened.items.manual,
            upload=SimpleUploadedFile("越权.pdf", PDF, content_type="application/pdf"),
        )
    assert not opened.huade.evidence.exists()


def test_a_unit_within_a_county_files_on_that_countys_card_only(world, every_county_responsible):
    opened = every_county_responsible
    opened.items.manual.responsible_units.add(world.zhuozi_town)
    town = person("town-clerk", world.zhuozi_town, name="白雪梅")
    assert list(scoping.visible_participants(town, opened.scheme)) == [opened.zhuozi]
    assert scoping.can_add_evidence(town, opened.zhuozi, opened.items.manual)
    assert not scoping.can_add_evidence(town, opened.huade, opened.items.manual)


def test_a_bureau_section_responsible_for_an_item_supplies_every_county(
    world, every_county_responsible
):
    opened = every_county_responsible
    clerk = person("crops-clerk", world.crops, name="李春燕")
    assert set(scoping.visible_participants(clerk, opened.scheme)) == {opened.zhuozi, opened.huade}
    assert scoping.can_add_evidence(clerk, opened.huade, opened.items.manual)
    # ... for that item only.
    assert not scoping.can_add_evidence(clerk, opened.huade, opened.items.tasks)


def test_the_items_a_unit_may_file_on_for_a_card(world, every_county_responsible):
    opened = every_county_responsible
    clerk = person("crops-clerk", world.crops, name="李春燕")
    assert scoping.evidence_item_ids(clerk, opened.huade) == {opened.items.manual.pk}
    assert scoping.evidence_item_ids(world.zhuozi_liaison, opened.huade) == set()
    assert scoping.evidence_item_ids(world.zhuozi_liaison, opened.zhuozi) is None  # its own card
