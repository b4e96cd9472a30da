"""The service's log lines go through one filter that masks ID and mobile numbers (domain.md
§4a): a path such as /v1/people/320602198001011234 or an error message must not carry one."""

from __future__ import annotations

import logging

from orgmodel.masking import mask_text

LOGGER = logging.getLogger("orgmodel.api")


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # the arguments stay arguments: uvicorn's access formatter unpacks them
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install() -> None:
    """Mask the service's own logger and uvicorn's (its access log names paths)."""
    for name in ("orgmodel.api", "uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPersonalData) for f in logger.filters):
            logger.addFilter(MaskPersonalData())
