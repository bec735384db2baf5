from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhuanban.org import services


class Command(BaseCommand):
    help = "Issue an API bearer token for a user; the secret is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        # Run by the operator on the server: the system itself is the actor.
        token, raw = services.api_token_issue(actor=None, user=user, name=name)
        self.stdout.write(f"Token {token.pk} for {username}: {raw}")
        self.stdout.write("Send it as the header  Authorization: Bearer <token>")
