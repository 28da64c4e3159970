from celery import shared_task


@shared_task
def report_demand_facts() -> int:
    from demand.services.facts import report_demand_facts as report

    return report()


@shared_task
def remind_overdue_leads() -> int:
    from demand.services.leads import send_overdue_reminders

    return send_overdue_reminders()


@shared_task
def expire_and_fall_back() -> int:
    from demand.services.requirements import expire_overdue
    from demand.services.routing import fall_back_directed

    return expire_overdue() + fall_back_directed()
