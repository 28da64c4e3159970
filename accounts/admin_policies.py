"""Wagtail permission policies for account models (registered in ``AccountsConfig.ready``)."""

from wagtail.permission_policies import ModelPermissionPolicy

READ_ONLY_ACTIONS = frozenset({"add", "change"})


class InvitationPermissionPolicy(ModelPermissionPolicy):
    """Invitations are created and revoked by an organisation's owners and admins, through
    ``accounts.services`` (which checks the rules and sends the email). Staff browse them
    in the admin and, with ``delete_invitation``, may delete them; they never add or edit."""

    def user_has_permission(self, user, action):
        if action in READ_ONLY_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(set(actions) - READ_ONLY_ACTIONS)
