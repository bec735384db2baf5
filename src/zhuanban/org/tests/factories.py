import factory
from django.contrib.auth import get_user_model

from zhuanban.org import services
from zhuanban.org.models import Chain, OrgUnit, Profile, RoleAssignment
from zhuanban.org.roles import UnitKind


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Units go through `unit_save` so their materialised path is right."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.SECTION
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_save(actor=None, unit=model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Demo@2023")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain

    code = factory.Sequence(lambda n: f"chain-{n}")
    name = factory.Sequence(lambda n: f"产业链{n}")
    short_name = "链"


def person(username: str, unit: OrgUnit, *roles: tuple[str, OrgUnit | None], name: str = ""):
    """A user with a profile in `unit` and the given (role, unit) pairs."""
    user = UserFactory(username=username, first_name=name or username)
    ProfileFactory(user=user, unit=unit)
    for role, role_unit in roles:
        RoleAssignmentFactory(user=user, role=role, unit=role_unit)
    return user
