"""Personal links: each invited respondent answers as themselves, and only they can.

``pmo-assess workshop --invite people.csv`` (columns ``name``, ``role``, optional ``email``) gives
every person an unguessable token (:func:`secrets.token_urlsafe`). The tokens live in a private
file beside the answers (``<unit>.invites.yaml``, mode 0600) and are reused on a rerun, so links
already handed out keep working; a person dropped from the list has their link revoked (and the
rerun says so). A page opened with a token (``?invite=...``, which Voilà passes to the kernel in
``QUERY_STRING``) answers as that person only; a missing, unknown, expired or revoked token gets
a message and no form.
"""
from __future__ import annotations

import csv
import io
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pmo_assess.errors import InputErrors, InputProblem, ProblemCollector
from pmo_assess.io.files import read_yaml, write_yaml
from pmo_assess.io.locks import locked
from pmo_assess.sanitize import control_character_problem, escape_html
from pmo_assess.workshop.defaults import DEFAULT_VALID_DAYS
from pmo_assess.workshop.errors import InvitationRefused
from pmo_assess.workshop.identity import match_name, name_key

if TYPE_CHECKING:  # annotations only: `pmo-assess --help` reads this module's defaults and should stay quick
    from pmo_assess.model import Questionnaire

#: The URL parameter carrying a person's token (Voilà's own ``token`` is the server's).
INVITE_PARAMETER = "invite"
PEOPLE_COLUMNS = ("name", "role", "email")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEADER = ("Personal links to this workshop: keep this file private, it holds everyone's access token.\n"
           "Set 'revoked: true' to stop a link at once; tokens are reused when the workshop is served again.")


@dataclass(frozen=True)
class Person:
    """One row of the people file: who is invited, in which role (id), with an optional email."""

    name: str
    role: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """A person's personal link: their token, until when it works, and whether it was revoked."""

    name: str
    role: str
    email: str
    token: str
    valid_until: str
    revoked: bool = False


@dataclass(frozen=True)
class Invitations:
    """Everyone invited to one unit's workshop, and the server token their links carry."""

    business_unit: str
    server_token: str
    people: tuple[Invitation, ...]

    def check(self, token: str, today: date | None = None) -> Invitation:
        """The invitation a token opens; InvitationRefused (invalid, revoked, expired) otherwise."""
        found = None
        for person in self.people:  # compare every token in constant time, whatever matches
            if secrets.compare_digest(person.token.encode(), str(token).encode()):
                found = person
        if found is None:
            raise InvitationRefused("invalid")
        if found.revoked:
            raise InvitationRefused("revoked")
        if (today or date.today()).isoformat() > found.valid_until:
            raise InvitationRefused("expired")
        return found

    def active(self) -> list[Invitation]:
        """The invitations that still open the form (not revoked)."""
        return [p for p in self.people if not p.revoked]


def invites_path(answers_file: str | Path) -> Path:
    """The tokens file beside the answers: ``retail.csv`` → ``retail.invites.yaml``."""
    return Path(answers_file).with_suffix(".invites.yaml")


def sheet_path(answers_file: str | Path) -> Path:
    """The printable invitations sheet beside the answers: ``retail.csv`` → ``retail.invitations.html``."""
    return Path(answers_file).with_suffix(".invitations.html")


def _role_id(role: str, questionnaire: Questionnaire) -> str | None:
    """A role given by id or name ('Executive sponsor' → 'sponsor'); '' for none; None when unknown."""
    if not role or not questionnaire.roles:
        return role
    return next((r.id for r in questionnaire.roles if role == r.id or role.casefold() == r.name.casefold()),
                None)


def read_people(path: str | Path, questionnaire: Questionnaire) -> list[Person]:
    """Read and check the people file; InputErrors listing every problem (row numbers, what is wrong)."""
    path = Path(path)
    check = ProblemCollector(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputErrors([InputProblem(str(path), "", "file not found")]) from None
    except IsADirectoryError:
        raise InputErrors([InputProblem(str(path), "", "is a folder; give the people CSV file")]) from None
    except UnicodeDecodeError:
        raise InputErrors([InputProblem(str(path), "", "not UTF-8 text; save the CSV as UTF-8")]) from None
    except OSError as exc:
        raise InputErrors([InputProblem(str(path), "", f"cannot be read ({exc.strerror})")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if "name" not in header:
        check.add("header", f"needs the columns name, role and optionally email; found "
                            f"{', '.join(header) or 'nothing'}")
        check.raise_if_any()
    unknown = [h for h in header if h not in PEOPLE_COLUMNS]
    if unknown:
        check.add("header", f"unknown column(s) {', '.join(unknown)}; the columns are name, role, email")
    people: list[Person] = []
    first_row: dict[str, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        place = f"row {reader.line_num}"
        cells = dict(zip(header, (cell.strip() for cell in row)))
        name, role, email = cells.get("name", ""), cells.get("role", ""), cells.get("email", "")
        if len(row) > len(header):
            check.add(place, f"has {len(row)} fields, the header has {len(header)}")
        if not name:
            check.add(place, "the name is empty")
            continue
        for value, field in ((name, "name"), (role, "role"), (email, "email")):
            problem = control_character_problem(value, field)
            if problem:
                check.add(place, problem)
        if name.casefold() == "consensus":
            check.add(place, "'consensus' is reserved for the room's agreed answers; use the person's name")
        role_id = _role_id(role, questionnaire)
        if role_id is None:
            check.add(place, f"unknown role {role!r}; use one of {', '.join(r.name for r in questionnaire.roles)}"
                             " (or leave it empty)")
        if email and not _EMAIL.match(email):
            check.add(place, f"{email!r} is not an email address (leave it empty if unknown)")
        key = name_key(name)
        if key in first_row:
            check.add(place, f"{name} is already listed on row {first_row[key]} (names are matched ignoring "
                             "case and spaces)")
            continue
        first_row[key] = reader.line_num
        people.append(Person(name, role_id or "", email))
    if not people and not check:
        check.add("", "lists nobody: add one row per respondent (name, role, email)")
    check.raise_if_any()
    return people


def load_invitations(path: str | Path) -> Invitations:
    """Read the tokens file; InputErrors naming what is wrong."""
    data = read_yaml(path)
    check = ProblemCollector(path)
    if not isinstance(data, dict) or not isinstance(data.get("people"), list) or not data.get("server_token"):
        check.add("", "is not a workshop invitations file (needs business_unit, server_token and people); "
                      "remove it to issue new links")
        check.raise_if_any()
    people = []
    for number, entry in enumerate(data["people"], start=1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("token"):
            check.add(f"people item {number}", "needs a name and a token")
            continue
        people.append(Invitation(str(entry["name"]), str(entry.get("role") or ""), str(entry.get("email") or ""),
                                 str(entry["token"]), str(entry.get("valid_until") or ""),
                                 entry.get("revoked") is True))
    check.raise_if_any()
    return Invitations(str(data.get("business_unit") or ""), str(data["server_token"]), tuple(people))


def _write_private(path: Path, data: CommentedMap) -> None:
    """Write the tokens file readable by its owner only (created 0600 before any token is in it)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    write_yaml(path, data)  # the atomic write keeps the file's 0600


def issue_invitations(people: list[Person], answers_file: str | Path, business_unit: str,
                      valid_days: int = DEFAULT_VALID_DAYS, today: date | None = None
                      ) -> tuple[Invitations, list[str]]:
    """Give everyone a token (reusing the tokens file's), revoke those no longer listed; returns the notes.

    Notes name every change a rerun makes to links already handed out (revoked, reinstated).
    """
    path = invites_path(answers_file)
    until = ((today or date.today()) + timedelta(days=valid_days)).isoformat()
    notes: list[str] = []
    with locked(path):
        before = load_invitations(path) if path.exists() else None
        old = {name_key(p.name): p for p in before.people} if before else {}
        listed = {name_key(p.name) for p in people}
        entries = CommentedSeq()
        for person in people:
            earlier = old.get(name_key(person.name))
            if earlier is not None and earlier.revoked:
                notes.append(f"{person.name}'s link works again (they are back in the people file)")
            token = earlier.token if earlier else secrets.token_urlsafe(24)
            valid = max(until, earlier.valid_until) if earlier else until
            entries.append(_entry(person.name, person.role, person.email, token, valid, False))
        for key, earlier in old.items():
            if key not in listed:
                if not earlier.revoked:
                    notes.append(f"{earlier.name} is no longer in the people file: their link is revoked "
                                 "(their answers are kept)")
                entries.append(_entry(earlier.name, earlier.role, earlier.email, earlier.token,
                                      earlier.valid_until, True))
        data = CommentedMap(business_unit=business_unit,
                            server_token=before.server_token if before else secrets.token_urlsafe(24),
                            people=entries)
        data.yaml_set_start_comment(_HEADER)
        _write_private(path, data)
    return load_invitations(path), notes


def _entry(name: str, role: str, email: str, token: str, valid_until: str, revoked: bool) -> CommentedMap:
    entry = CommentedMap(name=name, role=role, email=email, token=token, valid_until=valid_until, revoked=revoked)
    entry.fa.set_flow_style()
    return entry


def personal_link(base_url: str, server_token: str, invitation: Invitation) -> str:
    """The URL a person opens: the server's token (to reach it) and their own (to be them)."""
    return f"{base_url.rstrip('/')}/?token={quote(server_token)}&{INVITE_PARAMETER}={quote(invitation.token)}"


def token_from_query(query_string: str | None) -> str:
    """The personal token in a page's query string ('' if none)."""
    return parse_qs(query_string or "").get(INVITE_PARAMETER, [""])[0]


def invitation_sheet(invitations: Invitations, base_url: str, questionnaire: Questionnaire, title: str) -> str:
    """A printable HTML page: per person, their name, role, link and a QR code of the link (segno)."""
    import segno

    cards = []
    for person in invitations.active():
        link = personal_link(base_url, invitations.server_token, person)
        qr = segno.make(link, error="m").svg_inline(scale=4, dark="#111", light="#fff")
        role = next((r.name for r in questionnaire.roles if r.id == person.role), person.role) or "no role"
        cards.append(f"<section class='card'><h2>{escape_html(person.name)}</h2>"
                     f"<p class='role'>{escape_html(role)}</p><div class='qr'>{qr}</div>"
                     f"<p class='link'><a href='{escape_html(link)}'>{escape_html(link)}</a></p>"
                     f"<p class='until'>valid until {escape_html(person.valid_until)}</p></section>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_html(title)}</title>
<style>
body {{font-family: system-ui, sans-serif; margin: 24px; color: #111;}}
h1 {{font-size: 28px; margin: 0 0 4px;}}
.intro {{font-size: 18px; margin: 0 0 20px; max-width: 60em;}}
.cards {{display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px;}}
.card {{border: 1px solid #999; border-radius: 8px; padding: 16px; break-inside: avoid; page-break-inside: avoid;
  text-align: center;}}
.card h2 {{font-size: 24px; margin: 0; overflow-wrap: anywhere;}}
.role {{font-size: 18px; margin: 4px 0 8px; color: #333;}}
.link {{font-size: 13px; overflow-wrap: anywhere; margin: 8px 0 0;}}
.until {{font-size: 13px; color: #555; margin: 4px 0 0;}}
@media print {{ body {{margin: 0;}} .card {{border-color: #000;}} }}
</style></head><body>
<h1>{escape_html(title)}</h1>
<p class="intro">Scan your own code with your phone's camera, or type your link, to answer as yourself.
Each link is personal: please do not share it.</p>
<div class="cards">
{''.join(cards)}
</div></body></html>
"""


def write_sheet(path: Path, html_text: str) -> None:
    """Write the sheet owner-readable only: it holds every person's link."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    from pmo_assess.io.files import atomic_write_text

    atomic_write_text(path, html_text)


def page_session(questionnaire_file: str | Path, business_unit: str, answers_file: str | Path,
                 invites_file: str | Path | None = "", query_string: str | None = None):
    """The session a served page answers in: as the person its link names, or refused (no form).

    Without an invites file it is a plain session (the page asks who is answering). ``query_string``
    defaults to ``QUERY_STRING``, which Voilà sets in the kernel's environment from the page's URL.
    """
    from pmo_assess.workshop.session import open_session

    if not invites_file:
        return open_session(questionnaire_file, business_unit, answers_file)
    token = token_from_query(os.environ.get("QUERY_STRING", "") if query_string is None else query_string)
    if not token:
        raise InvitationRefused("missing")
    invitation = load_invitations(invites_file).check(token)
    session = open_session(questionnaire_file, business_unit, answers_file)
    returning = match_name(invitation.name, [n for n, _ in session.respondents()])
    session.choose_respondent(returning or invitation.name, None if returning else invitation.role)
    session.invited = invitation
    session.writer = f"{session.respondent} (personal link)"
    return session
