"""Admin pieces shared by the apps."""


class RecordAdminMixin:
    """Records, not drafts: they change only through the apps' services (moderation,
    subscriptions, sending), so nobody adds, edits or deletes them in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
