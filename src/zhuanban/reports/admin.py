from django.contrib import admin

from zhuanban.reports.models import ReportTemplate, Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "issuer", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "office", "is_active"]
    list_filter = ["office", "is_active"]
