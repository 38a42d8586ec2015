from django.contrib import admin

from .models import HouseholdMember, ManagementAssignment, Organisation, Person, Position


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number_masked", "is_party_member", "user")
    search_fields = ("name",)
    exclude = ("id_number_encrypted", "id_number_index")
    raw_id_fields = ("place", "user", "party_organisation")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "place", "uscc")
    list_filter = ("kind",)
    raw_id_fields = ("place", "parent", "alliance")


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "title", "place", "start_date", "end_date")
    list_filter = ("title",)
    raw_id_fields = ("person", "organisation", "place")


admin.site.register(HouseholdMember, raw_id_fields=("place", "person"))
admin.site.register(ManagementAssignment, raw_id_fields=("place", "company"))
