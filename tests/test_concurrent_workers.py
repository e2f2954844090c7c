"""Several worker processes writing at once, as gunicorn does: no "database is locked", nothing lost."""
import multiprocessing
import uuid

from sqlalchemy import func, select

from fieldapp.records.models import Record

WORKERS, PER_WORKER = 4, 25


def worker(database_url: str, instance: str, token: str, street_id: int, seed: int, results) -> None:
    import os

    os.environ["FIELDAPP_INSTANCE_PATH"] = instance
    from fieldapp import create_app

    client = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret"}).test_client()
    statuses = []
    for n in range(PER_WORKER):
        rid = uuid.UUID(int=seed * 1000 + n)
        body = {"channel": "rally", "street_id": street_id, "house_number": 1 + n % 2, "language": "nl",
                "occurred_at": "2026-01-05T10:00:00+01:00", "outcome": "brief",
                "referrals": [{"code": "energy_coach", "consent": True}]}
        statuses.append(client.put(f"/api/v1/records/{rid}", json=body, headers={"Authorization": token}).status_code)
        # Interleave reads, as the dashboard and phones do.
        statuses.append(client.get("/api/v1/records?limit=5", headers={"Authorization": token}).status_code)
    results.put(statuses)


def test_worker_processes_write_concurrently(app, login, world, db, database_url, tmp_path):
    token = login("vol").headers["Authorization"]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(database_url, str(tmp_path / "instance"), token,
                                             world.streets["Smitsplein"], seed, results))
        for seed in range(1, WORKERS + 1)
    ]
    for process in processes:
        process.start()
    statuses = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(process.exitcode == 0 for process in processes)
    flat = [status for worker_statuses in statuses for status in worker_statuses]
    assert flat.count(201) == WORKERS * PER_WORKER and flat.count(200) == WORKERS * PER_WORKER
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Record)) == WORKERS * PER_WORKER
