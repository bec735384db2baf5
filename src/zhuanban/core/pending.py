"""An uploaded file that passed its dry run and waits for the user to confirm it.

The checked file waits in storage under its own folder, its name in the user's session
keyed by what it is for (a task list, a submission), until it is confirmed, replaced or
abandoned; files nobody confirmed within a day are swept away. Confirming reads the file
again, so what is stored is exactly what was checked.
"""

import datetime
import uuid

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

MAX_AGE = datetime.timedelta(days=1)


class PendingUploads:
    def __init__(self, session_key: str, directory: str):
        self.session_key = session_key
        self.directory = directory

    def get(self, request, key) -> dict | None:
        return request.session.get(self.session_key, {}).get(str(key))

    def read(self, request, key, token: str | None) -> tuple[dict, SimpleUploadedFile] | None:
        """The waiting entry and its file, if `token` is the one the confirm form was given
        and the file is still there (None otherwise: the user uploads it again)."""
        pending = self.get(request, key)
        if pending is None or token != pending["token"]:
            return None
        try:
            with default_storage.open(pending["path"], "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            self.discard(request, key)
            return None
        return pending, SimpleUploadedFile(pending["name"], data)

    def discard(self, request, key) -> None:
        waiting = request.session.get(self.session_key, {})
        entry = waiting.pop(str(key), None)
        if entry is not None:
            default_storage.delete(entry["path"])
            request.session[self.session_key] = waiting

    def keep(self, request, key, upload, **extra) -> str:
        """Store the checked upload; returns the token the confirm form posts back."""
        self.discard(request, key)
        self._sweep_abandoned()
        token = uuid.uuid4().hex
        upload.seek(0)
        path = default_storage.save(f"{self.directory}/{token}.xlsx", upload)
        waiting = request.session.get(self.session_key, {})
        waiting[str(key)] = {"path": path, "name": upload.name, "token": token, **extra}
        request.session[self.session_key] = waiting
        return token

    def _sweep_abandoned(self) -> None:
        try:
            _dirs, names = default_storage.listdir(self.directory)
        except FileNotFoundError:
            return
        cutoff = timezone.now() - MAX_AGE
        for name in names:
            path = f"{self.directory}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
