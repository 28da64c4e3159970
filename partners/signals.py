"""Keep each partner's Wagtail group in step with its organisation's memberships.

Connected in ``PartnersConfig.ready``: accounts knows nothing about partners, so partners
listens to ``accounts.Membership`` being saved or deleted.
"""

from partners.services import workspace


def membership_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata
        return
    workspace.sync_member_into_group(membership=instance)


def membership_deleted(sender, instance, **kwargs):
    workspace.remove_member_from_group(user_id=instance.user_id, organisation_id=instance.organisation_id)


def workspace_deleted(sender, instance, **kwargs):
    """A partner that goes takes its members' access with it (the group itself stays, empty)."""
    instance.group.user_set.clear()
