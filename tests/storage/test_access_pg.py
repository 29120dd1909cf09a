"""Access enforced by PostgreSQL itself: each person connects as their own login, and raw SQL
(psycopg, no LAC Monitor client checks at all) gets only what their role allows.

The council here lives in its own throwaway database, provisioned with `db provision`.
Group roles are shared by the server (never dropped here); every login role this module
creates has a unique suffix and is dropped at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors as pgerr

from lac_monitor.cli import main
from lac_monitor.domain.errors import AccessRefusedError, UnknownLoginError
from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.domain.localtime import to_local
from lac_monitor.services.access import AccessService, provision_database
from lac_monitor.services.care import CareService
from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.register import ChildInput, RegisterService
from lac_monitor.services.settings import SettingsService
from lac_monitor.services.uow import Actor, resolve_actor
from lac_monitor.storage import audit_chain
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Alert
from tests.conftest import PG_ADMIN_URL, _pg_admin
from tests.factories import FOSTER

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Council:
    url: str  # the owner's URL (postgres)
    base: str
    name: str
    logins: dict[str, str]  # short name -> login role
    children: dict[str, str]

    def url_as(self, short: str) -> str:
        login = self.logins.get(short, short)
        return f"postgresql://{login}@{self.base.split('@', 1)[1]}/{self.name}"

    def raw(self, short: str) -> psycopg.Connection:
        return psycopg.connect(self.url_as(short), autocommit=True, connect_timeout=5)


def _drop_logins(logins: list[str]) -> None:
    with _pg_admin() as admin:
        for login in logins:
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')


@pytest.fixture(scope="module")
def council() -> Iterator[Council]:
    import os

    if os.environ.get("LAC_MONITOR_SKIP_PG") == "1":
        pytest.skip("LAC_MONITOR_SKIP_PG=1")
    sfx = uuid.uuid4().hex[:8]
    name = f"lac_access_{sfx}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    admin_conn = _pg_admin()
    admin_conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    logins = {k: f"{k}_{sfx}" for k in ("sw1", "sw2", "tm1", "edt", "adm", "pol", "aud", "svc", "stranger")}
    db = Database.open(url)
    try:
        provision_database(db, admin_login=logins["adm"])
        admin = resolve_actor(db, logins["adm"])
        reg = RegisterService(db, admin)
        north, south = reg.add_team("North"), reg.add_team("South")
        ids = {}
        for short, role, team in (
            ("sw1", "social_worker", north.id),
            ("sw2", "social_worker", south.id),
            ("tm1", "team_manager", north.id),
            ("edt", "duty_officer", None),
            ("pol", "police_liaison", None),
            ("aud", "auditor", None),
        ):
            ids[short] = reg.add_staff(logins[short], f"Test {short}", role, team).id
        with _pg_admin() as a:  # a login on the server that is no one's staff record
            a.execute(f'CREATE ROLE "{logins["stranger"]}" LOGIN IN ROLE lac_social_worker')
            a.execute(f'CREATE ROLE "{logins["svc"]}" LOGIN IN ROLE lac_service')
        kids = {"own": "A1", "own_restricted": "A2", "other_restricted": "B3", "missing": "B4", "back_long_ago": "B5"}
        alloc = {
            "A1": ("sw1", north.id),
            "A2": ("sw1", north.id),
            "B3": ("sw2", south.id),
            "B4": ("sw2", south.id),
            "B5": ("sw2", south.id),
        }
        for cid, (worker, team) in alloc.items():
            reg.add_child(
                ChildInput(
                    id=cid,
                    first_name="Testa",
                    last_name=f"Child{cid}",
                    dob=date(2011, 3, 4),
                    sex="F",
                    ethnicity="WBRI",
                    social_worker_id=ids[worker],
                    team_id=team,
                )
            )
            CareService(db, admin).start_care(cid, date(2024, 1, 1), FOSTER)
        access = AccessService(db, admin)
        access.set_restricted("A2", True, "child of a member of staff")
        access.set_restricted("B3", True, "high-profile case")
        eps = EpisodeService(db, admin)
        eps.report("B3", "M", NOW - timedelta(hours=2))
        eps.report("B4", "A", NOW - timedelta(hours=3))
        eps.save_profile("B4", None, description="Tall, dark hair")
        ep = eps.report("B5", "M", NOW - timedelta(days=12))
        eps.record_return(ep.id, ep.version, NOW - timedelta(days=10))
        eps.record_view("B3")
        yield Council(url, base, name, logins, kids)
    finally:
        db.dispose()
        admin_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_conn.close()
        _drop_logins(list(logins.values()))


def _ids(conn: psycopg.Connection, sql: str) -> set[str]:
    return {r[0] for r in conn.execute(sql).fetchall()}


def test_social_worker_sees_no_restricted_child_that_is_not_theirs(council: Council) -> None:
    with council.raw("sw1") as c:
        assert _ids(c, "SELECT id FROM child") == {"A1", "A2", "B4", "B5"}
        assert _ids(c, "SELECT child_id FROM missing_episode") == {"B4", "B5"}
        assert _ids(c, "SELECT child_id FROM care_episode") == {"A1", "A2", "B4", "B5"}
        assert c.execute("SELECT count(*) FROM audit_log WHERE child_id = 'B3'").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM change_feed WHERE child_id = 'B3'").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM alert WHERE child_id = 'B3'").fetchone() == (0,)
    with council.raw("sw2") as c:
        assert "A2" not in _ids(c, "SELECT id FROM child") and "B3" in _ids(c, "SELECT id FROM child")
    with council.raw("tm1") as c:  # the manager of the allocated worker's team
        assert _ids(c, "SELECT id FROM child") == {"A1", "A2", "B4", "B5"}
    for who in ("adm", "svc"):  # administrators, the escalation service
        with council.raw(who) as c:
            assert _ids(c, "SELECT id FROM child") == {"A1", "A2", "B3", "B4", "B5"}, who


def _office_hours(council: Council, always: bool) -> None:
    """Office hours (the council's ladder setting, saved as an administrator would) that make
    the database's `now()` fall inside them (every day, all day) or outside (no office days)."""
    if always and to_local(datetime.now(UTC)).strftime("%H:%M") >= "23:58":
        pytest.skip("the last minutes of the day are out of hours even with all-day office hours")
    db = Database.open(council.url, upgrade=False)
    try:
        settings = SettingsService(db, resolve_actor(db, council.logins["adm"]))
        days = (0, 1, 2, 3, 4, 5, 6) if always else ()
        settings.save_ladder(
            replace(settings.ladder(), office_start=time(0, 0), office_end=time(23, 59), office_days=days)
        )
    finally:
        db.dispose()


def test_the_duty_team_sees_restricted_children_out_of_hours_only(council: Council) -> None:
    everyone = {"A1", "A2", "B3", "B4", "B5"}
    try:
        _office_hours(council, always=False)  # a weekend, a night: the duty team covers the city
        with council.raw("edt") as c:
            assert _ids(c, "SELECT id FROM child") == everyone
            assert _ids(c, "SELECT child_id FROM missing_episode") == {"B3", "B4", "B5"}
            assert c.execute("SELECT count(*) FROM audit_log WHERE child_id = 'B3'").fetchone()[0] > 0
        _office_hours(council, always=True)  # office hours: the allocated worker's team has them
        with council.raw("edt") as c:
            assert _ids(c, "SELECT id FROM child") == everyone - {"A2", "B3"}
            assert _ids(c, "SELECT child_id FROM missing_episode") == {"B4", "B5"}
            assert c.execute("SELECT count(*) FROM audit_log WHERE child_id = 'B3'").fetchone() == (0,)
            assert c.execute(
                "SELECT count(*) FROM episode_event e JOIN missing_episode m "
                "ON m.id = e.episode_id WHERE m.child_id = 'B3'"
            ).fetchone() == (0,)
        with council.raw("adm") as c:  # administrators see them at any hour
            assert _ids(c, "SELECT id FROM child") == everyone
        with council.raw("tm1") as c:
            assert _ids(c, "SELECT id FROM child") == everyone - {"B3"}
        # The app as the duty officer's own login gets what the database gives.
        db = Database.open(council.url_as("edt"), upgrade=False)
        try:
            with db.read_session() as s:
                assert {r.child_id for r in load_board(s, datetime.now(UTC))} == everyone - {"A2", "B3"}
        finally:
            db.dispose()
    finally:
        _office_hours(council, always=False)


def test_an_unreadable_office_hours_setting_means_the_default_hours(council: Council) -> None:
    _office_hours(council, always=False)
    owner = psycopg.connect(council.url, autocommit=True)
    try:
        before = owner.execute("SELECT value FROM setting WHERE key = 'ladder'").fetchone()
        assert before is not None
        owner.execute("UPDATE setting SET value = 'not json' WHERE key = 'ladder'")
        expected = DEFAULT_LADDER.is_office_hours(datetime.now(UTC))
        assert owner.execute("SELECT lac_office_hours()").fetchone() == (expected,)
        with council.raw("edt") as c:
            assert ("B3" in _ids(c, "SELECT id FROM child")) is (not expected)
    finally:
        owner.execute("UPDATE setting SET value = %s WHERE key = 'ladder'", (before[0],))
        owner.close()


def test_police_liaison_sees_only_missing_away_and_recently_returned_and_writes_nothing(council: Council) -> None:
    with council.raw("pol") as c:
        assert _ids(c, "SELECT id FROM child") == {"B4"}  # B3 is restricted; B5 came back 10 days ago
        assert _ids(c, "SELECT child_id FROM missing_episode") == {"B4"}
        assert _ids(c, "SELECT child_id FROM philomena_profile") == {"B4"}
        assert c.execute("SELECT count(*) FROM rhi").fetchone() == (0,)  # interviews are not theirs
        for sql in (
            "UPDATE child SET locality = 'x'",
            "UPDATE missing_episode SET police_ref = 'x'",
            "INSERT INTO episode_event (episode_id, kind, at, recorded_at, recorded_by) "
            "VALUES (1, 'note', now(), now(), 'x')",
            "DELETE FROM child",
            "UPDATE philomena_profile SET description = 'x'",
            "SELECT * FROM audit_log",
            "UPDATE setting SET value = '{}'",
        ):
            with pytest.raises(pgerr.InsufficientPrivilege):
                c.execute(sql)


def test_police_liaison_board_as_their_own_login(council: Council, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["board", "--format", "json", "--database", council.url_as("pol")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["child_id"], r["status"]) for r in rows] == [("B4", "away")]
    assert main(["audit", "views", "B4", "--database", council.url_as("pol")]) == 2
    assert "Only " in capsys.readouterr().err


def test_no_persons_role_can_rewrite_the_audit_trail_or_the_feed(council: Council) -> None:
    for who in ("sw1", "tm1", "edt", "adm", "pol", "aud", "svc"):
        with council.raw(who) as c:
            for sql in (
                "UPDATE audit_log SET action = 'x'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "UPDATE change_feed SET kind = 'x'",
                "DELETE FROM change_feed",
                "TRUNCATE change_feed",
            ):
                with pytest.raises(pgerr.InsufficientPrivilege):
                    c.execute(sql)


def test_only_administrators_change_settings_staff_and_teams(council: Council) -> None:
    for who in ("sw1", "tm1", "edt", "pol", "aud"):
        with council.raw(who) as c:
            for sql in (
                "INSERT INTO setting (key, value, updated_at, updated_by) VALUES ('k', '1', now(), 'x')",
                "UPDATE staff SET role = 'administrator'",
                "INSERT INTO team (name) VALUES ('T')",
            ):
                with pytest.raises(pgerr.InsufficientPrivilege):
                    c.execute(sql)
    with council.raw("adm") as c:
        c.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES ('probe', '1', now(), 'Forged Name')"
        )
        # The database records who really did it, whatever the client wrote.
        # (provisioning made the first administrator's record with their login as the name)
        assert c.execute("SELECT updated_by FROM setting WHERE key = 'probe'").fetchone() == (council.logins["adm"],)


def test_restricting_needs_a_manager_even_in_raw_sql(council: Council) -> None:
    with council.raw("sw1") as c:
        with pytest.raises(pgerr.InsufficientPrivilege):
            c.execute("UPDATE child SET restricted = false WHERE id = 'A2'")
        c.execute("UPDATE child SET locality = 'Northfield' WHERE id = 'A1'")  # their own work is fine


def test_a_login_with_no_staff_record_sees_nothing(council: Council) -> None:
    with council.raw("stranger") as c:
        for table in ("child", "missing_episode", "staff", "audit_log", "setting"):
            assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_the_app_refuses_an_unknown_login_and_works_as_a_persons_own_login(
    council: Council, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database.open(council.url_as("stranger"), upgrade=False)
    try:
        with pytest.raises(UnknownLoginError, match=council.logins["stranger"]):
            resolve_actor(db)
    finally:
        db.dispose()
    code = main(["board", "--database", council.url_as("stranger")])
    err = capsys.readouterr().err
    assert code == 2 and council.logins["stranger"] in err and "administrator must add it" in err

    db = Database.open(council.url_as("sw1"), upgrade=False)
    try:
        me = resolve_actor(db)
        assert me.username == council.logins["sw1"] and me.role == "social_worker"
        with pytest.raises(AccessRefusedError, match="own database login"):
            resolve_actor(db, council.logins["adm"])  # --user cannot make you someone else here
        with db.read_session() as s:
            assert {r.child_id for r in load_board(s, NOW)} == {"A1", "A2", "B4", "B5"}
        eps = EpisodeService(db, me)
        saved = eps.report("A1", "M", NOW - timedelta(minutes=30), risk="low")  # least privilege is enough
        eps.record_return(saved.id, saved.version, NOW - timedelta(minutes=5))
        with pytest.raises(AccessRefusedError, match="Only administrators"):
            RegisterService(db, me).add_team("Sneaky team")
    finally:
        db.dispose()


def test_deactivating_revokes_the_login_and_the_app_refuses_it(council: Council) -> None:
    owner = Database.open(council.url, upgrade=False)
    try:
        admin = resolve_actor(owner, council.logins["adm"])
        edt_id = resolve_actor(owner, council.logins["edt"]).staff_id
        assert edt_id is not None
        RegisterService(owner, admin).set_staff_active(edt_id, False)
        with council.raw("edt") as c, pytest.raises(pgerr.InsufficientPrivilege):
            c.execute("SELECT id FROM child")
        db = Database.open(council.url_as("edt"), upgrade=False)
        try:
            with pytest.raises(UnknownLoginError, match="deactivated"):
                resolve_actor(db)
        finally:
            db.dispose()
        RegisterService(owner, admin).set_staff_active(edt_id, True)
        with council.raw("edt") as c:
            assert len(_ids(c, "SELECT id FROM child")) == 5
    finally:
        owner.dispose()


def test_audit_rows_are_chained_by_the_database_and_name_the_real_login(council: Council) -> None:
    with council.raw("sw1") as c:
        c.execute("INSERT INTO audit_log (at, username, action, entity) VALUES (now(), 'adm', 'forged', 'x')")
        who = c.execute("SELECT username FROM audit_log WHERE action = 'forged'").fetchone()
    assert who == (council.logins["sw1"],)
    with council.raw("aud") as c:
        assert c.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 10  # the auditor reads it all
        with pytest.raises(pgerr.InsufficientPrivilege):
            c.execute("SELECT id FROM child")
    owner = Database.open(council.url, upgrade=False)
    try:
        with owner.read_session() as s:
            assert audit_chain.verify(s).ok
        auditor = resolve_actor(owner, council.logins["aud"])
        views = AccessService(owner, auditor).views("B3")
        assert [v.what for v in views] == ["child record"]
    finally:
        owner.dispose()


def test_the_escalation_service_raises_alerts_for_every_child_restricted_too(council: Council) -> None:
    from lac_monitor.domain.clock import FixedClock
    from lac_monitor.services.alerts import AlertService

    db = Database.open(council.url_as("svc"), upgrade=False)
    try:
        me = resolve_actor(db)
        assert me.role is None and me.display_name == "Escalation service"
        AlertService(db, me, FixedClock(NOW + timedelta(minutes=5))).evaluate()
        # Restricted, still escalated. Looked up, not taken from `raised`: in one CI run of the
        # whole suite B3's alerts were already there before this evaluation (not reproduced
        # since; the question stays open), and what matters is that they exist.
        with db.read_session() as s:
            rules = set(s.scalars(sa.select(Alert.rule).where(Alert.child_id == "B3")))
        assert "reported" in rules
        with pytest.raises(AccessRefusedError):
            EpisodeService(db, me).report("A1", "M", NOW)  # raising alerts is all it does
    finally:
        db.dispose()
    with council.raw("sw1") as c:  # and the people who may not see B3 still do not
        assert c.execute("SELECT count(*) FROM alert WHERE child_id = 'B3'").fetchone() == (0,)


def test_the_service_raises_escalations_missed_in_a_gap_as_resolved_history(council: Council) -> None:
    """After a gap longer than the look-back, thresholds that fell while the service was
    down are raised late; B5 has long been back, so theirs are raised resolved (history, not
    an open alert), through the service's own login with its grants and row policies."""
    from lac_monitor.domain.clock import FixedClock
    from lac_monitor.services.alerts import AlertService

    db = Database.open(council.url_as("svc"), upgrade=False)
    try:
        service = AlertService(db, resolve_actor(db), FixedClock(NOW + timedelta(minutes=5)))
        service.evaluate(since=NOW - timedelta(days=13))
        # Read back rather than taken from what this pass raised: another test's pass may
        # have raised some of B5's first.
        b5 = {a.rule: a for a in service.open_alerts(include_acknowledged=True) if a.child_id == "B5"}
    finally:
        db.dispose()
    assert {"missing_24h", "returned"} <= set(b5)
    assert b5["missing_24h"].late and b5["missing_24h"].resolved
    assert b5["missing_24h"].resolved_reason == "child returned / found"
    assert not b5["returned"].resolved
    with council.raw("sw2") as c:  # B5's worker: the open ones only, in raw SQL
        open_rules = _ids(
            c, "SELECT rule FROM alert WHERE child_id = 'B5' AND resolved_at IS NULL AND acknowledged_at IS NULL"
        )
    assert "missing_24h" not in open_rules and "returned" in open_rules


def test_provisioning_again_is_harmless(council: Council) -> None:
    owner = Database.open(council.url, upgrade=False)
    try:
        again = provision_database(owner)
        assert again.created_roles == [] and not again.admin_created
        with pytest.raises(AccessRefusedError):
            provision_database(Database.open(council.url_as("sw1"), upgrade=False))
    finally:
        owner.dispose()


def test_an_actor_without_a_role_cannot_act(council: Council) -> None:
    owner = Database.open(council.url, upgrade=False)
    try:
        with pytest.raises(AccessRefusedError):
            EpisodeService(owner, Actor("nobody")).report("A1", "M", NOW)
    finally:
        owner.dispose()


def test_the_escalation_service_runs_as_its_own_login_and_no_person_can(
    council: Council, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["service", "--once", "--database", council.url_as("svc")])
    out, err = capsys.readouterr()
    assert code == 0, err
    with council.raw("svc") as svc:
        # it sees every missing child, the restricted one too, and raised their alerts
        assert {"B3", "B4"} <= _ids(svc, "SELECT child_id FROM alert WHERE rule = 'reported'")
        assert svc.execute("SELECT count(*) FROM service_heartbeat").fetchone()[0] >= 1
        with pytest.raises(pgerr.InsufficientPrivilege):
            svc.execute("UPDATE child SET first_name = 'X'")
        with pytest.raises(pgerr.InsufficientPrivilege):
            svc.execute("DELETE FROM audit_log")
    assert main(["service", "--check", "--database", council.url_as("svc")]) == 0
    capsys.readouterr()
    code = main(["service", "--once", "--database", council.url_as("sw1")])
    err = capsys.readouterr().err
    assert code == 2 and "not the escalation service's" in err and err.count("\n") == 1


def test_upgrading_a_provisioned_database_brings_the_duty_hours_rule(council: Council) -> None:
    """A database provisioned by the earlier version (no lac_office_hours) gets the rule from
    the 0009 migration, without `db provision` being run again."""
    from sqlalchemy import create_engine

    from lac_monitor.storage.migrate import head_revision, upgrade

    _office_hours(council, always=True)
    with psycopg.connect(council.url, autocommit=True) as owner:
        owner.execute("DROP FUNCTION lac_office_hours()")
        owner.execute("UPDATE alembic_version SET version_num = '0008'")
    engine = create_engine(council.url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()
    with council.raw("edt") as c:
        assert "B3" not in _ids(c, "SELECT id FROM child")
    _office_hours(council, always=False)
    with council.raw("edt") as c:
        assert "B3" in _ids(c, "SELECT id FROM child")
