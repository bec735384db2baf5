"""The notice as an official document (GB/T 9704). Being written: see brief H4."""


def notice_docx(notice) -> bytes:  # pragma: no cover - replaced by the real builder
    raise NotImplementedError


def notice_pdf(docx: bytes) -> bytes | None:  # pragma: no cover
    raise NotImplementedError
