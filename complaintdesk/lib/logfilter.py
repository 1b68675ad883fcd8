"""A safety net: masks phone, ID and bank card numbers and e-mail addresses in every log record.

Our code should not log personal data in the first place; this catches what slips through (a notification
target, an exception message quoting user input)."""

import logging

from complaintdesk.lib.masking import mask_text


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem to report, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
