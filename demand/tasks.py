from celery import shared_task


@shared_task(name="demand.report_facts")
def report_demand_facts() -> int:
    from demand.services.facts import report_demand_facts as report

    return report()


@shared_task(name="demand.remind_overdue_leads")
def remind_overdue_leads() -> int:
    from demand.services.leads import send_overdue_reminders

    return send_overdue_reminders()


@shared_task(name="demand.expire_and_fall_back")
def expire_and_fall_back() -> int:
    from demand.services.requirements import expire_overdue
    from demand.services.routing import fall_back_directed

    return expire_overdue() + fall_back_directed()


@shared_task(name="demand.send_milestone_waiting_alerts")
def send_milestone_waiting_alerts() -> int:
    from demand.services.delivery import send_waiting_alerts

    return send_waiting_alerts()
