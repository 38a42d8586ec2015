from django.contrib import admin

from gongzhi.core.scope import bump_scope_versions

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


class BumpScopesOnSave(admin.ModelAdmin):
    """Edits in the admin change rights too: refresh the session-cached scopes of the person concerned."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_scope_versions([obj.person_id])

    def delete_model(self, request, obj):
        person_id = obj.person_id
        super().delete_model(request, obj)
        bump_scope_versions([person_id])


@admin.register(Position)
class PositionAdmin(BumpScopesOnSave):
    list_display = ("person", "organisation", "title", "place", "start_date", "end_date")
    list_filter = ("title",)
    raw_id_fields = ("person", "organisation", "place")


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(BumpScopesOnSave):
    raw_id_fields = ("place", "person")
admin.site.register(ManagementAssignment, raw_id_fields=("place", "company"))
