"""The rating method in force: config RATING_METHOD, or the published method v1.

RATING_METHOD is one block (ratings.method.METHOD_V1's keys, with its own version string);
None means METHOD_V1 itself. RATING_WINDOW_MONTHS, which the profile's assessment facts
read, must say the same window: a mismatch is a configuration error, refused loudly rather
than rating by one window and explaining by another.
"""

from flask import current_app

from ratings.method import METHOD_V1


def current_method() -> dict:
    method = current_app.config.get("RATING_METHOD") or METHOD_V1
    window = current_app.config.get("RATING_WINDOW_MONTHS", method["window_months"])
    if window != method["window_months"]:
        raise RuntimeError(
            f"RATING_WINDOW_MONTHS ({window}) differs from the rating method's window "
            f"({method['window_months']}); set them to the same number of months"
        )
    return method
