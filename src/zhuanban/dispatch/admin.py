"""Unit groups (片区 such as 前山地区, 后山地区) are part of the organisation: the system
administrator keeps them, with the organisation's permission and audit."""

from django.contrib import admin

from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.dispatch.models import UnitGroup
from zhuanban.org.admin import AuditedAdmin
from zhuanban.org.models import OrgUnit


@admin.register(UnitGroup)
class UnitGroupAdmin(AuditedAdmin):
    list_display = ["name", "sort_order", "members"]
    filter_horizontal = ["units"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("units")

    @admin.display(description=UnitGroup._meta.get_field("units").verbose_name)
    def members(self, group: UnitGroup) -> str:
        return "、".join(unit.name for unit in group.units.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "units":
            kwargs["queryset"] = OrgUnit.objects.active().order_by("kind", "sort_order", "code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # The members are a many-to-many: recorded once they are saved.
        before = sorted(form.instance.units.values_list("code", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.units.values_list("code", flat=True))
        if before != after:
            audit.record(
                actor=request.user,
                action=AuditAction.UPDATE,
                instance=form.instance,
                before={"units": before},
                after={"units": after},
                message="unit group members",
            )
