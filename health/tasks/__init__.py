from health.tasks.reports import *  # noqa: F403
from health.tasks.snapshots import *  # noqa: F403
