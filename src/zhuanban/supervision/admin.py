"""Issuing authorities (发文机关) belong with the organisation: the system administrator
keeps them, with the organisation's permission and audit.

An authority that has issued a notice keeps its number prefix and its header: an issued
notice's number (乌农牧督〔2023〕11号) and its page are read through them, and what was
issued never changes. It is retired by unticking `active` (a reorganised authority is a
new one), never deleted.
"""

from django.contrib import admin

from zhuanban.org.admin import AuditedAdmin
from zhuanban.supervision.models import IssuingAuthority


@admin.register(IssuingAuthority)
class IssuingAuthorityAdmin(AuditedAdmin):
    list_display = ["name", "number_prefix", "header", "active"]
    list_filter = ["active"]
    search_fields = ["name", "number_prefix", "header"]
    fields = ["name", "header", "number_prefix", "active"]

    def _has_notices(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.notices.exists()

    def get_readonly_fields(self, request, obj=None):
        if self._has_notices(obj):
            return ["number_prefix", "header"]
        return []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._has_notices(obj)
