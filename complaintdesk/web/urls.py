from django.urls import path

from complaintdesk.web.views import (
    calendar,
    centre,
    centre_queue,
    complaints,
    consumer,
    exports,
    filings,
    flags,
    followup,
    groups,
    letters,
    mail,
    merchant,
    notifications,
    public,
    ratings,
    regulator,
)

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("start/", public.start, name="start"),
    path("signup/", public.signup, name="signup"),
    path("shops/", public.directory, name="directory"),
    path("scorecards/", public.scorecards, name="scorecards"),
    path("shops/<int:merchant_id>/", public.scorecard, name="scorecard"),
    # Reports and enquiries to the 12315 centre: anyone, signed in or not
    path("report/", centre.report, name="report"),
    path("enquiry/", centre.enquiry, name="enquiry"),
    # Group complaints (集体投诉): the public page, anyone; joining, a signed-in consumer
    path("groups/<int:group_id>/", groups.group, name="group"),
    path("groups/<int:group_id>/join/", groups.join, name="join_group"),
    # Consumer portal
    path("my/complaints/", consumer.my_complaints, name="my_complaints"),
    path("my/complaints/new/", consumer.file_complaint, name="file_complaint"),
    # Every role's complaint page, limited to what the user may see
    path("complaints/<int:complaint_id>/", complaints.detail, name="complaint"),
    path("complaints/<int:complaint_id>/evidence/", complaints.add_evidence, name="add_evidence"),
    path(
        "complaints/<int:complaint_id>/evidence/<int:evidence_id>/",
        complaints.download_evidence,
        name="evidence",
    ),
    path("complaints/<int:complaint_id>/commitments/", complaints.commitments, name="commitments"),
    # An officer clears a flag for review with a note (officers only)
    path("complaints/<int:complaint_id>/flags/<int:flag_id>/clear/", flags.clear, name="clear_flag"),
    # Before the actions: `rating` is no lifecycle action
    path("complaints/<int:complaint_id>/rating/", ratings.rate, name="rate"),
    path("complaints/<int:complaint_id>/<slug:action>/", complaints.act, name="act"),
    # The 12315 centre's letters: to read and print, by the officers and the party addressed only
    path("letters/<int:notice_id>/", letters.letter, name="letter"),
    # Merchant workbench
    path("workbench/", merchant.queue, name="queue"),
    path("workbench/shop/", merchant.shop_profile, name="shop_profile"),
    path("workbench/shop/service-info/", merchant.publish_service_info, name="publish_service_info"),
    path("workbench/shop/hours/", merchant.service_hours, name="service_hours"),
    path("workbench/shop/coordinator/", merchant.designate_coordinator, name="designate_coordinator"),
    path("workbench/shop/pledge/", merchant.sign_pledge, name="sign_pledge"),
    path("workbench/groups/", groups.shop_groups, name="shop_groups"),
    path("workbench/groups/<int:group_id>/", groups.shop_group, name="shop_group"),
    path("workbench/promotions/", filings.shop_filings, name="shop_filings"),
    path("workbench/promotions/new/", filings.new_filing, name="new_filing"),
    # Promotion filings: the shop's own, or any for the regulator
    path("promotions/<int:promotion_id>/", filings.filing, name="filing"),
    path("promotions/<int:promotion_id>/review/", filings.review, name="review_filing"),
    path("promotions/<int:promotion_id>/edit/", filings.amend, name="amend_filing"),
    path("promotions/<int:promotion_id>/plan/", filings.download_plan, name="filing_plan"),
    path("promotions/<int:promotion_id>/plan/upload/", filings.upload_plan, name="upload_plan"),
    # Regulator console
    path("console/", regulator.dashboard, name="dashboard"),
    path("console/queue/", centre_queue.queue, name="centre_queue"),
    path("console/escalations/", regulator.escalations, name="escalations"),
    path("console/complaints/", regulator.complaints, name="all_complaints"),
    path("console/alerts/", regulator.alerts, name="alerts"),
    path("console/matters/", centre.matter_list, name="matters"),
    path("console/matters/<int:matter_id>/", centre.matter_detail, name="matter"),
    path("console/matters/<int:matter_id>/decide/", centre.decide, name="decide_matter"),
    path("console/matters/<int:matter_id>/transfer/", centre.transfer, name="transfer_matter"),
    path("console/groups/", groups.console_groups, name="console_groups"),
    path("console/groups/new/", groups.open_group, name="open_group"),
    path("console/groups/<int:group_id>/", groups.console_group, name="console_group"),
    path("console/groups/<int:group_id>/statement/", groups.statement, name="group_statement"),
    path("console/groups/<int:group_id>/close/", groups.close, name="close_group"),
    path("console/filings/", filings.review_queue, name="filings"),
    path("console/flags/", flags.open_list, name="flags"),
    path("console/alerts/<int:alert_id>/", regulator.alert_detail, name="alert"),
    path("console/alerts/<int:alert_id>/<slug:action>/", regulator.alert_action, name="alert_action"),
    path("console/scorecards/", regulator.scorecards, name="regulator_scorecards"),
    path("console/shops/<int:merchant_id>/", merchant.shop_profile, name="console_shop"),
    path(
        "console/shops/<int:merchant_id>/service-info/",
        merchant.publish_service_info,
        name="console_service_info",
    ),
    path("console/shops/<int:merchant_id>/hours/", merchant.service_hours, name="console_service_hours"),
    path(
        "console/shops/<int:merchant_id>/coordinator/",
        merchant.designate_coordinator,
        name="console_coordinator",
    ),
    path("console/pledge/", regulator.pledge_versions, name="pledge_versions"),
    path("console/pledge/<int:version_id>/publish/", regulator.publish_pledge, name="publish_pledge"),
    path(
        "console/pledge/<int:version_id>/delete/", regulator.delete_pledge_draft, name="delete_pledge_draft"
    ),
    # The statutory calendar: the State Council notice as a file or day by day
    path("console/calendar/", calendar.statutory_calendar, name="statutory_calendar"),
    # Follow-up calls (回访): the week's sample of closed complaints and matters, the calls made, the record form
    path("console/follow-up/", followup.week, name="follow_up"),
    path("console/follow-up/call/", followup.record, name="record_follow_up"),
    # The e-mails written to files in local use (notify.mailfiles); 404 while mail goes to a mail server
    path("console/mail/", mail.outbox, name="mail"),
    path("console/mail/<str:mail_id>/", mail.message, name="mail_message"),
    # Every signed-in user's notifications (the bell)
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", notifications.mark_read, name="notification_read"),
    path("notifications/alerts/", notifications.alert_notices, name="alert_notices"),
    # Downloads of the statistics and complaint lists: the regulator's of every shop, a shop's of its own
    path("exports/statistics/", exports.statistics, name="export_statistics"),
    path("exports/complaints/", exports.complaints, name="export_complaints"),
]
