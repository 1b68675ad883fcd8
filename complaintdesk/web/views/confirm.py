"""The page that asks before a step that cannot be undone, when the page's own <dialog> could not (no
JavaScript): it says what will happen and posts the same values again with confirm=1."""

from django.shortcuts import render


def confirmation_page(
    request, *, question, subject, consequences, yes_label, back_url, hidden=(), message="", post_url=None
):
    return render(
        request,
        "web/confirm.html",
        {
            "question": question,
            "subject": subject,
            "consequences": consequences,
            "message": message,
            "post_url": post_url or request.path,
            "hidden": list(hidden),
            "yes_label": yes_label,
            "back_url": back_url,
        },
    )
