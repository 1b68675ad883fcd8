"""The legal grounds the centre decides on (SPEC §10), numbered as the law numbers them.

SAMR Order No. 20 of 2019 (《市场监督管理投诉举报处理暂行办法》, amended 2022): art. 15 lists why a complaint is
not accepted, art. 21 why mediation ends without agreement. The numbers are the API's `ground` values (SPEC §7):
clients and letters quote them, so they never change meaning. Every decision on a ground also needs the
officer's written reason; the article a list comes from depends on the rule version
(`RuleVersion.refusal_article`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RefusalGround(models.IntegerChoices):
    """Art. 15: a complaint is not accepted when…"""

    NOT_OURS = 1, _("(1) Not a market-regulation matter, or this bureau has no jurisdiction")
    HANDLED_ELSEWHERE = (
        2,
        _(
            "(2) A court, arbitration body, another authority or a mediation body has taken or handled the same dispute"
        ),
    )
    NO_CONSUMER_DISPUTE = (
        3,
        _("(3) Not bought for personal consumption, or no consumer dispute with this respondent shown"),
    )
    TOO_LATE = 4, _("(4) More than three years since the consumer knew of the harm")
    DETAILS_MISSING = (
        5,
        _(
            "(5) Required details missing (consumer's name, phone, address; the respondent's name and address; "
            "a concrete request and the facts; a power of attorney)"
        ),
    )
    OTHER = 6, _("(6) Another legal ground")


class TerminationGround(models.IntegerChoices):
    """Art. 21: mediation ends without agreement when…"""

    WITHDRAWN_OR_SETTLED = 1, _("(1) The consumer withdrew the complaint, or the parties settled themselves")
    NO_TESTING_AGREEMENT = 2, _("(2) No agreement on the testing or appraisal body or its costs")
    PARTY_ABSENT = 3, _("(3) A party refused or failed to take part without good reason")
    NO_AGREEMENT_POSSIBLE = 4, _("(4) A party declared that no agreement is possible")
    TIME_LIMIT = 5, _("(5) The mediation period passed without agreement")
    REFUSAL_GROUND_FOUND = 6, _("(6) A ground for not accepting the complaint was found after acceptance")
    OTHER = 7, _("(7) Another legal ground")
