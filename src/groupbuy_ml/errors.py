"""The library's error families: what a user can fix versus what is a bug.

Every error a user can fix by changing a file, a column, a config field or a request derives
from :class:`UserInputError`; its message is one line (or a short block) that names the file,
column or field, what was expected and the fix. The command line prints such errors without a
traceback and the HTTP app answers them with a 4xx JSON body. Anything else is a bug: it keeps
its traceback.
"""

from __future__ import annotations


class UserInputError(ValueError):
    """Input or configuration a user can fix; the message names the field and the fix.

    A ``ValueError`` subclass so that callers that already catch ``ValueError`` keep working.
    """
