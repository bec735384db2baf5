"""The password policy: 8+ characters of 3+ kinds, not the username, not common."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from zhuanban.accounts.validators import CharacterClassesValidator, NotUsernameValidator
from zhuanban.org.tests.factories import UserFactory


def refusal_codes(password, user=None) -> set[str]:
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password(password, user)
    return {e.code for e in error.value.error_list}


@pytest.fixture
def user(db):
    return UserFactory(username="wangzhenhua", first_name="王振华", email="wzh@example.gov.cn")


def test_a_good_password_is_accepted(user):
    assert password_validation.validate_password("Potato#Field7", user) is None


def test_too_short(user):
    assert "password_too_short" in refusal_codes("Ab#12cd", user)  # 7 characters


@pytest.mark.parametrize("password", ["alllowercase", "lowercase123", "ALLUPPER99", "lower-case!"])
def test_fewer_than_three_kinds_of_character(user, password):
    assert "password_too_few_classes" in refusal_codes(password, user)


@pytest.mark.parametrize("password", ["Wangzhenhua1!", "xx#WANGZHENHUA9", "wangzhenhua"])
def test_the_username_in_any_case(user, password):
    assert "password_contains_username" in refusal_codes(password, user)


def test_a_common_password(user):
    assert "password_too_common" in refusal_codes("Password1!", user)


def test_similar_to_the_email(user):
    assert "password_too_similar" in refusal_codes("Wzh@example1", user)


def test_three_of_four_kinds_is_enough(user):
    for password in ["tudou#2023x", "TUDOU#2023X", "Tudou#field", "Tudou2023field"]:
        password_validation.validate_password(password, user)


def test_messages_and_help_texts_are_sentences():
    with translation.override("en"):
        classes = CharacterClassesValidator(min_classes=3)
        with pytest.raises(ValidationError) as error:
            classes.validate("abcdefgh")
        assert error.value.messages == [
            "The password must contain characters of at least 3 of these kinds: lowercase "
            "letters, uppercase letters, digits and symbols."
        ]
        assert "at least 3" in classes.get_help_text()
        with pytest.raises(ValidationError) as error:
            NotUsernameValidator().validate("leader2023!X", UserFactory.build(username="Leader"))
        assert error.value.messages == ["The password must not be or contain the username."]
        assert NotUsernameValidator().get_help_text().endswith(".")


def test_the_policy_is_configured(settings):
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "MinimumLengthValidator",
        "CharacterClassesValidator",
        "NotUsernameValidator",
        "PasswordHistoryValidator",
        "UserAttributeSimilarityValidator",
        "CommonPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"]["min_length"] == 8
