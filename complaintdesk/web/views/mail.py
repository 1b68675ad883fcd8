"""The regulator's mail page: the e-mails written to files in local use (notify.mailfiles), newest first.

It exists only while the file backend is the one in use: with a real mail server there is nothing to read
here, and the page answers 404 like any other address that does not exist.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from complaintdesk.notify import mailfiles
from complaintdesk.web.filters import PageQuery, reads_query
from complaintdesk.web.views.access import regulator_required


def _require_file_backend():
    if not mailfiles.in_use():
        raise Http404


@regulator_required
@reads_query(PageQuery)
def outbox(request, query):
    _require_file_backend()
    page = Paginator(mailfiles.names(), 50).get_page(query["page"])
    mails = [mail for name in page.object_list if (mail := mailfiles.read(name))]
    return render(
        request,
        "web/regulator/mail.html",
        {"page": page, "mails": mails, "folder": mailfiles.directory()},
    )


@regulator_required
def message(request, mail_id: str):
    _require_file_backend()
    mail = mailfiles.read(mail_id, with_body=True)
    if mail is None:
        raise Http404
    return render(request, "web/regulator/mail_message.html", {"mail": mail})
