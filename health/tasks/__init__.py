from health.tasks.at_risk import *  # noqa: F403
from health.tasks.reports import *  # noqa: F403
from health.tasks.runs import *  # noqa: F403
