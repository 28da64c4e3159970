from partners.tasks.onboarding import *  # noqa: F403
from partners.tasks.programme import *  # noqa: F403
from partners.tasks.webhooks import *  # noqa: F403
