"""Unified social credit codes (统一社会信用代码), checked with python-stdnum (DESIGN.md §6)."""

from flask_babel import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18


class CreditCodeError(ValueError):
    """A malformed code. `claimable`: a genuine code may still look like this (a wrong check
    character; a letter among the first 8, which GB 32100 allows some registration authorities
    but python-stdnum does not), so a regulator may accept it with a recorded reason."""

    def __init__(self, message: str, *, claimable: bool = False):
        super().__init__(message)
        self.claimable = claimable


def normalise_credit_code(code: str | None) -> str:
    """Trimmed and upper-cased, with inner spaces removed."""
    return "".join((code or "").split()).upper()


def check_credit_code(code: str | None) -> str:
    """The normalised code, or CreditCodeError saying which rule it breaks."""
    code = normalise_credit_code(code)
    if not code:
        raise CreditCodeError(_("Enter the unified social credit code."))
    if len(code) != LENGTH:
        raise CreditCodeError(
            _("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
        )
    for position, char in enumerate(code, start=1):
        if char not in ALPHABET:
            raise CreditCodeError(
                _(
                    "Character %(position)d (“%(char)s”) cannot appear in a credit code "
                    "(I, O, S, V and Z are never used).",
                    position=position,
                    char=char,
                )
            )
    if not code[:8].isdigit():
        raise CreditCodeError(
            _(
                "The first 8 characters (registration authority, organisation type and division "
                "code) should be digits."
            ),
            claimable=True,
        )
    try:
        return uscc.validate(code)
    except InvalidChecksum:
        expected = uscc.calc_check_digit(code[:-1])
        raise CreditCodeError(
            _(
                "The check character (the 18th) should be %(expected)s, not %(actual)s: check "
                "the code for a typing mistake.",
                expected=expected,
                actual=code[-1],
            ),
            claimable=True,
        ) from None
    except (InvalidFormat, InvalidLength, InvalidComponent):
        raise CreditCodeError(
            _("The first 17 characters do not form a valid credit code.")
        ) from None


def generate_credit_code(rng, *, prefix: str = "91320281") -> str:
    """A valid code for a fictional organisation (demo data, tests).

    The prefix holds the registration authority, the organisation type and the division
    code (9 1 = a company registered with market regulation; 320281 = 江阴市), all digits.
    """
    body = prefix + "".join(rng.choice(ALPHABET) for _ in range(LENGTH - 1 - len(prefix)))
    return body + uscc.calc_check_digit(body)
