from django.contrib import admin

from .models import Cluster, ImportJob, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "path", "depth")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "parent")


admin.site.register(Cluster)
admin.site.register(ImportJob)
