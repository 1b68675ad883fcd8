"""The centre's letters as pages (SPEC §10): one page per letter, to read and to print on A4. Only the
officers and the party the letter is addressed to see it; anyone else's letter is 404 (`letters.visible_letters`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from complaintdesk.centre import letters


@login_required
def letter(request, notice_id: int):
    notice = get_object_or_404(letters.visible_letters(request.user), pk=notice_id)
    languages = notice.language.split(",")
    context = {
        "notice": notice,
        "reference": (notice.complaint or notice.matter).reference,
        "bureau_names": [notice.bureau.name_in(language) for language in languages],
        "lang": "zh-Hans" if languages == ["zh-hans"] else languages[0] if len(languages) == 1 else "",
    }
    return render(request, "web/centre/letter.html", context)
