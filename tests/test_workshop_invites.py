"""Personal links: the people file, tokens kept private and reused, pages that answer as one person only."""
from __future__ import annotations

import html
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from conftest import DATA
from pmo_assess.cli import main
from pmo_assess.errors import InputErrors
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.workshop import invites
from pmo_assess.workshop.errors import InvitationRefused, WorkshopRefusal
from pmo_assess.workshop.session import open_session

MINI = DATA / "mini.yaml"


@pytest.fixture
def questionnaire():
    return load_questionnaire(MINI)


def people_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_people_are_read_with_roles_by_id_or_name(tmp_path: Path, questionnaire) -> None:
    path = people_file(tmp_path, "Name,Role,Email\nAna Silva,Sponsor,ana@example.org\nBen Osei,pm,\n\nCleo,,\n")
    assert invites.read_people(path, questionnaire) == [
        invites.Person("Ana Silva", "sponsor", "ana@example.org"), invites.Person("Ben Osei", "pm", ""),
        invites.Person("Cleo", "", "")]


def test_every_problem_of_the_people_file_is_listed_together(tmp_path: Path, questionnaire) -> None:
    path = people_file(tmp_path, "name,role,email,phone\nAna,Sponsor,ana@x\n,pm,\n ana ,pm,\nBen\tO,cfo,\n"
                                 "Consensus,,\n")
    with pytest.raises(InputErrors) as caught:
        invites.read_people(path, questionnaire)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: header: unknown column(s) phone; the columns are name, role, email",
        f"{path}: row 2: 'ana@x' is not an email address (leave it empty if unknown)",
        f"{path}: row 3: the name is empty",
        f"{path}: row 4: ana is already listed on row 2 (names are matched ignoring case and spaces)",
        f"{path}: row 5: name 'Ben\\tO' contains control character U+0009 at position 4; names must be plain "
        "text on one line",
        f"{path}: row 5: unknown role 'cfo'; use one of Sponsor, Project manager (or leave it empty)",
        f"{path}: row 6: 'consensus' is reserved for the room's agreed answers; use the person's name"]
    no_names = people_file(tmp_path, "who,role\nAna,pm\n")
    with pytest.raises(InputErrors, match="header: needs the columns name, role and optionally email; found who, role"):
        invites.read_people(no_names, questionnaire)
    with pytest.raises(InputErrors, match="lists nobody"):
        invites.read_people(people_file(tmp_path, "name,role\n"), questionnaire)


def test_tokens_are_private_unguessable_and_reused_and_a_dropped_person_is_revoked(tmp_path: Path) -> None:
    answers = tmp_path / "unit.csv"
    people = [invites.Person("Ana Silva", "sponsor", ""), invites.Person("Ben Osei", "pm", "")]
    book, notes = invites.issue_invitations(people, answers, "Unit A", valid_days=7, today=date(2026, 11, 29))
    path = tmp_path / "unit.invites.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and notes == []
    tokens = {p.name: p.token for p in book.people}
    assert len(set(tokens.values())) == 2 and all(len(t) >= 32 for t in tokens.values())
    assert book.people[0].valid_until == "2026-12-06"
    again, notes = invites.issue_invitations([invites.Person("ana  silva", "sponsor", "")], answers, "Unit A",
                                             today=date(2026, 11, 30))
    assert notes == ["Ben Osei is no longer in the people file: their link is revoked (their answers are kept)"]
    assert {p.name: (p.token, p.revoked) for p in again.people} == {
        "ana  silva": (tokens["Ana Silva"], False), "Ben Osei": (tokens["Ben Osei"], True)}
    assert again.server_token == book.server_token
    with pytest.raises(InvitationRefused, match="no longer valid"):
        again.check(tokens["Ben Osei"])
    _, notes = invites.issue_invitations(people, answers, "Unit A")
    assert notes == ["Ben Osei's link works again (they are back in the people file)"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_invalid_expired_and_missing_links_are_refused_with_a_visible_reason(tmp_path: Path) -> None:
    answers = tmp_path / "unit.csv"
    book, _ = invites.issue_invitations([invites.Person("Ana", "pm", "")], answers, "Unit A", valid_days=1,
                                        today=date(2026, 11, 1))
    token = book.people[0].token
    with pytest.raises(InvitationRefused, match="This personal link has expired"):
        book.check(token, today=date(2026, 11, 3))
    assert book.check(token, today=date(2026, 11, 2)).name == "Ana"
    for query, reason in [("token=server", "missing"), (f"invite={token[:-1]}", "invalid"), ("", "missing")]:
        with pytest.raises(InvitationRefused) as refused:
            invites.page_session(MINI, "Unit A", answers, invites.invites_path(answers), query)
        assert refused.value.reason == reason
    assert not answers.exists()


def test_a_page_opened_with_a_token_answers_as_that_person_only(tmp_path: Path) -> None:
    answers = tmp_path / "unit.csv"
    others = open_session(MINI, "Unit A", answers)
    others.choose_respondent("Ben", "sponsor")
    others.answer(1, comment="Ben's private view")
    others.choose_respondent("Cleo", "pm")
    others.answer(4)
    book, _ = invites.issue_invitations([invites.Person("ANA", "pm", ""), invites.Person("Ben", "sponsor", "")],
                                        answers, "Unit A")
    link = invites.personal_link("http://10.0.0.5:8866", book.server_token, book.people[0])
    assert link.startswith(f"http://10.0.0.5:8866/?token={book.server_token}&invite=")
    session = invites.page_session(MINI, "Unit A", answers, invites.invites_path(answers), link.split("?", 1)[1])
    assert (session.respondent, session.role, session.question.id) == ("ANA", "pm", "P-T-1")
    assert session.respondents() == [] and session.answer_of("Ben", "P-T-1") == ("", "")
    with pytest.raises(WorkshopRefusal, match="this page answers as ANA only"):
        session.choose_respondent("Ben")
    with pytest.raises(WorkshopRefusal, match="recorded by the facilitator"):
        session.set_mode("consensus")
    with pytest.raises(WorkshopRefusal, match="recorded by the facilitator"):
        session.cast_votes("ANA", {"talent": 1})
    session.answer(2)
    assert session.respondents() == [("ANA", "pm")]
    view = session.live_view()
    assert view.respondents == ["respondent 1", "respondent 2", "respondent 3"]
    assert "Ben" not in view.discussion.columns and "dissent_note" not in view.discussion.columns
    assert "Ben's private view" not in view.discussion.to_string()
    ben = invites.page_session(MINI, "Unit A", answers, invites.invites_path(answers),
                               f"invite={book.people[1].token}")
    assert (ben.respondent, ben.question.id, ben.current) == ("Ben", "P-T-2", ("", ""))  # resumes where he was
    ben.previous()
    assert ben.current == ("1", "Ben's private view")  # his own answers, and only his
    assert ben.writer == "Ben (personal link)"


def test_the_invitations_sheet_has_one_escaped_card_and_qr_code_per_active_person(tmp_path: Path,
                                                                                    questionnaire) -> None:
    answers = tmp_path / "unit.csv"
    book, _ = invites.issue_invitations([invites.Person("<script>alert(1)</script>", "sponsor", ""),
                                         invites.Person("Ben & Co", "", "")], answers, "Unit A")
    html = invites.invitation_sheet(book, "http://10.0.0.5:8866", questionnaire, "Unit <A> workshop")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ben &amp; Co" in html and "<title>Unit &lt;A&gt; workshop</title>" in html
    assert html.count("<svg") == 2 and html.count("class='card'") == 2
    assert ">Sponsor<" in html and ">no role<" in html
    sheet = invites.sheet_path(answers)
    invites.write_sheet(sheet, html)
    assert sheet.name == "unit.invitations.html" and stat.S_IMODE(sheet.stat().st_mode) == 0o600


def test_workshop_command_refuses_an_open_host_without_invitations_and_a_bad_people_file(tmp_path: Path,
                                                                                           capsys) -> None:
    answers = str(tmp_path / "unit.csv")
    assert main(["workshop", "-u", "Unit A", "-q", str(MINI), "-a", answers, "--host", "0.0.0.0"]) == 2
    assert ("--host: 0.0.0.0 opens the form to the room's network; personal links are then the only way in: "
            "add --invite people.csv") in capsys.readouterr().err
    bad = people_file(tmp_path, "name,role\nAna,cfo\n")
    assert main(["workshop", "-u", "Unit A", "-q", str(MINI), "-a", answers, "--invite", str(bad)]) == 2
    assert f"{bad}: row 2: unknown role 'cfo'" in capsys.readouterr().err
    assert main(["workshop", "-u", "Unit A", "-q", str(MINI), "-a", answers, "--invite",
                 str(tmp_path / "nobody.csv")]) == 2
    assert "nobody.csv: file not found" in capsys.readouterr().err
    assert main(["workshop", "-u", "Unit A", "-q", str(MINI), "-a", answers, "--valid-days", "0",
                 "--cull-idle", "0"]) == 2
    err = capsys.readouterr().err
    assert "--valid-days: must be 1 or more, got 0" in err and "--cull-idle: must be 1 second or more" in err
    assert not (tmp_path / "unit.invites.yaml").exists()


def test_a_corrupted_answers_file_gives_the_page_a_message_without_server_paths(tmp_path: Path) -> None:
    from pmo_assess.workshop.widgets import capture_form

    answers = tmp_path / "secret-folder" / "unit.csv"
    answers.parent.mkdir()
    book, _ = invites.issue_invitations([invites.Person("Ana", "pm", "")], answers, "Unit A")
    broken = "business_unit,respondent,role,question,answer,comment\nUnit A,Ana,pm,P-T-1,9,\n"
    answers.write_text(broken)
    os.environ["QUERY_STRING"] = f"token=x&invite={book.people[0].token}"
    try:
        box = capture_form(str(MINI), "Unit A", str(answers), str(invites.invites_path(answers)))
    finally:
        del os.environ["QUERY_STRING"]
    text = html.unescape(box.children[0].value)
    assert "pmo-invitation-refused" in box.children[0]._dom_classes
    assert "tell the facilitator" in text and "row 2: answer '9' is outside the levels 1-4" in text
    assert "secret-folder" not in text and str(tmp_path) not in text
    assert answers.read_text() == broken  # nothing rewritten
